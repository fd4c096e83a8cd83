"""A saved session folder keeps opening when its experiment folder is moved or copied."""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING

import imageio.v3 as iio
import numpy as np
import pytest

from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.io import FormatError, load_config, load_session, save_session
from napari_whiskertoolbox.io.routing import open_path
from napari_whiskertoolbox.io.session import session_open_problem

if TYPE_CHECKING:
    from pathlib import Path


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
