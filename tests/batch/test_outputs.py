"""Which folder each session saves into: the same alone and in a group, never another's."""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING

import pytest

from napari_whiskertoolbox.batch import MARKER_FILE, SESSIONS_DIR, run_batch

if TYPE_CHECKING:
    from pathlib import Path

    from distributed import Client

    from napari_whiskertoolbox.core import DataManager


def _keys(dm: DataManager) -> dict[str, object]:
    return {"n_contacts": len(dm.get_data("contact")), "n_keys": len(dm.keys())}


def _recorded(folder: Path) -> str:
    return json.loads((folder / MARKER_FILE).read_text())["record"]["session"]


@pytest.fixture
def same_named(sessions: Path) -> tuple[Path, Path]:
    """Two different sessions saved under one name in two folders: a/day1, b/day1."""
    a = sessions / "a" / "day1.session"
    b = sessions / "b" / "day1.session"
    shutil.copytree(sessions / "mouse1.session", a)
    shutil.copytree(sessions / "mouse2.session", b)
    return a, b


def test_single_session_batches_into_one_folder_keep_their_sessions_apart(
    same_named: tuple[Path, Path], tmp_path: Path, threads_client: Client
) -> None:
    a, b = same_named
    out = tmp_path / "out"
    first = run_batch(_keys, a, client=threads_client, out=out).records[0]
    second = run_batch(_keys, b, client=threads_client, out=out).records[0]
    assert (first.status, second.status) == ("done", "done")  # not "skipped" with a's values
    assert first.output != second.output
    assert _recorded(out / SESSIONS_DIR / first.name) == str(a.resolve())
    assert _recorded(out / SESSIONS_DIR / second.name) == str(b.resolve())
    # re-run without resume: b saves into its own folder, a's stays a's
    again = run_batch(_keys, b, client=threads_client, out=out, resume=False).records[0]
    assert again.output == second.output
    assert _recorded(out / SESSIONS_DIR / first.name) == str(a.resolve())
    # both together: each found finished in its own folder, with its own values
    both = run_batch(_keys, [a, b], client=threads_client, out=out).records
    assert [(r.status, r.name) for r in both] == [
        ("skipped", first.name),
        ("skipped", second.name),
    ]
    assert [r.session for r in both] == [str(a.resolve()), str(b.resolve())]
    results = run_batch(_keys, [a, b], client=threads_client, out=out).results
    assert list(results["session"]) == [str(a.resolve()), str(b.resolve())]


def test_a_session_has_the_same_name_alone_and_in_a_group(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    alone = run_batch(_keys, sessions / "mouse2.session", client=threads_client, out=tmp_path / "a")
    group = run_batch(_keys, str(sessions / "*.session"), client=threads_client, out=tmp_path / "g")
    assert alone.records[0].name == group.records[1].name == "mouse2"


def test_an_earlier_versions_folder_resumes_when_it_records_the_same_input(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    session = sessions / "mouse1.session"
    out = tmp_path / "out"
    first = run_batch(_keys, session, client=threads_client, out=out).records[0]
    # an earlier version named it otherwise (a single-session run: the stem alone)
    legacy = out / SESSIONS_DIR / "legacy-name"
    (out / SESSIONS_DIR / first.name).rename(legacy)
    (record,) = run_batch(_keys, session, client=threads_client, out=out).records
    assert record.status == "skipped"
    assert record.output == str(legacy)
    assert record.results == first.results
    assert not (out / SESSIONS_DIR / first.name).exists()


def test_saving_beside_into_another_inputs_session_is_refused(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    from napari_whiskertoolbox.batch import OutputClashError

    session = sessions / "mouse1.session"
    run_batch(_keys, session, client=threads_client, out=tmp_path / "o", save_beside_input=True)
    config = sessions / "mouse1.json"  # its saved session would be mouse1.session
    config.write_text(json.dumps({"data": []}))
    with pytest.raises(OutputClashError, match=r"mouse1\.json.*mouse1\.session holds the saved"):
        run_batch(_keys, config, client=threads_client, out=tmp_path / "o", save_beside_input=True)
    assert _recorded(session) == str(session.resolve())


def test_config_files_are_named_by_their_folder_alone_and_in_a_group(tmp_path: Path) -> None:
    from napari_whiskertoolbox.batch import session_names

    s1 = tmp_path / "s1" / "config.json"
    s2 = tmp_path / "s2" / "config.json"
    assert session_names([s1]) == ["s1-config"]
    assert session_names([s1, s2]) == ["s1-config", "s2-config"]
