"""Frame-accurate, lazily decoded video files (PyAV)."""

from __future__ import annotations

import contextlib
import threading
import warnings
import weakref
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import av
import numpy as np

from napari_whiskertoolbox.core.media import MediaData
from napari_whiskertoolbox.media._common import existing_path
from napari_whiskertoolbox.media.errors import MediaError
from napari_whiskertoolbox.media.frame_cache import FrameCache
from napari_whiskertoolbox.media.frame_index import FrameIndex, build_frame_index
from napari_whiskertoolbox.media.read_ahead import ReadAheadWorker

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from av.container import InputContainer
    from av.video.plane import VideoPlane

__all__ = ["DecodeStats", "VideoMedia"]

# 8-bit pixel formats whose first plane is the luma (Y) image, usable as gray without conversion.
_Y_PLANE_FORMATS = frozenset(
    {
        "gray",
        "yuv420p",
        "yuvj420p",
        "yuv422p",
        "yuvj422p",
        "yuv444p",
        "yuvj444p",
        "yuv440p",
        "yuvj440p",
        "yuv411p",
        "yuv410p",
        "nv12",
        "nv21",
    }
)
# Chroma within this distance of neutral (128) on every pixel counts as a gray video.
_NEUTRAL_CHROMA_TOLERANCE = 3
# Decode forward instead of seeking when the target is at most this many frames ahead.
_FORWARD_DECODE_LIMIT = 8


@dataclass
class DecodeStats:
    """Counters of what a :class:`VideoMedia` did to serve frames (for diagnostics and benchmarks).

    Attributes
    ----------
    seeks : int
        Demuxer seeks (each restarts decoding at a keyframe).
    decoded : int
        Frames returned by the decoder, including frames passed over after a seek.
    cache_hits : int
        Requests served from the frame cache (including frames decoded ahead).
    """

    seeks: int = 0
    decoded: int = 0
    cache_hits: int = 0


