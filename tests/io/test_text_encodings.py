"""Text files in the encodings labs save them in: every text reader decodes them in one place.

Excel's "Unicode Text" is UTF-16 with a byte-order mark, its "CSV UTF-8" has a UTF-8 mark,
and its "CSV (Comma delimited)" (like most Windows software) writes Windows-1252: a header
with ``µm`` or ``°`` is then not UTF-8. A byte-order mark is always decoded; Windows-1252 is
read with a load note (a WARNING on the ``napari_whiskertoolbox.io`` logger) naming the file
and the encoding.
"""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest

from napari_whiskertoolbox.io import FormatError, load_config
from napari_whiskertoolbox.io.csv_tools import read_lines, utf8_bytes
from napari_whiskertoolbox.io.report import LoadReport

ENCODINGS = ("utf-16", "utf-8-sig", "cp1252")


def _load(tmp_path, entry, text, encoding):
    (tmp_path / entry["filepath"]).write_bytes(text.encode(encoding))
    (tmp_path / "config.json").write_text(json.dumps([{"name": "k", **entry}]))
    report = LoadReport()
    dm = load_config(tmp_path / "config.json", report=report)
    notes = [n for n in report.notes if "Windows-1252" in n.message]
    if encoding == "cp1252" and not text.isascii():
        [note] = notes
        assert note.path == str(tmp_path / entry["filepath"])
        assert "read as Windows-1252 (cp1252)" in note.message
    else:
        assert notes == []
    return dm


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_analog_events_intervals(tmp_path, encoding):
    dm = _load(
        tmp_path,
        {"data_type": "analog", "format": "csv", "filepath": "a.csv", "has_header": True},
        "Winkel (°)\n1.5\n2.5\n",
        encoding,
    )
    np.testing.assert_array_equal(dm.get_data("k").values, [1.5, 2.5])
    dm = _load(
        tmp_path,
        {"data_type": "digital_event", "format": "csv", "filepath": "e.csv",
         "has_header": True, "identifier_column": 1},
        "Zeit (µs),Einheit\n5,Tür\n9,Tür\n7,Fenster\n",
        encoding,
    )  # fmt: skip
    np.testing.assert_array_equal(dm.get_data("k_1").times, [5, 9])  # 'Tür' sorts after 'F'
    dm = _load(
        tmp_path,
        {"data_type": "digital_interval", "format": "csv", "filepath": "i.csv"},
        "Start (µs),Ende\n3,8\n",
        encoding,
    )
    np.testing.assert_array_equal(dm.get_data("k").intervals, [[3, 8]])


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_fast_path_readers(tmp_path, encoding):
    """Points, lines and masks CSVs (pyarrow's fast paths take the UTF-8 bytes)."""
    dm = _load(
        tmp_path,
        {"data_type": "points", "format": "csv", "filepath": "p.csv", "column_delim": ",",
         "has_header": True},
        "Bild,x (µm),y (µm)\n0,1.5,2\n3,4,5.25\n",
        encoding,
    )  # fmt: skip
    np.testing.assert_array_equal(dm.get_data("k").to_flat().times, [0, 3])
    np.testing.assert_array_equal(dm.get_data("k").to_flat().coords, [[1.5, 2], [4, 5.25]])
    dm = _load(
        tmp_path,
        {"data_type": "line", "format": "csv", "filepath": "l.csv"},
        'Frame,X (µm),Y (µm)\n2,"1.5,2.5","3,4"\n',
        encoding,
    )
    np.testing.assert_array_equal(dm.get_data("k").to_flat().coords, [[1.5, 3], [2.5, 4]])
    dm = _load(
        tmp_path,
        {"data_type": "mask", "format": "csv", "filepath": "m.csv"},
        'Frame,RLE (Zeile, Spalte, Länge)\n1,"0,2,3"\n',
        encoding,
    )
    np.testing.assert_array_equal(dm.get_data("k").to_flat().times, [1])
    assert dm.get_data("k").to_flat().coords.shape == (3, 2)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_deeplabcut_csv(tmp_path, encoding):
    """A DeepLabCut CSV re-saved by Excel, with a body part named in German."""
    columns = pd.MultiIndex.from_product(
        [["Jörg"], ["Ohr", "Nüster"], ["x", "y"]], names=["scorer", "bodyparts", "coords"]
    )
    text = pd.DataFrame([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]], columns=columns).to_csv()
    dm = _load(
        tmp_path, {"data_type": "points", "format": "dlc_csv", "filepath": "d.csv"}, text, encoding
    )
    np.testing.assert_array_equal(dm.get_data("k_Nüster").to_flat().coords, [[3, 4], [7, 8]])


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_tensor_and_clock_text(tmp_path, encoding):
    dm = _load(
        tmp_path,
        {"data_type": "tensor", "format": "csv", "filepath": "t.csv"},
        "Zeile,Länge,Höhe\n0,1.5,2\n1,3,4\n",
        encoding,
    )
    np.testing.assert_array_equal(dm.get_data("k").values, [[1.5, 2], [3, 4]])
    assert list(dm.get_data("k").column_names) == ["Länge", "Höhe"]
    dm = _load(
        tmp_path, {"data_type": "time", "format": "csv", "filepath": "c.csv"}, "0\n3\n6\n", encoding
    )
    np.testing.assert_array_equal(dm.get_time("k").times, [0, 3, 6])


