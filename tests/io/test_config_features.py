"""load_config: variables, loops, clocks, python block, relative paths, all-or-nothing."""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io import FormatError, load_config
from napari_whiskertoolbox.io.report import LoadReport


@pytest.fixture
def events_dir(tmp_path):
    folder = tmp_path / "animal1"
    folder.mkdir()
    for name, times in {"w0": "1\n2\n", "w1": "3\n", "w2": "4\n5\n6\n"}.items():
        (folder / f"{name}.csv").write_text(times)
    return folder


def test_paths_are_relative_to_the_json_file(tmp_path, events_dir, write_config):
    sub = tmp_path / "configs"
    sub.mkdir()
    cfg = sub / "c.json"
    cfg.write_text('[{"data_type": "digital_event", "name": "e", "filepath": "../animal1/w0.csv"}]')
    dm = load_config(cfg)
    np.testing.assert_array_equal(dm.get_data("e").times, [1, 2])
    assert dm.metadata["sources"]["e"]["filepath"] == str(events_dir / "w0.csv")


def test_a_loaded_config_is_not_an_undo_step(tmp_path, events_dir):
    """As a WhiskerToolbox user expects: dm.undo() right after loading unloads nothing."""
    cfg = tmp_path / "c.json"
    cfg.write_text(
        '[{"data_type": "digital_event", "name": "e", "filepath": "animal1/w0.csv"},'
        ' {"data_type": "digital_event", "name": "f", "filepath": "animal1/w1.csv"}]'
    )
    dm = load_config(cfg)
    assert not dm.modified
    assert not dm.undo()
    assert sorted(dm.keys()) == ["e", "f"]
    into = DataManager()
    load_config(cfg, into)  # into the user's own DataManager: an edit of it, undoable
    assert into.modified
    into.undo()
    assert len(into.keys()) < 2


def test_variables_then_environment(tmp_path, events_dir, write_config, monkeypatch):
    monkeypatch.setenv("WTB_TEST_ANIMAL", "animal1")
    doc = {
        "variables": {"WHISKER": "w1"},
        "data": [
            {"data_type": "digital_event", "name": "${WHISKER}_events",
             "filepath": "${WTB_TEST_ANIMAL}/${WHISKER}.csv"},
        ],
    }  # fmt: skip
    dm = load_config(write_config(doc))
    np.testing.assert_array_equal(dm.get_data("w1_events").times, [3])


def test_variables_take_precedence_over_environment(
    tmp_path, events_dir, write_config, monkeypatch
):
    monkeypatch.setenv("WHICH", "w0")
    doc = {
        "variables": {"WHICH": "w2"},
        "data": [{"data_type": "digital_event", "name": "e", "filepath": "animal1/${WHICH}.csv"}],
    }
    assert len(load_config(write_config(doc)).get_data("e")) == 3


def test_variables_fill_object_keys_but_not_clocks_or_list_configs(
    tmp_path, events_dir, write_config, monkeypatch
):
    """WhiskerToolbox substitutes the text of the object form's data array only (§1.3)."""
    monkeypatch.setenv("WTB_TEST_W", "w0")
    doc = {
        "variables": {"OPT": "has_header", "N": 3},
        "data": [{"data_type": "digital_event", "name": "e", "filepath": "animal1/w0.csv",
                  "${OPT}": True}],
    }  # fmt: skip
    np.testing.assert_array_equal(load_config(write_config(doc)).get_data("e").times, [2])
    doc["data"][0]["name"] = "e${N}"  # a number in 'variables' is ignored, as WhiskerToolbox does
    with pytest.raises(FormatError, match=r"\$\{N\} is 3 in 'variables', not a string"):
        load_config(write_config(doc))
    # the clock names in 'clocks' are taken as written
    doc = {"variables": {"C": "cam"}, "clocks": ["${C}"],
           "data": [{"data_type": "time", "name": "cam", "format": "uint16_length",
                     "filepath": "animal1/w0.csv"}]}  # fmt: skip
    with pytest.raises(FormatError, match=r"clock '\$\{C\}' is declared but never gets values"):
        load_config(write_config(doc))
    # the list form gets no substitution: ${WTB_TEST_W} stays literal text
    (events_dir / "${WTB_TEST_W}.csv").write_text("7\n")
    doc = [{"data_type": "digital_event", "name": "e_${WTB_TEST_W}",
            "filepath": "animal1/${WTB_TEST_W}.csv"}]  # fmt: skip
    dm = load_config(write_config(doc))
    np.testing.assert_array_equal(dm.get_data("e_${WTB_TEST_W}").times, [7])


