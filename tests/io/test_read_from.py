"""Which keys a file was read into: source records, media paths and other tools' files."""

from __future__ import annotations

import numpy as np
from _ephys_files import write_intan_rhd

from _dlc_tables import write_two_mice_predictions
from napari_whiskertoolbox.io.read_from import keys_read_from
from napari_whiskertoolbox.io.routing import open_path
from napari_whiskertoolbox.io.session import load_session, save_session


def test_each_file_s_keys_are_found_and_survive_a_saved_session(tmp_path, wtb_data) -> None:
    """Were: only WhiskerToolbox files and media were found; another tool's keys had no
    record, so the session opened them again as ``<key>_2``."""
    n = 60
    amplifier = np.full((n, 2), 32768, np.uint16)
    rhd = write_intan_rhd(tmp_path / "rec.rhd", amplifier, np.zeros(n, np.uint16))
    rows = [[float(i + k) for k in range(12)] for i in range(3)]
    dlc = write_two_mice_predictions(tmp_path / "predsDLC_resnet50.csv", rows)
    points = wtb_data / "Points" / "test_point.csv"
    dm = open_path(rhd).dm
    recording = list(dm.keys())
    open_path(dlc, dm)
    pose = [key for key in dm if key not in recording]
    open_path(points, dm)
    assert recording
    assert len(pose) == 4
    found = {path: keys_read_from(dm, path) for path in (rhd, dlc, points)}
    assert found == {rhd: recording, dlc: pose, points: ["test_point"]}
    assert keys_read_from(dm, tmp_path / "other.csv") == []
    saved = save_session(dm, tmp_path / "exp.session")
    again = load_session(saved)
    assert {path: keys_read_from(again, path) for path in (rhd, dlc, points)} == found
