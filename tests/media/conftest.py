"""Videos encoded by the tests themselves: every frame carries its own number as a bit pattern.

See ``tests/_video_files.py`` for the pattern.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest

from _video_files import HEIGHT, WIDTH, pattern_frame, read_pattern


@dataclass(frozen=True)
class EncodedVideo:
    """A test video on disk and how it was encoded."""

    path: Path
    n_frames: int
    color: bool


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
    """Digests of every frame of the 1000-frame fixture as FFmpeg's gray conversion gives it.

    Plain sequential decode with PyAV, each frame converted by FFmpeg to ``gray``.
    """
    path = Path(__file__).parents[1] / "data" / "whiskertoolbox" / "Media"
    path = path / "test_each_frame_number.mp4"
    if not path.is_file():
        pytest.skip(f"fixture video missing at {path}")
    digests = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            digests.append(frame_digest(frame.to_ndarray(format="gray")))
    return digests


@pytest.fixture(scope="session")
def decode_pattern():
    """The function reading the frame number drawn into a decoded test-video frame."""
    return read_pattern


@pytest.fixture(scope="session")
def digest():
    """The function hashing a frame's pixels (compare frames without keeping them)."""
    return frame_digest
