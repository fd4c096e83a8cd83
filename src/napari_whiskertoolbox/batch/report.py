"""The batch report: per-session records, the results table, and the files they are saved to.

Files written into the batch's output folder (each atomically)::

    batch_report.json      the whole report (task, timing, every record with its error)
    batch_report.csv       one row per session: status, duration, memory, keys added and
                           changed, error
    batch_results.csv      one row per session, one column per result value
    batch_results.parquet  the same table as Parquet (pyarrow)
"""

from __future__ import annotations

import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.counted import counted
from napari_whiskertoolbox.io.atomic import atomic_write_bytes, atomic_write_text

if TYPE_CHECKING:
    from collections.abc import Collection

    import pandas as pd

    from napari_whiskertoolbox.batch.records import SessionRecord

__all__ = [
    "REPORT_FILES",
    "BatchReport",
    "duration_text",
    "error_line",
    "memory_text",
    "result_column",
]

REPORT_FILES = {
    "report_json": "batch_report.json",
    "report_csv": "batch_report.csv",
    "results_csv": "batch_results.csv",
    "results_parquet": "batch_results.parquet",
}
"""Kind of output → file name inside the batch's output folder."""
_IDENTITY_COLUMNS = ("name", "session", "status")

_QUALIFIED_EXCEPTION = re.compile(r"^(?:[a-z_]\w*\.)+([A-Z]\w*: )")  # not "angle.json: "
"""``package.module.SomeError: message`` -> ``SomeError: message``."""
_NOTE = "note: "
"""Start of a line a script's traceback ends with to explain its exception."""


def result_column(name: str, taken: Collection[str]) -> str:
    """Return the column a result value ``name`` gets in a table whose own columns are ``taken``.

    ``result_<name>`` when the table has a column of that name already (a script's
    ``results["session"]`` beside the table's ``session``), else ``name``: the results
    files (:attr:`BatchReport.results`) and the Batch dock's table follow this rule.
    """
    return f"result_{name}" if name in taken else name


def _result_dtype(values: list[Any]) -> str:
    """Return the pandas dtype of a results-table column holding ``values``.

    ``boolean``, ``Int64``, ``Float64`` (floats, or ints and floats) or ``string`` when
    every value that is not ``None`` is of that kind; ``string`` for any other mix (the
    values' text). A column with no value at all is ``Float64`` (all NA).
    """
    kinds = {
        "bool"
        if isinstance(v, bool)
        else "int"
        if isinstance(v, int)
        else "float"
        if isinstance(v, float)
        else "str"
        for v in values
        if v is not None
    }
    if kinds == {"bool"}:
        return "boolean"
    if kinds == {"int"}:
        return "Int64"
    if not kinds or kinds <= {"int", "float"}:
        return "Float64"
    return "string"


