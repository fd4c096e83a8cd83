"""Every New template runs against the sample session and produces its data."""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.scripting import ScriptEngine
from napari_whiskertoolbox.scripting.templates import list_templates, load_template


@pytest.fixture(scope="module")
def sample_engine() -> ScriptEngine:
    return ScriptEngine(make_sample_session(n_frames=60))


def _run(engine: ScriptEngine, title: str):
    result = engine.run(load_template(title), filename=f"<template {title}>")
    assert result.success, result.error
    return result


def test_template_menu_lists_the_four_templates() -> None:
    assert list_templates() == [
        "Blank",
        "Filter an analog series",
        "Per-frame processing of points and lines",
        "Per-interval summary",
    ]
    with pytest.raises(KeyError, match="no script template named 'Nope'"):
        load_template("Nope")


def test_blank_template(sample_engine: ScriptEngine) -> None:
    assert "whisker_angle" in _run(sample_engine, "Blank").stdout


def test_filter_analog_template(sample_engine: ScriptEngine) -> None:
    _run(sample_engine, "Filter an analog series")
    dm = sample_engine.dm
    source, filtered = dm.get_data("whisker_angle"), dm.get_data("whisker_angle_filtered")
    assert len(filtered) == len(source)
    assert dm.time_key("whisker_angle_filtered") == dm.time_key("whisker_angle")
    assert np.abs(np.diff(filtered.values)).max() <= np.abs(np.diff(source.values)).max()


def test_per_frame_template(sample_engine: ScriptEngine) -> None:
    result = _run(sample_engine, "Per-frame processing of points and lines")
    dm = sample_engine.dm
    point_key, line_key = dm.keys("points")[0], dm.keys("line")[0]
    centroid = dm.get_data(f"{point_key}_centroid_x")
    np.testing.assert_array_equal(centroid.times, dm.get_data(point_key).times_with_data())
    first = dm.get_data(point_key).at(int(centroid.times[0]))
    assert centroid.values[0] == pytest.approx(first[:, 0].mean())
    lengths = dm.get_data(f"{line_key}_length").values
    assert (lengths > 0).all()
    assert f"stored {line_key}_length" in result.stdout


def test_per_interval_summary_template(sample_engine: ScriptEngine) -> None:
    _run(sample_engine, "Per-interval summary")
    dm = sample_engine.dm
    summary = dm.get_data("contact_summary").values
    intervals = dm.get_data("contact").intervals
    assert summary.shape == (len(intervals), 5)
    start, end = (int(v) for v in intervals[0])
    _, values = dm.get_data("whisker_angle").range(start, end)
    assert summary[0, 2] == pytest.approx(values.mean(), rel=1e-5)
