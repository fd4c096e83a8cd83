"""Shared fixtures: paths to the real WhiskerToolbox test files copied into tests/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from napari_whiskertoolbox.scripting.settings import CONFIG_DIR_ENV

DATA_DIR = Path(__file__).parent / "data"
WTB_FIXTURES = DATA_DIR / "whiskertoolbox"


@pytest.fixture
def wtb_data() -> Path:
    """Folder holding WhiskerToolbox's own test files (copied from ../shared/fixtures)."""
    if not WTB_FIXTURES.is_dir():
        pytest.skip(f"WhiskerToolbox fixtures missing at {WTB_FIXTURES}")
    return WTB_FIXTURES


@pytest.fixture
def frame_number_video(wtb_data: Path) -> Path:
    """1000-frame H.264 video whose frame i shows the number i + 1 (keyframe every 250)."""
    return wtb_data / "Media" / "test_each_frame_number.mp4"


@pytest.fixture(autouse=True)
def user_config_dir(tmp_path_factory, monkeypatch) -> Path:
    """Point the plugin's user files (settings, recent scripts) at a fresh temporary folder.

    Tests never write to the user's real config folder.
    """
    folder = tmp_path_factory.mktemp("user_config")
    monkeypatch.setenv(CONFIG_DIR_ENV, str(folder))
    return folder


@pytest.fixture(autouse=True, scope="session")
def _parse_cache_in_tmp(tmp_path_factory):
    """Keep io's parse cache of big CSVs out of the user's ~/.cache during tests."""
    import os

    from napari_whiskertoolbox.io.parse_cache import CACHE_ENV

    previous = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("parse_cache"))
    yield
    if previous is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = previous
