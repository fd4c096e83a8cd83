"""Support for the workflow GUI tests (no tests here): small WhiskerToolbox configs on disk."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def tip_config(folder: Path, wtb_data: Path, name: str = "exp.json") -> Path:
    """Write a config of one points item, ``tip`` (WhiskerToolbox's ``test_point.csv``)."""
    items = [
        {
            "data_type": "points",
            "name": "tip",
            "filepath": str(wtb_data / "Points" / "test_point.csv"),
        }
    ]
    path = folder / name
    path.write_text(json.dumps(items), encoding="utf-8")
    return path
