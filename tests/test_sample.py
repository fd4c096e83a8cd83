"""The synthetic whisker session: determinism, structure, clocks and drawn-vs-stored consistency."""

from __future__ import annotations

import pickle
import time
from typing import TYPE_CHECKING

import numpy as np
import pytest

from napari_whiskertoolbox import sample
from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    ArrayMedia,
    DataManager,
    DigitalEventSeries,
    DigitalIntervalSeries,
    ImageSize,
    LineData,
    MaskData,
    PointData,
)
from napari_whiskertoolbox.sample import (
    CAMERA_RATE,
    CONTACT_THRESHOLD_DEG,
    IMAGE_SIZE,
    MASTER_RATE,
    N_POINTS_PER_WHISKER,
    TICKS_PER_FRAME,
    SampleVideo,
    make_sample_session,
    whisker_angle_deg,
)

if TYPE_CHECKING:
    from pathlib import Path

N_FRAMES = 300
N_WHISKERS = 4
SPATIAL_KEYS = ("whiskers", "nose", "pad", "pad_mask")
RAGGED_KEYS = SPATIAL_KEYS
WHISKER_MIN_BRIGHTNESS = 190  # whiskers are drawn at 200 (tip) .. 250 (base); nothing else is
EXPECTED_TYPES = {
    "media": (SampleVideo, "camera"),
    "whiskers": (LineData, "camera"),
    "nose": (PointData, "camera"),
    "pad": (PointData, "camera"),
    "pad_mask": (MaskData, "camera"),
    "whisker_angle": (AnalogTimeSeries, "time"),
    "contact": (DigitalIntervalSeries, "time"),
    "contact_events": (DigitalEventSeries, "time"),
}


@pytest.fixture(scope="module")
def session() -> DataManager:
    """The default session (built once; tests only read it)."""
    start = time.perf_counter()
    dm = make_sample_session()
    print(f"make_sample_session() took {time.perf_counter() - start:.2f} s")
    return dm


def whisker_lines(dm: DataManager, frame: int) -> list[np.ndarray]:
    """The ``(30, 2)`` (x, y) vertex arrays of the whiskers traced at ``frame``."""
    return [np.asarray(line, dtype=np.float64) for line in dm["whiskers"].at(frame)]


def densify(line: np.ndarray, per_segment: int = 4) -> np.ndarray:
    """Points along a polyline, ``per_segment`` per segment plus the last vertex."""
    steps = np.linspace(0.0, 1.0, per_segment, endpoint=False)
    starts, ends = line[:-1, None, :], line[1:, None, :]
    inner = (starts + (ends - starts) * steps[None, :, None]).reshape(-1, 2)
    return np.vstack((inner, line[-1:]))


