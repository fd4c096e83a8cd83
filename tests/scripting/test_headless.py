"""run_headless in-process: config and session loading, argv, save, failures."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox import io
from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager
from napari_whiskertoolbox.scripting.headless import EXIT_USAGE, run_headless

if TYPE_CHECKING:
    from pathlib import Path


def _script(folder: Path, text: str, name: str = "job.py") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_runs_against_a_saved_session_and_saves(tmp_path: Path, capsys) -> None:
    dm = DataManager()
    dm.set_data("angle", AnalogTimeSeries(np.arange(5, dtype=np.float32)))
    io.save_session(dm, tmp_path / "in")
    script = _script(
        tmp_path,
        "import sys\n"
        "gain = float(sys.argv[1])\n"
        "dm.setData('scaled', AnalogTimeSeries(dm.getData('angle').values * gain), 'time')\n"
        "print('keys', dm.getAllKeys())\n",
    )
    code = run_headless(script, session=tmp_path / "in", save=tmp_path / "out", argv=["2"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "keys ['angle', 'scaled']" in out.out
    saved = io.load_session(tmp_path / "out")
    np.testing.assert_array_equal(saved.get_data("scaled").values, [0, 2, 4, 6, 8])


def test_failure_prints_trimmed_traceback_and_does_not_save(tmp_path: Path, capsys) -> None:
    script = _script(tmp_path, "x = 1\nraise RuntimeError('bad input')\n")
    code = run_headless(script, save=tmp_path / "out")
    err = capsys.readouterr().err
    assert code == 1
    assert f'File "{script}", line 2, in <module>' in err
    assert "RuntimeError: bad input" in err
    assert "engine.py" not in err
    assert not (tmp_path / "out").exists()


def test_a_change_without_save_is_said_to_be_lost(tmp_path: Path, capfd) -> None:
    # exit 0 and the script's own prints looked like success; the new key was gone
    dm = DataManager()
    dm.set_data("angle", AnalogTimeSeries(np.arange(5, dtype=np.float32)))
    io.save_session(dm, tmp_path / "in")
    adds = _script(
        tmp_path, "dm.setData('scaled', AnalogTimeSeries(np.ones(5, np.float32)), 'time')\n"
    )
    assert run_headless(adds, session=tmp_path / "in") == 0
    err = capfd.readouterr().err
    assert "note: the session changed (keys added: scaled) and is not saved" in err
    assert "--save FOLDER" in err
    reads = _script(tmp_path, "print(dm.getAllKeys())\n", "reads.py")
    assert run_headless(reads, session=tmp_path / "in") == 0
    assert "note:" not in capfd.readouterr().err  # nothing changed: nothing to say
    assert run_headless(adds, session=tmp_path / "in", save=tmp_path / "out") == 0
    assert "note:" not in capfd.readouterr().err


def test_sys_exit_code_is_the_exit_code(tmp_path: Path) -> None:
    assert run_headless(_script(tmp_path, "import sys\nsys.exit(4)\n")) == 4
    assert run_headless(_script(tmp_path, "import sys\nsys.exit()\n", "ok.py")) == 0


def test_missing_script_or_session_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert run_headless(tmp_path / "nope.py") == EXIT_USAGE
    assert "script not found" in capsys.readouterr().err
    script = _script(tmp_path, "pass\n")
    assert run_headless(script, session=tmp_path / "missing.json") == EXIT_USAGE
    assert "session not found" in capsys.readouterr().err


def test_malformed_config_names_the_file(tmp_path: Path, capsys) -> None:
    config = tmp_path / "broken.json"
    config.write_text('[{"data_type": "points", "name": "p"')
    assert run_headless(_script(tmp_path, "pass\n"), session=config) == 1
    assert "broken.json" in capsys.readouterr().err


def test_loading_the_session_is_not_an_undo_step(tmp_path: Path, capsys) -> None:
    # as in the GUI (a file just opened has an empty undo history): a script's first
    # dm.undo() must not unload the session it was given
    dm = DataManager()
    dm.set_data("angle", AnalogTimeSeries(np.arange(5, dtype=np.float32)))
    dm.set_data("speed", AnalogTimeSeries(np.ones(5, dtype=np.float32)))
    io.save_session(dm, tmp_path / "in")
    script = _script(
        tmp_path,
        "print('undone', dm.undo(), 'modified', dm.modified)\n"
        "print('keys', sorted(dm.getAllKeys()))\n",
    )
    code = run_headless(script, session=tmp_path / "in")
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "undone False modified False" in out.out
    assert "keys ['angle', 'speed']" in out.out


def test_a_script_imports_its_sibling_module(tmp_path: Path, capsys) -> None:
    _script(tmp_path, "def double(x):\n    return 2 * x\n", "wtb_sibling_helpers.py")
    script = _script(
        tmp_path, "import wtb_sibling_helpers\nprint(wtb_sibling_helpers.double(21))\n"
    )
    try:
        code = run_headless(script)
    finally:
        sys.modules.pop("wtb_sibling_helpers", None)
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "42" in out.out


def test_a_missing_key_passed_to_a_function_is_named(tmp_path: Path, capsys) -> None:
    dm = DataManager()
    dm.set_data("angle", AnalogTimeSeries(np.arange(5, dtype=np.float32)))
    io.save_session(dm, tmp_path / "in")
    _script(
        tmp_path,
        "def mean_of(dm, key):\n    return dm.getData(key).values.mean()\n",
        "wtb_key_helpers.py",
    )
    script = _script(
        tmp_path,
        "import wtb_key_helpers\n"
        "GLOBAL_KEY = 'angle'\n"
        "def scaled(key, gain):\n"
        "    series = dm.getData(key)\n"
        "    return series.values * gain\n"
        "print(scaled(GLOBAL_KEY, 2))\n"
        "print(wtb_key_helpers.mean_of(dm, 'angel'))\n",
    )
    try:
        code = run_headless(script, session=tmp_path / "in")
    finally:
        sys.modules.pop("wtb_key_helpers", None)
    err = capsys.readouterr().err
    assert code == 1
    helpers = tmp_path / "wtb_key_helpers.py"
    assert err.splitlines()[-5:] == [
        f'  File "{helpers}", line 2, in mean_of',
        "    return dm.getData(key).values.mean()",
        "           ^^^^^^^^^^^^^^^^^^^^^^",
        "AttributeError: 'NoneType' object has no attribute 'values'",
        "note: dm.getData(key) on line 2 of wtb_key_helpers.py returned None: there is no key 'angel' "
        "(did you mean 'angle'?)",
    ]
    assert err.count("note:") == 1  # scaled's key exists


def test_a_config_with_a_newer_saved_session_says_so(tmp_path: Path, capsys, caplog) -> None:
    """napari asks which to open; a headless run loads the config and names the session."""
    import json
    import os

    from napari_whiskertoolbox.io.routing import session_folder_for
    from napari_whiskertoolbox.scripting.headless import load_for_script

    (tmp_path / "contacts.csv").write_text("1\n2\n5\n")
    config = tmp_path / "exp.json"
    item = {"data_type": "digital_event", "name": "contacts", "filepath": "contacts.csv"}
    config.write_text(json.dumps([item]))
    script = _script(tmp_path, "print('keys', sorted(dm.getAllKeys()))\n")
    assert run_headless(script, session=config) == 0
    assert "session saved" not in caplog.text  # none saved yet

    dm = load_for_script(config)
    dm.set_data("angle", AnalogTimeSeries(np.arange(5, dtype=np.float32)))
    folder = session_folder_for(config)
    io.save_session(dm, folder)
    stamp = config.stat().st_mtime + 10
    os.utime(folder / "session.json", (stamp, stamp))

    assert run_headless(script, session=config) == 0
    out = capsys.readouterr()
    assert "keys ['contacts']" in out.out  # the config, as asked
    # a load note (printed on stderr by Python's logging when nothing else handles it)
    assert f"a session saved from this config since it was last changed is at {folder}" in (
        caplog.text
    )
    assert "pass the session folder to use them" in caplog.text


def test_a_json_without_a_data_list_fails_the_run(tmp_path: Path, capsys) -> None:
    """Not an empty session with exit 0: the error names the file and the missing key."""
    config = tmp_path / "notacfg.json"
    config.write_text('{"foo": 1}')
    script = _script(tmp_path, "print(sorted(dm.getAllKeys()))\n")
    assert run_headless(script, session=config) == 1
    out, err = capsys.readouterr()
    assert out == ""  # the script never ran
    assert "notacfg.json" in err
    assert "missing the top-level key 'data'" in err


def test_a_deeplabcut_project_with_a_newer_saved_session_says_so(
    tmp_path: Path, capsys, caplog
) -> None:
    """As a config's: the session folder Ctrl+S saved from the project's labels is named."""
    import os

    from _dlc_project import copy_reaching
    from napari_whiskertoolbox.io.routing import open_path

    project = copy_reaching(tmp_path)
    script = _script(tmp_path, "print('keys', len(dm.getAllKeys()))\n")
    assert run_headless(script, session=project) == 0
    assert "session saved" not in caplog.text  # none saved yet

    folder = project / "reaching.session"
    io.save_session(open_path(project).dm, folder)
    table = project / "labeled-data" / "reachingvideo1" / "CollectedData_Mackenzie.h5"
    for twin in (table, table.with_suffix(".csv")):
        os.utime(twin, (1_000_000, 1_000_000))  # the labels are older than the session
    assert run_headless(script, session=project) == 0
    assert "keys 6" in capsys.readouterr().out  # the labels, as asked
    assert (
        f"a session saved from these DeepLabCut labels since they were last changed is at {folder}"
        in caplog.text
    )
