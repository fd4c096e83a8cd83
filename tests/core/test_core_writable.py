"""``with obj.writable() as arr``: zero-copy writes, one undo step, one signal, read-only after."""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DataManager,
    LineData,
    MaskData,
    PointData,
    TensorData,
)


def _recorded(dm: DataManager) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []
    dm.data_changed.connect(lambda key, frames: seen.append((key, frames)))
    return seen


def test_analog_block_is_zero_copy_and_read_only_outside() -> None:
    series = AnalogTimeSeries(np.arange(1000, dtype=np.float32))
    before = series.values
    with series.writable() as arr:
        assert np.shares_memory(arr, series.values)
        assert arr.flags.writeable
        assert not series.values.flags.writeable
        arr *= 2
        assert series.values[10] == 20  # seen through values at once: one buffer
    assert not arr.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        arr[0] = 1
    with pytest.raises(ValueError, match="read-only"):
        series.values[0] = 1
    assert np.shares_memory(before, series.values)  # the storage was never replaced
    np.testing.assert_array_equal(series.values, np.arange(1000) * 2)


def test_analog_block_is_one_undo_step_and_one_signal_with_frames() -> None:
    dm = DataManager()
    series = AnalogTimeSeries(np.arange(100, dtype=np.float32))
    dm.set_data("angle", series)
    seen = _recorded(dm)
    steps = len(dm.history)
    with series.writable() as arr:
        for i in (5, 6, 40):  # three writes, still one step and one signal
            arr[i] = -1
    assert len(dm.history) == steps + 1
    assert len(seen) == 1
    key, frames = seen[0]
    assert key == "angle"
    np.testing.assert_array_equal(frames, [5, 6, 40])
    assert dm.modified
    assert dm.undo()
    np.testing.assert_array_equal(series.values, np.arange(100))
    assert dm.redo()
    assert series.values[40] == -1
    assert series.values[7] == 7


def test_analog_block_changing_everything_undoes_and_redoes() -> None:
    dm = DataManager()
    series = AnalogTimeSeries(np.linspace(0, 1, 5000, dtype=np.float32))
    dm.set_data("x", series)
    original = series.values.copy()
    with series.writable() as arr:
        arr *= 3
    tripled = series.values.copy()
    for _ in range(2):
        dm.undo()
        np.testing.assert_array_equal(series.values, original)
        dm.redo()
        np.testing.assert_array_equal(series.values, tripled)


def test_unchanged_block_records_nothing() -> None:
    dm = DataManager()
    series = AnalogTimeSeries(np.arange(10, dtype=np.float32))
    dm.set_data("x", series)
    seen = _recorded(dm)
    steps = len(dm.history)
    with series.writable() as arr:
        arr[3] = 3  # same value
    assert len(dm.history) == steps
    assert seen == []


def test_nan_writes_are_changes_and_nan_to_nan_is_not() -> None:
    dm = DataManager()
    series = AnalogTimeSeries(np.array([np.nan, 1, 2], np.float32))
    dm.set_data("x", series)
    seen = _recorded(dm)
    with series.writable() as arr:
        arr[0] = np.nan
        arr[1] = np.nan
    np.testing.assert_array_equal(seen[0][1], [1])


def test_sparse_analog_reports_time_indices() -> None:
    dm = DataManager()
    series = AnalogTimeSeries(np.zeros(4, np.float32), times=[10, 20, 20, 30])
    dm.set_data("x", series)
    seen = _recorded(dm)
    with series.writable() as arr:
        arr[1:3] = 1
    np.testing.assert_array_equal(seen[0][1], [20])


def test_standalone_series_emits_once_without_copy() -> None:
    series = AnalogTimeSeries(np.zeros(10, np.float32))
    changes = []
    series.changed.connect(changes.append)
    with series.writable() as arr:
        arr[:] = 1
    assert len(changes) == 1
    assert changes[0].frames is None


def test_nested_block_is_refused() -> None:
    series = AnalogTimeSeries(np.zeros(10, np.float32))
    with series.writable(), pytest.raises(RuntimeError, match="already open"):
        series.writable().__enter__()
    with series.writable() as arr:  # closed blocks can be reopened
        arr[0] = 1


