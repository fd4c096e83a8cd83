"""The plugin is a valid npe2 plugin that napari discovers, editable and from a built wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from napari_whiskertoolbox._reader import READER_TABLE
from napari_whiskertoolbox.media.suffixes import MEDIA_FILE_SUFFIXES

REPO = Path(__file__).resolve().parents[1]
PLUGIN = "napari-whiskertoolbox"
NPE2 = Path(sys.executable).with_name("npe2")

EXPECTED_WIDGETS = {
    "Script runner",
    "Data browser",
    "Timeline",
    "Key help",
    "Swap IDs",
    "Transforms",
    "Batch",
}


def test_manifest_in_package_is_the_repo_manifest() -> None:
    packaged = REPO / "src" / "napari_whiskertoolbox" / "napari.yaml"
    assert packaged.is_symlink()
    assert packaged.resolve() == (REPO / "napari.yaml").resolve()


def test_all_extra_brings_every_feature_extra() -> None:
    """`pip install napari-whiskertoolbox[all]` gives batch runs too (not only formats)."""
    import tomllib

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    (self_reference,) = [r for r in extras["all"] if r.startswith(PLUGIN)]
    included = set(self_reference.split("[", 1)[1].rstrip("]").split(","))
    features = set(extras) - {"all", "testing", "slurm"}  # slurm: a cluster, not a feature
    assert included == features


def test_media_reader_patterns_are_the_media_suffix_table() -> None:
    import yaml

    manifest = yaml.safe_load((REPO / "napari.yaml").read_text(encoding="utf-8"))
    readers = manifest["contributions"]["readers"]
    media = [r for r in readers if r["command"].endswith("get_media_reader")]
    assert len(media) == 1
    assert media[0]["filename_patterns"] == [f"*{suffix}" for suffix in MEDIA_FILE_SUFFIXES]


def test_npe2_validate_with_imports_passes() -> None:
    result = subprocess.run(
        [str(NPE2), "validate", PLUGIN, "--imports"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout


def test_editable_install_is_discovered_with_its_contributions() -> None:
    import npe2

    manager = npe2.PluginManager.instance()
    manager.discover()
    manifest = manager.get_manifest(PLUGIN)
    contributions = manifest.contributions
    assert {w.display_name for w in contributions.widgets} == EXPECTED_WIDGETS
    declared = [
        (r.command, tuple(r.filename_patterns), r.accepts_directories)
        for r in contributions.readers
    ]
    assert declared == [
        (f"{PLUGIN}.{row.function}", row.filename_patterns, row.accepts_directories)
        for row in READER_TABLE
    ]
    patterns = {p for reader in contributions.readers for p in reader.filename_patterns}
    assert "*" not in patterns  # a catch-all pattern would put us in every "Choose reader" dialog
    assert {tuple(str(t) for t in w.layer_types) for w in contributions.writers} == {
        ("points",),
        ("shapes",),
        ("labels",),
        ("image*", "labels*", "points*", "shapes*", "vectors*"),  # NWB: the whole session
    }
    assert [s.display_name for s in contributions.sample_data] == ["Whisker session"]
    for command in contributions.commands:
        assert command.python_name.startswith("napari_whiskertoolbox.")


DISCOVERY_PROBE = textwrap.dedent(
    """
    import importlib.resources, json, sys
    import npe2
    import napari_whiskertoolbox
    import whiskertoolbox_python

    manifest_file = importlib.resources.files("napari_whiskertoolbox") / "napari.yaml"
    manager = npe2.PluginManager.instance()
    manager.discover()
    manifest = manager.get_manifest("napari-whiskertoolbox")
    found = [
        str(result.distribution.locate_file(""))
        for result in npe2.PluginManifest.discover()
        if result.manifest is not None and result.manifest.name == "napari-whiskertoolbox"
    ]
    print(json.dumps({
        "package": napari_whiskertoolbox.__file__,
        "aliases": whiskertoolbox_python.__file__,
        "manifest_file": str(manifest_file),
        "manifest_is_file": manifest_file.is_file(),
        "widgets": sorted(w.display_name for w in manifest.contributions.widgets),
        "discovered_in": found,
    }))
    """
)


@pytest.mark.slow
def test_built_wheel_installs_and_is_discovered_in_a_fresh_venv(tmp_path: Path) -> None:
    import json

    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(REPO)],
        check=True,
        timeout=300,
    )
    (wheel,) = wheel_dir.glob("napari_whiskertoolbox-*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    fresh_python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(fresh_python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    fresh_site = Path(
        subprocess.run(
            [str(fresh_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # Dependencies come from the project venv, searched after the fresh venv's own packages.
    (fresh_site / "zz_project_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    probe = subprocess.run(
        [str(fresh_python), "-c", DISCOVERY_PROBE],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert probe.returncode == 0, probe.stderr
    report = json.loads(probe.stdout.strip().splitlines()[-1])
    assert Path(report["package"]).is_relative_to(fresh_site)
    assert Path(report["aliases"]).is_relative_to(fresh_site)  # shipped top-level module
    assert Path(report["manifest_file"]).is_relative_to(fresh_site)
    assert report["manifest_is_file"]
    assert set(report["widgets"]) == EXPECTED_WIDGETS
    # npe2 finds the wheel's distribution first (the project's editable one comes after).
    assert Path(report["discovered_in"][0]).resolve() == fresh_site.resolve()
