"""The synthetic whisker session: determinism, clocks, keys and consistency with the video."""

from __future__ import annotations

import time

import numpy as np
import pytest

from napari_whiskertoolbox.core import ArrayMedia, DataManager, ImageSize
from napari_whiskertoolbox.sample import (
    CONTACT_THRESHOLD_DEG,
    TICKS_PER_FRAME,
    make_sample_session,
)


@pytest.fixture(scope="module")
def session() -> DataManager:
    start = time.perf_counter()
    dm = make_sample_session()
    print(f"make_sample_session(): {time.perf_counter() - start:.3f} s")  # reported, not asserted
    return dm


def test_keys_types_and_clocks(session):
    expected = {
        "media": ("video", "camera"),
        "whiskers": ("line", "camera"),
        "nose": ("points", "camera"),
        "pad": ("points", "camera"),
        "pad_mask": ("mask", "camera"),
        "whisker_angle": ("analog", "time"),
        "contact": ("digital_interval", "time"),
        "contact_events": ("digital_event", "time"),
    }
    assert set(session.keys()) == set(expected)
    for key, (data_type, clock) in expected.items():
        assert session.data_type(key) == data_type, key
        assert session.time_key(key) == clock, key
    assert set(session.time_keys()) == {"time", "camera"}


def test_camera_clock_holds_master_ticks_of_each_frame(session):
    camera, master = session.get_time("camera"), session.get_time("time")
    assert len(camera) == 300
    assert len(master) == 300 * TICKS_PER_FRAME
    np.testing.assert_array_equal(camera.times, np.arange(300) * TICKS_PER_FRAME)
    np.testing.assert_array_equal(master.times, np.arange(3000))
    assert master.sampling_rate == pytest.approx(10 * camera.sampling_rate)
    assert session.convert_index(7, "camera", "time") == 70


def test_media_is_a_gray_video(session):
    media = session.get_data("media")
    assert isinstance(media, ArrayMedia)
    assert media.kind == "video"
    assert media.shape == (300, 240, 320)
    assert media.dtype == np.uint8


def test_spatial_containers_know_the_image_size(session):
    for key in ["whiskers", "nose", "pad", "pad_mask"]:
        assert session.get_data(key).image_size == ImageSize(320, 240), key


def test_session_starts_clean(session):
    assert not session.modified
    assert not session.history.can_undo


def test_two_calls_give_equal_data():
    a, b = make_sample_session(n_frames=40, seed=3), make_sample_session(n_frames=40, seed=3)
    np.testing.assert_array_equal(a.get_data("media").array, b.get_data("media").array)
    for key in ["whiskers", "nose", "pad", "pad_mask"]:
        fa, fb = a.get_data(key).to_flat(), b.get_data(key).to_flat()
        np.testing.assert_array_equal(fa.times, fb.times)
        np.testing.assert_array_equal(fa.coords, fb.coords)
    np.testing.assert_array_equal(
        a.get_data("whisker_angle").values, b.get_data("whisker_angle").values
    )
    np.testing.assert_array_equal(a.get_data("contact").intervals, b.get_data("contact").intervals)
    other = make_sample_session(n_frames=40, seed=4)
    assert not np.array_equal(a.get_data("media").array, other.get_data("media").array)


def test_n_frames_is_respected():
    dm = make_sample_session(n_frames=25)
    assert len(dm.get_data("media")) == 25
    assert dm.get_data("whiskers").times_with_data().tolist() == list(range(25))
    assert len(dm.get_data("whisker_angle")) == 25 * TICKS_PER_FRAME
    with pytest.raises(ValueError, match="n_frames"):
        make_sample_session(n_frames=0)


def test_whiskers_per_frame(session):
    whiskers = session.get_data("whiskers")
    assert whiskers.times_with_data().tolist() == list(range(300))
    for t in [0, 150, 299]:
        lines = whiskers.at(t)
        assert 3 <= len(lines) <= 5
        for line in lines:
            assert line.dtype == np.float32
            assert 20 <= len(line) <= 40


