"""One colour table for a pose set: the layer, ``dm.metadata["colors"]``, NWB and a re-open agree.

Were: the keypoint layer coloured a multi-animal DeepLabCut project from its ``colormap``
while ``record_pose`` wrote matplotlib's tab10 into ``dm.metadata["colors"]`` (and nothing
for a single animal, whose keys then got the palette's picks): the NWB export and a re-open
of it showed other colours than the layer had.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest
import yaml
from napari.utils.colormaps.standardize_color import transform_color

from _dlc_project import REACHING_BODYPARTS, copy_reaching
from napari_whiskertoolbox.io.pose import pose_sets
from napari_whiskertoolbox.workflow.registry import get_session

if TYPE_CHECKING:
    from pathlib import Path

PLUGIN = "napari-whiskertoolbox"
TOLERANCE = 1.5 / 255  # one 8-bit step: the colours are stored as #rrggbb


def _matplotlib_colors(name: str, n: int) -> list[np.ndarray]:
    """DeepLabCut's ``auxiliaryfunctions.get_cmap(n, name)``: the colormap resampled to n."""
    pyplot = pytest.importorskip("matplotlib.pyplot")
    cmap = pyplot.get_cmap(name, n)
    return [np.asarray(cmap(i)[:3]) for i in range(n)]


def _shown_colors(viewer: Any, layer_name: str) -> dict[str, np.ndarray]:
    """Return ``{key: RGB}`` of every keypoint the layer shows over every frame."""
    session = get_session(viewer)
    layer = viewer.layers[layer_name]
    pose = pose_sets(session.dm)[layer.metadata["wtb_pose"]]
    shown: dict[str, np.ndarray] = {}
    frames = np.unique(
        np.concatenate([session.dm.get_data(k).times_with_data() for k in pose.all_keys()])
    )
    for frame in frames.tolist():
        session.set_frame(frame)
        features = layer.features
        for row in range(len(layer.data)):
            key = pose.require_key(features["individual"][row], features["bodypart"][row])
            colors = layer.border_color if features["predicted"][row] else layer.face_color
            shown.setdefault(key, np.asarray(colors)[row, :3])
        if len(shown) == len(pose.all_keys()):
            break
    return shown


def _assert_layer_matches_table(viewer: Any, layer_name: str, expected: dict[str, Any]) -> None:
    dm = get_session(viewer).dm
    shown = _shown_colors(viewer, layer_name)
    assert len(shown) >= 4
    for key, rgb in shown.items():
        np.testing.assert_allclose(rgb, transform_color(dm.metadata["colors"][key])[0][:3])
        np.testing.assert_allclose(rgb, expected[key], atol=TOLERANCE, err_msg=key)


def _exported_colors(path: Path) -> dict[str, str]:
    pynwb = pytest.importorskip("pynwb")
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        table = io.read().processing["whiskertoolbox"]["keys"].to_dataframe()
    return {str(k): str(c) for k, c in zip(table["key"], table["color"], strict=True) if c}


def _round_trip(make_napari_viewer: Any, viewer: Any, layer_name: str, nwb: Path) -> None:
    """Export NWB: its colours are the layer's; opened back, the layer shows them again."""
    pytest.importorskip("ndx_pose")
    from napari_whiskertoolbox.io.nwb_export import export_nwb

    dm = get_session(viewer).dm
    pose = pose_sets(dm)[layer_name]
    export_nwb(dm, nwb, sampling_rate=30.0)  # images and a table: no rate of their own
    exported = _exported_colors(nwb)
    for key in pose.all_keys():
        assert exported[key] == dm.metadata["colors"][key], key
    again = make_napari_viewer()
    again.open(str(nwb), plugin=PLUGIN)
    back = get_session(again).dm
    for key in pose.all_keys():
        assert back.metadata["colors"][key] == dm.metadata["colors"][key], key
    _assert_layer_matches_table(
        again,
        layer_name,
        {k: transform_color(c)[0][:3] for k, c in dm.metadata["colors"].items()},
    )


@pytest.mark.gui
def test_single_animal_layer_metadata_and_nwb_share_the_projects_colormap(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    root = copy_reaching(tmp_path)
    viewer = make_napari_viewer()
    viewer.open(str(root), plugin=PLUGIN)
    pose = pose_sets(get_session(viewer).dm)["reachingvideo1"]
    jet = _matplotlib_colors("jet", len(REACHING_BODYPARTS))
    expected = {pose.require_key("", bp): jet[k] for k, bp in enumerate(REACHING_BODYPARTS)}
    _assert_layer_matches_table(viewer, "reachingvideo1", expected)
    _round_trip(make_napari_viewer, viewer, "reachingvideo1", tmp_path / "reaching.nwb")


@pytest.mark.gui
def test_multi_animal_layer_metadata_and_nwb_share_the_projects_colormap(
    make_napari_viewer: Any, tmp_path: Path
) -> None:
    individuals = ["mouse1", "mouse2", "mouse3"]
    config = {
        "scorer": "me",
        "multianimalproject": True,
        "individuals": individuals,
        "multianimalbodyparts": ["nose", "tail"],
        "uniquebodyparts": [],
        "skeleton": [["nose", "tail"]],
        "colormap": "viridis",
        "pcutoff": 0.1,
        "dotsize": 6,
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    columns = pd.MultiIndex.from_product(
        [["DLC_dlcrnet"], individuals, ["nose", "tail"], ["x", "y", "likelihood"]],
        names=["scorer", "individuals", "bodyparts", "coords"],
    )
    row = [v for m in range(3) for v in (100.0 + 50 * m, 80.0, 0.9, 120.0 + 50 * m, 140.0, 0.9)]
    pd.DataFrame([row, row], columns=columns).to_hdf(
        tmp_path / "cageDLC_dlcrnet.h5", key="df_with_missing", mode="w"
    )
    viewer = make_napari_viewer()
    viewer.open(str(tmp_path / "cageDLC_dlcrnet.h5"), plugin=PLUGIN)
    pose = pose_sets(get_session(viewer).dm)["cage"]
    viridis = _matplotlib_colors("viridis", len(individuals))
    expected = {
        pose.require_key(ind, bp): viridis[m]
        for m, ind in enumerate(individuals)
        for bp in ("nose", "tail")
    }
    _assert_layer_matches_table(viewer, "cage", expected)
    _round_trip(make_napari_viewer, viewer, "cage", tmp_path / "cage.nwb")
