"""The session folder saved from a DeepLabCut project's labels is found when it is newer."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from _dlc_project import copy_reaching
from napari_whiskertoolbox.core import DataManager
from napari_whiskertoolbox.io.labels_sessions import (
    labels_tables_of,
    newer_labels_session,
    newest_labels_table,
)
from napari_whiskertoolbox.io.routing import newer_saved_session, open_path, saved_session_rival
from napari_whiskertoolbox.io.session import save_session

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_reaching(tmp_path)


def _folder(project: Path) -> Path:
    return project / "labeled-data" / "reachingvideo1"


def _age(path: Path, seconds: int = 1_000_000) -> None:
    os.utime(path, (seconds, seconds))


def test_labels_tables_of_each_way_of_opening_the_project(project: Path) -> None:
    table = _folder(project) / "CollectedData_Mackenzie.h5"
    for opened in (project, project / "config.yaml", _folder(project), table):
        assert labels_tables_of(opened) == [table], opened
    csv = table.with_suffix(".csv")
    assert labels_tables_of(csv) == [csv]
    assert labels_tables_of(project / "labeled-data") == []  # no project, no labels folder


def test_a_session_saved_from_the_labels_is_found_from_each_path(project: Path) -> None:
    table = _folder(project) / "CollectedData_Mackenzie.h5"
    for twin in (table, table.with_suffix(".csv")):
        _age(twin)
    saved = project / "reaching.session"
    save_session(open_path(project).dm, saved)
    for opened in (project, project / "config.yaml", _folder(project), table.with_suffix(".csv")):
        assert newer_labels_session(opened) == saved, opened
        assert newer_saved_session(opened) == saved, opened  # one code path with configs
    assert newest_labels_table(project) in (table, table.with_suffix(".csv"))
    assert saved_session_rival(project) == newest_labels_table(project)


def test_a_session_older_than_the_labels_is_not_found(project: Path) -> None:
    saved = project / "reaching.session"
    save_session(open_path(project).dm, saved)
    _age(saved / "session.json")
    assert newer_labels_session(project) is None


def test_a_session_of_other_data_is_not_found(project: Path) -> None:
    table = _folder(project) / "CollectedData_Mackenzie.h5"
    for twin in (table, table.with_suffix(".csv")):
        _age(twin)
    save_session(DataManager(), project / "other.session")
    assert newer_labels_session(project) is None


def test_the_newest_of_two_sessions_is_found(project: Path, tmp_path: Path) -> None:
    table = _folder(project) / "CollectedData_Mackenzie.h5"
    for twin in (table, table.with_suffix(".csv")):
        _age(twin)
    dm = open_path(project).dm
    older, newer = tmp_path / "reaching.session", _folder(project) / "labels.session"
    save_session(dm, older)  # beside the project: the folder holding it
    save_session(dm, newer)
    _age(older / "session.json", 2_000_000)
    assert newer_labels_session(table) == newer
