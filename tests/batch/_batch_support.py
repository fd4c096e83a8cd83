"""Helpers shared by the batch tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

N_FRAMES = 20
SESSION_NAMES = ("mouse1", "mouse2", "mouse3")


def write_script(path: Path, body: str) -> Path:
    """Write a batch script and return its path."""
    path.write_text(body, encoding="utf-8")
    return path
