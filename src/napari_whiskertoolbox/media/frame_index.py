"""Frame index of a video stream, built by demuxing the file once (no decoding).

Frame numbers are positions in *presentation* order: packets are demuxed in decode
order (B-frames make that differ from display order), so their timestamps are sorted.
The index answers "which timestamp does frame i carry", "which frame does a decoded
timestamp belong to" and "which keyframe must the decoder start from to reach frame i".

Packets the demuxer flags as *discard* are not frames: an MP4 cut with ``ffmpeg -ss … -c
copy`` keeps the packets from the keyframe before the cut, and its edit list tells the
demuxer to flag them; the decoder decodes them (later frames refer to them) but never
presents them. They still serve as the keyframe to seek to for the first frames. Packets
after the end of an edit list (a video trimmed at its end on a phone) are flagged alike.

Frames may share a timestamp (a 1200 fps video in Matroska, whose timestamps are in
milliseconds): every packet is a frame, and equal timestamps are told apart by the order in
which the decoder presents them. Some containers (AVI) stamp packets in decode order even
when the stream has B-frames: :attr:`FrameIndex.decode_order_stamps` tells the reader to
number frames by the order the decoder presents them, as FFmpeg does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.media.errors import MediaError

if TYPE_CHECKING:
    from fractions import Fraction

    from av.container import InputContainer
    from av.video.stream import VideoStream

__all__ = ["FrameIndex", "build_frame_index"]


@dataclass(frozen=True)
class FrameIndex:
    """Presentation-ordered timestamps and seek points of one video stream.

    Attributes
    ----------
    pts : np.ndarray
        int64 presentation timestamp of each frame (stream time base), non-decreasing
        (equal for frames whose timestamps the container rounded together).
    keyframe_of : np.ndarray
        int64, for each frame the frame number of the last keyframe at or before it in
        presentation order; decoding from there reaches the frame.
    seek_ts : np.ndarray
        int64, for each frame the timestamp to give ``container.seek`` so that the demuxer
        lands on ``keyframe_of[i]`` (or earlier).
    time_base : Fraction or None
        Unit of ``pts``.
    decode_order_stamps : bool
        The packets' timestamps increase in decode order (no reordering in the
        container's timestamps). For a stream whose decoder reorders frames (B-frames),
        the timestamps then follow decode order, not presentation order (AVI), and
        frames must be numbered by the order the decoder presents them.
    stamped : bool
        False for a stream whose packets carry no timestamps (a raw elementary stream):
        ``pts`` are then packet numbers in decode order, frames are counted as decoded.
    discarded_pts : np.ndarray
        int64 sorted timestamps of the packets flagged as discarded (edit-list pre-roll
        before the first frame, or packets after the end of an edit list, as in a video
        trimmed on a phone): demuxed, never presented.
    """

    pts: np.ndarray
    keyframe_of: np.ndarray
    seek_ts: np.ndarray
    time_base: Fraction | None
    decode_order_stamps: bool = False
    stamped: bool = True
    discarded_pts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.pts)

    @property
    def keyframes(self) -> np.ndarray:
        """Frame numbers of the keyframes (sorted)."""
        return np.unique(self.keyframe_of)

    def frame_at_pts(self, pts: int) -> int | None:
        """Return the (first) frame number whose timestamp is exactly ``pts``, or ``None``."""
        i = int(np.searchsorted(self.pts, pts))
        if i < len(self.pts) and self.pts[i] == pts:
            return i
        return None

    def frames_at_pts(self, pts: int) -> range:
        """Return the frame numbers whose timestamp is exactly ``pts`` (empty if none)."""
        first = int(np.searchsorted(self.pts, pts, side="left"))
        return range(first, int(np.searchsorted(self.pts, pts, side="right")))

    def without_leading(self, count: int) -> FrameIndex:
        """Return the index without its first ``count`` frames (now discarded packets).

        For the packets before the first frame FFmpeg presents when decoding from the
        start: a recording or cut that begins mid-GOP starts with pictures whose references
        are not in the file, and the decoder presents none of them.
        """
        if count <= 0:
            return self
        keyframe_of = np.maximum(self.keyframe_of[count:] - count, 0)
        seek_ts = self.seek_ts[count:].copy()
        # The first frame is reached, as at open, by decoding from the start of the file.
        seek_ts[keyframe_of == 0] = self.seek_ts[0]
        return replace(
            self,
            pts=self.pts[count:],
            keyframe_of=keyframe_of,
            seek_ts=seek_ts,
            discarded_pts=np.sort(np.concatenate([self.discarded_pts, self.pts[:count]])),
        )

    def frame_before_pts(self, pts: int) -> int:
        """Return the number of the last frame whose timestamp is ``<= pts`` (``-1`` if none)."""
        return int(np.searchsorted(self.pts, pts, side="right")) - 1


def build_frame_index(container: InputContainer, stream: VideoStream) -> FrameIndex:
    """Demux ``stream`` of an open PyAV ``container`` once and index its frames.

    The container is left at the end of the file; callers seek before decoding.

    Parameters
    ----------
    container : av.container.InputContainer
        Open input container.
    stream : av.video.stream.VideoStream
        The video stream to index.

    Returns
    -------
    FrameIndex

    Raises
    ------
    MediaError
        If the stream has no packets, or every frame is flagged as discarded.
    """
    pts_list: list[int] = []
    dts_list: list[int] = []
    stamped = True
    key_list: list[bool] = []
    discard_list: list[bool] = []
    for packet in container.demux(stream):
        if packet.size == 0:  # flush packet at end of stream
            continue
        packet_pts = packet.pts if packet.pts is not None else packet.dts
        if packet_pts is None:
            stamped = False
            packet_pts = len(pts_list)  # decode order; frames are counted as decoded
        pts_list.append(packet_pts)
        if packet.dts is not None:
            dts_list.append(packet.dts)
        key_list.append(packet.is_keyframe)
        discard_list.append(packet.is_discard)
    if not pts_list:
        raise MediaError(f"video {container.name!r} has no video frames")

    if not stamped:  # a raw stream (e.g. .h264 from a Raspberry Pi camera): decode order
        pts_list, dts_list = list(range(len(pts_list))), []
    pts = np.asarray(pts_list, dtype=np.int64)
    decode_order_stamps = bool(np.all(np.diff(pts) > 0))
    order = np.argsort(pts, kind="stable")
    pts = pts[order]
    is_key = np.asarray(key_list, dtype=bool)[order]
    discarded = np.asarray(discard_list, dtype=bool)[order]
    # Equal timestamps are kept: each packet is a frame (the container rounded their
    # timestamps together, e.g. Matroska's milliseconds above 1000 fps).
    is_key[0] = True  # decoding always starts at the first packet when seeking to the start

    positions = np.arange(len(pts), dtype=np.int64)
    key_packet = np.maximum.accumulate(np.where(is_key, positions, 0))
    shown = ~discarded
    if not shown.any():
        raise MediaError(f"video {container.name!r}: every frame is flagged as discarded")
    frame_pts = pts[shown]
    # Seek by the keyframe's own pts: with B-frames its dts is earlier, and seeking
    # backward to that dts lands on the previous keyframe (a whole extra GOP decoded).
    seek_ts = pts[key_packet[shown]]
    # The first keyframe is sought by the earliest timestamp in the file: demuxers that
    # seek by decode timestamps (MPEG-TS) land after the first keyframe when given its pts.
    seek_ts[key_packet[shown] == 0] = min([int(pts[0]), *dts_list])
    # The first frame decoding from that keyframe presents (the keyframe may be discarded):
    # the number of frames shown before the keyframe's packet.
    shown_before = np.cumsum(shown) - shown
    keyframe_of = shown_before[key_packet[shown]].astype(np.int64)
    return FrameIndex(
        pts=frame_pts,
        keyframe_of=keyframe_of,
        seek_ts=seek_ts,
        time_base=stream.time_base,
        decode_order_stamps=decode_order_stamps,
        stamped=stamped,
        discarded_pts=pts[discarded],
    )
