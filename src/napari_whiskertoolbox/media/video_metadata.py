"""Container and stream metadata that FFmpeg and common players honour, honoured here too.

- The video stream FFmpeg would pick (``av_find_best_stream``: cover art and other attached
  pictures are passed over).
- Edit lists: frames the demuxer marks as discarded (pre-roll of a cut) are not presented
  (handled by :mod:`~napari_whiskertoolbox.media.frame_index`).
- The display matrix (rotation / flips, e.g. phone video): applied exactly as FFmpeg's
  ``autorotate`` does (``fftools/ffmpeg_filter.c``: transpose, hflip, vflip), unless turned off.
- Colour range and colour space: used by the pixel conversion
  (:mod:`~napari_whiskertoolbox.media.pixel_format`).

What is not honoured is named in one :class:`MediaWarning` when the video is opened:
non-square pixels (players stretch them; frames stay in stored pixels so that annotation
coordinates are stored pixels), an alpha channel (dropped), rotations that are not a
multiple of 90 degrees, other video streams than the one shown, an HDR transfer (HLG or
PQ, which players tone-map; frames are FFmpeg's conversion without tone mapping).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from av.sidedata.sidedata import Type as SideDataType

from napari_whiskertoolbox.media.pixel_format import has_alpha

if TYPE_CHECKING:
    import av
    from av.container import InputContainer
    from av.video.stream import VideoStream

__all__ = [
    "TRANSPOSE_OPS",
    "DisplayTransform",
    "choose_video_stream",
    "display_matrix",
    "display_transform",
    "ignored_metadata",
]

IDENTITY: tuple[str, ...] = ()


@dataclass(frozen=True)
class DisplayTransform:
    """Operations turning a decoded frame into the frame a player shows.

    Attributes
    ----------
    ops : tuple of str
        Applied in order: ``"transpose"`` (swap rows and columns), ``"hflip"`` (mirror
        left-right), ``"vflip"`` (mirror top-bottom).
    """

    ops: tuple[str, ...] = IDENTITY

    @property
    def swaps_axes(self) -> bool:
        """Whether the shown frame is ``(width, height)`` of the decoded one."""
        return self.ops.count("transpose") % 2 == 1

    def apply(self, array: np.ndarray) -> np.ndarray:
        """Return ``array`` (``(H, W[, C])``) as shown, C-contiguous (a copy if changed)."""
        if not self.ops:
            return array
        out = array
        for op in self.ops:
            if op == "transpose":
                out = np.swapaxes(out, 0, 1)
            elif op == "hflip":
                out = out[:, ::-1]
            else:
                out = out[::-1]
        return np.ascontiguousarray(out)


TRANSPOSE_OPS: dict[str, tuple[str, ...]] = {
    "cclock_flip": ("transpose",),
    "clock": ("vflip", "transpose"),
    "cclock": ("transpose", "vflip"),
    "clock_flip": ("vflip", "transpose", "vflip"),
}
"""FFmpeg's ``transpose`` filter directions as our operations (libavfilter/vf_transpose.c:
direction bit 1 flips the source vertically, bit 2 the output)."""


def display_matrix(av_frame: av.VideoFrame) -> np.ndarray | None:
    """Return the frame's 3x3 display matrix as 9 int32 values (16.16 fixed point), or None."""
    side_data: Any = av_frame.side_data  # PyAV's stubs type it as a TypedDict
    matrix = side_data.get(SideDataType.DISPLAYMATRIX)
    raw = bytes(matrix) if matrix is not None else b""
    if len(raw) < 36:
        return None
    return np.frombuffer(raw[:36], dtype=np.int32).astype(np.int64)


def _rotation_get(matrix: np.ndarray) -> float:
    """FFmpeg's ``av_display_rotation_get``: counterclockwise degrees (NaN if degenerate)."""
    m = matrix.astype(np.float64) / 65536.0
    scale0 = math.hypot(m[0], m[3])
    scale1 = math.hypot(m[1], m[4])
    if scale0 == 0.0 or scale1 == 0.0:
        return math.nan
    return -math.degrees(math.atan2(m[1] / scale1, m[0] / scale0))


