"""npe2 writers: a bound layer saves its whole key in WhiskerToolbox's format."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from napari_whiskertoolbox._writer import write_points
from napari_whiskertoolbox.io.lines import read_lines_csv
from napari_whiskertoolbox.io.masks import read_masks_csv
from napari_whiskertoolbox.io.points import read_points_csv
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui
PLUGIN = "napari-whiskertoolbox"


@pytest.fixture
def sample_viewer(make_napari_viewer: Any) -> Any:
    viewer = make_napari_viewer()
    viewer.open_sample(PLUGIN, "whisker_session")
    return viewer


def _layer(viewer: Any, key: str) -> Any:
    (layer,) = [layer for layer in viewer.layers if layer.metadata.get("wtb_key") == key]
    return layer


def test_points_layer_writes_every_frame_of_its_key(sample_viewer: Any, tmp_path: Path) -> None:
    dm = get_session(sample_viewer).dm
    path = tmp_path / "nose.csv"
    written = _layer(sample_viewer, "nose").save(str(path), plugin=PLUGIN)
    assert written == [str(path)]
    times, coords = read_points_csv(path)
    flat = dm.get_data("nose").to_flat()
    np.testing.assert_array_equal(times, flat.times)
    np.testing.assert_array_equal(coords, flat.coords)
    assert len(np.unique(times)) == dm.get_data("nose").n_frames_with_data > 1


def test_shapes_layer_writes_its_line_key(sample_viewer: Any, tmp_path: Path) -> None:
    dm = get_session(sample_viewer).dm
    path = tmp_path / "whiskers.csv"
    _layer(sample_viewer, "whiskers").save(str(path), plugin=PLUGIN)
    times, offsets, coords = read_lines_csv(path)
    flat = dm.get_data("whiskers").to_flat()
    np.testing.assert_array_equal(times, flat.times)
    np.testing.assert_array_equal(offsets, flat.offsets)
    np.testing.assert_array_equal(coords, flat.coords)


def test_labels_layer_writes_its_mask_key_as_rle(sample_viewer: Any, tmp_path: Path) -> None:
    masks = get_session(sample_viewer).dm.get_data("pad_mask")
    path = tmp_path / "pad_mask.csv"
    _layer(sample_viewer, "pad_mask").save(str(path), plugin=PLUGIN)
    times, offsets, pixels = read_masks_csv(path)
    flat = masks.to_flat()
    np.testing.assert_array_equal(times, flat.times)
    for k in range(len(times)):
        read = pixels[offsets[k] : offsets[k + 1]]
        stored = flat.coords[flat.offsets[k] : flat.offsets[k + 1]]
        assert {tuple(p) for p in read.tolist()} == {tuple(p) for p in stored.tolist()}


# Refusals are RuntimeErrors: napari's layer.save / layers.save turn a writer's ValueError
# into "Given plugin ... is not a valid writer", which hides the reason.


def test_an_unbound_layer_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"not bound to a WhiskerToolbox key.*wtb_key"):
        write_points(str(tmp_path / "x.csv"), np.zeros((1, 3)), {"name": "mine", "metadata": {}})


def test_a_layer_bound_to_another_type_is_refused(sample_viewer: Any, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"'whiskers' holds 'line' data, expected 'points'"):
        write_points(str(tmp_path / "x.csv"), None, {"metadata": {"wtb_key": "whiskers"}})


def test_a_refusal_reaches_the_user_through_napari(sample_viewer: Any, tmp_path: Path) -> None:
    mine = sample_viewer.add_points(np.zeros((1, 3)), name="mine")  # napari's own layer
    with pytest.raises(RuntimeError, match=r"layer 'mine' is not bound to a WhiskerToolbox key"):
        mine.save(str(tmp_path / "x.csv"), plugin=PLUGIN)
    assert not (tmp_path / "x.csv").exists()


def test_a_layer_saves_its_own_viewers_key(make_napari_viewer: Any, tmp_path: Path) -> None:
    """Two viewers with the same key: saving a layer of the first, not napari's current one."""
    import napari

    from napari_whiskertoolbox import open_in_viewer

    source = tmp_path / "tip.csv"
    source.write_text("frame x y\n0 1 2\n1 3 4\n", encoding="utf-8")
    first, second = make_napari_viewer(), make_napari_viewer()
    open_in_viewer(first, source)
    open_in_viewer(second, source)
    assert napari.current_viewer() is second
    get_session(first).dm.get_data("tip").add(7, np.array([[5.0, 6.0]], dtype=np.float32))
    out = tmp_path / "saved.csv"
    first.layers["tip"].save(str(out), plugin=PLUGIN)
    assert read_points_csv(out)[0].tolist() == [0, 1, 7]
    first.layers.selection = {first.layers["tip"]}
    assert first.layers.save(str(out), selected=True, plugin=PLUGIN) == [str(out)]
    assert read_points_csv(out)[0].tolist() == [0, 1, 7]
