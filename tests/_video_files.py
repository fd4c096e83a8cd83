"""Video files written with PyAV for the tests, and the reference decode.

Pattern videos: frame ``i`` shows ``i`` in binary as 16 blocks of 16×16 pixels (white = 1,
black = 0 for gray videos; red = 1, blue = 0 for colour videos) on a mid-gray background,
which survives lossy compression, so decoding the pattern tells which frame a decoder
really returned.

The reference is always PyAV's plain sequential decode (``container.demux`` + decode, each
frame converted by FFmpeg as the ``ffmpeg`` tool does: through a filter graph, whose scaler
uses FFmpeg's default flags and each frame's chroma siting), which is what FFmpeg presents.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

import av
import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path

RATE = Fraction(30)
HEIGHT, WIDTH = 96, 128
BLOCK = 16
N_BITS = 16
_ROW0 = 32  # first block row; bits fill two rows of eight blocks


def pattern_frame(i: int, color: bool = False) -> np.ndarray:
    """Frame ``i`` of a test video: gray ``(H, W)`` or RGB ``(H, W, 3)`` uint8."""
    if color:
        img = np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
    else:
        img = np.full((HEIGHT, WIDTH), 128, np.uint8)
    for bit in range(N_BITS):
        r, c = _block_origin(bit)
        on = (i >> bit) & 1
        if color:
            img[r : r + BLOCK, c : c + BLOCK] = (255, 0, 0) if on else (0, 0, 255)
        else:
            img[r : r + BLOCK, c : c + BLOCK] = 255 if on else 0
    return img


def read_pattern(frame: np.ndarray) -> int:
    """The frame number drawn by :func:`pattern_frame` into a decoded ``frame``."""
    value = 0
    for bit in range(N_BITS):
        r, c = _block_origin(bit)
        inner = frame[r + 4 : r + BLOCK - 4, c + 4 : c + BLOCK - 4].astype(np.float64)
        on = inner[..., 0].mean() > inner[..., 2].mean() if frame.ndim == 3 else inner.mean() > 128
        value |= int(on) << bit
    return value


def _block_origin(bit: int) -> tuple[int, int]:
    return _ROW0 + (bit // 8) * BLOCK, (bit % 8) * BLOCK


def encode_packets(
    frames: Iterable[np.ndarray],
    width: int,
    height: int,
    codec: str = "libx264",
    gop: int = 30,
    b_frames: int = 2,
    frame_format: str = "gray",
) -> tuple[list[av.Packet], bytes | None]:
    """Encode ``frames`` to packets (pts in frames, time base 1/30); also the extradata."""
    encoder = av.CodecContext.create(codec, "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
    encoder.time_base = 1 / RATE
    encoder.framerate = RATE
    encoder.gop_size = gop
    if codec == "libx264":
        params = f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes={b_frames}"
        encoder.options = {"preset": "veryfast", "x264-params": params}
    else:
        encoder.max_b_frames = b_frames
        encoder.options = {"qscale": "3"}
    packets: list[av.Packet] = []
    for i, array in enumerate(frames):
        frame = av.VideoFrame.from_ndarray(array, format=frame_format)
        frame.pts = i
        packets += encoder.encode(frame)
    packets += encoder.encode(None)
    return packets, encoder.extradata


def mux_packets(
    path: Path,
    packets: list[av.Packet],
    extradata: bytes | None,
    width: int,
    height: int,
    codec: str = "h264",
    shift: int = 0,
    replace: Callable[[av.Packet], bytes | None] | None = None,
) -> Path:
    """Write ``packets`` into ``path``, their timestamps moved by ``-shift`` frames.

    A shift makes the first ``shift`` frames' timestamps negative: the MP4 muxer then
    writes an edit list starting at timestamp 0, as ``ffmpeg -ss … -c copy`` does, and
    the demuxer flags those packets as discarded pre-roll. ``replace`` may return new
    bytes for a packet (to damage it).
    """
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=RATE)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if extradata:
            stream.codec_context.extradata = extradata
        stream.time_base = 1 / RATE
        for packet in packets:
            payload = replace(packet) if replace is not None else None
            if payload is not None:
                damaged = av.Packet(payload)
                damaged.pts, damaged.dts = packet.pts, packet.dts
                damaged.is_keyframe = packet.is_keyframe
                packet = damaged
            packet.pts -= shift
            packet.dts -= shift
            packet.stream = stream
            packet.time_base = 1 / RATE
            out.mux(packet)
    return path


def write_frames(
    path: Path,
    frames: Iterable[np.ndarray],
    codec: str,
    pix_fmt: str,
    frame_format: str,
    options: dict[str, str] | None = None,
    configure: Callable[[av.VideoStream], None] | None = None,
) -> Path:
    """Encode ``frames`` (given in ``frame_format``) as ``codec`` video in ``pix_fmt``."""
    frames = list(frames)
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=RATE)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        if options:
            stream.codec_context.options = options
        if configure is not None:
            configure(stream)
        for array in frames:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(array, format=frame_format)))
        out.mux(stream.encode())
    return path


def _decoded_frames(path: Path) -> Iterator[av.VideoFrame]:
    """PyAV's plain sequential decode, frames in the order the decoder presents them.

    Packets FFmpeg rejects are passed over, as FFmpeg does.
    """
    with av.open(str(path)) as container:
        for packet in container.demux(video=0):
            try:
                decoded = packet.decode()
            except av.FFmpegError:
                continue
            yield from decoded


def decoded_frames(path: Path) -> list[av.VideoFrame]:
    """The frames of PyAV's plain sequential decode, as decoded (not converted)."""
    return list(_decoded_frames(path))


