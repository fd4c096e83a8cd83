"""Warm-up of the libraries transforms import when they run (``transforms.warm_up``)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import napari_whiskertoolbox.transforms as transforms_package
from napari_whiskertoolbox.transforms import REGISTRY
from napari_whiskertoolbox.transforms.warm_up import (
    function_imports,
    lazy_imports,
    missing_modules,
)

CATALOGUE = Path(transforms_package.__file__).parent


def test_function_imports_are_read_from_the_source(tmp_path, monkeypatch):
    source = tmp_path / "wtb_warm_probe.py"
    source.write_text(
        "import json\n"
        "import numpy as np\n"
        "def f():\n"
        "    import scipy.signal\n"
        "    from skimage.morphology import skeletonize\n"
        "    from napari_whiskertoolbox.core import DataManager\n"
        "    import os\n"
        "    return json, np\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("wtb_warm_probe")
    assert function_imports("wtb_warm_probe") == (
        "scipy.signal",
        "skimage.morphology",
        "skimage.morphology.skeletonize",
    )  # module level, standard library and this package left out
    assert function_imports("no_such_module_xyz") == ()


@pytest.mark.parametrize("path", sorted(CATALOGUE.glob("*.py")), ids=lambda p: p.stem)
def test_what_a_catalogue_module_imports_lazily_imports(path):
    name = f"napari_whiskertoolbox.transforms.{path.stem}"
    importlib.import_module(name)
    for lazy in function_imports(name):
        parent = lazy.rpartition(".")[0]
        assert importlib.util.find_spec(lazy) is not None or (
            parent and importlib.util.find_spec(parent) is not None
        ), f"{path.name} imports {lazy}, which is not installed"


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
