"""importNewData: data objects left in the namespace go into dm on a chosen clock."""

from __future__ import annotations

import pytest

from napari_whiskertoolbox.scripting import ScriptEngine, find_new_data, import_new_data


def test_import_new_data_with_chosen_clock(engine: ScriptEngine) -> None:
    result = engine.run(
        "speed = AnalogTimeSeries(np.arange(10, dtype=np.float32))\n"
        "marks = DigitalEventSeries([1, 4])\n"
        "existing = dm.getData('nose')\n"
        "plain = np.zeros(3)\n"
    )
    assert result.success, result.error
    assert set(find_new_data(engine.namespace, engine.dm)) == {"speed", "marks"}
    imported = engine.import_new_data(clock="camera")
    assert imported == ["marks", "speed"]
    assert engine.dm.time_key("speed") == "camera"
    assert engine.dm.get_data("speed") is engine.namespace["speed"]
    assert find_new_data(engine.namespace, engine.dm) == {}
    assert engine.import_new_data() == []


def test_import_selected_names_and_errors(engine: ScriptEngine) -> None:
    engine.run("a = PointData()\nb = PointData()\nnumber = 3")
    assert import_new_data(engine, engine.dm, names=["b"]) == ["b"]
    assert "a" not in engine.dm
    with pytest.raises(KeyError, match="clock 'nope' does not exist"):
        engine.import_new_data(clock="nope")
    with pytest.raises(KeyError, match="no variable named 'zzz'"):
        engine.import_new_data(names=["zzz"])
    with pytest.raises(TypeError, match="'number' holds a int"):
        engine.import_new_data(names=["number"])
