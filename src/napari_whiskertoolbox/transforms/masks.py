"""Mask transforms of TransformsV2 (reference §3.1).

Area, centroid, median filter, skeleton, mask to line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.transforms.lift import (
    Batch,
    ElementType,
    batch_of_arrays,
    float_batch,
    segment_ids,
)
from napari_whiskertoolbox.transforms.registry import element_transform
from napari_whiskertoolbox.transforms.schema import Params, p_bool, p_enum, p_float, p_int

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari_whiskertoolbox.transforms.context import TransformContext

__all__ = [
    "mask_median",
    "mask_skeleton",
    "order_pixels",
    "pixels_of",
    "rasterise",
]


_CANVAS_HELP = (
    "canvas {} in pixels; with both width and height > 0 the full image is used, else a tight box"
)


# ---------------------------------------------------------------------- raster helpers
def rasterise(
    pixels: np.ndarray, width: int, height: int, border: int
) -> tuple[np.ndarray, int, int]:
    """Draw ``pixels`` on a canvas (reference §3.1 MedianFilterMask step 2).

    Parameters
    ----------
    pixels : (n, 2) array of (x, y)
        Mask pixels (n >= 1).
    width, height : int
        Full canvas size; when both are > 0 the canvas is ``(height, width)`` at the origin
        and pixels outside are dropped. Otherwise a tight canvas: the pixels' bounding box
        plus ``border`` background pixels on every side.
    border : int
        Border of the tight canvas.

    Returns
    -------
    image : (H, W) uint8
        1 on mask pixels.
    x0, y0 : int
        Absolute coordinates of the canvas' top-left pixel.
    """
    xy = np.asarray(pixels, np.int64)
    if width > 0 and height > 0:
        inside = (xy[:, 0] < width) & (xy[:, 1] < height)
        xy = xy[inside]
        x0 = y0 = 0
        shape = (height, width)
    else:
        x0 = int(xy[:, 0].min()) - border
        y0 = int(xy[:, 1].min()) - border
        shape = (
            int(xy[:, 1].max()) - y0 + 1 + border,
            int(xy[:, 0].max()) - x0 + 1 + border,
        )
    image = np.zeros(shape, np.uint8)
    image[xy[:, 1] - y0, xy[:, 0] - x0] = 1
    return image, x0, y0


def pixels_of(image: np.ndarray, x0: int, y0: int) -> np.ndarray:
    """Return the set pixels of ``image`` as absolute ``(x, y)`` uint32, row by row.

    Pixels that would fall at negative coordinates (outside any image) are dropped.
    """
    ys, xs = np.nonzero(image)
    xs = xs.astype(np.int64) + x0
    ys = ys.astype(np.int64) + y0
    keep = (xs >= 0) & (ys >= 0)
    return np.column_stack((xs[keep], ys[keep])).astype(np.uint32)


def mask_median(pixels: np.ndarray, window: int, width: int = -1, height: int = -1) -> np.ndarray:
    """Binary median (majority) filter of one mask (reference §3.1 MedianFilterMask).

    ``window`` if odd and >= 1, else 3; mirrored edges (``scipy.ndimage.median_filter``
    with ``mode="reflect"``, which repeats the edge pixel). Empty → empty.
    """
    from scipy import ndimage

    if pixels.shape[0] == 0:
        return np.empty((0, 2), np.uint32)
    if window < 1 or window % 2 == 0:
        window = 3
    image, x0, y0 = rasterise(pixels, width, height, max(1, window // 2))
    filtered = ndimage.median_filter(image, size=window, mode="reflect")
    return pixels_of(filtered, x0, y0)


def mask_skeleton(
    pixels: np.ndarray, method: str = "ZhangSuen", width: int = -1, height: int = -1
) -> np.ndarray:
    """Skeleton of one mask (reference §3.1 SkeletonizeMask).

    ``ZhangSuen``: ``skimage.morphology.skeletonize(method="zhang")``; ``MedialAxis``:
    ``skimage.morphology.medial_axis``. Tight canvas border 1 pixel. Empty → empty.
    """
    from skimage.morphology import medial_axis, skeletonize

    if pixels.shape[0] == 0:
        return np.empty((0, 2), np.uint32)
    image, x0, y0 = rasterise(pixels, width, height, 1)
    if method == "MedialAxis":
        skeleton = medial_axis(image.astype(bool))
    else:
        skeleton = skeletonize(image.astype(bool), method="zhang")
    return pixels_of(skeleton, x0, y0)


def order_pixels(
    pixels: np.ndarray, reference_x: float, reference_y: float, subsample: int = 1
) -> np.ndarray:
    """Order mask pixels into a polyline starting near a reference (§3.1 MaskToLine).

    Keeps every ``subsample``-th pixel; finds two endpoints (farthest from the first pixel,
    then farthest from that one); starts at the endpoint farther from the reference; walks
    greedily to the nearest unvisited pixel (ties → lowest index); finally reverses the line
    if its first vertex is farther from the reference than its last.

    Returns
    -------
    (n, 2) float32
    """
    pts = np.asarray(pixels, np.float64)[:: max(int(subsample), 1)]
    n = pts.shape[0]
    if n == 0:
        return np.empty((0, 2), np.float32)
    ref = np.array([reference_x, reference_y], np.float64)
    e1 = int(np.argmax(((pts - pts[0]) ** 2).sum(axis=1)))
    e2 = int(np.argmax(((pts - pts[e1]) ** 2).sum(axis=1)))
    d1 = ((pts[e1] - ref) ** 2).sum()
    d2 = ((pts[e2] - ref) ** 2).sum()
    current = e1 if d1 >= d2 else e2
    remaining = np.ones(n, bool)
    order = np.empty(n, np.int64)
    dist = np.empty(n)
    for step in range(n):
        order[step] = current
        remaining[current] = False
        if step == n - 1:
            break
        np.sum((pts - pts[current]) ** 2, axis=1, out=dist)
        dist[~remaining] = np.inf
        current = int(np.argmin(dist))
    line = pts[order]
    if ((line[0] - ref) ** 2).sum() > ((line[-1] - ref) ** 2).sum():
        line = line[::-1]
    return line.astype(np.float32)


def _each_mask(batch: Batch) -> list[np.ndarray]:
    o, c = batch.offsets, batch.coords
    assert o is not None
    assert c is not None
    return [c[o[k] : o[k + 1]] for k in range(o.size - 1)]


def _map_masks(
    batch: Batch,
    ctx: TransformContext,
    func: Callable[[np.ndarray], np.ndarray],
    output: ElementType,
    dtype: type[np.generic],
) -> Batch:
    """Apply ``func`` to each mask's ``(n, 2)`` pixel array, reporting progress per mask."""
    masks = _each_mask(batch)
    out = []
    for k, pixels in enumerate(masks):
        ctx.tick(k, len(masks))
        out.append(func(pixels))
    return batch_of_arrays(batch, output, out, dtype)


