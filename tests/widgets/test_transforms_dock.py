"""GUI tests of the Transforms dock on a real napari viewer: run, layer/lane, undo, cancel."""

from __future__ import annotations

import json
import math
import threading
import time
from typing import Any

import numpy as np
import pytest
from magicgui.widgets import ComboBox, SpinBox
from napari.layers import Points
from napari.utils.key_bindings import coerce_keybinding
from qtpy.QtCore import Qt
from qtpy.QtGui import QImage
from qtpy.QtTest import QTest
from qtpy.QtWidgets import QApplication, QToolButton

# AnalogTimeSeries is evaluated at runtime: register_function reads the test transform's hints
from _pipeline_docs import SELF_ZSCORE
from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager
from napari_whiskertoolbox.layers._napari_compat import viewer_widget
from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.transforms import (
    AppliedSteps,
    TransformContext,
    apply_transform,
    register_function,
    run_v1_transformations,
    unregister,
)
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.library import PipelineLibrary
from napari_whiskertoolbox.widgets.timeline import TimelineWidget
from napari_whiskertoolbox.widgets.transforms import TransformsWidget
from napari_whiskertoolbox.widgets.transforms.catalogue import visible_specs
from napari_whiskertoolbox.widgets.transforms.dock import PREVIEW_DELAY_MS
from napari_whiskertoolbox.widgets.transforms.float_field import FloatField
from napari_whiskertoolbox.widgets.transforms.param_form import ParamForm
from napari_whiskertoolbox.workflow.registry import get_session

pytestmark = pytest.mark.gui

N_FRAMES = 40
SLOW = "SlowCountdownForTests"


@pytest.fixture(scope="module")
def sample() -> DataManager:
    """The synthetic whisker session (built once; each test copies its objects)."""
    return make_sample_session(n_frames=N_FRAMES)


def _load(session: Any, sample: DataManager) -> None:
    dm = session.dm
    for name in sample.time_keys():
        dm.set_time(name, sample.get_time(name))
    for key in sample:
        dm.set_data(
            key,
            sample.get_data(key).copy() if key != "media" else sample.get_data(key),
            sample.time_key(key),
        )
    dm.history.clear()


@pytest.fixture
def dock(make_napari_viewer, qtbot, sample, tmp_path) -> TransformsWidget:
    viewer = make_napari_viewer()
    _load(get_session(viewer), sample)
    widget = TransformsWidget(viewer, library=PipelineLibrary(tmp_path / "library"))
    qtbot.addWidget(widget.native)
    return widget


def _press(viewer: Any, key: str) -> None:
    viewer.keymap[coerce_keybinding(key)](viewer)


def _run_and_wait(dock: TransformsWidget, qtbot: Any) -> Any:
    run = dock.run()
    assert run is not None, dock.status.value
    qtbot.waitUntil(lambda: not dock.running, timeout=20_000)
    return run.outcome


def _layer_of(viewer: Any, key: str) -> Any:
    layers = [layer for layer in viewer.layers if layer.metadata.get("wtb_key") == key]
    return layers[0] if layers else None


def test_run_adds_a_timeline_lane_in_one_undo_step(dock, qtbot):
    timeline = TimelineWidget(dock.viewer)
    qtbot.addWidget(timeline)
    dm = dock.dm
    dock.select_transform("CalculateLineAngle")
    assert dock.input_combo.choices == ("whiskers",)  # only line keys
    dock.input_combo.value = "whiskers"
    assert dock.output_key.value == "whiskers_line_angle"
    dock.form["position"].value = 0.5
    outcome = _run_and_wait(dock, qtbot)
    assert outcome.status == "done", outcome.message
    expected = apply_transform("CalculateLineAngle", dm.get_data("whiskers"), {"position": 0.5})
    np.testing.assert_array_equal(dm.get_data("whiskers_line_angle").values, expected.values)
    assert dm.time_key("whiskers_line_angle") == "camera"
    qtbot.waitUntil(lambda: timeline.is_lane_shown("whiskers_line_angle"))
    assert [s.title for s in AppliedSteps.of(dm)] == [
        "CalculateLineAngle: whiskers → whiskers_line_angle"
    ]
    assert dock.output_key.value == "whiskers_line_angle_2"  # the next suggestion is free

    _press(dock.viewer, "Control-Z")  # one step: the key, its lane and its record
    assert "whiskers_line_angle" not in dm
    qtbot.waitUntil(lambda: not timeline.is_lane_shown("whiskers_line_angle"))
    assert len(AppliedSteps.of(dm)) == 0
    assert dock.pipelines.steps_list.count() == 0


def test_wrapped_texts_use_the_dock_s_width_and_leave_the_run_button_its_height(dock, qtbot):
    """magicgui Labels are fixed-size: the help and the status after a run wrapped into a
    column a quarter of the dock wide, and the status squeezed the Run button to a sliver."""
    dock.native.resize(500, 660)
    dock.native.show()
    qtbot.waitExposed(dock.native)
    dock.select_transform("Calculate Area")
    dock.input_combo.value = "pad_mask"
    assert _run_and_wait(dock, qtbot).status == "done"
    qtbot.wait(20)
    for label in (dock.help.native, dock.status.native):
        assert label.width() > 0.8 * label.parentWidget().width(), label.text()
        assert label.height() >= label.heightForWidth(label.width())
    button = dock.run_button.native
    assert button.height() >= button.minimumSizeHint().height()


def test_spatial_result_appears_as_a_layer_and_undo_removes_it(dock, qtbot):
    viewer, dm = dock.viewer, dock.dm
    dock.select_transform("ExtractLinePoint")
    dock.input_combo.value = "whiskers"
    dock.output_key.value = "tips"
    dock.form["position"].value = 1.0
    assert _run_and_wait(dock, qtbot).status == "done"
    layer = _layer_of(viewer, "tips")
    assert isinstance(layer, Points)
    frame = get_session(viewer).shown_frame
    tips = dm.get_data("tips").at(frame)
    np.testing.assert_allclose(layer.data[:, -2:], tips[:, ::-1])
    lines = dm.get_data("whiskers").at(frame)
    np.testing.assert_allclose(tips, [line[-1] for line in lines], atol=1e-3)
    _press(viewer, "Control-Z")
    assert "tips" not in dm
    assert _layer_of(viewer, "tips") is None


@pytest.fixture
def slow_transform():
    """A Python transform that runs until cancelled (checking cancel as built-ins do)."""
    started = threading.Event()

    def slow_countdown(x: AnalogTimeSeries, ctx: TransformContext) -> AnalogTimeSeries:
        """Count down forever (test transform)."""
        step = 0
        while True:
            started.set()
            step += 1
            ctx.tick(step % 100, 100)  # progress and cancel, like a chunked built-in
            threading.Event().wait(0.002)

    register_function(slow_countdown, SLOW, output="analog")
    yield started
    unregister(SLOW)


def test_cancel_stops_within_a_second_and_changes_nothing(dock, qtbot, slow_transform):
    dm = dock.dm
    dock.refresh_tree()
    dock.search.value = "countdown"
    names = [
        dock.tree.topLevelItem(0).child(i).text(0)
        for i in range(dock.tree.topLevelItem(0).childCount())
    ]
    assert names == [f"{SLOW}  (Python)"]  # registered functions are listed with built-ins
    dock.select_transform(SLOW)
    dock.input_combo.value = "whisker_angle"
    keys, undo_depth = dm.keys(), len(dm.history)
    run = dock.run()
    assert run is not None
    assert slow_transform.wait(5)
    qtbot.waitUntil(lambda: dock.progress_bar.value() > 0, timeout=5000)
    # napari's activity-dock progress bar follows a run lasting over ACTIVITY_DELAY_S
    qtbot.waitUntil(lambda: run.bar is not None and run.bar.n > 0, timeout=5000)
    assert dock.cancel_button.enabled
    assert not dock.run_button.enabled
    pressed = time.perf_counter()
    dock.cancel_button.native.click()
    qtbot.waitUntil(lambda: not dock.running, timeout=10_000)
    assert time.perf_counter() - pressed < 1.0
    assert run.outcome.status == "cancelled"
    assert run.bar is None  # closed
    assert dm.keys() == keys
    assert len(dm.history) == undo_depth
    assert len(AppliedSteps.of(dm)) == 0
    assert "nothing changed" in dock.status.value
    assert dock.run_button.enabled


def test_every_transform_gets_a_form_holding_its_defaults_and_bounds(qtbot):
    for spec in visible_specs(show_legacy=True):
        form = ParamForm(spec.schema, spec.name, lambda kinds: ["a_key"])
        defaults = spec.schema.to_json(spec.schema.defaults())
        keys = {p.name for p in spec.schema if p.type == "key"}
        values = form.values()
        assert {k: v for k, v in values.items() if k not in keys} == {
            k: v for k, v in defaults.items() if k not in keys
        }, spec.name
        assert all(values[k] == "a_key" for k in keys)  # key parameters offer the keys
        for param in spec.schema:
            widget = form[param.name]
            if param.type == "enum":
                assert isinstance(widget, ComboBox)
                assert list(widget.choices) == list(param.choices)
            if param.type == "int" and param.minimum is not None:
                assert isinstance(widget, SpinBox)
                assert widget.min >= param.minimum, (spec.name, param.name)
                widget.value = widget.min
                spec.schema.parse(form.values(), spec.name)  # the lowest value is valid
            if param.type == "float":
                assert isinstance(widget, FloatField), (spec.name, param.name)
            if param.type == "float" and param.minimum is not None:
                # the lowest float the schema accepts is enterable and kept exactly
                lo = param.minimum
                lowest = math.nextafter(lo, math.inf) if param.exclusive_minimum else lo
                widget.value = lowest
                assert form.values()[param.name] == lowest, (spec.name, param.name)
                assert form.problem() is None
                if param.exclusive_minimum:  # the bound itself is refused, naming it
                    widget.value = lo
                    assert f"'{param.name}'" in (form.problem() or ""), (spec.name, param.name)
                widget.value = param.default
        form.native.close()


