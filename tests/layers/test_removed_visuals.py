"""napari under Mesa's llvmpipe crashes when one turn removes an Image and a Points layer.

Each case runs in a subprocess of its own (a segfault there fails the test, not the run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

DATA = Path(__file__).parents[1] / "data" / "whiskertoolbox"

_PAINTS = """
def pump(seconds):
    end = time.time() + seconds
    while time.time() < end:
        QApplication.processEvents()
        time.sleep(0.01)

def repaint(viewer, times=5):
    canvas = viewer.window._qt_viewer.canvas.native
    for _ in range(times):
        canvas.repaint()
        pump(0.2)
"""

_NAPARI_ALONE = """
import gc, sys, time
import numpy as np
import napari
from qtpy.QtWidgets import QApplication
{paints}
viewer = napari.Viewer(show=True)
if sys.argv[1] == "kept":
    from napari_whiskertoolbox.layers._napari_compat import keep_removed_visuals
    stop = keep_removed_visuals(viewer)
viewer.add_image(np.random.randint(0, 255, (5, 48, 64), np.uint8), name="a")
image_b = viewer.add_image(np.random.randint(0, 255, (3, 24, 32), np.uint8), name="b")
points = viewer.add_points(np.array([[1.0, 10.0, 10.0]]), name="p")
pump(1.5)
viewer.layers.remove(points)
viewer.layers.remove(image_b)  # the same turn
gc.collect()
repaint(viewer)
print("painted", [layer.name for layer in viewer.layers], flush=True)
"""


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )


def test_napari_crashes_when_one_turn_removes_an_image_and_points_without_the_workaround() -> None:
    """If this fails, napari (or Mesa) no longer crashes: keep_removed_visuals can go."""
    result = _run(_NAPARI_ALONE.format(paints=_PAINTS), "plain")
    assert result.returncode != 0, result.stdout
    assert "painted" not in result.stdout


def test_keep_removed_visuals_paints_on_after_such_a_removal() -> None:
    result = _run(_NAPARI_ALONE.format(paints=_PAINTS), "kept")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "painted ['a']" in result.stdout


def test_undoing_an_open_of_a_second_video_with_points_paints_on(tmp_path: Path) -> None:
    """A session with a video; a config brings another video and points; Ctrl+Z."""
    config = tmp_path / "second.json"
    items = [
        {
            "filepath": str(DATA / "Media" / "test_each_frame_number.mp4"),
            "data_type": "video",
            "name": "second",
        },
        {
            "filepath": str(DATA / "Points" / "test_point.csv"),
            "data_type": "points",
            "name": "spots",
            "format": "csv",
            "delimiter": " ",
            "frame_column": 0,
            "x_column": 1,
            "y_column": 2,
        },
    ]
    config.write_text(json.dumps(items))
    code = """
    import sys, time
    import numpy as np
    import napari
    from qtpy.QtWidgets import QApplication
    {paints}
    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.media import ArrayMedia
    from napari_whiskertoolbox.workflow.registry import get_session
    viewer = napari.Viewer(show=True)
    dm = DataManager()
    dm.set_data("media", ArrayMedia(np.zeros((20, 48, 64), np.uint8), kind="video"))
    session = get_session(viewer)
    from napari_whiskertoolbox import show_data_manager
    show_data_manager(viewer, dm)
    pump(1.0)
    session.open(sys.argv[1])
    pump(1.5)
    print("opened", sorted(layer.name for layer in viewer.layers), flush=True)
    session.dm.undo()
    repaint(viewer)
    print("painted", [layer.name for layer in viewer.layers], flush=True)
    """
    result = _run(textwrap.dedent(code).format(paints=_PAINTS), str(config))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "opened ['media', 'second', 'spots']" in result.stdout
    assert "painted ['media']" in result.stdout
