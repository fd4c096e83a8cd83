"""The Key help dock's Save row says what Ctrl+S does in a DeepLabCut project."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from _dlc_project import copy_reaching
from napari_whiskertoolbox.widgets.key_help import KeyHelpWidget

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui


def _save_row(widget: KeyHelpWidget) -> str:
    table = widget.table
    (row,) = [r for r in range(table.rowCount()) if table.item(r, 0).text() == "Ctrl+S"]
    return table.item(row, 1).text()


def test_the_save_row_says_where_keypoints_and_other_data_go(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    viewer = make_napari_viewer()
    widget = KeyHelpWidget(viewer)
    assert _save_row(widget) == "Save the session"
    viewer.open(str(copy_reaching(tmp_path)), plugin="napari-whiskertoolbox")
    assert _save_row(widget) == (
        "Save: keypoints back into their CollectedData_* files (.h5 and .csv), other data "
        "(lines, masks…) into a session folder"
    )


def test_the_save_row_of_a_sleap_project_names_the_slp(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    """Was: "Save: keypoints back into their the .slp project"."""
    pytest.importorskip("sleap_io")
    from _sleap_files import write_two_frame_slp

    viewer = make_napari_viewer()
    widget = KeyHelpWidget(viewer)
    slp = write_two_frame_slp(tmp_path / "mice.slp", "mice.mp4")
    viewer.open(str(slp), plugin="napari-whiskertoolbox")
    assert _save_row(widget) == (
        "Save: keypoints back into their .slp project, other data (lines, masks…) into a "
        "session folder"
    )
