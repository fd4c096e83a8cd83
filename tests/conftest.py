"""Shared fixtures: paths to the real WhiskerToolbox test files copied into tests/data."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from napari_whiskertoolbox.io.user_dirs import CONFIG_DIR_ENV

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

DATA_DIR = Path(__file__).parent / "data"


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move everything imported and collected so far out of the garbage collector's sight."""
    gc.collect()
    gc.freeze()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After each test, collect its garbage, then freeze what is still alive.

    napari calls ``gc.collect()`` whenever a layer leaves a canvas (each viewer teardown),
    and a full collection walks every object of the process: as the suite goes on, each one
    took longer (teardowns of 5-10 s late in the run). Here pytest has dropped the test's
    fixtures, so its viewers are garbage and go; what survives (module and session
    fixtures, caches) is frozen, and the next test's collections walk only its own objects.
    """
    yield
    gc.collect()
    gc.freeze()


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


@pytest.fixture(autouse=True)
def autosave_dir(tmp_path_factory, monkeypatch) -> Path:
    """Point the session autosave (recovery folders) at a fresh temporary folder.

    Tests never write recovery folders to the user's real cache folder.
    """
    folder = tmp_path_factory.mktemp("autosave")
    monkeypatch.setenv("NAPARI_WHISKERTOOLBOX_AUTOSAVE_DIR", str(folder))
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


@pytest.fixture
def notifications() -> Iterator[list[str]]:
    """Messages napari notifications (``show_info``, ``show_warning``...) showed during the test."""
    from napari.utils.notifications import notification_manager

    seen: list[str] = []

    def record(notification: Any) -> None:
        seen.append(str(notification.message))

    notification_manager.notification_ready.connect(record)
    yield seen
    notification_manager.notification_ready.disconnect(record)


@pytest.fixture
def answer_dialog() -> Callable[[type, Callable[[Any], None]], list[str]]:
    """Return ``answer(kind, action)``: run ``action(dialog)`` on the next visible ``kind`` dialog.

    The dialog is looked for from the event loop (a modal dialog's own loop), closed afterwards
    if ``action`` left it open; the returned list receives its window title.
    """
    from qtpy.QtCore import QTimer
    from qtpy.QtWidgets import QApplication

    def answer(kind: type, action: Callable[[Any], None]) -> list[str]:
        seen: list[str] = []

        def find() -> None:
            dialogs = [
                w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()
            ]
            if not dialogs:
                QTimer.singleShot(20, find)
                return
            dialog = dialogs[0]
            seen.append(dialog.windowTitle())
            try:
                action(dialog)
            finally:
                if dialog.isVisible():
                    dialog.reject()

        QTimer.singleShot(20, find)
        return seen

    return answer
