"""Session lists: paths, globs, manifests, and unique output names."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import pytest

from napari_whiskertoolbox.batch import (
    expand_sessions,
    expand_sessions_with_columns,
    read_manifest,
    session_names,
)
from napari_whiskertoolbox.io import FormatError

if TYPE_CHECKING:
    from pathlib import Path


def test_paths_globs_and_duplicates(sessions: Path) -> None:
    found = expand_sessions([str(sessions / "*.session"), sessions / "mouse2.session"])
    assert [p.name for p in found] == ["mouse1.session", "mouse2.session", "mouse3.session"]
    assert all(p.is_absolute() for p in found)
    recursive = expand_sessions(str(sessions.parent / "**" / "mouse3*"))
    assert [p.name for p in recursive] == ["mouse3.session"]


def test_text_and_csv_manifests(sessions: Path) -> None:
    text = sessions / "list.txt"
    text.write_text("# my sessions\nmouse3.session\n\n" + str(sessions / "mouse1.session") + "\n")
    assert [p.name for p in expand_sessions(text)] == ["mouse3.session", "mouse1.session"]

    table = sessions / "sessions.csv"
    pd.DataFrame({"animal": ["a", "b"], "session": ["mouse2.session", "mouse1.session"]}).to_csv(
        table, index=False
    )
    assert [p.name for p in read_manifest(table)] == ["mouse2.session", "mouse1.session"]
    assert [p.name for p in expand_sessions(table)] == ["mouse2.session", "mouse1.session"]
    rows = expand_sessions_with_columns([table, text])  # a text manifest has no other columns
    columns = {path: cells for path, cells in rows.items() if cells}
    assert columns == {
        (sessions / "mouse2.session").resolve(): {"animal": "a"},
        (sessions / "mouse1.session").resolve(): {"animal": "b"},
    }


def test_csv_manifests_as_spreadsheets_save_them(sessions: Path) -> None:
    # Excel in a comma-decimal locale writes ';' between cells; headers come capitalised
    frame = pd.DataFrame({"Animal": ["a", "b"], "Session": ["mouse2.session", "mouse3.session"]})
    semicolons = sessions / "semicolons.csv"
    frame.to_csv(semicolons, sep=";", index=False)
    assert [p.name for p in expand_sessions(semicolons)] == ["mouse2.session", "mouse3.session"]
    tabs = sessions / "tabs.csv"
    frame.to_csv(tabs, sep="\t", index=False)
    assert [p.name for p in read_manifest(tabs)] == ["mouse2.session", "mouse3.session"]
    blank_rows = sessions / "blank_rows.csv"
    blank_rows.write_text("SESSION\nmouse1.session\n\n,\nmouse3.session\n")
    assert [p.name for p in read_manifest(blank_rows)] == ["mouse1.session", "mouse3.session"]
    empty_cell = sessions / "empty_cell.csv"
    empty_cell.write_text("animal;Session\na;mouse1.session\nb;\n")
    with pytest.raises(FormatError, match=r"line 3: empty 'Session' cell"):
        read_manifest(empty_cell)


def test_bad_inputs_name_what_is_wrong(sessions: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nothing_here"):
        expand_sessions(sessions / "nothing_here.session")
    with pytest.raises(FileNotFoundError, match="pattern"):
        expand_sessions(str(sessions / "*.nomatch"))
    (sessions / "notes.txt").write_text("x")
    with pytest.raises(FileNotFoundError, match="matches 1 paths but no session"):
        expand_sessions(str(sessions / "*.txt"))
    no_column = sessions / "bad.csv"
    no_column.write_text("path\nmouse1.session\n")
    with pytest.raises(FormatError, match="'session' column"):
        expand_sessions(no_column)
    listed_missing = sessions / "list.txt"
    listed_missing.write_text("mouse1.session\ngone.session\n")
    with pytest.raises(
        FileNotFoundError, match=r"gone\.session \(line 2 of the manifest .*list\.txt"
    ):
        expand_sessions(listed_missing)
    listed_data = sessions / "data_list.txt"
    listed_data.write_text("# sessions\nmouse1.session\nnotes.txt\n")  # notes.txt: a text file
    with pytest.raises(FormatError, match=r"data_list\.txt.*line 3: .*notes\.txt is no session"):
        expand_sessions(listed_data)
    empty = sessions / "empty.txt"
    empty.write_text("# nothing yet\n\n")
    with pytest.raises(FormatError, match=r"empty\.txt.*lists no session"):
        expand_sessions(empty)
    with pytest.raises(
        FormatError, match=r"holds sessions: give a pattern, such as '.*\*\.session'"
    ):
        expand_sessions(sessions)  # the folder of the sessions, not a session
    other = sessions / "notes.md"
    other.write_text("hello")
    with pytest.raises(FormatError, match="not a session"):
        expand_sessions(other)


def test_names_are_unique(tmp_path: Path) -> None:
    a = tmp_path / "a" / "exp.json"
    b = tmp_path / "b" / "exp.json"
    c = tmp_path / "day1" / "session.json"
    names = session_names([a, b, c, tmp_path / "m.session", tmp_path / "x" / "m.session"])
    assert names == ["a-exp", "b-exp", "day1", "m", "x-m"]  # a file's name says its folder
    assert session_names([b]) == ["b-exp"]  # alone too
    same_folder_names = [tmp_path / "x" / "a" / "exp.json", tmp_path / "y" / "a" / "exp.json"]
    first, second = session_names(same_folder_names)
    assert first == "a-exp"
    assert second.startswith("a-exp-")  # the next one given the same name: its path's hash


def test_a_csv_manifest_after_a_glob_of_the_same_sessions_still_gives_its_columns(
    sessions: Path,
) -> None:
    # every session by a pattern, their animals from a spreadsheet: the columns are kept
    table = sessions / "animals.csv"
    table.write_text("session,animal\nmouse2.session,a\nmouse3.session,b\n")
    rows = expand_sessions_with_columns([str(sessions / "*.session"), table])
    assert [path.name for path in rows] == ["mouse1.session", "mouse2.session", "mouse3.session"]
    assert list(rows.values()) == [{}, {"animal": "a"}, {"animal": "b"}]
    # listed twice in manifests: the first row's value of a column wins
    again = sessions / "again.csv"
    again.write_text("session,animal,cage\nmouse2.session,z,7\n")
    rows = expand_sessions_with_columns([table, again])
    assert rows[(sessions / "mouse2.session").resolve()] == {"animal": "a", "cage": "7"}


def test_a_manifest_entry_relative_to_the_working_directory_is_explained(
    sessions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # relative entries are read from the manifest's folder, as a config's file paths are
    lists = sessions / "lists"
    lists.mkdir()
    manifest = lists / "animals.csv"
    manifest.write_text("session,animal\ndata/mouse1.session,a\n")
    monkeypatch.chdir(sessions.parent)
    with pytest.raises(FileNotFoundError) as caught:
        expand_sessions(manifest)
    message = str(caught.value)
    assert message.startswith(f"session not found: {lists / 'data' / 'mouse1.session'} (line 2 ")
    assert "relative paths in a manifest are read from its folder" in message
    assert f"'data/mouse1.session' is {sessions / 'mouse1.session'} from the working" in message


def test_a_session_folder_and_its_session_json_are_one_session(sessions: Path) -> None:
    """``**/*`` matches both: the session ran twice (under names with hashes)."""
    found = expand_sessions(
        [str(sessions / "**" / "*"), sessions / "mouse1.session" / "session.json"]
    )
    assert [p.name for p in found] == ["mouse1.session", "mouse2.session", "mouse3.session"]


def test_a_manifest_given_from_its_own_folder_names_that_folder_in_full(
    sessions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = sessions / "list.csv"
    manifest.write_text("session\nmouse1.session\nmissing/config.json\n")
    monkeypatch.chdir(sessions)
    with pytest.raises(FileNotFoundError) as caught:
        expand_sessions("list.csv")  # relative: its folder is "."
    message = str(caught.value)
    assert f"(line 3 of the manifest {manifest})" in message
    assert message.endswith(f"relative paths in a manifest are read from its folder, {sessions}")
