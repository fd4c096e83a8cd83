"""Videos encoded by the tests themselves: every frame carries its own number as a bit pattern.

Frame ``i`` shows ``i`` in binary as 16 blocks of 16×16 pixels (white = 1, black = 0 for gray
videos; red = 1, blue = 0 for colour videos) on a mid-gray background, which survives lossy
compression, so decoding the pattern tells which frame a decoder really returned.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest

HEIGHT, WIDTH = 96, 128
BLOCK = 16
N_BITS = 16
_ROW0 = 32  # first block row; bits fill two rows of eight blocks


@dataclass(frozen=True)
class EncodedVideo:
    """A test video on disk and how it was encoded."""

    path: Path
    n_frames: int
    color: bool


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


def encode_video(
    path: Path,
    n_frames: int,
    codec: str = "libx264",
    gop: int = 12,
    b_frames: int = 2,
    open_gop: bool = False,
    color: bool = False,
) -> EncodedVideo:
    """Encode a pattern video with PyAV (B-frames via x264 ``bframes`` / ``max_b_frames``)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=30)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.codec_context.gop_size = gop
        if codec == "libx264":
            params = f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes={b_frames}"
            if open_gop:
                params += ":open-gop=1"
            stream.codec_context.options = {
                "preset": "veryfast",
                "bf": str(b_frames),
                "x264-params": params,
            }
        else:
            stream.codec_context.max_b_frames = b_frames
            stream.codec_context.options = {"qscale": "3"}
        fmt = "rgb24" if color else "gray"
        for i in range(n_frames):
            frame = av.VideoFrame.from_ndarray(pattern_frame(i, color), format=fmt)
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return EncodedVideo(path=path, n_frames=n_frames, color=color)


@pytest.fixture(scope="session")
def encoded_videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, EncodedVideo]:
    """Small pattern videos with B-frames in several containers, encoded once per session."""
    folder = tmp_path_factory.mktemp("videos")
    return {
        "h264_bframes.mp4": encode_video(folder / "h264_bframes.mp4", 90),
        "h264_bframes.mkv": encode_video(folder / "h264_bframes.mkv", 90),
        "h264_open_gop.mkv": encode_video(folder / "h264_open_gop.mkv", 90, open_gop=True),
        "h264_bframes.mov": encode_video(folder / "h264_bframes.mov", 60, gop=30, b_frames=3),
        "mpeg4_bframes.avi": encode_video(folder / "mpeg4_bframes.avi", 90, codec="mpeg4"),
        "mpeg4_bframes.mkv": encode_video(folder / "mpeg4_bframes.mkv", 60, codec="mpeg4"),
        "h264_color.mp4": encode_video(folder / "h264_color.mp4", 40, color=True),
    }


def frame_digest(frame: np.ndarray) -> bytes:
    """Short hash identifying a frame's pixels."""
    return hashlib.blake2b(np.ascontiguousarray(frame).tobytes(), digest_size=16).digest()


@pytest.fixture(scope="session")
def fixture_video_digests() -> list[bytes]:
    """Digests of the Y plane of every frame of the 1000-frame fixture, by sequential decode."""
    path = Path(__file__).parents[1] / "data" / "whiskertoolbox" / "Media"
    path = path / "test_each_frame_number.mp4"
    if not path.is_file():
        pytest.skip(f"fixture video missing at {path}")
    digests = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            plane = frame.planes[0]
            rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
            digests.append(frame_digest(rows[:, : plane.width]))
    return digests


@pytest.fixture(scope="session")
def decode_pattern():
    """The function reading the frame number drawn into a decoded test-video frame."""
    return read_pattern


@pytest.fixture(scope="session")
def digest():
    """The function hashing a frame's pixels (compare frames without keeping them)."""
    return frame_digest
