"""Merge a layer's edited rows back into the full frame of objects (pure numpy, no Qt).

A layer may not show every object of a frame (a line with fewer than two distinct points
cannot be a napari path). Those objects are kept out of the layer and put back, untouched
and at their old places in the frame, when the layer's rows are written back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["deleted_rows", "merge_hidden"]


def deleted_rows(
    old_rows: Sequence[np.ndarray], new_rows: Sequence[np.ndarray]
) -> list[int] | None:
    """Return the positions of ``old_rows`` missing from ``new_rows``, or None.

    ``new_rows`` must be ``old_rows`` with some rows deleted and the others equal and in
    order (e.g. napari's vertex-remove tool deleting a two-vertex path, which it announces
    as a change); otherwise the answer is None.
    """
    missing: list[int] = []
    j = 0
    for i, old in enumerate(old_rows):
        if j < len(new_rows) and np.array_equal(old, new_rows[j]):
            j += 1
        else:
            missing.append(i)
    if j != len(new_rows) or len(missing) != len(old_rows) - len(new_rows):
        return None
    return missing


def merge_hidden(
    shown: list[np.ndarray],
    shown_ids: np.ndarray,
    hidden: list[np.ndarray],
    hidden_ids: np.ndarray,
    hidden_positions: Sequence[int],
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Put the objects a layer does not show back among the rows it shows.

    Parameters
    ----------
    shown : list of numpy.ndarray
        The objects of the layer's rows, in row order.
    shown_ids : numpy.ndarray of uint64
        Their entity ids (0 = new).
    hidden : list of numpy.ndarray
        The objects left out of the layer, untouched.
    hidden_ids : numpy.ndarray of uint64
        Their entity ids.
    hidden_positions : sequence of int
        Their positions in the frame when it was shown (ascending).

    Returns
    -------
    objects : list of numpy.ndarray
        Every object of the frame.
    ids : numpy.ndarray of uint64
        Their ids.
    is_shown : numpy.ndarray of bool
        Which of them are layer rows (in row order).
    """
    objects = list(shown)
    ids = [int(i) for i in np.asarray(shown_ids, dtype=np.uint64)]
    is_shown = [True] * len(objects)
    for obj, entity_id, position in zip(hidden, hidden_ids, hidden_positions):
        at = min(int(position), len(objects))
        objects.insert(at, obj)
        ids.insert(at, int(entity_id))
        is_shown.insert(at, False)
    return objects, np.asarray(ids, dtype=np.uint64), np.asarray(is_shown, dtype=bool)
