"""Fuzzing the WhiskerToolbox format readers: truncations, byte flips, files rebuilt from a seed.

Every reader is fed hypothesis-generated variants of a seed file — WhiskerToolbox's own test
files in ``tests/data/whiskertoolbox/`` where one exists, else a small file written here — and
must either load or raise the format error family (``FormatError``; ``MediaError`` for media)
with a message naming the file; never another exception, never a hang (each example has a
deadline), and on error the DataManager it loads into is unchanged. The number of cases run per
reader is printed at the end of the module. CI runs a fixed set (12 cases per reader and
mutation kind, 4 for video); ``WTB_FUZZ_EXAMPLES=N`` runs N randomised cases of each.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.io import FormatError, load_config
from napari_whiskertoolbox.media.errors import MediaError

WTB_FIXTURES = Path(__file__).parents[1] / "data" / "whiskertoolbox"


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _png() -> bytes:
    import imageio.v3 as iio

    image = np.zeros((6, 8), np.uint8)
    image[2:4, 3:6] = 255
    return iio.imwrite("<bytes>", image, extension=".png")


def _h5(**datasets: np.ndarray) -> bytes:
    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        for name, values in datasets.items():
            f[name] = values
    return buffer.getvalue()


def _h5_ragged() -> bytes:
    """WhiskerToolbox's line HDF5: frames, and variable-length x / y per line."""
    import h5py

    buffer = io.BytesIO()
    vlen = h5py.vlen_dtype(np.float32)
    with h5py.File(buffer, "w") as f:
        f["frames"] = np.array([0, 2, 2])
        for name, offset in (("x", 0.0), ("y", 5.0)):
            column = f.create_dataset(name, (3,), dtype=vlen)
            for i in range(3):
                column[i] = np.arange(i + 2, dtype=np.float32) + offset
    return buffer.getvalue()


def _ttl() -> bytes:
    words = np.zeros(64, dtype="<u2")
    words[5:9] |= 0b10
    words[20:31] |= 0b10
    return words.tobytes()