def _type_into(widget: Any, text: str) -> None:
    """Select the field's text and type ``text`` as a user does."""
    widget.native.selectAll()
    QTest.keyClicks(widget.native, text)


def test_typed_small_floats_run_exactly_as_typed(dock, qtbot):
    """A tester typed Threshold Value 0.00025: the spin box showed 0.000 and ran with 0.0
    (1439 events instead of 10); z-score mean/std of a signal in volts became 0.0."""
    rng = np.random.default_rng(0)
    volts = rng.normal(0, 5e-5, 3000).astype(np.float32)
    volts[::300] = 3e-4
    dock.dm.set_data("volts", AnalogTimeSeries(volts), "time")
    dock.select_transform("AnalogEventThreshold")
    dock.input_combo.value = "volts"
    field = dock.form["threshold_value"]
    _type_into(field, "0.00025")
    assert field.native.text() == "0.00025"
    assert dock.form.values()["threshold_value"] == 0.00025
    dock.output_key.value = "spikes"
    assert _run_and_wait(dock, qtbot).status == "done"
    expected = apply_transform("AnalogEventThreshold", volts_series := dock.dm.get_data("volts"),
                               {"threshold_value": 0.00025})  # fmt: skip
    assert len(expected.times) == 10
    np.testing.assert_array_equal(dock.dm.get_data("spikes").times, expected.times)

    dock.select_transform("ZScoreNormalizeV2")
    dock.input_combo.value = "volts"
    _type_into(dock.form["mean"], "-7.6e-7")
    _type_into(dock.form["std_dev"], "5.26e-05")
    assert dock.form.values()["mean"] == -7.6e-7
    assert dock.form.values()["std_dev"] == 5.26e-5
    dock.output_key.value = "vz"
    assert _run_and_wait(dock, qtbot).status == "done"
    expected = apply_transform(
        "ZScoreNormalizeV2", volts_series, {"mean": -7.6e-7, "std_dev": 5.26e-5}
    )
    np.testing.assert_array_equal(dock.dm.get_data("vz").values, expected.values)
    assert np.std(dock.dm.get_data("vz").values) == pytest.approx(1.0, abs=0.01)


def test_strict_bounds_accept_any_value_above_and_refuse_the_bound_before_run(dock, qtbot):
    """``scale_factor > 0``: 0.0025 was refused ("outside of the allowed range: (0.01,
    1e9)") though Python accepts any value > 0; 0 is refused by Run, naming the bound."""
    dock.select_transform("CalculateMaskArea")
    dock.input_combo.value = "pad_mask"
    field = dock.form["scale_factor"]
    _type_into(field, "0")
    problem = dock.run_problem()
    assert problem is not None
    assert "'scale_factor'" in problem
    assert "> 0" in problem
    assert not dock.run_button.enabled
    assert dock.status.value == f"Run is off: {problem}"
    _type_into(field, "1e")  # not yet a number: said too
    assert "'scale_factor'" in (dock.run_problem() or "")
    _type_into(field, "0.0025")
    assert dock.run_problem() is None
    assert dock.run_button.enabled
    dock.output_key.value = "area_scaled"
    assert _run_and_wait(dock, qtbot).status == "done"
    expected = apply_transform(
        "CalculateMaskArea", dock.dm.get_data("pad_mask"), {"scale_factor": 0.0025}
    )
    np.testing.assert_array_equal(dock.dm.get_data("area_scaled").values, expected.values)

    dock.select_transform("ResampleLine")
    for name in ("target_spacing", "epsilon"):
        _type_into(dock.form[name], "0.005")
        assert dock.form.values()[name] == 0.005
    assert dock.run_problem() is None


def test_a_decimal_comma_reads_as_a_point_and_non_numbers_are_refused_before_run(dock, qtbot):
    """``1,5`` became ``15`` (Run on, 10x the threshold); ``abc``, ``nan`` and ``inf`` were
    silently dropped; ``1e400`` read as inf with Run on."""
    dock.select_transform("AnalogEventThreshold")
    dock.input_combo.value = "whisker_angle"
    dock.output_key.value = "ev_comma"
    field = dock.form["threshold_value"]
    _type_into(field, "1,5")
    assert dock.form.values()["threshold_value"] == 1.5
    assert dock.run_problem() is None
    field.native.editingFinished.emit()  # editing ends: the value is shown normalised
    assert field.native.text() == "1.5"
    for text in ("abc", "nan", "inf", "-inf", "1e400", "1,000.5", "1,5,0"):
        _type_into(field, text)
        assert field.native.text() == text  # kept as typed, not silently changed
        problem = dock.run_problem() or ""
        assert "'threshold_value'" in problem, text
        assert not dock.run_button.enabled, text
        assert dock.status.value == f"Run is off: {problem}", text
    _type_into(field, "1e400")
    assert "finite" in (dock.run_problem() or "")
    _type_into(field, " 2,5e1 ")
    assert dock.form.values()["threshold_value"] == 25.0
    assert _run_and_wait(dock, qtbot).status == "done"
    expected = apply_transform(
        "AnalogEventThreshold", dock.dm.get_data("whisker_angle"), {"threshold_value": 25.0}
    )
    np.testing.assert_array_equal(dock.dm.get_data("ev_comma").times, expected.times)


def test_up_and_down_stop_at_the_parameter_bounds(dock):
    """``scale_factor > 0``: 0.0025 then Down gave -0.0975 (Run then off)."""
    dock.select_transform("CalculateMaskArea")
    dock.input_combo.value = "pad_mask"
    field = dock.form["scale_factor"]
    _type_into(field, "0.0025")
    values = []
    for _ in range(3):
        QTest.keyClick(field.native, Qt.Key.Key_Down)
        values.append(field.value)
    # a strict bound is never reached: each step goes halfway to it
    assert values == [0.00125, 0.000625, 0.0003125]
    assert dock.run_problem() is None
    assert dock.run_button.enabled
    QTest.keyClick(field.native, Qt.Key.Key_Up)
    assert field.value == pytest.approx(0.1003125)
    # an inclusive bound is stepped onto and not past; a strict one held at the last float
    for spec in visible_specs(show_legacy=True):
        for param in spec.schema:
            if param.type != "float" or param.minimum is None:
                continue
            form = ParamForm(spec.schema, spec.name, lambda kinds: ["a_key"])
            widget = form[param.name]
            lo = param.minimum
            widget.value = lo if not param.exclusive_minimum else math.nextafter(lo, math.inf)
            start = widget.value
            for _ in range(3):
                widget.step_by(-1)
            assert widget.value == start, (spec.name, param.name)
            widget.value = lo + widget.step / 2
            widget.step_by(-1)
            assert form.problem() is None, (spec.name, param.name, widget.value)
            form.native.close()


def test_pipeline_editor_keeps_small_floats_of_a_library_file(dock, qtbot, tmp_path):
    """Editing another field and saving rewrote ``"threshold_value": 0.00025`` as 0.0."""
    doc = {"metadata": {"name": "Spikes"},
           "steps": [{"step_id": "thr", "transform_name": "AnalogEventThreshold",
                      "parameters": {"threshold_value": 0.00025, "lockout_time": 30}},
                     {"step_id": "z", "transform_name": "ZScoreNormalizeV2",
                      "parameters": {"mean": -7.6e-7, "std_dev": 5.26e-5,
                                     "epsilon": 1e-300}}]}  # fmt: skip
    source = tmp_path / "spk.json"
    source.write_text(json.dumps(doc))
    panel = dock.pipelines
    entry = panel.open_pipeline_file(source)
    dialog = panel.edit_dialog()
    qtbot.addWidget(dialog)
    assert dialog.forms[0]["threshold_value"].native.text() == "0.00025"
    dialog.forms[0]["lockout_time"].value = 40
    dialog._save()
    saved = json.loads(entry.path.read_text())
    assert saved["steps"][0]["parameters"]["threshold_value"] == 0.00025
    assert saved["steps"][0]["parameters"]["lockout_time"] == 40
    z = saved["steps"][1]["parameters"]
    assert (z["mean"], z["std_dev"], z["epsilon"]) == (-7.6e-7, 5.26e-5, 1e-300)


def test_search_groups_keys_output_clash_and_bad_input(dock, qtbot):
    dm = dock.dm
    dock.search.value = "mask area"
    groups = [dock.tree.topLevelItem(i).text(0) for i in range(dock.tree.topLevelItemCount())]
    assert groups == ["masks (1)"]
    dock.tree.setCurrentItem(dock.tree.topLevelItem(0).child(0))
    assert dock.spec.name == "CalculateMaskArea"
    assert dock.input_combo.choices == ("pad_mask",)
    dock.output_key.value = "pad_mask_area"
    assert dock.output_warning.value == ""
    dock.output_key.value = "whisker_angle"  # an analog key: replaced, undo restores it
    assert "will be replaced" in dock.output_warning.value
    dock.output_key.value = "pad area"  # the key-name rule the Data browser applies
    assert "letters, digits" in dock.status.value  # said once, by Run
    assert not dock.output_warning.visible
    assert not dock.run_button.enabled
    dock.output_key.value = "pad_area"
    assert dock.output_warning.value == ""
    assert dock.run_button.enabled
    dock.output_key.value = "contact"  # intervals: the result cannot replace them
    # said once, by Run, not also under Output clock (trial 28: shown twice)
    assert dock.status.value.startswith("Run is off: 'contact' already holds intervals")
    assert "cannot replace" in dock.status.value
    assert dock.output_warning.value == ""
    assert not dock.output_warning.visible
    assert not dock.run_button.enabled  # the run would be refused: Run is off, saying why
    before = dm.get_data("contact")
    assert dock.run() is None  # from code: refused before computing
    assert "cannot replace" in dock.status.value
    assert dm.get_data("contact") is before
    dock.output_key.value = "area"
    dock.form["scale_factor"].value = 1e-300  # any value > 0
    dock.form["min_area"].value = -5  # below the schema's minimum (>= 0): Run says so
    assert "'min_area'" in (dock.run_problem() or "")
    assert not dock.run_button.enabled
    dock.form["min_area"].value = 0
    # one area per camera frame does not fit the 10-ticks-per-frame clock (WhiskerToolbox's
    # refusal, once the count is known); a clock of as many entries takes it
    dock.output_clock.value = "time"
    outcome = _run_and_wait(dock, qtbot)
    assert outcome.status == "failed"
    assert f"output has {N_FRAMES} samples but target TimeFrame 'time' has" in outcome.message
    assert "area" not in dm
    dm.set_time("camera_copy", dm.get_time("camera"))
    dock.output_clock.reset_choices()
    dock.output_clock.value = "camera_copy"
    assert _run_and_wait(dock, qtbot).status == "done"
    assert dm.time_key("area") == "camera_copy"