def test_an_invalid_loop_fails_only_the_items_using_it(tmp_path, events_dir, write_config):
    """WhiskerToolbox drops an invalid loop definition; only items using it are lost."""
    static = {"data_type": "digital_event", "name": "static", "filepath": "animal1/w1.csv"}
    doc = {"loops": {"bad": {"from": 3, "to": 0}, "w": ["w0"]},
           "data": [static, {"data_type": "digital_event", "name": "e_{w}",
                             "filepath": "animal1/{w}.csv"}]}  # fmt: skip
    dm = load_config(write_config(doc))
    assert dm.keys() == ["static", "e_w0"]
    doc["loops"]["w"] = []  # no value: the item is left out, as WhiskerToolbox does (noted)
    report = LoadReport()
    assert load_config(write_config(doc), report=report).keys() == ["static"]
    assert report.skipped() == 1
    doc["data"].append({**static, "name": "s_{bad}"})
    with pytest.raises(FormatError, match=r"loops\.bad.*range from 3 to 0 with step 1 is empty"):
        load_config(write_config(doc))


def test_loops_expand_items_per_value(tmp_path, events_dir, write_config):
    """WhiskerToolbox's loop form: {name} placeholders, lists or inclusive ranges."""
    doc = {
        "variables": {"ANIMAL": "animal1"},
        "loops": {"w": ["w0", "w2"], "i": {"from": 0, "to": 1}},
        "data": [
            {"data_type": "digital_event", "name": "events_{w}", "filepath": "${ANIMAL}/{w}.csv"},
            {"data_type": "digital_event", "name": "idx_{i}", "filepath": "${ANIMAL}/w{i}.csv"},
            {"data_type": "digital_event", "name": "static", "filepath": "${ANIMAL}/w1.csv"},
        ],
    }
    dm = load_config(write_config(doc))
    assert dm.keys() == ["events_w0", "events_w2", "idx_0", "idx_1", "static"]
    np.testing.assert_array_equal(dm.get_data("events_w2").times, [4, 5, 6])
    np.testing.assert_array_equal(dm.get_data("idx_1").times, [3])


def test_loop_range_with_step(tmp_path, events_dir, write_config):
    doc = {
        "loops": {"i": {"from": 0, "to": 2, "step": 2}},
        "data": [{"data_type": "digital_event", "name": "e{i}", "filepath": "animal1/w{i}.csv"}],
    }
    assert load_config(write_config(doc)).keys() == ["e0", "e2"]


def test_loop_error_names_the_loop_value(tmp_path, events_dir, write_config):
    doc = {
        "loops": {"W": ["w0", "w9"]},
        "data": [{"data_type": "digital_event", "name": "e_{W}", "filepath": "animal1/{W}.csv"}],
    }
    with pytest.raises(FormatError, match=r"data\[0\] \(W=w9\) 'e_w9'.*w9\.csv"):
        load_config(write_config(doc))


@pytest.mark.parametrize(
    ("name", "message"),
    [("x_{missing}", "names no loop"), ("x_{a}_{b}", "one loop variable")],
)
def test_bad_loop_placeholders(write_config, name, message):
    doc = {
        "loops": {"a": [0], "b": [1]},
        "data": [{"data_type": "digital_event", "name": name, "filepath": "x.csv"}],
    }
    with pytest.raises(FormatError, match=rf"data\[0\].*{message}"):
        load_config(write_config(doc))


