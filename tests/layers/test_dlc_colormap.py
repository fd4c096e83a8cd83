"""Keypoints and skeleton in the colours of the DeepLabCut project's ``config.yaml``.

DeepLabCut colours body parts (individuals, for several animals) with its ``colormap``
sampled at ``n`` evenly spaced places (``matplotlib.pyplot.get_cmap(colormap, n)``) and draws
a single animal's skeleton in ``skeleton_color``. Were: matplotlib's tab10 whatever the
project said (the Reaching example's ``colormap: jet`` ignored).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest
import yaml
from napari.utils.colormaps.standardize_color import transform_color

from _dlc_project import REACHING_BODYPARTS, copy_reaching
from napari_whiskertoolbox.io.dlc import read_dlc_config
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.pose import INDIVIDUAL_COLORS
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

PLUGIN = "napari-whiskertoolbox"
TOLERANCE = 1.5 / 255  # one 8-bit step: the colours are stored as #rrggbb


def _matplotlib_colors(name: str, n: int) -> np.ndarray:
    """DeepLabCut's ``auxiliaryfunctions.get_cmap(n, name)``: the colormap resampled to n."""
    pyplot = pytest.importorskip("matplotlib.pyplot")
    cmap = pyplot.get_cmap(name, n)
    return np.array([cmap(i)[:3] for i in range(n)])


def _face_rgb(layer: Any, feature: str, value: str) -> np.ndarray:
    rows = np.flatnonzero(np.asarray(layer.features[feature]) == value)
    assert len(rows), f"no point of {feature} {value!r} shown"
    return np.asarray(layer.face_color)[rows[0], :3]


@pytest.mark.gui
def test_reaching_keypoints_take_the_projects_jet_colormap_and_skeleton_color(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    root = copy_reaching(tmp_path)
    config = yaml.safe_load((root / "config.yaml").read_text())
    assert config["colormap"] == "jet"
    assert config["skeleton_color"] == "blue"
    viewer = make_napari_viewer()
    viewer.open(str(root), plugin=PLUGIN)
    keypoints = viewer.layers["reachingvideo1"]
    session = get_session(viewer)
    expected = _matplotlib_colors("jet", len(REACHING_BODYPARTS))
    seen = set()
    for frame in range(len(session.dm.get_data("media").files)):
        session.set_frame(frame)
        for bodypart in set(keypoints.features["bodypart"]) - seen:
            k = REACHING_BODYPARTS.index(bodypart)
            np.testing.assert_allclose(
                _face_rgb(keypoints, "bodypart", bodypart), expected[k], atol=TOLERANCE
            )
            seen.add(bodypart)
    assert len(seen) >= 4  # Hand, Finger1, Joystick1, Joystick2 at least (Tongue is rare)
    skeleton = viewer.layers["reachingvideo1 skeleton"]
    assert len(skeleton.data)
    np.testing.assert_allclose(
        np.asarray(skeleton.edge_color)[:, :3],
        np.tile(transform_color("blue")[0][:3], (len(skeleton.data), 1)),
    )


@pytest.mark.gui
def test_multi_animal_individuals_take_the_projects_colormap(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    config = {
        "scorer": "me",
        "multianimalproject": True,
        "individuals": ["mouse1", "mouse2", "mouse3"],
        "multianimalbodyparts": ["nose", "tail"],
        "uniquebodyparts": [],
        "skeleton": [["nose", "tail"]],
        "colormap": "viridis",
        "skeleton_color": "white",  # a single animal's only: individuals keep their colour
        "pcutoff": 0.1,
        "dotsize": 6,
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    columns = pd.MultiIndex.from_product(
        [["DLC_dlcrnet"], config["individuals"], ["nose", "tail"], ["x", "y", "likelihood"]],
        names=["scorer", "individuals", "bodyparts", "coords"],
    )
    row = [v for m in range(3) for v in (100.0 + 50 * m, 80.0, 0.9, 120.0 + 50 * m, 140.0, 0.9)]
    pd.DataFrame([row, row], columns=columns).to_hdf(
        tmp_path / "cageDLC_dlcrnet.h5", key="df_with_missing", mode="w"
    )
    viewer = make_napari_viewer()
    viewer.open(str(tmp_path / "cageDLC_dlcrnet.h5"), plugin=PLUGIN)
    keypoints = viewer.layers["cage"]
    expected = _matplotlib_colors("viridis", 3)
    for m, mouse in enumerate(config["individuals"]):
        rows = np.flatnonzero(np.asarray(keypoints.features["individual"]) == mouse)
        assert len(rows) == 2
        # predictions: hollow rings in the individual's colour
        np.testing.assert_allclose(
            np.asarray(keypoints.border_color)[rows, :3],
            np.tile(expected[m], (2, 1)),
            atol=TOLERANCE,
        )
    skeleton = viewer.layers["cage skeleton"]
    np.testing.assert_allclose(np.asarray(skeleton.edge_color)[:, :3], expected, atol=TOLERANCE)


@pytest.mark.gui
def test_without_a_colormap_tab10_and_an_unknown_one_warns(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    root = copy_reaching(tmp_path)
    text = (root / "config.yaml").read_text().replace("colormap: jet", "colormap: no_such_map")
    (root / "config.yaml").write_text(text)
    viewer = make_napari_viewer()
    with pytest.warns(UserWarning, match="no_such_map"):
        viewer.open(str(root), plugin=PLUGIN)
    keypoints = viewer.layers["reachingvideo1"]
    for bodypart in set(keypoints.features["bodypart"]):
        k = REACHING_BODYPARTS.index(bodypart)
        np.testing.assert_allclose(
            _face_rgb(keypoints, "bodypart", bodypart),
            transform_color(INDIVIDUAL_COLORS[k])[0][:3],
            atol=TOLERANCE,
        )


def test_config_colour_entries_must_be_names(tmp_path: Path) -> None:
    root = copy_reaching(tmp_path)
    project = read_dlc_config(root / "config.yaml")
    assert (project.colormap, project.skeleton_color) == ("jet", "blue")
    text = (root / "config.yaml").read_text().replace("colormap: jet", "colormap: [1, 2]")
    (root / "config.yaml").write_text(text)
    with pytest.raises(FormatError, match=r"'colormap'.*config\.yaml|config\.yaml.*'colormap'"):
        read_dlc_config(root / "config.yaml")
