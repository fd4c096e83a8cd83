"""A saved session folder keeps opening when its experiment folder is moved or copied."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.io import FormatError, load_config, load_session, save_session
from napari_whiskertoolbox.io.routing import open_path
from napari_whiskertoolbox.io.session import session_open_problem


def _experiment(root: Path, video: Path, fill: int = 10) -> Path:
    """Write ``root/expA``: a video, an image folder, a line file and the config ``exp.json``."""
    exp = root / "expA"
    (exp / "Media").mkdir(parents=True)
    shutil.copy(video, exp / "Media")
    (exp / "Frames").mkdir()
    for i in range(3):
        iio.imwrite(exp / "Frames" / f"img{i}.png", np.full((8, 6), fill + i, np.uint8))
    (exp / "Lines").mkdir()
    (exp / "Lines" / "whisker.csv").write_text('Frame,X,Y\n0,"1.0,2.0","3.0,4.0"\n')
    items = [
        {"data_type": "video", "name": "my_video", "filepath": f"Media/{video.name}"},
        {"data_type": "images", "name": "frames", "filepath": "Frames"},
        {"data_type": "line", "name": "whisker", "filepath": "Lines/whisker.csv", "format": "csv"},
    ]
    (exp / "exp.json").write_text(json.dumps(items), encoding="utf-8")
    return exp


def _saved(root: Path, video: Path) -> Path:
    """Return ``expA`` with its session ``expA/exp.session`` saved after an edit."""
    exp = _experiment(root, video)
    dm = load_config(exp / "exp.json")
    dm.get_data("whisker").add(10, np.array([[1.0, 2.0], [3.0, 4.0]]))
    save_session(dm, exp / "exp.session")
    return exp


def _document(session: Path) -> dict:
    return json.loads((session / "session.json").read_text(encoding="utf-8"))


def _assert_opened_from(dm: DataManager, exp: Path, video: Path) -> None:
    assert dm.get_data("my_video").source_path == exp / "Media" / video.name
    assert dm.get_data("frames").source_path == exp / "Frames"
    assert len(dm.get_data("whisker").at(10)) == 1  # the edit, from the session's own data
    sources = dm.metadata["sources"]
    assert sources["my_video"]["filepath"] == str(exp / "Media" / video.name)
    assert sources["whisker"]["filepath"] == str(exp / "Lines" / "whisker.csv")
    assert sources["whisker"]["config"] == str(exp / "exp.json")
    assert dm.metadata["config_path"] == str(exp / "exp.json")


def test_paths_are_saved_relative_with_the_absolute_beside(tmp_path, frame_number_video):
    exp = _saved(tmp_path.resolve(), frame_number_video)
    doc = _document(exp / "exp.session")
    items = {item["name"]: item for item in doc["data"]}
    assert items["my_video"]["filepath"] == f"../Media/{frame_number_video.name}"
    assert items["my_video"]["filepath_absolute"] == str(exp / "Media" / frame_number_video.name)
    assert items["frames"]["filepath"] == "../Frames"
    assert items["whisker"]["filepath"].startswith("data/")
    assert doc["saved_in"] == str(exp / "exp.session")


@pytest.mark.parametrize("how", ["move", "copy"])
def test_a_moved_session_opens_with_the_old_folder_gone(tmp_path, frame_number_video, how):
    root = tmp_path.resolve()
    exp = _saved(root, frame_number_video)
    moved = root / "elsewhere" / "expA_moved"
    moved.parent.mkdir()
    if how == "move":
        shutil.move(str(exp), str(moved))
    else:
        shutil.copytree(exp, moved)
        shutil.rmtree(exp)
    assert session_open_problem(moved / "exp.session") is None
    dm = load_session(moved / "exp.session")
    _assert_opened_from(dm, moved, frame_number_video)
    assert dm.get_data("my_video").shape[0] == 1000
    # saved again from its new place: it names the new place
    save_session(dm, moved / "exp.session")
    assert _document(moved / "exp.session")["saved_in"] == str(moved / "exp.session")


def test_a_copied_session_opens_its_own_files_not_the_old_folders(tmp_path, frame_number_video):
    root = tmp_path.resolve()
    exp = _saved(root, frame_number_video)
    copy = root / "copy" / "expA"
    shutil.copytree(exp, copy)
    for i in range(3):  # the copy's images differ from the old folder's
        iio.imwrite(copy / "Frames" / f"img{i}.png", np.full((8, 6), 200 + i, np.uint8))
    dm = load_session(copy / "exp.session")
    _assert_opened_from(dm, copy, frame_number_video)
    assert int(np.asarray(dm.get_data("frames")[1]).max()) == 201  # not the old folder's 11
    # through the routing the viewer uses, into an existing DataManager
    target = DataManager()
    open_path(copy / "exp.session", target)
    _assert_opened_from(target, copy, frame_number_video)


def test_the_absolute_path_is_the_fallback(tmp_path, frame_number_video, caplog):
    root = tmp_path.resolve()
    exp = _saved(root, frame_number_video)
    alone = root / "alone" / "exp.session"  # the session folder moved by itself
    shutil.copytree(exp / "exp.session", alone)
    with caplog.at_level("INFO", logger="napari_whiskertoolbox.io"):
        dm = load_session(alone)
    told = [r.getMessage() for r in caplog.records if "where it was when" in r.getMessage()]
    assert any(str(exp / "Media" / frame_number_video.name) in m for m in told)
    assert dm.get_data("my_video").source_path == exp / "Media" / frame_number_video.name
    assert dm.get_data("frames").source_path == exp / "Frames"


def test_a_file_at_neither_path_names_the_key_both_paths_and_what_to_do(
    tmp_path, frame_number_video
):
    root = tmp_path.resolve()
    exp = _saved(root, frame_number_video)
    moved = root / "expA_moved"
    shutil.move(str(exp), str(moved))
    (moved / "Media" / frame_number_video.name).unlink()
    with pytest.raises(FormatError) as caught:
        load_session(moved / "exp.session")
    message = str(caught.value)
    assert "'my_video'" in message
    assert str(moved / "Media" / frame_number_video.name) in message
    assert str(exp / "Media" / frame_number_video.name) in message
    assert "Put the file" in message
    assert "open the experiment's config instead" in message
    assert "'my_video'" in (session_open_problem(moved / "exp.session") or "")


def _as_old_format(session: Path) -> None:
    """Rewrite ``session.json`` as sessions were written before: absolute paths only."""
    doc = _document(session)
    doc.pop("saved_in")
    for item in doc["data"]:
        if "filepath_absolute" in item:
            item["filepath"] = item.pop("filepath_absolute")
    (session / "session.json").write_text(json.dumps(doc), encoding="utf-8")


def test_an_old_absolute_only_session_still_opens(tmp_path, frame_number_video):
    root = tmp_path.resolve()
    exp = _saved(root, frame_number_video)
    _as_old_format(exp / "exp.session")
    dm = load_session(exp / "exp.session")
    _assert_opened_from(dm, exp, frame_number_video)


@pytest.mark.parametrize("old_folder_kept", [False, True])
def test_an_old_session_beside_its_moved_config_opens_the_moved_files(
    tmp_path, frame_number_video, old_folder_kept
):
    root = tmp_path.resolve()
    exp = _saved(root, frame_number_video)
    _as_old_format(exp / "exp.session")
    moved = root / "expA_moved"
    shutil.copytree(exp, moved)
    if not old_folder_kept:
        shutil.rmtree(exp)
    dm = load_session(moved / "exp.session")
    _assert_opened_from(dm, moved, frame_number_video)


def _listed_session(root: Path, video: Path) -> tuple[Path, Path]:
    """Return ``expA`` whose images item lists its frames by absolute path, and its session.

    The item's ``files`` option (a path option) goes into ``session.json`` as written.
    """
    exp = _experiment(root, video)
    frames = [str(exp / "Frames" / f"img{i}.png") for i in (2, 0)]
    items = [{"data_type": "images", "name": "frames", "filepath": "Frames", "files": frames}]
    (exp / "exp.json").write_text(json.dumps(items), encoding="utf-8")
    dm = load_config(exp / "exp.json")
    save_session(dm, exp / "exp.session")
    listed = next(i for i in _document(exp / "exp.session")["data"] if i["name"] == "frames")
    assert listed["files"] == frames  # absolute in the file: they must be found when moved
    return exp, exp / "exp.session"


def _frames_shown(dm: DataManager) -> list[int]:
    return [int(np.asarray(dm.get_data("frames")[i]).max()) for i in range(2)]


def test_a_path_option_is_found_in_the_moved_tree(tmp_path, frame_number_video):
    root = tmp_path.resolve()
    exp, _ = _listed_session(root, frame_number_video)
    moved = root / "elsewhere" / "expA"
    moved.parent.mkdir()
    shutil.move(str(exp), str(moved))
    assert session_open_problem(moved / "exp.session") is None
    dm = load_session(moved / "exp.session")
    assert _frames_shown(dm) == [12, 10]  # img2, img0 of the moved folder, in listed order
    assert dm.get_data("frames").files == [
        moved / "Frames" / "img2.png",
        moved / "Frames" / "img0.png",
    ]
    assert dm.metadata["sources"]["frames"]["options"]["files"][0] == str(
        moved / "Frames" / "img2.png"
    )


def test_a_copied_session_reads_its_own_path_options(tmp_path, frame_number_video):
    root = tmp_path.resolve()
    exp, _ = _listed_session(root, frame_number_video)
    copy = root / "copy" / "expA"
    shutil.copytree(exp, copy)
    for i in range(3):  # the copy's images differ from the old folder's
        iio.imwrite(copy / "Frames" / f"img{i}.png", np.full((8, 6), 200 + i, np.uint8))
    assert _frames_shown(load_session(copy / "exp.session")) == [202, 200]


def test_a_path_option_falls_back_to_where_it_was_with_a_note(tmp_path, frame_number_video, caplog):
    root = tmp_path.resolve()
    exp, session = _listed_session(root, frame_number_video)
    alone = root / "alone" / "exp.session"  # the session folder moved by itself
    shutil.copytree(session, alone)
    with caplog.at_level("INFO", logger="napari_whiskertoolbox.io"):
        dm = load_session(alone)
    assert _frames_shown(dm) == [12, 10]
    told = [r.getMessage() for r in caplog.records if "option 'files'" in r.getMessage()]
    assert any(str(exp / "Frames" / "img2.png") in m for m in told)


def test_a_path_option_at_neither_place_names_the_option_and_both_paths(
    tmp_path, frame_number_video
):
    root = tmp_path.resolve()
    exp, _ = _listed_session(root, frame_number_video)
    moved = root / "expA_moved"
    shutil.move(str(exp), str(moved))
    (moved / "Frames" / "img2.png").unlink()
    problem = session_open_problem(moved / "exp.session") or ""
    assert "option 'files'" in problem
    assert "'frames'" in problem
    assert str(moved / "Frames" / "img2.png") in problem
    assert str(exp / "Frames" / "img2.png") in problem
    assert "Put the file" in problem
    with pytest.raises(FormatError, match="option 'files'"):
        load_session(moved / "exp.session")


def _old_session_away_from_config(root: Path, video: Path) -> tuple[Path, Path]:
    """Return ``root/lab`` holding ``expA`` and an old-format session ``analysis/s1``."""
    exp = _experiment(root / "lab", video)
    dm = load_config(exp / "exp.json")
    dm.get_data("whisker").add(10, np.array([[1.0, 2.0], [3.0, 4.0]]))
    session = root / "lab" / "analysis" / "s1"
    save_session(dm, session)
    _as_old_format(session)
    assert "saved_in" not in _document(session)
    return root / "lab", session


@pytest.mark.parametrize("where", ["whole_tree", "experiment_folder"])
def test_an_old_session_away_from_its_config_is_traced_when_moved(
    tmp_path, frame_number_video, where
):
    root = tmp_path.resolve()
    lab, session = _old_session_away_from_config(root, frame_number_video)
    if where == "whole_tree":  # lab/ with the experiment and the analysis folder in it
        new_lab = root / "archive" / "lab2"
        new_lab.parent.mkdir()
        shutil.move(str(lab), str(new_lab))
        exp, moved = new_lab / "expA", new_lab / "analysis" / "s1"
    else:  # the experiment folder moved, the session folder put into it
        exp = root / "moved_exp"
        shutil.move(str(lab / "expA"), str(exp))
        moved = exp / "s1"
        shutil.move(str(session), str(moved))
        shutil.rmtree(lab)
    assert session_open_problem(moved) is None
    dm = load_session(moved)
    _assert_opened_from(dm, exp, frame_number_video)


def test_an_old_session_that_cannot_be_traced_says_what_to_do(tmp_path, frame_number_video):
    root = tmp_path.resolve()
    lab, session = _old_session_away_from_config(root, frame_number_video)
    old_video = lab / "expA" / "Media" / frame_number_video.name
    alone = root / "alone" / "s1"  # moved by itself; its experiment folder is gone
    shutil.copytree(session, alone)
    shutil.rmtree(lab)
    with pytest.raises(FormatError) as caught:
        load_session(alone)
    message = str(caught.value)
    assert str(alone / "session.json") in message
    assert "'my_video'" in message
    assert str(old_video) in message
    assert "without 'saved_in'" in message
    assert str(alone) in message  # the session folder whose parents were searched
    assert "Put the file" in message
    assert "saving it again records paths relative" in message


def _count_reads(monkeypatch, target: Path) -> list[Path]:
    """Record each read of ``target``'s JSON by the session and config readers."""
    from napari_whiskertoolbox.io import config_parse, session

    reads: list[Path] = []
    for module in (config_parse, session):
        original = getattr(module, "read_text", None)
        if original is None:  # the module does not read text this way
            continue

        def counted(path, _original=original):
            if Path(path).resolve() == target:
                reads.append(Path(path))
            return _original(path)

        monkeypatch.setattr(module, "read_text", counted)
    return reads


def test_a_checked_session_is_read_once_when_opened(tmp_path, frame_number_video, monkeypatch):
    root = tmp_path.resolve()
    exp = _saved(root, frame_number_video)
    session = exp / "exp.session"
    reads = _count_reads(monkeypatch, session / "session.json")
    assert session_open_problem(session) is None
    target = DataManager()
    open_path(session, target)  # as the window opens the session it offered
    assert len(reads) == 1
    _assert_opened_from(target, exp, frame_number_video)
    # opened again without a check: read again (the kept content is handed out once)
    load_session(session)
    assert len(reads) == 2


def test_a_session_changed_after_its_check_is_read_again(tmp_path, frame_number_video, monkeypatch):
    root = tmp_path.resolve()
    exp = _saved(root, frame_number_video)
    session = exp / "exp.session"
    assert session_open_problem(session) is None
    dm = load_session(session)
    dm.get_data("whisker").add(11, np.array([[5.0, 6.0], [7.0, 8.0]]))
    assert session_open_problem(session) is None
    save_session(dm, session)  # saved again between the check and the open
    reads = _count_reads(monkeypatch, session / "session.json")
    assert len(load_session(session).get_data("whisker").at(11)) == 1
    assert len(reads) == 1