@pytest.fixture
def no_transformations_runner():
    """No runner installed (as when napari_whiskertoolbox.transforms was never imported)."""
    from napari_whiskertoolbox.io.config import set_transformations_runner

    previous = set_transformations_runner(None)
    yield
    set_transformations_runner(previous)


@pytest.mark.usefixtures("events_dir", "no_transformations_runner")
@pytest.mark.parametrize("where", ["data", "root"])
def test_transformations_without_runner_fail_saying_what_to_import(write_config, where):
    block = {"steps": []}
    doc = {"data": [{"data_type": "digital_event", "name": "e", "filepath": "animal1/w0.csv"}]}
    if where == "data":
        doc["data"].insert(0, {"transformations": block})
    else:
        doc["transformations"] = block
    dm = DataManager()
    with pytest.raises(
        FormatError,
        match=r"config item transformations.*'transformations' block.*"
        r"`import napari_whiskertoolbox\.transforms`.*nothing was loaded",
    ):
        load_config(write_config(doc), dm)
    assert dm.keys() == []


@pytest.mark.usefixtures("events_dir")
def test_runner_blocks_run_in_order_on_the_staging_data_and_commands_are_kept(write_config):
    from napari_whiskertoolbox.io.config import set_transformations_runner

    seen = []

    def runner(dm, block):
        seen.append((dm.keys(), block))
        dm.set_data(block["out"], DigitalEventSeries([7]))

    doc = {
        "variables": {"OUT": "second", "DIR": "C:\\data\\x"},
        "data": [
            {"transformations": {"out": "first"}},
            {"data_type": "digital_event", "name": "e", "filepath": "animal1/w0.csv"},
        ],
        "transformations": {"out": "${OUT}", "keep": "${NOT_A_VARIABLE}", "in": "${DIR}"},
        "commands": [{"command_name": "SaveData", "parameters": {}}],
        "saves": [],
    }
    previous = set_transformations_runner(runner)
    try:
        dm = load_config(write_config(doc))
    finally:
        set_transformations_runner(previous)
    assert [block for _, block in seen] == [
        {"out": "first"},
        {"out": "second", "keep": "${NOT_A_VARIABLE}", "in": "C:/data/x"},  # "\\" -> "/"
    ]
    assert seen[0][0] == ["e"]  # blocks run after the data loaded
    assert dm.keys() == ["e", "first", "second"]
    assert dm.metadata["config_runner_phases"] == {"commands": doc["commands"], "saves": []}


def test_clocks_block_binds_items(tmp_path, events_dir, write_config):
    ticks = tmp_path / "camera.txt"
    ticks.write_text("0\n300\n600\n900\n")
    doc = {
        "clocks": {"camera": {"format": "csv", "filepath": "camera.txt", "sampling_rate": 30000}},
        "data": [
            {"data_type": "digital_event", "name": "e", "filepath": "animal1/w0.csv", "clock": "camera"},
        ],
    }  # fmt: skip
    dm = load_config(write_config(doc))
    assert dm.time_key("e") == "camera"
    camera = dm.get_time("camera")
    np.testing.assert_array_equal(camera.times, [0, 300, 600, 900])
    assert camera.sampling_rate == 30000
    assert dm.convert_index(2, "camera", "camera") == 2


def test_explicit_time_clock_is_not_replaced_by_media(wtb_data, write_config):
    doc = {
        "clocks": [{"name": "time", "format": "count", "count": 30000}],
        "data": [
            {"data_type": "video", "name": "v", "filepath": str(wtb_data / "Media" / "*.mp4")}
        ],
    }
    dm = load_config(write_config(doc))
    assert len(dm.get_time("time")) == 30000


