"""Decoded video frames → numpy arrays with the pixel values FFmpeg gives.

Gray frames equal FFmpeg's own gray conversion (``libswscale`` to ``gray`` / ``grayNNle``):
limited-range ("tv") video is expanded to the full range, so black, mid-gray and white read
0, 128, 255 as in FFmpeg, OpenCV and our RGB mode. Only when that conversion is the
identity (full-range "jpeg" video, gray video) is the luma plane copied as is; whether it
is the identity is asked of FFmpeg itself once per video (:func:`gray_is_plain_copy`).
``benchmarks/bench_video.py`` measures why FFmpeg's conversion is used rather than a
256-entry lookup table on the luma plane: on 640x480 frames it is the faster of the two.

Video with more than 8 bits per component keeps its precision: frames are uint16 holding
the source's bit depth (gray) or 16 bits (RGB, ``rgb48le``).

Conversions run through an FFmpeg filter graph (:class:`FFmpegConverter`), as in the
``ffmpeg`` tool: its scaler takes FFmpeg's default bicubic flags and each frame's chroma
siting. PyAV's plain ``reformat`` (bilinear, no chroma siting) gives other RGB values for
NV12, 4:1:1, 4:4:0 and deeper 4:2:0 video (up to 24 of 255).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import av
import numpy as np

if TYPE_CHECKING:
    from av.video.format import VideoFormat
    from av.video.plane import VideoPlane

__all__ = [
    "FFmpegConverter",
    "PixelConversion",
    "gray_is_plain_copy",
    "has_alpha",
    "looks_gray",
    "looks_gray_format",
    "luma_plane_array",
    "pixel_conversion",
    "source_bit_depth",
]

_GRAY_FORMATS = {9: "gray9le", 10: "gray10le", 12: "gray12le", 14: "gray14le", 16: "gray16le"}
"""FFmpeg's native-endian gray formats by bit depth (deeper sources use gray16le)."""
_PROBE_WIDTH, _PROBE_HEIGHT = 256, 2
# Chroma within this distance of neutral (in 8-bit steps) on every pixel counts as gray video.
_NEUTRAL_CHROMA_TOLERANCE = 3
# RGB channels within this distance of each other on every pixel count as gray video.
_GRAY_RGB_TOLERANCE = 8


@dataclass(frozen=True)
class PixelConversion:
    """How the frames of one video become arrays.

    Attributes
    ----------
    gray : bool
        ``(H, W)`` gray frames when True, ``(H, W, 3)`` RGB otherwise.
    dtype : numpy.dtype
        uint8 for sources of up to 8 bits per component, else uint16.
    bit_depth : int
        Significant bits of the output values: 8, the source's depth for deeper gray video,
        16 for deeper RGB (``rgb48le``).
    target_format : str
        FFmpeg pixel format the frames are converted to (``"gray"``, ``"gray10le"``,
        ``"rgb24"``, ``"rgb48le"``...).
    plain_luma_copy : bool
        Gray frames are a copy of the source's 8-bit luma plane (FFmpeg's gray conversion
        is the identity for this video).
    """

    gray: bool
    dtype: np.dtype
    bit_depth: int
    target_format: str
    plain_luma_copy: bool

    @property
    def value_range(self) -> tuple[float, float]:
        """``(0, 2**bit_depth - 1)``: the display range implied by the bit depth."""
        return (0.0, float(2**self.bit_depth - 1))

    def to_array(
        self, av_frame: av.VideoFrame, converter: FFmpegConverter | None = None
    ) -> np.ndarray:
        """Convert one decoded frame (a new array, owned by the caller).

        Parameters
        ----------
        av_frame : av.VideoFrame
            A frame of the video this conversion was built for.
        converter : FFmpegConverter, optional
            Converter to :attr:`target_format`, reused for every frame of a video (keeps
            FFmpeg's filter graph); a new one when not given.

        Returns
        -------
        numpy.ndarray
            ``(H, W)`` or ``(H, W, 3)`` array of :attr:`dtype`.
        """
        if self.plain_luma_copy and (converter is None or converter.keeps_size(av_frame)):
            return luma_plane_array(av_frame.planes[0]).copy()
        if converter is None:
            converter = FFmpegConverter(self.target_format)
        return converter.to_ndarray(av_frame)


