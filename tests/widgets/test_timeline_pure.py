"""Qt-free timeline helpers: hit tests, clock mapping, lane state in dm.metadata."""

from __future__ import annotations

import json

import numpy as np
import pytest

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DataManager,
    DigitalEventSeries,
    DigitalIntervalSeries,
    PointData,
    TimeFrame,
)
from napari_whiskertoolbox.widgets.timeline.hit_testing import (
    edge_at,
    frame_of,
    nearest_mark,
    step_mark,
)
from napari_whiskertoolbox.widgets.timeline.lane_state import LaneState
from napari_whiskertoolbox.widgets.timeline.time_mapping import DisplayMapper, map_times_to_display


def test_edge_at_picks_the_nearest_edge_within_tolerance():
    starts, ends = np.array([9.5, 39.5]), np.array([20.5, 50.5])
    assert edge_at(starts, ends, 20.0, 1.0) == (0, "end")
    assert edge_at(starts, ends, 39.0, 1.0) == (1, "start")
    assert edge_at(starts, ends, 30.0, 1.0) is None
    assert edge_at(np.empty(0), np.empty(0), 3.0, 1.0) is None


def test_nearest_and_step_marks():
    marks = np.array([10.0, 50.0, 300.0, 700.5])
    assert nearest_mark(marks, 52.0, 3.0) == 50.0
    assert nearest_mark(marks, 55.0, 3.0) is None
    assert step_mark(marks, 50, +1) == 300.0
    assert step_mark(marks, 300, +1) == 700.0  # the frame holding 700.5
    assert step_mark(marks, 700, +1) is None
    assert step_mark(marks, 50, -1) == 10.0
    assert step_mark(marks, 10, -1) is None
    np.testing.assert_array_equal(frame_of([3.0, 3.999, 4.0]), [3, 3, 4])


def test_map_times_to_display_interpolates_between_frames():
    camera = TimeFrame(np.arange(5) * 100)  # frame i at master tick 100 i
    master = TimeFrame.from_count(1000)
    positions = map_times_to_display(np.array([0, 50, 100, 250, 999]), master, camera)
    np.testing.assert_allclose(positions, [0.0, 0.5, 1.0, 2.5, 4.0])  # clamped at the end


def test_map_times_to_display_of_long_clocks_builds_no_times():
    """Spikes on a 2e9-sample recording, shown on a camera clock counted in its ticks."""
    master = TimeFrame.from_count(2_000_000_000)
    camera = TimeFrame.regular(20_000_000, 100.0, 50.0)  # frame i at master tick 50 + 100 i
    positions = map_times_to_display(np.array([0, 50, 100, 250, 1_999_999_999]), master, camera)
    np.testing.assert_allclose(positions, [0.0, 0.0, 0.5, 2.0, 19_999_999.0])
    assert master._times is None
    assert camera._times is None
    explicit = TimeFrame(50 + np.arange(5) * 100)
    np.testing.assert_allclose(
        map_times_to_display(np.array([0, 100, 250, 999]), master, explicit),
        map_times_to_display(
            np.array([0, 100, 250, 999]), master, TimeFrame.regular(5, 100.0, 50.0)
        ),
    )


def test_display_mapper_caches_and_invalidates():
    dm = DataManager()
    dm.set_time("camera", TimeFrame(np.arange(10) * 10))
    dm.set_time("master", TimeFrame.from_count(100))
    dm.set_data("ttl", DigitalEventSeries([5, 25, 95]), "master")
    dm.set_data("frames_events", DigitalEventSeries([1, 2]), "camera")
    mapper = DisplayMapper(dm, "camera")
    times = dm.get_data("ttl").times
    first = mapper.cached_positions("ttl", times)
    np.testing.assert_allclose(first, [0.5, 2.5, 9.0])
    assert mapper.cached_positions("ttl", times) is first
    assert mapper.cached_positions("frames_events", dm.get_data("frames_events").times) is None
    dm.set_time("camera", TimeFrame(np.arange(10) * 5))  # a new clock object: recomputed
    np.testing.assert_allclose(mapper.cached_positions("ttl", times), [1.0, 5.0, 9.0])


def test_lane_state_round_trips_through_json_metadata():
    dm = DataManager()
    dm.set_data("angle", AnalogTimeSeries(np.zeros(5, np.float32)))
    dm.set_data("licks", DigitalEventSeries([1]))
    dm.set_data("contact", DigitalIntervalSeries([[0, 1]]))
    dm.set_data("nose", PointData())
    state = LaneState(dm)
    assert state.sync_keys()
    assert [lane["key"] for lane in state.lanes()] == ["angle", "licks", "contact"]
    state.set_visible("licks", False)
    state.set_order(["contact"])
    state.set_color("angle", "#123456")
    state.axis = "seconds"
    restored = DataManager()
    for key in dm:
        restored.set_data(key, dm.get_data(key))
    restored.metadata.update(json.loads(json.dumps(dm.metadata)))
    again = LaneState(restored)
    assert not again.sync_keys()
    assert again.visible_keys() == ["contact", "angle"]
    assert again.color("angle") == "#123456"
    assert again.axis == "seconds"
    dm.rename_data("licks", "lick_times")
    state.rename("licks", "lick_times")
    assert not state.sync_keys()
    assert not state.is_visible("lick_times")
    assert "lick_times" in [x["key"] for x in state.lanes()]
    with pytest.raises(KeyError, match="no lane"):
        state.set_visible("nose", True)
    with pytest.raises(ValueError, match="frames"):
        state.axis = "minutes"
    with pytest.raises(KeyError, match="no lanes"):
        state.set_order(["nope"])


def test_pure_helpers_import_without_qt():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import napari_whiskertoolbox.widgets.timeline.sampling\n"
        "import napari_whiskertoolbox.widgets.timeline.time_mapping\n"
        "import napari_whiskertoolbox.widgets.timeline.hit_testing\n"
        "import napari_whiskertoolbox.widgets.timeline.lane_state\n"
        "import napari_whiskertoolbox.widgets.browser_model\n"
        "bad = [m for m in ('PyQt5', 'qtpy', 'pyqtgraph', 'napari') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_plotted_lanes_names_and_sources() -> None:
    from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager, DigitalEventSeries
    from napari_whiskertoolbox.widgets.timeline.plotted import LaneSources, PlottedLanes

    dm = DataManager()
    dm.set_data("angle", AnalogTimeSeries([1.0, 2.0]))
    plotted = PlottedLanes()
    first, second = AnalogTimeSeries([3.0]), DigitalEventSeries([4])
    assert plotted.add(first, "time", None, set(dm), 0) == "plot 1"
    assert plotted.add(first, "time", None, set(dm), 1) == "plot 1"  # same series, same lane
    assert plotted.add(second, "time", "angle", set(dm), 1) == "angle (2)"  # keys stay unique
    assert plotted.add(first, "time", "renamed", set(dm), 2) == "renamed"
    assert list(plotted) == ["angle (2)", "renamed"]
    sources = LaneSources(dm, plotted)
    assert sources.get_data("renamed") is first
    assert sources.get_data("angle") is dm.get_data("angle")
    assert sources.data_type("angle (2)") == "digital_event"
    assert sources.time_key("angle") == "time"
    assert "renamed" in sources
    assert "angle" in sources
    assert plotted.remove("renamed") is not None
    assert "renamed" not in sources