def test_python_code_is_reported_not_executed(tmp_path, write_config):
    marker = tmp_path / "ran.txt"
    code = f"open({str(marker)!r}, 'w').write('x')"
    dm = load_config(write_config({"data": [], "python_code": code}))
    assert not marker.exists()
    assert dm.metadata["config_python_code"] == {"code": code, "file": None, "executed": False}


def test_python_code_runs_only_when_allowed(tmp_path, write_config):
    code = [
        "from napari_whiskertoolbox.core.events import DigitalEventSeries",
        "dm.set_data('from_python', DigitalEventSeries([7, 8]))",
    ]
    dm = load_config(write_config({"python_code": code, "data": []}), allow_python=True)
    np.testing.assert_array_equal(dm.get_data("from_python").times, [7, 8])
    assert dm.metadata["config_python_code"]["executed"] is True


def test_python_code_file_is_not_imported(tmp_path, write_config):
    script = tmp_path / "setup.py"
    script.write_text("raise SystemExit('must not run')\n")
    dm = load_config(write_config({"python_code": {"file": "setup.py"}, "data": []}))
    assert dm.metadata["config_python_code"]["file"] == str(script)


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("print('hi')", r"'python' to be an object.*code to run goes under 'python_code'"),
        ({"file": "setup.py"}, r"'python\.file'.*'python_code'"),
        # the README's "our own key python_code" read as a key of the python block: it was
        # silently ignored (the code never ran and was not reported)
        ({"python_code": "print('hi')"}, r"'python\.python_code'.*top-level key 'python_code'"),
        ({"venv_path": 3}, r"python\.venv_path must be a string"),
        ({"prepend_sys_paths": "lib"}, r"python\.prepend_sys_paths must be a list of strings"),
        ({"fail_on_missing_imports": "no"}, r"python\.fail_on_missing_imports must be true or"),
    ],
)
def test_malformed_python_block_names_the_key(write_config, block, expected):
    with pytest.raises(FormatError, match=rf"config item python; .*{expected}"):
        load_config(write_config({"data": [], "python": block}))


def _populated_dm() -> DataManager:
    dm = DataManager()
    dm.set_time("camera", TimeFrame([0, 10, 20]))
    dm.set_data("existing", DigitalEventSeries([1, 2, 3]))
    dm.metadata["note"] = "keep me"
    dm.mark_saved()
    return dm


def _snapshot(dm: DataManager):
    return (
        dm.keys(),
        {k: dm.get_data(k) for k in dm},
        dm.time_keys(),
        {c: dm.get_time(c) for c in dm.time_keys()},
        dict(dm.metadata),
        dm.modified,
        dm.history.can_undo,
    )


@pytest.mark.parametrize(
    "bad_item",
    [
        {"data_type": "digital_event", "name": "bad", "filepath": "missing.csv"},
        {"data_type": "nonsense", "name": "bad", "filepath": "x.csv"},
        {
            "data_type": "digital_event",
            "name": "bad",
            "filepath": "animal1/w0.csv",
            "clock": "nope",
        },
    ],
)
def test_all_or_nothing(tmp_path, events_dir, write_config, bad_item):
    dm = _populated_dm()
    before = _snapshot(dm)
    good = {"data_type": "digital_event", "name": "good", "filepath": "animal1/w1.csv"}
    clock = {"name": "time", "format": "count", "count": 5}
    with pytest.raises(FormatError):
        load_config(write_config({"clocks": [clock], "data": [good, bad_item]}), dm)
    after = _snapshot(dm)
    assert after[0] == before[0]
    assert after[2] == before[2]
    assert all(after[1][k] is before[1][k] for k in before[0])
    assert all(after[3][c] is before[3][c] for c in before[2])
    assert after[4:] == before[4:]


