"""A WhiskerToolbox config item's ``color`` is the colour its layer is drawn in.

WhiskerToolbox draws a points, line or mask key in its config item's ``color`` (``"#ff8800"``
or ``"ff8800"``: its own defaults are written both ways). Here the option was read and kept
with the key's source, but the layer took a palette colour: the whiskers a lab had coloured
orange in its configs came up lavender.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
import pytest
from napari.utils.colormaps.standardize_color import transform_color

from napari_whiskertoolbox.io import load_config
from napari_whiskertoolbox.io.report import LoadReport

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.gui


@pytest.fixture
def config(tmp_path: Path, wtb_data: Path) -> Path:
    items = [
        {"data_type": "video", "name": "media", "filepath": str(wtb_data / "Media" / "test_each_frame_number.mp4")},
        {"data_type": "line", "name": "whisker", "format": "csv", "color": "#ff8800",
         "filepath": str(wtb_data / "Lines" / "line_test_large.csv")},
        {"data_type": "points", "name": "nose", "format": "csv", "color": "00C0FF",
         "filepath": str(wtb_data / "Points" / "test_point.csv")},
        {"data_type": "points", "name": "tip", "format": "csv", "color": "not a colour",
         "filepath": str(wtb_data / "Points" / "test_point.csv")},
    ]  # fmt: skip
    path = tmp_path / "exp.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def test_config_colors_go_to_the_keys_and_a_bad_one_is_named(config: Path) -> None:
    report = LoadReport()
    dm = load_config(config, report=report)
    assert dm.metadata["colors"]["whisker"] == "#ff8800"
    assert dm.metadata["colors"]["nose"] == "#00c0ff"  # WhiskerToolbox's form without '#'
    assert "tip" not in dm.metadata.get("colors", {})
    (note,) = [n for n in report.notes if "not a colour" in n.message]
    assert "'color'" in note.message
    assert "#RRGGBB" in note.message


def test_layers_are_drawn_in_the_config_s_colors(make_napari_viewer, config: Path) -> None:
    viewer = make_napari_viewer()
    viewer.open(str(config), plugin="napari-whiskertoolbox")
    whisker, nose = viewer.layers["whisker"], viewer.layers["nose"]
    np.testing.assert_allclose(
        transform_color(whisker.current_edge_color), transform_color("#ff8800")
    )
    np.testing.assert_allclose(whisker.edge_color, transform_color(["#ff8800"] * 5))
    np.testing.assert_allclose(nose.face_color, transform_color(["#00c0ff"]))
