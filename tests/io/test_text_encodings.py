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

ENCODINGS = ("utf-16", "utf-8-sig", "cp1252", "utf-16-le", "utf-16-be")
"""utf-16-le/-be: no byte-order mark (LabVIEW, MATLAB, .NET write them so): read with a note."""


def _load(tmp_path, entry, text, encoding):
    (tmp_path / entry["filepath"]).write_bytes(text.encode(encoding))
    (tmp_path / "config.json").write_text(json.dumps([{"name": "k", **entry}]))
    report = LoadReport()
    dm = load_config(tmp_path / "config.json", report=report)
    notes = [n for n in report.notes if "not UTF-8 text" in n.message]
    if encoding in ("utf-16-le", "utf-16-be"):
        [note] = notes
        assert note.path == str(tmp_path / entry["filepath"])
        endian = "little" if encoding.endswith("le") else "big"
        assert f"read as UTF-16 {endian}-endian without a byte-order mark" in note.message
    elif encoding == "cp1252" and not text.isascii():
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
    from napari_whiskertoolbox.io.routing import open_path

    (tmp_path / "a.csv").write_text("1\n2\n")
    entry = {"data_type": "analog", "format": "csv", "name": "Maß", "filepath": "a.csv"}
    (tmp_path / "config.json").write_bytes(json.dumps([entry]).encode("utf-16"))
    assert list(load_config(tmp_path / "config.json").keys()) == ["Maß"]
    opened = open_path(tmp_path / "config.json")  # File > Open: was 'not a file we open'
    assert (opened.kind, list(opened.dm.keys())) == ("config", ["Maß"])
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
        (b"0\n1\n\x00\x00\x00\x00", "binary data"),  # ASCII with NULs: not UTF-16 text either
        (np.arange(40, dtype="<i2").tobytes(), "binary data"),  # int16 samples 0..39
        (np.full(40, 50, "<i2").tobytes(), "binary data"),  # '2' 40 times: no whitespace
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


def test_utf16_without_a_mark_is_told_from_binary_data():
    """NUL bytes at every other position of text are UTF-16 (which byte says the order)."""
    text = "Zeit (µs),Ω\n5,Tür\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        data = text.encode(encoding)
        assert utf8_bytes(data, "a.csv", quiet=True).decode() == text
        assert utf8_bytes(data[:15], "a.csv", partial=True, quiet=True) == b"Zeit (\xc2\xb5"
        with pytest.raises(FormatError, match=r"a\.csv.*binary data"):
            utf8_bytes(data[:-1], "a.csv")  # an odd byte count: no UTF-16 text


def test_pipeline_and_runner_json_in_any_text_encoding(tmp_path, caplog):
    """Transforms' pipeline files and runner configs are decoded as every text input."""
    from napari_whiskertoolbox.transforms.errors import TransformError
    from napari_whiskertoolbox.transforms.json_runner import run_json_pipeline
    from napari_whiskertoolbox.transforms.library import PipelineLibrary
    from napari_whiskertoolbox.transforms.pipeline import load_pipeline

    pipeline = {
        "metadata": {"name": "Glätten"},
        "steps": [{"step_id": "area", "transform_name": "CalculateMaskArea"}],
    }
    runner = {"commands": []}
    for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "cp1252"):
        path = tmp_path / f"{encoding}.json"
        path.write_bytes(json.dumps(pipeline, ensure_ascii=False).encode(encoding))
        with caplog.at_level(logging.WARNING, logger="napari_whiskertoolbox.io"):
            caplog.clear()
            assert load_pipeline(path).metadata["name"] == "Glätten"
        if encoding in ("utf-16-le", "utf-16-be", "cp1252"):
            [record] = caplog.records
            assert str(path) in record.getMessage()
            assert "not UTF-8 text" in record.getMessage()
        else:
            assert caplog.records == []
        runner_path = tmp_path / f"runner-{encoding}.json"
        runner_path.write_bytes(json.dumps(runner).encode(encoding))
        assert run_json_pipeline(runner_path).success, encoding
    names = {
        e.id: e.name for e in PipelineLibrary(tmp_path).entries()
    }  # the Transforms dock's list
    assert names["utf-16-be"] == names["cp1252"] == "Glätten"
    (tmp_path / "bad.json").write_bytes(b"{\x00\x01\x00\x00\x00}")
    with pytest.raises(TransformError, match=r"bad\.json.*binary data"):
        load_pipeline(tmp_path / "bad.json")
    result = run_json_pipeline(tmp_path / "bad.json")
    assert result.phase == "parse"
    assert "bad.json" in result.message
    assert "binary data" in result.message


def test_deeplabcut_config_yaml_in_utf16(tmp_path):
    """A DeepLabCut project whose config.yaml a Windows editor saved as UTF-16."""
    from _dlc_project import copy_reaching
    from napari_whiskertoolbox.io.pose import pose_sets
    from napari_whiskertoolbox.io.routing import classify_path, open_path

    project = copy_reaching(tmp_path)
    config = project / "config.yaml"
    config.write_bytes(config.read_text(encoding="utf-8").encode("utf-16-le"))
    assert classify_path(config) == "deeplabcut"
    [pose] = pose_sets(open_path(project).dm).values()
    assert pose.bodyparts[:2] == ["Hand", "Finger1"]  # the config's order
    assert pose.skeleton  # and its skeleton
