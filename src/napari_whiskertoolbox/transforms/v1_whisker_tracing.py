"""V1 ``Whisker Tracing``: the Janelia whisker tracker on every frame of a video (reference §5).

MediaData → LineData, one entry per whisker found, at the frame's index on the media's clock,
``image_size`` the media's. As WhiskerToolbox's ``WhiskerTracingOperation`` with its
``whisker::WhiskerTracker`` (``WhiskerTracking/whiskertracker.cpp`` and the whisker-analysis
``whisker.cpp``), each frame's segments from Janelia's ``find_segments`` are:

1. kept if their arc length is ``> whisker_length_threshold`` pixels;
2. de-duplicated: of two whiskers whose rounded pixel sets overlap by more than 20 % of
   either, the shorter goes;
3. oriented base first: the end nearer the whisker pad, (0, 0) (the top-left corner), is
   the first point;
4. dropped when the base is more than 1000 px from the pad (WhiskerToolbox's radius);
5. ordered by the base's projection on the head direction (0, 1), largest first;
6. with ``use_mask_data``: kept only if the base, rounded, is a pixel of the frame's masks
   in ``mask_data`` (scaled nearest-neighbour to the frame size when its image size
   differs; a frame without masks keeps no whisker);
7. clipped: ``clip_length`` points are removed from the tip of lines longer than that.

The tracker is whisk-janelia's ``libwhisk`` (optional: ``pip install
'napari-whiskertoolbox[tracing]'``), run in worker processes
(:mod:`~napari_whiskertoolbox.transforms.whisk_pool`); ``use_parallel_processing`` with
``batch_size > 1`` uses one per usable CPU, each batch of ``batch_size`` frames split among
them. Its tracing parameters are in ``default.parameters`` of
:func:`~napari_whiskertoolbox.transforms.whisk_tracker.whisk_workdir`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.core.ragged import ImageSize
from napari_whiskertoolbox.io.optional import MissingDependencyError, require_installed
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.registry import container_transform
from napari_whiskertoolbox.transforms.schema import p_bool, p_float, p_int, p_key
from napari_whiskertoolbox.transforms.whisk_pool import TracerPool, usable_cpus
from napari_whiskertoolbox.transforms.whisk_tracker import FEATURE, whisk_workdir

if TYPE_CHECKING:
    from collections.abc import Sequence

    from napari_whiskertoolbox.core.masks import MaskData
    from napari_whiskertoolbox.core.media import MediaData
    from napari_whiskertoolbox.transforms.context import TransformContext
    from napari_whiskertoolbox.transforms.lift import Bound
    from napari_whiskertoolbox.transforms.schema import Params

__all__ = [
    "DUPLICATE_OVERLAP",
    "WHISKER_PAD",
    "WHISKER_PAD_RADIUS",
    "arc_length",
    "base_in_mask",
    "clip_tip",
    "gray8",
    "postprocess",
    "remove_duplicates",
]

NAME = "Whisker Tracing"
WHISKER_PAD = (0.0, 0.0)
"""Whisker pad (x, y): whiskers are oriented with the end nearer to it first."""
WHISKER_PAD_RADIUS = 1000.0
"""Whiskers whose base is farther than this from the pad are dropped (pixels)."""
DUPLICATE_OVERLAP = 0.2
"""Two whiskers sharing more than this fraction of either's pixels are duplicates."""
HEAD_DIRECTION = (0.0, 1.0)
"""Whiskers are ordered by their base's projection on this vector, largest first."""


def gray8(frame: np.ndarray) -> np.ndarray:
    """Return ``frame`` as a ``(height, width)`` uint8 grayscale image.

    Colour frames (``(H, W, 3|4)``) become their BT.601 luma (0.299 R + 0.587 G + 0.114 B);
    wider integer types are scaled from their full range, floats from [0, 1].
    """
    a = np.asarray(frame)
    if a.ndim == 3:
        rgb = a[..., :3].astype(np.float64)
        a = rgb @ np.array([0.299, 0.587, 0.114])
        src_dtype = np.asarray(frame).dtype
    else:
        src_dtype = a.dtype
    if src_dtype == np.uint8 and a.dtype == np.uint8:
        return np.ascontiguousarray(a)
    if np.issubdtype(src_dtype, np.integer) and src_dtype != np.uint8:
        info = np.iinfo(src_dtype)
        a = (a.astype(np.float64) - info.min) * (255.0 / (info.max - info.min))
    elif np.issubdtype(src_dtype, np.floating):
        a = a.astype(np.float64) * 255.0
    return np.ascontiguousarray(np.clip(np.rint(a), 0, 255).astype(np.uint8))