def test_output_clock_converts_events_and_refuses_unfit_analog_before_run(dock, qtbot):
    """A tester's finding: AnalogEventThreshold on whisker_angle (clock ``time``, 10 ticks
    per camera frame) with Output clock = camera stored events at camera frames 126…1415;
    ZScoreNormalizeV2 stored 400 samples on the 40-frame camera clock."""
    dm = dock.dm
    dock.select_transform("AnalogEventThreshold")
    dock.input_combo.value = "whisker_angle"
    dock.form["threshold_value"].value = 0.5
    dock.form["lockout_time"].value = 50
    dock.output_key.value = "ev_time"
    assert _run_and_wait(dock, qtbot).status == "done"
    dock.output_clock.value = "camera"
    dock.output_key.value = "ev_cam"
    assert _run_and_wait(dock, qtbot).status == "done"
    assert dm.time_key("ev_cam") == "camera"
    expected = dm.convert_index(dm.get_data("ev_time").times, "time", "camera")
    np.testing.assert_array_equal(dm.get_data("ev_cam").times, np.unique(expected))
    assert dm.get_data("ev_cam").times.max() < N_FRAMES

    dock.select_transform("ZScoreNormalizeV2")
    dock.input_combo.value = "whisker_angle"
    dock.output_clock.value = "camera"
    n = len(dm.get_data("whisker_angle"))
    problem = f"output has {n} samples but target TimeFrame 'camera' has {N_FRAMES} entries"
    assert dock.run_problem() == problem
    assert not dock.run_button.enabled
    assert dock.status.value == f"Run is off: {problem}"
    dock.output_clock.value = dock.output_clock.choices[0]  # (input's clock)
    assert dock.run_problem() is None
    assert dock.run_button.enabled


def test_the_status_line_says_how_many_events_merged_on_the_output_clock(dock, qtbot):
    """985 events became 103 camera frames; the status line said only "… in 0.14 s"."""
    dm = dock.dm
    dock.select_transform("AnalogEventThreshold")
    dock.input_combo.value = "whisker_angle"
    dock.form["threshold_value"].value = 10.0
    dock.output_key.value = "ev_t"
    outcome = _run_and_wait(dock, qtbot)
    assert "merged" not in outcome.message  # on its own clock nothing merges
    n = len(dm.get_data("ev_t").times)
    dock.output_clock.value = "camera"
    dock.output_key.value = "ev_cam"
    outcome = _run_and_wait(dock, qtbot)
    kept = len(dm.get_data("ev_cam").times)
    assert kept < n
    note = (
        f"{n - kept:,} events of the {n:,} merged with another on the same 'camera' frame "
        f"(an event key holds one event per frame): {kept:,} stored"
    )
    assert outcome.message.startswith("AnalogEventThreshold → ev_cam in ")
    assert outcome.message.endswith(f" s; {note}")
    assert dock.status.value == outcome.message


def test_preview_draws_the_current_frame_only(dock, qtbot):
    viewer, dm = dock.viewer, dock.dm
    session = get_session(viewer)
    keys, undo_depth = dm.keys(), len(dm.history)
    dock.select_transform("ExtractLinePoint")
    dock.input_combo.value = "whiskers"
    dock.form["position"].value = 0.0
    dock.preview_check.value = True
    layer = dock.preview.layer
    assert isinstance(layer, Points)
    assert layer.name == "preview: ExtractLinePoint"
    assert "wtb_key" not in layer.metadata  # not a DataManager key: the session ignores it
    bases = [line[0] for line in dm.get_data("whiskers").at(session.current_frame)]
    np.testing.assert_allclose(layer.data[:, ::-1], bases, atol=1e-3)
    session.set_frame(7)
    qtbot.waitUntil(lambda: "frame 7" in dock.preview_text.value, timeout=10_000)
    bases = [line[0] for line in dm.get_data("whiskers").at(session.from_display("whiskers", 7))]
    np.testing.assert_allclose(dock.preview.layer.data[:, ::-1], bases, atol=1e-3)
    dock.select_transform("CalculateLineLength")
    dock.update_preview()
    assert dock.preview.layer is None  # a measure is written out, not drawn
    assert dock.preview_text.value.startswith("frame 7: ")
    assert dm.keys() == keys
    assert len(dm.history) == undo_depth
    dock.preview_check.value = False
    assert not [lyr for lyr in viewer.layers if lyr.name.startswith("preview")]


def test_preview_of_two_inputs_on_other_clocks_pairs_frames_as_the_run_does(dock, qtbot):
    # CalculateLineMinPointDistance pairs lines and points by raw frame index, with no
    # clock conversion (reference §1.3); the preview must pair them the same way, not cut
    # the points at the index of their own clock that matches the shown frame
    dm = dock.dm
    session = get_session(dock.viewer)
    dm.set_data("nose_fast", dm.get_data("nose").copy(), "time")  # 10 ticks per camera frame
    session.set_frame(3)
    dock.select_transform("CalculateLineMinPointDistance")
    dock.input_combo.value = "whiskers"
    dock.second_combo.value = "nose_fast"
    dock.preview_check.value = True
    run = apply_transform(
        "CalculateLineMinPointDistance", dm.get_data("whiskers"), others=dm.get_data("nose")
    )
    expected = np.asarray(run.values)[np.asarray(run.times) == 3]
    assert expected.size
    shown = dock.preview_text.value.removeprefix("frame 3: ").split(", ")
    np.testing.assert_allclose([float(v) for v in shown], expected, rtol=1e-3)


def test_steps_saved_as_pipeline_rerun_on_another_session(
    dock, qtbot, make_napari_viewer, sample, tmp_path
):
    dm = dock.dm
    dock.select_transform("ResampleLine")
    dock.input_combo.value = "whiskers"
    dock.form["target_spacing"].value = 4.0
    dock.output_key.value = "resampled"
    assert _run_and_wait(dock, qtbot).status == "done"
    dock.select_transform("CalculateLineLength")
    dock.input_combo.value = "resampled"
    dock.output_key.value = "length"
    assert _run_and_wait(dock, qtbot).status == "done"
    panel = dock.pipelines
    assert panel.steps_list.count() == 2
    entry = panel.save_steps_as_pipeline("Resample then length")
    assert entry.path == tmp_path / "library" / "resample_then_length.json"
    saved = json.loads(entry.path.read_text())
    assert [s["transform_name"] for s in saved["steps"]] == ["ResampleLine", "CalculateLineLength"]

    other_viewer = make_napari_viewer()
    _load(get_session(other_viewer), sample)
    other = TransformsWidget(other_viewer, library=PipelineLibrary(tmp_path / "library"))
    qtbot.addWidget(other.native)
    other.pipelines.select_entry(entry.id)
    assert other.pipelines.run_input.choices == ("whiskers",)
    assert other.pipelines.run_button.enabled
    # the output key is named after the pipeline, not its last step
    assert other.pipelines.run_output.value == "whiskers_resample_then_length"
    other.pipelines.run_output.value = "length again"  # the key-name rule, as on the form
    assert "letters, digits" in other.pipelines.run_button.tooltip  # said once, by Run
    assert not other.pipelines.run_output_warning.isVisibleTo(other.pipelines.native)
    assert not other.pipelines.run_button.enabled
    other.pipelines.run_selected()  # from code: refused with the reason on the status line
    assert "parameter 'output_key'" in other.status.value
    assert "length again" not in other.dm
    other.pipelines.run_output.value = "length_again"
    assert not other.pipelines.run_output_warning.isVisibleTo(other.pipelines.native)
    assert other.pipelines.run_button.enabled
    other.pipelines.run_selected()
    qtbot.waitUntil(lambda: not other.running, timeout=20_000)
    assert other.current_run.outcome.status == "done", other.status.value
    np.testing.assert_allclose(
        other.dm.get_data("length_again").values, dm.get_data("length").values, rtol=1e-6
    )
    assert other.pipelines.steps_list.item(0).text().startswith("pipeline Resample then length")


def test_library_edit_open_and_delete(dock, qtbot, tmp_path):
    doc = {
        "metadata": {"name": "Smooth angle"},
        "steps": [{"step_id": "a", "transform_name": "CalculateLineAngle",
                   "parameters": {"position": 0.3}}],
    }  # fmt: skip
    source = tmp_path / "elsewhere.json"
    source.write_text(json.dumps(doc))
    panel = dock.pipelines
    entry = panel.open_pipeline_file(source)
    assert panel.selected_entry_id() == entry.id == "elsewhere"  # the file's own name
    assert entry.name == "Smooth angle"
    dialog = panel.edit_dialog()
    qtbot.addWidget(dialog)
    assert dialog.forms[0]["position"].value == pytest.approx(0.3)
    dialog.forms[0]["position"].value = 0.75
    dialog.forms[0]["method"].value = "PolynomialFit"
    dialog._save()
    saved = json.loads(entry.path.read_text())
    assert saved["steps"][0]["parameters"]["position"] == 0.75
    assert saved["steps"][0]["parameters"]["method"] == "PolynomialFit"
    panel.delete_button.native.click()
    assert not entry.path.exists()
    assert panel.library_list.count() == 0


