"""ScriptEngine: output, values, namespace, tracebacks, input, sys.exit, files, argv, cwd."""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING

import numpy as np
import pytest

from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager, Point2D
from napari_whiskertoolbox.scripting import ScriptBusyError, ScriptEngine

if TYPE_CHECKING:
    from pathlib import Path


def test_stdout_and_stderr_are_captured_separately(engine: ScriptEngine) -> None:
    result = engine.run("import sys\nprint('out')\nprint('err', file=sys.stderr)")
    assert result.success
    assert result.stdout == "out\n"
    assert result.stderr == "err\n"
    assert result.duration >= 0


def test_trailing_expression_repr_is_returned_and_stored(engine: ScriptEngine) -> None:
    result = engine.run("x = 6\nx * 7")
    assert result.value_repr == "42"
    assert engine.namespace["_"] == 42
    assert engine.run("x = 1").value_repr is None
    assert engine.run("None").value_repr is None


def test_namespace_persists_and_reset_clears_it(engine: ScriptEngine) -> None:
    engine.run("counter = 1")
    engine.run("counter += 1")
    assert engine.namespace["counter"] == 2
    engine.reset()
    assert "counter" not in engine.namespace
    assert engine.namespace["dm"] is engine.dm
    assert engine.namespace["np"] is np


def test_default_namespace_has_session_types_and_wtb_names(engine: ScriptEngine) -> None:
    result = engine.run(
        "from whiskertoolbox_python import *\n"
        "(type(dm).__name__, Point2D(1, 2).x, AnalogTimeSeries.__name__, viewer)"
    )
    assert result.success, result.error
    assert result.value_repr == "('DataManager', 1.0, 'AnalogTimeSeries', None)"


def test_new_names_lists_created_and_rebound_variables(engine: ScriptEngine) -> None:
    engine.run("a = 1\nb = 2")
    result = engine.run("b = 3\nc = 4")
    assert set(result.new_names) == {"b", "c"}


def test_traceback_points_at_user_lines_without_engine_frames(engine: ScriptEngine) -> None:
    code = "x = 1\n\ndef broken():\n    return 1 / 0\n\nbroken()\n"
    result = engine.run(code)
    assert not result.success
    assert "ZeroDivisionError" in result.error
    assert "line 6, in <module>" in result.error
    assert "line 4, in broken" in result.error
    assert "return 1 / 0" in result.error  # source shown for editor code via linecache
    assert "engine.py" not in result.error


def test_syntax_error_reports_file_and_line(tmp_path: Path, engine: ScriptEngine) -> None:
    script = tmp_path / "bad_syntax.py"
    script.write_text("x = 1\ny = (\n")
    result = engine.run_file(script)
    assert not result.success
    assert "SyntaxError" in result.error
    assert str(script) in result.error
    assert "line 2" in result.error
    assert "ast.py" not in result.error


def test_file_traceback_names_the_file(tmp_path: Path, engine: ScriptEngine) -> None:
    script = tmp_path / "analysis.py"
    script.write_text("import numpy as np\n\nvalues = dm.get_data('no_such_key')\n")
    result = engine.run_file(script)
    assert not result.success
    assert f'File "{script}", line 3, in <module>' in result.error
    assert "no_such_key" in result.error
    # The traceback stops at the user's line: no frames from our own modules.
    assert "data_manager.py" not in result.error
    assert result.error.rstrip().splitlines()[-1].startswith("KeyError:")


def test_input_raises_a_clear_error(engine: ScriptEngine) -> None:
    result = engine.run("name = input('your name? ')")
    assert not result.success
    assert "ScriptInputError" in result.error
    assert "input() is disabled" in result.error
    assert "input('your name? ')" in result.error
    assert "sys.argv" in result.error


@pytest.mark.parametrize(
    ("code", "success", "exit_code", "error"),
    [
        ("import sys; sys.exit()", True, 0, None),
        ("import sys; sys.exit(0)", True, 0, None),
        ("import sys; sys.exit(3)", False, 3, "SystemExit: 3"),
        ("raise SystemExit('no data to process')", False, 1, "no data to process"),
    ],
)
def test_sys_exit_ends_only_the_script(
    engine: ScriptEngine, code: str, success: bool, exit_code: int, error: str | None
) -> None:
    result = engine.run(code + "\nafter_exit = True")
    assert result.success is success
    assert result.exit_code == exit_code
    assert result.error == error
    assert "after_exit" not in engine.namespace
    assert engine.run("1 + 1").value_repr == "2"  # engine and process are still fine


