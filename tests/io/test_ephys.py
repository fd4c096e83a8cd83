"""Ephys recordings through Neo: genuine Open Ephys binary folders and Intan .rhd files."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from _ephys_files import BIT_VOLTS, RATE, write_intan_rhd, write_open_ephys

from napari_whiskertoolbox.io import FormatError, load_config
from napari_whiskertoolbox.io.ephys import load_recording_entries
from napari_whiskertoolbox.io.optional import MissingDependencyError
from napari_whiskertoolbox.io.routing import classify_path, open_path

pytest.importorskip("neo")

N = 3000


@pytest.fixture
def open_ephys(tmp_path):
    samples = ((np.arange(N * 3).reshape(N, 3) * 7) % 2001 - 1000).astype(np.int16)
    node = write_open_ephys(
        tmp_path, samples, {1: [(100, 200), (1000, 1100), (2500, 2600)], 3: [(50, 60)]}
    )
    return node, samples


def test_open_ephys_folder_channels_ttl_and_clock(open_ephys) -> None:
    node, samples = open_ephys
    assert classify_path(node) == "ephys"
    assert classify_path(node.parent) == "ephys"  # the root above the Record Node too
    dm = open_path(node).dm
    assert sorted(dm.keys("analog")) == ["ephys_CH1", "ephys_CH2", "ephys_CH3"]
    np.testing.assert_allclose(
        dm.get_data("ephys_CH2").values,
        samples[:, 1].astype(np.float32) * np.float32(BIT_VOLTS),
        rtol=1e-6,
    )
    np.testing.assert_array_equal(dm.get_data("ephys_TTL1").times, [100, 1000, 2500])
    np.testing.assert_array_equal(dm.get_data("ephys_TTL3").times, [50])
    clock = dm.get_time("time")
    assert len(clock) == N
    assert clock.sampling_rate == RATE
    assert dm.time_key("ephys_CH1") == "time"


def test_open_ephys_channels_are_memory_mapped_not_read(open_ephys) -> None:
    node, samples = open_ephys
    entries = dict(load_recording_entries(node, "e"))
    data = next(node.rglob("continuous.dat"))
    on_disk = np.memmap(data, dtype=np.int16, mode="r+", shape=samples.shape)
    on_disk[5, 0] = 1234  # changed after loading, before the first access
    on_disk.flush()
    assert entries["e_CH1"].values[5] == pytest.approx(1234 * BIT_VOLTS)


def test_config_neo_with_channels_and_camera_clock_from_ttl(open_ephys, tmp_path) -> None:
    node, _ = open_ephys
    config = {
        "data": [
            {"data_type": "analog", "name": "rec", "format": "neo", "filepath": str(node), "channels": ["CH3", 0]},
            {"data_type": "time", "name": "camera", "format": "derived",
             "source_timeframe": "time", "source_series": "rec_TTL1", "source_type": "event"},
        ]
    }  # fmt: skip
    (tmp_path / "c.json").write_text(json.dumps(config))
    dm = load_config(tmp_path / "c.json")
    assert sorted(dm.keys("analog")) == ["rec_CH1", "rec_CH3"]
    camera = dm.get_time("camera")
    # ticks count from acquisition start: the recording's first sample is 1000
    np.testing.assert_array_equal(camera.times, [1100, 2000, 3500])
    assert camera.sampling_rate == RATE
    assert camera.seconds_at_index(1) == pytest.approx(2000 / RATE)
    assert dm.convert_index(1, "camera", "time") == 1000  # recorded sample 1000


def test_intan_rhd_through_neo(tmp_path) -> None:
    n = 600
    amplifier = (32768 + (np.arange(n * 2).reshape(n, 2) % 300)).astype(np.uint16)
    digital = np.zeros(n, np.uint16)
    digital[100:150] |= 1
    digital[500:520] |= 1
    digital[300:310] |= 2
    path = write_intan_rhd(tmp_path / "rec.rhd", amplifier, digital)
    assert classify_path(path) == "ephys"
    dm = open_path(path).dm
    np.testing.assert_allclose(
        dm.get_data("ephys_A-001").values,
        (amplifier[:, 1].astype(np.float32) - 32768) * 0.195,
        rtol=1e-5,
        atol=1e-4,
    )
    np.testing.assert_array_equal(dm.get_data("ephys_DIN-00").times, [100, 500])
    np.testing.assert_array_equal(dm.get_data("ephys_DIN-01").times, [300])
    assert dm.get_time("time").sampling_rate == 20000.0
    assert len(dm.get_time("time")) == n


def test_bad_recordings_name_the_file(tmp_path) -> None:
    bad = tmp_path / "x.rhd"
    bad.write_bytes(b"\x00" * 100)
    with pytest.raises(FormatError, match=r"x\.rhd.*IntanRawIO"):
        load_recording_entries(bad, "e")
    with pytest.raises(FormatError, match="Neo has no raw IO named 'Nope'"):
        load_recording_entries(bad, "e", io_name="Nope")


def test_missing_neo_names_the_extra(monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "neo", None)
    with pytest.raises(
        MissingDependencyError, match=r"pip install 'napari-whiskertoolbox\[ephys\]'"
    ):
        load_recording_entries(tmp_path, "e")


def test_a_folder_of_several_recordings_names_those_left_out(open_ephys, caplog) -> None:
    """Record pressed twice: Neo's segments 0 and 1. Were: the second silently not read."""
    import shutil

    node, _ = open_ephys
    second = node / "experiment1" / "recording2"
    shutil.copytree(node / "experiment1" / "recording1", second)
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        dm = open_path(node).dm
    assert len(dm.get_time("time")) == N  # the first recording
    said = [r.getMessage() for r in caplog.records if "recording2" in r.getMessage()]
    assert len(said) == 1
    assert "2 recordings" in said[0]
    assert str(second) in said[0]  # the folder to open to read it
    caplog.clear()
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        open_path(second)  # that folder alone: one recording, nothing said
    assert not [r for r in caplog.records if "recordings" in r.getMessage()]
