"""A failing or killed write leaves the previous file / session intact."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from napari_whiskertoolbox.core.data_manager import DataManager
from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.io import atomic as atomic_module
from napari_whiskertoolbox.io import (
    atomic_write_bytes,
    atomic_write_text,
    load_session,
    save_session,
    write_data,
)
from napari_whiskertoolbox.io import native as native_module


def _leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "f.txt"
    atomic_write_text(target, "old")
    atomic_write_text(target, "new content")
    assert target.read_text() == "new content"
    atomic_write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert _leftovers(tmp_path) == []


def test_exception_half_way_through_a_write_keeps_old_file(tmp_path):
    target = tmp_path / "f.bin"
    atomic_write_bytes(target, b"old data")

    def write_half_then_fail():
        with atomic_module.atomic_open(target, "wb") as handle:
            handle.write(b"half of the new da")
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        write_half_then_fail()
    assert target.read_bytes() == b"old data"
    assert _leftovers(tmp_path) == []


def test_failing_rename_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "f.txt"
    atomic_write_text(target, "old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_format_writer_failing_mid_write_keeps_old_csv(tmp_path, monkeypatch):
    lines = LineData.from_flat([0, 1], np.arange(20, dtype=np.float32).reshape(10, 2), [0, 5, 10])
    target = tmp_path / "l.csv"
    write_data("line", "csv", lines, target)
    before = target.read_bytes()
    calls = {"n": 0}
    real = atomic_module.os.fsync

    def fsync_then_fail(fd):
        calls["n"] += 1
        raise OSError(5, "I/O error during fsync")

    monkeypatch.setattr(atomic_module.os, "fsync", fsync_then_fail)
    bigger = LineData.from_flat([0, 1, 2], np.ones((15, 2), np.float32), [0, 5, 10, 15])
    with pytest.raises(OSError, match="I/O error"):
        write_data("line", "csv", bigger, target)
    monkeypatch.setattr(atomic_module.os, "fsync", real)
    assert calls["n"] == 1
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def _session_dm(n_frames: int, seed: int = 0) -> DataManager:
    rng = np.random.default_rng(seed)
    dm = DataManager()
    per_frame, n_points = 5, 50
    n_lines = n_frames * per_frame
    lines = LineData.from_flat(
        np.repeat(np.arange(n_frames), per_frame),
        rng.uniform(0, 640, (n_lines * n_points, 2)).astype(np.float32),
        offsets=np.arange(0, n_lines * n_points, n_points),
        image_size=(640, 480),
    )
    dm.set_data("whiskers", lines)
    dm.groups.create("first", [int(lines.ids_at(0)[0])])
    dm.metadata["saved_by"] = "test"
    return dm


def test_failure_injected_mid_session_save_keeps_old_session(
    tmp_path, monkeypatch, assert_dm_equal
):
    dm = _session_dm(200)
    save_session(dm, tmp_path / "s")
    old = load_session(tmp_path / "s")
    dm.get_data("whiskers").clear_at(0)
    dm.metadata["saved_by"] = "second save"
    real = native_module.atomic_save_npy
    calls = {"n": 0}

    def fail_on_third_file(path, array):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real(path, array)

    monkeypatch.setattr(native_module, "atomic_save_npy", fail_on_third_file)
    with pytest.raises(OSError, match="No space left"):
        save_session(dm, tmp_path / "s")
    assert dm.modified  # not marked saved
    assert_dm_equal(old, load_session(tmp_path / "s"))
    monkeypatch.setattr(native_module, "atomic_save_npy", real)
    save_session(dm, tmp_path / "s")  # a later save succeeds and cleans up after the failed one
    assert_dm_equal(dm, load_session(tmp_path / "s"))
    assert _leftovers(tmp_path / "s" / "data") == []


SAVER = textwrap.dedent(
    """
    import sys
    from napari_whiskertoolbox.io import load_session, save_session

    path = sys.argv[1]
    dm = load_session(path)
    print("loaded", flush=True)
    while True:
        save_session(dm, path)
        print("saved", flush=True)
    """
)


def test_killing_a_saving_process_keeps_the_session(tmp_path, assert_dm_equal):
    session = tmp_path / "s"
    original = _session_dm(4000, seed=1)  # ~4 MB of coordinates per save
    save_session(original, session)
    expected = load_session(session)
    script = tmp_path / "saver.py"
    script.write_text(SAVER)
    rng = random.Random(1234)
    for _round in range(3):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(session)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout.readline().strip() == "loaded"
            assert proc.stdout.readline().strip() == "saved"  # at least one full save
            time.sleep(rng.uniform(0.0, 0.15))  # then die at a random moment mid-loop
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            proc.stdout.close()
        assert proc.returncode == -signal.SIGKILL
        assert_dm_equal(expected, load_session(session))


def test_atomic_files_get_normal_permissions(tmp_path):
    """mkstemp's 0o600 must not leak into saved files: new ones follow the umask, replaced
    ones keep their mode."""
    import os
    import stat

    from napari_whiskertoolbox.io import atomic_write_text
    from napari_whiskertoolbox.io.atomic import atomic_path

    umask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "new.csv", "x\n")
        assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644
        (tmp_path / "old.csv").write_text("y\n")
        (tmp_path / "old.csv").chmod(0o640)
        atomic_write_text(tmp_path / "old.csv", "z\n")
        assert stat.S_IMODE((tmp_path / "old.csv").stat().st_mode) == 0o640
        (tmp_path / "old.h5").write_bytes(b"old")
        (tmp_path / "old.h5").chmod(0o640)
        with atomic_path(tmp_path / "old.h5") as temp:  # a library writing by file name
            temp.write_bytes(b"new")
        assert stat.S_IMODE((tmp_path / "old.h5").stat().st_mode) == 0o640
        assert (tmp_path / "old.h5").read_bytes() == b"new"
    finally:
        os.umask(umask)
