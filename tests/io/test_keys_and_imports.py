"""write_key writes a key back to its source; io imports without Qt or napari."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from napari_whiskertoolbox.io import FormatError, load_config, write_key


def test_write_key_back_to_its_source_format(tmp_path, wtb_data, write_config):
    source = tmp_path / "points.csv"
    source.write_bytes((wtb_data / "Points" / "test_point.csv").read_bytes())
    dm = load_config(write_config([{"data_type": "points", "name": "p", "filepath": str(source)}]))
    dm.get_data("p").set_frame(5, np.array([[1.5, 2.5], [3, 4]], np.float32))
    assert write_key(dm, "p") == source
    first_rows = source.read_text().splitlines()[:2]
    assert first_rows == ["Frame X Y", "0 131 222"]  # space-delimited, like the original
    back = load_config(
        write_config([{"data_type": "points", "name": "p", "filepath": str(source)}])
    )
    np.testing.assert_array_equal(back.get_data("p").at(5), [[1.5, 2.5], [3, 4]])
    assert back.get_data("p").n_entries == 1002


def test_write_key_refuses_part_of_a_multi_key_item(wtb_data, write_config):
    dm = load_config(
        write_config([{"data_type": "points", "name": "f", "format": "dlc_csv",
                       "filepath": str(wtb_data / "Points" / "dlc_test.csv")}])
    )  # fmt: skip
    with pytest.raises(FormatError, match="one of several keys"):
        write_key(dm, "f_nose_tip")


def test_write_key_refuses_binary_state_layout(tmp_path, wtb_data, write_config):
    target = tmp_path / "jun.dat"
    target.write_bytes((wtb_data / "DigitalIntervals" / "jun_test.dat").read_bytes())
    dm = load_config(
        write_config([{"data_type": "digital_interval", "name": "i", "filepath": str(target),
                       "csv_layout": "binary_state", "header_lines_to_skip": 5}])
    )  # fmt: skip
    with pytest.raises(FormatError, match="binary_state"):
        write_key(dm, "i")
    assert target.read_bytes() == (wtb_data / "DigitalIntervals" / "jun_test.dat").read_bytes()


def test_write_key_to_new_path_without_source(tmp_path):
    from napari_whiskertoolbox.core.data_manager import DataManager
    from napari_whiskertoolbox.core.events import DigitalEventSeries

    dm = DataManager()
    dm.set_data("e", DigitalEventSeries([4, 2]))
    with pytest.raises(FormatError, match="no source file"):
        write_key(dm, "e")
    write_key(dm, "e", tmp_path / "e.csv")
    assert (tmp_path / "e.csv").read_text() == "2\n4\n"


def test_io_imports_without_qt_or_napari():
    code = (
        "import sys\n"
        "import napari_whiskertoolbox.io, napari_whiskertoolbox.io.registry\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('napari', 'qtpy', 'PyQt5', 'PySide2', 'PySide6', 'magicgui', 'pyqtgraph')]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_reader_per_data_type_and_format():
    from napari_whiskertoolbox.io.registry import READERS, reader_formats, register_reader

    assert "dlc_csv" in reader_formats("points")
    dlc = READERS[("points", "dlc_csv")]
    assert dlc is READERS[("points", "dlc_h5")]
    assert dlc.__module__ == "napari_whiskertoolbox.io.readers_dlc"

    def other(item):
        return []

    with pytest.raises(ValueError, match=r"reader of \('points', 'dlc_csv'\) registered twice"):
        register_reader("points", "dlc_csv")(other)
    assert READERS[("points", "dlc_csv")] is dlc
