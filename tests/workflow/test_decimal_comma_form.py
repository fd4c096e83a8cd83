"""A data file whose cells look like decimal commas, opened on its own: both readings offered.

``0,512`` / ``1,034`` read as WhiskerToolbox reads it (commas separate columns) loses the
leading zero of ``034``; the form says the cells look like decimal commas, shows the first
values of both readings and starts at the decimal-comma one (``"decimal": ","``).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pytest
from qtpy.QtCore import Qt
from qtpy.QtWidgets import QDialogButtonBox

from napari_whiskertoolbox.io.data_files import guess_data_file, load_data_file
from napari_whiskertoolbox.io.routing import DataFileNeedsItem, open_path
from napari_whiskertoolbox.workflow.ask import DataFileRequest
from napari_whiskertoolbox.workflow.data_file_form import DataFileDialog
from napari_whiskertoolbox.workflow.registry import get_session

EVENTS_SECONDS = "0,512\n1,034\n2,75\n3,101\n"
SIGNAL = "1,5\n2,25\n3,75\n4,0\n"
PLUGIN = "napari-whiskertoolbox"


def _file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_leading_zero_guess_reads_decimal_commas_first(tmp_path):
    guess = guess_data_file(_file(tmp_path, "ev.csv", EVENTS_SECONDS))
    assert "decimal commas" in guess.reason
    assert "'1,034'" in guess.reason
    assert guess.options_for(guess.candidates[0]) == {"decimal": ","}
    assert "0.512, 1.034, 2.75, 3.101" in guess.reading
    other = guess.alternative
    assert other is not None
    assert "decimal" not in other.options_for(other.candidates[0])
    assert "0 | 512, 1 | 34" in other.reading
    assert "leading zero" in other.reading
    assert "decimal commas" in other.reason


def test_fraction_like_second_cells_are_offered_too(tmp_path):
    guess = guess_data_file(_file(tmp_path, "an.csv", SIGNAL))
    assert "1.5, 2.25, 3.75, 4" in guess.reading
    assert guess.alternative is not None
    assert "1 | 5, 2 | 25" in guess.alternative.reading


@pytest.mark.parametrize(
    "text",
    [
        "100,200\n300,450\n500,1000\n",  # start,end intervals
        "0,512\n1,600\n2,75\n3,120\n",  # time,value integers
        "0,1,5\n1,2,5\n",  # three columns
        "0.5,1\n1.5,2\n",  # decimal points: commas separate columns
    ],
)
def test_integer_tables_without_evidence_read_as_whiskertoolbox(tmp_path, text):
    guess = guess_data_file(_file(tmp_path, "t.csv", text))
    assert guess.alternative is None
    assert guess.reading == ""
    assert "decimal" not in str(guess.options)


def test_open_path_without_a_form_names_the_decimal_reading(tmp_path):
    from napari_whiskertoolbox.core import DataManager

    with pytest.raises(DataFileNeedsItem, match="decimal commas"):
        open_path(_file(tmp_path, "ev.csv", EVENTS_SECONDS), DataManager())


def test_a_leading_zero_read_as_an_integer_column_is_noted(tmp_path, caplog):
    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.io.data_files import data_file_item

    path = _file(tmp_path, "iv.csv", "0,512\n1,034\n")
    item = data_file_item(path, "digital_interval", "iv", options={"skip_header": False})
    dm = DataManager()
    with caplog.at_level(logging.INFO):
        load_data_file(dm, item)
    assert dm.get_data("iv").intervals.tolist() == [[0, 512], [1, 34]]  # WhiskerToolbox's
    notes = [r.getMessage() for r in caplog.records if "'034'" in r.getMessage()]
    assert notes
    assert "line 2" in notes[0]
    assert '"decimal": ","' in notes[0]


def _form(qtbot, path) -> tuple[DataFileDialog, Any, list[Any]]:
    from napari_whiskertoolbox.core import DataManager

    dm = DataManager()
    loaded: list[Any] = []

    def load(item: Any) -> None:
        loaded.append(load_data_file(dm, item))

    dialog = DataFileDialog(DataFileRequest(path, guess_data_file(path), dm, "time", load))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog, dm, loaded


def test_the_form_offers_both_readings_and_loads_the_chosen_one(qtbot, tmp_path):
    dialog, dm, loaded = _form(qtbot, _file(tmp_path, "ev.csv", EVENTS_SECONDS))
    assert dialog.reading_combo.isVisible()
    assert dialog.reading_combo.count() == 2
    assert "0.512, 1.034" in dialog.reading_combo.currentText()
    assert "decimal commas" in dialog.intro.text()
    assert '"decimal": ","' in dialog.item_label.text()
    dialog.set_data_type("digital_event")
    dialog.options_edit.setText('{"decimal": ",", "scale": 1000}')
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Open), Qt.MouseButton.LeftButton
    )
    assert loaded == [["ev"]]
    np.testing.assert_array_equal(dm.get_data("ev").times, [512, 1034, 2750, 3101])


def test_the_form_switches_to_whiskertoolbox_reading(qtbot, tmp_path):
    dialog, dm, _ = _form(qtbot, _file(tmp_path, "ev.csv", EVENTS_SECONDS))
    dialog.reading_combo.setCurrentIndex(1)
    assert "0 | 512, 1 | 34" in dialog.reading_combo.currentText()
    assert "decimal" not in dialog.options_edit.text()
    assert dialog.data_type == "digital_interval"
    assert dialog.try_open()
    assert dm.get_data("ev").intervals.tolist() == [[0, 512], [1, 34], [2, 75], [3, 101]]


def test_a_plain_table_shows_no_reading_choice(qtbot, tmp_path):
    dialog, _, _ = _form(qtbot, _file(tmp_path, "iv.csv", "100,200\n300,450\n"))
    assert not dialog.reading_combo.isVisible()


def test_the_viewer_form_starts_at_the_decimal_reading(make_napari_viewer, qtbot, tmp_path,
                                                       answer_dialog):  # fmt: skip
    viewer = make_napari_viewer(show=True)
    path = _file(tmp_path, "an.csv", "0,512\n1,034\n2,75\n3,101\n")
    shown: list[str] = []

    def answer(dialog: DataFileDialog) -> None:
        shown.append(dialog.reading_combo.currentText())
        shown.append(dialog.data_type)
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Open), Qt.MouseButton.LeftButton
        )

    seen = answer_dialog(DataFileDialog, answer)
    viewer.open(str(path), plugin=PLUGIN)
    assert seen == ["Open an.csv"]
    assert "0.512" in shown[0]
    assert shown[1] == "analog"
    series = get_session(viewer).dm.get_data("an")
    np.testing.assert_allclose(series.values, [0.512, 1.034, 2.75, 3.101], rtol=1e-6)
