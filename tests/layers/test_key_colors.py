"""The display colour of points and line keys: distinct for keys made one after another."""

from __future__ import annotations

from napari_whiskertoolbox.core import DataManager, DigitalEventSeries, LineData, PointData
from napari_whiskertoolbox.layers.binding import key_color


def test_keys_made_one_after_another_get_distinct_colours() -> None:
    """Were: 'whisker' and 'tip' (the names a new user types) were both lime."""
    dm = DataManager()
    dm.set_data("whisker", LineData())
    first = key_color(dm, "whisker")
    dm.set_data("tip", PointData())
    dm.set_data("events", DigitalEventSeries([1]))  # no layer: takes no colour
    dm.set_data("nose", PointData())
    colours = [key_color(dm, key) for key in ("whisker", "tip", "nose")]
    assert len(set(colours)) == 3
    assert key_color(dm, "whisker") == first  # a key's colour does not depend on later keys


def test_an_explicit_colour_is_kept_and_avoided() -> None:
    dm = DataManager()
    dm.set_data("whisker", LineData())
    dm.set_data("tip", PointData())
    dm.metadata["colors"] = {"whisker": key_color(dm, "tip")}
    assert key_color(dm, "whisker") == dm.metadata["colors"]["whisker"]
    assert key_color(dm, "tip") != key_color(dm, "whisker")