def ffmpeg_convert(frame: av.VideoFrame, fmt: str) -> np.ndarray:
    """``frame`` converted to pixel format ``fmt`` as ``ffmpeg -pix_fmt fmt`` converts it.

    A filter graph ``buffer → format=fmt → buffersink`` (one per frame size, source format,
    colour range and space and ``fmt``, reused): FFmpeg inserts its scaler with its default flags (PyAV's
    ``to_ndarray(format=...)`` uses bilinear chroma interpolation and no chroma siting,
    which differs for NV12 or 10-bit 4:2:0 video converted to RGB).
    """
    key = (frame.width, frame.height, frame.format.name, frame.color_range, frame.colorspace, fmt)
    graph = _GRAPHS.get(key)
    if graph is None:
        graph = av.filter.Graph()
        source = graph.add_buffer(
            width=frame.width, height=frame.height, format=frame.format, time_base=Fraction(1, 1)
        )
        convert = graph.add("format", fmt)
        sink = graph.add("buffersink")
        source.link_to(convert)
        convert.link_to(sink)
        graph.configure()
        _GRAPHS[key] = graph
    graph.push(frame)
    converted = graph.pull()
    assert isinstance(converted, av.VideoFrame)
    return converted.to_ndarray().copy()


_GRAPHS: dict[tuple[int, int, str, int, int, str], av.filter.Graph] = {}


def plain_decode(path: Path, fmt: str) -> dict[int, np.ndarray]:
    """PyAV's plain sequential decode: ``{pts: frame converted by FFmpeg to fmt}``."""
    return {int(f.pts): ffmpeg_convert(f, fmt) for f in _decoded_frames(path)}


def plain_decode_list(path: Path, fmt: str) -> list[np.ndarray]:
    """The frames of PyAV's plain sequential decode in the order the decoder presents them.

    Not sorted by timestamp: some containers stamp frames wrongly (AVI stamps decode
    order) or alike (Matroska above 1000 fps); FFmpeg presents them in output order.
    """
    return [ffmpeg_convert(f, fmt) for f in _decoded_frames(path)]


def write_vfr_video(
    path: Path, pts: Iterable[int], time_base: Fraction = Fraction(1, 1000)
) -> Path:
    """Write a variable-frame-rate video: pattern frame ``i`` at timestamp ``pts[i]``.

    ``pts`` are in ``time_base`` units (milliseconds by default), increasing, with the
    irregular gaps of a phone or screen recorder. H.264 without B-frames, so the
    stored timestamps are the presentation times.
    """
    stamps = [int(p) for p in pts]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=RATE)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.time_base = time_base
        stream.codec_context.time_base = time_base
        stream.codec_context.options = {"preset": "veryfast", "x264-params": "bframes=0"}
        for i, stamp in enumerate(stamps):
            frame = av.VideoFrame.from_ndarray(pattern_frame(i), format="gray")
            frame.pts, frame.time_base = stamp, time_base
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path
