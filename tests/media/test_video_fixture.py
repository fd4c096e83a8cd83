"""VideoMedia on WhiskerToolbox's real 1000-frame H.264 test video (keyframe every 250)."""

from __future__ import annotations

import gc
import threading
import time
import weakref

import numpy as np
import pytest

from napari_whiskertoolbox.media import VideoMedia


@pytest.fixture
def video(frame_number_video):
    media = VideoMedia(frame_number_video)
    yield media
    media.close()


def test_shape_dtype_and_metadata(video, frame_number_video):
    assert video.shape == (1000, 480, 640)
    assert len(video) == 1000
    assert video.ndim == 3
    assert video.dtype == np.uint8
    assert video.kind == "video"
    assert video.gray
    assert video.source_path == frame_number_video.resolve()
    assert video.contrast_limits == (0.0, 255.0)
    assert video.fps == pytest.approx(25.0)


def test_frame_index_comes_from_packets(video):
    index = video.frame_index
    assert len(index) == 1000
    assert np.all(np.diff(index.pts) > 0)
    # the encoder also made the last frame a keyframe
    np.testing.assert_array_equal(index.keyframes, [0, 250, 500, 750, 999])
    assert index.keyframe_of[249] == 0
    assert index.keyframe_of[250] == 250
    assert index.keyframe_of[998] == 750


def test_every_frame_is_distinct(fixture_video_digests):
    assert len(fixture_video_digests) == 1000
    assert len(set(fixture_video_digests)) == 1000


def test_random_access_matches_sequential_decode(video, fixture_video_digests, digest):
    rng = np.random.default_rng(12345)
    backward_jumps = [999, 0, 500, 499, 250, 249, 750, 1, 998, 251, 251, 3, 2]
    indices = [*backward_jumps, *rng.integers(0, 1000, 80).tolist()]
    for i in indices:
        assert digest(video[i]) == fixture_video_digests[i], f"frame {i}"


def test_sequential_read_matches_sequential_decode(video, fixture_video_digests, digest):
    for i in range(1000):
        assert digest(video[i]) == fixture_video_digests[i], f"frame {i}"


def test_stepping_backward_within_a_gop(video, fixture_video_digests, digest):
    for i in range(620, 590, -1):
        assert digest(video[i]) == fixture_video_digests[i], f"frame {i}"


def test_tuple_slice_and_list_indexing(video, fixture_video_digests, digest):
    frame = video[5, :, :]
    assert frame.shape == (480, 640)
    assert digest(frame) == fixture_video_digests[5]
    crop = video[7, 100:200, ::2]
    assert crop.shape == (100, 320)
    np.testing.assert_array_equal(crop, video[7][100:200, ::2])
    stack = video[10:14]
    assert stack.shape == (4, 480, 640)
    assert [digest(f) for f in stack] == fixture_video_digests[10:14]
    picked = video[[900, 3]]
    assert [digest(f) for f in picked] == [
        fixture_video_digests[900],
        fixture_video_digests[3],
    ]
    assert digest(video[-1]) == fixture_video_digests[999]
    assert video[0:0].shape == (0, 480, 640)


def test_out_of_range_index_raises(video):
    with pytest.raises(IndexError, match="1000"):
        video[1000]
    with pytest.raises(IndexError):
        video[-1001]


def test_frames_are_read_only(video):
    frame = video[3]
    with pytest.raises(ValueError, match="read-only"):
        frame[0, 0] = 1


def test_color_mode_returns_rgb(frame_number_video, fixture_video_digests):
    with VideoMedia(frame_number_video, gray=False) as color:
        assert color.shape == (1000, 480, 640, 3)
        assert not color.gray
        frame = color[321]
        assert frame.shape == (480, 640, 3)
        # a gray video decoded to RGB has equal channels, and tracks the luma image
        channel_spread = frame.max(axis=2).astype(int) - frame.min(axis=2)
        assert channel_spread.max() <= 2
    with VideoMedia(frame_number_video, gray=True) as gray:
        luma = gray[321].astype(float)
    assert np.corrcoef(luma.ravel(), frame[..., 1].astype(float).ravel())[0, 1] > 0.99