def test_opening_a_pipeline_file_keeps_its_name(dock, tmp_path):
    """A new-user trial: Open… copied ``angle.json`` as ``whisker_angle.json`` (after its
    ``metadata.name``); WhiskerToolbox uses the file stem as the pipeline's id."""
    panel = dock.pipelines
    doc = {"metadata": {"name": "Whisker angle"},
           "steps": [{"step_id": "a", "transform_name": "CalculateLineAngle",
                      "parameters": {"position": 0.8}}]}  # fmt: skip
    source = tmp_path / "angle.json"
    source.write_text(json.dumps(doc))
    entry = panel.open_pipeline_file(source)
    assert entry.id == "angle"
    assert entry.path == panel.library.folder / "angle.json"
    assert [e.id for e in panel.library.entries()] == ["angle"]
    assert panel.library_list.currentItem().text() == "Whisker angle"

    # another angle.json: the question's answer decides; the library's file is offered first
    other = tmp_path / "other" / "angle.json"
    other.parent.mkdir()
    doc["steps"][0]["parameters"]["position"] = 0.3
    other.write_text(json.dumps(doc))
    asked = []

    def keep_both(existing, free_stem):
        asked.append((existing, free_stem))
        return free_stem

    entry, _ = panel.open_pipeline_file_checked(other, keep_both)
    assert asked == [(panel.library.folder / "angle.json", "angle_2")]
    assert entry.id == "angle_2"
    assert sorted(e.id for e in panel.library.entries()) == ["angle", "angle_2"]
    assert panel.library.load("angle").steps[0].parameters["position"] == 0.8
    listed = [panel.library_list.item(i).text() for i in range(panel.library_list.count())]
    assert listed == ["Whisker angle (angle.json)", "Whisker angle (angle_2.json)"]
    entry, _ = panel.open_pipeline_file_checked(other, lambda existing, free: existing.stem)
    assert entry.id == "angle"
    assert panel.library.load("angle").steps[0].parameters["position"] == 0.3
    with pytest.raises(TransformError, match=r"already has angle\.json .*was not added"):
        panel.open_pipeline_file_checked(other, lambda existing, free: None)
    with pytest.raises(TransformError, match=r"already has angle\.json"):
        panel.open_pipeline_file(other)  # from code: no question, refused
    # the library's own file opened: nothing copied, it is chosen
    entry = panel.open_pipeline_file(panel.library.folder / "angle.json")
    assert entry.id == "angle"
    assert sorted(e.id for e in panel.library.entries()) == ["angle", "angle_2"]


def test_pipeline_name_clash_question_keeps_both(dock, qtbot, tmp_path):
    """The question's *Keep both* adds the file under a free name."""
    from qtpy.QtCore import QTimer
    from qtpy.QtWidgets import QApplication, QMessageBox

    panel = dock.pipelines
    existing = panel.library.folder / "zscore.json"
    shown = []

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        shown.append(box.text())
        next(b for b in box.buttons() if b.text() == "Keep both").click()

    QTimer.singleShot(0, answer)
    assert panel.ask_name_clash(existing, "zscore_2", "/data/zscore.json") == "zscore_2"
    assert "already has zscore.json" in shown[0]
    assert "zscore_2.json" in shown[0]


def test_python_file_transforms_load_on_request_with_a_form(dock, qtbot, tmp_path):
    source = tmp_path / "my_transforms.py"
    source.write_text(
        "from napari_whiskertoolbox.transforms import transform\n\n"
        "@transform('ScaledLengthForTests', input='Line2D', output='float',\n"
        "           bounds={'scale': (0.5, 4)})\n"
        "def scaled_length(line, scale: float = 2.0) -> float:\n"
        "    '''Arc length times a factor.'''\n"
        "    import numpy as np\n"
        "    return float(np.hypot(*np.diff(line, axis=0).T).sum() * scale)\n"
    )
    try:
        assert dock.load_python_transforms(source) == ["ScaledLengthForTests"]
        dock.search.value = "ScaledLength"
        group = dock.tree.topLevelItem(0)
        assert group.text(0) == "lines (1)"
        dock.tree.setCurrentItem(group.child(0))
        assert dock.spec.name == "ScaledLengthForTests"
        assert "in [0.5, 4]" in dock.form["scale"].tooltip  # the bounds, said and enforced
        dock.input_combo.value = "whiskers"
        dock.form["scale"].value = 4.5
        assert "'scale'" in (dock.run_problem() or "")
        dock.form["scale"].value = 3.0
        key = "whiskers_scaled_length_for_tests"
        assert dock.output_key.value == key
        assert _run_and_wait(dock, qtbot).status == "done"
        length = apply_transform("CalculateLineLength", dock.dm.get_data("whiskers"))
        np.testing.assert_allclose(dock.dm.get_data(key).values, length.values * 3, rtol=1e-4)
    finally:
        unregister("ScaledLengthForTests")
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('no')\n")
    assert dock.load_python_transforms(broken) == []
    assert "broken.py raised RuntimeError: no" in dock.status.value


def test_pipeline_file_with_a_misspelt_parameter_opens_with_a_warning(
    dock, qtbot, tmp_path, monkeypatch
):
    doc = {"steps": [{"step_id": "a", "transform_name": "CalculateLineAngle",
                      "parameters": {"positon": 0.3}}]}  # fmt: skip
    source = tmp_path / "typo.json"
    source.write_text(json.dumps(doc))
    monkeypatch.setattr(
        "napari_whiskertoolbox.widgets.transforms.pipelines_panel.QFileDialog.getOpenFileName",
        lambda *a, **k: (str(source), ""),
    )
    dock.pipelines._ask_open()
    status = dock.status.value
    assert "added to the library: 'typo' as typo.json" in status
    assert "warning: pipeline file" in status
    assert "typo.json" in status
    assert "steps[0] 'a'" in status
    assert "did you mean 'position'?" in status
    assert dock.pipelines.library_list.count() == 1


def test_a_preview_pending_when_the_viewer_closes_adds_no_layer(
    make_napari_viewer, qtbot, sample, tmp_path
):
    """viewer.close() tears napari's layer controls down before the docks go; a preview
    timer firing in between added its Shapes layer there and napari raised KeyError."""
    viewer = make_napari_viewer()
    _load(get_session(viewer), sample)
    widget = TransformsWidget(viewer, library=PipelineLibrary(tmp_path / "library"))
    viewer.window.add_dock_widget(widget, name="Transforms")
    widget.select_transform("ResampleLine")
    widget.input_combo.value = "whiskers"
    widget.preview_check.value = True
    assert widget.preview.layer is not None
    widget.preview.clear()
    get_session(viewer).set_frame(3)  # schedules the next preview
    assert widget._preview_timer.isActive()
    viewer_widget(viewer).close()  # what viewer.close() does first
    assert not widget._preview_timer.isActive()
    widget.update_preview()  # as if the timer had fired before the docks go
    assert not [layer for layer in viewer.layers if layer.name.startswith("preview")]
    viewer.close()


def test_closing_after_a_run_leaves_no_timer_to_fire_on_a_deleted_dock(
    make_napari_viewer, qtbot, sample, tmp_path, capfd
):
    """At process end Python deletes the Qt objects it owns in no fixed order, then Qt
    deletes the dock and emits ``destroyed``. A Python-owned preview timer stopped in that
    handler raised "wrapped C/C++ object of type QTimer has been deleted" (and PyQt aborted).
    The same order is made here: Python-owned timers go first, then the dock."""
    from qtpy import sip
    from qtpy.QtCore import QTimer

    viewer = make_napari_viewer()
    _load(get_session(viewer), sample)
    widget = TransformsWidget(viewer, library=PipelineLibrary(tmp_path / "library"))
    viewer.window.add_dock_widget(widget, name="Transforms")
    widget.select_transform("CalculateLineAngle")
    widget.input_combo.value = "whiskers"
    widget.preview_check.value = True
    assert _run_and_wait(widget, qtbot).status == "done"
    widget._schedule_preview()  # a preview is pending when the window goes
    owned = [
        value
        for value in vars(widget).values()
        if isinstance(value, QTimer) and value.parent() is None
    ]
    for timer in owned:  # what interpreter teardown does to Python-owned Qt objects
        sip.delete(timer)
    native = widget.native
    viewer.close()  # napari deletes the docks: destroyed runs the dock's clean-up
    qtbot.wait(PREVIEW_DELAY_MS * 2)
    assert sip.isdeleted(native)
    err = capfd.readouterr().err
    assert "Traceback" not in err, err
    assert "has been deleted" not in err, err
    assert widget._closed


@pytest.mark.parametrize("answer", ["Replace", "Keep both", "Cancel"])
def test_opening_a_pipeline_file_again_asks_before_replacing(
    dock, qtbot, tmp_path, monkeypatch, answer
):
    # a user edits angle.json in an editor and opens it again: the dock asks whether to
    # replace the library's copy (it said "pass overwrite=True", an API hint, and kept it)
    from napari_whiskertoolbox.widgets.transforms.pipelines_panel import PipelinesPanel

    source = tmp_path / "angle.json"

    def write(position: float) -> None:
        step = {"step_id": "a", "transform_name": "CalculateLineAngle",
                "parameters": {"position": position}}  # fmt: skip
        source.write_text(json.dumps({"steps": [step]}))

    asked: list[tuple[str, str, str]] = []

    def ask(self, existing, free_stem, replacement):  # the question box, answered
        asked.append((existing.name, free_stem, str(replacement)))
        return {"Replace": existing.stem, "Keep both": free_stem}.get(answer)

    monkeypatch.setattr(
        "napari_whiskertoolbox.widgets.transforms.pipelines_panel.QFileDialog.getOpenFileName",
        lambda *a, **k: (str(source), ""),
    )
    monkeypatch.setattr(PipelinesPanel, "ask_name_clash", ask)
    write(0.3)
    dock.pipelines._ask_open()
    assert not asked  # nothing to replace yet
    write(0.9)
    dock.pipelines._ask_open()
    assert asked == [("angle.json", "angle_2", str(source))]
    status = dock.status.value
    assert "overwrite=True" not in status
    kept = json.loads(dock.library.path_of("angle").read_text())
    kept_position = kept["steps"][0]["parameters"]["position"]
    if answer == "Replace":
        assert kept_position == 0.9
        assert "replaced in the library: 'angle' as angle.json" in status
    elif answer == "Keep both":
        assert kept_position == 0.3
        both = json.loads(dock.library.path_of("angle_2").read_text())
        assert both["steps"][0]["parameters"]["position"] == 0.9
        assert "added to the library" in status
        assert "angle_2.json" in status
    else:
        assert kept_position == 0.3
        assert "kept it" in status
    assert dock.pipelines.library_list.count() == (2 if answer == "Keep both" else 1)


