"""Scripts written for WhiskerToolbox run unchanged in the engine (Qt-free).

Each test is one behaviour of WhiskerToolbox's Python bindings and bridge, run as script
code inside :class:`ScriptEngine` the way a WhiskerToolbox user would type it (after
WhiskerToolbox's own binding tests, ``bindings.test.cpp``, ``PythonBridge.test.cpp`` and
``Phase5.test.cpp``).
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager, TimeFrame
from napari_whiskertoolbox.scripting import ScriptEngine


@pytest.fixture
def engine() -> ScriptEngine:
    dm = DataManager()
    dm.set_time("camera", TimeFrame([0, 100, 200, 300]))
    dm.set_data("angle", AnalogTimeSeries(np.arange(4, dtype=np.float32)), "camera")
    return ScriptEngine(dm)


def out(engine: ScriptEngine, code: str) -> str:
    """Run ``code``; return its stdout (the run must succeed)."""
    result = engine.run(code)
    assert result.success, result.error
    return result.stdout


# -- the bridge's namespace -------------------------------------------------------------------


def test_wt_is_the_whiskertoolbox_python_module_without_an_import(engine) -> None:
    import whiskertoolbox_python

    assert engine.namespace["wt"] is whiskertoolbox_python
    assert out(engine, "print(type(wt.DataManager()).__name__, dm is not None)") == (
        "DataManager True\n"
    )
    engine.reset()
    assert engine.namespace["wt"] is whiskertoolbox_python  # back after a reset


def test_getdata_returns_none_for_a_missing_key_and_after_delete(engine) -> None:
    code = (
        "print(dm.getData('nope'))\n"
        "if dm.getData('angle'):\n"
        "    print('has angle')\n"
        "print(dm.deleteData('angle'))\n"
        "print(dm.getData('angle'))\n"
    )
    assert out(engine, code) == "None\nhas angle\nTrue\nNone\n"
    assert not engine.run("dm.get_data('angle')").success  # snake_case still raises


def test_datatype_enum_prints_as_whiskertoolbox_prints_it(engine) -> None:
    members = [
        "Video",
        "Images",
        "Points",
        "Mask",
        "Line",
        "Analog",
        "DigitalEvent",
        "DigitalInterval",
        "Tensor",
        "Unknown",
    ]
    assert out(engine, "print([m.name for m in wt.DataType])") == f"{members}\n"
    assert out(engine, "print(dm.getType('angle'))\nprint(wt.DataType.Analog)") == (
        "DataType.Analog\nDataType.Analog\n"
    )
    assert out(engine, "print(dm.getType('angle') == wt.DataType.Analog)") == "True\n"
    assert out(engine, "print(dm.getType('nope'))") == "DataType.Unknown\n"


# -- value types --------------------------------------------------------------------------------


def test_timeframeindex_arithmetic_comparison_hash_and_int(engine) -> None:
    code = (
        "a = wt.TimeFrameIndex(10)\n"
        "b = wt.TimeFrameIndex(3)\n"
        "print((a + b).getValue(), (a - b).getValue())\n"
        "print(type(a + b).__name__, type(a - 1).__name__, type(1 + a).__name__)\n"
        "print(a > b, a == wt.TimeFrameIndex(10), b <= a)\n"
        "print(int(a), hash(a) == hash(wt.TimeFrameIndex(10)), {a: 'x'}[wt.TimeFrameIndex(10)])\n"
        "print(a)\n"
    )
    assert out(engine, code) == (
        "13 7\nTimeFrameIndex TimeFrameIndex TimeFrameIndex\nTrue True True\n10 True x\n10\n"
    )


def test_timeframe_basics(engine) -> None:
    code = (
        "tf = wt.TimeFrame([0, 100, 200, 300])\n"
        "print(tf.getTotalFrameCount())\n"
        "print(tf.getTimeAtIndex(wt.TimeFrameIndex(1)))\n"
    )
    assert out(engine, code) == "4\n100\n"


def test_point2du32_keeps_integer_coordinates(engine) -> None:
    assert out(engine, "p = wt.Point2DU32(10, 20)\nprint(p.x, p.y)") == "10 20\n"
    assert out(engine, "p = wt.Point2D(1.5, 2.5)\nprint(p.x, p.y)") == "1.5 2.5\n"
    assert out(engine, "s = wt.ImageSize(640, 480)\nprint(s.width, s.height)") == "640 480\n"
    assert not engine.run("wt.Point2DU32(-1, 2)").success


def test_mask2d_elements_are_integer_points(engine) -> None:
    code = (
        "mask = wt.Mask2D([wt.Point2DU32(1, 2), wt.Point2DU32(3, 4)])\n"
        "print(mask.size(), mask[1].x, mask[1].y, type(mask[0]).__name__)\n"
        "mask2 = wt.Mask2D([10, 20], [30, 40])\n"
        "print(mask2.size())\n"
        "md = wt.MaskData()\n"
        "md.addAtTime(wt.TimeFrameIndex(0), wt.Mask2D([wt.Point2DU32(1, 1)]))\n"
        "print(md.getTimeCount(), md.getAtTime(0)[0][0].x)\n"
    )
    assert out(engine, code) == "2 3 4 Point2DU32\n2\n1 1\n"


def test_entity_id_with_id_equality_and_hash(engine) -> None:
    code = (
        "e = wt.EntityId(42)\n"
        "print(e.id, e == wt.EntityId(42), e != wt.EntityId(7))\n"
        "print(hash(e) == hash(wt.EntityId(42)), len({e, wt.EntityId(42)}))\n"
    )
    assert out(engine, code) == "42 True True\nTrue 1\n"


def test_interval_fields(engine) -> None:
    assert out(engine, "iv = wt.Interval(10, 50)\nprint(iv.start, iv.end)") == "10 50\n"


# -- data objects -------------------------------------------------------------------------------


def test_analog_series_time_values_and_counts(engine) -> None:
    code = (
        "vals = [1.0, 2.0, 3.0, 4.0, 5.0]\n"
        "times = [wt.TimeFrameIndex(i) for i in range(0, 10, 2)]\n"
        "ts = wt.AnalogTimeSeries(vals, times)\n"
        "print(ts.getNumSamples(), len(ts))\n"
        "t = ts.getTimeSeries()\n"
        "print(type(t[1]).__name__, t[1].getValue())\n"
        "times_arr, values_arr = ts.toTimeValueArrays()\n"
        "print(times_arr.dtype, values_arr.dtype, times_arr.tolist(), values_arr.tolist())\n"
        "print(wt.AnalogTimeSeries().getNumSamples())\n"
    )
    assert out(engine, code) == (
        "5 5\nTimeFrameIndex 2\nint64 float32 [0, 2, 4, 6, 8] [1.0, 2.0, 3.0, 4.0, 5.0]\n0\n"
    )


def test_tensor_data_whiskertoolbox_api(engine) -> None:
    code = (
        "td = wt.TensorData.createOrdinal2D([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3)\n"
        "print(td.ndim(), td.numRows(), td.numColumns(), td.isEmpty())\n"
        "print(td.toList())\n"
        "print(td.getColumn(0), td.hasNamedColumns(), td.columnNames())\n"
        "named = wt.TensorData.createOrdinal2D([1.0, 2.0, 3.0, 4.0], 2, 2, ['col_a', 'col_b'])\n"
        "print(named.hasNamedColumns(), named.columnNames(), named.getColumn('col_b'))\n"
        "print(td.shape(), td.rowType())\n"
    )
    assert out(engine, code) == (
        "2 2 3 False\n"
        "[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]\n"
        "[1.0, 4.0] False []\n"
        "True ['col_a', 'col_b'] [2.0, 4.0]\n"
        "[2, 3] Ordinal\n"
    )
    tensor = engine.namespace["td"]
    assert tensor.ndim == 2  # our snake_case properties still work
    assert tensor.shape == (2, 3)
    assert np.zeros(tensor.shape).shape == (2, 3)
    assert not engine.run("wt.TensorData.createOrdinal2D([1.0, 2.0], 2, 3)").success


def test_datamanager_round_trip_like_whiskertoolbox(engine) -> None:
    code = (
        "d = wt.DataManager()\n"
        "ts = wt.AnalogTimeSeries([1.0, 2.0, 3.0], [wt.TimeFrameIndex(i) for i in range(3)])\n"
        "d.setData('my_analog', ts, 'time')\n"
        "d.setData('ev1', wt.DigitalEventSeries(), 'time')\n"
        "d.setData('line1', wt.LineData(), 'time')\n"
        "d.setTime('my_clock', wt.TimeFrame([0, 100, 200]))\n"
        "print('my_analog' in d.getAllKeys(), type(d.getData('my_analog')).__name__)\n"
        "print(len(d.getDigitalEventKeys()), len(d.getLineKeys()))\n"
        "print('my_clock' in d.getTimeFrameKeys(), d.getTime('my_clock').getTotalFrameCount())\n"
    )
    assert out(engine, code) == "True AnalogTimeSeries\n1 1\nTrue 3\n"


# -- the bridge and engine API --------------------------------------------------------------------


def test_expose_data_and_time_frame(engine) -> None:
    assert engine.expose_data("angle", "my_angle")
    assert engine.namespace["my_angle"] is engine.dm.get_data("angle")
    assert not engine.expose_data("missing", "gone")
    assert "gone" not in engine.namespace
    assert engine.expose_time_frame("camera", "cam")
    assert out(engine, "print(cam.getTimeAtIndex(2))") == "200\n"
    assert not engine.exposeTimeFrame("no_clock", "nothing")
    assert engine.exposeData("angle", "again")
    assert "nothing" not in engine.namespace
    with pytest.raises(ValueError, match="identifier"):
        engine.expose_data("angle", "not a name")
    # a keyword is an identifier no script can use ('print(for)' is a SyntaxError)
    for bad in ("for", "None", 3):
        with pytest.raises(ValueError, match="not a keyword"):
            engine.expose_data("angle", bad)
        with pytest.raises(ValueError, match="not a keyword"):
            engine.expose_time_frame("camera", bad)
    assert "for" not in engine.namespace


def test_working_directory_applies_to_runs_and_ignores_bad_paths(tmp_path, engine) -> None:
    cwd = os.getcwd()
    before = engine.working_directory
    engine.set_working_directory("")
    engine.set_working_directory(tmp_path / "does_not_exist")
    assert engine.working_directory == before
    engine.set_working_directory(tmp_path)
    assert engine.working_directory == tmp_path.resolve()
    assert engine.getWorkingDirectory() == tmp_path.resolve()
    assert out(engine, "import os\nprint(os.getcwd())") == f"{tmp_path.resolve()}\n"
    assert os.getcwd() == cwd  # only while a script runs
    script = tmp_path / "sub" / "where.py"
    script.parent.mkdir()
    script.write_text("import os\nprint(os.getcwd())\n")
    assert engine.run_file(script).stdout == f"{script.parent.resolve()}\n"  # files: own folder


def test_sys_argv_is_parsed_like_a_shell_line_and_applies_to_later_runs(tmp_path, engine) -> None:
    argv = list(sys.argv)
    engine.set_sys_argv("script.py --input data.csv --verbose")
    assert out(engine, "import sys\nprint(sys.argv)") == (
        "['script.py', '--input', 'data.csv', '--verbose']\n"
    )
    engine.setSysArgv('script.py "hello world" --name "John Doe"')
    assert out(engine, "import sys\nprint(len(sys.argv), sys.argv[1])") == "4 hello world\n"
    script = tmp_path / "args.py"
    script.write_text("import sys\nprint(sys.argv)\n")
    assert engine.run_file(script).stdout == "['script.py', 'hello world', '--name', 'John Doe']\n"
    assert engine.run_file(script, argv=["x"]).stdout == f"[{str(script.resolve())!r}, 'x']\n"
    engine.set_sys_argv("")
    assert out(engine, "import sys\nprint(len(sys.argv))") == "0\n"
    assert sys.argv == argv  # the process's argv is untouched between runs
    with pytest.raises(ValueError, match="cannot split"):
        engine.set_sys_argv('unclosed "quote')


def test_prelude_runs_on_reset_only_when_enabled_and_a_failing_one_is_harmless(engine) -> None:
    assert engine.execute_prelude("PRELUDE_VAR = 42").success
    assert out(engine, "print(PRELUDE_VAR)") == "42\n"
    assert engine.execute_prelude("").success
    failed = engine.executePrelude("import nonexistent_module_xyz_123")
    assert not failed.success
    assert "ModuleNotFoundError" in failed.error
    assert out(engine, "print(1 + 1)") == "2\n"
    engine.prelude = "def prelude_add(a, b):\n    return a + b\nPRELUDE_X = 100\n"
    engine.reset()
    assert out(engine, "print(prelude_add(PRELUDE_X, 200))") == "300\n"
    engine.prelude_enabled = False
    engine.resetNamespace()
    assert "PRELUDE_X" not in engine.namespace
    assert "dm" in engine.namespace
    assert "wt" in engine.namespace


def test_input_fails_saying_input_is_disabled(engine) -> None:
    result = engine.run("x = input()")
    assert not result.success
    assert "input() is disabled" in result.error


def test_a_missing_file_fails_saying_it_could_not_be_opened(tmp_path, engine) -> None:
    result = engine.executeFile(tmp_path / "nope.py")
    assert not result.success
    assert f"Could not open file: {tmp_path / 'nope.py'}" in result.error


def test_user_variable_names_and_inject(engine) -> None:
    engine.inject("injected", 5)
    engine.run("import os\nlocal_value = 1")
    names = engine.getUserVariableNames()
    assert {"injected", "local_value", "dm", "viewer"} <= set(names)
    assert "os" not in names
    assert "wt" not in names
    assert not any(name.startswith("__") for name in names)
    assert names == sorted(names)


def test_import_new_data_registers_left_objects(engine) -> None:
    engine.run("fresh = wt.DigitalEventSeries([1, 2])\nnumber = 3")
    assert engine.importNewData("camera") == ["fresh"]
    assert engine.dm.time_key("fresh") == "camera"


def test_python_version_matches_the_interpreter(engine) -> None:
    assert engine.pythonVersion() == sys.version
    assert engine.pythonVersionTuple() == sys.version_info[:2]


# -- DataManager: observers, reset, output path, clocks (bind_datamanager.cpp) ----------------


def test_add_observer_is_called_without_arguments_on_each_state_change(engine) -> None:
    code = (
        "calls = []\n"
        "oid = dm.addObserver(lambda: calls.append(len(dm.getAllKeys())))\n"
        "dm.setData('ev', wt.DigitalEventSeries(), 'time')\n"
        "dm.getData('ev').addEvent(5)\n"  # an edit inside an object: not a manager change
        "dm.setTime('cam2', wt.TimeFrame([0, 10]))\n"
        "dm.deleteData('ev')\n"
        "print(type(oid).__name__, calls)\n"
        "dm.removeObserver(oid)\n"
        "dm.setData('ev2', wt.DigitalEventSeries(), 'time')\n"
        "print(calls)\n"
    )
    assert out(engine, code) == "int [2, 2, 1]\n[2, 2, 1]\n"


def test_an_observer_that_raises_fails_the_script_after_the_change(engine) -> None:
    engine.run("def boom():\n    raise RuntimeError('observer failed')\n")
    assert out(engine, "oid = dm.addObserver(boom)\nprint(oid > 0)") == "True\n"
    result = engine.run("dm.setData('ev', wt.DigitalEventSeries(), 'time')")
    assert not result.success
    assert "observer failed" in result.error
    assert "ev" in engine.dm  # the change itself was made


def test_reset_clears_keys_clocks_and_groups_and_notifies_once(engine) -> None:
    code = (
        "calls = []\n"
        "dm.addObserver(lambda: calls.append('x'))\n"
        "gm = dm.getEntityGroupManager()\n"
        "gm.createGroup('good')\n"
        "dm.reset()\n"
        "print(dm.getAllKeys(), dm.getTimeFrameKeys(), gm.getGroupCount(), calls)\n"
        "print(dm.getTime().getTotalFrameCount())\n"
    )
    assert out(engine, code) == "[] ['time'] 0 ['x']\n0\n"
    assert not engine.dm.history.can_undo


def test_output_path_defaults_to_the_working_directory(engine, tmp_path) -> None:
    assert out(engine, "print(dm.getOutputPath() == wt.DataManager().getOutputPath())") == (
        "True\n"
    )
    assert out(engine, "print(type(dm.getOutputPath()).__name__)") == "str\n"
    engine.run(f"dm.setOutputPath({str(tmp_path)!r})")
    assert out(engine, "print(dm.getOutputPath())") == f"{tmp_path}\n"
    assert engine.dm.output_path == tmp_path


def test_settime_does_not_overwrite_unless_asked(engine) -> None:
    code = (
        "print(dm.setTime('camera', wt.TimeFrame([0, 1])))\n"
        "print(dm.getTime('camera').getTotalFrameCount())\n"
        "print(dm.setTime('time', wt.TimeFrame([0, 1])))\n"  # 'time' always exists
        "print(dm.setTime('camera', wt.TimeFrame([0, 1]), True))\n"
        "print(dm.getTime('camera').getTotalFrameCount())\n"
        "print(dm.setTime('new', wt.TimeFrame([5]), overwrite=False))\n"
    )
    assert out(engine, code) == "False\n4\nFalse\nTrue\n2\nTrue\n"


def test_gettimekey_and_gettime_of_a_missing_key(engine) -> None:
    assert out(engine, "print(repr(dm.getTimeKey('nope')), dm.getTime('nope'))") == "'' None\n"
    assert out(engine, "print(dm.getTimeKey('angle'))") == "camera\n"
    with pytest.raises(KeyError):
        engine.dm.time_key("nope")  # snake_case still raises


# -- value classes and reprs (bind_timeframe.cpp, bind_geometry.cpp, bind_entity.cpp) ---------


def test_clock_ticks(engine) -> None:
    code = (
        "c = wt.ClockTicks(30000)\n"
        "print(c.getValue(), int(c), c, repr(c))\n"
        "print(c == wt.ClockTicks(30000), c < wt.ClockTicks(30001), [0, 1, 2][wt.ClockTicks(1)])\n"
    )
    assert out(engine, code) == "30000 30000 30000 ClockTicks(30000)\nTrue True 1\n"


def test_interval_is_a_value_with_settable_ends(engine) -> None:
    code = (
        "iv = wt.Interval(10, 50)\n"
        "iv.start = 12\n"
        "iv.end = wt.TimeFrameIndex(60)\n"
        "print(iv.start, iv.end, repr(iv), iv.start.getValue())\n"
        "print(iv == wt.Interval(12, 60), iv == wt.Interval(10, 50))\n"
        "s = wt.DigitalIntervalSeries([wt.Interval(0, 3)])\n"
        "first = s.toList()[0]\n"
        "first.end = 99\n"  # a copy: the series keeps its interval
        "print(s.toList(), first)\n"
    )
    assert out(engine, code) == (
        "12 60 Interval(12, 60) 12\nTrue False\n[Interval(0, 3)] Interval(0, 99)\n"
    )
    result = engine.run("{wt.Interval(0, 1)}")
    assert not result.success
    assert "unhashable" in result.error


def test_reprs_as_whiskertoolbox_prints_them(engine) -> None:
    code = (
        "print(repr(wt.Point2DU32(1, 2)), repr(wt.Point2D(1.5, 2.5)))\n"
        "print(repr(wt.Line2D([wt.Point2D(0, 0)])), repr(wt.Mask2D([1, 2], [3, 4])))\n"
        "print(wt.EntityId(7), wt.TimeFrameIndex(3), repr(wt.TimeFrameIndex(3)))\n"
    )
    assert out(engine, code) == (
        "Point2DU32(1, 2) Point2D(1.500000, 2.500000)\n"
        "Line2D(points=1) Mask2D(points=2)\n"
        "EntityId(7) 3 TimeFrameIndex(3)\n"
    )


# -- series: clock, storage info (bind_digital_event.cpp, bind_analog.cpp, ...) -----------------


def test_set_and_get_time_frame_follow_the_manager(engine) -> None:
    code = (
        "ev = wt.DigitalEventSeries()\n"
        "print(ev.getTimeFrame())\n"
        "dm.setData('ev', ev, 'camera')\n"
        "cam = dm.getTime('camera')\n"
        "print(ev.getTimeFrame() is cam, dm.getData('angle').getTimeFrame() is cam)\n"
        "dm.setTime('camera', wt.TimeFrame([0, 5]), True)\n"
        "print(ev.getTimeFrame().getTotalFrameCount())\n"
        "dm.setTime('other', wt.TimeFrame([0, 1, 2]))\n"
        "dm.setTimeKey('ev', 'other')\n"
        "print(ev.getTimeFrame() is dm.getTime('other'))\n"
        "tf = wt.TimeFrame([0, 1, 2])\n"
        "pd = wt.PointData()\n"
        "pd.setTimeFrame(tf)\n"
        "print(pd.getTimeFrame() is tf)\n"
        "t = wt.AnalogTimeSeries([1.0, 2.0], 2)\n"
        "dm.setData('grows', t, 'time')\n"  # the automatic clock grows: t follows it
        "print(t.getTimeFrame() is dm.getTime(), t.getTimeFrame().getTotalFrameCount())\n"
    )
    assert out(engine, code) == "None\nTrue True\n2\nTrue\nTrue\nTrue 2\n"


def test_event_and_interval_series_are_neither_views_nor_lazy(engine) -> None:
    code = (
        "for s in (wt.DigitalEventSeries(), wt.DigitalIntervalSeries()):\n"
        "    print(s.isView(), s.isLazy())\n"
    )
    assert out(engine, code) == "False False\nFalse False\n"


# -- tensors (bind_tensor.cpp) ---------------------------------------------------------------


def test_tensor_column_names_and_time_rows(engine) -> None:
    code = (
        "td = wt.TensorData.createOrdinal2D([1.0, 2.0, 3.0, 4.0], 2, 2)\n"
        "td.setColumnNames(['a', 'b'])\n"
        "print(td.hasNamedColumns(), td.columnNames(), td.getColumn('b'))\n"
        "td.setColumnNames([])\n"
        "print(td.hasNamedColumns())\n"
    )
    assert out(engine, code) == "True ['a', 'b'] [2.0, 4.0]\nFalse\n"
    assert not engine.run("td.setColumnNames(['only_one'])").success
    result = engine.run("td.rowTimeIndices()")
    assert not result.success
    assert "RuntimeError" in result.error
    from napari_whiskertoolbox.core import TensorData

    engine.namespace["tt"] = TensorData(np.ones((3, 1)), row_type="time", rows=[10, 20, 30])
    code = (
        "print(tt.rowTimeIndices(), tt.findRowForTime(20), tt.findRowForTime(25))\n"
        "print(tt.findRowGreaterOrEqual(25), tt.findRowLessOrEqual(25), tt.findRowLessOrEqual(5))\n"
    )
    assert out(engine, code) == (
        "[TimeFrameIndex(10), TimeFrameIndex(20), TimeFrameIndex(30)] 1 None\n2 1 None\n"
    )


# -- entity groups (bind_entity.cpp) ---------------------------------------------------------


def test_group_descriptors(engine) -> None:
    code = (
        "gm = dm.getEntityGroupManager()\n"
        "gid = gm.createGroup('good', 'hand-checked contacts')\n"
        "gm.addEntityToGroup(gid, 5)\n"
        "gm.createGroup('bad')\n"
        "d = gm.getGroupDescriptor(gid)\n"
        "print(d.name, repr(d.description), d.entity_count, d.id == gid, repr(d))\n"
        "print([g.name for g in gm.getAllGroupDescriptors()], gm.getGroupDescriptor('none'))\n"
    )
    assert out(engine, code) == (
        "good 'hand-checked contacts' 1 True GroupDescriptor('good', entities=1)\n"
        "['good', 'bad'] None\n"
    )


def test_lists_print_as_whiskertoolbox_prints_them(engine) -> None:
    code = (
        "ev = wt.DigitalEventSeries([wt.TimeFrameIndex(i) for i in [5, 15]])\n"
        "print(ev.toList())\n"
        "(t, e), = ev.toListWithIds()[:1]\n"
        "print(type(t).__name__, type(e).__name__)\n"
        "iv = wt.DigitalIntervalSeries([wt.Interval(0, 3)])\n"
        "print(iv.toList(), type(iv.toListWithIds()[0][1]).__name__)\n"
        "pd = wt.PointData()\n"
        "pd.addAtTime(wt.TimeFrameIndex(2), wt.Point2D(5.0, 10.0))\n"
        "print(pd.getTimesWithData(), pd.getAtTime(2))\n"
    )
    assert out(engine, code) == (
        "[TimeFrameIndex(5), TimeFrameIndex(15)]\n"
        "TimeFrameIndex EntityId\n"
        "[Interval(0, 3)] EntityId\n"
        "[TimeFrameIndex(2)] [Point2D(5.000000, 10.000000)]\n"
    )


def test_containers_print_as_whiskertoolbox_prints_them(engine) -> None:
    code = (
        "print(wt.DigitalEventSeries([wt.TimeFrameIndex(1)]))\n"
        "print(wt.DigitalIntervalSeries([wt.Interval(0, 1)]))\n"
        "print(wt.AnalogTimeSeries([1.0, 2.0], 2))\n"
        "print(wt.LineData(), wt.MaskData())\n"
        "print(wt.TensorData.createOrdinal2D([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3))\n"
        "print(wt.TimeFrame([0, 100, 200]))\n"
        "print(wt.DataManager())\n"
    )
    lines = out(engine, code).splitlines()
    assert lines[:5] == [
        "DigitalEventSeries(events=1)",
        "DigitalIntervalSeries(intervals=1)",
        "AnalogTimeSeries(samples=2)",
        "LineData(times=0, entries=0) MaskData(times=0, entries=0)",
        "TensorData(shape=(2, 3))",
    ]
    # WhiskerToolbox's form, then what ours adds (the clock's span, the keys)
    assert lines[5].startswith("TimeFrame(frames=3, times=0..200")
    assert lines[6].startswith("DataManager(keys=0, {}")


def test_execute_returns_whiskertoolbox_python_result_fields(engine) -> None:
    """WT ``PythonResult`` (``stdout_text``, ``stderr_text``, ``success``): the traceback is in
    ``stderr_text`` (``PythonEngine.test.cpp``: ValueError / SyntaxError / NameError cases;
    ``Phase5.test.cpp``: a failing prelude's ModuleNotFoundError)."""
    ok = engine.execute("print('a', end='')\nprint('b', end='')")
    assert (ok.success, ok.stdout_text, ok.stderr_text) == (True, "ab", "")
    for code, name in (
        ("raise ValueError('test error')", "ValueError: test error"),
        ("def f(", "SyntaxError"),
        ("print(undefined_variable)", "NameError"),
    ):
        failed = engine.execute(code)
        assert not failed.success
        assert name in failed.stderr_text
        assert failed.stdout_text == ""
    printed = engine.execute(
        "import sys\nprint('warn', file=sys.stderr)\nraise RuntimeError('boom')"
    )
    assert printed.stderr_text.startswith("warn\n")
    assert "RuntimeError: boom" in printed.stderr_text
    prelude = engine.executePrelude("import nonexistent_module_xyz_123")
    assert not prelude.success
    assert "ModuleNotFoundError" in prelude.stderr_text
    assert engine.execute("print(1 + 1, end='')").stdout_text == "2"


def test_data_type_numbers_and_repr_as_pybind11_prints_them(engine) -> None:
    """``wt.DataType`` is pybind11's ``py::enum_<DM_DataType>`` in WhiskerToolbox
    (``bind_datamanager.cpp``): ``repr`` ``<DataType.Analog: 5>``, ``int()`` the C++ number,
    and ``DataType(5)`` the member (``DM_DataType``: Video 0 … Tensor 8, Unknown 10)."""
    code = (
        "print(repr(wt.DataType.Analog), int(dm.getType('angle')), wt.DataType(5))\n"
        "print(int(wt.DataType.Video), int(wt.DataType.Tensor), int(wt.DataType.Unknown))\n"
        "print(wt.DataType.Analog == 'analog', wt.DataType('analog') is wt.DataType.Analog)\n"
    )
    assert out(engine, code) == "<DataType.Analog: 5> 5 DataType.Analog\n0 8 10\nTrue True\n"
