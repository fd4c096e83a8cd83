"""The batch report's results table: column types follow the values, and it always saves."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from napari_whiskertoolbox.batch import BatchReport, SessionRecord

if TYPE_CHECKING:
    from pathlib import Path


def _report(tmp_path: Path, *results: dict[str, object] | None) -> BatchReport:
    records = [
        SessionRecord(
            f"/data/s{i}", f"s{i}", "done" if values is not None else "failed", results=values or {}
        )
        for i, values in enumerate(results)
    ]
    return BatchReport("script t.py", tmp_path, records)


def test_whole_floats_stay_floats(tmp_path: Path) -> None:
    # a threshold of 12.0 in every session is a float column, not Int64
    report = _report(tmp_path, {"threshold": 12.0, "n": 3}, None, {"threshold": 12.0, "n": 4})
    report.write()
    for table in (report.results, pd.read_parquet(report.files["results_parquet"])):
        assert str(table["threshold"].dtype) == "Float64"
        assert str(table["n"].dtype) == "Int64"
        assert table["threshold"].isna().tolist() == [False, True, False]


def test_values_of_different_kinds_across_sessions_still_save(tmp_path: Path) -> None:
    # 3 in one session, "n/a" in another: a text column (Parquet refused the mix before)
    report = _report(
        tmp_path,
        {"label": 3, "ratio": 1, "ok": True, "flag": True},
        {"label": "n/a", "ratio": 0.5, "ok": False, "flag": 1},
    )
    report.write()
    table = pd.read_parquet(report.files["results_parquet"])
    assert table["label"].tolist() == ["3", "n/a"]
    assert table["ratio"].tolist() == [1.0, 0.5]
    assert str(table["ratio"].dtype) == "Float64"
    assert str(table["ok"].dtype) == "boolean"
    assert table["flag"].tolist() == ["True", "1"]
    csv = pd.read_csv(report.files["results_csv"], dtype=str, keep_default_na=False)
    assert csv["label"].tolist() == ["3", "n/a"]


def test_the_summary_shows_each_sessions_peak_memory(tmp_path: Path) -> None:
    records = [
        SessionRecord("/data/a", "a", "done", duration_s=1.5, peak_memory_mb=2198.6),
        SessionRecord("/data/b", "b", "failed", error="the worker process died"),
    ]
    lines = BatchReport("script t.py", tmp_path, records).summary().splitlines()
    assert lines[0].split() == ["session", "status", "time", "memory", "error"]
    assert lines[1].split() == ["a", "done", "1.50s", "2199", "MiB"]
    assert lines[2].split()[:4] == ["b", "failed", "0.00s", "the"]  # not measured: blank
    assert lines[3] == "2 sessions: 1 done, 1 failed in 0.0 s"
    one = BatchReport("script t.py", tmp_path, records[:1]).summary().splitlines()
    assert one[-1] == "1 session: 1 done in 0.0 s"