def test_python_error_leaves_dm_unchanged(tmp_path, events_dir, write_config):
    dm = _populated_dm()
    doc = {
        "data": [{"data_type": "digital_event", "name": "good", "filepath": "animal1/w1.csv"}],
        "python_code": "raise RuntimeError('boom')",
    }
    with pytest.raises(FormatError, match=r"python_code.*RuntimeError: boom"):
        load_config(write_config(doc), dm, allow_python=True)
    assert dm.keys() == ["existing"]


def test_success_merges_into_given_dm_and_is_undoable(tmp_path, events_dir, write_config):
    dm = _populated_dm()
    doc = [
        {
            "data_type": "digital_event",
            "name": "good",
            "filepath": "animal1/w1.csv",
            "color": "#ff0000",
        }
    ]
    result = load_config(write_config(doc), dm)
    assert result is dm
    assert dm.keys() == ["existing", "good"]
    assert dm.metadata["note"] == "keep me"
    source = dm.metadata["sources"]["good"]
    assert source["format"] == "csv"
    assert source["color"] == "#ff0000"
    assert source["filepath"] == str(events_dir / "w1.csv")
    assert dm.modified
    assert dm.undo()
    assert dm.keys() == ["existing"]


def test_items_may_use_clocks_and_keys_the_dm_already_holds(tmp_path, events_dir, write_config):
    """WhiskerToolbox binds to a clock its DataManager holds and derives clocks from its keys."""
    dm = DataManager()
    daq = TimeFrame(np.arange(0, 100, 10))
    dm.set_time("daq", daq)
    dm.set_data("old", DigitalEventSeries([2, 4]), "daq")
    doc = [
        {"data_type": "digital_event", "name": "e", "filepath": "animal1/w0.csv", "clock": "daq"},
        {"data_type": "time", "name": "span", "format": "max_value", "source_data": "old"},
        {"data_type": "time", "name": "cam", "format": "derived", "source_timeframe": "daq",
         "source_series": "old", "source_type": "event"},
    ]  # fmt: skip
    load_config(write_config(doc), dm)
    assert dm.time_key("e") == "daq"
    assert dm.get_time("daq") is daq  # used, not replaced
    np.testing.assert_array_equal(dm.get_time("span").times, np.arange(41))  # tick of event 4
    np.testing.assert_array_equal(dm.get_time("cam").times, [20, 40])
    with pytest.raises(
        FormatError, match=r"clock 'other' is never defined.*defined: \['cam', 'daq'"
    ):
        load_config(write_config([{**doc[0], "clock": "other"}]), dm)


def test_media_fill_time_only_while_it_is_empty(tmp_path, write_config):
    """WhiskerToolbox fills `time` from media only when empty: a second config keeps it."""
    import imageio.v3 as iio

    for folder, count in (("a", 3), ("b", 5)):
        (tmp_path / folder).mkdir()
        for i in range(count):
            iio.imwrite(tmp_path / folder / f"f{i}.png", np.zeros((2, 2), np.uint8))
    first = [{"data_type": "images", "name": "media", "filepath": "a"}]
    second = [{"data_type": "images", "name": "stack", "filepath": "b"}]
    dm = load_config(write_config(first))
    load_config(write_config(second, "second.json"), dm)
    assert len(dm.get_time("time")) == 3
    assert len(load_config(write_config(second, "second.json")).get_time("time")) == 5


def test_forward_declared_clock_that_never_gets_values(tmp_path, events_dir, write_config):
    doc = {
        "clocks": ["master"],
        "data": [{"data_type": "digital_event", "name": "e", "filepath": "animal1/w0.csv"}],
    }
    with pytest.raises(FormatError, match=r"config item clocks.*'master' is declared but never"):
        load_config(write_config(doc))


def test_data_may_reference_a_clock_defined_later(tmp_path, events_dir, write_config):
    (tmp_path / "ticks.txt").write_text("5\n10\n15\n")
    doc = {
        "clocks": ["master"],
        "data": [
            {"data_type": "digital_event", "name": "e", "filepath": "animal1/w0.csv", "clock": "master"},
            {"data_type": "time", "name": "master", "format": "csv", "filepath": "ticks.txt"},
        ],
    }  # fmt: skip
    dm = load_config(write_config(doc))
    assert dm.time_key("e") == "master"
    np.testing.assert_array_equal(dm.get_time("master").times, [5, 10, 15])