def test_concurrent_readers_get_the_right_frames(video, fixture_video_digests, digest):
    errors: list[str] = []

    def read(indices):
        for i in indices:
            if digest(video[i]) != fixture_video_digests[i]:
                errors.append(f"frame {i}")

    rng = np.random.default_rng(7)
    threads = [
        threading.Thread(target=read, args=(range(400, 460),)),
        threading.Thread(target=read, args=(rng.integers(0, 1000, 25).tolist(),)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_sequential_reads_with_read_ahead_interleaved_with_jumps(
    frame_number_video, fixture_video_digests, digest
):
    with VideoMedia(frame_number_video, read_ahead=6, cache_size=4) as media:
        order = [*range(100, 130), 20, *range(21, 40), 700, 701, 702, 10]
        for i in order:
            assert digest(media[i]) == fixture_video_digests[i], f"frame {i}"


def test_without_read_ahead_or_cache(frame_number_video, fixture_video_digests, digest):
    with VideoMedia(frame_number_video, read_ahead=0, cache_size=0) as media:
        for i in [0, 1, 2, 260, 259, 5]:
            assert digest(media[i]) == fixture_video_digests[i], f"frame {i}"


def test_stepping_forward_decodes_without_seeking(frame_number_video):
    with VideoMedia(frame_number_video, read_ahead=0) as media:
        media[600]
        seeks = media.stats.seeks
        for i in range(601, 640):
            media[i]
        assert media.stats.seeks == seeks
        media[100]  # backward jump into another GOP needs a seek
        assert media.stats.seeks == seeks + 1


def test_read_ahead_decodes_following_frames_in_the_background(frame_number_video):
    with VideoMedia(frame_number_video, read_ahead=8) as media:
        for i in range(300, 304):
            media[i]
        deadline = time.monotonic() + 10
        while 311 not in media.cached_frames and time.monotonic() < deadline:
            time.sleep(0.01)
        assert set(range(304, 312)) <= set(media.cached_frames)
        hits = media.stats.cache_hits
        for i in range(304, 312):
            media[i]
        assert media.stats.cache_hits == hits + 8


def test_read_ahead_decodes_earlier_frames_when_reading_backward(
    frame_number_video, fixture_video_digests, digest
):
    # keyframes at 0, 250, 500, 750: decoding 253..250 from keyframe 250 leaves nothing
    # of the GOP before cached; the read-ahead has to decode 242..249 from keyframe 0
    with VideoMedia(frame_number_video, read_ahead=8) as media:
        for i in range(253, 249, -1):
            assert digest(media[i]) == fixture_video_digests[i]
        deadline = time.monotonic() + 20
        while not set(range(242, 250)) <= set(media.cached_frames):
            assert time.monotonic() < deadline, f"cached: {media.cached_frames}"
            time.sleep(0.01)
        assert set(range(242, 250)) <= set(media.cached_frames)
        hits = media.stats.cache_hits
        for i in range(249, 241, -1):
            assert digest(media[i]) == fixture_video_digests[i], f"frame {i}"
        assert media.stats.cache_hits == hits + 8


def test_backward_reading_across_keyframes_gives_every_frame(
    frame_number_video, fixture_video_digests, digest
):
    # keyframes every 250 frames: the read-ahead restarts from the previous GOP's keyframe
    with VideoMedia(frame_number_video, read_ahead=6, cache_size=12) as media:
        for i in range(262, 230, -1):
            assert digest(media[i]) == fixture_video_digests[i], f"frame {i}"
            time.sleep(0.002)
        assert media.stats.cache_hits > 0


def test_random_access_does_not_trigger_read_ahead(frame_number_video):
    with VideoMedia(frame_number_video, read_ahead=8) as media:
        for i in [10, 400, 90, 700]:
            media[i]
        time.sleep(0.2)
        assert 701 not in media.cached_frames


def test_unclosed_video_is_garbage_collected(frame_number_video):
    media = VideoMedia(frame_number_video, read_ahead=4)
    for i in range(5):
        media[i]  # starts the read-ahead thread
    ref = weakref.ref(media)
    del media
    deadline = time.monotonic() + 10  # the read-ahead thread may be finishing a step
    while ref() is not None and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.02)
    assert ref() is None
