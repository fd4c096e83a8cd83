"""Write a label-image edit back to the masks of a frame, touching only what was edited.

The Labels layer shows the masks of one frame as a label image. An edit (a brush stroke,
a fill, a new image from the console) changes some labels; only the masks of those labels
are rewritten, from the edited image, and each keeps the pixels the image could not show
(outside the image, or hidden under another mask) unless the edit painted over them.
Every other mask is kept exactly as stored (pure numpy, no Qt).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["merge_label_edit", "renumbering"]


def merge_label_edit(
    masks: Sequence[np.ndarray],
    ids: np.ndarray,
    labels: Sequence[int],
    before: np.ndarray,
    after: np.ndarray,
) -> tuple[list[np.ndarray], np.ndarray, list[int]] | None:
    """Return the frame's masks after the edit ``before`` → ``after``, or None if nothing changed.

    Parameters
    ----------
    masks : sequence of numpy.ndarray
        The stored masks of the frame: ``(Ni, 2)`` uint32 ``(x, y)`` pixels each.
    ids : numpy.ndarray of uint64
        Their entity ids.
    labels : sequence of int
        The label value each mask is drawn with (``0`` = not in the layer).
    before : numpy.ndarray
        ``(H, W)`` label image of ``masks`` drawn with ``labels`` (what the layer showed).
    after : numpy.ndarray
        The layer's label image after the edit (same shape).

    Returns
    -------
    tuple or None
        ``(masks, ids, labels)``: untouched masks as given, edited masks rebuilt (those
        left without any pixel are dropped), then one new mask (id 0) per new label, in
        increasing label order. None when ``after`` equals ``before``.
    """
    if before.shape != after.shape:
        raise ValueError(f"label edit: images differ in shape {before.shape} vs {after.shape}")
    changed = before != after
    if not changed.any():
        return None
    touched = set(np.unique(before[changed]).tolist()) | set(np.unique(after[changed]).tolist())
    touched.discard(0)
    height, width = before.shape
    out_masks: list[np.ndarray] = []
    out_ids: list[int] = []
    out_labels: list[int] = []
    known = set()
    for mask, entity_id, label in zip(masks, np.asarray(ids, dtype=np.uint64), labels):
        label = int(label)
        known.add(label)
        if label == 0 or label not in touched:
            out_masks.append(mask)
            out_ids.append(int(entity_id))
            out_labels.append(label)
            continue
        rebuilt = _rebuilt_mask(np.asarray(mask), label, before, after, changed, (height, width))
        if rebuilt.size:
            out_masks.append(rebuilt)
            out_ids.append(int(entity_id))
            out_labels.append(label)
    for label in sorted(touched - known):
        ys, xs = np.nonzero(after == label)
        if ys.size:
            out_masks.append(np.stack([xs, ys], axis=1).astype(np.uint32))
            out_ids.append(0)
            out_labels.append(label)
    return out_masks, np.asarray(out_ids, dtype=np.uint64), out_labels


def renumbering(labels: Sequence[int]) -> dict[int, int]:
    """Return ``{label: stored label}`` of the labels an edit's masks are not shown with.

    A frame's masks are stored as a list and shown as labels 1, 2, … in that order (mask
    ``k`` → label ``k + 1``, also after a reload: the files keep the order).
    :func:`merge_label_edit` keeps the masks' order, drops a mask erased whole and adds new
    labels last, so after an edit the label of mask ``k`` may differ from ``k + 1``.

    Parameters
    ----------
    labels : sequence of int
        The label each stored mask had in the edited image (``0``: not in the image).

    Returns
    -------
    dict of int to int
        Label in the edited image → the label the stored frame shows it as; empty when
        every label keeps its number.
    """
    return {
        int(label): position
        for position, label in enumerate(labels, start=1)
        if int(label) and int(label) != position
    }


def _rebuilt_mask(
    mask: np.ndarray,
    label: int,
    before: np.ndarray,
    after: np.ndarray,
    changed: np.ndarray,
    shape: tuple[int, int],
) -> np.ndarray:
    """Return the edited image's pixels of ``label`` plus the mask's pixels the edit missed."""
    ys, xs = np.nonzero(after == label)
    shown_now = np.stack([xs, ys], axis=1).astype(np.uint32)
    if mask.size == 0:
        return shown_now
    px = mask[:, 0].astype(np.int64)
    py = mask[:, 1].astype(np.int64)
    inside = (px < shape[1]) & (py < shape[0])
    kept = ~inside
    ix, iy = px[inside], py[inside]
    # inside the image: pixels not shown as this label before (under another mask) that
    # the edit left alone
    kept[inside] = (before[iy, ix] != label) & ~changed[iy, ix]
    return np.concatenate([shown_now, mask[kept].astype(np.uint32)])