class VideoMedia(MediaData):
    """A video file as a lazy ``(n_frames, height, width[, 3])`` uint8 array.

    Frame ``i`` is always the ``i``-th frame in presentation order: a frame index built by
    demuxing the file once maps frame numbers to timestamps and keyframes; random access
    seeks to the keyframe preceding the frame and decodes forward, matching decoded
    timestamps against the index. The decoder stays open, so stepping forward decodes one
    frame without seeking, and a background thread decodes a few frames ahead while frames
    are read sequentially.

    Parameters
    ----------
    path : str or os.PathLike
        Video file (anything FFmpeg can demux: mp4, avi, mov, mkv, ...).
    gray : bool or None
        ``True``: frames are ``(H, W)`` luma images (the Y plane, read without conversion
        for 8-bit YUV/gray formats). ``False``: ``(H, W, 3)`` RGB. ``None`` (default): gray
        when the pixel format is gray, or YUV with neutral chroma in the first frame.
    cache_size : int
        Number of decoded frames kept in an LRU cache (raised to fit the read-ahead).
    read_ahead : int
        Frames decoded ahead on a background thread during sequential reading (0 = off).
    thread_type : str
        FFmpeg decoder threading: ``"SLICE"`` (default, no added latency), ``"FRAME"``,
        ``"AUTO"`` or ``"NONE"``.

    Raises
    ------
    MediaFileNotFoundError
        If ``path`` does not exist.
    MediaError
        If the file cannot be opened as a video or has no video frames.
    """

    kind = "video"
    source_path: Path

    def __init__(
        self,
        path: str | os.PathLike[str],
        gray: bool | None = None,
        cache_size: int = 32,
        read_ahead: int = 8,
        thread_type: str = "SLICE",
    ) -> None:
        self.source_path = existing_path(path, "video file")
        if read_ahead < 0:
            raise ValueError(f"read_ahead must be >= 0, got {read_ahead}")
        self._lock = threading.RLock()
        self._closed = False
        self._container = self._open_container(thread_type)
        self._stream = self._container.streams.video[0]
        self._index = build_frame_index(self._container, self._stream)

        self._cache = FrameCache(max(int(cache_size), 2 * read_ahead + 2))
        self._decoded_frames: Iterator[av.VideoFrame] | None = None  # None when not decoding
        self._last_output = -1  # frame number of the last frame the decoder returned
        self._first_valid = 0  # frames before this (leading frames after a seek) are dropped
        self._read_ahead = int(read_ahead)
        self._ahead_until = -1
        self._last_request = -2
        self._stats = DecodeStats()
        self._worker = ReadAheadWorker(
            _weak_step(weakref.WeakMethod(self._read_ahead_step)),
            name=f"wtb-video-{id(self):x}",
        )

        first = self._first_frame()
        self._use_y_plane = first.format.name in _Y_PLANE_FORMATS
        self._gray = _looks_gray(first) if gray is None else bool(gray)
        frame_shape = (first.height, first.width) if self._gray else (first.height, first.width, 3)
        self._shape = (len(self._index), *frame_shape)
        self._cache.put(0, self._to_array(first))

    # ------------------------------------------------------------------ MediaData interface
    @property
    def shape(self) -> tuple[int, ...]:
        """``(n_frames, height, width)`` when gray, ``(n_frames, height, width, 3)`` for RGB."""
        return self._shape

    @property
    def dtype(self) -> np.dtype:
        """Always uint8."""
        return np.dtype(np.uint8)

    @property
    def gray(self) -> bool:
        """Whether frames are returned as ``(H, W)`` gray images."""
        return self._gray

    @property
    def frame_index(self) -> FrameIndex:
        """Timestamps and keyframes of every frame (built once at open)."""
        return self._index

    @property
    def fps(self) -> float | None:
        """Average frame rate from the container, or ``None`` when unknown."""
        rate = self._stream.average_rate or self._stream.guessed_rate
        return float(rate) if rate else None

    @property
    def stats(self) -> DecodeStats:
        """A snapshot of the seek / decode / cache-hit counters since opening."""
        with self._lock:
            return replace(self._stats)

    @property
    def cached_frames(self) -> list[int]:
        """Frame numbers currently held in the frame cache, least recently used first."""
        with self._lock:
            return self._cache.keys()

    def frame(self, index: int) -> np.ndarray:
        """Return frame ``index`` as a read-only uint8 array of shape ``shape[1:]``.

        Parameters
        ----------
        index : int
            Frame number (negative counts from the end).
        """
        i = self._normalise_index(index)
        with self._lock:
            self._check_open()
            array = self._cache.get(i)
            if array is None:
                array = self._decode_frame(i)
            else:
                self._stats.cache_hits += 1
            sequential = i == self._last_request + 1
            self._last_request = i
            self._ahead_until = i + self._read_ahead if sequential else -1
        if sequential and self._read_ahead:
            self._worker.wake()
        return array

    def __reduce__(self) -> tuple[type[VideoMedia], tuple[Path, bool, int, int]]:
        # The decoder cannot travel: another process reopens the file.
        return (type(self), (self.source_path, self._gray, self._cache.capacity, self._read_ahead))

    def close(self) -> None:
        """Stop read-ahead and close the file; further reads raise :class:`MediaError`."""
        if self._closed:
            return
        self._worker.stop()
        with self._lock:
            self._closed = True
            self._decoded_frames = None
            self._cache.clear()
            self._container.close()

    def __enter__(self) -> VideoMedia:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown or a half-built object
            self.close()

    # ------------------------------------------------------------------ opening
    def _open_container(self, thread_type: str) -> InputContainer:
        try:
            container = av.open(str(self.source_path))
        except av.FFmpegError as exc:
            raise MediaError(f"cannot open video file {str(self.source_path)!r}: {exc}") from exc
        if not container.streams.video:
            container.close()
            raise MediaError(f"file {str(self.source_path)!r} has no video stream")
        stream = container.streams.video[0]
        try:
            stream.thread_type = thread_type.upper()
        except (KeyError, ValueError) as exc:
            container.close()
            raise ValueError(
                f"thread_type must be 'SLICE', 'FRAME', 'AUTO' or 'NONE', got {thread_type!r}"
            ) from exc
        return container

    def _first_frame(self) -> av.VideoFrame:
        self._seek(0)
        av_frame = self._next_decoded_at_or_after(0)
        if av_frame is None:
            raise MediaError(f"video file {str(self.source_path)!r}: no frame could be decoded")
        return av_frame

    # ------------------------------------------------------------------ decoding
    def _check_open(self) -> None:
        if self._closed:
            raise MediaError(f"video file {str(self.source_path)!r} is closed")

    def _decode_frame(self, i: int) -> np.ndarray:
        """Decode frame ``i`` (lock held), seeking only when decoding forward is not cheaper."""
        if not self._can_decode_forward_to(i):
            self._seek(i)
        av_frame = self._next_decoded_at_or_after(i)
        if av_frame is None:
            raise MediaError(
                f"video file {str(self.source_path)!r}: frame {i} could not be decoded"
            )
        array = self._to_array(av_frame)
        if self._last_output != i:
            warnings.warn(
                f"video {self.source_path.name!r}: frame {i} is missing from the decoded stream; "
                f"showing frame {self._last_output}",
                RuntimeWarning,
                stacklevel=3,
            )
        return array

    def _can_decode_forward_to(self, i: int) -> bool:
        if self._decoded_frames is None or self._last_output >= i:
            return False
        keyframe = int(self._index.keyframe_of[i])
        return keyframe <= self._last_output + 1 or i - self._last_output <= _FORWARD_DECODE_LIMIT

    def _seek(self, i: int, keyframe: int | None = None) -> None:
        """Position the demuxer on the keyframe preceding frame ``i`` (or on ``keyframe``)."""
        if keyframe is None:
            keyframe = int(self._index.keyframe_of[i])
        self._container.seek(
            int(self._index.seek_ts[keyframe]),
            backward=True,
            any_frame=False,
            stream=self._stream,
        )
        self._decoded_frames = self._container.decode(self._stream)
        self._stats.seeks += 1
        self._last_output = -1
        self._first_valid = keyframe

    def _next_decoded_at_or_after(self, i: int) -> av.VideoFrame | None:
        """Decode until frame ``i``; return it, the first frame after it, or the last one at EOF.

        Frames decoded on the way that fall within the cache window are cached. If the seek
        landed after frame ``i``, seek again from an earlier keyframe.
        """
        keep_from = i - self._cache.capacity // 2
        last = None
        just_seeked = self._last_output < 0
        while True:
            av_frame = self._next_raw_frame()
            if av_frame is None:
                return last
            number = self._frame_number(av_frame)
            if number < self._first_valid:
                continue  # leading frames of an open GOP: their references were skipped
            if just_seeked and number > i:
                self._seek_earlier()
                continue
            just_seeked = False
            self._last_output = number
            last = av_frame
            if number >= i:
                return av_frame
            if number >= keep_from and number not in self._cache:
                self._cache.put(number, self._to_array(av_frame))

    def _seek_earlier(self) -> None:
        """Restart from the keyframe before the last one (the last seek overshot its target)."""
        keyframe = self._first_valid
        if keyframe == 0:
            raise MediaError(
                f"video file {str(self.source_path)!r}: seeking to the start does not reach "
                "the first frame"
            )
        self._seek(keyframe - 1)

    def _next_raw_frame(self) -> av.VideoFrame | None:
        if self._decoded_frames is None:
            return None
        try:
            av_frame = next(self._decoded_frames)
        except StopIteration:
            self._decoded_frames = None
            return None
        except av.FFmpegError as exc:
            self._decoded_frames = None
            raise MediaError(f"error decoding video file {str(self.source_path)!r}: {exc}") from exc
        self._stats.decoded += 1
        return av_frame

    def _frame_number(self, av_frame: av.VideoFrame) -> int:
        pts = av_frame.pts
        if pts is None:
            return self._last_output + 1
        exact = self._index.frame_at_pts(pts)
        return exact if exact is not None else max(self._index.frame_before_pts(pts), 0)

    def _read_ahead_step(self) -> bool:
        """Decode the next frame if a sequential reader will want it soon (worker thread)."""
        with self._lock:
            if self._closed or self._decoded_frames is None:
                return False
            target = self._last_output + 1
            if target > min(self._ahead_until, len(self._index) - 1):
                return False
            if target in self._cache:
                self._cache.get(target)  # keep it fresh; the decoder still has to pass it
            av_frame = self._next_decoded_at_or_after(target)
            if av_frame is None:
                return False
            if self._last_output not in self._cache:
                self._cache.put(self._last_output, self._to_array(av_frame))
            return True

    # ------------------------------------------------------------------ conversion
    def _to_array(self, av_frame: av.VideoFrame) -> np.ndarray:
        if not self._gray:
            array = av_frame.to_ndarray(format="rgb24")
        elif self._use_y_plane:
            array = _plane_array(av_frame.planes[0]).copy()
        else:
            array = av_frame.to_ndarray(format="gray")
        array.flags.writeable = False
        return array


def _weak_step(method: weakref.WeakMethod[Callable[[], bool]]) -> Callable[[], bool]:
    """Return a read-ahead step that does not keep its video alive (so it can be collected)."""

    def step() -> bool:
        bound = method()
        return bool(bound()) if bound is not None else False

    return step


def _plane_array(plane: VideoPlane) -> np.ndarray:
    """Return a view of one 8-bit plane as ``(height, width)`` (drops the row padding)."""
    rows = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(plane.height, plane.line_size)
    return rows[:, : plane.width]


def _looks_gray(av_frame: av.VideoFrame) -> bool:
    """Return whether ``av_frame`` is gray: a gray format, or YUV with neutral chroma planes."""
    name = av_frame.format.name
    if name.startswith("gray"):
        return True
    if name not in _Y_PLANE_FORMATS:
        return False
    for plane in av_frame.planes[1:]:
        chroma = _plane_array(plane).astype(np.int16)
        if np.abs(chroma - 128).max() > _NEUTRAL_CHROMA_TOLERANCE:
            return False
    return True
