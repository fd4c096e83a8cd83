"""Parts of a bound Points or Shapes layer that show nothing are not drawn: same pixels."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _bindings_support import make_session
from napari.layers import Labels
from vispy.visuals import TextVisual

from napari_whiskertoolbox.layers import _napari_compat
from napari_whiskertoolbox.layers._napari_compat import skip_empty_draws, vispy_layer

pytestmark = pytest.mark.gui


def parts(viewer: Any, name: str) -> list[Any]:
    return list(vispy_layer(viewer, viewer.layers[name]).node._subvisuals)


def skipped_and_pixels(viewer: Any) -> tuple[list[str], Any, Any]:
    """The parts skipped at a paint, the canvas as drawn, and as napari alone draws it."""
    skipped: list[str] = []
    kept: dict[Any, Any] = {}
    for name in ("nose", "whiskers"):
        for part in parts(viewer, name):
            prepare = part.__dict__.get("_prepare_draw")
            if prepare is None:
                continue
            kept[part] = prepare

            def spy(view: Any, prepare: Any = prepare, label: str = name, part: Any = part) -> Any:
                result = prepare(view)
                if result is False:
                    skipped.append(f"{label}:{type(part).__name__}")
                return result

            part._prepare_draw = spy
    try:
        drawn = viewer.screenshot(canvas_only=True)
        for part in kept:
            del part._prepare_draw
        whole = viewer.screenshot(canvas_only=True)
    finally:
        for part, prepare in kept.items():
            part._prepare_draw = prepare
    return skipped, drawn, whole


def test_placeholders_are_skipped_and_the_canvas_shows_the_same(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer(show=True)
    session = make_session(viewer)
    session.set_frame(1)  # no lines on odd frames: the shapes mesh is a placeholder too
    skipped, drawn, whole = skipped_and_pixels(viewer)
    assert "nose:Text" in skipped
    assert "whiskers:Text" in skipped
    assert "whiskers:Markers" in skipped  # no vertex handle shown
    assert skipped.count("whiskers:Mesh") == 2  # no line, no highlight
    np.testing.assert_array_equal(drawn, whole)


def test_parts_that_show_something_are_drawn(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer(show=True)
    session = make_session(viewer)
    session.set_frame(2)
    nose, whiskers = viewer.layers["nose"], viewer.layers["whiskers"]
    nose.text = {"string": {"constant": "n"}}
    whiskers.text = {"string": {"constant": "w"}}
    viewer.layers.selection.active = whiskers
    whiskers.mode = "direct"
    whiskers.selected_data = {0}  # outline and vertex handles
    skipped, drawn, whole = skipped_and_pixels(viewer)
    assert not any(name.endswith(":Text") for name in skipped), skipped
    assert "whiskers:Markers" not in skipped
    assert "whiskers:Mesh" not in skipped
    np.testing.assert_array_equal(drawn, whole)
    assert any(isinstance(p, TextVisual) for p in parts(viewer, "nose"))


def test_skip_empty_draws_raises_when_napari_changes_its_nodes(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer(show=True)
    layer = viewer.add_points(np.zeros((1, 2)))
    assert skip_empty_draws(viewer, layer) >= 3  # markers, highlight, text
    labels = viewer.add_layer(Labels(np.zeros((4, 4), np.uint8)))
    with pytest.raises(RuntimeError, match="skip_empty_draws"):
        skip_empty_draws(viewer, labels)  # no compound node of text: what a change looks like
    fake = type("VispyPointsLayer", (), {"node": object()})()
    monkeypatch.setattr(_napari_compat, "vispy_layer", lambda viewer, layer: fake)
    with pytest.raises(RuntimeError, match="skip_empty_draws"):
        skip_empty_draws(viewer, layer)
