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


def test_an_empty_events_key_exports_whiskertoolbox_s_header_and_says_it_will_not_load(tmp_path):
    """Exported, an empty events key was a 0-byte file this plugin could not open again
    ("the file is empty"); WhiskerToolbox's events saver writes an `Event` header, and its
    loader fails on a file without events: the export says so, and opening it says why."""
    import pytest

    from napari_whiskertoolbox.io.errors import FormatError
    from napari_whiskertoolbox.io.routing import open_path
    from napari_whiskertoolbox.widgets.browser_export import export_warning

    dm = DataManager()
    dm.set_data("licks", DigitalEventSeries([]), "time")
    dm.set_data("contacts", DigitalEventSeries([3, 5]), "time")
    empty = export_key(dm, "licks", tmp_path)
    assert empty.read_text(encoding="utf-8") == "Event\n"
    assert export_warning(dm, "licks", empty) == (
        "licks.csv: licks has no events: WhiskerToolbox's events CSV loader fails on a file "
        "without any, so WhiskerToolbox will not load it (nor will this plugin)"
    )
    with pytest.raises(FormatError, match=r"has a header \('Event'\) but no events"):
        open_path(empty)
    full = export_key(dm, "contacts", tmp_path)
    assert full.read_text(encoding="utf-8") == "Event\n3\n5\n"
    assert export_warning(dm, "contacts", full) is None
    again = open_path(full)  # the header says what it holds: no form to ask
    assert again.dm.get_data("contacts").times.tolist() == [3, 5]