def test_memory_mapped_read_only_series_is_copied_once(tmp_path) -> None:
    raw_path = tmp_path / "raw.bin"
    np.arange(50, dtype=np.int16).tofile(raw_path)
    raw = np.memmap(raw_path, dtype=np.int16, mode="r")
    series = AnalogTimeSeries.from_raw(raw, scale=0.5)
    with series.writable() as arr:
        arr += 1
    with series.writable() as again:
        assert np.shares_memory(again, series.values)
    np.testing.assert_array_equal(series.values, np.arange(50) * 0.5 + 1)
    assert np.fromfile(raw_path, np.int16)[3] == 3  # the file is untouched


def test_tensor_block_reports_time_rows() -> None:
    dm = DataManager()
    tensor = TensorData(np.ones((4, 3)), row_type="time", rows=[2, 4, 6, 8])
    dm.set_data("t", tensor)
    seen = _recorded(dm)
    with tensor.writable() as arr:
        assert np.shares_memory(arr, tensor.values)
        arr[2, 1] = 7
    np.testing.assert_array_equal(seen[0][1], [6])
    dm.undo()
    np.testing.assert_array_equal(tensor.values, np.ones((4, 3)))


def test_points_coordinates_keep_ids_and_report_frames() -> None:
    dm = DataManager()
    points = PointData()
    first = points.add(3, [[1, 2], [3, 4]])
    second = points.add(7, [[5, 6]])
    dm.set_data("nose", points)
    seen = _recorded(dm)
    with points.writable() as coords:
        assert coords.shape == (3, 2)
        assert np.shares_memory(coords, points.to_flat().coords)
        coords[2] += 10  # the point of frame 7
    np.testing.assert_array_equal(points.at(7), [[15, 16]])
    np.testing.assert_array_equal(points.ids_at(3), first)
    np.testing.assert_array_equal(points.ids_at(7), second)
    np.testing.assert_array_equal(seen[0][1], [7])
    points.add(9, [[0, 0]])  # a later edit in the overlay, then undo both
    dm.undo()
    dm.undo()
    np.testing.assert_array_equal(points.at(7), [[5, 6]])


def test_points_keep_nan_written_in_a_block_and_undo_it() -> None:
    """NaN coordinates are data (WhiskerToolbox keeps them); a NaN left as it was is no edit."""
    dm = DataManager()
    points = PointData()
    points.add(0, [[1, 2], [np.nan, 4]])
    dm.set_data("nose", points)
    steps = len(dm.history)
    with points.writable() as coords:
        coords[1, 1] = 5  # the NaN row's other coordinate
    assert len(dm.history) == steps + 1
    with points.writable() as coords:
        coords[0, 0] = np.nan
    np.testing.assert_array_equal(points.at(0), [[np.nan, 2], [np.nan, 5]])
    dm.undo()
    np.testing.assert_array_equal(points.at(0), [[1, 2], [np.nan, 5]])


def test_lines_rows_map_to_their_frames() -> None:
    dm = DataManager()
    lines = LineData()
    lines.add(1, [[0, 0], [1, 1]])
    lines.add(4, [[0, 0], [1, 1], [2, 2]])
    dm.set_data("whisker", lines)
    seen = _recorded(dm)
    with lines.writable() as coords:
        coords[3:] *= 2
    np.testing.assert_array_equal(lines.at(4)[0], [[0, 0], [2, 2], [4, 4]])
    np.testing.assert_array_equal(seen[0][1], [4])


def test_block_left_by_an_exception_still_records_its_writes() -> None:
    # numpy's writes are immediate: those made before the error stay, so they must still
    # be one undo step and one signal (else layers show stale data and undo cannot reach them)
    dm = DataManager()
    series = AnalogTimeSeries(np.arange(10, dtype=np.float32))
    dm.set_data("angle", series)
    seen = _recorded(dm)
    steps = len(dm.history)
    handed_out: list[np.ndarray] = []

    def write_then_fail() -> None:
        with series.writable() as arr:
            handed_out.append(arr)
            arr[3] = 100
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_then_fail()
    assert series.values[3] == 100
    assert not handed_out[0].flags.writeable
    assert len(dm.history) == steps + 1
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0][1], [3])
    assert dm.undo()
    np.testing.assert_array_equal(series.values, np.arange(10))
    with series.writable() as arr:  # the block is closed
        arr[0] = 5


