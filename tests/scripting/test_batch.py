"""Batch helpers: frames with data, entities of a group, intervals."""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.core import DataManager, DigitalEventSeries, Interval
from napari_whiskertoolbox.scripting import (
    entities_in_group,
    frames_with_data,
    intervals_of,
)


def test_frames_with_data_from_key_or_container(session_dm: DataManager) -> None:
    frames = list(frames_with_data(session_dm, "nose"))
    assert [t for t, _ in frames] == [0, 2, 4, 6, 8]
    np.testing.assert_array_equal(frames[1][1], [[2, 4], [4, 4]])
    lines = dict(frames_with_data(session_dm.get_data("whisker")))
    assert len(lines[4]) == 1
    assert lines[4][0].shape == (3, 2)


def test_frames_with_data_rejects_wrong_keys(session_dm: DataManager) -> None:
    with pytest.raises(KeyError, match="'missing'"):
        list(frames_with_data(session_dm, "missing"))
    with pytest.raises(TypeError, match="key 'angle' holds a AnalogTimeSeries"):
        list(frames_with_data(session_dm, "angle"))


def test_intervals_of(session_dm: DataManager) -> None:
    assert list(intervals_of(session_dm, "contact")) == [Interval(10, 19), Interval(50, 59)]
    assert next(iter(intervals_of(session_dm.get_data("contact")))).end == 19


def test_entities_in_group_across_kinds(session_dm: DataManager) -> None:
    events = DigitalEventSeries([5, 7])
    session_dm.set_data("licks", events)
    nose_ids = session_dm.get_data("nose").ids_at(2)
    whisker_id = int(session_dm.get_data("whisker").ids_at(4)[0])
    contact_id = int(session_dm.get_data("contact").ids[1])
    lick_id = int(events.ids[0])
    session_dm.groups.create("tracked", [int(nose_ids[1]), whisker_id, contact_id, lick_id])
    refs = {ref.key: ref for ref in entities_in_group(session_dm, "tracked")}
    assert set(refs) == {"nose", "whisker", "contact", "licks"}
    assert refs["nose"].time == 2
    np.testing.assert_array_equal(refs["nose"].value, [4, 4])
    assert refs["whisker"].value.shape == (3, 2)
    assert refs["contact"].value == Interval(50, 59)
    assert refs["licks"].value == 5
    with pytest.raises(KeyError, match="no entity group 'nope'"):
        list(entities_in_group(session_dm, "nope"))
