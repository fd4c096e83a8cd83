"""Writing and loading small WhiskerToolbox configs in tests."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from napari_whiskertoolbox.io import load_config
from napari_whiskertoolbox.io.report import LoadReport

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.core import DataManager


def load(tmp_path: Path, *items: dict, **top) -> tuple[DataManager, LoadReport]:
    """Write a config of ``items`` (object form when ``top`` is given) and load it."""
    doc = {**top, "data": list(items)} if top else list(items)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(doc))
    report = LoadReport()
    return load_config(path, report=report), report
