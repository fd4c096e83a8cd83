"""The window keeps the name of the session a config is opened into (README, *Save*)."""

from __future__ import annotations

import numpy as np
import pytest
from _ask_support import Answers
from _workflow_configs import tip_config

from napari_whiskertoolbox.core import PointData
from napari_whiskertoolbox.workflow.opening import REPLACE_UNSAVED_QUESTION
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow

pytestmark = pytest.mark.gui
PLUGIN = "napari-whiskertoolbox"


@pytest.mark.parametrize("first", ["sample", "video", "csv", "saved"])
def test_a_config_opened_into_a_session_with_data_does_not_rename_the_window(
    make_napari_viewer, tmp_path, wtb_data, first
):
    """Was: the sample's window became "test_config.json — napari *" (the config became the
    session's path, and the path named the window)."""
    viewer = make_napari_viewer()
    session = get_session(viewer)
    if first == "sample":
        viewer.open_sample(PLUGIN, "whisker_session")
        named = "Whisker session (sample)"
    elif first == "video":
        viewer.open(str(wtb_data / "Media" / "test_each_frame_number.mp4"), plugin=PLUGIN)
        named = "test_each_frame_number.mp4"
    elif first == "csv":
        viewer.open(str(wtb_data / "Points" / "test_point.csv"), plugin=PLUGIN)
        named = "test_point.csv"
    else:
        session.dm.set_data("drawn", PointData(), "time")
        session.save(tmp_path / "mine.session")
        named = "mine.session"
    assert viewer.title == f"{named} — napari"

    viewer.open(str(wtb_data / "test_config.json"), plugin=PLUGIN)
    assert "my_video" in session.dm
    assert viewer.title == f"{named} — napari *"
    viewer.open(str(tip_config(tmp_path, wtb_data)), plugin=PLUGIN)  # a second one too
    assert viewer.title == f"{named} — napari *"
    session.dm.get_data("tip").add(3, np.array([[1.0, 2.0]], dtype=np.float32))
    assert viewer.title == f"{named} — napari *"
    assert get_workflow(viewer).title.label == named

    session.save(tmp_path / "copy")  # a save to a new folder renames it, as before
    assert viewer.title == "copy — napari"


def test_a_config_still_names_an_empty_window_or_one_it_replaces(
    make_napari_viewer, tmp_path, wtb_data
):
    viewer = make_napari_viewer()
    config = tip_config(tmp_path, wtb_data)
    viewer.open(str(config), plugin=PLUGIN)
    assert viewer.title == "exp.json — napari"

    viewer.open_sample(PLUGIN, "whisker_session")  # joins the config's session: no rename
    assert viewer.title == "exp.json — napari *"

    emptied = make_napari_viewer()  # a session emptied of its data starts over
    emptied_session = get_session(emptied)
    emptied.open(str(wtb_data / "test_config.json"), plugin=PLUGIN)
    for key in list(emptied_session.dm.keys()):
        emptied_session.dm.delete_data(key)
    emptied.open(str(config), plugin=PLUGIN)
    assert emptied.title == "exp.json — napari *"

    alone = make_napari_viewer()
    alone.open(str(config), plugin=PLUGIN)
    get_session(alone).save(tmp_path / "saved")
    replaced = make_napari_viewer()  # a session folder opened replaces the session: renames
    replaced.open(str(config), plugin=PLUGIN)
    get_session(replaced).dm.get_data("tip").add(3, np.array([[1.0, 2.0]], dtype=np.float32))
    get_workflow(replaced).ask = Answers(choose={REPLACE_UNSAVED_QUESTION: "discard"})
    replaced.open(str(tmp_path / "saved"), plugin=PLUGIN)
    assert replaced.title == "saved — napari"
