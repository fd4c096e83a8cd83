"""TimeFrame: index <-> time conversion, ties, clamping, validation."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from napari_whiskertoolbox.core import DataManager, DigitalEventSeries, TimeFrame, TimeFrameIndex


@pytest.fixture
def camera() -> TimeFrame:
    return TimeFrame([0, 10, 20, 30], sampling_rate=1000.0)


def test_times_are_read_only_int64(camera: TimeFrame):
    assert camera.times.dtype == np.int64
    assert not camera.times.flags.writeable
    assert len(camera) == 4


def test_time_at_index_clamps_both_ends(camera: TimeFrame):
    assert camera.time_at_index(2) == 20
    assert camera.time_at_index(-3) == 0
    assert camera.time_at_index(99) == 30


@pytest.mark.parametrize(
    ("time", "expected"),
    [(20, 2), (14, 1), (15, 1), (16, 2), (-100, 0), (1000, 3), (0, 0), (30, 3)],
)
def test_index_at_time_nearest_ties_to_earlier(camera: TimeFrame, time: int, expected: int):
    assert camera.index_at_time(time) == expected


@pytest.mark.parametrize(("time", "expected"), [(20, 2), (11, 2), (19, 2), (-5, 0), (31, 3)])
def test_index_at_time_not_preceding_takes_next(camera: TimeFrame, time: int, expected: int):
    assert camera.index_at_time(time, preceding=False) == expected


def test_vectorised_matches_scalar(camera: TimeFrame):
    times = np.arange(-5, 40)
    for preceding in (True, False):
        expected = [camera.index_at_time(int(t), preceding) for t in times]
        np.testing.assert_array_equal(camera.indices_at_times(times, preceding), expected)
    np.testing.assert_array_equal(camera.times_at_indices([-1, 0, 3, 7]), [0, 0, 30, 30])


def test_convert_between_clocks():
    master = TimeFrame.from_count(100)
    camera = TimeFrame([0, 10, 20, 30])
    assert camera.convert_index(2, master) == 20
    assert master.convert_index(24, camera) == 2
    assert master.convert_index(25, camera) == 2  # tie -> earlier
    assert master.convert_index(25, camera, preceding=False) == 3
    np.testing.assert_array_equal(master.convert_index(np.array([0, 16, 99]), camera), [0, 2, 3])
    assert camera.convert_index(3, camera) == 3


def test_duplicate_times_allowed_and_exact_match_is_first():
    tf = TimeFrame([0, 5, 5, 9])
    assert tf.index_at_time(5) == 1


def test_seconds_need_sampling_rate(camera: TimeFrame):
    assert camera.seconds_at_index(2) == pytest.approx(0.02)
    with pytest.raises(ValueError, match="sampling_rate"):
        TimeFrame.from_count(3).seconds_at_index(1)


@pytest.mark.parametrize(
    ("times", "message"),
    [
        ([0, 5, 3, 9], "index 2"),
        ([[0, 1], [2, 3]], "1-D"),
        ([0.0, 1.5], "index 1"),
        (["a", "b"], "integers"),
    ],
)
def test_invalid_times_raise_naming_the_problem(times, message):
    with pytest.raises(ValueError, match=message):
        TimeFrame(times)


def test_integral_floats_accepted():
    np.testing.assert_array_equal(TimeFrame([0.0, 2.0]).times, [0, 2])


def test_empty_clock_cannot_convert():
    tf = TimeFrame.from_count(0)
    assert len(tf) == 0
    with pytest.raises(ValueError, match="empty"):
        tf.index_at_time(3)


def test_bad_sampling_rate():
    with pytest.raises(ValueError, match="sampling_rate"):
        TimeFrame([0, 1], sampling_rate=-1)


def test_timeframe_index_is_int():
    i = TimeFrameIndex(7)
    assert i == 7
    assert i.value == 7
    assert isinstance(i, int)
    assert TimeFrame.from_count(10).time_at_index(i) == 7


def test_equality_and_hash_follow_values():
    a = TimeFrame([0, 10, 20], sampling_rate=100.0)
    b = TimeFrame(np.array([0, 10, 20]), sampling_rate=100.0)
    assert a == b
    assert hash(a) == hash(b)
    assert a != TimeFrame([0, 10, 20])
    assert a != TimeFrame([0, 10, 21], sampling_rate=100.0)
    assert len({a, b}) == 1
    with pytest.raises(AttributeError):
        a.sampling_rate = 5.0


def test_samples_per_second_divides_the_tick_rate_by_the_tick_step() -> None:
    assert TimeFrame(np.arange(0, 100, 10), sampling_rate=5000.0).samples_per_second == 500.0
    assert TimeFrame.from_count(5, sampling_rate=30.0).samples_per_second == 30.0
    assert TimeFrame.from_count(5).samples_per_second is None
    assert TimeFrame([7], sampling_rate=2.0).samples_per_second == 2.0


@pytest.mark.parametrize("n", [1, 2, 9])
def test_counting_clock_converts_like_its_times_array(n: int) -> None:
    counting, explicit = TimeFrame.from_count(n, 30.0), TimeFrame(np.arange(n), 30.0)
    assert counting.is_counting
    assert not explicit.is_counting
    assert counting == explicit
    assert explicit == counting
    assert hash(counting) == hash(explicit)
    assert repr(counting) == repr(explicit)
    probes = [
        np.arange(-3, n + 3),
        np.arange(-3, n + 3) + 0.5,
        np.array([np.nan, np.inf, -np.inf, 0.49, 0.51]),
    ]
    for times in probes:
        for preceding in (True, False):
            np.testing.assert_array_equal(
                counting.indices_at_times(times, preceding),
                explicit.indices_at_times(times, preceding),
            )
    np.testing.assert_array_equal(counting.times, explicit.times)
    assert counting.samples_per_second == explicit.samples_per_second == 30.0


def test_counting_clock_of_two_billion_samples_stores_only_its_count() -> None:
    """Event times as sample numbers of a long recording: the automatic clock grows to 2e9."""
    dm = DataManager()
    dm.set_data("spikes", DigitalEventSeries([5, 2_000_000_000]))
    clock = dm.get_time("time")
    assert len(clock) == 2_000_000_001
    assert clock._times is None  # no 16 GB array behind it
    assert clock.index_at_time(1_999_999_999.6) == 2_000_000_000
    assert clock.convert_index(1_000_000_000, TimeFrame([0, 10**9])) == 1
    restored = pickle.loads(pickle.dumps(clock))
    assert restored == clock
    assert restored._times is None
    assert TimeFrame.from_count(3) != TimeFrame([0, 1, 3])
    assert TimeFrame.from_count(3) != TimeFrame([0, 0, 2])


@pytest.mark.parametrize(
    ("n", "start", "step"),
    [
        (1, 0.0, 1.0),
        (2, 5.0, 3.0),
        (9, -4.0, 1000.0),
        (12, 0.0, 1.5),
        (11, 2.5, 0.5),
        (7, 1.0, 4 / 3),
    ],
)
def test_regular_clock_converts_like_its_times_array(n: int, start: float, step: float) -> None:
    regular = TimeFrame.regular(n, step, start, sampling_rate=30.0)
    explicit = TimeFrame(np.rint(start + np.arange(n) * step).astype(np.int64), 30.0)
    assert regular.regular_form == (start, step)
    assert explicit.regular_form is None
    assert regular == explicit
    assert explicit == regular
    assert hash(regular) == hash(explicit)
    assert repr(regular) == repr(explicit)
    span = int(start + n * step) + 3
    probes = [
        np.arange(int(start) - 3, span),
        np.arange(int(start) - 3, span) + 0.5,
        np.array([np.nan, np.inf, -np.inf, start + 0.49, start + 0.51]),
    ]
    for times in probes:
        for preceding in (True, False):
            np.testing.assert_array_equal(
                regular.indices_at_times(times, preceding),
                explicit.indices_at_times(times, preceding),
            )
    np.testing.assert_array_equal(
        regular.times_at_indices(np.arange(-2, n + 2)),
        explicit.times_at_indices(np.arange(-2, n + 2)),
    )
    assert [regular.time_at_index(i) for i in range(n)] == list(explicit.times)
    np.testing.assert_array_equal(regular.times, explicit.times)
    assert regular.samples_per_second == pytest.approx(30.0 / step)
    assert pickle.loads(pickle.dumps(regular)).regular_form == (start, step)


def test_regular_clock_checks_its_form_and_keeps_it_with_a_new_rate() -> None:
    with pytest.raises(ValueError, match="step must be a positive"):
        TimeFrame.regular(3, 0.0)
    with pytest.raises(ValueError, match="start must be finite"):
        TimeFrame.regular(3, 1.0, np.nan)
    assert TimeFrame.regular(3, 1.0).is_counting
    assert not TimeFrame.regular(3, 1.0, 1.0).is_counting
    big = TimeFrame.regular(2_000_000_000, 1000.0, 7.0)
    retimed = big.with_sampling_rate(30000.0)
    assert retimed.regular_form == (7.0, 1000.0)
    assert retimed.sampling_rate == 30000.0
    assert retimed._times is None
    explicit = TimeFrame([0, 2, 4]).with_sampling_rate(2.0)
    assert explicit.sampling_rate == 2.0
    np.testing.assert_array_equal(explicit.times, [0, 2, 4])


def test_regular_clock_of_two_billion_ticks_converts_without_its_times() -> None:
    """A 2e9-sample recording starting at tick 60000, counted in 4/3 finer ticks."""
    clock = TimeFrame.regular(2_000_000_000, 4 / 3, 60_000.0)
    last = clock.time_at_index(1_999_999_999)
    assert last == round(60_000 + 1_999_999_999 * 4 / 3)
    assert clock.index_at_time(last) == 1_999_999_999
    assert clock.index_at_time(last + 10**6) == 1_999_999_999
    assert clock.index_at_time(0) == 0
    assert clock.index_at_time(60_000 + 4 * 10**8 + 1, preceding=False) == 3 * 10**8 + 1
    assert clock.index_at_time(60_000 + 4 * 10**8 + 2) == 3 * 10**8 + 1  # tie: the earlier
    counting = TimeFrame.from_count(2_000_000_000)
    assert clock != counting
    assert clock == TimeFrame.regular(2_000_000_000, 4 / 3, 60_000.0)
    assert clock._times is None
    assert counting._times is None
