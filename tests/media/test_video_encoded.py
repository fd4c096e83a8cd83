"""VideoMedia on videos the tests encode: B-frames, open GOPs, several codecs and containers."""

from __future__ import annotations

import av
import numpy as np
import pytest

from napari_whiskertoolbox.media import VideoMedia

GRAY_VIDEOS = [
    "h264_bframes.mp4",
    "h264_bframes.mkv",
    "h264_open_gop.mkv",
    "h264_bframes.mov",
    "mpeg4_bframes.avi",
    "mpeg4_bframes.mkv",
]


def _has_b_frames(path) -> bool:
    """Whether decode order differs from presentation order somewhere in the file."""
    with av.open(str(path)) as container:
        pts = [p.pts for p in container.demux(video=0) if p.size]
    return pts != sorted(pts)


@pytest.mark.parametrize("name", GRAY_VIDEOS)
def test_encoded_video_really_has_b_frames(encoded_videos, name):
    assert _has_b_frames(encoded_videos[name].path)


@pytest.mark.parametrize("name", GRAY_VIDEOS)
def test_sequential_frames_carry_their_number(encoded_videos, decode_pattern, name):
    video = encoded_videos[name]
    with VideoMedia(video.path) as media:
        assert media.shape == (video.n_frames, 96, 128)
        assert media.gray
        numbers = [decode_pattern(media[i]) for i in range(len(media))]
    assert numbers == list(range(video.n_frames))


@pytest.mark.parametrize("name", GRAY_VIDEOS)
def test_random_access_frames_carry_their_number(encoded_videos, decode_pattern, name):
    video = encoded_videos[name]
    rng = np.random.default_rng(3)
    jumps = [video.n_frames - 1, 0, 13, 12, 11, 25, 24, 1, video.n_frames - 2]
    indices = [*jumps, *rng.integers(0, video.n_frames, 30).tolist()]
    with VideoMedia(video.path, read_ahead=0) as media:
        for i in indices:
            assert decode_pattern(media[i]) == i, f"{name} frame {i}"


def test_slices_of_a_b_frame_video(encoded_videos, decode_pattern):
    with VideoMedia(encoded_videos["h264_bframes.mp4"].path) as media:
        stack = media[30:60:3]
        assert stack.shape == (10, 96, 128)
        assert [decode_pattern(f) for f in stack] == list(range(30, 60, 3))
        backwards = media[50:40:-1]
        assert [decode_pattern(f) for f in backwards] == list(range(50, 40, -1))


def test_color_video_is_rgb_by_default(encoded_videos, decode_pattern):
    video = encoded_videos["h264_color.mp4"]
    with VideoMedia(video.path) as media:
        assert not media.gray
        assert media.shape == (video.n_frames, 96, 128, 3)
        assert media.ndim == 4
        numbers = [decode_pattern(media[i]) for i in [39, 0, 17, 16, 18]]
    assert numbers == [39, 0, 17, 16, 18]


def test_color_video_read_as_gray(encoded_videos):
    with VideoMedia(encoded_videos["h264_color.mp4"].path, gray=True) as media:
        assert media.gray
        assert media.shape == (40, 96, 128)
        frame = media[5]
    # red (bit 0 of 5 is set) is brighter in luma than blue (bit 1 of 5 is clear)
    assert frame[36:44, 4:12].mean() > frame[36:44, 20:28].mean() + 20


def test_gray_video_read_as_color(encoded_videos, decode_pattern):
    with VideoMedia(encoded_videos["h264_bframes.mkv"].path, gray=False) as media:
        assert media.shape == (90, 96, 128, 3)
        frame = media[77]
    spread = frame.max(axis=2).astype(int) - frame.min(axis=2)
    assert spread.max() <= 2
    assert decode_pattern(frame[..., 0]) == 77


def test_open_gop_video_has_leading_b_frames(encoded_videos):
    """After a keyframe (in decode order) come frames displayed before it."""
    with av.open(str(encoded_videos["h264_open_gop.mkv"].path)) as container:
        packets = [(p.pts, p.is_keyframe) for p in container.demux(video=0) if p.size]
    leading = [
        later
        for j, (pts, key) in enumerate(packets)
        if key and j > 0
        for later, _ in packets[j + 1 : j + 3]
        if later < pts
    ]
    assert leading


@pytest.mark.parametrize("name", ["h264_bframes.mp4", "h264_bframes.mkv", "h264_bframes.mov"])
def test_random_access_decodes_from_the_preceding_keyframe_only(encoded_videos, name):
    """A seek lands on frame i's own keyframe, not one GOP earlier (B-frames: dts < pts)."""
    video = encoded_videos[name]
    with VideoMedia(video.path, read_ahead=0, cache_size=1) as media:
        keyframes = media.frame_index.keyframes
        target = int(keyframes[-1]) + 2  # just after the last keyframe: two frames to decode
        assert target < len(media)
        before = media.stats
        media[target]
        after = media.stats
    assert after.seeks - before.seeks == 1
    # Decoding from the keyframe reaches the target within its GOP plus the B-frame delay.
    assert after.decoded - before.decoded <= (target - keyframes[-1]) + 4