_JUN = {"header_lines_to_skip": 5, "delimiter": "\t"}
# name: (data_type, seed: fixture path or bytes, file name, options)
READERS: dict[str, tuple[str, str | bytes, str, dict]] = {
    "points csv": ("points", "Points/test_point.csv", "p.csv", {"format": "csv"}),
    "points dlc_csv": ("points", "Points/dlc_test.csv", "d.csv",
                       {"format": "dlc_csv", "likelihood_threshold": 0.5}),
    "points csv dlc": ("points", "Points/dlc_test.csv", "d.csv",
                       {"format": "csv", "csv_layout": "dlc"}),
    "line csv": ("line", "Lines/line_test_large.csv", "l.csv", {"format": "csv"}),
    "analog csv": ("analog", "Analog/single_column.csv", "a.csv", {"format": "csv"}),
    "analog csv two-column": ("analog", b"Time,Data\n0,1.50\n3,-2.25\n4,7\n", "a.csv",
                              {"format": "csv", "single_column_format": False}),
    "digital_event csv": ("digital_event", "DigitalEvents/events.csv", "e.csv",
                          {"format": "csv", "scale": 30000}),
    "digital_event csv identifiers": ("digital_event", b"0.5,u1\n0.75,u2\n1.0,u1\n", "e.csv",
                                      {"format": "csv", "identifier_column": 1, "scale": 100}),
    "digital_interval csv": ("digital_interval", b"Start,End\n0,99\n100,199\n150,160\n", "i.csv",
                             {"format": "csv"}),
    "digital_interval binary_state": ("digital_interval", "DigitalIntervals/jun_test.dat",
                                      "s.dat", {"format": "csv", "csv_layout": "binary_state",
                                                "all_columns": True, **_JUN}),
    "time multi_column_binary": ("time", "DigitalIntervals/jun_test.dat", "s.dat",
                                 {"format": "multi_column_binary", "sampling_rate": 14000,
                                  **_JUN}),
    "mask csv": ("mask", b'Frame,RLE\n0,"1,2,3,2,0,4"\n0,""\n7,"10,10,1"\n', "m.csv",
                 {"format": "csv"}),
    "mask image": ("mask", _png(), "0003.png", {"format": "image"}),
    "analog binary": ("analog", np.arange(60, dtype="<i2").tobytes(), "a.bin",
                      {"format": "binary", "num_channels": 3, "header_size": 4,
                       "use_memory_mapped": True, "offset": 1, "stride": 2}),
    "digital_event uint16": ("digital_event", _ttl(), "t.bin",
                             {"format": "uint16", "channel": 1, "transition": "rising"}),
    "digital_interval uint16": ("digital_interval", _ttl(), "t.bin",
                                {"format": "binary", "channel": 1, "transition": "falling"}),
    "time uint16": ("time", _ttl(), "t.bin",
                    {"format": "uint16", "channel": 1, "transition": "rising", "header_size": 2}),
    "tensor numpy": ("tensor", _npy(np.arange(12, dtype=np.float32).reshape(4, 3)), "t.npy",
                     {"format": "numpy"}),
    "tensor csv": ("tensor", b"row,a,b\n0-9,1.5,2\n10-19,3,4\n", "t.csv", {"format": "csv"}),
    "video": ("video", "Media/test_each_frame_number.mp4", "v.mp4", {}),
    "digital_event csv identifiers decimal commas": (
        "digital_event", b"time,unit\n0,512,u1\n1,000,u1\n2,250,u2\n", "e.csv",
        {"format": "csv", "identifier_column": 1, "decimal": ",", "scale": 1000}),
    "analog csv utf-16": ("analog", "Winkel (\u00b0)\n1.5\n2.5\n-3\n".encode("utf-16"), "a.csv",
                          {"format": "csv", "has_header": True}),
    "points csv windows-1252": ("points", "Bild,x (\u00b5m),y\n0,1.5,2\n3,4,5\n".encode("cp1252"),
                                "p.csv", {"format": "csv", "column_delim": ",",
                                          "has_header": True}),
    "time csv": ("time", b"0\n3\n6\n10\n", "c.csv", {"format": "csv"}),
    "analog hdf5": ("analog", _h5(t=np.array([0.0, 2, 5]), v=np.array([1.0, 2, 3])), "a.h5",
                    {"format": "hdf5", "time_key": "t", "value_key": "v"}),
    "line hdf5": ("line", _h5_ragged(), "l.h5", {"format": "hdf5"}),
    "digital_event hdf5": ("digital_event", _h5(t=np.arange(4) / 10, e=np.array([0, 1, 0, 1.0])),
                           "e.h5", {"format": "hdf5", "time_key": "t", "event_key": "e",
                                    "scale": 10}),
}  # fmt: skip
FOLDER_READERS = {"mask image"}
SLOW = {"video"}
# CI: a fixed, fast set; WTB_FUZZ_EXAMPLES=500 runs a deeper randomised search locally.
DEEP = int(os.environ.get("WTB_FUZZ_EXAMPLES", "0"))
EXAMPLES = DEEP or 12
SLOW_EXAMPLES = max(4, DEEP // 10)
CASES: Counter[str] = Counter()


def _seed(name: str) -> bytes:
    seed = READERS[name][1]
    if isinstance(seed, bytes):
        return seed
    path = WTB_FIXTURES / seed
    if not path.is_file():
        pytest.skip(f"WhiskerToolbox fixture missing at {path}")
    return path.read_bytes()


@st.composite
def variants(draw: st.DrawFn, seed: bytes, kind: str) -> bytes:
    """A truncation, a few byte flips, or a file rebuilt from the seed's own pieces."""
    if kind == "truncate":
        return seed[: draw(st.integers(0, len(seed)))]
    if kind == "flip":
        data = bytearray(seed)
        for _ in range(draw(st.integers(1, 8))):
            if data:
                i = draw(st.integers(0, len(data) - 1))
                data[i] ^= draw(st.integers(1, 255))
        return bytes(data)
    pieces = seed.split(b"\n") if seed.count(b"\n") > 2 else [
        seed[i : i + 16] for i in range(0, len(seed), 16)
    ]  # fmt: skip
    chosen = draw(st.lists(st.sampled_from(pieces), max_size=24))
    noise = draw(st.binary(max_size=8))
    joiner = b"\n" if seed.count(b"\n") > 2 else b""
    body = joiner.join(chosen)
    at = draw(st.integers(0, len(body)))
    return body[:at] + noise + body[at:]


def _populated() -> DataManager:
    dm = DataManager()
    dm.set_data("existing", DigitalEventSeries([1, 2, 3]))
    dm.mark_saved()
    return dm


def _check(folder, name: str, content: bytes) -> None:
    data_type, _, file_name, options = READERS[name]
    target = folder / "input"
    target.mkdir(exist_ok=True)
    for old in target.iterdir():
        old.unlink()
    (target / file_name).write_bytes(content)
    filepath = "input" if name in FOLDER_READERS else f"input/{file_name}"
    config = folder / "config.json"
    config.write_text(json.dumps([{"data_type": data_type, "name": "k", "filepath": filepath,
                                   **options}]))  # fmt: skip
    dm = _populated()
    before = (dm.keys(), dm.get_data("existing"), dm.time_keys(), dict(dm.metadata))
    error = None
    try:
        load_config(config, dm)
    except (FormatError, MediaError) as exc:
        error = str(exc)
    CASES[name] += 1
    if error is None:
        return
    assert file_name in error or "input" in error, error
    after = (dm.keys(), dm.get_data("existing"), dm.time_keys(), dict(dm.metadata))
    assert after[0] == before[0]
    assert after[1] is before[1]
    assert after[2:] == before[2:]
    assert not dm.modified


@pytest.fixture(scope="module", autouse=True)
def _report_case_counts(request):
    yield
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    if reporter is not None and CASES:
        reporter.write_line("")
        reporter.write_line(f"fuzz cases per reader ({sum(CASES.values())} in all):")
        for name in READERS:
            reporter.write_line(f"  {name:32s} {CASES[name]}")


@pytest.mark.parametrize("kind", ["truncate", "flip", "rebuild"])
@pytest.mark.parametrize("name", list(READERS))
def test_reader_survives_fuzzed_input(tmp_path_factory, name, kind):
    seed = _seed(name)
    folder = tmp_path_factory.mktemp("fuzz")
    slow = name in SLOW

    @settings(
        max_examples=SLOW_EXAMPLES if slow else EXAMPLES,
        deadline=10_000 if slow else 3_000,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        derandomize=not DEEP,
        database=None,
    )
    @given(content=variants(seed, kind))
    def run(content: bytes) -> None:
        _check(folder, name, content)

    run()
