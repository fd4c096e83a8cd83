"""A script that ends with session viewers still open exits cleanly and keeps its autosave."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]

SCRIPT = """
import sys
import numpy as np
import napari
from napari_whiskertoolbox.core import PointData
from napari_whiskertoolbox.workflow.registry import get_session, get_workflow

sessions = [get_session(napari.Viewer(show=True)) for _ in range(2)]
points = PointData()
points.add(3, np.array([[5.0, 6.0]], dtype=np.float32))
sessions[0].dm.set_data("nose", points)
print("AUTOSAVED", get_workflow(sessions[0].viewer).autosaver.autosave_now())
napari.qt.get_qapp().processEvents()
# no viewer.close(), no napari.run(): the script just ends with both windows open
"""


def _run_exiting(script: str, root: Path) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter autosaving under ``root``; it must exit with 0."""
    env = dict(os.environ, NAPARI_WHISKERTOOLBOX_AUTOSAVE_DIR=str(root))
    result = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert result.returncode == 0, f"exit code {result.returncode}\n{result.stderr[-3000:]}"
    return result


def test_script_ending_with_open_viewers_exits_cleanly_and_keeps_the_autosave(
    tmp_path: Path,
) -> None:
    """PyQt's clean-up at exit crashed (SIGSEGV) in most runs with session windows open."""
    for _ in range(2):
        stdout = _run_exiting(SCRIPT, tmp_path / "autosave").stdout
        (line,) = [x for x in stdout.splitlines() if x.startswith("AUTOSAVED ")]
        folder = Path(line.removeprefix("AUTOSAVED "))
        assert folder.parent == tmp_path / "autosave"
        marker = json.loads((folder / "recovery.json").read_text(encoding="utf-8"))
        assert marker["source"] is None  # an untitled session's autosave, offered next time
        assert (folder / "session" / "session.json").is_file()


EDIT_ONLY = """
import numpy as np
import napari
from napari_whiskertoolbox.core import PointData
from napari_whiskertoolbox.workflow.registry import get_session

session = get_session(napari.Viewer(show=True))
points = PointData()
points.add(3, np.array([[5.0, 6.0]], dtype=np.float32))
session.dm.set_data("nose", points)
napari.qt.get_qapp().processEvents()
# edited less than a minute ago: no timed autosave yet when the script ends
"""


def test_edits_not_yet_autosaved_are_autosaved_at_exit(tmp_path: Path) -> None:
    """Ending the script soon after an edit keeps that edit for recovery, as the README says."""
    root = tmp_path / "autosave"
    _run_exiting(EDIT_ONLY, root)
    (folder,) = root.iterdir()
    session_json = json.loads((folder / "session" / "session.json").read_text(encoding="utf-8"))
    assert "nose" in json.dumps(session_json)
    assert (folder / "recovery.json").is_file()


WINDOW_CLOSED_FIRST = """
import numpy as np
import napari
from napari_whiskertoolbox.layers._napari_compat import main_window
from napari_whiskertoolbox.workflow.registry import get_session

closed = napari.Viewer(show=True)
get_session(closed)
closed.add_shapes([np.array([[0.0, 0.0], [10.0, 10.0]])], shape_type="path")  # whisker lines
kept = napari.Viewer(show=True)
get_session(kept)
app = napari.qt.get_qapp()
app.processEvents()
print("CLOSED", main_window(closed).close())  # its title bar's close button: Qt deletes it
for _ in range(5):
    app.processEvents()
"""


def test_a_window_closed_before_exit_leaves_no_traceback(tmp_path: Path) -> None:
    """Was: "Exception ignored in atexit callback ... QtViewer has been deleted", and with a
    Shapes layer vispy's "CanvasBackendDesktop has been deleted" (its layers cleared again)."""
    result = _run_exiting(WINDOW_CLOSED_FIRST, tmp_path / "autosave")
    assert "CLOSED True" in result.stdout
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "has been deleted" not in result.stderr, result.stderr[-3000:]