@pytest.mark.parametrize("clock", [5, ""])
def test_a_clock_that_is_not_a_name_leaves_the_data_on_time(
    tmp_path, events_dir, write_config, clock
):
    """WhiskerToolbox reads 'clock' only as a string naming a clock: the data stay on time."""
    item = {"data_type": "digital_event", "name": "e", "filepath": "animal1/w0.csv", "clock": clock}
    report = LoadReport()
    dm = load_config(write_config([item]), report=report)
    assert dm.time_key("e") == "time"
    assert "'clock'" in report.of_kind("unknown_option")[0].message


def test_clock_option_on_clock_items(tmp_path, write_config):
    """WhiskerToolbox ignores 'clock' on max_value/derived clocks; on a file clock it aborts."""
    (tmp_path / "breath.csv").write_text("1\n2\n3\n")
    (tmp_path / "ttl.bin").write_bytes(b"\x00\x00\x01\x00")
    analog = {"data_type": "analog", "name": "breath", "filepath": "breath.csv"}
    span = {"data_type": "time", "name": "span", "format": "max_value", "source_data": "breath",
            "clock": "time"}  # fmt: skip
    report = LoadReport()
    dm = load_config(write_config([analog, span]), report=report)
    np.testing.assert_array_equal(dm.get_time("span").times, [0, 1, 2])
    assert "'clock' is ignored" in report.of_kind("unknown_option")[0].message
    ttl = {"data_type": "time", "name": "t", "format": "uint16", "filepath": "ttl.bin",
           "channel": 0, "transition": "rising", "clock": "time"}  # fmt: skip
    with pytest.raises(FormatError, match=r"\[1\] 't'.*cannot carry 'clock'"):
        load_config(write_config([analog, ttl]))


def test_max_value_and_derived_clocks(tmp_path, write_config):
    (tmp_path / "breath.csv").write_text("\n".join(str(v) for v in range(100)) + "\n")
    (tmp_path / "frames.csv").write_text("10\n40\n70\n")
    doc = {
        "clocks": ["master", "time"],
        "data": [
            {"data_type": "analog", "name": "breath", "filepath": "breath.csv", "clock": "master"},
            {"data_type": "digital_event", "name": "camera_frames", "filepath": "frames.csv",
             "clock": "master"},
            {"data_type": "time", "name": "master", "format": "max_value", "source_data": "breath"},
            {"data_type": "time", "name": "time", "format": "derived", "source_timeframe": "master",
             "source_series": "camera_frames", "source_type": "event"},
        ],
    }  # fmt: skip
    dm = load_config(write_config(doc))
    assert len(dm.get_time("master")) == 100
    np.testing.assert_array_equal(dm.get_time("time").times, [10, 40, 70])
    assert dm.convert_index(1, "time", "master") == 40


@pytest.mark.parametrize("source", ["csv", "hdf5"])
def test_max_value_over_a_sparse_analog_out_of_order_spans_every_sample(
    tmp_path, write_config, source
):
    """WhiskerToolbox ends the clock at the last row's frame (5): sample 10 fell off it."""
    from napari_whiskertoolbox.io.report import LoadReport

    frames, values = [0, 10, 5], [1.0, 2.0, 3.0]
    if source == "csv":
        (tmp_path / "a.csv").write_text("".join(f"{t},{v}\n" for t, v in zip(frames, values)))
        entry = {"format": "csv", "filepath": "a.csv", "single_column_format": False}
    else:
        h5py = pytest.importorskip("h5py")
        with h5py.File(tmp_path / "a.h5", "w") as f:
            f["t"], f["v"] = np.array(frames, np.float64), np.array(values)
        entry = {"format": "hdf5", "filepath": "a.h5", "time_key": "t", "value_key": "v"}
    doc = {
        "data": [
            {"data_type": "analog", "name": "a", **entry},
            {"data_type": "time", "name": "span", "format": "max_value", "source_data": "a"},
        ]
    }
    report = LoadReport()
    dm = load_config(write_config(doc), report=report)
    np.testing.assert_array_equal(dm.get_time("span").times, np.arange(11))
    np.testing.assert_array_equal(dm.get_data("a").times, [0, 5, 10])
    [note] = [n for n in report.of_kind("divergence") if n.item.endswith("'span'")]
    assert "largest frame, 10" in note.message


