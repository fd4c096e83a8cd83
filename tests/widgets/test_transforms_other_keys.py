"""The Transforms dock's second keys (a second input, a key parameter) on a real viewer.

A second key defaults to a key of its kind other than the input and follows the input
unless the user picked it; with no such key it shows empty with a hint and Run is off
(unless the operation ignores it, like ``not``). Headless calls keep WhiskerToolbox's
behaviour: naming the input twice is allowed there.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from magicgui.widgets import ComboBox, Label
from qtpy.QtCore import QPoint
from qtpy.QtWidgets import QApplication

from napari_whiskertoolbox.core import AnalogTimeSeries, DigitalIntervalSeries
from napari_whiskertoolbox.transforms import apply_transform
from napari_whiskertoolbox.transforms.library import PipelineLibrary
from napari_whiskertoolbox.widgets.theme_colors import (
    MIN_TEXT_CONTRAST,
    contrast_ratio,
    palette_colors,
)
from napari_whiskertoolbox.widgets.transforms import TransformsWidget
from napari_whiskertoolbox.widgets.transforms.other_keys import OtherKey
from napari_whiskertoolbox.workflow.registry import get_session

pytestmark = pytest.mark.gui

A = np.array([[0, 4], [8, 12]])
B = np.array([[2, 9]])
C = np.array([[11, 20]])


def _add(dock: TransformsWidget, key: str, intervals: np.ndarray) -> None:
    dock.dm.set_data(key, DigitalIntervalSeries(intervals), "time")


@pytest.fixture
def dock(make_napari_viewer, qtbot, tmp_path) -> TransformsWidget:
    viewer = make_napari_viewer(show=True)  # the hints' visibility is what a user sees
    widget = TransformsWidget(viewer, library=PipelineLibrary(tmp_path / "library"))
    _add(widget, "A", A)
    get_session(viewer).dm.history.clear()
    viewer.window.add_dock_widget(widget, area="right")
    qtbot.addWidget(widget.native)
    return widget


def _run_and_wait(dock: TransformsWidget, qtbot: Any) -> np.ndarray:
    output = dock.output_key.value  # a new name is suggested once the result is stored
    run = dock.run()
    assert run is not None, dock.status.value
    qtbot.waitUntil(lambda: not dock.running, timeout=20_000)
    assert run.outcome.status == "done", run.outcome.message
    return np.asarray(dock.dm.get_data(output).intervals)


def test_one_interval_key_leaves_the_other_empty_and_run_off_but_not_runs(dock, qtbot):
    dock.select_transform("DigitalIntervalBoolean")
    assert dock.input_combo.value == "A"
    assert dock.second_combo.value in (None, "")  # not A again: A AND A would be A
    assert "A" not in dock.second_combo.choices
    assert dock.second_hint.native.isVisible()
    assert dock.second_hint.value == "needs a second intervals key"
    assert not dock.run_button.enabled
    assert "needs a second intervals key" in dock.run_button.tooltip
    assert dock.run() is None
    assert dock.status.value == (
        "DigitalIntervalBoolean: the session has no other intervals key for its second input"
    )
    dock.form["operation"].value = "not"  # the gaps of the input: no other series read
    assert dock.run_button.enabled
    assert dock.second_hint.native.isHidden()
    output = dock.output_key.value
    np.testing.assert_array_equal(_run_and_wait(dock, qtbot), [[5, 7]])
    dock.form["operation"].value = "and"
    assert dock.second_combo.value == output  # the gaps are a second interval series now
    assert dock.run_button.enabled


def test_v1_boolean_operation_key_parameter_behaves_the_same(dock, qtbot):
    dock.select_transform("Boolean Operation")
    other = dock.form["other_series"]
    assert other.value == ""
    assert tuple(other.choices) == ("",)
    hint = dock.form.other_keys["other_series"].hint
    qtbot.waitUntil(hint.native.isVisible, timeout=5_000)  # the new form is shown
    assert hint.value == "needs a second intervals key"
    assert not dock.run_button.enabled
    dock.form["operation"].value = "NOT"
    assert dock.run_button.enabled
    assert hint.native.isHidden()
    np.testing.assert_array_equal(_run_and_wait(dock, qtbot), [[5, 7]])


def test_two_keys_default_to_the_other_one_and_follow_the_input(dock, qtbot):
    _add(dock, "B", B)
    dock.select_transform("DigitalIntervalBoolean")
    assert (dock.input_combo.value, dock.second_combo.value) == ("A", "B")
    assert dock.second_hint.native.isHidden()
    assert dock.run_button.enabled
    dock.input_combo.value = "B"
    assert dock.second_combo.value == "A"
    dock.input_combo.value = "A"
    assert dock.second_combo.value == "B"
    dock.form["operation"].value = "xor"
    expected = apply_transform(
        "DigitalIntervalBoolean",
        DigitalIntervalSeries(A),
        others=DigitalIntervalSeries(B),
        params={"operation": "xor"},
    )
    got = _run_and_wait(dock, qtbot)
    np.testing.assert_array_equal(got, np.asarray(expected.intervals))
    np.testing.assert_array_equal(got, [[0, 1], [5, 7], [10, 12]])  # reference §3.5


def test_a_key_added_later_becomes_the_default_and_turns_run_on(dock, qtbot):
    dock.select_transform("DigitalIntervalBoolean")
    assert not dock.run_button.enabled
    _add(dock, "B", B)
    qtbot.waitUntil(lambda: dock.second_combo.value == "B", timeout=5_000)
    assert dock.run_button.enabled
    assert dock.second_hint.native.isHidden()
    dock.select_transform("Boolean Operation")
    assert dock.form["other_series"].value == "B"
    assert dock.form.other_keys["other_series"].hint.native.isHidden()


def test_the_users_choice_is_kept_while_it_differs_from_the_input(dock, qtbot):
    _add(dock, "B", B)
    _add(dock, "C", C)
    for name, combo in (
        ("DigitalIntervalBoolean", lambda: dock.second_combo),
        ("Boolean Operation", lambda: dock.form["other_series"]),
    ):
        dock.select_transform(name)
        dock.input_combo.value = "A"
        assert combo().value == "B"
        combo().value = "C"  # the user's pick
        dock.input_combo.value = "B"
        assert combo().value == "C", name
        dock.input_combo.value = "C"  # the pick is now the input: a default again
        assert combo().value == "A", name
        dock.input_combo.value = "B"
        assert combo().value == "A", name  # A was the default, not picked: A still differs


def test_same_key_is_offered_where_meaningful_but_not_chosen_by_default(dock, qtbot):
    dock.select_transform("IntervalOverlapReduction")
    assert "A" in dock.second_combo.choices
    assert dock.second_combo.value == ""
    assert dock.second_hint.native.isVisible()
    assert not dock.run_button.enabled
    dock.second_combo.value = "A"  # overlaps of a series' intervals with each other
    assert dock.run_button.enabled
    assert dock.second_hint.native.isHidden()
    dock.form["reduction_name"].value = "IntervalCount"
    output = dock.output_key.value
    run = dock.run()
    assert run is not None, dock.status.value
    qtbot.waitUntil(lambda: not dock.running, timeout=20_000)
    assert run.outcome.status == "done", run.outcome.message
    np.testing.assert_array_equal(np.asarray(dock.dm.get_data(output).values).ravel(), [1, 1])


def test_headless_calls_still_accept_the_same_key_twice():
    a = DigitalIntervalSeries(A)
    out = apply_transform("DigitalIntervalBoolean", a, others=a, params={"operation": "and"})
    np.testing.assert_array_equal(np.asarray(out.intervals), A)


def test_a_key_parameter_of_another_kind_says_which_kind_it_needs(dock, qtbot):
    dock.dm.delete_data("A")
    dock.dm.set_data("angle", AnalogTimeSeries(np.arange(20, dtype=np.float32)), "time")
    dock.select_transform("Interval Peak Detection")  # analog input, intervals by key
    hint = dock.form.other_keys["interval_series"].hint
    qtbot.waitUntil(hint.native.isVisible, timeout=5_000)
    assert hint.value == "needs an intervals key"
    assert not dock.run_button.enabled
    _add(dock, "A", A)
    qtbot.waitUntil(lambda: dock.form["interval_series"].value == "A", timeout=5_000)
    assert dock.run_button.enabled
    assert hint.native.isHidden()


def test_an_optional_key_cleared_by_the_user_stays_cleared(qtbot):
    # Whisker Tracing's mask_data: optional, so a cleared one means "no masks"
    combo, hint = ComboBox(), Label()
    qtbot.addWidget(combo.native)
    other = OtherKey(combo, hint, "Whisker Tracing", ("mask",), ("video",), _masks, needed=False)
    other.follow("media")
    assert combo.value == "pad"
    assert combo.choices == ("", "pad", "lip")
    combo.value = ""
    other.follow("media2")
    assert combo.value == ""
    assert other.problem() is None
    assert not hint.visible


def _masks(kinds: tuple[str, ...]) -> list[str]:
    assert kinds == ("mask",)
    return ["pad", "lip"]


def _left(widget: Any, dock: TransformsWidget) -> int:
    native = getattr(widget, "native", widget)
    return native.mapTo(dock.native, QPoint(0, 0)).x()


@pytest.mark.parametrize(
    ("transform", "fields"),
    [
        ("DigitalIntervalBoolean", ("second_combo", "second_hint", "operation")),
        ("Boolean Operation", ("operation", "other_series")),
    ],
)
def test_inputs_form_and_output_fields_start_at_one_left_edge(dock, qtbot, transform, fields):
    dock.select_transform(transform)
    QApplication.processEvents()
    widgets = {
        "input": dock.input_combo,
        "output key": dock.output_key,
        "output clock": dock.output_clock,
    }
    for name in fields:
        widgets[name] = getattr(dock, name, None) or dock.form[name]
    hints = [other.hint for other in dock.form.other_keys.values()] + [dock.second_hint]
    widgets.update({f"hint {i}": hint for i, hint in enumerate(hints) if hint.visible})
    assert all(w.native.isVisible() for w in widgets.values()), widgets
    lefts = {name: _left(widget, dock) for name, widget in widgets.items()}
    qtbot.waitUntil(lambda: len({_left(w, dock) for w in widgets.values()}) == 1, timeout=2_000)
    assert len({_left(w, dock) for w in widgets.values()}) == 1, lefts


def test_a_one_input_transform_hides_the_second_input_s_hint(dock, qtbot):
    dock.select_transform("DigitalIntervalBoolean")
    assert dock.second_hint.native.isVisible()
    dock.select_transform("Boolean Operation")
    assert dock.second_hint.native.isHidden()


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_hints_are_smaller_dimmer_and_wrapped(dock, qtbot, theme):
    dock.viewer.theme = theme
    dock.select_transform("DigitalIntervalBoolean")
    QApplication.processEvents()
    hint, field_label = dock.second_hint.native, dock.output_key.native
    assert hint.isVisible()
    assert hint.wordWrap()
    assert hint.font().pointSizeF() < field_label.font().pointSizeF()
    role = hint.foregroundRole()
    shown = hint.palette().color(role).name()
    background, text = palette_colors(hint.parentWidget())
    assert shown != text  # dimmer than the text around it
    assert contrast_ratio(shown, background) < contrast_ratio(text, background)
    assert contrast_ratio(shown, background) >= MIN_TEXT_CONTRAST  # still readable
