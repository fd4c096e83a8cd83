"""transforms/ is Qt-free and imports only what the house rules allow."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import napari_whiskertoolbox.transforms as transforms_pkg

ALLOWED_THIRD_PARTY = {"numpy", "scipy", "skimage", "sklearn", "pandas", "psygnal"}
ALLOWED_OWN = ("core", "media", "io", "transforms")
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


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import"
            names.append(node.module or "")
    return names


def test_imports_follow_the_layering():
    folder = Path(transforms_pkg.__file__).parent
    for path in folder.glob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            if top == "napari_whiskertoolbox":
                assert name.split(".")[1] in ALLOWED_OWN, f"{path.name} imports {name}"
            elif top in sys.stdlib_module_names or top == "__future__":
                continue
            else:
                assert top in ALLOWED_THIRD_PARTY, f"{path.name} imports {name}"


def test_importing_transforms_loads_no_qt():
    probe = (
        "import importlib, json, pkgutil, sys\n"
        "import napari_whiskertoolbox.transforms as t\n"
        "for info in pkgutil.walk_packages(t.__path__, 'napari_whiskertoolbox.transforms.'):\n"
        "    importlib.import_module(info.name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}"
        " or m.startswith(('napari_whiskertoolbox.scripting', 'napari_whiskertoolbox.layers',"
        " 'napari_whiskertoolbox.widgets')))))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
