"""Where the session's save dialogs start: the data's folder, else the last one, else home."""

from __future__ import annotations

import numpy as np

from napari_whiskertoolbox.core import DataManager, PointData
from napari_whiskertoolbox.io import load_config
from napari_whiskertoolbox.widgets.browser_export import default_export_folder
from napari_whiskertoolbox.workflow import start_folder as sf


def test_the_data_folder_comes_first_then_the_last_folder_then_home(tmp_path, monkeypatch):
    monkeypatch.setattr(sf, "_last", {})
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    home.mkdir()
    cwd.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(cwd)
    assert sf.start_folder("x") == home  # never the working folder
    assert default_export_folder(None) == home / "exports"
    chosen = tmp_path / "out"
    chosen.mkdir()
    sf.remember_folder("x", chosen / "t.json")
    sf.remember_folder("export", chosen)
    assert sf.start_folder("x") == chosen
    assert sf.start_folder("other") == home  # each dialog its own
    assert default_export_folder(None) == chosen
    config = tmp_path / "exp" / "exp.json"
    config.parent.mkdir()
    config.write_text("[]", encoding="utf-8")
    assert sf.start_folder("x", config) == config.parent
    assert default_export_folder(config) == config.parent / "exports"
    session = tmp_path / "exp.session"
    session.mkdir()
    assert sf.start_folder("x", session) == session
    gone = tmp_path / "exp" / "moved" / "exp.json"  # deleted since: its nearest folder
    assert sf.start_folder("x", gone) == config.parent


def test_a_config_s_data_file_names_the_data_folder(tmp_path):
    (tmp_path / "pts.csv").write_text("frame x y\n0 1.0 2.0\n", encoding="utf-8")
    (tmp_path / "c.json").write_text(
        '[{"data_type": "points", "name": "p", "filepath": "pts.csv"}]', encoding="utf-8"
    )
    dm = load_config(tmp_path / "c.json")
    assert sf.source_file(dm) == tmp_path / "pts.csv"
    assert sf.data_folder(None, sf.source_file(dm)) == tmp_path
    empty = DataManager()
    empty.set_data("p", PointData())
    empty.get_data("p").add(0, np.zeros((1, 2), np.float32))
    assert sf.source_file(empty) is None
    assert sf.data_folder(None, None) is None