def test_refused_content_left_by_an_exception_is_rolled_back() -> None:
    from napari_whiskertoolbox.core.writable import WritableStorage, writable_block

    dm = DataManager()
    points = PointData()
    points.add(0, [[1, 2]])
    dm.set_data("nose", points)
    steps = len(dm.history)

    def refuse_negative(coords: np.ndarray) -> None:
        if (coords < 0).any():
            raise ValueError("negative")

    storage = WritableStorage(
        points._writable_coords, points._frames_of_rows, "edit", refuse_negative
    )

    def write_then_fail() -> None:
        with writable_block(points, storage) as coords:
            coords[0, 0] = -1
            raise KeyError("oops")

    with pytest.raises(KeyError, match="oops"):  # the block's own error is the one raised
        write_then_fail()
    np.testing.assert_array_equal(points.at(0), [[1, 2]])
    assert len(dm.history) == steps


def test_whole_array_operation_on_a_large_series_signals_everything_and_undoes() -> None:
    dm = DataManager()
    original = np.linspace(1, 2, 100_000, dtype=np.float32)
    series = AnalogTimeSeries(original.copy())
    dm.set_data("x", series)
    seen = _recorded(dm)
    with series.writable() as arr:
        arr *= 2
    assert len(seen) == 1
    assert seen[0][1] is None
    dm.undo()
    np.testing.assert_array_equal(series.values, original)


def test_few_changes_on_a_large_series_still_report_their_frames() -> None:
    dm = DataManager()
    series = AnalogTimeSeries(np.zeros(100_000, np.float32))
    dm.set_data("x", series)
    seen = _recorded(dm)
    with series.writable() as arr:
        arr[::50] = 1  # every 50th sample: most probes (every 24th) are unchanged
    np.testing.assert_array_equal(seen[0][1], np.arange(0, 100_000, 50))


def test_an_array_lent_twice_stays_shared_until_both_readers_are_done() -> None:
    """Two background saves may read one array: the first one done must not end the loan."""
    from napari_whiskertoolbox.core.writable import is_shared, share

    arr = np.zeros(4)
    first = share(arr)
    second = share(arr)
    assert is_shared(arr)
    del second
    assert is_shared(arr)
    del first
    assert not is_shared(arr)


def _tensor_2d() -> TensorData:
    return TensorData(np.arange(6, dtype=np.float32).reshape(2, 3))


def _tensor_3d() -> TensorData:
    return TensorData(np.arange(24, dtype=np.float32).reshape(2, 3, 4))


def _large_tensor() -> TensorData:  # large enough for the probe of whole-array operations
    return TensorData(np.arange(20000, dtype=np.float32).reshape(10000, 2))


def _points() -> PointData:
    points = PointData()
    points.add(3, [[1, 2]])
    points.add(7, [[5, 6]])
    return points


def _lines() -> LineData:
    lines = LineData()
    lines.add(1, [[0, 0], [1, 1]])
    lines.add(4, [[0, 0], [1, 1], [2, 2]])
    return lines


def _masks() -> MaskData:
    masks = MaskData()
    masks.add(2, [[1, 1], [2, 2], [3, 3]])
    return masks


def _analog() -> AnalogTimeSeries:
    return AnalogTimeSeries(np.arange(12, dtype=np.float32))


def _state(obj: object) -> np.ndarray:
    if isinstance(obj, (AnalogTimeSeries, TensorData)):
        return obj.values.copy()
    assert isinstance(obj, (PointData, LineData, MaskData))
    return obj.to_flat().coords.copy()


def _add_one_everywhere(arr: np.ndarray) -> None:
    arr += 1


def _add_one_to_most(arr: np.ndarray) -> None:  # more than a third, not all: a full step
    arr.reshape(-1)[1:] += 1


def _change_one(arr: np.ndarray) -> None:
    arr.reshape(-1)[-1] += 1


@pytest.mark.parametrize(
    "make", [_analog, _tensor_2d, _tensor_3d, _large_tensor, _points, _lines, _masks]
)
@pytest.mark.parametrize("edit", [_add_one_everywhere, _add_one_to_most, _change_one])
def test_every_writable_kind_undoes_and_redoes_full_and_sparse_edits(make, edit) -> None:
    """Full, most-of and one-element edits of 1-D and N-D storages undo and redo exactly."""
    dm = DataManager()
    obj = make()
    dm.set_data("k", obj)
    original = _state(obj)
    with obj.writable() as arr:
        edit(arr)
    edited = _state(obj)
    assert not np.array_equal(edited, original)
    for _ in range(2):
        assert dm.undo()
        np.testing.assert_array_equal(_state(obj), original)
        assert dm.redo()
        np.testing.assert_array_equal(_state(obj), edited)
