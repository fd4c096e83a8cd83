"""The parse cache of big text files (``io.parse_cache``)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from napari_whiskertoolbox.io import load_config, parse_cache
from napari_whiskertoolbox.io.lines import write_lines_csv
from napari_whiskertoolbox.io.report import LoadReport


@pytest.fixture
def big_lines(tmp_path, monkeypatch):
    """A 1.5 MB lines CSV with one NaN line (kept), one bad row (a skip note), a config, and a fresh cache."""
    monkeypatch.setenv(parse_cache.CACHE_ENV, str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    n = 3000
    coords = rng.uniform(0, 640, (n * 40, 2)).astype(np.float32)
    write_lines_csv(tmp_path / "w.csv", np.arange(n) // 5, np.arange(0, n * 40 + 1, 40), coords)
    with open(tmp_path / "w.csv", "a") as handle:
        handle.write('9999,"1,nan","2,3"\n')
        handle.write('9999,"1,2,5","2,3"\n')
    item = {"data_type": "line", "name": "w", "format": "csv", "filepath": "w.csv",
            "width": 640, "height": 480}  # fmt: skip
    (tmp_path / "c.json").write_text(json.dumps([item]))
    return tmp_path / "c.json", coords


def _file_backed(array) -> bool:
    import mmap

    while array is not None:
        if isinstance(array, (np.memmap, mmap.mmap)):
            return True
        array = getattr(array, "base", None)
    return False


def _load(config):
    report = LoadReport()
    return load_config(config, report=report), report


def test_second_load_maps_the_cache(big_lines, monkeypatch):
    config, coords = big_lines
    first, report1 = _load(config)
    calls = []
    original = parse_cache._load

    def spy(entry, item):
        result = original(entry, item)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(parse_cache, "_load", spy)
    second, report2 = _load(config)
    assert calls == [True]
    a, b = first.get_data("w").to_flat(), second.get_data("w").to_flat()
    np.testing.assert_array_equal(a.coords, b.coords)
    np.testing.assert_array_equal(a.offsets, b.offsets)
    np.testing.assert_array_equal(b.coords[:120_000], coords)
    assert second.get_data("w").image_size == first.get_data("w").image_size
    assert _file_backed(b.coords)  # mapped from the cache, not read into memory
    assert not set(a.ids.tolist()) & set(b.ids.tolist())  # fresh entity ids
    assert [str(n) for n in report2.notes] == [str(n) for n in report1.notes]
    assert report2.skipped() == 1
    nan_line = second.get_data("w").at(9999)[0]
    assert np.isnan(nan_line[1, 0])
    assert nan_line[1, 1] == 3


def test_changed_file_or_options_miss_the_cache(big_lines, monkeypatch):
    config, _ = big_lines
    _load(config)
    hits = []
    original = parse_cache._load
    monkeypatch.setattr(
        parse_cache, "_load", lambda e, i: hits.append(original(e, i) is not None) or None
    )
    csv = config.parent / "w.csv"
    stat = csv.stat()
    os.utime(csv, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    _load(config)
    doc = json.loads(config.read_text())
    doc[0]["has_header"] = False
    config.write_text(json.dumps(doc))
    _load(config)
    assert hits == [False, False]


def test_damaged_entry_is_parsed_again(big_lines):
    config, coords = big_lines
    _load(config)
    for entry in (config.parent / "cache").iterdir():
        (entry / "0.coords.npy").write_bytes(b"garbage")
    dm, _ = _load(config)
    np.testing.assert_array_equal(dm.get_data("w").to_flat().coords[:120_000], coords)


def test_cache_off(big_lines, monkeypatch):
    config, _ = big_lines
    monkeypatch.setenv(parse_cache.CACHE_ENV, "off")
    _load(config)
    assert not (config.parent / "cache").exists()
