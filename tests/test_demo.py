"""``python -m napari_whiskertoolbox demo --screenshot PATH`` draws the whole window and exits."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import numpy as np
import pytest

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def test_demo_screenshot_shows_the_window(tmp_path: Path) -> None:
    # pytest-xvfb exports DISPLAY for its virtual X server; the demo runs in its own process.
    target = tmp_path / "demo.png"
    env = dict(os.environ, NAPARI_WHISKERTOOLBOX_AUTOSAVE_DIR=str(tmp_path / "autosave"))
    result = subprocess.run(
        [sys.executable, "-m", "napari_whiskertoolbox", "demo", "--screenshot", str(target)],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    import imageio.v3 as iio

    image = iio.imread(target)
    height, width = image.shape[:2]
    assert width >= 1000
    assert height >= 600
    pixels = image[..., :3].reshape(-1, 3)
    # A real window: many distinct colours (canvas, docks, text), not a blank or black frame.
    assert len(np.unique(pixels, axis=0)) > 200
    assert pixels.std() > 10
