"""A SLEAP file opened into a config session with other media: a warning names both videos."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui
sio = pytest.importorskip("sleap_io")


def _slp(path: Path, video: str) -> Path:
    skeleton = sio.Skeleton(nodes=["nose"])
    sleap_video = sio.Video(filename=video, open_backend=False)
    instance = sio.Instance.from_numpy(np.array([[5.0, 6.0]]), skeleton=skeleton)
    frame = sio.LabeledFrame(video=sleap_video, frame_idx=2, instances=[instance])
    sio.save_slp(
        sio.Labels(labeled_frames=[frame], videos=[sleap_video], skeletons=[skeleton]), str(path)
    )
    return path


def test_labels_of_another_video_are_a_warning_naming_both(
    make_napari_viewer: Any, wtb_data: Path, tmp_path: Path
) -> None:
    from napari.utils.notifications import notification_manager

    viewer = make_napari_viewer()
    viewer.open(wtb_data / "test_config.json", plugin="napari-whiskertoolbox")
    slp = _slp(tmp_path / "mouse.slp", str(tmp_path / "mouse_cam.mp4"))
    shown: list[tuple[str, str]] = []

    def keep(notification: Any) -> None:
        shown.append((str(notification.severity), notification.message))

    notification_manager.notification_ready.connect(keep)
    try:
        viewer.open(slp, plugin="napari-whiskertoolbox")
    finally:
        notification_manager.notification_ready.disconnect(keep)
    (warning,) = [m for s, m in shown if "mouse_cam.mp4" in m]
    assert warning.startswith("mouse.slp: ")
    assert "test_each_frame_number.mp4" in warning
    assert [s for s, m in shown if m == warning] == ["warning"]
    assert get_session(viewer).dm.keys("video") == ["my_video"]
