"""Data browser export of a key to a file (Qt-free part)."""

from __future__ import annotations

from napari_whiskertoolbox.core import DataManager, DigitalEventSeries, TimeFrame
from napari_whiskertoolbox.io.events import read_events_csv
from napari_whiskertoolbox.transforms import run_transform
from napari_whiskertoolbox.widgets.browser_export import export_key


def test_relative_ticks_export_as_the_ticks_not_the_clock_indices(tmp_path):
    dm = DataManager()
    dm.set_time("cam", TimeFrame([0, 10, 20, 30], sampling_rate=1000.0))
    dm.set_data("ev", DigitalEventSeries([1, 2]), "cam")
    run_transform(dm, "NormalizeDigitalEventSeriesRelative", "ev", "before", {"alignment_time": 30})
    path = export_key(dm, "before", tmp_path)
    assert path.name == "before.csv"
    assert read_events_csv(path)[None].tolist() == [-20, -10]
