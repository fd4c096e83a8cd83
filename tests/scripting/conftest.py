"""A small real session for script tests: points, lines, analog, intervals on two clocks."""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DataManager,
    DigitalIntervalSeries,
    LineData,
    PointData,
    TimeFrame,
)
from napari_whiskertoolbox.scripting import ScriptEngine


@pytest.fixture
def session_dm() -> DataManager:
    """Points and lines on a 10-frame camera clock, analog and intervals on a 100-tick master."""
    dm = DataManager()
    dm.set_time("time", TimeFrame.from_count(100))
    dm.set_time("camera", TimeFrame(np.arange(10) * 10))
    points = PointData()
    lines = LineData()
    for frame in range(0, 10, 2):
        points.add(frame, np.array([[frame, 2.0 * frame], [frame + 2.0, 2.0 * frame]], np.float32))
        lines.add(frame, np.array([[0, 0], [3, 4], [3, 4 + frame]], np.float32))
    dm.set_data("nose", points, "camera")
    dm.set_data("whisker", lines, "camera")
    dm.set_data("angle", AnalogTimeSeries(np.arange(100, dtype=np.float32)), "time")
    dm.set_data("contact", DigitalIntervalSeries([(10, 19), (50, 59)]), "time")
    return dm


@pytest.fixture
def engine(session_dm: DataManager) -> ScriptEngine:
    return ScriptEngine(session_dm)