@dataclass
class BatchReport:
    """What a batch did.

    Attributes
    ----------
    task : str
        The task's kind and name (``script angle.py``).
    out : Path
        The batch's output folder (report files, and ``sessions/`` unless saved beside
        the inputs).
    records : list of SessionRecord
        One per session, in batch order.
    duration_s : float
        Wall time of the whole batch, in seconds.
    cancelled : bool
        The batch was cancelled before every session finished.
    dashboard_link : str or None
        The dask dashboard of the run.
    n_workers : int
        Workers the scheduler had when the batch started.
    session_columns : dict of str to dict of str to str
        Each session's (``SessionRecord.session``) other cells of its CSV manifest row
        (``animal``, ``condition``, ...): columns of :attr:`results`.
    files : dict of str to Path
        The files :meth:`write` wrote (see :data:`REPORT_FILES`).
    notes : list of str
        What the batch as a whole should know: paths its session patterns left out (a
        batch's outputs), parts of the task it does not use (a runner config's ``data``).
    """

    task: str
    out: Path
    records: list[SessionRecord]
    duration_s: float = 0.0
    cancelled: bool = False
    dashboard_link: str | None = None
    n_workers: int = 0
    session_columns: dict[str, dict[str, str]] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every session is done (now or by an earlier run) and nothing was cancelled."""
        return not self.cancelled and all(r.status in ("done", "skipped") for r in self.records)

    @property
    def failed(self) -> list[SessionRecord]:
        """The records of failed sessions."""
        return [r for r in self.records if r.status == "failed"]

    def counts(self) -> dict[str, int]:
        """Return ``{status: number of sessions}``."""
        out: dict[str, int] = {}
        for record in self.records:
            out[record.status] = out.get(record.status, 0) + 1
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per session: name, session, status, duration, memory, keys, attempts, error.

        ``keys_added`` lists the keys the task created, ``keys_changed`` the existing keys it
        replaced or modified, ``keys_deleted`` the existing keys it deleted (each
        ``;``-separated); ``load_notes`` what loading the session noted (one a line);
        ``rerun_reason`` why a session an earlier run had finished ran again.
        """
        import pandas as pd

        rows = []
        for r in self.records:
            rows.append(
                {
                    "name": r.name,
                    "session": r.session,
                    "status": r.status,
                    "duration_s": r.duration_s,
                    "peak_memory_mb": r.peak_memory_mb,
                    "attempts": r.attempts,
                    "keys_added": ";".join(r.keys_added),
                    "keys_changed": ";".join(r.keys_changed),
                    "keys_deleted": ";".join(r.keys_deleted),
                    "output": r.output,
                    "worker": r.worker,
                    "error": r.error,
                    "load_notes": "\n".join(r.load_notes),
                    "rerun_reason": r.rerun_reason,
                }
            )
        return pd.DataFrame(rows, columns=list(rows[0]) if rows else ["name", "session", "status"])

    @property
    def results(self) -> pd.DataFrame:
        """The results table: a row per session, a column per result value.

        Columns ``name``, ``session``, ``status``, the other columns of the sessions' CSV
        manifest rows (text), then every result name in the order first seen (prefixed
        ``result_`` where it is one of the former); a session without a value has NA
        there. A column's type is that of its values (see :func:`_result_dtype`): floats
        stay ``Float64`` even when every value is whole, ints and floats together are
        ``Float64``, and a name given values of other different kinds in different
        sessions (``3`` here, ``"n/a"`` there) is a
        ``string`` column of their text, so that the table can always be saved as Parquet.
        """
        import pandas as pd

        columns: dict[str, list[Any]] = {column: [] for column in _IDENTITY_COLUMNS}
        for i, r in enumerate(self.records):
            row: dict[str, Any] = {"name": r.name, "session": r.session, "status": r.status}
            labels = self.session_columns.get(r.session, {})
            for key, label in labels.items():
                if key not in _IDENTITY_COLUMNS:
                    row[key] = label
            taken = {*_IDENTITY_COLUMNS, *labels}
            for key, value in r.results.items():
                row[result_column(key, taken)] = value
            for column, value in row.items():
                columns.setdefault(column, [None] * i).append(value)
            for values in columns.values():
                if len(values) == i:  # this session has no value there
                    values.append(None)
        data = {}
        for column, values in columns.items():
            dtype = _result_dtype(values)
            if dtype == "string":
                values = [None if v is None else str(v) for v in values]
            data[column] = pd.array(values, dtype=dtype)
        return pd.DataFrame(data, columns=list(columns))

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-compatible values."""
        return {
            "task": self.task,
            "out": str(self.out),
            "duration_s": self.duration_s,
            "cancelled": self.cancelled,
            "dashboard_link": self.dashboard_link,
            "n_workers": self.n_workers,
            "counts": self.counts(),
            "notes": list(self.notes),
            "records": [r.to_dict() for r in self.records],
        }

    def write(self, out: str | Path | None = None) -> dict[str, Path]:
        """Write the report (JSON, CSV) and the results table (CSV, Parquet) into ``out``.

        Returns
        -------
        dict of str to Path
            :data:`REPORT_FILES` kinds → written paths (also kept in :attr:`files`).
        """
        folder = Path(out) if out is not None else self.out
        folder.mkdir(parents=True, exist_ok=True)
        paths = {kind: folder / name for kind, name in REPORT_FILES.items()}
        atomic_write_text(paths["report_json"], json.dumps(self.to_dict(), indent=1) + "\n")
        atomic_write_text(paths["report_csv"], self.to_frame().to_csv(index=False))
        results = self.results
        atomic_write_text(paths["results_csv"], results.to_csv(index=False))
        buffer = io.BytesIO()
        results.to_parquet(buffer, index=False)
        atomic_write_bytes(paths["results_parquet"], buffer.getvalue())
        self.files = paths
        return paths

    def summary(self, width: int = 110) -> str:
        """Return a plain-text table of the sessions (status, duration, peak memory, last error line).

        A session without an error that ran again although an earlier run had finished it
        says why there (``ran again: input changed: signal.csv``).

        The error line's exception class is shown without its module (the full error is
        in the report), so that the message fits in ``width`` characters.
        """
        lines = []
        name_width = min(max([len(r.name) for r in self.records] + [7]), 40)
        lines.append(f"{'session':<{name_width}}  {'status':<9}  {'time':>8}  {'memory':>8}  error")
        for r in self.records:
            last = error_line(r) or (f"ran again: {r.rerun_reason}" if r.rerun_reason else "")
            text = (
                f"{r.name[:name_width]:<{name_width}}  {r.status:<9}  "
                f"{duration_text(r.duration_s, ''):>8}  "
                f"{memory_text(r.peak_memory_mb):>8}  {last}"
            )
            lines.append(text[:width])
        counts = ", ".join(f"{n} {status}" for status, n in self.counts().items())
        lines.append(
            f"{counted(len(self.records), 'session')}: {counts or 'none'} in {self.duration_s:.1f} s"
        )
        return "\n".join(lines)


def error_line(record: SessionRecord) -> str:
    """Return a record's error as one short line, for a table whose row names the session.

    The error's last line (a traceback's exception, followed by the ``note:`` lines after
    it, which explain it: ``AttributeError: ...; note: dm.getData('angel') on line 10
    returned None: ...``), without ``could not load <session>:``,
    the module of a qualified exception class, and the session's folder before the paths
    of its files (``file 'config.json', line 2: invalid JSON``, not the absolute path):
    what went wrong fits in a summary table's or the dock's column.
    """
    lines = (record.error or "").strip().splitlines()
    notes: list[str] = []
    while len(lines) > 1 and lines[-1].startswith(_NOTE):  # after the exception they explain
        notes.insert(0, lines.pop().removeprefix(_NOTE))
    last = lines[-1] if lines else ""
    if notes:
        last = f"{last}; note: {'; '.join(notes)}"
    last = _QUALIFIED_EXCEPTION.sub(r"\1", last.removeprefix(f"could not load {record.session}: "))
    folder = str(Path(record.session).parent)
    return last.replace(folder + os.sep, "") if folder != "." else last


def memory_text(peak_mb: float | None) -> str:
    """Return a session's peak memory as the summary and the dock show it (blank: not measured)."""
    return "" if peak_mb is None else f"{peak_mb:.0f} MiB"


def duration_text(seconds: float | None, space: str = " ") -> str:
    """Return a session's time as the summary and the dock show it (``—``: not known)."""
    return "—" if seconds is None else f"{seconds:.2f}{space}s"
