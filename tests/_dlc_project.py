"""The Reaching DeepLabCut project subset of ``tests/data`` (4 images, both label files)."""

from __future__ import annotations

import shutil
from pathlib import Path

REACHING = Path(__file__).resolve().parent / "data" / "deeplabcut" / "reaching"
"""The project folder: config.yaml and labeled-data/reachingvideo1/."""


def copy_reaching(tmp_path: Path) -> Path:
    """Return a writable copy of the Reaching project made in ``tmp_path``."""
    target = tmp_path / "reaching"
    shutil.copytree(REACHING, target)
    for path in target.rglob("*"):
        path.chmod(0o644 if path.is_file() else 0o755)
    return target