class FFmpegConverter:
    """Convert decoded frames to one pixel format the way the ``ffmpeg`` tool does.

    Frames pass through an FFmpeg filter graph (``buffer`` → ``format`` → ``buffersink``);
    FFmpeg inserts its scaler with its default (bicubic) flags, and the scaler reads each
    frame's colour range, colour space and chroma siting. The graph is built for the first
    frame's size, pixel format, colour range and colour space, and rebuilt when they change. Frames of another size
    than ``size`` (a stream whose resolution changes) are scaled to it, as ``ffmpeg``'s
    ``-autoscale`` (on by default) scales every frame to the first frame's size.

    Parameters
    ----------
    target_format : str
        FFmpeg pixel format of the output (``"gray"``, ``"rgb24"``, ``"rgb48le"``...).
    size : tuple of int, optional
        ``(width, height)`` of every output frame (pixels); None keeps each frame's size.
    """

    def __init__(self, target_format: str, size: tuple[int, int] | None = None) -> None:
        self.target_format = target_format
        self.size = size
        self._graph: av.filter.Graph | None = None
        self._key: tuple[int, int, str, int, int] | None = None

    def keeps_size(self, av_frame: av.VideoFrame) -> bool:
        """Whether ``av_frame`` comes out at its own size (no scaling to :attr:`size`)."""
        return self.size is None or (av_frame.width, av_frame.height) == self.size

    def convert(self, av_frame: av.VideoFrame) -> av.VideoFrame:
        """Return ``av_frame`` converted to :attr:`target_format` (``av_frame`` is unchanged)."""
        key = (
            av_frame.width,
            av_frame.height,
            av_frame.format.name,
            int(av_frame.color_range),
            int(av_frame.colorspace),
        )
        if self._graph is None or key != self._key:
            graph = av.filter.Graph()
            source = graph.add_buffer(
                width=av_frame.width,
                height=av_frame.height,
                format=av_frame.format,
                time_base=Fraction(1, 1),
            )
            convert = graph.add("format", self.target_format)
            sink = graph.add("buffersink")
            if self.keeps_size(av_frame) or self.size is None:
                source.link_to(convert)
            else:
                scale = graph.add("scale", f"{self.size[0]}:{self.size[1]}")
                source.link_to(scale)
                scale.link_to(convert)
            convert.link_to(sink)
            graph.configure()
            self._graph, self._key = graph, key
        self._graph.push(av_frame)
        converted = self._graph.pull()
        if not isinstance(converted, av.VideoFrame):  # pragma: no cover - video graph
            raise TypeError(f"FFmpeg's filter graph gave {type(converted).__name__}")
        return converted

    def to_ndarray(self, av_frame: av.VideoFrame) -> np.ndarray:
        """Return ``av_frame`` converted, as an array the caller owns."""
        converted = self.convert(av_frame)
        array = converted.to_ndarray()
        passed_through = av_frame.format.name == self.target_format and self.keeps_size(av_frame)
        if passed_through:  # the decoder's buffer
            array = array.copy()
        return array


def source_bit_depth(fmt: VideoFormat) -> int:
    """Return the largest bit depth of the colour (non-alpha) components of ``fmt``."""
    depths = [c.bits for c in fmt.components if not c.is_alpha]
    return max(depths) if depths else 8


def has_alpha(fmt: VideoFormat) -> bool:
    """Return whether ``fmt`` carries an alpha component."""
    return any(c.is_alpha for c in fmt.components)


def _has_8bit_luma_plane(fmt: VideoFormat) -> bool:
    """Whether plane 0 of ``fmt`` holds the 8-bit luma alone (gray, planar and NV12-like YUV)."""
    components = fmt.components
    if not components or fmt.has_palette or fmt.is_bayer or fmt.is_bit_stream:
        return False
    luma = components[0]
    return (
        bool(luma.is_luma)
        and luma.plane == 0
        and luma.bits == 8
        and all(c.plane != 0 for c in components[1:])
    )


def luma_plane_array(plane: VideoPlane) -> np.ndarray:
    """Return a view of one 8-bit plane as ``(height, width)`` (drops the row padding)."""
    rows = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)
    return rows[:, : plane.width]


