"""Fuzz every interop reader: truncated, byte-flipped and random files.

Each reader must either load the file or raise :class:`FormatError` naming the file, and a
failed open must leave the DataManager exactly as it was. Examples per reader and kind of
damage: :data:`EXAMPLES` (printed with ``-s``).
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from napari_whiskertoolbox.core import AnalogTimeSeries, DataManager
from napari_whiskertoolbox.io import FormatError
from napari_whiskertoolbox.io.interop_routing import open_interop

EXAMPLES = 30
DLC = Path(__file__).resolve().parents[1] / "data" / "deeplabcut" / "reaching"
COUNTS: Counter[str] = Counter()
_names = itertools.count()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, Path]:
    """One valid file per reader; the fuzzer damages copies of them."""
    folder = tmp_path_factory.mktemp("seeds")
    labels = DLC / "labeled-data" / "reachingvideo1"
    out = {
        "dlc_csv": shutil.copy(labels / "CollectedData_Mackenzie.csv", folder / "dlc.csv"),
        "dlc_h5": shutil.copy(labels / "CollectedData_Mackenzie.h5", folder / "dlc.h5"),
    }
    sio = pytest.importorskip("sleap_io")
    skeleton = sio.Skeleton(nodes=["a", "b"], edges=[["a", "b"]])
    video = sio.Video(filename="v.mp4", open_backend=False)
    track = sio.Track(name="t1")
    frames = [
        sio.LabeledFrame(video=video, frame_idx=t, instances=[sio.Instance.from_numpy(np.array([[1.0, 2], [3, 4]]) + t, skeleton=skeleton, track=track)])
        for t in range(4)
    ]  # fmt: skip
    labels_obj = sio.Labels(
        labeled_frames=frames, videos=[video], skeletons=[skeleton], tracks=[track]
    )
    sio.save_slp(labels_obj, str(folder / "p.slp"))
    sio.save_analysis_h5(labels_obj, str(folder / "p.analysis.h5"))
    out["slp"] = folder / "p.slp"
    out["sleap_h5"] = folder / "p.analysis.h5"
    pytest.importorskip("pynwb")
    from napari_whiskertoolbox.core import DigitalIntervalSeries, TimeFrame
    from napari_whiskertoolbox.io.nwb_export import export_nwb

    dm = DataManager()
    dm.set_time("time", TimeFrame.from_count(20, sampling_rate=100.0))
    dm.set_data("a", AnalogTimeSeries(np.arange(20.0)))
    dm.set_data("i", DigitalIntervalSeries([[2, 5]]))
    out["nwb"] = export_nwb(dm, folder / "s.nwb")
    pytest.importorskip("neo")
    from _ephys_files import write_intan_rhd, write_open_ephys

    node = write_open_ephys(
        folder / "oe", np.arange(600, dtype=np.int16).reshape(300, 2), {1: [(10, 20)]}
    )
    out["neo_open_ephys"] = next(node.rglob("structure.oebin"))
    out["neo_intan"] = write_intan_rhd(
        folder / "r.rhd", np.full((120, 2), 32768, np.uint16), np.zeros(120, np.uint16)
    )
    return {k: Path(v) for k, v in out.items()}


KINDS = {
    "dlc_csv": "deeplabcut",
    "dlc_h5": "deeplabcut",
    "slp": "sleap",
    "sleap_h5": "sleap",
    "nwb": "nwb",
    "neo_open_ephys": "ephys",
    "neo_intan": "ephys",
}


def _damaged_copy(seed: Path, data: bytes) -> Path:
    """Write ``data`` where the reader will look for it (a copied recording folder for oebin)."""
    target = Path(tempfile.mkdtemp(prefix=f"fuzz{next(_names)}_"))
    if seed.name == "structure.oebin":
        node = seed.parents[2]
        copy = target / node.name
        shutil.copytree(node, copy)
        damaged = copy / seed.relative_to(node)
        damaged.write_bytes(data)
        return copy
    damaged = target / seed.name
    damaged.write_bytes(data)
    return damaged


def _check(reader: str, path: Path, damage: str) -> None:
    dm = DataManager()
    dm.set_data("kept", AnalogTimeSeries(np.arange(5.0)))
    before = dict(dm.items())
    groups, metadata = dm.groups.to_dict(), dict(dm.metadata)
    error: FormatError | None = None
    try:
        open_interop(path, KINDS[reader], dm)  # type: ignore[arg-type]
    except FormatError as exc:
        error = exc
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    if error is None:
        COUNTS[f"{reader} {damage} loaded"] += 1
        return
    COUNTS[f"{reader} {damage} refused"] += 1
    assert path.name in str(error) or "Record Node" in str(error)
    assert dict(dm.items()) == before
    assert dm.groups.to_dict() == groups
    assert dm.metadata == metadata


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # HDF5 may crash on some damaged files: CI tries the same ones each run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("reader", list(KINDS))
@FUZZ
@given(cut=st.floats(0.0, 0.999))
def test_truncated_files(seeds, reader, cut) -> None:
    data = seeds[reader].read_bytes()
    _check(reader, _damaged_copy(seeds[reader], data[: int(len(data) * cut)]), "truncated")


@pytest.mark.parametrize("reader", list(KINDS))
@FUZZ
@given(flips=st.lists(st.tuples(st.floats(0, 0.999), st.integers(1, 255)), min_size=1, max_size=8))
def test_byte_flipped_files(seeds, reader, flips) -> None:
    data = bytearray(seeds[reader].read_bytes())
    for where, mask in flips:
        data[int(where * len(data))] ^= mask
    _check(reader, _damaged_copy(seeds[reader], bytes(data)), "flipped")


@pytest.mark.parametrize("reader", list(KINDS))
@FUZZ
@given(data=st.binary(min_size=0, max_size=4096))
def test_random_files(seeds, reader, data) -> None:
    _check(reader, _damaged_copy(seeds[reader], data), "random")


def test_zz_report_counts() -> None:
    """Print how many damaged files each reader saw (run with -s to read it)."""
    if not COUNTS:
        pytest.skip("the fuzz tests did not run in this session (selected alone)")
    for name in sorted(COUNTS):
        print(f"fuzz {name}: {COUNTS[name]}")
    for reader in KINDS:
        seen = sum(n for key, n in COUNTS.items() if key.startswith(f"{reader} "))
        assert seen >= EXAMPLES, f"{reader}: only {seen} damaged files tried"
