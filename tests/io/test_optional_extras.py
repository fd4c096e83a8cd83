"""A missing optional package gives an error naming the extra that installs it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from napari_whiskertoolbox.core import DataManager
from napari_whiskertoolbox.io.dlc import read_dlc
from napari_whiskertoolbox.io.nwb_export import export_nwb
from napari_whiskertoolbox.io.nwb_import import load_nwb_entries
from napari_whiskertoolbox.io.optional import MissingDependencyError
from napari_whiskertoolbox.io.sleap import read_slp

H5 = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "deeplabcut"
    / "reaching"
    / "labeled-data"
    / "reachingvideo1"
    / "CollectedData_Mackenzie.h5"
)


@pytest.mark.parametrize(
    ("module", "extra", "call"),
    [
        ("tables", "deeplabcut", lambda tmp: read_dlc(H5)),
        ("sleap_io", "sleap", lambda tmp: read_slp(H5)),
        ("pynwb", "nwb", lambda tmp: load_nwb_entries(H5)),
        ("ndx_pose", "nwb", lambda tmp: export_nwb(DataManager(), tmp / "x.nwb")),
    ],
)
def test_missing_package_names_its_extra(monkeypatch, tmp_path, module, extra, call) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    with pytest.raises(
        MissingDependencyError, match=rf"pip install 'napari-whiskertoolbox\[{extra}\]'"
    ):
        call(tmp_path)
    assert not (tmp_path / "x.nwb").exists()


def test_extras_are_declared_and_in_all_and_testing() -> None:
    import tomllib

    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())[
        "project"
    ]
    extras = project["optional-dependencies"]
    for extra in ("deeplabcut", "sleap", "nwb", "ephys"):
        assert extras[extra], extra
        assert extra in extras["all"][-1]
    assert "napari-whiskertoolbox[all]" in extras["testing"]