def test_run_file_sets_file_argv_and_cwd_then_restores(
    tmp_path: Path, engine: ScriptEngine
) -> None:
    folder = tmp_path / "scripts"
    folder.mkdir()
    (folder / "numbers.txt").write_text("1 2 3")
    script = folder / "read_numbers.py"
    script.write_text(
        "import os, sys\n"
        "here = os.getcwd()\n"
        "args = sys.argv[1:]\n"
        "script_file = __file__\n"
        "total = sum(int(n) for n in open('numbers.txt').read().split())\n"
    )
    cwd, argv = os.getcwd(), list(sys.argv)
    result = engine.run_file(script, argv=["--gain", "2"])
    assert result.success, result.error
    assert engine.namespace["here"] == str(folder)
    assert engine.namespace["args"] == ["--gain", "2"]
    assert engine.namespace["script_file"] == str(script)
    assert engine.namespace["total"] == 6
    assert os.getcwd() == cwd
    assert sys.argv == argv
    assert "__file__" not in engine.namespace


def test_run_file_missing_fails_saying_the_file_could_not_be_opened(
    tmp_path: Path, engine: ScriptEngine
) -> None:
    result = engine.run_file(tmp_path / "missing.py")
    assert not result.success
    assert result.error.startswith("Could not open file: ")
    assert "missing.py" in result.error
    assert engine.run("1 + 1").value_repr == "2"  # the engine is still usable


def test_run_async_calls_back_with_result_and_streams_output(engine: ScriptEngine) -> None:
    done = threading.Event()
    results = []
    streamed = []

    def on_done(result):
        results.append(result)
        done.set()

    thread = engine.run_async(
        "for i in range(3):\n    print(i)\n'ok'",
        on_done,
        on_output=lambda stream, text: streamed.append((stream, text)),
    )
    assert done.wait(10)
    thread.join(5)
    assert results[0].stdout == "0\n1\n2\n"
    assert results[0].value_repr == "'ok'"
    assert "".join(text for stream, text in streamed if stream == "stdout") == "0\n1\n2\n"


def test_second_run_while_busy_is_refused(engine: ScriptEngine) -> None:
    started = threading.Event()
    engine.namespace["started"] = started
    engine.run_async("started.set()\nwhile True: pass")
    assert started.wait(10)
    with pytest.raises(ScriptBusyError):
        engine.run("1")
    assert engine.cancel()
    for _ in range(100):
        if not engine.is_running:
            break
        threading.Event().wait(0.05)
    assert engine.run("2").value_repr == "2"


def test_other_threads_output_is_not_captured(engine: ScriptEngine, capsys) -> None:
    gate = threading.Event()
    printed = threading.Event()

    def bystander() -> None:
        gate.wait(10)
        print("from another thread")
        printed.set()

    worker = threading.Thread(target=bystander)
    worker.start()
    engine.namespace["gate"], engine.namespace["printed"] = gate, printed
    result = engine.run("print('script')\ngate.set()\nprinted.wait(10)")
    worker.join(10)
    assert result.stdout == "script\n"
    assert "from another thread" in capsys.readouterr().out


def test_configurable_prelude(session_dm: DataManager) -> None:
    engine = ScriptEngine(session_dm, prelude="GAIN = 2.5\nimport math")
    assert engine.run("GAIN * 2").value_repr == "5.0"
    assert "GAIN" not in [entry.name for entry in engine.listing()]
    engine.prelude = "GAIN = 1"
    engine.reset()
    assert engine.namespace["GAIN"] == 1
    with pytest.raises(ValueError, match="prelude failed"):
        ScriptEngine(session_dm, prelude="1 / 0")


def test_listing_describes_arrays_and_data_types(engine: ScriptEngine) -> None:
    engine.run(
        "arr = np.zeros((3, 4), dtype=np.int16)\n"
        "series = AnalogTimeSeries(np.ones(5, dtype=np.float32))\n"
        "pts = dm.getData('nose')\n"
        "def helper():\n    return 1\n"
        "_private = 1\n"
    )
    entries = {entry.name: entry for entry in engine.listing()}
    assert entries["arr"].shape == (3, 4)
    assert entries["arr"].dtype == "int16"
    assert entries["series"].summary == "5 samples, dense"
    assert entries["series"].shape == (5,)
    assert entries["pts"].summary == "10 points on 5 frames"
    assert entries["dm"].summary == "4 keys"
    assert "helper" in entries
    assert "_private" not in entries
    assert "np" not in entries


