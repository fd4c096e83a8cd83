"""An edit of a keypoints layer the DataManager refuses is blocked, as in every other layer.

The pose layer's write-back converted the layer's rows with no catch: a finished edit
holding a value that does not fit in float32, or rows that are not numbers, raised
``ValueError`` out of napari's ``data`` event. Now (:func:`.refuse_layer_edit`, the rule of
``row_edits``): one warning naming the layer, the frame and the reason; the stored
keypoints shown again; nothing stored (no undo step); frame steps and saves go on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from napari.utils.notifications import notification_manager

from _dlc_project import copy_reaching
from napari_whiskertoolbox.io import load_session, save_session
from napari_whiskertoolbox.layers._napari_compat import block_refresh
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui

PLUGIN = "napari-whiskertoolbox"
POSE = "reachingvideo1"


@pytest.fixture
def told():
    messages: list[str] = []

    def keep(notification: Any) -> None:
        messages.append(str(notification.message))

    notification_manager.notification_ready.connect(keep)
    yield messages
    notification_manager.notification_ready.disconnect(keep)


def _finished_edit(layer: Any, rows: np.ndarray) -> None:
    """Put ``rows`` into the layer and announce the edit finished, as napari does after a drag
    (quietly first: napari cannot draw these rows)."""
    with layer.events.data.blocker(), layer.events.set_data.blocker(), block_refresh(layer):
        layer.data = rows
    layer.events.data(value=layer.data, action="changed", data_indices=(0,), vertex_indices=((),))


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (lambda d: np.vstack([[5.0, 1e39], d[1:]]), "does not fit in float32"),
        (lambda d: np.array([["a", "b"], *d[1:].tolist()], dtype=object), "must be real numbers"),
    ],
    ids=["too-large", "not-numbers"],
)
def test_a_refused_keypoints_edit_is_blocked_with_one_warning(
    make_napari_viewer: Any, tmp_path: Path, qtbot: Any, told: list[str], bad: Any, reason: str
) -> None:
    folder = copy_reaching(tmp_path) / "labeled-data" / POSE
    viewer = make_napari_viewer()
    viewer.open(str(folder), plugin=PLUGIN)
    session = get_session(viewer)
    session.set_frame(1)
    layer = viewer.layers[POSE]
    stored = np.asarray(layer.data).copy()
    assert len(stored) >= 2
    n_steps = len(session.dm.history)
    _finished_edit(layer, bad(np.asarray(layer.data, np.float64)))  # was: ValueError raised
    assert len(told) == 1, told
    assert told[0].startswith(f"{POSE}: the edit on frame 1 was not stored"), told[0]
    assert reason in told[0]
    np.testing.assert_array_equal(layer.data, stored)  # the stored keypoints shown again
    assert len(session.dm.history) == n_steps, "no undo step"
    assert not session.dm.modified
    for frame in (2, 1):  # frame steps go on
        session.set_frame(frame)
        qtbot.wait(10)
    np.testing.assert_array_equal(layer.data, stored)
    session.flush_pending_edits()  # what Ctrl+S runs first
    save_session(session.dm, tmp_path / "after.session")
    back = load_session(tmp_path / "after.session")
    key = f"{POSE}_Hand"
    np.testing.assert_array_equal(back.get_data(key).at(1), session.dm.get_data(key).at(1))
    assert len(told) == 1, "told once"
