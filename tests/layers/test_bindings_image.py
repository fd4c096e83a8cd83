"""Media key -> napari Image layer: lazy frames, contrast, clocks, replacement."""

from __future__ import annotations

import numpy as np
import pytest
from _bindings_support import CAMERA_PERIOD, N_FRAMES, make_session

from napari_whiskertoolbox.core import ArrayMedia
from napari_whiskertoolbox.layers.image_binding import ClockMappedMedia

pytestmark = pytest.mark.gui


@pytest.fixture
def session(make_napari_viewer):
    return make_session(make_napari_viewer())


def shown_value(layer, frame, row, col):
    return layer.get_value((frame, row, col), world=True)


def test_media_is_handed_to_napari_lazily(session):
    layer = session.viewer.layers["media"]
    assert layer.data.source is session.dm.get_data("media")
    assert layer.metadata["wtb_key"] == "media"
    assert not layer.rgb
    for frame in (0, 7, 3):
        session.set_frame(frame)
        assert shown_value(layer, frame, 5, frame) == 200
        assert shown_value(layer, frame, 5, frame + 1) == 0


def test_contrast_limits_come_from_the_media(session):
    floats = ArrayMedia(np.linspace(0, 1, N_FRAMES * 6).reshape(N_FRAMES, 2, 3).astype(np.float32))
    session.dm.set_data("float_media", floats, "camera")
    assert tuple(session.viewer.layers["float_media"].contrast_limits) == (0.0, 1.0)
    wide = ArrayMedia(np.zeros((N_FRAMES, 2, 3), np.uint16))
    session.dm.set_data("wide", wide, "camera")
    assert tuple(session.viewer.layers["wide"].contrast_limits) == (0.0, 65535.0)
    assert session.viewer.layers["wide"].colormap.name == "gray"


def test_media_on_another_clock_is_mapped_to_display_frames(session):
    fast = np.zeros((N_FRAMES * CAMERA_PERIOD, 2, 2), np.uint8)
    fast[:, 0, 0] = np.arange(N_FRAMES * CAMERA_PERIOD)
    session.dm.set_data("fast_cam", ArrayMedia(fast), "time")
    assert session.display_clock == "camera"
    layer = session.viewer.layers["fast_cam"]
    assert isinstance(layer.data.source, ClockMappedMedia)
    assert layer.data.shape == (N_FRAMES, 2, 2)
    session.set_frame(4)
    assert shown_value(layer, 4, 0, 0) == 4 * CAMERA_PERIOD


def test_replacing_the_media_rebinds_the_layer(session):
    new = np.full((N_FRAMES, 30, 40), 77, np.uint8)
    session.dm.set_data("media", ArrayMedia(new), "camera")
    layer = session.viewer.layers["media"]
    session.set_frame(2)
    assert shown_value(layer, 2, 1, 1) == 77
    session.dm.undo()
    layer = session.viewer.layers["media"]
    assert shown_value(layer, 2, 5, 2) == 200


def test_clock_mapped_media_indexing():
    media = ArrayMedia(np.arange(5 * 2 * 2, dtype=np.uint8).reshape(5, 2, 2))
    mapped = ClockMappedMedia(media, np.array([4, 0, 2]))
    np.testing.assert_array_equal(mapped[0], media[4])
    np.testing.assert_array_equal(mapped[1, 1], media[0][1])
    np.testing.assert_array_equal(mapped[1:3], media[[0, 2]])
    assert len(mapped) == 3
    assert mapped.ndim == 3


@pytest.fixture
def damaged_video(tmp_path):
    """48 pattern pictures (MPEG-4, keyframe every 12) with pictures 24..29 and 40..41 junk."""
    from _video_files import HEIGHT, WIDTH, encode_packets, mux_packets, pattern_frame

    bad = {*range(24, 30), 40, 41}
    packets, extradata = encode_packets(
        (pattern_frame(i) for i in range(48)), WIDTH, HEIGHT, codec="mpeg4", gop=12, b_frames=0
    )

    def damage(packet):
        return b"\xff" * packet.size if packet.pts in bad else None

    path = tmp_path / "damaged.mp4"
    return mux_packets(path, packets, extradata, WIDTH, HEIGHT, codec="mpeg4", replace=damage)


def test_undecodable_frames_show_empty_with_one_notice_per_stretch(
    make_napari_viewer, damaged_video
):
    from napari.utils.notifications import notification_manager

    from _video_files import plain_decode
    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.layers.session import ViewerSession
    from napari_whiskertoolbox.media import VideoMedia

    decoded = plain_decode(damaged_video, "gray")
    dm = DataManager()
    media = VideoMedia(damaged_video)
    dm.set_data("video", media)
    missing = {i for i, pts in enumerate(media.frame_index.pts) if int(pts) not in decoded}
    assert {24, 25, 40} <= missing
    session = ViewerSession(make_napari_viewer(), dm)
    layer = session.viewer.layers["video"]
    notices = []
    notification_manager.notification_ready.connect(notices.append)
    try:
        for frame in [*range(20, 47), 26, 10, 25, 41]:
            session.set_frame(frame)
            value = shown_value(layer, frame, 5, 5)
            if frame in missing:
                assert value == 0, f"frame {frame} must show empty"
            else:
                expected = decoded[int(media.frame_index.pts[frame])][5, 5]
                assert value == expected, f"frame {frame}"
    finally:
        notification_manager.notification_ready.disconnect(notices.append)
    messages = [str(n.message) for n in notices if "damaged.mp4" in str(n.message)]
    stretches = sum(1 for i in missing if i - 1 not in missing)
    assert len(messages) == stretches == 2
    assert "frame 24 could not be decoded" in messages[0]
    assert "frame 40 could not be decoded" in messages[1]
    assert layer.data.failed_frames == sorted(missing & set(range(20, 47)))
