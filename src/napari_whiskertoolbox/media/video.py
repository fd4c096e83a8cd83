"""Frame-accurate, lazily decoded video files (PyAV), with the frames and values FFmpeg gives."""

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
from napari_whiskertoolbox.media.errors import FrameDecodeError, MediaError, MediaWarning
from napari_whiskertoolbox.media.frame_cache import FrameCache
from napari_whiskertoolbox.media.frame_index import FrameIndex, build_frame_index
from napari_whiskertoolbox.media.pixel_format import (
    FFmpegConverter,
    PixelConversion,
    looks_gray,
    looks_gray_format,
    pixel_conversion,
)
from napari_whiskertoolbox.media.read_ahead import ReadAheadWorker
from napari_whiskertoolbox.media.video_metadata import (
    DisplayTransform,
    choose_video_stream,
    display_transform,
    ignored_metadata,
)

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from av.container import InputContainer

__all__ = ["DecodeStats", "VideoMedia"]

# Decode forward instead of seeking when the target is at most this many frames ahead.
_FORWARD_DECODE_LIMIT = 8
# A seek that lands after its target is retried from this many earlier keyframes at most
# (inexact demuxer indexes are off by one keyframe; more means frames are missing).
_MAX_EARLIER_SEEKS = 2
# Videos numbered by counting decoded frames are checked for open GOPs at open by decoding
# through the second keyframe when it is at most this many frames in.
_COUNT_CHECK_LIMIT = 300
# Packets demuxed after a seek to the last keyframe whose timestamps must be in the index.
_SEEK_CHECK_PACKETS = 8
# Keyframes (besides the first frame) decoded at open to tell whether a video is gray.
_GRAY_SAMPLES = 4


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


def _open_hint(media: VideoMedia, exc: av.FFmpegError) -> str:
    """Return what a user can do about FFmpeg refusing ``media``'s file at open (``""``: nothing)."""
    if not isinstance(exc, av.error.InvalidDataError):
        return ""
    try:
        size = media.source_path.stat().st_size
    except OSError:
        return ""
    if size == 0:
        return " (the file is empty: 0 bytes; copy or export it again)"
    return (
        " (FFmpeg does not recognise its content: either it is not a video, or the recording"
        " was not finished: an MP4/MOV stopped before it was closed lacks its index ('moov')"
        " and cannot be opened; copy it again from the camera, or repair it with a tool such"
        " as untrunc, given a good file from the same camera)"
    )