def test_derived_clock_with_unknown_source(write_config):
    doc = {"data": [{"data_type": "time", "name": "t", "format": "max_value", "source_data": "x"}]}
    with pytest.raises(FormatError, match=r"data\[0\] 't'.*source_data 'x' is not loaded"):
        load_config(write_config(doc))


def test_python_code_sees_wt_and_the_data_types_as_a_script_does(write_config):
    code = [
        "ev = DigitalEventSeries([1, 2])",
        "dm.setData('from_python', ev, 'time')",
        "dm.setTime('camera', wt.TimeFrame([0, 10, 20]))",
        "dm.setData('iv', wt.DigitalIntervalSeries([Interval(0, 1)]), 'camera')",
        "assert dm.getType('iv') == wt.DataType.DigitalInterval",
        "assert wt.AnalogTimeSeries is AnalogTimeSeries",
    ]
    dm = load_config(write_config({"python_code": code, "data": []}), allow_python=True)
    assert dm.time_key("iv") == "camera"
    np.testing.assert_array_equal(dm.get_data("from_python").times, [1, 2])


def _clock_state(dm: DataManager) -> dict[str, tuple[list[int], float | None]]:
    return {
        name: (dm.get_time(name).times.tolist(), dm.get_time(name).sampling_rate)
        for name in dm.time_keys()
    }


def test_undo_of_a_config_load_restores_the_clocks_it_replaced(tmp_path, events_dir, write_config):
    """Undo puts back exactly the keys and clocks (values and rates) the load replaced; redo
    reapplies them."""
    (tmp_path / "ticks.txt").write_text("5\n10\n15\n")
    dm = DataManager()
    dm.set_time("time", TimeFrame(np.arange(20), sampling_rate=30_000.0))
    dm.set_time("camera", TimeFrame(np.arange(0, 20, 4), sampling_rate=30_000.0))
    dm.set_data("old", DigitalEventSeries([1, 2]), "camera")
    dm.mark_saved()
    before = (dm.keys(), {k: dm.time_key(k) for k in dm}, _clock_state(dm))
    doc = [
        {"data_type": "time", "name": "time", "format": "csv", "filepath": "ticks.txt"},
        {"data_type": "time", "name": "camera", "format": "csv", "filepath": "ticks.txt"},
        {"data_type": "time", "name": "fresh", "format": "csv", "filepath": "ticks.txt"},
        {"data_type": "digital_event", "name": "e", "filepath": "animal1/w0.csv", "clock": "fresh"},
    ]  # fmt: skip
    load_config(write_config(doc), dm)
    after = (dm.keys(), {k: dm.time_key(k) for k in dm}, _clock_state(dm))
    assert after[2]["time"] == ([5, 10, 15], None)
    assert dm.undo()
    assert (dm.keys(), {k: dm.time_key(k) for k in dm}, _clock_state(dm)) == before
    assert dm.get_data("old").time_frame is dm.get_time("camera")
    assert not dm.modified  # back at the saved state
    assert dm.redo()
    assert (dm.keys(), {k: dm.time_key(k) for k in dm}, _clock_state(dm)) == after
    assert dm.get_data("e").time_frame is dm.get_time("fresh")