@pytest.mark.parametrize("answer", ["Yes", "No"])
def test_saving_steps_under_a_name_in_use_asks_before_replacing(dock, qtbot, monkeypatch, answer):
    from qtpy.QtWidgets import QMessageBox

    panel = dock.pipelines
    asked: list[str] = []
    monkeypatch.setattr(
        "napari_whiskertoolbox.widgets.transforms.pipelines_panel.QInputDialog.getText",
        lambda *a, **k: ("Whisker length", True),
    )
    monkeypatch.setattr(
        "napari_whiskertoolbox.widgets.transforms.pipelines_panel.QMessageBox.question",
        lambda parent, title, text, *a, **k: (
            asked.append(text) or getattr(QMessageBox.StandardButton, answer)
        ),
    )
    dock.select_transform("CalculateLineLength")
    dock.input_combo.value = "whiskers"
    dock.output_key.value = "length"
    assert _run_and_wait(dock, qtbot).status == "done"
    panel._ask_save_steps()
    assert not asked
    first = dock.library.path_of("whisker_length").read_text()
    dock.select_transform("CalculateLineAngle")
    dock.output_key.value = "angle"
    assert _run_and_wait(dock, qtbot).status == "done"
    panel.steps_list.setCurrentRow(1)
    panel._ask_save_steps()
    assert len(asked) == 1
    assert "already has a pipeline 'Whisker length'" in asked[0]
    status = dock.status.value
    assert "overwrite=True" not in status
    now = dock.library.path_of("whisker_length").read_text()
    if answer == "Yes":
        assert "CalculateLineAngle" in now
        assert "saved pipeline 'Whisker length'" in status
    else:
        assert now == first
        assert "kept the library's 'Whisker length'" in status


def test_tabs_ask_for_the_width_their_forms_need(dock, qtbot):
    """napari docked the dock at 211 px for 240-260 px of content: Delete, Clear list, the
    input fields were cut behind a horizontal scroll bar (the scroll areas asked ~no width)."""
    dock.select_transform("CalculateLineAngle")
    # the Transform tab's form scrolls under the list, the Pipelines tab as a whole
    for tab, area in ((dock.tabs.widget(0), dock.panes.form_area), (dock.tabs.widget(1),) * 2):
        needed = area.widget().minimumSizeHint().width()
        assert area.minimumSizeHint().width() >= needed
        assert tab.minimumSizeHint().width() >= needed
        assert dock.native.minimumSizeHint().width() >= needed


def test_a_missing_input_is_named_with_its_kind(dock, qtbot):
    """'choose 1 input key(s) of the accepted kinds' did not say which kind, or that none exist."""
    assert not [k for k in dock.dm if dock.dm.data_type(k) == "tensor"]
    dock.select_transform("TensorPCA")
    assert dock.input_combo.choices == ()
    assert not dock.run_button.enabled
    reason = "Run is off: the session has no tensors key for its input"
    assert dock.run_button.tooltip == dock.status.value == reason
    assert dock.run() is None  # from code: refused too
    assert dock.status.value == "TensorPCA: the session has no tensors key for its input"
    analog = [k for k in dock.dm if dock.dm.data_type(k) == "analog"]
    for key in analog:
        dock.dm.delete_data(key)
    dock.select_transform("AnalogIntervalPeak")  # intervals + analog
    assert dock.input_combo.value == "contact"
    assert dock.run() is None
    assert dock.status.value == (
        "AnalogIntervalPeak: the session has no analog signals key for its second input"
    )


def test_sinc_output_clock_tooltip_names_the_upsampled_clock(dock, qtbot):
    dock.select_transform("SincInterpolation")
    dock.input_combo.value = "whisker_angle"
    clock = dock.dm.time_key("whisker_angle")
    assert f"'{clock}' upsampled by 'upsampling_factor'" in dock.output_clock.tooltip
    dock.form["upsampling_factor"].value = 2
    assert _run_and_wait(dock, qtbot).status == "done"
    assert dock.dm.time_key("whisker_angle_sinc_interpolation") == f"{clock}_x2"
    assert f"{clock}_x2" in dock.output_clock.choices


def _highlighted(dock: TransformsWidget) -> list[str]:
    """Names of the tree rows drawn as selected, and the current row's name."""
    selected = [item.data(0, Qt.ItemDataRole.UserRole) for item in dock.tree.selectedItems()]
    current = dock.tree.currentItem()
    return [*selected, current.data(0, Qt.ItemDataRole.UserRole) if current else None]


def test_enter_in_the_search_box_chooses_the_first_match(dock, qtbot):
    """Typing "line angle" listed CalculateLineAngle, but Enter did nothing: the form stayed
    empty ("Choose a transform.") until the row was clicked."""
    search = dock.search.native
    qtbot.keyClicks(search, "line angle")
    assert dock.spec is None
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert dock.spec is not None
    assert dock.spec.name == "CalculateLineAngle"
    assert dock.input_combo.value == "whiskers"
    assert dock.tree.currentItem().data(0, Qt.ItemDataRole.UserRole) is not None
    assert search.text() == "line angle"  # the list stays filtered
    search.clear()
    qtbot.keyClicks(search, "no transform is called this")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert dock.spec is None  # the search hides the choice: it is cleared, nothing chosen
    search.clear()
    qtbot.keyClicks(search, "CalculateLineLength")  # the name typed whole: that transform
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert dock.spec.name == "CalculateLineLength"


def test_the_status_line_follows_undo_and_redo_of_the_run(dock, qtbot):
    """After Ctrl+Z undid a transform the status line still read
    "CalculateLineAngle → whiskers_line_angle in 0.05 s" although the key was gone."""
    dm = dock.dm
    dock.select_transform("CalculateLineAngle")
    dock.input_combo.value = "whiskers"
    outcome = _run_and_wait(dock, qtbot)
    assert outcome.status == "done", outcome.message
    assert dock.status.value == outcome.message
    _press(dock.viewer, "Control-Z")  # the viewer's undo, through the DataManager's history
    assert "whiskers_line_angle" not in dm
    assert dock.status.value == f"Undone: {outcome.message}"
    assert dock.status_area.isVisibleTo(dock.native)
    assert dm.redo()
    assert dock.status.value == f"Redone: {outcome.message}"
    dm.set_data("other", AnalogTimeSeries([1.0, 2.0]), dm.time_key("whiskers"))
    assert dock.status.value == f"Redone: {outcome.message}"  # a later edit: the run stands
    dm.undo()
    assert dock.status.value == f"Redone: {outcome.message}"
    dock.report("something else")
    dm.undo()  # the run: the line names it whatever it said since
    assert dock.status.value == f"Undone: {outcome.message}"


def test_each_undo_and_redo_names_the_run_it_moved(dock, qtbot, tmp_path):
    """Trial 27: after a transform then a pipeline, undo, undo, redo all read
    "Undone: Self z-score → …" (the line only followed the last run)."""
    dm = dock.dm
    dock.select_transform("CalculateLineAngle")
    dock.input_combo.value = "whiskers"
    first = _run_and_wait(dock, qtbot)
    assert first.status == "done", first.message
    dock.pipelines.open_pipeline_file(_zscore_pipeline(tmp_path))
    dock.pipelines.run_input.value = "whisker_angle"
    dock.pipelines.run_output.value = "angle_z"
    dock.pipelines.run_selected()
    qtbot.waitUntil(lambda: not dock.running, timeout=20_000)
    second = dock.current_run.outcome
    assert second.status == "done", second.message
    assert first.message != second.message
    assert dm.undo()
    assert dock.status.value == f"Undone: {second.message}"
    assert dm.undo()
    assert dock.status.value == f"Undone: {first.message}"
    assert dm.redo()
    assert dock.status.value == f"Redone: {first.message}"
    assert dm.redo()
    assert dock.status.value == f"Redone: {second.message}"


def _zscore_pipeline(folder: Any) -> Any:
    """Write the trial's "Self z-score" pipeline (an analog series in, one out)."""
    path = folder / "zscore.json"
    path.write_text(json.dumps(SELF_ZSCORE))
    return path


def test_pipelines_tab_says_before_run_what_happens_to_a_taken_output_key(dock, qtbot, tmp_path):
    """Trial 27: the Pipelines tab said nothing when the output key was the input itself
    (replaced silently) or a key of another kind (refused only after Run); the Transform
    tab's own check now runs on both tabs."""
    panel = dock.pipelines
    panel.open_pipeline_file(_zscore_pipeline(tmp_path))
    panel.run_input.value = "whisker_angle"
    panel.run_output.value = "whisker_angle"
    assert panel.run_output_warning.text() == (
        "'whisker_angle' exists and will be replaced (undo restores it)"
    )
    assert panel.run_output_warning.isVisibleTo(panel.native)
    assert panel.run_button.enabled  # replacing is allowed, as on the Transform tab
    dock.tabs.setCurrentIndex(1)
    panel.run_output.value = "contact_events"
    # said once, by Run, not also under the output key (trial 29: shown twice)
    refusal = "Run is off: 'contact_events' already holds"
    assert dock.status.value.startswith(refusal)
    assert "cannot replace it" in dock.status.value
    assert panel.run_output_warning.text() == ""
    assert not panel.run_output_warning.isVisibleTo(panel.native)
    assert not panel.run_button.enabled
    dock.tabs.setCurrentIndex(0)
    dock.select_transform("CalculateLineAngle")  # the Transform tab says the same words
    dock.output_key.value = "contact_events"
    assert dock.status.value.startswith(refusal)
    assert not dock.output_warning.visible
    dock.tabs.setCurrentIndex(1)
    panel.run_output.value = "angle_z"
    assert not panel.run_output_warning.isVisibleTo(panel.native)
    panel.run_selected()
    qtbot.waitUntil(lambda: not dock.running, timeout=20_000)
    assert dock.current_run.outcome.status == "done", dock.status.value
    # the key now exists: the tab says so without the field changing
    assert panel.run_output_warning.text().startswith("'angle_z' exists and will be replaced")