def test_traced_whiskers_lie_on_bright_drawn_curves(session):
    video = session.get_data("media").array
    whiskers = session.get_data("whiskers")
    for t in [0, 37, 123, 299]:
        frame = video[t]
        background = np.median(frame)
        for line in whiskers.at(t):
            # sample the polyline densely and look up the nearest pixel
            u = np.linspace(0, len(line) - 1, 200)
            x = np.interp(u, np.arange(len(line)), line[:, 0])
            y = np.interp(u, np.arange(len(line)), line[:, 1])
            inside = (x >= 0) & (x < 320) & (y >= 0) & (y < 240)
            assert inside.mean() > 0.9
            rows, cols = np.rint(y[inside]).astype(int), np.rint(x[inside]).astype(int)
            values = frame[rows, cols]
            # a 1-pixel rasterisation may cut a cell corner the exact curve touches
            assert np.mean(values >= 180) > 0.95, f"frame {t}"
            assert values.mean() > background + 120
            padded = np.pad(frame, 1)
            near = np.max(
                [padded[rows + 1 + dr, cols + 1 + dc] for dr in (-1, 0, 1) for dc in (-1, 0, 1)],
                axis=0,
            )
            assert near.min() >= 180, f"frame {t}"
    # moving the traced line off the whisker lands on darker pixels
    line = whiskers.at(50)[1]
    shifted = np.rint(line[5:] + [0, 6]).astype(int)
    assert video[50][shifted[:, 1], shifted[:, 0]].mean() < 150


def test_whiskers_move_with_the_angle(session):
    whiskers = session.get_data("whiskers")
    angle = session.get_data("whisker_angle").values
    tips = np.array([whiskers.at(t)[1][-1, 1] for t in range(300)])
    frame_angle = angle[np.arange(300) * TICKS_PER_FRAME]
    # a larger (protraction) angle raises the tip: y decreases
    assert np.corrcoef(tips, frame_angle)[0, 1] < -0.95
    assert np.ptp(frame_angle) > 20


def test_points_and_mask_follow_the_head(session):
    video = session.get_data("media").array
    nose, pad, mask = (session.get_data(k) for k in ["nose", "pad", "pad_mask"])
    for t in [0, 100, 250]:
        assert nose.at(t).shape == (1, 2)
        ((x, y),) = np.rint(nose.at(t)).astype(int)
        assert video[t, y, x] > 90  # the nose is a bright spot on the face
        pad_xy = pad.at(t)[0]
        image = mask.rasterize(t)
        assert image.shape == (240, 320)
        assert image[int(round(pad_xy[1])), int(round(pad_xy[0]))]
        assert 1000 < image.sum() < 3000
    positions = np.array([pad.at(t)[0] for t in range(300)])
    assert np.ptp(positions[:, 0]) > 2 and np.ptp(positions[:, 1]) > 2
    first, later = mask.at(0)[0], mask.at(150)[0]
    shift = positions[150] - positions[0]
    np.testing.assert_array_equal(
        np.sort(later.view(np.uint64).ravel()),
        np.sort((first + shift.astype(np.int64)).astype(np.uint32).view(np.uint64).ravel()),
    )


def test_contacts_match_the_angle(session):
    angle = session.get_data("whisker_angle").values
    contact = session.get_data("contact")
    events = session.get_data("contact_events")
    assert len(contact) >= 2
    inside = np.zeros(len(angle), bool)
    for start, end in contact.intervals:
        inside[start : end + 1] = True
    np.testing.assert_array_equal(inside, angle > CONTACT_THRESHOLD_DEG)
    np.testing.assert_array_equal(events.times, contact.intervals[:, 0])
    for t in events.times:
        assert angle[t] > CONTACT_THRESHOLD_DEG >= angle[t - 1]
