"""Resume re-runs a session whose input (config, data files, session folder) or outputs changed."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import numpy as np
from _batch_support import write_script

from napari_whiskertoolbox.batch import MARKER_FILE, run_batch
from napari_whiskertoolbox.batch.input_files import input_files

if TYPE_CHECKING:
    from pathlib import Path

    from distributed import Client

MEAN_SCRIPT = """\
import numpy as np
results = {"mean": float(np.asarray(dm.getData("sig").values).mean())}
"""


def _write_signal(path: Path, values: np.ndarray) -> None:
    path.write_text("".join(f"{v!r}\n" for v in values.tolist()))


def _animal(root: Path, name: str, offset: float) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    _write_signal(folder / "signal.csv", np.arange(10.0) + offset)
    config = [{"data_type": "analog", "name": "sig", "filepath": "signal.csv", "format": "csv"}]
    (folder / "config.json").write_text(json.dumps(config))
    return folder / "config.json"


def _run(script: Path, configs: list[Path], out: Path, client: Client) -> dict[str, object]:
    report = run_batch(script, configs, client=client, out=out)
    return {r.name: (r.status, r.results.get("mean"), r.rerun_reason) for r in report.records} | {
        "_summary": report.summary()
    }


def test_a_changed_data_file_reruns_its_session_and_says_why(
    tmp_path: Path, threads_client: Client
) -> None:
    configs = [_animal(tmp_path / "data", f"animal{i}", 10.0 * i) for i in range(2)]
    script = write_script(tmp_path / "mean.py", MEAN_SCRIPT)
    out = tmp_path / "out"
    first = _run(script, configs, out, threads_client)
    assert first["animal0-config"] == ("done", 4.5, None)
    assert first["animal1-config"] == ("done", 14.5, None)

    signal = configs[0].parent / "signal.csv"
    _write_signal(signal, np.arange(10.0) + 100.0)  # same session, new values
    again = _run(script, configs, out, threads_client)
    assert again["animal0-config"] == ("done", 104.5, "input changed: signal.csv")
    assert again["animal1-config"] == ("skipped", 14.5, None)
    assert "ran again: input changed: signal.csv" in str(again["_summary"])
    report_csv = (out / "batch_report.csv").read_text()
    assert "input changed: signal.csv" in report_csv

    third = _run(script, configs, out, threads_client)  # the new input is now the finished one
    assert third["animal0-config"] == ("skipped", 104.5, None)

    configs[1].write_text(configs[1].read_text() + "\n")  # the config itself
    fourth = _run(script, configs, out, threads_client)
    assert fourth["animal1-config"] == ("done", 14.5, "input changed: config.json")


def test_an_edited_file_of_a_session_folder_reruns_it(
    sessions: Path, tmp_path: Path, threads_client: Client
) -> None:
    script = write_script(tmp_path / "ok.py", "results = {'n': len(list(dm))}\n")
    out = tmp_path / "out"
    folders = sorted(sessions.glob("*.session"))
    first = run_batch(script, folders, client=threads_client, out=out)
    assert {r.status for r in first.records} == {"done"}
    session_json = folders[1] / "session.json"
    session_json.write_text(session_json.read_text() + "\n")
    again = run_batch(script, folders, client=threads_client, out=out)
    assert [r.status for r in again.records] == ["skipped", "done", "skipped"]
    assert again.records[1].rerun_reason == "input changed: session.json"


def test_an_output_rewritten_with_the_same_size_reruns_its_session(
    tmp_path: Path, threads_client: Client
) -> None:
    config = _animal(tmp_path / "data", "animal0", 0.0)
    script = write_script(
        tmp_path / "w.py", MEAN_SCRIPT + "open('summary.txt', 'w').write('mean=%.3f' % 4.5)\n"
    )
    out = tmp_path / "out"
    assert _run(script, [config], out, threads_client)["animal0-config"][0] == "done"
    summary = out / "sessions" / "animal0-config" / "summary.txt"
    size = summary.stat().st_size
    summary.write_text("mean=9.999")  # another content, the same size: only its time tells
    assert summary.stat().st_size == size
    stat = summary.stat()
    os.utime(summary, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    again = _run(script, [config], out, threads_client)
    assert again["animal0-config"] == ("done", 4.5, "output changed: summary.txt")
    assert summary.read_text() == "mean=4.500"


def test_a_marker_without_input_files_is_not_taken_as_done(
    tmp_path: Path, threads_client: Client
) -> None:
    """A marker written before inputs were recorded cannot vouch for the input: run again."""
    config = _animal(tmp_path / "data", "animal0", 0.0)
    script = write_script(tmp_path / "mean.py", MEAN_SCRIPT)
    out = tmp_path / "out"
    _run(script, [config], out, threads_client)
    marker = out / "sessions" / "animal0-config" / MARKER_FILE
    document = json.loads(marker.read_text())
    del document["inputs"]
    marker.write_text(json.dumps(document))
    again = _run(script, [config], out, threads_client)
    assert again["animal0-config"] == (
        "done",
        4.5,
        "its completion marker does not record its input files",
    )


def test_input_files_of_a_config_name_its_data_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "frames").mkdir()
    for i in range(2):
        (tmp_path / "frames" / f"f{i}.png").write_bytes(b"x")
    (tmp_path / "sig.csv").write_text("1\n2\n")
    (tmp_path / "unrelated.txt").write_text("not named")
    # a batch's own files in a named folder are no input: a session lock beside an output
    # folder saved there, its owner file, a partial save
    for own in (".f.batch.lock", ".f.batch-owner.json", "f2.png.tmp", "batch-done.json"):
        (tmp_path / "frames" / own).write_text("")
    config = tmp_path / "config.json"
    items = [
        {"data_type": "analog", "name": "sig", "filepath": "sig.csv", "format": "csv"},
        {"data_type": "images", "name": "media", "filepath": "frames"},
    ]
    config.write_text(json.dumps(items))
    names = [p.relative_to(tmp_path).as_posix() for p in input_files(config)]
    assert names == ["config.json", "frames/f0.png", "frames/f1.png", "sig.csv"]


def test_a_path_option_counts_from_its_item_s_folder_as_loading_takes_it(tmp_path: Path) -> None:
    """A tensor's ``row_labels`` is read beside the tensor (``session_paths.option_path``),
    not beside the config: editing it re-runs the session only if it is counted there."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.npy").write_bytes(b"x")
    (tmp_path / "data" / "rows.txt").write_text("0\n1\n")
    config = tmp_path / "config.json"
    items = [
        {
            "data_type": "tensor",
            "name": "t",
            "filepath": "data/t.npy",
            "format": "numpy",
            "row_labels": "rows.txt",
        }
    ]
    config.write_text(json.dumps(items))
    names = [p.relative_to(tmp_path).as_posix() for p in input_files(config)]
    assert names == ["config.json", "data/rows.txt", "data/t.npy"]
