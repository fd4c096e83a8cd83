"""V1 ``Line Alignment to Bright Features``: move line vertices onto bright ridges of a video.

A port of WhiskerToolbox's ``transforms/Lines/Line_Alignment/line_alignment.cpp`` (and
``calculate_perpendicular_direction`` of ``CoreGeometry/line_geometry.cpp``), vectorised
over all vertices of a frame with numpy. For every vertex of every line (lines with fewer
than 3 vertices are passed through unchanged):

1. the perpendicular direction: at the ends, the segment's left normal ``(-dy, dx)``
   normalised; inside, the normalised mean of both adjacent normals (zero-length segments
   give a zero normal, and a zero direction leaves the vertex alone);
2. ``2 * (width // 2) + 1`` parallel intensity profiles, offset by ``-width//2 ..
   width//2`` pixels along the line, each sampling ``-range//2 .. range//2`` pixels along the
   perpendicular (nearest pixel, rounding halves away from zero; outside the image = 0;
   an odd ``perpendicular_range`` leaves a trailing 0 in the profile, as in WhiskerToolbox);
3. per profile: skipped if its maximum is 0; the peak is the rounded mean index of all
   samples equal to the maximum; half-maximum ``(max + min) / 2``; the extents are the last
   samples ``>=`` half-maximum walking left and right from the peak; the centre is their
   midpoint;
4. the vertex becomes the mean of the profiles' centres weighted by their maxima (no valid
   profile: unchanged), clamped to the image.

``approach`` is accepted but, as in WhiskerToolbox (whose functions ignore it),
``GAUSSIAN_FIT`` and ``THRESHOLD_BASED`` run the half-maximum method too.
``FWHM_PROFILE_EXTENTS`` replaces every vertex by a 3-point line ``[left extent, peak,
right extent]`` (the same weighted means, not clamped), as WhiskerToolbox's debug mode does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.registry import container_transform
from napari_whiskertoolbox.transforms.schema import p_bool, p_enum, p_int, p_key

if TYPE_CHECKING:
    from collections.abc import Sequence

    from napari_whiskertoolbox.core.media import MediaData
    from napari_whiskertoolbox.core.timeframe import TimeFrame
    from napari_whiskertoolbox.transforms.context import TransformContext
    from napari_whiskertoolbox.transforms.lift import Bound
    from napari_whiskertoolbox.transforms.schema import Params

__all__ = ["align_vertices", "perpendicular_directions", "round_half_away"]

APPROACHES = ("PEAK_WIDTH_HALF_MAX", "GAUSSIAN_FIT", "THRESHOLD_BASED")
OUTPUT_MODES = ("ALIGNED_VERTICES", "FWHM_PROFILE_EXTENTS")
_CHUNK = 1_000_000  # profile samples computed at once


def round_half_away(x: np.ndarray) -> np.ndarray:
    """Round to the nearest integer, halves away from zero (C++ ``std::round``)."""
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def perpendicular_directions(line: np.ndarray) -> np.ndarray:
    """Return the unit normal at every vertex (WhiskerToolbox ``calculate_perpendicular_direction``).

    Parameters
    ----------
    line : (N, 2) array of float
        ``(x, y)`` vertices, pixels.

    Returns
    -------
    (N, 2) float32 array
        End vertices: the adjacent segment's left normal ``(-dy, dx)``, normalised. Inner
        vertices: the normalised mean of both adjacent normals. Zero where undefined
        (fewer than 2 vertices, zero-length segments, opposite normals).
    """
    xy = np.asarray(line, np.float32).reshape(-1, 2)
    n = xy.shape[0]
    out = np.zeros((n, 2), np.float32)
    if n < 2:
        return out
    seg = np.diff(xy, axis=0)
    normals = _unit(np.column_stack((-seg[:, 1], seg[:, 0])))
    out[0], out[-1] = normals[0], normals[-1]
    if n > 2:
        out[1:-1] = _unit((normals[:-1] + normals[1:]) / np.float32(2))
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    length = np.sqrt((v * v).sum(axis=1, dtype=np.float32))
    safe = np.where(length > 0, length, np.float32(1))
    return (v / safe[:, None]).astype(np.float32)


def _profile_fits(
    vertices: np.ndarray, perp: np.ndarray, image: np.ndarray, width: int, perp_range: int
) -> tuple[np.ndarray, ...]:
    """Half-maximum fits of every vertex's profiles.

    Returns ``(start, left, peak, right, weight)``: sample starts ``(V, S, 2)``, offsets
    along ``perp`` of the left extent, peak and right extent ``(V, S)``, and weights (the
    profile maxima, 0 for skipped profiles) ``(V, S)``; ``S = 2 * (width // 2) + 1``.
    """
    half_w, half_r = width // 2, perp_range // 2
    ws = np.arange(-half_w, half_w + 1, dtype=np.float32)
    ds = np.arange(-half_r, half_r + 1, dtype=np.float32)
    along = np.column_stack((-perp[:, 1], perp[:, 0]))  # the line's direction
    start = vertices[:, None, :] + along[:, None, :] * ws[None, :, None]  # (V, S, 2)
    pts = start[:, :, None, :] + perp[:, None, None, :] * ds[None, None, :, None]  # (V, S, D, 2)
    x = round_half_away(pts[..., 0]).astype(np.int64)
    y = round_half_away(pts[..., 1]).astype(np.int64)
    h, w = image.shape
    inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
    profile = np.zeros((*x.shape[:2], perp_range + 1), np.float32)
    profile[..., : ds.size] = np.where(
        inside, image[np.where(inside, y, 0), np.where(inside, x, 0)], 0
    )

    idx = np.arange(profile.shape[-1])
    top = profile.max(axis=-1)
    low = profile.min(axis=-1)
    at_top = profile == top[..., None]
    mean_top = (at_top * idx).sum(axis=-1) / at_top.sum(axis=-1)
    peak_i = np.floor(mean_top + 0.5).astype(np.int64)  # mean index >= 0
    peak = peak_i - half_r
    below = profile < ((top + low) / np.float32(2))[..., None]
    left_hit = below & (idx <= peak_i[..., None])
    right_hit = below & (idx >= peak_i[..., None])
    last_left = np.where(left_hit, idx, -1).max(axis=-1)
    first_right = np.where(right_hit, idx, idx.size).min(axis=-1)
    left = np.where(last_left >= 0, last_left + 1 - half_r, peak)
    right = np.where(first_right < idx.size, first_right - 1 - half_r, peak)
    weight = np.where(top != 0, top, np.float32(0))
    return start, left, peak, right, weight


def _weighted(
    start: np.ndarray, perp: np.ndarray, offset: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    points = start + perp[:, None, :] * offset[..., None].astype(np.float32)
    total = weight.sum(axis=1)
    mean = (points * weight[..., None]).sum(axis=1) / np.where(total > 0, total, 1)[:, None]
    return mean.astype(np.float32)


def align_vertices(
    line: np.ndarray,
    image: np.ndarray,
    width: int = 20,
    perpendicular_range: int = 50,
    output_mode: str = "ALIGNED_VERTICES",
) -> list[np.ndarray]:
    """Align one line to the bright ridge of one grayscale frame (see the module docstring).

    Parameters
    ----------
    line : (N, 2) array of float
        ``(x, y)`` vertices, pixels.
    image : (H, W) array
        The frame; any real dtype (compared as float32).
    width, perpendicular_range : int
        Analysis strip width along the line and profile length across it, pixels.
    output_mode : {"ALIGNED_VERTICES", "FWHM_PROFILE_EXTENTS"}
        One aligned line, or one 3-point ``[left, peak, right]`` line per vertex.

    Returns
    -------
    list of (M, 2) float32 arrays
        The output line(s); lines with fewer than 3 vertices come back unchanged.
    """
    xy = np.asarray(line, np.float32).reshape(-1, 2)
    if xy.shape[0] < 3:
        return [xy.copy()]
    if perpendicular_range < 0:
        raise ValueError(f"perpendicular_range must be >= 0, got {perpendicular_range}")
    perp = perpendicular_directions(xy)
    defined = np.flatnonzero(np.any(perp != 0, axis=1))  # others are kept as they are
    img = np.asarray(image, np.float32)
    h, w = img.shape
    extents = output_mode == "FWHM_PROFILE_EXTENTS"
    # (N, 3, 2) with the vertex repeated where nothing is found, or (N, 2)
    out = np.repeat(xy[:, None, :], 3, axis=1) if extents else xy.copy()
    samples = (2 * (width // 2) + 1) * (perpendicular_range + 1)  # per vertex
    step = max(1, _CHUNK // max(samples, 1))
    for lo in range(0, defined.size if width > 0 else 0, step):
        k = defined[lo : lo + step]
        start, left, peak, right, weight = _profile_fits(
            xy[k], perp[k], img, width, perpendicular_range
        )
        found = weight.sum(axis=1) > 0
        if extents:
            fits = np.stack(
                [_weighted(start, perp[k], off, weight) for off in (left, peak, right)], axis=1
            )
            out[k[found]] = fits[found]
        else:
            centre = _weighted(start, perp[k], (left + right) / np.float32(2), weight)
            out[k[found]] = centre[found]
    if extents:
        return list(out)
    # WhiskerToolbox clamps every vertex it tried to align (width <= 0 and no ridge included)
    out[defined, 0] = np.clip(out[defined, 0], 0, w - 1)
    out[defined, 1] = np.clip(out[defined, 1], 0, h - 1)
    return [out]


def _gray(frame: np.ndarray) -> np.ndarray:
    # WhiskerToolbox aligns on 8-bit or float gray frames; colour frames are averaged over
    # channels here (WhiskerToolbox would index interleaved channel bytes as pixels).
    return frame.mean(axis=-1, dtype=np.float32) if frame.ndim == 3 else frame


def media_frames(times: np.ndarray, clock: TimeFrame | None, media: Bound) -> np.ndarray:
    """Return the frame indices of ``media`` at ``times`` of ``clock``.

    Without both clocks (or with the same clock) the indices are used as they are, as
    WhiskerToolbox does, and -1 marks an index the media does not have. Otherwise they go
    through ticks: the media frame nearest each time (ties to the earlier; times beyond
    the media clock's span read its first or last frame).
    """
    frames = np.asarray(times, np.int64)
    target = media.clock
    if clock is not None and target is not None and clock is not target and len(target):
        frames = target.indices_at_times(clock.times_at_indices(frames), preceding=True)
    n = media.data.n_frames
    return np.where((frames >= 0) & (frames < n), frames, -1)


@container_transform(
    "Line Alignment to Bright Features",
    ("line",),
    "line",
    (
        p_key("media_data", MEDIA_KINDS, "key of the video or image stack"),
        p_int("width", 20, "width of the analysis strip along the line, pixels"),
        p_int("perpendicular_range", 50, "profile length across the line, pixels", minimum=0),
        p_bool(
            "use_processed_data",
            True,
            "accepted; frames are read as stored (no processing chain here)",
        ),
        p_enum(
            "approach",
            APPROACHES,
            "ridge fit; all three run the half-maximum method, as in WhiskerToolbox",
        ),
        p_enum(
            "output_mode",
            OUTPUT_MODES,
            "aligned lines, or one [left, peak, right] line per vertex",
        ),
    ),
    engine="v1",
    category="V1 operations",
    description="Move line vertices perpendicular to the line onto bright ridges of a video.",
    source="WhiskerToolbox transforms/Lines/Line_Alignment/line_alignment.cpp",
)
def line_alignment(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Align every line to the bright ridge of its frame of ``media_data``.

    Frames of the lines are looked up on the media's clock (see :func:`media_frames`);
    frames the media does not have are left out of the output, as WhiskerToolbox skips
    frames whose image is empty. Frames are read as stored (``use_processed_data`` is
    accepted: there is no processing chain here); colour frames are averaged over their
    channels (WhiskerToolbox aligns on 8-bit or float gray data). The output keeps the
    lines' image size and clock.

    Raises
    ------
    TransformError
        ``media_data`` names no key, a key that is not a video or image stack, or media
        without frames.
    """
    data: LineData = inputs[0].data
    media_bound: Bound = p.media_data
    media: MediaData = media_bound.data
    if media.n_frames == 0:
        raise TransformError(
            f"parameter 'media_data' = {media_bound.label} has no frames",
            parameter="media_data",
            value=media_bound.key,
        )
    flat = data.to_flat()
    o = flat.offsets
    assert o is not None
    frame_times, starts = np.unique(flat.times, return_index=True)
    frames = media_frames(frame_times, inputs[0].clock, media_bound)
    bounds = np.r_[starts, flat.times.size]
    times: list[int] = []
    lines: list[np.ndarray] = []
    for k, (t, f) in enumerate(zip(frame_times.tolist(), frames.tolist())):
        ctx.tick(k, frame_times.size)
        if f < 0:
            continue
        image = _gray(np.asarray(media.frame(f)))
        for e in range(bounds[k], bounds[k + 1]):
            for out in align_vertices(
                flat.coords[o[e] : o[e + 1]], image, p.width, p.perpendicular_range, p.output_mode
            ):
                times.append(t)
                lines.append(out)
    lengths = [len(line) for line in lines]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    coords = np.concatenate(lines) if lines else np.empty((0, 2), np.float32)
    return LineData.from_flat(
        np.asarray(times, np.int64), coords.astype(np.float32), offsets, image_size=data.image_size
    )