def test_listing_survives_objects_whose_attributes_raise(engine: ScriptEngine) -> None:
    """Was: a napari dock widget deleted by Qt (its ``shape`` raises RuntimeError, as sip's
    wrappers do) left in the console's namespace broke the whole variable list."""
    engine.run(
        "class Deleted:\n"
        "    def __getattr__(self, name):\n"
        "        raise RuntimeError('wrapped C/C++ object has been deleted')\n"
        "dock = Deleted()\n"
        "kept = np.zeros(3)\n"
    )
    entries = {entry.name: entry for entry in engine.listing()}
    assert entries["dock"].shape is None
    assert entries["kept"].shape == (3,)


def test_wtb_script_points_to_analog_with_set_data(engine: ScriptEngine) -> None:
    """A script written for WhiskerToolbox's console runs unchanged."""
    script = (
        "from whiskertoolbox_python import *\n"
        "import numpy as np\n"
        "points = dm.getData('nose')\n"
        "times = points.getTimesWithData()\n"
        "xs = np.zeros(len(times), dtype=np.float32)\n"
        "for i, t in enumerate(times):\n"
        "    pts = points.getAtTime(t)\n"
        "    xs[i] = np.mean([p.x for p in pts])\n"
        "x_series = AnalogTimeSeries(xs, [int(t) for t in times])\n"
        "dm.setData('nose_x', x_series, 'camera')\n"
        "print(dm.getAllKeys())\n"
    )
    result = engine.run(script)
    assert result.success, result.error
    dm = engine.dm
    assert "nose_x" in dm.getAllKeys()
    assert dm.getTimeKey("nose_x") == "camera"
    assert dm.getType("nose_x") == "analog"
    stored = dm.get_data("nose_x")
    np.testing.assert_array_equal(stored.times, [0, 2, 4, 6, 8])
    np.testing.assert_allclose(stored.values, [1, 3, 5, 7, 9])
    first = dm.get_data("nose").getAtTime(0)[0]
    assert isinstance(first, Point2D)
    assert (first.x, first.y) == (0.0, 0.0)


def test_values_are_zero_copy_inside_a_script(engine: ScriptEngine) -> None:
    result = engine.run(
        "series = dm.getData('angle')\n"
        "v1, v2 = series.values, series.values\n"
        "(np.shares_memory(v1, v2), np.shares_memory(np.asarray(series), v1), v1.flags.writeable)"
    )
    assert result.success, result.error
    assert result.value_repr == "(True, True, False)"
    stored = engine.dm.get_data("angle")
    assert np.shares_memory(engine.namespace["v1"], stored.values)
    assert isinstance(stored, AnalogTimeSeries)


def test_huge_expression_repr_is_cut(engine: ScriptEngine) -> None:
    result = engine.run("list(range(100_000))")
    assert len(result.value_repr) < 21_000
    assert result.value_repr.endswith("more characters]")
    assert len(engine.namespace["_"]) == 100_000


def test_a_script_imports_modules_beside_it_and_sees_their_edits(
    tmp_path: Path, engine: ScriptEngine
) -> None:
    # as `python analysis.py` does: the script's folder is first on sys.path
    folder = tmp_path / "project"
    folder.mkdir()
    helper = folder / "wtb_helper_mod.py"
    helper.write_text("GAIN = 2\n")
    script = folder / "analysis.py"
    script.write_text("import wtb_helper_mod\nimport sys\ngain = wtb_helper_mod.GAIN\n")
    path_before = list(sys.path)
    try:
        result = engine.run_file(script)
        assert result.success, result.error
        assert engine.namespace["gain"] == 2
        assert sys.path == path_before  # the folder is on the path only while the script runs
        first = sys.modules["wtb_helper_mod"]
        assert engine.run_file(script).success
        assert sys.modules["wtb_helper_mod"] is first  # unchanged: imported once
        helper.write_text("GAIN = 3\n")  # the user edits the helper, runs again
        os.utime(helper, ns=(first_ns := os.stat(helper).st_mtime_ns + 10**9, first_ns))
        assert engine.run_file(script).success
        assert engine.namespace["gain"] == 3
    finally:
        sys.modules.pop("wtb_helper_mod", None)


