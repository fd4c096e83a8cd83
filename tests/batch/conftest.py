"""Batch test fixtures: small saved sessions and a dask cluster shared by a test module."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pytest
from _batch_support import N_FRAMES, SESSION_NAMES

from napari_whiskertoolbox.batch import start_client
from napari_whiskertoolbox.io import save_session
from napari_whiskertoolbox.sample import make_sample_session

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from distributed import Client


@pytest.fixture(scope="session")
def saved_sessions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with three saved sample sessions ``mouseN.session`` (seeds 1..3)."""
    root = tmp_path_factory.mktemp("sessions")
    for seed, name in enumerate(SESSION_NAMES, start=1):
        save_session(make_sample_session(N_FRAMES, seed=seed), root / f"{name}.session")
    return root


@pytest.fixture
def sessions(saved_sessions: Path, tmp_path: Path) -> Path:
    """A private copy of the saved sessions (tests may break or edit them)."""
    target = tmp_path / "data"
    shutil.copytree(saved_sessions, target)
    return target


@pytest.fixture(scope="module")
def threads_client() -> Iterator[Client]:
    """An in-process cluster: one worker thread (scripts change the working directory)."""
    started = start_client(n_workers=1, processes=False)
    try:
        yield started.client
    finally:
        started.close()
