"""AnalogTimeSeries: zero-copy values, range queries, lazy raw data."""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.core import AnalogTimeSeries


def test_values_are_read_only_zero_copy_float32():
    ts = AnalogTimeSeries(np.arange(10, dtype=np.int16))
    v = ts.values
    assert v.dtype == np.float32
    assert not v.flags.writeable
    assert np.shares_memory(v, ts.values)
    arr = np.asarray(ts)
    assert np.shares_memory(arr, v)
    with pytest.raises(ValueError, match="read-only"):
        v[0] = 1.0


def test_array_protocol_respects_copy_and_dtype():
    ts = AnalogTimeSeries([1.0, 2.0])
    copied = np.array(ts)
    assert not np.shares_memory(copied, ts.values)
    assert copied.flags.writeable
    as64 = np.asarray(ts, dtype=np.float64)
    assert as64.dtype == np.float64
    with pytest.raises(ValueError, match="without a copy"):
        ts.__array__(np.float64, copy=False)


def test_constructor_copies_input_by_default():
    data = np.arange(4, dtype=np.float32)
    ts = AnalogTimeSeries(data)
    data[0] = 99
    assert ts.values[0] == 0
    shared = AnalogTimeSeries(data, copy=False)
    assert np.shares_memory(shared.values, data)


def test_dense_range_inclusive_views():
    ts = AnalogTimeSeries(np.arange(100) * 0.5)
    assert ts.is_dense
    times, values = ts.range(10, 12)
    np.testing.assert_array_equal(times, [10, 11, 12])
    np.testing.assert_array_equal(values, [5.0, 5.5, 6.0])
    assert np.shares_memory(values, ts.values)
    assert ts.range(200, 300)[1].size == 0
    assert ts.range(-5, 0)[0].tolist() == [0]
    assert ts.range(5, 3)[0].size == 0


def test_sparse_times_and_value_at():
    ts = AnalogTimeSeries([1.0, 2.0, 3.0], times=[10, 20, 30])
    assert not ts.is_dense
    times, values = ts.range(15, 30)
    np.testing.assert_array_equal(times, [20, 30])
    np.testing.assert_array_equal(values, [2.0, 3.0])
    assert ts.value_at(20) == 2.0
    assert ts.value_at(21) is None
    assert not ts.times.flags.writeable


def test_invalid_inputs():
    with pytest.raises(ValueError, match="1-D"):
        AnalogTimeSeries(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="one entry per value"):
        AnalogTimeSeries([1.0, 2.0], times=[1])
    with pytest.raises(ValueError, match="index 1"):
        AnalogTimeSeries([1.0, 2.0], times=[5, 1])


def test_from_raw_memmap_is_lazy(tmp_path):
    path = tmp_path / "raw.bin"
    raw = (np.arange(1000) - 500).astype(np.int16)
    raw.tofile(path)
    mm = np.memmap(path, dtype=np.int16, mode="r")
    ts = AnalogTimeSeries.from_raw(mm, scale=0.5, offset=1.0)
    assert not ts.is_materialized
    assert len(ts) == 1000
    times, values = ts.range(0, 2)
    np.testing.assert_allclose(values, [-249.0, -248.5, -248.0])
    assert not ts.is_materialized
    assert ts.value_at(999) == pytest.approx(499 * 0.5 + 1.0)
    full = ts.values
    assert ts.is_materialized
    np.testing.assert_allclose(full, raw * 0.5 + 1.0)
    assert ts.values is full
    assert not np.shares_memory(full, mm)
    np.testing.assert_array_equal(times, [0, 1, 2])


def test_a_clock_given_as_times_is_named_with_what_to_do() -> None:
    """AnalogTimeSeries(values, dm.getTime("time")) said only "got shape ()"."""
    from napari_whiskertoolbox.core import TimeFrame

    with pytest.raises(TypeError, match=r"got a TimeFrame: to put the series on a clock.*setData"):
        AnalogTimeSeries(np.zeros(3, np.float32), TimeFrame.from_count(3))
    with pytest.raises(
        ValueError, match=r"got shape \(2,\)"
    ):  # a wrong length is still a ValueError
        AnalogTimeSeries(np.zeros(3, np.float32), [0, 1])