def arc_length(line: np.ndarray) -> float:
    """Return the polyline length of an ``(N, 2)`` line (pixels)."""
    if len(line) < 2:
        return 0.0
    return float(np.hypot(*np.diff(np.asarray(line, np.float64), axis=0).T).sum())


def _pixel_set(line: np.ndarray) -> set[tuple[int, int]]:
    # lround: halves away from zero (coordinates here are >= 0, so floor(v + 0.5))
    px = np.floor(np.asarray(line, np.float64) + 0.5).astype(np.int64)
    return set(map(tuple, px.tolist()))


def remove_duplicates(lines: list[np.ndarray]) -> list[np.ndarray]:
    """Drop the shorter of every pair of lines sharing more than 20 % of either's pixels.

    Pixels are the rounded vertices; the overlap of a pair is ``|A ∩ B| / min(|A|, |B|)``
    (WhiskerToolbox's ``calculate_overlap_iou_relative``); on equal lengths the first goes.
    """
    sets = [_pixel_set(w) for w in lines]
    lengths = [arc_length(w) for w in lines]
    erase = set()
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            shared = len(sets[i] & sets[j])
            if not shared:
                continue
            if max(shared / len(sets[i]), shared / len(sets[j])) > DUPLICATE_OVERLAP:
                erase.add(j if lengths[i] > lengths[j] else i)
    return [w for k, w in enumerate(lines) if k not in erase]


def base_in_mask(line: np.ndarray, mask: np.ndarray) -> bool:
    """Return whether the line's first point, rounded, is a True pixel of ``mask`` (H, W)."""
    x, y = (int(np.floor(float(v) + 0.5)) for v in line[0])
    h, w = mask.shape
    return 0 <= x < w and 0 <= y < h and bool(mask[y, x])


def clip_tip(line: np.ndarray, clip_length: int) -> np.ndarray:
    """Remove ``clip_length`` points from the end (tip) of lines with more points than that."""
    if clip_length <= 0 or len(line) <= clip_length:
        return line
    return line[: len(line) - clip_length]