def test_run_is_off_saying_why_whenever_the_output_key_would_be_refused(dock, qtbot, tmp_path):
    """Run was on for an output key holding another kind of data: the whole computation ran
    and the result was refused when stored. Run is now off while the check refuses, its
    tooltip and the status line saying why, followed live on both tabs."""
    dm = dock.dm
    dock.select_transform("CalculateMaskArea")
    dock.output_key.value = "contact"  # intervals; the result is an analog signal
    reason = "Run is off: 'contact' already holds intervals"
    assert not dock.run_button.enabled
    assert dock.run_button.tooltip.startswith(reason)
    assert dock.status.value.startswith(reason)
    assert dock.status_area.isVisibleTo(dock.native)
    dock.output_key.value = "pad_area"
    assert dock.run_button.enabled
    assert dock.run_button.tooltip is None
    assert dock.status.value == ""  # the reason is gone with it
    # a key of another kind made under that name elsewhere (a script, the console)
    dm.set_data("pad_area", dm.get_data("contact").copy(), dm.time_key("contact"))
    assert not dock.run_button.enabled
    assert dock.status.value.startswith("Run is off: 'pad_area' already holds intervals")
    dm.delete_data("pad_area")
    assert dock.run_button.enabled
    dock.output_key.value = ""  # no key at all
    assert not dock.run_button.enabled
    assert dock.run_button.tooltip == "Run is off: the output needs a key"
    dock.output_key.value = "contact_events"  # events
    assert not dock.run_button.enabled
    dock.select_transform("CalculateLineLength")  # a new transform suggests a free key
    assert dock.run_button.enabled
    assert dock.status.value == ""

    panel = dock.pipelines
    panel.open_pipeline_file(_zscore_pipeline(tmp_path))
    dock.tabs.setCurrentIndex(1)
    panel.run_output.value = "contact_events"
    assert not panel.run_button.enabled
    assert panel.run_button.tooltip.startswith("Run is off: 'contact_events' already holds")
    assert dock.status.value == panel.run_button.tooltip  # the status line follows the tab
    dock.tabs.setCurrentIndex(0)
    assert dock.status.value == ""  # the Transform tab's Run is on
    dock.tabs.setCurrentIndex(1)
    before = dm.get_data("contact_events")
    panel.run_selected()  # from code: refused before computing
    assert not dock.running
    assert "cannot replace" in dock.status.value
    assert dm.get_data("contact_events") is before
    panel.run_output.value = "angle_z"
    assert panel.run_button.enabled
    assert panel.run_button.tooltip is None
    assert "Run is off" not in dock.status.value


def test_run_is_off_saying_why_without_a_transform_a_pipeline_or_an_input(dock, qtbot, tmp_path):
    """Run was on with no transform chosen, or none of its input's kind in the session (the
    click only then said why), and on the Pipelines tab with a pipeline whose input kind the
    session lacks; with no pipeline chosen it was off without a word. Run is now off, its
    tooltip and the status line saying why, followed live on both tabs."""
    dm = dock.dm
    assert not dock.run_button.enabled
    assert dock.run_button.tooltip == "Run is off: choose a transform in the list"
    assert dock.status.value == ""  # the help reads "Choose a transform.": no warning under it
    dock.select_transform("CalculateMaskArea")
    assert dock.input_combo.value == "pad_mask"  # the session's only masks
    assert dock.run_button.enabled
    assert dock.status.value == ""
    dm.delete_data("pad_mask")  # from elsewhere (the Data browser, a script)
    assert not dock.run_button.enabled
    reason = "Run is off: the session has no masks key for its input"
    assert dock.run_button.tooltip == dock.status.value == reason
    assert dm.undo()
    assert dock.input_combo.value == "pad_mask"
    assert dock.run_button.enabled
    assert dock.status.value == ""

    panel = dock.pipelines
    dock.tabs.setCurrentIndex(1)
    assert not panel.run_button.enabled
    assert panel.run_button.tooltip.startswith("Run is off: the library has no pipelines")
    assert dock.status.value == panel.run_button.tooltip
    panel.open_pipeline_file(_zscore_pipeline(tmp_path))  # an analog series in
    assert panel.run_button.enabled
    assert dock.status.value == ""
    panel.library_list.setCurrentItem(None)
    assert not panel.run_button.enabled
    assert panel.run_button.tooltip == "Run is off: choose a pipeline in the library"
    assert dock.status.value == panel.run_button.tooltip
    panel.run_selected()  # from code: refused with the reason
    assert dock.status.value == "Run is off: choose a pipeline in the library"
    assert not dock.running
    panel.select_entry("zscore")
    assert panel.run_button.enabled
    analog = [k for k in dm if dm.data_type(k) == "analog"]
    with dm.history.group("delete the analog keys"):
        for key in analog:
            dm.delete_data(key)
    assert panel.run_input.choices == ()
    assert not panel.run_button.enabled
    reason = "Run is off: the session has no analog signals key for the pipeline's input"
    assert panel.run_button.tooltip == dock.status.value == reason
    assert dm.undo()
    assert panel.run_input.value in analog
    assert panel.run_button.enabled
    assert panel.run_button.tooltip is None
    assert dock.status.value == ""


def test_the_search_finds_v1_names_with_v1_names_hidden(dock, qtbot):
    """README: "line point extraction" finds *Extract Point from Line* and Enter picks it;
    with *V1 names* unticked the list was empty, Enter chose nothing and nothing hinted
    that a match was hidden."""
    assert not dock.show_legacy.value
    search = dock.search.native
    qtbot.keyClicks(search, "line point extraction")
    group = dock.tree.topLevelItem(0)
    assert group.child(0).text(0) == "ExtractLinePoint (V1: Extract Point from Line)"
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert dock.spec.name == "ExtractLinePoint"
    search.clear()
    qtbot.keyClicks(search, "particle filter")  # a V1 operation without a twin
    rows = [dock.tree.topLevelItem(i) for i in range(dock.tree.topLevelItemCount())]
    assert [r.text(0) for r in rows] == ["1 match among V1 names — tick V1 names"]
    assert not rows[0].flags() & Qt.ItemFlag.ItemIsSelectable
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert dock.spec is None  # the hint is not a transform, and ExtractLinePoint is hidden
    dock.show_legacy.value = True
    names = [
        dock.tree.topLevelItem(i).child(0).text(0) for i in range(dock.tree.topLevelItemCount())
    ]
    assert "Track Points Through Masks (Particle Filter)" in names


@pytest.mark.parametrize("typed", ["Skeletonize Mask", "skeleton"])
def test_a_v1_display_name_typed_and_enter_choose_its_twin(dock, qtbot, typed):
    """Were: "Skeletonize Mask" or "skeleton" + Enter (V1 names unticked) listed
    MaskToLine (V1: Convert Mask To Line) first and chose it."""
    assert not dock.show_legacy.value
    search = dock.search.native
    qtbot.keyClicks(search, typed)
    assert dock.tree.topLevelItem(0).child(0).text(0).startswith("SkeletonizeMask")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert dock.spec.name == "SkeletonizeMask"


def test_a_search_matching_nothing_says_so_without_an_input_row(dock, qtbot):
    """Trial 28: "zzzz" left an empty list, "Choose a transform" and an empty Input row."""
    dock.native.resize(420, 700)
    dock.native.show()
    dock.select_transform("CalculateMaskArea")
    qtbot.keyClicks(dock.search.native, "zzzz")
    assert dock.help.value == "No transform matches 'zzzz'"
    assert not dock.input_combo.native.isVisible()
    dock.search.native.clear()
    assert dock.help.value == "Choose a transform."
    assert dock.input_combo.native.isVisible()
    qtbot.keyClicks(dock.search.native, "zzzz")
    dock.select_transform("CalculateMaskArea")  # chosen from code: its input row shows
    assert dock.input_combo.native.isVisible()
    dock.output_key.value = "contact"  # holds intervals: said once, by Run
    assert dock.status.value.startswith("Run is off: 'contact' already holds intervals")
    assert "already holds" not in dock.output_warning.value


def test_select_transform_from_code_moves_the_tree_highlight(dock, qtbot):
    """The tree kept highlighting the transform chosen before ``select_transform`` when the
    new one was not listed (a legacy transform, or one the search box filtered out)."""
    dock.native.show()
    dock.select_transform("CalculateLineAngle")
    assert _highlighted(dock) == ["CalculateLineAngle", "CalculateLineAngle"]
    dock.select_transform("CalculateLineLength")
    assert _highlighted(dock) == ["CalculateLineLength", "CalculateLineLength"]
    legacy = "CalculateLineAngleWithContext"
    assert legacy not in {s.name for s in visible_specs(False)}
    dock.select_transform(legacy)  # legacy transforms hidden: they are listed again
    assert dock.show_legacy.value
    assert _highlighted(dock) == [legacy, legacy]
    dock.search.value = "angle"  # the user's search, matching the chosen one, is kept
    assert _highlighted(dock) == [legacy, legacy]
    dock.select_transform("CalculateLineLength")  # filtered out: the search is cleared
    assert dock.search.value == ""
    assert _highlighted(dock) == ["CalculateLineLength", "CalculateLineLength"]


