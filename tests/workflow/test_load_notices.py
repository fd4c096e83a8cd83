"""The one notice of what a load left out: rows are counted as rows, other things by their own text."""

from __future__ import annotations

from napari_whiskertoolbox.io.report import LoadNote
from napari_whiskertoolbox.workflow.load_notices import rows_left_out_message

BODY_PARTS = LoadNote(
    "dlc",
    "skipped",
    "body parts without a point above the likelihood threshold get no key: ['cuetip']",
    1,
)
ROWS = LoadNote("pts", "skipped", "skipped 2 rows: frame cell is not all digits", 2, (2, 3))


def test_body_parts_left_out_are_not_called_rows():
    message = rows_left_out_message("experiment.json", [BODY_PARTS])
    assert message is not None
    assert message.startswith("experiment.json: data left out, as WhiskerToolbox's loader")
    assert "rows" not in message.split(":")[1]
    assert "body parts without a point" in message


def test_rows_and_other_data_are_told_apart():
    message = rows_left_out_message("experiment.json", [ROWS, BODY_PARTS])
    assert message is not None
    assert message.startswith("experiment.json: 2 rows and other data left out")
    assert rows_left_out_message("pts.csv", [ROWS]).startswith("pts.csv: 2 rows left out")