# ---------------------------------------------------------------------- transforms
@element_transform(
    "CalculateMaskArea",
    "mask",
    "float",
    (
        p_float(
            "scale_factor", 1.0, "multiplies the pixel count", minimum=0.0, exclusive_minimum=True
        ),
        p_float("min_area", 0.0, "areas below this (pixels) become 0", minimum=0.0),
        p_bool("exclude_holes", False, "accepted and ignored, as in WhiskerToolbox"),
    ),
    category="Masks",
    source="reference §3.1",
    with_context_twin=False,
)
def calculate_mask_area(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Count the stored pixels of every mask (duplicates counted); float per mask.

    ``area < min_area`` → 0, else ``area * scale_factor``; an empty mask gives 0.
    """
    offsets = batch.offsets
    assert offsets is not None
    area = np.empty(offsets.size - 1, np.float32)
    np.subtract(offsets[1:], offsets[:-1], out=area, casting="unsafe")  # no int64 temporary
    area[area < p.min_area] = 0.0
    if p.scale_factor != 1.0:
        area *= np.float32(p.scale_factor)
    return float_batch(batch, area)


@element_transform(
    "CalculateMaskAreaWithContext",
    "mask",
    "float",
    (
        p_float(
            "scale_factor",
            1.0,
            "ignored by the context variant",
            minimum=0.0,
            exclusive_minimum=True,
        ),
        p_float("min_area", 0.0, "ignored by the context variant", minimum=0.0),
        p_bool("exclude_holes", False, "accepted and ignored"),
    ),
    category="Masks",
    source="reference §3.1",
    with_context_twin=False,
)
def calculate_mask_area_ctx(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Count the stored pixels of every mask (raw count).

    WhiskerToolbox's context variant ignores ``min_area`` and ``scale_factor``.
    """
    return float_batch(batch, batch.lengths().astype(np.float32))


@element_transform(
    "CalculateMaskCentroid", "mask", "point", (), category="Masks", source="reference §3.1"
)
def calculate_mask_centroid(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Return the mean (x, y) of every mask's stored pixels; an empty mask gives (0, 0).

    Sums accumulate in float64 (WhiskerToolbox uses float32), the result is float32.
    """
    offsets, coords = batch.offsets, batch.coords
    assert offsets is not None
    assert coords is not None
    n = offsets.size - 1
    counts = np.diff(offsets)
    seg = segment_ids(offsets)
    out = np.zeros((n, 2), np.float64)
    for axis in range(2):
        out[:, axis] = np.bincount(seg, weights=coords[:, axis], minlength=n)
    nonempty = counts > 0
    out[nonempty] /= counts[nonempty, None]
    return Batch("point", batch.times, coords=out.astype(np.float32), image_size=batch.image_size)


_WIDTH = p_int("image_width", -1, _CANVAS_HELP.format("width"))
_HEIGHT = p_int("image_height", -1, _CANVAS_HELP.format("height"))


@element_transform(
    "MedianFilterMask",
    "mask",
    "mask",
    (p_int("window_size", 3, "odd window side in pixels (even or < 1 → 3)"), _WIDTH, _HEIGHT),
    category="Masks",
    source="reference §3.1",
)
def median_filter_mask(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Binary median filter of every mask (scipy.ndimage.median_filter, mirrored edges)."""
    return _map_masks(
        batch,
        ctx,
        lambda pixels: mask_median(pixels, p.window_size, p.image_width, p.image_height),
        "mask",
        np.uint32,
    )


@element_transform(
    "SkeletonizeMask",
    "mask",
    "mask",
    (
        p_enum("method", ("ZhangSuen", "MedialAxis"), "thinning algorithm (scikit-image)"),
        _WIDTH,
        _HEIGHT,
    ),
    category="Masks",
    source="reference §3.1",
)
def skeletonize_mask(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Thin every mask to a 1-pixel skeleton (scikit-image skeletonize / medial_axis)."""
    return _map_masks(
        batch,
        ctx,
        lambda pixels: mask_skeleton(pixels, p.method, p.image_width, p.image_height),
        "mask",
        np.uint32,
    )


@element_transform(
    "MaskToLine",
    "mask",
    "line",
    (
        p_float("reference_x", 0.0, "x of the reference point (the whisker base side), pixels"),
        p_float("reference_y", 0.0, "y of the reference point, pixels"),
        p_int("subsample_factor", 1, "keep every k-th pixel (< 1 → 1)"),
    ),
    category="Masks",
    source="reference §3.1",
)
def mask_to_line(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
    """Order every mask's pixels into a line starting at the end nearest the reference."""
    return _map_masks(
        batch,
        ctx,
        lambda pixels: order_pixels(pixels, p.reference_x, p.reference_y, p.subsample_factor),
        "line",
        np.float32,
    )