def test_choosing_a_transform_clears_the_error_about_the_previous_choice(dock, qtbot):
    """Run with nothing chosen said 'choose a transform first', and the red line stayed under
    the form of the transform chosen next, as if that one had failed."""
    assert not dock.run_button.enabled  # Run is off, its tooltip saying why
    assert dock.run() is None  # from code: refused, in red
    assert dock.status.value == "Transforms: choose a transform in the list"
    dock.select_transform("CalculateLineAngle")
    assert dock.status.value == ""
    assert not dock.status.visible
    dock.input_combo.value = "whiskers"
    assert _run_and_wait(dock, qtbot).status == "done"
    done = dock.status.value
    dock.select_transform("CalculateLineLength")  # a success report stays: it is the last run's
    assert dock.status.value == done


def test_a_difference_of_every_whisker_s_angle_is_refused_in_the_status_line(dock, qtbot):
    """The angle of every whisker holds 4 values a frame: AnalogDifference would subtract
    whisker k-1 from whisker k, so Run is refused with the key named and nothing stored."""
    dm = get_session(dock.viewer).dm
    dock.select_transform("CalculateLineAngle")
    dock.input_combo.value = "whiskers"
    dock.output_key.value = "whiskers_line_angle"
    assert _run_and_wait(dock, qtbot).status == "done"
    dock.select_transform("AnalogDifference")
    dock.input_combo.value = "whiskers_line_angle"
    dock.output_key.value = "angle_speed"
    assert dock.run() is None  # refused before a run starts
    assert "'whiskers_line_angle') holds up to 4 values at one time" in dock.status.value
    assert dock.status.native.isVisibleTo(dock.native)
    assert "angle_speed" not in dm


def test_the_list_s_handle_drags_and_a_new_choice_fits_the_form_again(dock, qtbot):
    """The list and the form share the tab through a splitter the user can drag; a resize
    (the preview's text line appearing) keeps the dragged height, a new choice refits."""
    dock.native.resize(340, 520)
    dock.native.show()
    qtbot.waitExposed(dock.native)
    panes = dock.panes
    dock.select_transform("CalculateLineAngle")
    qtbot.wait(20)  # fitted on the next event-loop turn
    fitted = panes.sizes()[0]
    assert fitted < panes.list_height(17)  # the lines group's 17 rows gave way to the form
    panes.moveSplitter(fitted + 60, 1)  # the user drags the handle down
    dragged = panes.sizes()[0]
    assert dragged > fitted + 30
    dock.native.resize(340, 500)
    qtbot.waitUntil(lambda: dock.panes.height() < sum(panes.sizes()) + 30)
    qtbot.wait(10)
    assert panes.sizes()[0] == dragged
    dock.select_transform("CalculateMaskArea")  # a new choice: fitted to its rows and form
    qtbot.waitUntil(lambda: panes.sizes()[0] != dragged)
    assert not panes.dragged


def _changed_columns(a: Any, b: Any) -> np.ndarray:
    """Pixel columns where two renderings of a widget differ."""

    def pixels(pixmap: Any) -> np.ndarray:
        image = pixmap.toImage().convertToFormat(QImage.Format.Format_RGBA8888)
        buffer = np.frombuffer(image.constBits().asstring(image.sizeInBytes()), np.uint8)
        return buffer.reshape(image.height(), image.bytesPerLine())[:, : 4 * image.width()]

    return np.unique(np.flatnonzero(np.any(pixels(a) != pixels(b), axis=0)) // 4)


def test_python_button_s_menu_arrow_does_not_cover_its_text(dock, qtbot):
    """Docked in napari's window (its style sheet), the *Python* button's menu arrow was drawn
    over the "n" of "Python"."""
    dock.viewer.window.add_dock_widget(dock.native, name="Transforms")
    dock.viewer.window.resize(1268, 800)
    dock.viewer.window.show()
    button = next(b for b in dock.native.findChildren(QToolButton) if "Python" in b.text())
    qtbot.waitUntil(button.isVisible)
    button.setFixedSize(button.size())
    full = button.grab()
    text, menu = button.text(), button.menu()
    button.setText("")
    no_text = button.grab()
    button.setText(text)
    button.setMenu(None)
    no_arrow = button.grab()
    button.setMenu(menu)
    text_columns = _changed_columns(full, no_text)
    arrow_columns = _changed_columns(full, no_arrow)
    assert text_columns.size
    assert arrow_columns.size
    assert text_columns.max() < arrow_columns.min(), (text_columns, arrow_columns)


def test_a_group_editing_v1_operation_runs_from_the_dock_and_undoes_in_one_step(dock, qtbot):
    dm = dock.dm
    dm.groups.create("kept", [1])
    before = dm.groups.to_dict()
    keys = dm.keys()
    dock.select_transform("Group Lines by Index")
    assert not dock.output_key.visible  # it writes no key
    assert not dock.output_clock.visible
    assert not dock.preview_check.enabled
    dock.input_combo.value = "whiskers"
    dock.form["group_name_prefix"].value = "Whisker"
    outcome = _run_and_wait(dock, qtbot)
    assert outcome.status == "done", outcome.message
    n = len(dm.get_data("whiskers").ids_at(0))
    assert [g for g in dm.groups if g.startswith("Whisker ")] == [f"Whisker {i}" for i in range(n)]
    assert "lines → 'Whisker 0'" in dock.status.value  # what it did
    assert dm.keys() == keys
    _press(dock.viewer, "Control-Z")
    assert dm.groups.to_dict() == before


def test_a_group_operation_run_in_the_dock_is_saved_as_a_config_and_replayed(dock, qtbot, tmp_path):
    """The applied-steps list showed a group operation as writing '' and it could not be
    saved in any replayable form; now it reads '→ entity groups' and 'Save as config…'
    writes a transformations block that redoes it."""
    dm = dock.dm
    dock.select_transform("Group Lines by Index")
    dock.input_combo.value = "whiskers"
    dock.form["group_name_prefix"].value = "Whisker"
    assert _run_and_wait(dock, qtbot).status == "done"
    panel = dock.pipelines
    assert panel.steps_list.item(0).text() == "Group Lines by Index: whiskers → entity groups"
    assert panel.save_config_button.enabled
    saved = panel.save_steps_as_config(tmp_path / "groups.json")
    block = json.loads(saved.read_text())[0]["transformations"]
    assert "output_key" not in block["steps"][0]
    grouped = {g: dm.groups.count(g) for g in dm.groups}
    dm.undo()
    assert not [g for g in dm.groups if g.startswith("Whisker ")]
    run_v1_transformations(dm, block)
    assert {g: dm.groups.count(g) for g in dm.groups} == grouped


def test_a_line_preview_is_not_drawn_in_the_colour_of_any_key(dock, qtbot):
    """The preview's fixed yellow (#ffd400) was the palette's gold (#ffd700), the colour of
    the sample's whiskers: Line Alignment's preview could not be told from its input."""
    from napari.layers import Shapes
    from napari.utils.colormaps.standardize_color import transform_color

    from napari_whiskertoolbox.layers.binding import key_color

    viewer, dm = dock.viewer, dock.dm
    dock.select_transform("Line Alignment to Bright Features")
    dock.input_combo.value = "whiskers"
    dock.form["media_data"].value = "media"
    dock.preview_check.value = True
    layer = dock.preview.layer
    assert isinstance(layer, Shapes)
    assert layer.nshapes
    shown = transform_color(layer.edge_color[0])[0][:3]
    for key in dm:
        if dm.data_type(key) in ("points", "line", "mask"):
            other = transform_color(key_color(dm, key))[0][:3]
            assert not np.allclose(shown, other, atol=0.02), key  # palette: hues 20° apart
    whiskers = next(lyr for lyr in viewer.layers if lyr.metadata.get("wtb_key") == "whiskers")
    assert np.abs(shown - whiskers.edge_color[0][:3]).max() > 0.2


def test_a_group_editing_operation_s_help_says_it_writes_entity_groups(dock, qtbot):
    """Group Lines by Proximity's help read 'lines → lines (v1)', yet it writes no lines
    (its output key is hidden): a new user looked for a new lines key after the run."""
    for name in ("Group Lines by Proximity", "Line Outlier Detection"):
        dock.select_transform(name)
        assert dock.help.value.splitlines()[0] == "lines → entity groups (v1)", name
    dock.select_transform("Line Group to Digital Intervals")  # reads groups, writes a key
    assert dock.help.value.splitlines()[0] == "lines → intervals (v1)"


def test_a_group_operation_s_status_names_the_operation_once(dock, qtbot):
    """The status read 'Group Lines by Index on whiskers (entity groups) in 0.09 s: Group
    Lines by Index: 40 lines → …', the name twice: three wrapped lines at the dock's foot,
    the last cut off by the window's edge."""
    dock.select_transform("Group Lines by Index")
    dock.input_combo.value = "whiskers"
    assert _run_and_wait(dock, qtbot).status == "done"
    status = dock.status.value
    assert status.count("Group Lines by Index") == 1, status
    assert status.startswith("Group Lines by Index on whiskers (entity groups) in ")
    assert " s: 40 lines → 'Line 0'" in status


def test_save_as_config_through_its_file_dialog(dock, qtbot, tmp_path, monkeypatch):
    """The 'Save as config…' button's dialog flow: a name typed without '.json' is saved
    as a .json config; cancelling saves nothing; a TransformsV2 step among the chosen ones
    is refused in the status line, naming it."""
    answers: list[str] = []
    asked: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        "napari_whiskertoolbox.widgets.transforms.pipelines_panel.QFileDialog.getSaveFileName",
        lambda *a, **k: (asked.append(a) or answers.pop(0), "Config (*.json)"),
    )
    dm = dock.dm
    dock.select_transform("Group Lines by Index")
    dock.input_combo.value = "whiskers"
    dock.form["group_name_prefix"].value = "Whisker"
    assert _run_and_wait(dock, qtbot).status == "done"
    dock.select_transform("CalculateLineLength")
    dock.input_combo.value = "whiskers"
    dock.output_key.value = "length"
    assert _run_and_wait(dock, qtbot).status == "done"
    panel = dock.pipelines
    panel.steps_list.item(0).setSelected(True)
    answers.append(str(tmp_path / "groups"))  # typed without the extension
    panel.save_config_button.native.click()
    assert len(asked) == 1
    saved = tmp_path / "groups.json"
    assert saved.is_file(), sorted(p.name for p in tmp_path.iterdir())
    assert not (tmp_path / "groups").exists()
    assert str(saved) in dock.status.value
    assert not dock._status_is_error
    block = json.loads(saved.read_text())[0]["transformations"]
    assert [s["transform_name"] for s in block["steps"]] == ["Group Lines by Index"]
    # cancelled: nothing written, the status unchanged
    status = dock.status.value
    answers.append("")
    panel.save_config_button.native.click()
    assert dock.status.value == status
    # all steps (nothing selected): CalculateLineLength is not a V1 operation
    panel.steps_list.clearSelection()
    answers.append(str(tmp_path / "all.json"))
    panel.save_config_button.native.click()
    assert not (tmp_path / "all.json").exists()
    assert dock._status_is_error
    assert "CalculateLineLength" in dock.status.value
    assert "not a WhiskerToolbox V1 operation" in dock.status.value
    # the saved block replays the grouping on the session
    grouped = {g: dm.groups.count(g) for g in dm.groups}
    dm.undo()
    dm.undo()
    assert not [g for g in dm.groups if g.startswith("Whisker ")]
    run_v1_transformations(dm, block)
    assert {g: dm.groups.count(g) for g in dm.groups} == grouped