def _fill_plane(plane: VideoPlane, values: np.ndarray) -> None:
    buffer = np.zeros((plane.height, plane.line_size), dtype=np.uint8)
    buffer[:, : plane.width] = values
    plane.update(buffer.tobytes())


def gray_is_plain_copy(av_frame: av.VideoFrame) -> bool:
    """Return whether FFmpeg's gray conversion of ``av_frame``'s format leaves the luma as is.

    A probe frame of the same pixel format, colour range and colour space with every
    8-bit luma value is converted by FFmpeg; the answer is whether it came back unchanged
    (True for full-range and gray video, False for limited-range YUV).

    Parameters
    ----------
    av_frame : av.VideoFrame
        A decoded frame of the video (its format must have an 8-bit luma plane).
    """
    fmt = av_frame.format
    if not _has_8bit_luma_plane(fmt):
        return False
    probe = av.VideoFrame(_PROBE_WIDTH, _PROBE_HEIGHT, fmt.name)
    ramp = np.tile(np.arange(_PROBE_WIDTH, dtype=np.uint8), (_PROBE_HEIGHT, 1))
    _fill_plane(probe.planes[0], ramp)
    for plane in probe.planes[1:]:
        _fill_plane(plane, np.full((plane.height, plane.width), 128, dtype=np.uint8))
    probe.color_range = av_frame.color_range
    probe.colorspace = av_frame.colorspace
    return bool(np.array_equal(FFmpegConverter("gray").to_ndarray(probe), ramp))


def looks_gray_format(fmt: VideoFormat) -> bool:
    """Return whether ``fmt`` is a gray pixel format (one colour component, no palette)."""
    return sum(not c.is_alpha for c in fmt.components) == 1 and not fmt.has_palette


def looks_gray(av_frame: av.VideoFrame) -> bool:
    """Return whether ``av_frame`` shows a gray picture.

    Gray pixel formats (with or without alpha) are gray. YUV formats must have neutral
    chroma (128) on every pixel: read from the chroma planes of planar 8-bit YUV, and
    from FFmpeg's conversion of the frame to planar 8-bit 4:4:4 (``yuv444p``) for every
    other layout (semi-planar NV12, packed YUYV, deeper than 8 bits); any other format
    (RGB, palette) must have equal channels in FFmpeg's ``rgb24`` conversion on every
    pixel (both within a small tolerance).
    """
    fmt = av_frame.format
    if looks_gray_format(fmt):
        return True
    colour = [c for c in fmt.components if not c.is_alpha]
    if colour and colour[0].is_luma and not (fmt.is_rgb or fmt.has_palette or fmt.is_bayer):
        planar = len({c.plane for c in colour}) == 3 and all(c.bits == 8 for c in colour)
        frame = av_frame if planar else av_frame.reformat(format="yuv444p")
        for index in [c.plane for c in colour[1:]] if planar else [1, 2]:
            chroma = luma_plane_array(frame.planes[index]).astype(np.int16)
            if np.abs(chroma - 128).max() > _NEUTRAL_CHROMA_TOLERANCE:
                return False
        return True
    rgb = av_frame.to_ndarray(format="rgb24").astype(np.int16)
    return bool((rgb.max(axis=2) - rgb.min(axis=2)).max() <= _GRAY_RGB_TOLERANCE)


def pixel_conversion(av_frame: av.VideoFrame, gray: bool) -> PixelConversion:
    """Choose how frames like ``av_frame`` become arrays.

    Parameters
    ----------
    av_frame : av.VideoFrame
        The first decoded frame of the video.
    gray : bool
        Whether frames are wanted as ``(H, W)`` gray images.

    Returns
    -------
    PixelConversion
    """
    fmt = av_frame.format
    depth = source_bit_depth(fmt)
    if depth <= 8:
        if gray:
            plain = gray_is_plain_copy(av_frame)
            return PixelConversion(True, np.dtype(np.uint8), 8, "gray", plain)
        return PixelConversion(False, np.dtype(np.uint8), 8, "rgb24", False)
    if gray:
        depth = depth if depth in _GRAY_FORMATS else 16
        return PixelConversion(True, np.dtype(np.uint16), depth, _GRAY_FORMATS[depth], False)
    return PixelConversion(False, np.dtype(np.uint16), 16, "rgb48le", False)
