"""Bounding boxes of masks and label images: the window a frame swap has to rewrite.

A box is ``(y0, y1, x0, x1)``, half-open, in label-image pixels; ``None`` means no pixel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike

__all__ = [
    "Box",
    "box_area",
    "box_exceeds",
    "clip_box",
    "label_image_box",
    "masks_box",
    "masks_extent",
    "union_box",
]

Box = tuple[int, int, int, int]


def masks_extent(masks_xy: Sequence[ArrayLike]) -> Box | None:
    """Return the box around every pixel of ``masks_xy`` (``(N, 2)`` x, y arrays), unclipped."""
    arrays = [pixels for pixels in (np.asarray(mask) for mask in masks_xy) if pixels.size]
    if not arrays:
        return None
    pixels = arrays[0] if len(arrays) == 1 else np.concatenate(arrays)
    # One reduction per column: ``min(axis=0)`` over a two-column array costs twice as much.
    xs, ys = pixels[:, 0], pixels[:, 1]
    return int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1


def clip_box(box: Box | None, shape: tuple[int, int]) -> Box | None:
    """Return the part of ``box`` inside an image of ``shape`` ``(height, width)``."""
    if box is None:
        return None
    height, width = int(shape[0]), int(shape[1])
    clipped = (max(box[0], 0), min(box[1], height), max(box[2], 0), min(box[3], width))
    return clipped if clipped[0] < clipped[1] and clipped[2] < clipped[3] else None


def box_exceeds(box: Box | None, shape: tuple[int, int]) -> bool:
    """Return whether ``box`` reaches outside an image of ``shape`` ``(height, width)``."""
    if box is None:
        return False
    return box[0] < 0 or box[2] < 0 or box[1] > int(shape[0]) or box[3] > int(shape[1])


def masks_box(masks_xy: Sequence[ArrayLike], shape: tuple[int, int]) -> Box | None:
    """Return the box around every pixel of ``masks_xy`` (``(N, 2)`` x, y arrays) inside ``shape``."""
    return clip_box(masks_extent(masks_xy), shape)


def label_image_box(image: np.ndarray) -> Box | None:
    """Return the box around the non-zero pixels of a 2-D label image."""
    rows = np.flatnonzero(image.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(image[rows[0] : rows[-1] + 1].any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def union_box(a: Box | None, b: Box | None) -> Box | None:
    """Return the smallest box holding both ``a`` and ``b``."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3])


def box_area(box: Box | None) -> int:
    """Return the number of pixels in ``box`` (0 for ``None``)."""
    return 0 if box is None else (box[1] - box[0]) * (box[3] - box[2])