def test_config_json_and_batch_manifest_in_utf16(tmp_path):
    from napari_whiskertoolbox.batch import read_manifest

    (tmp_path / "a.csv").write_text("1\n2\n")
    entry = {"data_type": "analog", "format": "csv", "name": "Maß", "filepath": "a.csv"}
    (tmp_path / "config.json").write_bytes(json.dumps([entry]).encode("utf-16"))
    assert list(load_config(tmp_path / "config.json").keys()) == ["Maß"]
    (tmp_path / "list.csv").write_bytes("session\nmäuse1.session\n".encode("utf-16"))
    assert [p.name for p in read_manifest(tmp_path / "list.csv")] == ["mäuse1.session"]


def test_a_legacy_file_opened_outside_a_config_is_logged(tmp_path, caplog):
    path = tmp_path / "a.csv"
    path.write_bytes("Zeit (µs)\n0\n".encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="napari_whiskertoolbox.io"):
        assert read_lines(path) == ["Zeit (µs)", "0"]
    [record] = caplog.records
    assert str(path) in record.getMessage()
    assert "Windows-1252" in record.getMessage()


def test_plain_utf8_is_the_same_bytes_object():
    """The common case costs no copy (the pyarrow fast paths read the bytes as they are)."""
    ascii_data = b"Frame,X,Y\n1,2,3\n"
    utf8_data = "Frame,X (µm),Y\n1,2,3\n".encode()
    assert utf8_bytes(ascii_data, "a.csv") is ascii_data
    assert utf8_bytes(utf8_data, "a.csv") is utf8_data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"0\n1\n\x81\x8d\n", "byte 0x81 at column 1"),  # neither UTF-8 nor Windows-1252
        (b"0\n\x00\x01\xff\xfe", "binary data"),
        ("0\n1\n".encode("utf-16")[:-1], "expected UTF-16 text"),  # cut inside a character
    ],
)
def test_undecodable_text_is_named(tmp_path, data, expected):
    (tmp_path / "a.csv").write_bytes(data)
    (tmp_path / "config.json").write_text(
        json.dumps([{"data_type": "analog", "name": "k", "format": "csv", "filepath": "a.csv"}])
    )
    with pytest.raises(FormatError, match=expected) as info:
        load_config(tmp_path / "config.json")
    assert "a.csv" in str(info.value)
    assert "line " in str(info.value)
