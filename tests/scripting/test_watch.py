"""Variable-watch numbers: array stats (exact, sampled under a budget), data objects' key/clock."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager, PointData, TimeFrame
from napari_whiskertoolbox.scripting.watch import array_stats, data_info

if TYPE_CHECKING:
    from napari_whiskertoolbox.scripting import ScriptEngine


def test_exact_stats_ignore_non_finite_values() -> None:
    stats = array_stats(np.array([[1.0, np.nan], [3.0, np.inf]]))
    assert (stats.minimum, stats.maximum, stats.mean) == (1.0, 3.0, 2.0)
    assert stats.exact
    assert stats.n_used == 4
    assert stats.format(2.0) == "2"
    ints = array_stats(np.arange(10, dtype=np.uint8))
    assert (ints.minimum, ints.maximum, ints.mean) == (0.0, 9.0, 4.5)
    assert array_stats(np.array([True, False, True])).mean == pytest.approx(2 / 3)


def test_no_stats_for_empty_or_non_numeric_arrays() -> None:
    assert array_stats(np.empty(0)) is None
    assert array_stats(np.array(["a", "b"])) is None
    assert array_stats(np.array([1 + 2j])) is None
    assert array_stats(np.full(3, np.nan)).minimum is None


def test_huge_arrays_are_sampled_within_the_budget() -> None:
    big = np.broadcast_to(np.arange(1000, dtype=np.float32), (40_000, 1000))  # 40M, no memory
    stats = array_stats(big, budget_s=0.0)
    assert not stats.exact
    assert stats.n_used < big.size / 10
    assert stats.format(stats.mean).startswith("≈")
    assert stats.minimum == 0
    assert stats.maximum == 999
    assert stats.mean == pytest.approx(499.5, rel=1e-3)


def test_sampled_stats_keep_what_was_read_exactly() -> None:
    """A 6M-sample array over budget showed max ≈11.8 for a true 13.5: the read part was dropped."""
    values = np.zeros(4_000_000, np.float32)
    values[1] = 50.0  # read in the first chunk, between the sample's strides
    values[-1] = np.nan
    stats = array_stats(values, budget_s=0.0)
    assert not stats.exact
    assert (stats.minimum, stats.maximum) == (0.0, 50.0)
    assert stats.mean == pytest.approx(50.0 / (values.size - 1), rel=1e-3)


def test_non_contiguous_arrays() -> None:
    base = np.arange(100, dtype=np.float64).reshape(10, 10)
    stats = array_stats(base[:, ::3])
    assert stats.exact
    assert stats.maximum == 99
    assert stats.minimum == 0


def test_data_info_names_key_and_clock() -> None:
    dm = DataManager()
    dm.set_time("camera", TimeFrame.from_count(10))
    series = AnalogTimeSeries(np.zeros(7, np.float32))
    points = PointData()
    points.add(1, [[1, 2], [3, 4]])
    dm.set_data("angle", series)
    dm.set_data("nose", points, "camera")
    assert data_info(series, dm) == (info := data_info(series, dm))
    assert (info.kind, info.size, info.key, info.clock) == ("analog", 7, "angle", "time")
    nose = data_info(points, dm)
    assert (nose.kind, nose.size, nose.key, nose.clock) == ("points", 2, "nose", "camera")
    loose = data_info(AnalogTimeSeries([1.0]), dm)
    assert (loose.key, loose.clock) == (None, None)
    clock = data_info(dm.get_time("camera"), dm)
    assert (clock.kind, clock.size, clock.clock) == ("clock", 10, "camera")
    assert data_info(np.zeros(3), dm) is None


def test_engine_listing_carries_key_clock_and_size(engine: ScriptEngine) -> None:
    engine.run("a = dm.getData('angle')\nb = AnalogTimeSeries([1.0, 2.0])\nc = np.ones(3)")
    rows = {entry.name: entry for entry in engine.listing()}
    assert (rows["a"].key, rows["a"].clock, rows["a"].size) == ("angle", "time", 100)
    assert (rows["b"].key, rows["b"].size) == (None, 2)
    assert rows["c"].key is None
    assert rows["c"].shape == (3,)
