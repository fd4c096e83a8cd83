"""Default key colours: they stand out on the sample's mid-grey face and dark background, and
keys made one after another get distinct ones."""

from __future__ import annotations

import colorsys
import itertools

import numpy as np
import pytest

from napari_whiskertoolbox.core import DataManager, DigitalEventSeries, LineData, PointData
from napari_whiskertoolbox.layers.binding import KEY_COLORS, key_color

MID_GREY = (0.5, 0.5, 0.5)


def _rgb(color: str) -> tuple[float, float, float]:
    return tuple(int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def _luminance(rgb) -> float:
    c = np.asarray(rgb, float)
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def _contrast(a, b) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _sample_grey_levels() -> dict[str, tuple[float, float, float]]:
    """The sample video's background and the grey around its points (on the face)."""
    from napari_whiskertoolbox.sample import make_sample_session

    dm = make_sample_session(n_frames=2)
    frame = np.asarray(dm.get_data("media")[0], dtype=float) / 255
    levels = {"background": float(np.median(frame))}
    for key in ("nose", "pad"):
        x, y = (int(v) for v in dm.get_data(key).at(0)[0])
        levels[key] = float(frame[y - 3 : y + 4, x - 3 : x + 4].mean())
    assert max(levels.values()) > 0.4  # the nose sits on mid grey
    return {name: (v, v, v) for name, v in levels.items()}


@pytest.mark.parametrize("color", KEY_COLORS)
def test_each_key_colour_stands_out_on_mid_grey_and_on_the_sample(color: str) -> None:
    # the old pink (#ff4081) and lavender (#b388ff) had 1.2:1 and 1.5:1 on mid grey
    assert _contrast(_rgb(color), MID_GREY) >= 2.0
    for name, grey in _sample_grey_levels().items():
        assert _contrast(_rgb(color), grey) >= 2.0, name


def test_key_colours_are_told_apart_by_hue() -> None:
    hues = sorted(colorsys.rgb_to_hsv(*_rgb(c))[0] * 360 for c in KEY_COLORS)
    gaps = [b - a for a, b in itertools.pairwise(hues)] + [hues[0] + 360 - hues[-1]]
    assert min(gaps) >= 20, hues


def test_a_key_colour_set_in_the_metadata_wins() -> None:
    dm = DataManager()
    dm.metadata["colors"] = {"pad": "#123456"}
    assert key_color(dm, "pad") == "#123456"
    assert key_color(dm, "nose") in KEY_COLORS


@pytest.mark.gui
def test_a_mask_key_paints_in_its_key_colour_first(make_napari_viewer) -> None:
    from napari.utils.colormaps.standardize_color import transform_color

    from napari_whiskertoolbox._sample_data import adopt_data_manager
    from napari_whiskertoolbox.sample import make_sample_session
    from napari_whiskertoolbox.workflow.registry import get_session

    viewer = make_napari_viewer()
    session = get_session(viewer)
    adopt_data_manager(session.dm, make_sample_session(n_frames=3))
    layer = viewer.layers["pad_mask"]
    first = transform_color(key_color(session.dm, "pad_mask"))[0]
    np.testing.assert_allclose(layer.colormap.map(np.array([1]))[0], first, atol=1e-6)
    ids = range(1, len(KEY_COLORS) + 1)
    colors = {tuple(np.round(layer.colormap.map(np.array([n]))[0], 3)) for n in ids}
    assert len(colors) == len(KEY_COLORS)  # the masks of a frame: each its own colour


def test_the_sample_and_two_new_keys_of_each_kind_all_differ() -> None:
    """Were: six colours, so a seventh key (the sample's four, then three new) took the
    sample's nose colour, drawn right beside it."""
    from napari_whiskertoolbox.sample import make_sample_session

    dm = make_sample_session(n_frames=2)
    for key, obj in (("whisker", PointData()), ("tip", PointData()), ("my_line", LineData())):
        dm.set_data(key, obj)
    coloured = [k for k in dm if dm.data_type(k) in ("points", "line", "mask")]
    assert len(coloured) == 7
    assert len({key_color(dm, k) for k in coloured}) == 7


def test_keys_made_one_after_another_get_distinct_colours() -> None:
    """Were: 'whisker' and 'tip' (the names a new user types) were both lime."""
    dm = DataManager()
    dm.set_data("whisker", LineData())
    first = key_color(dm, "whisker")
    dm.set_data("tip", PointData())
    dm.set_data("events", DigitalEventSeries([1]))  # no layer: takes no colour
    dm.set_data("nose", PointData())
    colours = [key_color(dm, key) for key in ("whisker", "tip", "nose")]
    assert len(set(colours)) == 3
    assert key_color(dm, "whisker") == first  # a key's colour does not depend on later keys


def test_an_explicit_colour_is_kept_and_avoided() -> None:
    dm = DataManager()
    dm.set_data("whisker", LineData())
    dm.set_data("tip", PointData())
    dm.metadata["colors"] = {"whisker": key_color(dm, "tip")}
    assert key_color(dm, "whisker") == dm.metadata["colors"]["whisker"]
    assert key_color(dm, "tip") != key_color(dm, "whisker")
