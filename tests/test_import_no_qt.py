"""The Qt-free layers must import without Qt, napari, magicgui, pyqtgraph or vispy."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = (
    "PyQt5",
    "PyQt6",
    "PySide2",
    "PySide6",
    "qtpy",
    "napari",
    "magicgui",
    "pyqtgraph",
    "vispy",
)

QT_FREE_MODULES = (
    "napari_whiskertoolbox",
    "napari_whiskertoolbox.core",
    "napari_whiskertoolbox.io",
    "napari_whiskertoolbox.media",
    "napari_whiskertoolbox.scripting",
    "napari_whiskertoolbox.batch",
    "napari_whiskertoolbox.sample",
    "whiskertoolbox_python",
)

QT_FREE_PACKAGES = (
    "napari_whiskertoolbox.core",
    "napari_whiskertoolbox.io",
    "napari_whiskertoolbox.media",
    "napari_whiskertoolbox.scripting",
    "napari_whiskertoolbox.batch",
)

_PROBE = """
import importlib, json, pkgutil, sys
for name in {modules!r}:
    importlib.import_module(name)
for package in {packages!r}:  # every submodule too, not just what __init__ pulls in
    path = importlib.import_module(package).__path__
    for info in pkgutil.walk_packages(path, package + "."):
        importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r})
print(json.dumps(loaded))
"""


def test_qt_free_layers_import_without_gui_toolkits():
    code = _PROBE.format(modules=QT_FREE_MODULES, packages=QT_FREE_PACKAGES, forbidden=FORBIDDEN)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == [], f"Qt-free packages pulled in GUI modules: {loaded}"
