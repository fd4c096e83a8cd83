"""The Transforms dock runs the ported V1 line alignment and particle filter from their forms."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from napari_whiskertoolbox.core import PointData
from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.transforms import apply_transform
from napari_whiskertoolbox.transforms.library import PipelineLibrary
from napari_whiskertoolbox.widgets.transforms import TransformsWidget
from napari_whiskertoolbox.workflow.registry import get_session

pytestmark = pytest.mark.gui

ALIGN = "Line Alignment to Bright Features"
TRACK = "Track Points Through Masks (Particle Filter)"


@pytest.fixture
def dock(make_napari_viewer, qtbot, tmp_path) -> TransformsWidget:
    viewer = make_napari_viewer()
    sample = make_sample_session(n_frames=12)
    dm = get_session(viewer).dm
    for name in sample.time_keys():
        dm.set_time(name, sample.get_time(name))
    for key in ("media", "whiskers", "pad_mask"):
        dm.set_data(key, sample.get_data(key), sample.time_key(key))
    # two labels on the pad mask, 11 frames apart: the filter fills frames 1..10
    masks = sample.get_data("pad_mask")
    labels = PointData(image_size=masks.image_size)
    for t in (0, 11):
        pixels = masks.at(t)[0]
        labels.add(t, pixels[len(pixels) // 2][None].astype(np.float32))
    dm.set_data("labels", labels, sample.time_key("pad_mask"))
    dm.history.clear()
    widget = TransformsWidget(viewer, library=PipelineLibrary(tmp_path / "library"))
    qtbot.addWidget(widget.native)
    return widget


def _run_and_wait(dock: TransformsWidget, qtbot: Any) -> Any:
    run = dock.run()
    assert run is not None, dock.status.value
    qtbot.waitUntil(lambda: not dock.running, timeout=30_000)
    return run.outcome


def test_line_alignment_runs_from_its_form(dock, qtbot):
    dm = dock.dm
    dock.select_transform(ALIGN)
    assert dock.show_legacy.value  # a V1 operation: the list shows V1 names
    assert dock.input_combo.choices == ("whiskers",)
    assert list(dock.form["media_data"].choices) == ["media"]  # only media keys
    assert dock.form["approach"].value == "PEAK_WIDTH_HALF_MAX"
    dock.form["width"].value = 6
    dock.output_key.value = "aligned"
    outcome = _run_and_wait(dock, qtbot)
    assert outcome.status == "done", outcome.message
    expected = apply_transform(
        ALIGN,
        dm.get_data("whiskers"),
        {"media_data": "media", "width": 6},
        others={"media": dm.get_data("media")},
    )
    np.testing.assert_array_equal(
        dm.get_data("aligned").to_flat().coords, expected.to_flat().coords
    )
    assert dm.time_key("aligned") == dm.time_key("whiskers")
    # the preview aligns the shown frame's whiskers to the same video frame as the run
    session = get_session(dock.viewer)
    session.set_frame(5)
    dock.preview_check.value = True
    qtbot.waitUntil(lambda: dock.preview_text.value.startswith("frame 5"), timeout=10_000)
    assert "failed" not in dock.preview_text.value
    shown = np.concatenate([np.asarray(d)[:, -2:] for d in dock.preview.layer.data])
    frame = session.from_display("whiskers", 5)
    np.testing.assert_allclose(shown[:, ::-1], np.concatenate(expected.at(frame)), atol=1e-3)


def test_particle_filter_runs_from_its_form(dock, qtbot):
    dm = dock.dm
    dock.select_transform(TRACK)
    assert dock.input_combo.choices == ("labels",)
    assert list(dock.form["mask_data"].choices) == ["pad_mask"]
    assert dock.form["num_particles"].value == 1000
    dock.form["num_particles"].value = 200
    dock.output_key.value = "tracked"
    outcome = _run_and_wait(dock, qtbot)
    assert outcome.status == "done", outcome.message
    tracked = dm.get_data("tracked")
    assert tracked.times_with_data().tolist() == list(range(12))
    masks = dm.get_data("pad_mask")
    for t in range(1, 11):
        point = tracked.at(t)[0].astype(np.int64)
        assert np.any(np.all(masks.at(t)[0].astype(np.int64) == point, axis=1)), t
    # seeded: the dock's run equals the same call from Python
    expected = apply_transform(
        TRACK,
        dm.get_data("labels"),
        {"mask_data": "pad_mask", "num_particles": 200},
        others={"pad_mask": masks},
    )
    np.testing.assert_array_equal(tracked.to_flat().coords, expected.to_flat().coords)
