"""A napari edit the DataManager refuses is blocked, never half-stored (issue 16).

Whatever the conversion or ``set_frame`` refuses (a coordinate too large for float32, rows
that are not numbers) must leave one warning naming the layer, the frame and the reason,
the layer showing the stored frame again, the DataManager unchanged with no undo step,
and the layer following frames, saving and taking edits afterwards. Two ways in: an
in-place change followed by ``layer.refresh()`` (the write-back runs in the refresh), and
``layer.data = …`` that napari itself cannot finish (its own refresh raises; the edit
announced is then looked at on the next turn of the event loop).
"""

from __future__ import annotations

import numpy as np
import pytest
from _bindings_support import frame_lines, frame_points, yx
from _edit_paths_support import editing_session, steps
from napari.utils.notifications import notification_manager

from napari_whiskertoolbox.io import load_session, save_session

pytestmark = pytest.mark.gui

TOO_LARGE = 1e39
"""Finite in float64, infinite in float32: the DataManager refuses it."""


@pytest.fixture
def told():
    messages: list[str] = []

    def keep(notification) -> None:
        messages.append(str(notification.message))

    notification_manager.notification_ready.connect(keep)
    yield messages
    notification_manager.notification_ready.disconnect(keep)


def points_rows(session, frame=2) -> list[list]:
    return np.asarray(session.viewer.layers["nose"].data).tolist()


def shapes_rows(session) -> list[list]:
    return [np.asarray(s).tolist() for s in session.viewer.layers["whiskers"].data]


def check_blocked(session, key, told, reason, rows_of, stored_rows, n_steps, tmp_path, qtbot):
    """The checks common to every refused edit of ``key`` on frame 2."""
    assert len(told) == 1, told
    assert told[0].startswith(f"{key}: "), told[0]
    assert "frame 2" in told[0], told[0]
    assert reason in told[0]
    assert rows_of(session) == stored_rows(2), "the layer shows the stored frame again"
    assert steps(session) == n_steps, "no undo step"
    assert not session.dm.modified
    for frame in (3, 4, 2):  # the layer follows frames (no exception out of the dims event)
        session.set_frame(frame)
        qtbot.wait(10)
        assert rows_of(session) == stored_rows(frame)
    session.flush_pending_edits()  # what Ctrl+S runs first
    save_session(session.dm, tmp_path / "after.session")
    back = load_session(tmp_path / "after.session")
    stored = session.dm.get_data(key)
    for frame in (2, 3):
        assert [np.asarray(o).tolist() for o in back.get_data(key).at(frame)] == [
            np.asarray(o).tolist() for o in stored.at(frame)
        ]
    assert len(told) == 1, "told once"


# ------------------------------------------------------------------ points
def stored_points_rows(frame: int) -> list[list]:
    return yx(frame_points(frame)).tolist()


@pytest.fixture
def points_session(make_napari_viewer):
    return editing_session(make_napari_viewer(), "nose", 2)


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([[5.0, TOO_LARGE]], "does not fit in float32"),
        (np.array([["a", "b"]], dtype=object), "must be real numbers"),
    ],
    ids=["too-large", "not-numbers"],
)
def test_points_assignment_napari_cannot_finish_is_blocked(
    points_session, told, tmp_path, qtbot, rows, reason
):
    session = points_session
    layer = session.viewer.layers["nose"]
    n_steps = steps(session)
    new = rows if isinstance(rows, np.ndarray) else np.vstack([layer.data, rows])
    with pytest.raises((OverflowError, ValueError)):  # napari's own refresh gives up
        layer.data = new
    qtbot.waitUntil(lambda: any("was not stored" in m for m in told), timeout=5000)
    check_blocked(
        session, "nose", told, reason, points_rows, stored_points_rows, n_steps, tmp_path, qtbot
    )


# ------------------------------------------------------------------ shapes
def stored_lines_rows(frame: int) -> list[list]:
    return [yx(line).tolist() for line in frame_lines(frame)]


@pytest.fixture
def shapes_session(make_napari_viewer):
    return editing_session(make_napari_viewer(), "whiskers", 2)


def test_shapes_path_with_an_infinite_vertex_is_refused_as_such(shapes_session, told):
    """A vertex set to a huge value in place becomes inf in napari's float32 array: the
    path cannot be drawn and is removed, and the message says why (it said "fewer than two
    distinct points")."""
    session = shapes_session
    layer, whiskers = session.viewer.layers["whiskers"], session.dm.get_data("whiskers")
    with np.errstate(over="ignore"):
        layer.data[1][0] = [TOO_LARGE, 3.0]
    layer.refresh()
    assert told == [
        "whiskers: on frame 2, 1 path(s) with a NaN or infinite vertex cannot be shown as lines and "
        "were removed."
    ]
    assert [line.tolist() for line in whiskers.at(2)] == [frame_lines(2)[0].tolist()]


def test_shapes_assignment_napari_cannot_finish_is_blocked(shapes_session, told, tmp_path, qtbot):
    session = shapes_session
    layer = session.viewer.layers["whiskers"]
    n_steps = steps(session)
    paths = [*layer.data, np.array([[3.0, 3.0], [9.0, TOO_LARGE]])]
    with pytest.raises((OverflowError, ValueError)):  # napari's own refresh gives up
        layer.data = (paths, ["path"] * len(paths))
    qtbot.waitUntil(lambda: bool(told), timeout=5000)
    # napari's float32 vertices made the huge value infinite: a path it cannot draw
    check_blocked(
        session,
        "whiskers",
        told,
        "NaN or infinite vertex",
        shapes_rows,
        stored_lines_rows,
        n_steps,
        tmp_path,
        qtbot,
    )