def postprocess(
    segments: list[np.ndarray],
    length_threshold: float,
    clip_length: int,
    mask: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Turn one frame's Janelia segments into whiskers (steps 1-7 of the module doc).

    Parameters
    ----------
    segments : list of numpy.ndarray
        ``(N, 2)`` float32 ``(x, y)`` segments of one frame.
    length_threshold : float
        Shortest arc length kept (exclusive), pixels.
    clip_length : int
        Points removed from each tip.
    mask : numpy.ndarray, optional
        ``(height, width)`` bool: keep only whiskers whose base is in it.

    Returns
    -------
    list of numpy.ndarray
        ``(M, 2)`` float32 whiskers, base first.
    """
    lines = [s for s in segments if len(s) and arc_length(s) > length_threshold]
    lines = remove_duplicates(lines)
    pad = np.asarray(WHISKER_PAD)
    aligned = []
    for w in lines:
        if np.hypot(*(w[0] - pad)) > np.hypot(*(w[-1] - pad)):
            w = w[::-1]
        if np.hypot(*(w[0] - pad)) <= WHISKER_PAD_RADIUS:
            aligned.append(w)
    projection = [-float(np.dot(w[0], HEAD_DIRECTION)) for w in aligned]
    ordered = [aligned[k] for k in np.argsort(projection, kind="stable")]
    if mask is not None:
        ordered = [w for w in ordered if base_in_mask(w, mask)]
    return [np.ascontiguousarray(clip_tip(w, clip_length), np.float32) for w in ordered]


def frame_mask(masks: MaskData, t: int, width: int, height: int) -> np.ndarray:
    """Return the masks of frame ``t`` as a ``(height, width)`` bool image.

    When the MaskData's image size differs, its pixels are scaled nearest-neighbour with
    WhiskerToolbox's end-point-preserving ratio ``(src - 1) / (dst - 1)``.
    """
    size = masks.image_size
    src_w, src_h = (size.width, size.height) if size is not None else (width, height)
    src = np.zeros((max(src_h, 1), max(src_w, 1)), bool)
    for pixels in masks.at(t):
        px = np.asarray(pixels, np.int64).reshape(-1, 2)
        ok = (px[:, 0] >= 0) & (px[:, 0] < src_w) & (px[:, 1] >= 0) & (px[:, 1] < src_h)
        src[px[ok, 1], px[ok, 0]] = True
    if (src_w, src_h) == (width, height):
        return src

    def index(dst: int, n_src: int) -> np.ndarray:
        if dst > 1 and n_src > 1:
            return np.floor(np.arange(dst) * ((n_src - 1) / (dst - 1)) + 0.5).astype(np.int64)
        return np.zeros(dst, np.int64)

    return src[np.ix_(index(height, src.shape[0]), index(width, src.shape[1]))]


def _mask_source(p: Params) -> MaskData | None:
    if not p.use_mask_data:
        return None
    bound = p.mask_data
    if bound is None or bound == "":
        raise TransformError(
            "use_mask_data is true but parameter 'mask_data' names no mask key",
            parameter="mask_data",
        )
    masks: MaskData = bound.data
    return masks


@container_transform(
    NAME,
    (MEDIA_KINDS,),
    "line",
    (
        p_bool(
            "use_processed_data",
            True,
            "trace processed frames (no processing chain here: the frames as read)",
        ),
        p_int("clip_length", 0, "points removed from each whisker's tip", minimum=0),
        p_float(
            "whisker_length_threshold",
            50.0,
            "shortest whisker kept (exclusive), pixels",
            minimum=0,
        ),
        p_int("batch_size", 100, "frames per batch split among the workers"),
        p_bool("use_parallel_processing", True, "one tracker process per CPU (batch_size > 1)"),
        p_bool("use_mask_data", False, "keep only whiskers whose base is in mask_data"),
        p_key("mask_data", ("mask",), "key of the masks of whisker bases", required=False),
    ),
    engine="v1",
    category="V1 operations",
    description="Trace whiskers in every frame with the Janelia whisker tracker (whisk-janelia).",
    source="reference §5",
)
def whisker_tracing(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Trace whiskers on every frame of the media (see the module doc for the steps)."""
    media: MediaData = inputs[0].data
    masks = _mask_source(p)
    try:
        require_installed("whisk", FEATURE)
    except MissingDependencyError as exc:  # a failed step, as any (configs load on)
        raise TransformError(str(exc)) from exc
    n = media.n_frames
    width, height = media.width, media.height
    parallel = bool(p.use_parallel_processing) and p.batch_size > 1
    n_workers = usable_cpus() if parallel else 1
    batch = max(int(p.batch_size), 1) if parallel else 1
    times: list[int] = []
    lines: list[np.ndarray] = []
    ctx.progress(0.0)
    start = time.perf_counter()
    starts = list(range(0, n, batch))

    def frames_of(lo: int) -> list[np.ndarray]:
        return [gray8(media.frame(t)) for t in range(lo, min(lo + batch, n))]

    def keep(lo: int, traced: list[list[np.ndarray]]) -> None:
        for t, segments in zip(range(lo, lo + len(traced)), traced):
            mask = None if masks is None else frame_mask(masks, t, width, height)
            for w in postprocess(segments, p.whisker_length_threshold, p.clip_length, mask):
                times.append(t)
                lines.append(w)

    with TracerPool(n_workers, whisk_workdir(), ctx, NAME) as pool:
        # producer/consumer: the next batch is read, and the last one post-processed, while
        # the workers trace
        pending = pool.submit(frames_of(starts[0])) if starts else []
        for k, lo in enumerate(starts):
            upcoming = frames_of(starts[k + 1]) if k + 1 < len(starts) else []
            traced = pool.collect(pending)
            pending = pool.submit(upcoming)
            keep(lo, traced)
            ctx.progress(min(lo + batch, n) / n)
    seconds = time.perf_counter() - start
    ctx.log(
        f"{NAME}: {n} frames, {len(lines)} whiskers, {seconds:.1f} s "
        f"({n / seconds if seconds > 0 else 0:.1f} frames/s, {n_workers} worker(s))"
    )
    offsets = np.concatenate([[0], np.cumsum([len(w) for w in lines])]).astype(np.int64)
    coords = np.concatenate(lines) if lines else np.empty((0, 2), np.float32)
    return LineData.from_flat(
        np.asarray(times, np.int64),
        coords.astype(np.float32),
        offsets,
        image_size=ImageSize(width, height),
    )
