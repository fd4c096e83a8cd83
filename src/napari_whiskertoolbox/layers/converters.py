"""Pure conversions between our data model and napari layer data (numpy only, no Qt).

The model stores spatial coordinates as ``(x, y)``; napari layers use ``(row, col)`` =
``(y, x)``. These functions are the only place where the axes are swapped.

Masks travel as label images: entry ``k`` of a frame becomes label ``k + 1``; a label
image comes back as one mask per label value, paired with the entity id that label
stood for (``0`` for a label that had no entity yet, i.e. a new mask).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.core._arrays import float32_xy

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike

__all__ = [
    "CLOSED_SHAPE_TYPES",
    "UNSTORABLE_SHAPE_TYPES",
    "drawable_lines",
    "label_dtype_for",
    "label_image_to_masks",
    "layer_paths_to_lines",
    "layer_points_to_points",
    "lines_to_layer_paths",
    "masks_to_label_image",
    "points_to_layer_points",
    "reconcile_row_ids",
    "segments_to_layer_vectors",
    "shapes_to_lines",
]

CLOSED_SHAPE_TYPES = frozenset({"polygon", "rectangle"})
"""napari shape types stored as closed polylines (their outline, first vertex repeated)."""
UNSTORABLE_SHAPE_TYPES = frozenset({"ellipse"})
"""napari shape types a line cannot hold exactly (their outline is not a polyline)."""


def _as_xy_rows(data: ArrayLike, what: str) -> np.ndarray:
    arr = np.asarray(data)
    if arr.size == 0:
        return np.empty((0, 2), dtype=arr.dtype if arr.dtype.kind == "f" else np.float32)
    if arr.ndim == 1 and arr.shape[0] == 2:
        arr = arr[np.newaxis]
    if arr.ndim != 2 or arr.shape[1] < 2:
        raise ValueError(f"{what}: expected an (N, 2) coordinate array, got shape {arr.shape}")
    return arr


def points_to_layer_points(points_xy: ArrayLike) -> np.ndarray:
    """Convert model points ``(N, 2)`` in ``(x, y)`` to napari Points data ``(N, 2)`` ``(y, x)``.

    Parameters
    ----------
    points_xy : array_like
        Point coordinates as ``(x, y)`` rows.

    Returns
    -------
    numpy.ndarray
        A new float32 ``(N, 2)`` array of ``(row, col)`` coordinates.
    """
    xy = _as_xy_rows(points_xy, "points")
    return np.ascontiguousarray(xy[:, 1::-1], dtype=np.float32)


def segments_to_layer_vectors(starts_xy: ArrayLike, ends_xy: ArrayLike) -> np.ndarray:
    """Convert segments ``start -> end`` in ``(x, y)`` to napari Vectors data ``(N, 2, 2)``.

    Parameters
    ----------
    starts_xy, ends_xy : array_like
        ``(N, 2)`` segment ends as ``(x, y)`` rows.

    Returns
    -------
    numpy.ndarray
        float32 ``(N, 2, 2)``: per vector its ``(row, col)`` origin and ``(drow, dcol)``
        projection, the layout of napari's Vectors layer.
    """
    starts = _as_xy_rows(starts_xy, "segment starts")
    ends = _as_xy_rows(ends_xy, "segment ends")
    out = np.empty((len(starts), 2, 2), np.float32)
    out[:, 0] = starts[:, 1::-1]
    out[:, 1] = ends[:, 1::-1] - starts[:, 1::-1]
    return out


def layer_points_to_points(layer_data: ArrayLike, what: str = "point") -> np.ndarray:
    """Convert napari Points data (``(N, D)``, last two columns row/col) to model ``(x, y)``.

    The model's rule for coordinates applies (``core._arrays.float32_xy``): NaN and
    infinite values are kept, a finite value too large for float32 and non-numeric data
    are refused, never turned silently into infinity or garbage.

    Parameters
    ----------
    layer_data : array_like
        Points layer data; extra leading columns (e.g. a time axis) are ignored.
    what : str
        What one row is called in the error message (``"point"``, ``"shape 2 vertex"``).

    Returns
    -------
    numpy.ndarray
        A new float32 ``(N, 2)`` array of ``(x, y)`` coordinates.

    Raises
    ------
    ValueError
        If the data is not an ``(N, D >= 2)`` array of real numbers, or a finite value does
        not fit in float32 (the message names the row).
    """
    yx = _as_xy_rows(layer_data, "Points layer data")
    return np.ascontiguousarray(
        float32_xy(yx[:, [-1, -2]], "expected (N, 2) coordinates", what), dtype=np.float32
    )


def lines_to_layer_paths(lines_xy: Sequence[ArrayLike]) -> list[np.ndarray]:
    """Convert model lines (each ``(Ni, 2)`` in ``(x, y)``) to napari Shapes path arrays.

    Parameters
    ----------
    lines_xy : sequence of array_like
        One ``(Ni, 2)`` vertex array per line.

    Returns
    -------
    list of numpy.ndarray
        One float32 ``(Ni, 2)`` ``(row, col)`` array per line.
    """
    return [points_to_layer_points(line) for line in lines_xy]


def layer_paths_to_lines(layer_paths: Sequence[ArrayLike]) -> list[np.ndarray]:
    """Convert napari Shapes data (one ``(Ni, D)`` vertex array per shape) to model lines.

    Any shape type is accepted: its vertices, in order, become the line.

    Parameters
    ----------
    layer_paths : sequence of array_like
        Shapes layer data; extra leading columns are ignored.

    Returns
    -------
    list of numpy.ndarray
        One float32 ``(Ni, 2)`` ``(x, y)`` array per shape.
    """
    return [layer_points_to_points(path) for path in layer_paths]


def shapes_to_lines(
    layer_shapes: Sequence[ArrayLike], shape_types: Sequence[str]
) -> list[np.ndarray | None]:
    """Convert napari shapes of any type to model lines (their outline as a polyline).

    Paths and lines keep their vertices; polygons and rectangles become closed polylines
    (the first vertex repeated at the end); ellipses give ``None``: no polyline is their
    outline.

    Parameters
    ----------
    layer_shapes : sequence of array_like
        Shapes layer data, one ``(Ni, D)`` vertex array per shape (last two columns row/col).
    shape_types : sequence of str
        napari's ``shape_type`` of each shape.

    Returns
    -------
    list of numpy.ndarray or None
        One float32 ``(Ni, 2)`` ``(x, y)`` line per shape, ``None`` for ellipses.

    Raises
    ------
    ValueError
        If a shape's vertices are not real numbers or one does not fit in float32 (the
        message names the shape and vertex, see :func:`layer_points_to_points`).
    """
    lines: list[np.ndarray | None] = []
    for k, (shape, shape_type) in enumerate(zip(layer_shapes, shape_types)):
        if shape_type in UNSTORABLE_SHAPE_TYPES:
            lines.append(None)
            continue
        line = layer_points_to_points(shape, what=f"shape {k} vertex")
        if shape_type in CLOSED_SHAPE_TYPES and len(line) and not np.array_equal(line[0], line[-1]):
            line = np.concatenate([line, line[:1]])
        lines.append(line)
    return lines


def drawable_lines(lines_xy: Sequence[ArrayLike]) -> np.ndarray:
    """Return which lines napari can draw as paths: finite, with two distinct vertices.

    napari refuses a path with fewer than two unique vertices; WhiskerToolbox's files hold
    such lines (0 or 1 point) legitimately.

    Returns
    -------
    numpy.ndarray of bool
        One flag per line.
    """
    flags = np.zeros(len(lines_xy), dtype=bool)
    for k, line in enumerate(lines_xy):
        arr = np.asarray(line)
        if arr.ndim != 2 or arr.shape[0] < 2 or not np.isfinite(arr).all():
            continue
        flags[k] = bool((arr[1:] != arr[0]).any())
    return flags


def label_dtype_for(n_labels: int) -> np.dtype:
    """Smallest unsigned dtype holding labels ``0..n_labels`` (uint8 up to 255 masks).

    Small label dtypes keep napari's per-frame texture upload cheap.
    """
    if n_labels < np.iinfo(np.uint8).max:
        return np.dtype(np.uint8)
    if n_labels < np.iinfo(np.uint16).max:
        return np.dtype(np.uint16)
    return np.dtype(np.uint32)


def masks_to_label_image(
    masks_xy: Sequence[ArrayLike],
    shape: tuple[int, int],
    out: np.ndarray | None = None,
    origin: tuple[int, int] = (0, 0),
    labels: Sequence[int] | None = None,
) -> np.ndarray:
    """Rasterise masks into a label image where mask ``k`` gets label ``k + 1``.

    Later masks overwrite earlier ones where they overlap. Pixels outside ``shape`` are
    dropped.

    Parameters
    ----------
    masks_xy : sequence of array_like
        One ``(Ni, 2)`` integer array of ``(x, y)`` pixel coordinates per mask.
    shape : tuple of int
        ``(height, width)`` of the label image.
    out : numpy.ndarray, optional
        Image to fill in place (zeroed first); must have ``shape`` and hold
        ``len(masks_xy)`` labels.
    origin : tuple of int
        ``(x, y)`` image pixel that lands on pixel ``(0, 0)`` of the result: with ``shape``
        it renders one window of a larger label image.
    labels : sequence of int, optional
        The label of each mask instead of ``k + 1`` (``0`` = not drawn).

    Returns
    -------
    numpy.ndarray
        ``out`` or a new image of dtype :func:`label_dtype_for` of the largest label.
    """
    height, width = int(shape[0]), int(shape[1])
    values = list(range(1, len(masks_xy) + 1)) if labels is None else [int(v) for v in labels]
    if len(values) != len(masks_xy):
        raise ValueError(f"label image: {len(values)} labels for {len(masks_xy)} masks")
    top = max(values, default=0)
    if out is None:
        out = np.zeros((height, width), dtype=label_dtype_for(top))
    else:
        if out.shape != (height, width):
            raise ValueError(f"label image: out has shape {out.shape}, expected {(height, width)}")
        if top > np.iinfo(out.dtype).max:
            raise ValueError(f"label image: label {top} does not fit in a {out.dtype} label image")
        out.fill(0)
    for k, mask in enumerate(masks_xy):
        pixels = np.asarray(mask)
        if pixels.size == 0 or values[k] == 0:
            continue
        if pixels.ndim != 2 or pixels.shape[1] != 2:
            raise ValueError(f"mask {k}: expected (N, 2) pixel coordinates, got {pixels.shape}")
        xs = pixels[:, 0].astype(np.int64, copy=False) - origin[0]
        ys = pixels[:, 1].astype(np.int64, copy=False) - origin[1]
        inside = (xs >= 0) & (xs < width) & (ys >= 0) & (ys < height)
        if not inside.all():
            xs, ys = xs[inside], ys[inside]
        out[ys, xs] = values[k]
    return out


def label_image_to_masks(
    image: ArrayLike,
    label_ids: ArrayLike = (),
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Split a label image into one mask per label value present.

    Parameters
    ----------
    image : array_like
        ``(H, W)`` integer label image (0 = background).
    label_ids : array_like of uint64
        ``label_ids[k - 1]`` is the entity id label ``k`` stood for; labels beyond its
        length (or mapped to 0) are new masks.

    Returns
    -------
    masks : list of numpy.ndarray
        One uint32 ``(Ni, 2)`` array of ``(x, y)`` pixels per label, in increasing label
        order; pixels are in row-major order.
    ids : numpy.ndarray of uint64
        The entity id of each mask (``0`` = new).
    labels : numpy.ndarray of int64
        The label value of each mask.
    """
    img = np.asarray(image)
    if img.ndim != 2:
        raise ValueError(f"label image: expected a 2-D (H, W) image, got shape {img.shape}")
    known = np.asarray(label_ids, dtype=np.uint64).ravel()
    flat = img.ravel()
    nonzero = np.flatnonzero(flat)
    if nonzero.size == 0:
        return [], np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    values = flat[nonzero].astype(np.int64, copy=False)
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    positions = nonzero[order]
    labels, starts = np.unique(sorted_values, return_index=True)
    width = img.shape[1]
    xy = np.empty((positions.size, 2), dtype=np.uint32)
    xy[:, 0] = positions % width
    xy[:, 1] = positions // width
    ends = np.append(starts[1:], positions.size)
    masks = [xy[s:e] for s, e in zip(starts, ends)]
    ids = np.zeros(labels.size, dtype=np.uint64)
    mapped = (labels >= 1) & (labels <= known.size)
    ids[mapped] = known[labels[mapped] - 1]
    return masks, ids, labels.astype(np.int64)


