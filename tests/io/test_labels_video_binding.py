"""A SLEAP file opened into a session that already shows media: bound to it, or told why not."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
import pytest

from _sleap_files import write_two_frame_slp
from napari_whiskertoolbox.io import load_config
from napari_whiskertoolbox.io.routing import open_path

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.core import DataManager

pytest.importorskip("sleap_io")


def _video(path: Path, n: int = 6) -> Path:
    from _video_files import pattern_frame, write_frames

    return write_frames(path, [pattern_frame(i) for i in range(n)], "libx264", "yuv420p", "gray")


def _config_session(folder: Path) -> DataManager:
    """A WhiskerToolbox config session: two videos, 'whiskers' on a camera clock, 'side' on time."""
    folder.mkdir()
    _video(folder / "whiskers.mp4")
    _video(folder / "side.mp4", 9)
    (folder / "camera.txt").write_text("\n".join(str(3 * i) for i in range(6)))
    doc = [
        {"data_type": "time", "name": "camera", "format": "csv", "filepath": "camera.txt"},
        {"data_type": "video", "name": "whiskers", "filepath": "whiskers.mp4", "clock": "camera"},
        {"data_type": "video", "name": "side", "filepath": "side.mp4"},
    ]
    config = folder / "exp.json"
    config.write_text(json.dumps(doc))
    return load_config(config)


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records]


def test_labels_of_a_video_the_session_shows_go_on_that_videos_clock(tmp_path, caplog) -> None:
    """Were: with two media on two clocks, the labels went on 'time' (the other video's)."""
    dm = _config_session(tmp_path / "exp")
    slp = write_two_frame_slp(tmp_path / "labels.slp", str(tmp_path / "exp" / "whiskers.mp4"))
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        open_path(slp, dm)
    assert sorted(dm.keys("video")) == ["side", "whiskers"]  # not opened a second time
    assert dm.time_key("labels_a") == "camera"
    np.testing.assert_array_equal(dm.get_data("labels_a").times_with_data(), [1, 4])
    assert not [m for m in _messages(caplog) if "whiskers.mp4" in m]


def test_labels_of_a_moved_copy_of_the_sessions_video_bind_by_name(tmp_path, caplog) -> None:
    dm = _config_session(tmp_path / "exp")
    slp = write_two_frame_slp(tmp_path / "labels.slp", "/elsewhere/lab/whiskers.mp4")
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        open_path(slp, dm)
    assert dm.time_key("labels_a") == "camera"
    (message,) = [m for m in _messages(caplog) if "whiskers.mp4" in m]
    assert "/elsewhere/lab/whiskers.mp4" in message
    assert "'whiskers'" in message


def test_labels_of_another_video_say_which_video_they_are_shown_on(tmp_path, caplog) -> None:
    """Were: the labels' own video was dropped without a word, the keypoints on 'time'."""
    dm = _config_session(tmp_path / "exp")
    other = _video(tmp_path / "other.mp4")
    slp = write_two_frame_slp(tmp_path / "labels.slp", str(other))
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        open_path(slp, dm)
    assert sorted(dm.keys("video")) == ["side", "whiskers"]  # neither replaced nor added
    (message,) = [m for m in _messages(caplog) if "other.mp4" in m]
    assert str(other) in message
    assert "whiskers.mp4" in message
    assert "side.mp4" in message
    assert dm.time_key("labels_a") == "time"  # what the message says: frame numbers on 'time'
    assert "'time'" in message