def test_code_imports_modules_from_the_chosen_working_folder(
    tmp_path: Path, engine: ScriptEngine
) -> None:
    (tmp_path / "wtb_workdir_mod.py").write_text("VALUE = 'here'\n")
    engine.set_working_directory(tmp_path)
    try:
        result = engine.run("import wtb_workdir_mod\nwtb_workdir_mod.VALUE")
        assert result.success, result.error
        assert result.value_repr == "'here'"
        assert str(tmp_path) not in sys.path
    finally:
        sys.modules.pop("wtb_workdir_mod", None)


EDIT_EVERY_FRAME = (
    "nose = dm.getData('nose')\n"
    "for t in nose.getTimesWithData():\n"
    "    p = nose.getAtTime(t)[0]\n"
    "    nose.clearAtTime(t)\n"
    "    nose.addAtTime(t, [Point2D(p.x + 1, p.y)])\n"
    "dm.setData('tip', AnalogTimeSeries(np.zeros(100, np.float32)), 'time')\n"
)


def test_a_run_is_one_undo_step(tmp_path: Path, session_dm: DataManager) -> None:
    session_dm.history.max_depth = 8  # fewer than the script's edits
    session_dm.delete_data("contact")  # the user's own step before the script
    engine = ScriptEngine(session_dm)
    nose = session_dm.get_data("nose")
    before = [nose.at(t).copy() for t in range(10)]
    script = tmp_path / "shift.py"
    script.write_text(EDIT_EVERY_FRAME)
    result = engine.run_file(script)
    assert result.success, result.error
    assert session_dm.history.undo_label == "run shift.py"
    assert session_dm.undo()
    assert "tip" not in session_dm
    for t in range(10):
        np.testing.assert_array_equal(nose.at(t), before[t])
    assert session_dm.history.undo_label == "delete contact"  # older history kept
    assert session_dm.undo()
    assert "contact" in session_dm
    assert engine.run("dm.deleteData('angle')\nprint(dm.undo(), 'angle' in dm)").stdout == (
        "True True\n"  # a script may undo its own edits
    )


def test_headless_engines_keep_every_step(session_dm: DataManager) -> None:
    engine = ScriptEngine(session_dm, undo_step_per_run=False)
    steps = len(session_dm.history)
    assert engine.run(EDIT_EVERY_FRAME).success
    assert session_dm.history.undo_label == "set tip"
    assert len(session_dm.history) == steps + 11  # 5 frames cleared and refilled, 1 key


def test_none_from_get_data_of_a_misspelt_key_is_named_in_the_traceback(
    engine: ScriptEngine,
) -> None:
    """WhiskerToolbox's ``dm.getData`` gives None for a key it lacks, so a misspelt key
    surfaced lines later as "'NoneType' object has no attribute 'values'", with nothing
    saying which key was missing; the traceback now names it and the closest key."""
    engine.dm.set_data("whisker_angle", AnalogTimeSeries([1.0, 2.0]))
    result = engine.run(
        'ang = dm.getData("whisker_angel")\nok = dm.getData("whisker_angle")\nvalues = ang.values\n'
    )
    assert not result.success
    assert result.error.splitlines()[-2:] == [
        "AttributeError: 'NoneType' object has no attribute 'values'",
        "note: dm.getData('whisker_angel') on line 1 returned None: there is no key "
        "'whisker_angel' (did you mean 'whisker_angle'?)",
    ]
    # None met otherwise gets no note; nor does a getData of a key that exists
    other = engine.run("x = None\nx.values\n")
    assert "note:" not in other.error


def test_run_file_not_in_utf8_names_the_line_and_what_is_expected(
    tmp_path: Path, engine: ScriptEngine
) -> None:
    script = tmp_path / "latin.py"
    script.write_bytes(b"x = 1\nname = 'caf\xe9'\n")
    result = engine.run_file(script)
    assert not result.success
    assert f"{script}, line 2, column 12: byte 0xe9 is not UTF-8" in result.error
    assert "PEP 263" in result.error
