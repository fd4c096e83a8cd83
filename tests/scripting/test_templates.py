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


def test_template_menu_lists_whiskertoolbox_templates_then_ours() -> None:
    assert list_templates() == [
        "Blank",
        "Analog filter",
        "Batch processing",
        "Data export",
        "Event detection",
        "Statistics summary",
        "Per-frame processing of points and lines",
        "Per-interval summary",
        "Stream processor: band-pass",
    ]
    with pytest.raises(KeyError, match="no script template named 'Nope'"):
        load_template("Nope")


def test_blank_template(sample_engine: ScriptEngine) -> None:
    assert "whisker_angle" in _run(sample_engine, "Blank").stdout


def test_filter_analog_template(sample_engine: ScriptEngine) -> None:
    _run(sample_engine, "Analog filter")
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


def test_batch_processing_template(sample_engine: ScriptEngine) -> None:
    result = _run(sample_engine, "Batch processing")
    dm = sample_engine.dm
    zscore = dm.get_data("whisker_angle_zscore").values
    assert zscore.mean() == pytest.approx(0.0, abs=1e-4)
    assert zscore.std() == pytest.approx(1.0, rel=1e-4)
    assert "whisker_angle -> whisker_angle_zscore" in result.stdout


def test_data_export_template(tmp_path, sample_engine: ScriptEngine) -> None:
    sample_engine.set_working_directory(tmp_path)
    try:
        _run(sample_engine, "Data export")
    finally:
        sample_engine.clear_working_directory()
    dm = sample_engine.dm
    table = np.loadtxt(tmp_path / "exports" / "whisker_angle.csv", delimiter=",", skiprows=1)
    np.testing.assert_array_equal(table[:, 0], dm.get_data("whisker_angle").times)
    np.testing.assert_allclose(table[:, 1], dm.get_data("whisker_angle").values, rtol=1e-6)
    events = np.loadtxt(tmp_path / "exports" / "contact_events.csv", ndmin=1)
    np.testing.assert_array_equal(events, dm.get_data("contact_events").times)
    intervals = np.loadtxt(tmp_path / "exports" / "contact.csv", delimiter=",", skiprows=1)
    np.testing.assert_array_equal(intervals.reshape(-1, 2), dm.get_data("contact").intervals)


def test_event_detection_template(sample_engine: ScriptEngine) -> None:
    result = _run(sample_engine, "Event detection")
    dm = sample_engine.dm
    series = dm.get_data("whisker_angle")
    threshold = series.values.mean() + series.values.std()
    events = dm.get_data("whisker_angle_events").times
    assert len(events) > 0
    for t in events:
        i = int(np.searchsorted(series.times, t))
        assert series.values[i - 1] < threshold <= series.values[i]
    assert dm.time_key("whisker_angle_events") == dm.time_key("whisker_angle")
    assert f"{len(events)} upward crossings" in result.stdout


def test_statistics_summary_template(sample_engine: ScriptEngine) -> None:
    _run(sample_engine, "Statistics summary")
    dm = sample_engine.dm
    summary = dm.get_data("analog_statistics")
    assert summary.columnNames() == ["samples", "mean", "std", "min", "max"]
    first_key = dm.getAnalogKeys()[0]
    values = dm.get_data(first_key).values
    assert summary.values[0, 1] == pytest.approx(values.mean(), rel=1e-5)
    assert summary.numRows() == len([k for k in dm.getAnalogKeys() if k != "analog_statistics"])
