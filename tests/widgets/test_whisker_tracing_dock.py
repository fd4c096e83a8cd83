"""V1 ``Whisker Tracing`` from the Transforms dock on a real napari viewer (form from the schema)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
from magicgui.widgets import CheckBox, ComboBox, SpinBox

from _video_files import write_frames
from _whisker_frames import draw, tracker_folder, whisker
from napari_whiskertoolbox.core import MaskData
from napari_whiskertoolbox.media import VideoMedia
from napari_whiskertoolbox.transforms.library import PipelineLibrary
from napari_whiskertoolbox.widgets.transforms import TransformsWidget
from napari_whiskertoolbox.widgets.transforms.float_field import FloatField
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = [pytest.mark.gui, pytest.mark.slow]

H, W, N_FRAMES = 240, 320, 4


def _scene(i: int) -> list:
    return [
        whisker((40.0, 50.0 + 2 * i), 5.0 + 2 * i, 200.0, 0.2),
        whisker((40.0, 170.0), -8.0 - i, 220.0, 0.25),
    ]


@pytest.fixture(scope="module")
def tracker_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tracker's working folder, its detector banks computed once for this module."""
    yield from tracker_folder(tmp_path_factory)


def test_dock_form_runs_whisker_tracing_into_a_line_layer(
    tracker_dir, make_napari_viewer, qtbot, tmp_path
):
    frames = [draw(H, W, _scene(i), seed=i) for i in range(N_FRAMES)]
    video = write_frames(tmp_path / "whiskers.mkv", frames, "ffv1", "gray", "gray")
    viewer = make_napari_viewer()
    dm = get_session(viewer).dm
    dm.set_data("media", VideoMedia(video))
    yy, xx = np.mgrid[0:H, 0:W]
    pad = MaskData(image_size=(W, H))
    for t in range(N_FRAMES):
        pad.add(t, np.column_stack([xx.ravel(), yy.ravel()])[(xx < 60).ravel()])
    dm.set_data("pad", pad)
    dock = TransformsWidget(viewer, library=PipelineLibrary(tmp_path / "library"))
    qtbot.addWidget(dock.native)

    dock.select_transform("Whisker Tracing")
    assert dock.input_combo.choices == ("media",)  # only media keys
    dock.input_combo.value = "media"
    form = dock.form
    assert form is not None
    assert isinstance(form["whisker_length_threshold"], FloatField)
    assert form["whisker_length_threshold"].value == 50.0
    assert isinstance(form["clip_length"], SpinBox)
    assert isinstance(form["use_parallel_processing"], CheckBox)
    assert isinstance(form["mask_data"], ComboBox)
    assert "pad" in form["mask_data"].choices  # key parameters offer the mask keys
    form["use_mask_data"].value = True
    form["mask_data"].value = "pad"
    form["clip_length"].value = 2
    dock.output_key.value = "traced"
    run = dock.run()
    assert run is not None, dock.status.value
    qtbot.waitUntil(lambda: not dock.running, timeout=180_000)
    assert run.outcome.status == "done", run.outcome.message

    traced = dm.get_data("traced")
    assert dm.time_key("traced") == dm.time_key("media")
    for t in range(N_FRAMES):
        lines = traced.at(t)
        assert len(lines) == 2, t
        for w, drawn in zip(lines, _scene(t)[::-1]):  # larger base y first
            assert np.median(drawn.distances(w)) < 2.0
            assert w[0][0] < 60  # the base is in the mask
    layers = [layer for layer in viewer.layers if layer.metadata.get("wtb_key") == "traced"]
    assert len(layers) == 1
    dm.get_data("media").close()
