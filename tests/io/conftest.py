"""Helpers for the io tests: write a JSON config next to data in tmp_path."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Return ``write(doc, name="config.json") -> Path`` writing ``doc`` as JSON in tmp_path."""

    def write(doc: Any, name: str = "config.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
        return path

    return write
