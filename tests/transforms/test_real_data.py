"""Transforms on WhiskerToolbox's own test files (tests/data/whiskertoolbox)."""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.io import load_config
from napari_whiskertoolbox.transforms import apply_transform


@pytest.fixture
def dm(wtb_data, tmp_path):
    import json

    items = [
        {"data_type": "line", "name": "whisker", "filepath": str(wtb_data / "Lines/line_test_large.csv")},
        {"data_type": "points", "name": "nose", "filepath": str(wtb_data / "Points/test_point.csv")},
        {"data_type": "digital_event", "name": "ev", "filepath": str(wtb_data / "DigitalEvents/events.csv")},
        {"data_type": "analog", "name": "sig", "filepath": str(wtb_data / "Analog/single_column.csv")},
        {"data_type": "digital_interval", "name": "laser", "format": "csv", "csv_layout": "binary_state",
         "header_lines_to_skip": 5, "data_column": 1, "delimiter": "\t", "binary_threshold": 0.5,
         "filepath": str(wtb_data / "DigitalIntervals/jun_test.dat")},
    ]  # fmt: skip
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(items))
    return load_config(path)


def test_lines(dm):
    whisker = dm.get_data("whisker")
    angle = apply_transform("CalculateLineAngle", whisker)
    length = apply_transform("CalculateLineLength", whisker)
    assert len(angle) == len(length) == whisker.n_entries
    assert np.all((angle.values > -180) & (angle.values <= 180))
    assert np.all(length.values > 0)
    resampled = apply_transform("ResampleLine", whisker, {"target_spacing": 10})
    again = apply_transform("CalculateLineLength", resampled)
    assert np.all(again.values <= length.values + 1e-3)


def test_points(dm):
    nose = dm.get_data("nose")
    x = apply_transform("PointCoordinateReduction", nose, {"reduction": "Mean"})
    assert len(x) == nose.n_frames_with_data == 1001
    assert x.values[0] == 131


def test_events_and_intervals(dm):
    ev = dm.get_data("ev")
    iv = apply_transform("EventToInterval", ev, {"pre_expansion": 1, "post_expansion": 1})
    assert iv.intervals.tolist() == [[0, 2], [1, 3], [2, 4], [3, 5], [4, 6]]
    back = apply_transform("IntervalToEvent", iv, {"point": "center"})
    np.testing.assert_array_equal(back.times, ev.times)
    laser = dm.get_data("laser")
    assert apply_transform("IntervalToEvent", laser, {"point": "end"}).times.tolist() == [992]
    count = apply_transform(
        "EventIntervalReduction", laser, {"reduction_name": "EventCount"}, others=ev
    )
    assert count.values.tolist() == [[5]]


def test_analog(dm):
    sig = dm.get_data("sig")
    diff = apply_transform("AnalogDifference", sig)
    assert diff.values.tolist() == [1] * (len(sig) - 1)
    ev = apply_transform("AnalogEventThreshold", sig, {"threshold_value": 2.5})
    assert ev.times.tolist() == list(range(2, len(sig)))  # values 1, 2, 3, ...
    assert sig.values[:3].tolist() == [1, 2, 3]
