"""Configs tried as a WhiskerToolbox user writes them (options straight from its docs).

Each test is a config WhiskerToolbox loads that we refused, or loaded with other values
without a word; values come from ``shared/reference/wt_loaders.md`` (section in each test).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
import pytest
from _config_support import load

from napari_whiskertoolbox.io import FormatError

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize("clock", [3, True, ["cam"], {"name": "cam"}])
def test_non_string_clock_is_ignored_as_whiskertoolbox_does(tmp_path, clock):
    """§1.6: a non-string ``clock`` is ignored; the data stay on ``time`` (we said 'never defined')."""
    (tmp_path / "e.csv").write_text("0\n4\n")
    item = {"data_type": "digital_event", "name": "e", "format": "csv", "filepath": "e.csv",
            "clock": clock}  # fmt: skip
    dm, report = load(tmp_path, item)
    assert dm.time_key("e") == "time"
    np.testing.assert_array_equal(dm.get_data("e").times, [0, 4])
    (note,) = report.of_kind("unknown_option")
    assert note.item == "[0] 'e'"
    assert "option 'clock'" in note.message
    assert json.dumps(clock) in note.message


def _two_channels(tmp_path: Path) -> np.ndarray:
    flat = np.arange(20, dtype="<i2")  # channel 0 = 0, 2, 4, ...; channel 1 = 1, 3, 5, ...
    (tmp_path / "a.dat").write_bytes(flat.tobytes())
    return flat


@pytest.mark.parametrize("mmap", [True, False])
def test_tensor_backed_binary_notes_the_options_whiskertoolbox_ignores(tmp_path, mmap):
    """§7.1: the tensor-backed loader ignores offset/stride/num_samples (and, without
    use_memory_mapped, scale_factor/offset_value). We apply them: the values differ, so the
    load must say so (it was silent; only the plain in-memory case was noted)."""
    flat = _two_channels(tmp_path)
    item = {"data_type": "analog", "name": "a", "format": "binary", "filepath": "a.dat",
            "num_channels": 2, "use_tensor_backed": True, "use_memory_mapped": mmap,
            "offset": 2, "scale_factor": 2.0}  # fmt: skip
    dm, report = load(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("a_0").values, flat[2::2] * 2.0)
    (note,) = report.of_kind("divergence")
    assert "use_tensor_backed" in note.message
    assert ("'scale_factor'" in note.message) is (not mmap)
    assert "'offset'" in note.message


def test_tensor_backed_memory_mapped_scale_is_not_a_divergence(tmp_path):
    """§7.1: tensor-backed mmap applies scale_factor/offset_value as we do: no note."""
    flat = _two_channels(tmp_path)
    item = {"data_type": "analog", "name": "a", "format": "binary", "filepath": "a.dat",
            "num_channels": 2, "use_tensor_backed": True, "use_memory_mapped": True,
            "scale_factor": 0.5, "offset_value": 1.0}  # fmt: skip
    dm, report = load(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("a").values, flat.reshape(-1, 2) * 0.5 + 1)
    assert not report.of_kind("divergence")


@pytest.mark.parametrize(
    ("times", "frames"),
    [
        ([-2.5, -0.5, 0.5, 2.5], [-3, -1, 1, 3]),  # std::round: halves away from zero
        ([0.49999999999999994, 1.0], [0, 1]),  # floor(x + 0.5) gave 1 for the first
    ],
)
def test_hdf5_times_round_as_std_round(tmp_path, times, frames):
    """§7.3/§8.4: frame = round(time x scale), C++ std::round (we rounded negative halves up)."""
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "a.h5", "w") as handle:
        handle["t"] = np.asarray(times)
        handle["v"] = np.ones(len(times))
    common = {"format": "hdf5", "filepath": "a.h5", "time_key": "t"}
    dm, _ = load(
        tmp_path,
        {"data_type": "analog", "name": "a", "value_key": "v", **common},
        {"data_type": "digital_event", "name": "e", "event_key": "v", **common},
    )
    np.testing.assert_array_equal(dm.get_data("a").times, frames)
    np.testing.assert_array_equal(dm.get_data("e").times, frames)


def test_choice_options_whiskertoolbox_falls_back_on(tmp_path):
    """§2.3 ``mode``, §2.6 ``edge``, §3.2 ``display_format``: WhiskerToolbox reads an unknown
    string as the default (found_values, start, Color). We refused ``mode`` and
    ``display_format`` and read ``edge`` silently; now each is read as WhiskerToolbox reads it
    and noted."""
    iio = pytest.importorskip("imageio.v3")
    (tmp_path / "frames").mkdir()
    for n in (3, 1):
        iio.imwrite(tmp_path / "frames" / f"x_{n}.png", np.full((2, 3), n, np.uint8))
    (tmp_path / "i.csv").write_text("0,1\n")
    dm, report = load(
        tmp_path,
        {"data_type": "time", "name": "t", "format": "filename", "filepath": "frames",
         "regex_pattern": r"x_(\d+)", "mode": "ZeroToMax"},
        {"data_type": "images", "name": "media", "filepath": "frames", "display_format": "RGB"},
        {"data_type": "digital_interval", "name": "i", "format": "csv", "filepath": "i.csv",
         "skip_header": False, "clock": "t"},
        {"data_type": "time", "name": "c", "format": "derived", "source_timeframe": "t",
         "source_series": "i", "source_type": "interval", "edge": "End"},
    )  # fmt: skip
    np.testing.assert_array_equal(dm.get_time("t").times, [1, 3])  # found_values, not 0..3
    assert dm.get_data("media").shape == (2, 2, 3)
    np.testing.assert_array_equal(dm.get_time("c").times, [1])  # start 0 through t (end: 3)
    notes = {n.item: n.message for n in report.of_kind("unknown_option")}
    assert "'ZeroToMax'" in notes["[0] 't'"]
    assert "'found_values'" in notes["[0] 't'"]
    assert "'RGB'" in notes["[1] 'media'"]
    assert "'Color'" in notes["[1] 'media'"]
    assert "'End'" in notes["[3] 'c'"]
    assert "'start'" in notes["[3] 'c'"]


def test_derived_source_series_without_source_type_is_noted(tmp_path):
    """§2.6: ``source_series``/``source_type`` are read only together; one alone is ignored and
    the legacy ``interval_series`` wins. The clock is WhiskerToolbox's; the ignored option was
    not reported."""
    ttl = np.array([0, 1, 0, 0, 1, 0, 0, 1, 0, 0], "<u2")  # rising edges at 1, 4, 7
    (tmp_path / "t.bin").write_bytes(ttl.tobytes())
    (tmp_path / "e.csv").write_text("1\n")
    (tmp_path / "i.csv").write_text("0,2\n")
    dm, report = load(
        tmp_path,
        {"data_type": "time", "name": "daq", "format": "uint16", "filepath": "t.bin",
         "channel": 0, "transition": "rising"},
        {"data_type": "digital_event", "name": "e", "format": "csv", "filepath": "e.csv",
         "clock": "daq"},
        {"data_type": "digital_interval", "name": "i", "format": "csv", "filepath": "i.csv",
         "skip_header": False, "clock": "daq"},
        {"data_type": "time", "name": "c", "format": "derived", "source_timeframe": "daq",
         "source_series": "e", "interval_series": "i", "edge": "end"},
    )  # fmt: skip
    np.testing.assert_array_equal(dm.get_time("c").times, [7])  # end 2 of [0, 2] through daq
    (note,) = report.of_kind("unknown_option")
    assert note.item == "[3] 'c'"
    assert "'source_series'" in note.message


def test_a_required_option_of_a_guessed_format_says_no_format_was_given(tmp_path):
    """A ``time`` .bin item without ``format`` is read as uint16: the error says it was guessed."""
    np.zeros(10, np.uint16).tofile(tmp_path / "clock.bin")
    item = {"data_type": "time", "name": "cam", "filepath": "clock.bin"}
    with pytest.raises(FormatError, match=r"'channel'.*uint16 \(the item gives no 'format'\)"):
        load(tmp_path, item)
    with pytest.raises(FormatError, match=r"required for time uint16$"):
        load(tmp_path, {**item, "format": "uint16"})