def reconcile_row_ids(
    row_ids: np.ndarray,
    n_rows: int,
    action: str,
    data_indices: Sequence[int] = (),
) -> np.ndarray:
    """Keep a parallel ``row -> entity id`` array in step with a napari layer edit.

    Parameters
    ----------
    row_ids : numpy.ndarray of uint64
        Entity id of each layer row before the edit.
    n_rows : int
        Number of rows in the layer after the edit.
    action : str
        napari's ``events.data`` action: ``"added"``, ``"removed"`` or ``"changed"``.
    data_indices : sequence of int
        The rows the event names (for ``"removed"``: the removed rows, before removal).

    Returns
    -------
    numpy.ndarray of uint64
        One id per row after the edit; new rows get ``0`` (= allocate a new id). Rows
        appended at the end are new. Duplicate ids (e.g. after copy/paste) keep only their
        first occurrence.
    """
    ids = np.asarray(row_ids, dtype=np.uint64)
    if action == "removed" and data_indices:
        rows = np.asarray([i if i >= 0 else i + ids.size for i in data_indices], dtype=np.int64)
        rows = rows[(rows >= 0) & (rows < ids.size)]
        ids = np.delete(ids, rows)
    if ids.size > n_rows:
        ids = ids[:n_rows]
    elif ids.size < n_rows:
        ids = np.concatenate([ids, np.zeros(n_rows - ids.size, dtype=np.uint64)])
    else:
        ids = ids.copy()
    nonzero = ids != 0
    if nonzero.any():
        _, first = np.unique(ids[nonzero], return_index=True)
        keep = np.zeros(int(nonzero.sum()), dtype=bool)
        keep[first] = True
        sub = ids[nonzero]
        sub[~keep] = 0
        ids[nonzero] = sub
    return ids
