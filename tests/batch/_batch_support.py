"""Helpers shared by the batch tests."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.batch import run_batch

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.batch import BatchReport

N_FRAMES = 20
SESSION_NAMES = ("mouse1", "mouse2", "mouse3")


def write_script(path: Path, body: str) -> Path:
    """Write a batch script and return its path."""
    path.write_text(body, encoding="utf-8")
    return path


def start_batch(*args: Any, **kwargs: Any) -> tuple[threading.Thread, list[BatchReport]]:
    """Start ``run_batch(*args, **kwargs)`` in a thread; its report lands in the list."""
    result: list[BatchReport] = []
    runner = threading.Thread(target=lambda: result.append(run_batch(*args, **kwargs)))
    runner.start()
    return runner, result