class VideoMedia(MediaData):
    """A video file as a lazy ``(n_frames, height, width[, 3])`` array, frames as FFmpeg gives them.

    Frame ``i`` is always the ``i``-th frame FFmpeg presents: a frame index built by
    demuxing the file once maps frame numbers to timestamps and keyframes (packets an edit
    list marks as pre-roll are not frames, nor are the leading pictures of a file cut
    mid-GOP, which the decoder never presents); random access seeks to the keyframe
    preceding the frame and decodes forward, matching decoded timestamps against the index. The
    decoder stays open, so stepping forward decodes one frame without seeking, and a
    background thread decodes a few frames ahead while frames are read sequentially, in
    the direction they are read: forward, or backward (playing in reverse), where it
    decodes from the keyframe before the frames wanted and keeps as many of the frames
    below the reader as the cache holds.

    Pixel values are FFmpeg's: gray frames equal FFmpeg's gray conversion (limited-range
    video is expanded to 0..255), RGB frames its ``rgb24`` conversion, both made by an
    FFmpeg filter graph as the ``ffmpeg`` tool makes them (frames after a change of
    resolution are scaled to the first frame's size, as its ``-autoscale``). Video with
    more than 8 bits per component gives uint16 frames (:attr:`bit_depth` significant
    bits). The display matrix (rotation) is applied as FFmpeg's ``autorotate`` does;
    metadata that is not honoured is named in one
    :class:`~napari_whiskertoolbox.media.MediaWarning`. After the decoder met damaged
    data, the next seek opens the file anew, so that a frame does not depend on which
    frames were read before it.

    Parameters
    ----------
    path : str or os.PathLike
        Video file (anything FFmpeg can demux: mp4, avi, mov, mkv, ...).
    gray : bool or None
        ``True``: frames are ``(H, W)`` gray images. ``False``: ``(H, W, 3)`` RGB.
        ``None`` (default): gray when the pixel format is gray, or neither the first
        frame nor a few keyframes spread over the video have colour.
    cache_size : int
        Number of decoded frames kept in an LRU cache (raised to fit the read-ahead).
    read_ahead : int
        Frames decoded ahead on a background thread while frames are read one after the
        other, forward or backward (0 = off).
    thread_type : str
        FFmpeg decoder threading: ``"SLICE"`` (default, no added latency), ``"FRAME"``,
        ``"AUTO"`` or ``"NONE"``.
    autorotate : bool
        Apply the stream's display matrix (rotation / flip) like FFmpeg (default); False
        keeps the stored orientation.

    Raises
    ------
    MediaFileNotFoundError
        If ``path`` does not exist.
    MediaError
        If the file cannot be opened as a video or has no decodable video frame.
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
        autorotate: bool = True,
    ) -> None:
        self.source_path = existing_path(path, "video file")
        if read_ahead < 0:
            raise ValueError(f"read_ahead must be >= 0, got {read_ahead}")
        self._lock = threading.RLock()
        self._closed = False
        notes: list[str] = []
        self._container, self._stream, stream_note = self._open_container(thread_type)
        if stream_note:
            notes.append(stream_note)
        self._index = build_frame_index(self._container, self._stream)
        # Timestamps in decode order on a stream with B-frames (AVI): frames are numbered
        # in the order the decoder presents them, from the keyframe a seek lands on.
        self._count_frames = not self._index.stamped or (
            self._index.decode_order_stamps and bool(self._stream.codec_context.has_b_frames)
        )
        self._next_count: int | None = None  # number of the next frame presented (counting)
        # Seeking gives timestamps unlike reading through (MPEG-PS): seek to the start only.
        self._seek_from_start = not self._index.stamped
        if self._seek_from_start:
            notes.append(
                "fast seeking (the stream carries no timestamps, as raw .h264 files: frames"
                " are numbered as decoded from the start of the file, random access is slow;"
                " remux it to MKV or MP4 with ffmpeg -i IN -c copy OUT.mkv)"
            )

        self._cache = FrameCache(max(int(cache_size), 2 * read_ahead + 2))
        self._decoded_frames: Iterator[av.VideoFrame] | None = None  # None when not decoding
        self._last_output = -1  # frame number of the last frame the decoder returned
        self._first_valid = 0  # frames before this (leading frames after a seek) are dropped
        self._undecodable: dict[int, str] = {}  # frame → why the decoder did not give it
        self._packet_errors: dict[int, str] = {}  # frame → FFmpeg's error for its packet
        self._decoder_met_damage = False  # the next seek opens the file anew
        self._read_ahead = int(read_ahead)
        self._thread_type = thread_type
        self._autorotate = autorotate
        self._ahead_until = -1
        self._behind_from: int | None = None  # reading backward: keep frames from here
        self._last_request = -2
        self._stats = DecodeStats()
        self._worker = ReadAheadWorker(
            _weak_step(weakref.WeakMethod(self._read_ahead_step)),
            name=f"wtb-video-{id(self):x}",
        )

        if self._index.stamped and self._seeking_changes_timestamps():
            notes.append(
                "fast seeking (a seek in this file gives frames numbered unlike reading it"
                " through, as in MPEG program streams or AVI with open GOPs: frames are"
                " decoded from the start of the file, random access is slow; remux it to"
                " MKV or MP4 with ffmpeg -i IN -c copy OUT.mkv)"
            )
        first, first_number = self._first_frame()
        if first_number > 0:
            self._drop_leading_frames(first_number)
            first_number = 0
        self._conversion: PixelConversion = pixel_conversion(
            first, self._looks_gray_throughout(first) if gray is None else bool(gray)
        )
        # Every frame at the first frame's size, as ffmpeg's -autoscale (resolution changes).
        self._converter = FFmpegConverter(
            self._conversion.target_format, (first.width, first.height)
        )
        self._display: DisplayTransform
        self._display, rotation_note = display_transform(first, autorotate)
        notes.extend(n for n in (rotation_note, *ignored_metadata(self._stream, first)) if n)
        timing_note = self._variable_timing_note()
        if timing_note:
            notes.append(timing_note)
        height, width = (
            (first.width, first.height)
            if self._display.swaps_axes
            else (
                first.height,
                first.width,
            )
        )
        frame_shape = (height, width) if self._conversion.gray else (height, width, 3)
        self._shape = (len(self._index), *frame_shape)
        self._cache.put(first_number, self._to_array(first))
        if notes:
            warnings.warn(
                f"video {self.source_path.name!r}: not applied: {'; '.join(notes)}",
                MediaWarning,
                stacklevel=2,
            )

    # ------------------------------------------------------------------ MediaData interface
    @property
    def shape(self) -> tuple[int, ...]:
        """``(n_frames, height, width)`` when gray, ``(n_frames, height, width, 3)`` for RGB."""
        return self._shape

    @property
    def dtype(self) -> np.dtype:
        """uint8, or uint16 for video with more than 8 bits per component."""
        return self._conversion.dtype

    @property
    def bit_depth(self) -> int:
        """Significant bits of the pixel values (8; up to 16 for deeper video)."""
        return self._conversion.bit_depth

    @property
    def contrast_limits(self) -> tuple[float, float]:
        """``(0, 2**bit_depth - 1)``: the display range implied by the bit depth."""
        return self._conversion.value_range

    @property
    def gray(self) -> bool:
        """Whether frames are returned as ``(H, W)`` gray images."""
        return self._conversion.gray

    @property
    def pixel_format(self) -> str:
        """FFmpeg's name of the stream's pixel format (e.g. ``"yuv420p"``, ``"gray16le"``)."""
        return str(self._stream.codec_context.pix_fmt or "")

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
    def frame_times(self) -> np.ndarray | None:
        """float64 ``(n_frames,)`` seconds of each frame from the first, from its timestamp.

        ``None`` when the stream carries no timestamps (a raw elementary stream). For
        constant-rate video this is ``i / fps``; variable-rate video (phones, screen
        recorders) differs, and a clock built from :attr:`fps` alone is approximate.
        """
        base = self._index.time_base
        if not self._index.stamped or base is None or self._count_frames:
            return None
        pts = self._index.pts
        return np.asarray((pts - pts[0]).astype(np.float64) * float(base))

    @property
    def frame_ticks(self) -> tuple[np.ndarray, float] | None:
        """Each frame's timestamp from the first, in ticks of the stream's time base.

        Returns
        -------
        tuple of (numpy.ndarray, float) or None
            int64 ``(n_frames,)`` ticks (``pts - pts[0]``, non-decreasing) and the ticks
            per second (``1 / time_base``, e.g. 1000.0 or 90000.0); ``ticks / rate`` is
            :attr:`frame_times`. ``None`` when :attr:`frame_times` is None.
        """
        base = self._index.time_base
        if self.frame_times is None or base is None:
            return None
        pts = np.asarray(self._index.pts, np.int64)
        return pts - pts[0], float(1 / base)

    @property
    def variable_frame_rate(self) -> bool:
        """Whether the frames' timestamps stray from ``i / fps`` by more than half a frame.

        Timestamp rounding (one tick of the time base) is not variable timing. A video
        without timestamps or frame rate, or with fewer than 3 frames, is not variable.
        """
        return self._variable_timing_note() is not None

    def _variable_timing_note(self) -> str | None:
        """Describe frame timestamps that stray from the average rate by half a frame."""
        times, fps, base = self.frame_times, self.fps, self._index.time_base
        if times is None or fps is None or base is None or len(times) < 3:
            return None
        deviation = np.abs(times - np.arange(len(times)) / fps)
        tolerance = max(0.5 / fps, float(base))  # timestamp rounding is not variable timing
        worst = int(np.argmax(deviation))
        if deviation[worst] <= tolerance:
            return None
        return (
            f"variable frame timing (frame {worst} is at {times[worst]:.4g} s, not"
            f" {worst / fps:.4g} s as at the average {fps:g} fps: frames are numbered in"
            " order; the video's clock follows each frame's timestamp, frame_times gives"
            " them in seconds)"
        )

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
        """Return frame ``index`` as a read-only array of shape ``shape[1:]`` and :attr:`dtype`.

        Parameters
        ----------
        index : int
            Frame number (negative counts from the end).

        Raises
        ------
        FrameDecodeError
            If the decoder cannot give this frame (corrupt or missing data); the message
            names the file and the frame.
        """
        i = self._normalise_index(index)
        with self._lock:
            self._check_open()
            array = self._cache.get(i)
            sequential = i == self._last_request + 1
            backward = i == self._last_request - 1
            self._last_request = i
            self._ahead_until = i + self._read_ahead if sequential else -1
            self._behind_from = i - self._read_ahead if backward else None
            if array is None:
                array = self._decode_frame(i)
            else:
                self._stats.cache_hits += 1
        if (sequential or backward) and self._read_ahead:
            self._worker.wake()
        return array

    def __reduce__(
        self,
    ) -> tuple[type[VideoMedia], tuple[Path, bool, int, int, str, bool]]:
        # The decoder cannot travel: another process reopens the file.
        return (
            type(self),
            (
                self.source_path,
                self.gray,
                self._cache.capacity,
                self._read_ahead,
                self._thread_type,
                self._autorotate,
            ),
        )

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
    def _open_container(
        self, thread_type: str
    ) -> tuple[InputContainer, av.VideoStream, str | None]:
        try:
            container = av.open(str(self.source_path))
        except av.FFmpegError as exc:
            raise MediaError(
                f"cannot open video file {str(self.source_path)!r}: {exc}{_open_hint(self, exc)}"
            ) from exc
        try:
            stream, note = choose_video_stream(container)
        except IndexError:
            container.close()
            raise MediaError(f"file {str(self.source_path)!r} has no video stream") from None
        try:
            stream.thread_type = thread_type.upper()
        except (KeyError, ValueError) as exc:
            container.close()
            raise ValueError(
                f"thread_type must be 'SLICE', 'FRAME', 'AUTO' or 'NONE', got {thread_type!r}"
            ) from exc
        return container, stream, note

    def _seeking_changes_timestamps(self) -> bool:
        """Check once that a seek gives frames numbered as reading through does.

        Timestamps: seek to the last keyframe; the first packets must carry timestamps
        of the index (demuxed, not decoded). Frame counting (decode-order stamps): decode
        from the start through the second keyframe; it must be presented at its place in
        decode order (an open GOP presents the frames decoded after it first, and a seek
        to it drops them). Reading from the start only is set when the check fails.
        """
        keyframes = self._index.keyframes
        if len(keyframes) < 2:
            return False
        if self._count_frames:
            self._seek_from_start = self._counting_misses_keyframe(int(keyframes[1]))
            return self._seek_from_start
        self._seek(int(keyframes[-1]))
        self._decoded_frames = None
        stamps: list[int] = []
        with contextlib.suppress(av.FFmpegError):
            for packet in self._container.demux(self._stream):
                if packet.size and packet.pts is not None:
                    stamps.append(int(packet.pts))
                if len(stamps) == _SEEK_CHECK_PACKETS:
                    break
        # Timestamps of keyframes sought, and of discarded packets (the tail an edit list cuts).
        known = {int(t) for t in self._index.seek_ts} | {int(t) for t in self._index.discarded_pts}
        self._seek_from_start = any(
            t not in known and self._index.frame_at_pts(t) is None for t in stamps
        )
        return self._seek_from_start

    def _counting_misses_keyframe(self, keyframe: int) -> bool:
        """Return whether ``keyframe`` (decode order) is presented at another place.

        Places count from the first frame presented: a keyframe's timestamp is its place
        in decode order, so a file beginning mid-GOP (pictures the decoder never presents)
        starts counting at its first keyframe's place.
        """
        if keyframe > _COUNT_CHECK_LIMIT:
            return False
        self._seek(0)
        stamp = int(self._index.pts[keyframe])
        presented = 0
        first: int | None = None
        try:
            while presented <= keyframe + _COUNT_CHECK_LIMIT:
                av_frame = self._next_raw_frame()
                if av_frame is None:
                    return False
                if first is None:
                    pts = av_frame.pts
                    found = self._index.frame_at_pts(pts) if av_frame.key_frame and pts else None
                    first = found or 0
                if av_frame.pts == stamp:
                    return first + presented != keyframe
                presented += 1
            return False
        finally:
            self._decoded_frames = None

    def _first_frame(self) -> tuple[av.VideoFrame, int]:
        """Decode from the start; return the first frame the decoder gives and its number."""
        self._seek(0)
        av_frame = self._next_decoded_at_or_after(0)
        if av_frame is None:
            reason = self._undecodable.get(0, "the decoder gave no frame")
            raise MediaError(
                f"video file {str(self.source_path)!r}: no frame could be decoded ({reason})"
            )
        return av_frame, self._last_output

    def _drop_leading_frames(self, count: int) -> None:
        """Renumber frames so that frame 0 is the first frame FFmpeg presents.

        The first ``count`` packets (a recording or cut beginning mid-GOP: pictures whose
        references are not in the file) gave no frame when decoding from the start, as
        in FFmpeg, OpenCV and the tools built on them, which count frames from the first
        one presented; they are not frames (like edit-list pre-roll).
        """
        self._index = self._index.without_leading(count)

        def shifted(by_frame: dict[int, str]) -> dict[int, str]:
            return {f - count: why for f, why in by_frame.items() if f >= count}

        self._undecodable = shifted(self._undecodable)
        self._packet_errors = shifted(self._packet_errors)
        self._last_output -= count
        self._first_valid = max(self._first_valid - count, 0)
        if self._next_count is not None:
            self._next_count -= count

    def _looks_gray_throughout(self, first: av.VideoFrame) -> bool:
        """Whether the video looks gray: its first frame and keyframes spread over it.

        A colour video often starts dark or black (lights off, a camera warming up), so
        the first frame alone does not tell. Up to :data:`_GRAY_SAMPLES` more keyframes,
        evenly spread, are decoded (each alone) unless the pixel format is gray or the
        file can only be read from the start.
        """
        if not looks_gray(first):
            return False
        if looks_gray_format(first.format) or self._seek_from_start:
            return True
        keyframes = self._index.keyframes[1:]
        if not len(keyframes):
            return True
        picks = np.unique(np.linspace(0, len(keyframes) - 1, _GRAY_SAMPLES).round().astype(int))
        try:
            for keyframe in keyframes[picks]:
                sample = self._decode_keyframe_alone(int(keyframe))
                if sample is not None and not looks_gray(sample):
                    return False
            return True
        finally:
            self._decoded_frames = None  # the next read seeks

    def _decode_keyframe_alone(self, keyframe: int) -> av.VideoFrame | None:
        """Decode the keyframe packet a seek to frame ``keyframe`` lands on, and nothing else.

        The decoder is drained after the packet (no frame waits for the frames after it);
        the next seek resets it. None when the packet gives no frame.
        """
        self._drain_decoder()
        self._container.seek(
            int(self._index.seek_ts[keyframe]), backward=True, any_frame=False, stream=self._stream
        )
        self._stats.seeks += 1
        try:
            for packet in self._container.demux(self._stream):
                if packet.size == 0:
                    return None
                decoder = self._stream.codec_context
                frames = [*packet.decode(), *decoder.decode(None)]
                self._stats.decoded += len(frames)
                return frames[0] if frames else None
        except av.FFmpegError:
            self._decoder_met_damage = True
        return None

    # ------------------------------------------------------------------ decoding
    def _check_open(self) -> None:
        if self._closed:
            raise MediaError(f"video file {str(self.source_path)!r} is closed")

    def _decode_frame(self, i: int) -> np.ndarray:
        """Decode frame ``i`` (lock held), seeking only when decoding forward is not cheaper."""
        if i not in self._undecodable:
            if not self._can_decode_forward_to(i):
                self._seek(i)
            av_frame = self._next_decoded_at_or_after(i)
            if av_frame is not None and self._last_output == i:
                return self._to_array(av_frame)
            if av_frame is not None:  # a later frame: keep it, the next step will want it
                self._cache.put(self._last_output, self._to_array(av_frame))
        reason = self._undecodable.get(i) or self._packet_errors.get(i)
        raise FrameDecodeError(
            f"video file {str(self.source_path)!r}: frame {i} could not be decoded"
            f" ({reason or 'the decoder gave no picture for it'})",
            i,
        )

    def _can_decode_forward_to(self, i: int) -> bool:
        if self._decoded_frames is None or self._last_output >= i:
            return False
        if self._seek_from_start:
            return True
        keyframe = int(self._index.keyframe_of[i])
        return keyframe <= self._last_output + 1 or i - self._last_output <= _FORWARD_DECODE_LIMIT

    def _seek(self, i: int) -> None:
        """Position the demuxer on the keyframe preceding frame ``i`` (or the first frame).

        The file is opened anew (a fresh decoder, at the start of the file) for raw
        streams, which cannot seek; when the demuxer refuses the seek (an AVI whose first
        packet is no keyframe has no keyframe to seek back to); and after the decoder met
        damaged data: FFmpeg's decoders keep state across a seek (an H.264 parameter set
        rewritten by a corrupt packet), so frames decoded after it would depend on which
        frames were read before.
        """
        if self._seek_from_start:
            i = 0
        self._drain_decoder()
        from_start = not self._index.stamped
        if from_start or self._decoder_met_damage:
            self._reopen()
        if not from_start:
            try:
                self._container.seek(
                    int(self._index.seek_ts[i]),
                    backward=True,
                    any_frame=False,
                    stream=self._stream,
                )
            except av.FFmpegError:
                self._reopen()
                from_start = True
        self._decoded_frames = self._decode_packets()
        self._stats.seeks += 1
        self._next_count = None
        self._last_output = -1
        self._first_valid = 0 if from_start else int(self._index.keyframe_of[i])

    def _reopen(self) -> None:
        """Open the file anew: a fresh demuxer at its start and a fresh decoder."""
        self._decoded_frames = None
        self._container.close()
        self._container, self._stream, _ = self._open_container(self._thread_type)
        self._decoder_met_damage = False

    def _drain_decoder(self) -> None:
        """Take the frames the decoder still holds (a seek drops them), noting damage.

        A damaged packet may have been decoded without its frame being presented yet
        (frames wait to be reordered); its damage must still reset the decoder.
        """
        with contextlib.suppress(av.FFmpegError):
            for av_frame in self._stream.codec_context.decode(None):
                if av_frame.is_corrupt:
                    self._decoder_met_damage = True

    def _decode_packets(self) -> Iterator[av.VideoFrame]:
        """Decode packet by packet: a packet FFmpeg rejects is noted, decoding goes on."""
        for packet in self._container.demux(self._stream):
            try:
                frames = packet.decode()
            except av.FFmpegError as exc:
                self._decoder_met_damage = True
                frame = self._index.frame_at_pts(packet.pts) if packet.pts is not None else None
                if frame is not None:
                    self._packet_errors[frame] = f"FFmpeg: {exc}"
                continue
            if any(f.is_corrupt for f in frames):  # concealed errors: its state may be damaged
                self._decoder_met_damage = True
            yield from frames

    def _next_decoded_at_or_after(self, i: int) -> av.VideoFrame | None:
        """Decode until frame ``i``; return it, the first frame after it, or the last one at EOF.

        Frames decoded on the way that fall within the cache window are cached. If the seek
        landed after frame ``i``, or on a keyframe FFmpeg rejected (the frames after it are
        then concealed from what the decoder saw before, as in a sequential decode), seek
        again from an earlier keyframe (a few times at most: beyond that, the frames in
        between are missing from the stream). Frames the decoder skips while decoding
        continuously are remembered as undecodable.
        """
        keep_from = i - self._cache.capacity // 2
        last = None
        just_seeked = self._last_output < 0
        earlier_seeks = 0
        while True:
            av_frame = self._next_raw_frame()
            if av_frame is None:
                # A seek that reached the end without a frame landed past its keyframe
                # (demuxers seeking by decode timestamps, MPEG-TS): start earlier.
                retry = just_seeked and earlier_seeks < _MAX_EARLIER_SEEKS
                if retry and self._seek_earlier():
                    earlier_seeks += 1
                    continue
                if self._last_output >= 0 or self._first_valid == 0:
                    start = max(self._last_output + 1, self._first_valid)
                    self._note_missing(start, len(self._index))
                return last
            if just_seeked and self._seek_landed_off_the_index(av_frame):
                self._seek_from_start = True  # only reading through gives these timestamps
                self._seek(i)
                continue
            number = self._frame_number(av_frame)
            if number < self._first_valid or number <= self._last_output:
                continue  # leading frames of an open GOP: their references were skipped
            overshot = number > i or self._first_valid in self._packet_errors
            retry = just_seeked and overshot and earlier_seeks < _MAX_EARLIER_SEEKS
            if retry and self._seek_earlier():
                earlier_seeks += 1
                continue
            if not just_seeked:
                self._note_missing(self._last_output + 1, number)
            elif self._first_valid == 0:  # decoding from the very start, as FFmpeg does
                self._note_missing(0, number)
            just_seeked = False
            self._last_output = number
            last = av_frame
            if number >= i:
                return av_frame
            if number >= keep_from and number not in self._cache:
                self._cache.put(number, self._to_array(av_frame))

    def _seek_landed_off_the_index(self, av_frame: av.VideoFrame) -> bool:
        """Whether the first frame after a seek carries a timestamp no frame has."""
        if self._seek_from_start or self._count_frames or self._first_valid == 0:
            return False
        return av_frame.pts is not None and self._index.frame_at_pts(av_frame.pts) is None

    def _note_missing(self, start: int, stop: int) -> None:
        """Remember frames ``start..stop-1`` as undecodable: decoding went past them."""
        for frame in range(max(start, 0), stop):
            self._undecodable.setdefault(
                frame, self._packet_errors.get(frame, "the decoder gave no picture for it")
            )

    def _seek_earlier(self) -> bool:
        """Restart from the keyframe before the one last sought; False at the first one."""
        keyframe = self._first_valid
        if keyframe == 0:
            return False
        self._seek(keyframe - 1)
        return True

    def _next_raw_frame(self) -> av.VideoFrame | None:
        if self._decoded_frames is None:
            return None
        try:
            av_frame = next(self._decoded_frames)
        except StopIteration:
            self._decoded_frames = None
            return None
        except av.FFmpegError as exc:  # the demuxer itself failed (e.g. a truncated file)
            self._decoded_frames = None
            self._decoder_met_damage = True
            self._packet_errors.setdefault(self._last_output + 1, f"FFmpeg: {exc}")
            return None
        self._stats.decoded += 1
        return av_frame

    def _frame_number(self, av_frame: av.VideoFrame) -> int:
        """Return the number of the frame the decoder just presented (called once per frame)."""
        pts = av_frame.pts
        if self._count_frames:
            # The first frame after a seek is the keyframe, whose timestamp is its place in
            # decode order (= presentation order for a keyframe); then count.
            number = self._next_count
            if number is None:
                exact = self._index.frame_at_pts(pts) if pts is not None else None
                number = exact if exact is not None else self._first_valid
            self._next_count = number + 1
            return number
        if pts is None:
            return self._last_output + 1
        same = self._index.frames_at_pts(pts)
        if len(same) > 1:  # frames sharing a timestamp: the next one not yet presented
            return min(max(same.start, self._last_output + 1, self._first_valid), same.stop - 1)
        if same:
            return same.start
        return max(self._index.frame_before_pts(pts), 0)

    def _read_ahead_step(self) -> bool:
        """Decode the next frame if a sequential reader will want it soon (worker thread)."""
        with self._lock:
            if self._closed:
                return False
            if self._behind_from is not None:
                return self._read_behind_step(self._behind_from)
            if self._decoded_frames is None:
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

    def _read_behind_step(self, lowest: int) -> bool:
        """Decode one frame towards the nearest frame below the reader not yet cached.

        A backward reader at frame ``r`` wants ``lowest..r-1`` soon, nearest first. The
        decoder goes forward from the keyframe before the wanted frame, one frame per
        step (the lock is held for one decode), and caches what it passes from as low as
        the cache can hold below the reader: the frames after ``lowest`` of that GOP then
        need no second pass.
        """
        reader = self._last_request
        missing = next(
            (
                f
                for f in range(reader - 1, max(lowest, 0) - 1, -1)
                if f not in self._cache and f not in self._undecodable
            ),
            None,
        )
        if missing is None:
            return False
        if not self._can_decode_forward_to(missing):
            self._seek(missing)
        target = max(self._last_output + 1, self._first_valid)
        av_frame = self._next_decoded_at_or_after(min(target, missing))
        if av_frame is None:
            return False
        keep_from = reader - max(self._cache.capacity - 2, 1)
        number = self._last_output
        if keep_from <= number < reader and number not in self._cache:
            self._cache.put(number, self._to_array(av_frame))
        return True

    # ------------------------------------------------------------------ conversion
    def _to_array(self, av_frame: av.VideoFrame) -> np.ndarray:
        array = self._display.apply(self._conversion.to_array(av_frame, self._converter))
        array.flags.writeable = False
        return array


def _weak_step(method: weakref.WeakMethod[Callable[[], bool]]) -> Callable[[], bool]:
    """Return a read-ahead step that does not keep its video alive (so it can be collected)."""

    def step() -> bool:
        bound = method()
        return bool(bound()) if bound is not None else False

    return step
