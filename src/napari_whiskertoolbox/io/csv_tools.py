"""Small helpers shared by the text readers: open files, split rows, parse numbers."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator

__all__ = [
    "check_file",
    "iter_csv_rows",
    "parse_float",
    "parse_int",
    "read_lines",
    "split_row",
]


def check_file(path: str | os.PathLike[str], what: str = "file") -> Path:
    """Return ``path`` as a ``Path`` or raise ``FormatError`` if it is not an existing file."""
    p = Path(path)
    if not p.is_file():
        reason = "is a folder" if p.is_dir() else "does not exist"
        raise FormatError(f"expected a {what}, but the path {reason}", path=p)
    return p


def read_lines(path: str | os.PathLike[str]) -> list[str]:
    r"""Read a text file into lines without line endings (``\\r\\n`` and ``\\n`` accepted).

    Raises
    ------
    FormatError
        If the file is missing, unreadable or not valid UTF-8 text.
    """
    p = check_file(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read the file ({exc.strerror})", path=p) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError("expected UTF-8 text, found binary data", path=p, line=line) from exc
    return text.splitlines()


def split_row(line: str, delimiter: str) -> list[str]:
    """Split ``line`` on ``delimiter``; a blank (whitespace) delimiter splits on runs of spaces/tabs."""
    if delimiter.strip() == "":
        return line.split()
    return [token.strip() for token in line.split(delimiter)]


def iter_csv_rows(
    path: str | os.PathLike[str],
    *,
    n_columns: int,
    columns: str,
    layout: str,
    delimiter: str = ",",
    has_header: bool = True,
    header_identifier: str = "Frame",
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_number, fields)`` for each data row of a quoted CSV of ``n_columns``.

    Blank lines are skipped, and so is a first row starting with ``header_identifier`` when
    ``has_header``.

    Raises
    ------
    FormatError
        Naming the line, for a row without ``n_columns`` fields (``columns`` describes them)
        or malformed quoting; for a file without any row (``layout`` names what was expected).
    """
    reader = csv.reader(read_lines(path), delimiter=delimiter, quotechar='"')
    first = True
    try:
        for fields in reader:
            number = reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            if first:
                first = False
                if has_header and fields[0].strip().startswith(header_identifier):
                    continue
            if len(fields) != n_columns:
                raise FormatError(
                    f"expected {n_columns} columns ({columns}), found {len(fields)}",
                    path=path,
                    line=number,
                )
            yield number, fields
    except csv.Error as exc:
        raise FormatError(f"malformed CSV ({exc})", path=path, line=reader.line_num) from exc
    if first:
        raise FormatError(f"expected a {layout} CSV, the file is empty", path=path)


def parse_float(
    token: str, path: str | os.PathLike[str], line: int, what: str = "a number"
) -> float:
    """Parse ``token`` as float or raise ``FormatError`` naming the file, line and column meaning."""
    try:
        return float(token)
    except ValueError:
        raise FormatError(f"expected {what}, found {token!r}", path=path, line=line) from None


def parse_int(token: str, path: str | os.PathLike[str], line: int, what: str = "an integer") -> int:
    """Parse ``token`` as an integer (``"12"`` or ``"12.0"``) or raise ``FormatError``."""
    try:
        return int(token)
    except ValueError:
        value = parse_float(token, path, line, what)
        if not np.isfinite(value) or value != int(value):
            raise FormatError(f"expected {what}, found {token!r}", path=path, line=line) from None
        return int(value)


def column(fields: list[str], index: int, path: str | os.PathLike[str], line: int) -> str:
    """Return ``fields[index]`` or raise ``FormatError`` saying how many columns were expected."""
    if index >= len(fields):
        raise FormatError(
            f"expected at least {index + 1} columns, found {len(fields)}", path=path, line=line
        )
    return fields[index]


def looks_numeric(token: str) -> bool:
    """Return whether ``token`` parses as a float (used to detect header rows)."""
    try:
        float(token)
    except ValueError:
        return False
    return True


def format_float32(value: float) -> str:
    """Return the shortest decimal text that parses back to the same float32 (``131``, ``0.1``)."""
    return np.format_float_positional(np.float32(value), unique=True, trim="-")


def format_floats(values: np.ndarray, precision: int | None = None) -> list[str]:
    """Format many floats at C speed: shortest float32 round-trip text, or fixed ``precision``."""
    arr = np.asarray(values, dtype=np.float32).ravel()
    if precision is None:
        return arr.astype(str).tolist()
    return np.char.mod(f"%.{int(precision)}f", arr.astype(np.float64)).tolist()


def fast_numeric_table(
    lines: list[str], delimiter: str, usecols: tuple[int, ...] | None = None
) -> np.ndarray | None:
    """Parse clean numeric rows with numpy's C parser; ``None`` if anything is off.

    Callers fall back to their line-by-line parser on ``None``, which then reports the
    exact file line of the problem. Blank lines are skipped; ``#`` is not a comment.
    """
    if not lines:
        return None
    try:
        table = np.loadtxt(
            lines,
            delimiter=None if delimiter.strip() == "" else delimiter,
            usecols=usecols,
            comments=None,
            ndmin=2,
            dtype=np.float64,
        )
    except (ValueError, IndexError):
        return None
    return table if np.all(np.isfinite(table)) else None


def integral(values: np.ndarray) -> np.ndarray | None:
    """Return ``values`` as int64 when every value is a whole number, else ``None``."""
    as_int = values.astype(np.int64)
    return as_int if np.array_equal(as_int, values) else None
