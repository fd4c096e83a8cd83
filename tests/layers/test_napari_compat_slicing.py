"""``_napari_compat.slice_once_per_step``: one slice of the layers per frame step."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest
from napari.components import ViewerModel

from napari_whiskertoolbox.layers._napari_compat import slice_once_per_step

pytestmark = pytest.mark.gui


def _frames_viewer(make_napari_viewer: Any) -> tuple[Any, Any]:
    """A viewer holding a 10-frame image whose frame ``i`` is all ``i``."""
    viewer = make_napari_viewer()
    frames = np.arange(10, dtype=np.uint8)[:, None, None] * np.ones((1, 8, 8), np.uint8)
    return viewer, viewer.add_image(frames)


def _shown_value(layer: Any) -> float:
    return float(np.asarray(layer._slice.image.raw).mean())


@pytest.fixture
def slices(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, ...]]:
    """The dims point of every ``ViewerModel._update_layers`` call (all layers sliced)."""
    calls: list[tuple[float, ...]] = []
    napari_update = ViewerModel._update_layers

    @functools.wraps(napari_update)
    def counted(self: Any, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("layers") is None:
            calls.append(tuple(self.dims.point))
        napari_update(self, *args, **kwargs)

    monkeypatch.setattr(ViewerModel, "_update_layers", counted)
    return calls


def test_napari_slices_each_step_twice_without_it(make_napari_viewer: Any, slices: list) -> None:
    # Fails loudly when napari stops slicing twice: then slice_once_per_step has no job left.
    viewer, layer = _frames_viewer(make_napari_viewer)
    slices.clear()
    viewer.dims.set_current_step(0, 3)
    assert len(slices) == 2
    assert _shown_value(layer) == 3


def test_a_frame_step_slices_once(make_napari_viewer: Any, slices: list) -> None:
    viewer, layer = _frames_viewer(make_napari_viewer)
    assert slice_once_per_step(viewer)
    assert slice_once_per_step(viewer)  # idempotent
    for frame in (3, 4, 9, 0):
        slices.clear()
        viewer.dims.set_current_step(0, frame)
        assert slices == [(float(frame), 3.0, 3.0)]
        assert _shown_value(layer) == frame


def test_a_point_moved_without_its_event_is_still_sliced(
    make_napari_viewer: Any, slices: list
) -> None:
    # The case napari's second connection exists for: the dims' validator changes the point
    # without a point event; current_step still fires.
    viewer, layer = _frames_viewer(make_napari_viewer)
    assert slice_once_per_step(viewer)
    slices.clear()
    with viewer.dims.events.point.blocker():
        viewer.dims.set_current_step(0, 6)
    assert slices == [(6.0, 3.0, 3.0)]
    assert _shown_value(layer) == 6
    slices.clear()
    viewer.dims.set_current_step(0, 7)  # and the next ordinary step once
    assert slices == [(7.0, 3.0, 3.0)]


def test_a_range_that_clamps_the_point_reslices(make_napari_viewer: Any) -> None:
    viewer, layer = _frames_viewer(make_napari_viewer)
    assert slice_once_per_step(viewer)
    viewer.dims.set_current_step(0, 8)
    viewer.dims.set_range(0, (0, 3, 1))
    assert viewer.dims.current_step[0] == 3
    assert _shown_value(layer) == 3


def test_nothing_to_do_once_napari_slices_once(make_napari_viewer: Any) -> None:
    viewer, _ = _frames_viewer(make_napari_viewer)
    viewer.dims.events.current_step.disconnect(viewer._update_layers)  # as an upstream fix
    assert not slice_once_per_step(viewer)


def test_raises_when_napari_no_longer_slices_on_point(make_napari_viewer: Any) -> None:
    viewer, _ = _frames_viewer(make_napari_viewer)
    viewer.dims.events.point.disconnect(viewer._update_layers)
    with pytest.raises(RuntimeError, match=r"_napari_compat.slice_once_per_step"):
        slice_once_per_step(viewer)