def _dialog_start(qtbot: Any, click: Any) -> tuple[str, str]:
    """Click a button opening a file dialog; return the dialog's folder and file name, cancel it."""
    from qtpy.QtCore import QTimer
    from qtpy.QtWidgets import QApplication, QFileDialog

    seen: list[tuple[str, str]] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, answer)
            return
        files = dialog.selectedFiles()
        seen.append((dialog.directory().absolutePath(), files[0] if files else ""))
        dialog.reject()

    QTimer.singleShot(0, answer)
    click()
    qtbot.waitUntil(lambda: bool(seen), timeout=5_000)
    return seen[0]


def test_save_as_config_starts_where_the_session_came_from(dock, qtbot, tmp_path, monkeypatch):
    """The dialog opened in the process's working folder ('/' from a desktop launcher): it
    starts in the session's config folder, else the folder last saved to, else home."""
    from pathlib import Path

    from napari_whiskertoolbox.workflow import start_folder

    monkeypatch.setattr(start_folder, "_last", {})
    home, elsewhere, project = tmp_path / "home", tmp_path / "cwd", tmp_path / "project"
    for folder in (home, elsewhere, project):
        folder.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(elsewhere)
    dock.select_transform("Group Lines by Index")
    dock.input_combo.value = "whiskers"
    assert _run_and_wait(dock, qtbot).status == "done"
    click = dock.pipelines.save_config_button.native.click
    folder, name = _dialog_start(qtbot, click)
    assert Path(folder) == home  # the sample came from no file
    assert Path(name).name == "transformations.json"
    saved = dock.pipelines.save_steps_as_config(project / "mine.json")
    with monkeypatch.context() as patched:
        patched.setattr(
            "napari_whiskertoolbox.widgets.transforms.pipelines_panel.QFileDialog.getSaveFileName",
            lambda *a, **k: (str(saved), "Config (*.json)"),
        )
        click()  # saved through the dialog: its folder is remembered
    assert dock.pipelines.config_start_path() == project / "transformations.json"
    config = tmp_path / "exp" / "exp.json"
    config.parent.mkdir()
    config.write_text("[]", encoding="utf-8")
    dock.session.path = config  # a session opened from a config: its folder first
    folder, _ = _dialog_start(qtbot, click)
    assert Path(folder) == config.parent
    folder, _ = _dialog_start(qtbot, dock.pipelines.open_button.native.click)  # Open… too
    assert Path(folder) == config.parent


def test_a_short_run_makes_no_activity_bar_and_a_long_one_does(
    dock, qtbot, slow_transform, monkeypatch
):
    from napari_whiskertoolbox.widgets.transforms import background

    monkeypatch.setattr(background, "ACTIVITY_DELAY_S", 3600.0)
    dock.select_transform("CalculateLineAngle")
    run = dock.run()
    assert run is not None, dock.status.value
    qtbot.waitUntil(lambda: not dock.running, timeout=20_000)
    assert run.outcome.status == "done"
    assert "whiskers_line_angle" in dock.dm
    assert run.bar is None  # napari's activity dock was never asked for a bar
    monkeypatch.setattr(background, "ACTIVITY_DELAY_S", 0.0)
    dock.select_transform(SLOW)
    dock.input_combo.value = "whisker_angle"
    run = dock.run()
    assert run is not None
    qtbot.waitUntil(lambda: run.bar is not None, timeout=5000)
    bar = run.bar
    dock.cancel()
    qtbot.waitUntil(lambda: not dock.running, timeout=10_000)
    assert run.bar is None
    assert bar not in type(bar)._all_instances  # closed


def test_choosing_a_transform_imports_what_it_needs_off_the_ui_thread(dock, monkeypatch):
    from napari_whiskertoolbox.widgets.transforms import dock as dock_module

    asked: list[tuple[str, ...]] = []
    monkeypatch.setattr(dock_module, "warm_up_in_background", lambda m: asked.append(tuple(m)))
    dock.select_transform("SkeletonizeMask")
    dock.select_transform("CalculateLineAngle")
    assert "skimage.morphology" in asked[0]
    assert asked[1] == ()  # nothing lazy to import


def test_choosing_a_pipeline_imports_what_its_steps_need(dock, tmp_path, monkeypatch):
    from napari_whiskertoolbox.widgets.transforms import pipelines_panel

    asked: list[tuple[str, ...]] = []
    monkeypatch.setattr(pipelines_panel, "warm_up_in_background", lambda m: asked.append(tuple(m)))
    doc = {"steps": [{"step_id": "a", "transform_name": "SkeletonizeMask", "parameters": {}},
                     {"step_id": "b", "transform_name": "CalculateMaskArea",
                      "parameters": {}}]}  # fmt: skip
    source = tmp_path / "skeleton.json"
    source.write_text(json.dumps(doc))
    entry = dock.pipelines.open_pipeline_file(source)
    dock.pipelines.select_entry(entry.id)
    assert asked
    assert "skimage.morphology" in asked[-1]


def test_every_transform_s_name_typed_whole_and_enter_chooses_it(dock, qtbot):
    """README: a name typed whole lists that transform alone and Enter chooses it; typing
    "SkeletonizeMask" listed MaskToLine (V1: Convert Mask To Line) first and Enter chose it.
    Every listed name, V2 names with *V1 names* unticked and every name with it ticked."""
    wrong = []
    for legacy in (False, True):
        dock.show_legacy.value = legacy
        for spec in visible_specs(legacy):
            for typed in (spec.name, spec.name.lower()):
                dock.search.value = typed
                listed = [
                    dock.tree.topLevelItem(i).child(j).data(0, Qt.ItemDataRole.UserRole)
                    for i in range(dock.tree.topLevelItemCount())
                    for j in range(dock.tree.topLevelItem(i).childCount())
                ]
                if set(listed) != {spec.name} or dock.choose_first_match() != spec.name:
                    wrong.append((legacy, typed, listed[:3]))
    assert wrong == []
    assert dock.spec is not None


def test_a_search_hiding_the_chosen_transform_clears_the_choice(dock, qtbot):
    """Searching "Connected" (found only among V1 names) left MedianFilterMask chosen and out
    of sight: Run ran it under the output key typed next ("MedianFilterMask → pad_cc")."""
    search = dock.search.native
    qtbot.keyClicks(search, "MedianFilterMask")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert dock.spec.name == "MedianFilterMask"
    assert dock.run_button.enabled
    search.clear()
    qtbot.keyClicks(search, "Connected")
    assert dock.spec is None
    assert dock.form is None
    assert dock.help.value.startswith("Choose a transform (MedianFilterMask is not listed")
    dock.output_key.value = "pad_cc"
    assert not dock.run_button.enabled
    assert dock.run_button.tooltip == "Run is off: choose a transform in the list"
    assert dock.run() is None
    assert "pad_cc" not in dock.dm
    search.clear()  # listed again, but not chosen again behind the user's back
    assert dock.spec is None
    qtbot.keyClicks(search, "median")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert dock.spec.name == "MedianFilterMask"
    dock.search.value = "mask"  # a search still listing the choice keeps it
    assert dock.spec.name == "MedianFilterMask"
    dock.show_legacy.value = True
    dock.select_transform("Calculate Area")  # a V1 name: hidden once V1 names are unticked
    dock.show_legacy.value = False
    assert dock.spec is None


def test_the_status_line_is_as_tall_as_its_text_right_after_docking(
    make_napari_viewer, qtbot, sample, tmp_path
):
    """The Pipelines tab's "Run is off: the session has no tensors key for the pipeline's
    input" set right after add_dock_widget showed its first line only, the second cut off
    under the dock: the status area kept a one-line height its nested layouts had not yet
    asked again for."""
    viewer = make_napari_viewer(show=True)
    viewer.window._qt_window.resize(1600, 1200)
    _load(get_session(viewer), sample)
    library = tmp_path / "library"
    library.mkdir()
    pipeline = {"steps": [{"step_id": "p", "transform_name": "TensorPCA"}]}
    (library / "pca.json").write_text(json.dumps(pipeline))
    dock = TransformsWidget(viewer, library=PipelineLibrary(library))
    viewer.window.add_dock_widget(dock, name="Transforms", area="right")
    QApplication.processEvents()
    dock.tabs.setCurrentIndex(1)
    dock.pipelines.select_entry("pca")
    QApplication.processEvents()
    area = dock.status_area
    assert dock.status.value.startswith("Run is off: the session has no tensors key")
    text_height = dock.status.native.heightForWidth(area.viewport().width())
    line = dock.status.native.fontMetrics().lineSpacing()
    assert text_height >= 2 * line  # two lines at this width
    assert area.viewport().height() >= text_height