def pixel_values(image: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Values of ``image`` at the pixels nearest to the (x, y) points inside it."""
    cols, rows = np.rint(xy[:, 0]).astype(int), np.rint(xy[:, 1]).astype(int)
    inside = (cols >= 0) & (cols < image.shape[1]) & (rows >= 0) & (rows < image.shape[0])
    return image[rows[inside], cols[inside]]


# ---------------------------------------------------------------------- determinism
def test_two_calls_give_equal_data(session: DataManager) -> None:
    other = make_sample_session()

    assert other.keys() == session.keys()
    assert other.time_keys() == session.time_keys()
    for clock in session.time_keys():
        np.testing.assert_array_equal(other.get_time(clock).times, session.get_time(clock).times)
    np.testing.assert_array_equal(np.asarray(other["media"]), np.asarray(session["media"]))
    for key in RAGGED_KEYS:
        mine, theirs = session[key].to_flat(), other[key].to_flat()
        np.testing.assert_array_equal(theirs.times, mine.times, err_msg=key)
        np.testing.assert_array_equal(theirs.coords, mine.coords, err_msg=key)
        if mine.offsets is None:
            assert theirs.offsets is None, key
        else:
            np.testing.assert_array_equal(theirs.offsets, mine.offsets, err_msg=key)
    np.testing.assert_array_equal(other["whisker_angle"].values, session["whisker_angle"].values)
    np.testing.assert_array_equal(other["contact_events"].times, session["contact_events"].times)
    np.testing.assert_array_equal(other["contact"].intervals, session["contact"].intervals)
    assert other.metadata["sample"] == session.metadata["sample"]


def test_seed_changes_texture_but_not_geometry(session: DataManager) -> None:
    reseeded = make_sample_session(n_frames=20, seed=1)
    same_seed = make_sample_session(n_frames=20, seed=0)

    assert not np.array_equal(np.asarray(reseeded["media"]), np.asarray(same_seed["media"]))
    np.testing.assert_array_equal(
        reseeded["whiskers"].to_flat().coords, same_seed["whiskers"].to_flat().coords
    )
    # a shorter session is the start of the longer one
    np.testing.assert_array_equal(np.asarray(same_seed["media"]), np.asarray(session["media"])[:20])


# ---------------------------------------------------------------------- structure and clocks
def test_keys_types_and_clocks(session: DataManager) -> None:
    assert sorted(session.keys()) == sorted(EXPECTED_TYPES)
    for key, (data_class, clock) in EXPECTED_TYPES.items():
        assert isinstance(session[key], data_class), key
        assert session.time_key(key) == clock, key
    assert session["media"].kind == "video"
    assert session["media"].shape == (N_FRAMES, IMAGE_SIZE.height, IMAGE_SIZE.width)
    assert session["media"].dtype == np.uint8


def test_camera_clock_times_are_master_ticks_of_frames(session: DataManager) -> None:
    master, camera = session.get_time("time"), session.get_time("camera")

    assert master.sampling_rate == MASTER_RATE == CAMERA_RATE * TICKS_PER_FRAME
    # sampling_rate is ticks of the clock's time values per second (TimeFrame), so both
    # clocks put one instant at the same second: frame 250 of a 500 fps camera is at 0.5 s
    assert camera.sampling_rate == MASTER_RATE
    assert camera.seconds_at_index(250) == master.seconds_at_index(250 * TICKS_PER_FRAME)
    assert camera.seconds_at_index(250) == pytest.approx(250 / CAMERA_RATE)
    np.testing.assert_array_equal(master.times, np.arange(N_FRAMES * TICKS_PER_FRAME))
    np.testing.assert_array_equal(camera.times, np.arange(N_FRAMES) * TICKS_PER_FRAME)
    assert session.convert_index(7, "camera", "time") == 7 * TICKS_PER_FRAME
    assert session.convert_index(7 * TICKS_PER_FRAME + 3, "time", "camera") == 7


def test_sizes_per_frame(session: DataManager) -> None:
    assert len(session["whisker_angle"]) == N_FRAMES * TICKS_PER_FRAME
    for frame in (0, N_FRAMES // 2, N_FRAMES - 1):
        lines = session["whiskers"].at(frame)
        assert len(lines) == N_WHISKERS
        assert all(np.shape(line) == (N_POINTS_PER_WHISKER, 2) for line in lines)
        assert session["nose"].count_at(frame) == 1
        assert session["pad"].count_at(frame) == 1
        assert session["pad_mask"].count_at(frame) == 1
    for key in RAGGED_KEYS:
        np.testing.assert_array_equal(session[key].times_with_data(), np.arange(N_FRAMES))


def test_image_size_is_set_on_spatial_data(session: DataManager) -> None:
    media = session["media"]
    for key in SPATIAL_KEYS:
        assert session[key].image_size == ImageSize(width=media.width, height=media.height), key


def test_session_starts_unmodified_without_history(session: DataManager) -> None:
    dm = make_sample_session(n_frames=5)
    assert not dm.modified
    assert dm.undo() is False


@pytest.mark.parametrize("n_frames", [0, -3])
def test_invalid_frame_count_is_rejected(n_frames: int) -> None:
    with pytest.raises(ValueError, match="n_frames"):
        make_sample_session(n_frames=n_frames)


# ---------------------------------------------------------------------- content consistency
@pytest.mark.parametrize("frame", [0, 37, 150, 299])
def test_whisker_lines_lie_on_drawn_whiskers(session: DataManager, frame: int) -> None:
    image = session["media"][frame]
    background = np.median(image)
    for k, line in enumerate(whisker_lines(session, frame)):
        on_line = pixel_values(image, densify(line))
        off_line = pixel_values(image, densify(line + np.array([0.0, 6.0])))
        assert on_line.size > 0.9 * len(densify(line)), f"whisker {k} mostly outside the frame"
        # a few samples may round onto the 1-px tip next to the drawn curve
        assert np.mean(on_line >= WHISKER_MIN_BRIGHTNESS) > 0.9, (frame, k)
        assert np.median(on_line) > background + 120, (frame, k)
        assert np.mean(off_line >= WHISKER_MIN_BRIGHTNESS) < 0.3, (frame, k)


def test_whisker_base_angles_follow_the_analog_angle(session: DataManager) -> None:
    """The traced whiskers' base direction at frame i matches the angle at its master tick."""
    offsets = np.array([24.0, 8.0, -8.0, -24.0])  # top whiskers point up
    camera = session.get_time("camera")
    for frame in range(0, N_FRAMES, 23):
        angle = session["whisker_angle"].value_at(camera.time_at_index(frame))
        base_angles = [
            np.degrees(np.arctan2(-(line[1, 1] - line[0, 1]), line[1, 0] - line[0, 0]))
            for line in whisker_lines(session, frame)
        ]
        np.testing.assert_allclose(base_angles, angle + offsets, atol=1.0, err_msg=str(frame))


def test_points_lie_inside_the_frame_on_the_face(session: DataManager) -> None:
    width, height = IMAGE_SIZE
    video = np.asarray(session["media"])
    for key in ("nose", "pad"):
        coords = session[key].to_flat().coords
        assert np.all((coords[:, 0] >= 0) & (coords[:, 0] < width)), key
        assert np.all((coords[:, 1] >= 0) & (coords[:, 1] < height)), key
    nose = session["nose"].to_flat()
    cols, rows = np.rint(nose.coords.T).astype(int)
    nose_values = video[nose.times, rows, cols]
    assert 105 <= np.median(nose_values) <= 135  # the nose disk is drawn at 120
    assert np.median(nose_values) > np.median(video) + 40


def test_mask_pixels_are_inside_the_image_and_centred_on_the_pad(session: DataManager) -> None:
    width, height = IMAGE_SIZE
    flat = session["pad_mask"].to_flat()
    assert flat.coords.shape[0] > 0
    assert np.all(flat.coords[:, 0] < width)
    assert np.all(flat.coords[:, 1] < height)
    for frame in (0, 111, N_FRAMES - 1):
        pixels = session["pad_mask"].at(frame)[0].astype(np.float64)
        pad = session["pad"].at(frame)[0]
        np.testing.assert_allclose(pixels.mean(axis=0), pad, atol=0.5)
        image = session["pad_mask"].rasterize(frame)
        assert image.shape == (height, width)
        assert image.sum() == len(pixels)


def test_analog_series_carry_their_unit(session: DataManager) -> None:
    """The angle's unit was None although the docstring said degrees."""
    analog_keys = [k for k in session if isinstance(session[k], AnalogTimeSeries)]
    assert analog_keys == ["whisker_angle"]
    assert session["whisker_angle"].unit == "degrees"


def test_analog_angle_is_the_whisking_model(session: DataManager) -> None:
    analog = session["whisker_angle"]
    expected = whisker_angle_deg(analog.times / MASTER_RATE).astype(np.float32)
    np.testing.assert_array_equal(analog.values, expected)


def test_contacts_are_the_runs_above_threshold(session: DataManager) -> None:
    values = session["whisker_angle"].values
    intervals = session["contact"].intervals
    assert len(intervals) > 0
    assert session.metadata["sample"]["contact_threshold_deg"] == CONTACT_THRESHOLD_DEG

    in_contact = np.zeros(len(values), bool)
    for start, end in intervals:
        in_contact[start : end + 1] = True
    np.testing.assert_array_equal(in_contact, values > CONTACT_THRESHOLD_DEG)
    # runs are maximal: the ticks just outside each interval are below threshold
    assert np.all(intervals[1:, 0] > intervals[:-1, 1] + 1)
    np.testing.assert_array_equal(session["contact_events"].times, intervals[:, 0])


def test_mask_moves_rigidly_with_the_pad(session: DataManager) -> None:
    pad, mask = session["pad"], session["pad_mask"]
    first, later = mask.at(0)[0].astype(np.int64), mask.at(150)[0].astype(np.int64)
    shift = np.rint(pad.at(150)[0] - pad.at(0)[0]).astype(np.int64)
    assert np.any(shift != 0)
    assert {tuple(p) for p in later} == {tuple(p) for p in first + shift}


def test_contact_events_are_onsets_from_below_threshold(session: DataManager) -> None:
    values = session["whisker_angle"].values
    for t in session["contact_events"].times:
        assert values[t] > CONTACT_THRESHOLD_DEG >= values[t - 1]


# ---------------------------------------------------------------------- the lazy video
def eager_video(n_frames: int, seed: int) -> np.ndarray:
    """All frames rendered at once, as ``make_sample_session`` drew them before the video
    became lazy (commit 6020fd9): one pass over the frames, then every whisker drawn."""
    rng = np.random.default_rng(seed)
    frame_ticks = np.arange(n_frames, dtype=np.int64) * TICKS_PER_FRAME
    angles = whisker_angle_deg(frame_ticks / MASTER_RATE)
    head = sample._head_shift(frame_ticks / MASTER_RATE)
    whiskers = sample._whisker_curves(angles, head, N_POINTS_PER_WHISKER)
    pole = sample._pole_position()
    height, width = IMAGE_SIZE.height, IMAGE_SIZE.width
    background = 22.0 + 14.0 * sample._smooth_noise(rng, (height, width), 16)
    fur = 60.0 + 35.0 * sample._smooth_noise(rng, (height, width), 4)
    ys, xs = np.mgrid[0:height, 0:width]

    def ellipse(center: np.ndarray, radii: tuple[float, float]) -> np.ndarray:
        return ((xs - center[0]) / radii[0]) ** 2 + ((ys - center[1]) / radii[1]) ** 2 <= 1.0

    face = np.where(ellipse(sample._FACE_CENTER, sample._FACE_RADII), fur, background)
    face = np.where(ellipse(sample._PAD_CENTER, sample._PAD_RADII), fur - 18.0, face)
    face = np.where(ellipse(sample._NOSE, (6.0, 6.0)), 120.0, face)
    pole_disk = (xs - pole[0]) ** 2 + (ys - pole[1]) ** 2 <= sample._POLE_RADIUS**2
    noise_bank = rng.normal(0.0, 3.0, (8, height, width))
    video = np.empty((n_frames, height, width), np.uint8)
    face_f32 = face.astype(np.float32)
    for i in range(n_frames):
        dx, dy = int(head[i, 0]), int(head[i, 1])
        frame = np.roll(face_f32, (dy, dx), axis=(0, 1)) + noise_bank[i % len(noise_bank)]
        frame[pole_disk] = 170.0
        video[i] = np.clip(frame, 0, 255).astype(np.uint8)
    sample._draw_whiskers(video, whiskers)
    return video


@pytest.mark.parametrize("seed", [0, 1])
def test_lazy_frames_equal_the_eager_rendering(session: DataManager, seed: int) -> None:
    expected = eager_video(N_FRAMES, seed)
    media = session["media"] if seed == 0 else make_sample_session(N_FRAMES, seed)["media"]
    # read backwards and in strides, so that no frame depends on the one read before
    for i in [*range(N_FRAMES - 1, -1, -7), *range(N_FRAMES)]:
        np.testing.assert_array_equal(media[i], expected[i], err_msg=f"frame {i}")
    np.testing.assert_array_equal(np.asarray(media), expected)
    np.testing.assert_array_equal(media[10:40:3, 100:120, 50], expected[10:40:3, 100:120, 50])
    np.testing.assert_array_equal(media[-1], expected[-1])


def test_lazy_video_holds_a_few_megabytes_whatever_its_length() -> None:
    short, long = SampleVideo(10), SampleVideo(200_000, cache_size=4)
    assert long.shape == (200_000, IMAGE_SIZE.height, IMAGE_SIZE.width)
    assert long.dtype == np.uint8
    assert long.ndim == 3
    assert len(long) == 200_000
    assert long.kind == "video"
    assert long.nbytes == short.nbytes < 6_000_000
    for i in range(0, 200_000, 20_000):
        long[i]
    assert long.nbytes == short.nbytes + 4 * IMAGE_SIZE.height * IMAGE_SIZE.width
    np.testing.assert_array_equal(long[7], short[7])  # frames do not depend on the length


def test_lazy_frames_are_read_only_and_cached() -> None:
    media = SampleVideo(30, seed=2, cache_size=2)
    first = media[3]
    assert not first.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        first[0, 0] = 1
    assert media[3] is first  # served from the cache
    media[4], media[5]
    assert media[3] is not first  # evicted, rendered again equal
    np.testing.assert_array_equal(media[3], first)
    np.testing.assert_array_equal(SampleVideo(30, seed=2, cache_size=0)[3], first)


@pytest.mark.parametrize(("args", "message"), [((0,), "n_frames"), ((5, 0, -1), "capacity")])
def test_lazy_video_rejects_bad_arguments(args: tuple[int, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SampleVideo(*args)


def test_lazy_video_rejects_frames_out_of_range() -> None:
    media = SampleVideo(5)
    with pytest.raises(IndexError, match="frame 5 out of range for media with 5 frames"):
        media[5]
    with pytest.raises(IndexError, match="frame -6"):
        media.frame(-6)


def test_lazy_video_pickles_as_its_arguments() -> None:
    media = SampleVideo(200_000, seed=4, cache_size=3)
    media[123_456]
    data = pickle.dumps(media, protocol=5)
    assert len(data) < 500  # arguments, not textures or frames
    copy = pickle.loads(data)
    assert type(copy) is SampleVideo
    assert (copy.shape, copy.seed, copy.kind) == (media.shape, 4, "video")
    np.testing.assert_array_equal(copy[123_456], media[123_456])
    np.testing.assert_array_equal(copy[0], media[0])


def test_saved_session_loads_the_same_frames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saving writes the lazy video's frames a block at a time, never the whole video."""
    from napari_whiskertoolbox.io import session_write
    from napari_whiskertoolbox.io.session import load_session, save_session

    frame_bytes = IMAGE_SIZE.width * IMAGE_SIZE.height
    monkeypatch.setattr(session_write, "_FRAME_BLOCK_BYTES", 4 * frame_bytes)
    read_at_once: list[int] = []
    original = SampleVideo.__getitem__

    def recording_getitem(self: SampleVideo, key: object) -> np.ndarray:
        out = original(self, key)
        read_at_once.append(len(out) if out.ndim == 3 else 1)
        return out

    monkeypatch.setattr(SampleVideo, "__getitem__", recording_getitem)
    dm = make_sample_session(n_frames=15, seed=5)
    save_session(dm, tmp_path / "sample.session")
    assert read_at_once == [4, 4, 4, 3]
    monkeypatch.undo()
    loaded = load_session(tmp_path / "sample.session")
    assert isinstance(loaded["media"], ArrayMedia)  # saved as the frames themselves
    assert loaded.time_key("media") == "camera"
    np.testing.assert_array_equal(np.asarray(loaded["media"]), np.asarray(dm["media"]))
    np.testing.assert_array_equal(
        loaded["pad_mask"].to_flat().coords, dm["pad_mask"].to_flat().coords
    )


@pytest.mark.parametrize(
    "head",
    [
        np.array([[0.0, 0.0], [-4.0, 3.0], [2.0, -3.0]]),  # every pixel inside (the sample)
        np.array([[-100.0, 0.0], [0.0, 0.0], [220.0, -100.0], [0.0, 200.0]]),  # cut at edges
        np.array([[-500.0, 0.0], [3.0, 1.0]]),  # a frame with no pixel left
    ],
)
def test_pad_mask_keeps_the_pixels_inside_the_image(head: np.ndarray) -> None:
    template = sample._ellipse_pixels(sample._PAD_CENTER, sample._PAD_RADII)
    mask = sample._pad_mask(head)
    for frame, (dx, dy) in enumerate(head.astype(np.int64)):
        moved = template + np.array([dx, dy])
        inside = np.all((moved >= 0) & (moved < np.array(IMAGE_SIZE)), axis=1)
        pixels = mask.at(frame)[0] if mask.count_at(frame) else np.empty((0, 2), np.uint32)
        np.testing.assert_array_equal(pixels, moved[inside], err_msg=f"frame {frame}")
