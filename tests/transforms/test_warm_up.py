"""Warm-up of the libraries transforms import when they run (``transforms.warm_up``)."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import napari_whiskertoolbox.transforms as transforms_package
from napari_whiskertoolbox.transforms import REGISTRY
from napari_whiskertoolbox.transforms.warm_up import (
    lazy_imports,
    missing_modules,
)

CATALOGUE = Path(transforms_package.__file__).parent


def _function_level_imports(path: Path) -> set[str]:
    """Third-party modules imported inside the functions of ``path`` (``from a import b``
    counts as ``a.b`` when that is a module)."""
    found: set[str] = set()

    def third_party(name: str) -> bool:
        top = name.split(".")[0]
        return top not in sys.stdlib_module_names and top != "napari_whiskertoolbox"

    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import):
                found.update(a.name for a in inner.names if third_party(a.name))
            elif (
                isinstance(inner, ast.ImportFrom)
                and inner.module
                and inner.level == 0
                and third_party(inner.module)
            ):
                for alias in inner.names:
                    sub = f"{inner.module}.{alias.name}"
                    found.add(sub if importlib.util.find_spec(sub) is not None else inner.module)
    return found


@pytest.mark.parametrize("path", sorted(CATALOGUE.glob("*.py")), ids=lambda p: p.stem)
def test_every_module_lists_what_its_functions_import(path):
    module = importlib.import_module(f"napari_whiskertoolbox.transforms.{path.stem}")
    listed = set(getattr(module, "LAZY_IMPORTS", ()))
    assert _function_level_imports(path) <= listed, f"{path.name}: add them to LAZY_IMPORTS"


def test_lazy_imports_follow_the_catalogue_modules_a_transform_uses():
    assert set(lazy_imports(REGISTRY.get("SkeletonizeMask").func)) >= {"skimage.morphology"}
    assert "scipy.signal" in lazy_imports(REGISTRY.get("AnalogHilbertPhase").func)
    # the legacy V1 operations call the masks module's functions
    assert "skimage.morphology" in lazy_imports(REGISTRY.get("Skeletonize Mask").func)
    assert "scipy.optimize" in lazy_imports(REGISTRY.get("Group Lines using Kalman Filtering").func)
    assert lazy_imports(REGISTRY.get("CalculateLineAngle").func) == ()
    assert lazy_imports(lambda x: x) == ()  # a user's function: nothing known


def test_warm_up_imports_on_another_thread_and_skips_what_fails():
    code = """
import sys, threading, importlib
from napari_whiskertoolbox.transforms import warm_up
seen = []
real = importlib.import_module
def spy(name, *a):
    seen.append((name, threading.current_thread() is threading.main_thread()))
    return real(name, *a)
warm_up.importlib.import_module = spy
assert "colorsys" not in sys.modules
thread = warm_up.warm_up_in_background(["no_such_module_xyz", "colorsys", "sys"])
thread.join(30)
assert seen == [("no_such_module_xyz", False), ("colorsys", False)], seen
assert "colorsys" in sys.modules
assert warm_up.warm_up_in_background(["colorsys", "sys"]) is None
print("ok")
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.stdout.strip() == "ok", out.stderr


def test_missing_modules_keeps_order():
    assert missing_modules(["sys", "zz_not_imported_b", "os", "zz_not_imported_a"]) == [
        "zz_not_imported_b",
        "zz_not_imported_a",
    ]