def _ffmpeg_theta(matrix: np.ndarray) -> float:
    """FFmpeg's ``get_rotation`` (fftools): clockwise degrees in ``[0, 360)``."""
    rotation = _rotation_get(matrix)
    theta = 0.0 if math.isnan(rotation) else -float(round(rotation))
    theta -= 360.0 * math.floor(theta / 360.0 + 0.9 / 360.0)
    return theta


def display_transform(
    av_frame: av.VideoFrame, autorotate: bool = True
) -> tuple[DisplayTransform, str | None]:
    """Return how FFmpeg's ``autorotate`` shows ``av_frame``, and what it cannot honour.

    Parameters
    ----------
    av_frame : av.VideoFrame
        The first decoded frame (display matrices travel as frame side data).
    autorotate : bool
        ``False`` keeps the stored orientation (FFmpeg's ``-noautorotate``).

    Returns
    -------
    transform : DisplayTransform
        The operations to apply to every frame.
    ignored : str or None
        A description of a display matrix that is not applied, else None.
    """
    matrix = display_matrix(av_frame)
    if matrix is None:
        return DisplayTransform(), None
    theta = _ffmpeg_theta(matrix)
    if not autorotate:
        if abs(theta) < 1.0 and matrix[4] >= 0:
            return DisplayTransform(), None
        return DisplayTransform(), f"display rotation of {theta:g} degrees (autorotate=False)"
    if abs(theta - 90) < 1.0:
        return DisplayTransform(TRANSPOSE_OPS["cclock_flip" if matrix[3] > 0 else "clock"]), None
    if abs(theta - 180) < 1.0:
        ops = (("hflip",) if matrix[0] < 0 else ()) + (("vflip",) if matrix[4] < 0 else ())
        return DisplayTransform(ops), None
    if abs(theta - 270) < 1.0:
        return DisplayTransform(TRANSPOSE_OPS["clock_flip" if matrix[3] < 0 else "cclock"]), None
    if abs(theta) > 1.0:
        return DisplayTransform(), f"display rotation of {theta:g} degrees (not a multiple of 90)"
    return DisplayTransform(("vflip",) if matrix[4] < 0 else ()), None


def choose_video_stream(container: InputContainer) -> tuple[VideoStream, str | None]:
    """Return the video stream FFmpeg would pick, and a note when others are ignored.

    Raises
    ------
    IndexError
        If the container has no video stream.
    """
    streams = list(container.streams.video)
    if not streams:
        raise IndexError("no video stream")
    chosen = container.streams.best("video")
    best = next((s for s in streams if s is chosen), streams[0])
    note = None
    if len(streams) > 1:
        others = ", ".join(str(s.index) for s in streams if s is not best)
        note = f"video streams {others} (stream {best.index} is shown, as FFmpeg picks it)"
    return best, note


def ignored_metadata(stream: VideoStream, av_frame: av.VideoFrame) -> list[str]:
    """Describe stream/frame metadata a player honours that frames here do not apply.

    Parameters
    ----------
    stream : av.video.stream.VideoStream
        The shown stream.
    av_frame : av.VideoFrame
        Its first decoded frame.

    Returns
    -------
    list of str
        One phrase per ignored property (empty when everything is honoured).
    """
    notes = []
    sar = stream.sample_aspect_ratio or stream.codec_context.sample_aspect_ratio
    if sar is not None and sar.numerator > 0 and sar != 1:
        notes.append(
            f"sample aspect ratio {sar.numerator}:{sar.denominator} (pixels are shown square, "
            "coordinates stay in stored pixels)"
        )
    if has_alpha(av_frame.format):
        notes.append(f"the alpha channel of pixel format {av_frame.format.name!r}")
    transfer = _HDR_TRANSFERS.get(int(getattr(av_frame, "color_trc", 0) or 0))
    if transfer:
        notes.append(
            f"HDR transfer {transfer} (players tone-map it; frames are FFmpeg's conversion,"
            " without tone mapping)"
        )
    return notes


_HDR_TRANSFERS = {16: "PQ (SMPTE ST 2084)", 18: "HLG (ARIB STD-B67)"}
"""FFmpeg's ``AVColorTransferCharacteristic`` values of HDR video (phones record HLG)."""
