"""A config's ``transformations`` block runs the ported V1 line alignment and particle filter.

Every input is a real file written in tmp_path (PNG frames, line / point / mask CSVs) and
loaded by ``load_config``, which runs the block as WhiskerToolbox's loader does.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import imageio.v3 as iio
import numpy as np

import napari_whiskertoolbox.transforms  # noqa: F401  (installs the runner)
from napari_whiskertoolbox.io import load_config
from napari_whiskertoolbox.io.lines import write_lines_csv
from napari_whiskertoolbox.io.masks import write_masks_csv
from napari_whiskertoolbox.io.points import write_points_csv
from napari_whiskertoolbox.transforms import apply_transform

if TYPE_CHECKING:
    from pathlib import Path

SIZE = 120
LINE = np.array([[55, 10], [55, 40], [55, 70], [55, 100]], np.float32)


def _blob(t: int) -> np.ndarray:
    cx, cy, r = 30 + 4 * t, 60 + 2 * t, 6
    ys, xs = np.mgrid[cy - r : cy + r + 1, cx - r : cx + r + 1]
    keep = (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r
    return np.column_stack((xs[keep], ys[keep]))


def _write_inputs(folder: Path) -> None:
    (folder / "frames").mkdir()
    xx = np.arange(SIZE, dtype=np.float64)
    ridge = np.repeat((220 * np.exp(-((xx - 60) ** 2) / 12.5))[None], SIZE, axis=0)
    for k in range(6):
        iio.imwrite(folder / "frames" / f"img{k}.png", ridge.round().astype(np.uint8))
    write_lines_csv(folder / "whisker.csv", np.array([0, 3]), np.array([0, 4, 8]), np.vstack([LINE, LINE]))  # fmt: skip
    labels = np.array([[30, 60], [50, 70]], np.float32)  # the blob's centre at frames 0 and 5
    write_points_csv(folder / "labels.csv", np.array([0, 5]), labels)
    blobs = [_blob(t) for t in range(6)]
    offsets = np.r_[0, np.cumsum([len(b) for b in blobs])]
    write_masks_csv(folder / "blob.csv", np.arange(6), offsets, np.vstack(blobs))


def test_a_transformations_block_runs_both_ported_operations(tmp_path):
    _write_inputs(tmp_path)
    steps = [
        {"step_id": "align", "transform_name": "Line Alignment to Bright Features",
         "input_key": "whisker", "output_key": "aligned",
         "parameters": {"media_data": "media", "width": "10", "approach": "PEAK_WIDTH_HALF_MAX"}},
        {"step_id": "track", "transform_name": "Track Points Through Masks (Particle Filter)",
         "input_key": "labels", "output_key": "tracked",
         "parameters": {"mask_data": "blob", "num_particles": 300, "use_velocity_model": False}},
    ]  # fmt: skip
    doc = [
        {"data_type": "images", "name": "media", "filepath": "frames"},
        {"data_type": "line", "name": "whisker", "filepath": "whisker.csv", "format": "csv"},
        {"data_type": "points", "name": "labels", "filepath": "labels.csv", "format": "csv"},
        {"data_type": "mask", "name": "blob", "filepath": "blob.csv", "format": "csv",
         "width": SIZE, "height": SIZE},
        {"transformations": {"steps": steps}},
    ]  # fmt: skip
    config = tmp_path / "config.json"
    config.write_text(json.dumps(doc))
    dm = load_config(config)
    assert dm.keys() == ["media", "whisker", "labels", "blob", "aligned", "tracked"]

    aligned = dm.get_data("aligned")
    assert aligned.times_with_data().tolist() == [0, 3]
    for t in (0, 3):
        np.testing.assert_allclose(aligned.at(t)[0][:, 0], 60, atol=0.5)  # onto the ridge
    expected = apply_transform(
        "Line Alignment to Bright Features",
        dm.get_data("whisker"),
        {"media_data": "media", "width": 10},
        others={"media": dm.get_data("media")},
    )
    np.testing.assert_array_equal(aligned.to_flat().coords, expected.to_flat().coords)

    tracked = dm.get_data("tracked")
    assert tracked.times_with_data().tolist() == list(range(6))
    for t in range(1, 5):
        point = tracked.at(t)[0].astype(np.int64)
        assert np.any(np.all(_blob(t) == point, axis=1)), (t, point)
    assert dm.time_key("tracked") == dm.time_key("labels")
