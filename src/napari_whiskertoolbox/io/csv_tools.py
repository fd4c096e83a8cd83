"""Small helpers shared by the text readers: open files, split rows, parse numbers."""

from __future__ import annotations

import contextlib
import json
import math
import re
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.report import LoadNote, log_note

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator, Sequence

__all__ = [
    "NumberStyle",
    "check_file",
    "decode_text",
    "delimiter_char",
    "encoding_notes",
    "first_line",
    "float32_cell",
    "frame_cell",
    "has_leading_zero",
    "head_lines",
    "head_text",
    "looks_numeric",
    "number_style",
    "parse_float",
    "parse_int",
    "parse_number",
    "read_bytes",
    "read_lines",
    "read_text",
    "read_text_bytes",
    "short_row_reason",
    "sniff_quoted_delimiters",
    "split_row",
    "utf8_bytes",
]

Decimal = Literal[".", ",", "auto"]
_SNIFF_LINES = 200
_INT = re.compile(r"^\s*[-+]?\d+\s*$")
_DIGITS = re.compile(r"^\d+\s*$")


@dataclass(frozen=True)
class NumberStyle:
    """How a text table writes its numbers.

    Attributes
    ----------
    delimiter : str
        Column delimiter (cells as :func:`split_row` splits them: a space takes a run of
        spaces as one separator, a tab separates exactly one cell).
    decimal : {".", ",", "auto"}
        Decimal mark. ``"auto"`` (only with a delimiter other than ``,``): a number with a
        comma and no point uses the comma as its decimal mark (``1,5`` is 1.5) — the only
        reading of such a cell once commas do not separate columns.
    paired : bool
        Decimal commas in a comma-delimited file: each number spans two cells (``0,512``
        is 0.512), which requires every row to hold exactly twice the expected cells.
    text_column : int or None
        In paired mode, the column holding text (an event identifier) in one cell; columns
        count a number with its decimal comma as one (``0,512,u1``: ``0,512`` is column 0,
        ``u1`` column 1).
    """

    delimiter: str
    decimal: Decimal = "."
    paired: bool = False
    text_column: int | None = None

    def split(self, line: str) -> list[str]:
        """Split ``line`` into cells (pairs re-joined in paired mode)."""
        cells = split_row(line, self.delimiter)
        if not self.paired:
            return cells
        if self.text_column is None:
            return [f"{a},{b}" for a, b in zip(cells[0::2], cells[1::2], strict=False)]
        out: list[str] = []
        k = 0
        while k < len(cells):
            if len(out) == self.text_column:
                out.append(cells[k])
                k += 1
            elif k + 1 < len(cells):
                out.append(f"{cells[k]},{cells[k + 1]}")
                k += 2
            else:
                break  # half a number: the row is short
        return out

    def normalise(self, text: str) -> str:
        """Return ``text`` with its decimal commas written as points (for numpy's parser)."""
        if self.decimal == "," or (self.decimal == "auto" and "," in text):
            return text.replace(",", ".")
        return text


def number_style(
    lines: Sequence[str],
    path: str | os.PathLike[str],
    *,
    delimiter: str,
    delimiter_given: bool,
    decimal: str | None,
    n_numbers: int,
    used_columns: int | None = None,
    first_line: int = 1,
    text_column: int | None = None,
    number_column: int = 0,
) -> NumberStyle:
    """Decide how the data ``lines`` of a table write their numbers.

    Parameters
    ----------
    lines : sequence of str
        The data lines (header lines already left out).
    path : path-like
        The file (for error messages).
    delimiter : str
        The format's delimiter (its option, or its default).
    delimiter_given : bool
        Whether the config gave ``delimiter``. When not, a file whose every sampled line
        holds a ``;`` is read as ``;``-delimited (no comma- or blank-delimited numeric
        table holds one on every line), and one where no line holds the format's
        delimiter but every line holds blank-separated cells as blank-delimited.
    decimal : {".", ","} or None
        The ``decimal`` option; ``None``: ``auto`` once commas do not delimit, else ``.``
        (WhiskerToolbox's reading; rows of integers of varying width get an ``info`` note
        naming the option, see :func:`_note_ragged_integer_rows`).
    n_numbers : int
        Numbers one row of the format holds (events 1, ``start,end`` 2): with decimal
        commas in a comma-delimited file each row must be exactly twice as many cells.
    used_columns : int, optional
        Columns the reader takes (its largest column index + 1; default ``n_numbers``).
    first_line : int
        1-based file line of ``lines[0]`` (for error messages).
    text_column, number_column : int, optional
        A column of text (an event identifier) among the numbers, and the column of the
        number that tells a data row from a header (events: the time). With decimal commas
        in a comma-delimited file each row must then be its numbers as pairs and the text
        as one cell, columns counted as the numbers are written (``0,512,u1``: column 0 is
        ``0,512``, column 1 ``u1``); without ``decimal`` a file whose rows read both as
        ``0`` + ``512`` and as ``0,512`` is refused (see
        :func:`_refuse_disguised_identifier_rows`).

    Raises
    ------
    FormatError
        ``decimal`` ``,`` with a ``,`` delimiter and rows not holding exactly
        ``2 * n_numbers`` cells (the message names the line).
    """
    sample = [(i, t) for i, t in enumerate(lines) if t.strip()][:_SNIFF_LINES]
    if not delimiter_given and sample:
        if delimiter != ";" and all(";" in t for _, t in sample):
            delimiter = ";"
        elif (
            delimiter.strip()
            and not any(delimiter in t for _, t in sample)
            and all(len(t.split()) > 1 for _, t in sample)
        ):
            delimiter = " "
    used = n_numbers if used_columns is None else used_columns
    if decimal is None:
        if delimiter != ",":
            return NumberStyle(delimiter, "auto")
        # commas delimit: WhiskerToolbox's reading (``100,200,1`` is three integer columns)
        if text_column is None:
            _note_ragged_integer_rows(sample, path, used, first_line)
        _note_leading_zero_cells(sample, path, first_line)
        return NumberStyle(delimiter, ".")
    if decimal == "," and delimiter == "," and text_column is not None:
        _check_pairs_with_text(sample, path, number_column, text_column, used, first_line)
        return NumberStyle(delimiter, ",", paired=True, text_column=text_column)
    if decimal == "," and delimiter == ",":
        if n_numbers == 0:
            raise FormatError(
                "decimal ',' needs a column delimiter other than ',' for this format "
                "(e.g. ';' or a space)",
                path=path,
            )
        for i, text in _after_header_rows(sample):
            cells = split_row(text, ",")
            if len(cells) != 2 * n_numbers:
                raise FormatError(
                    f"with decimal ',' and delimiter ',' every row must hold {n_numbers} "
                    f"number(s) as {2 * n_numbers} cells like '0,512'; found {len(cells)} cells "
                    "(give another delimiter, e.g. ';')",
                    path=path,
                    line=first_line + i,
                )
        return NumberStyle(delimiter, ",", paired=True)
    return NumberStyle(delimiter, "," if decimal == "," else ".")


def delimiter_char(option: str | None, default: str = ",") -> str:
    """Return the delimiter a loader option gives: its first character, else ``default``.

    WhiskerToolbox's loaders read one character of a delimiter option (``wt_loaders.md``);
    ``None`` (option absent) and ``""`` give ``default``.
    """
    return (option or default)[:1] or default


def sniff_quoted_delimiters(
    lines: Sequence[str], delimiter: str | None, inner: str | None
) -> tuple[str, str]:
    """Return the delimiters of a ``frame<d>"a<i>b..."`` file (lines, masks), sniffing absent ones.

    Looks at the first row holding a quote: a ``;`` and no ``,`` before the quote makes the
    frame delimiter ``;``; a ``;`` inside the first quoted list makes the list delimiter
    ``;`` (commas in it are then decimal marks). Given delimiters are kept (first character).
    """
    outer = delimiter_char(delimiter)
    within = delimiter_char(inner)
    row = next((t for t in lines[:_SNIFF_LINES] if '"' in t), None)
    if row is None:
        return outer, within
    quote = row.find('"')
    if delimiter is None and ";" in row[:quote] and "," not in row[:quote]:
        outer = ";"
    end = row.find('"', quote + 1)
    if inner is None and end > quote and ";" in row[quote + 1 : end]:
        within = ";"
    return outer, within


def _after_header_rows(sample: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Drop the rows at the top holding a cell that is not a number (headers, ``sep=;``)."""
    start = 0
    while start < len(sample) and not all(
        looks_numeric(c) for c in sample[start][1].split(",") if c.strip()
    ):
        start += 1
    return sample[start:]


def _physical(column: int, text_column: int) -> int:
    """Return the first cell of logical ``column`` in a paired row with one text cell."""
    return 2 * column if column <= text_column else 2 * column - 1


def _check_pairs_with_text(
    sample: list[tuple[int, str]],
    path: str | os.PathLike[str],
    number_column: int,
    text_column: int,
    used_columns: int,
    first_line: int,
) -> None:
    """Raise unless every data row is ``used_columns - 1`` decimal-comma pairs and one text cell.

    Rows at the top whose number (``number_column``) is not a number are headers.
    """
    expected = 2 * (used_columns - 1) + 1
    start = _physical(number_column, text_column)
    first = 0
    while first < len(sample):
        cells = [*split_row(sample[first][1], ","), "", ""]
        if _INT.match(cells[start]) and _DIGITS.match(cells[start + 1]):
            break
        first += 1  # a header: its number is not a number
    for i, text in sample[first:]:
        cells = split_row(text, ",")
        if len(cells) != expected:
            hint = ""
            if len(cells) % 2 == 1 and len(cells) < expected:
                hint = (
                    f"; a row like {text.strip()!r} puts its text in column "
                    f"{(len(cells) - 1) // 2} (columns count a number with its decimal comma "
                    "as one)"
                )
            raise FormatError(
                f"with decimal ',' and delimiter ',' every row must hold {used_columns - 1} "
                f"number(s) as cells like '0,512' and the text of column {text_column} "
                f"(identifier_column) as one cell: {expected} cells; found {len(cells)}"
                f"{hint} (or give another delimiter, e.g. ';')",
                path=path,
                line=first_line + i,
            )


def _note_ragged_integer_rows(
    sample: list[tuple[int, str]],
    path: str | os.PathLike[str],
    used_columns: int,
    first_line: int,
) -> None:
    """Log an ``info`` note when a comma-delimited ``sample`` may be decimal commas.

    That is: no row holds a ``.``, every cell is an integer, and some rows hold more cells
    than the ``used_columns`` the reader takes while others do not (``0,1,5`` next to
    ``1,2`` in a time,value file: 1.5 and 2 with decimal commas). The file is read as
    WhiskerToolbox reads it, integer columns; the note says how to read decimal commas.
    Rows of one width (``Start,End,Trial`` then ``100,200,1``) are a table with a column
    the reader does not take, and say nothing. Rows at the top holding a cell that is not
    a number (a header, Excel's ``sep=;`` line) are passed over.
    """
    sample = _after_header_rows(sample)
    widths = []
    for _, text in sample:
        cells = text.split(",")
        if "." in text or not all(_INT.match(c) for c in cells):
            return
        widths.append(len(cells))
    if len(set(widths)) < 2 or max(widths) <= used_columns:
        return
    index, text = next((i, t) for (i, t), w in zip(sample, widths, strict=True) if w > used_columns)
    log_note(
        LoadNote(
            str(path),
            "info",
            f"rows of {min(widths)} to {max(widths)} comma-separated integers (line "
            f"{first_line + index}: {text.strip()!r}) are read as integer columns, as "
            f"WhiskerToolbox reads them (only {used_columns} used); if they are numbers "
            'with decimal commas, set "decimal": ","',
            path=str(path),
        )
    )


_LEADING_ZERO = re.compile(r"^0\d+$")


def has_leading_zero(cell: str) -> bool:
    """Return whether ``cell`` is digits starting with a zero (``034``), as no integer is written.

    Such a cell after a row's first, read as an integer column, loses its zero: a sign of a
    decimal comma (``1,034``).
    """
    return _LEADING_ZERO.match(cell) is not None


def _note_leading_zero_cells(
    sample: list[tuple[int, str]], path: str | os.PathLike[str], first_line: int
) -> None:
    """Log an ``info`` note when a comma-delimited row holds a cell like ``034`` after its first.

    Read as WhiskerToolbox reads the file, ``1,034`` is two integer columns and ``034``
    is 34 (or a column the reader does not take): its leading zero, which says these may
    be decimals written with a decimal comma (1.034), would be lost without a word. The
    note names the first such line and the ``decimal`` option. Rows holding a ``.`` (a
    decimal point: commas then separate columns) are passed over.
    """
    for index, text in sample:
        if "." in text:
            continue
        cells = text.split(",")
        cell = next((c.strip() for c in cells[1:] if has_leading_zero(c.strip())), None)
        if cell is None:
            continue
        log_note(
            LoadNote(
                str(path),
                "info",
                f"line {first_line + index}: {text.strip()!r} is read as WhiskerToolbox reads "
                f"it, commas separating integer columns, so {cell!r} is {int(cell)} (its "
                "leading zero dropped) or a column not read; if these are numbers with "
                'decimal commas, set "decimal": ","',
                path=str(path),
            )
        )
        return


def looks_numeric(token: str) -> bool:
    """Return whether ``token`` parses as a float (used to detect header rows)."""
    try:
        float(token)
    except ValueError:
        return False
    return True


def parse_number(
    token: str, style: NumberStyle, path: str | os.PathLike[str], line: int, what: str
) -> float:
    """Parse one cell as a float in ``style``, or raise ``FormatError`` naming file and line.

    A cell in double quotes (``"0.512"``, as CSV writers quoting every field write it) is
    the number inside.
    """
    text = token.strip()
    if len(text) > 1 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    if style.decimal == "," or (style.decimal == "auto" and "," in text):
        if "." in text and style.decimal == ",":
            raise FormatError(
                f"expected {what} with a decimal comma, found {token!r}", path=path, line=line
            )
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        found = "an empty cell" if not text else repr(token)
        raise FormatError(f"expected {what}, found {found}", path=path, line=line) from None


_FLOAT32_OVERFLOW = 2.0**128 - 2.0**103
"""Smallest magnitude a float64 rounds to infinity at in float32 (float32's largest value
plus half its last step)."""


def float32_cell(
    value: float, token: str, path: str | os.PathLike[str], line: int, what: str
) -> float:
    """Return ``value``, or raise ``FormatError`` when float32 cannot hold it.

    Coordinates and signal values are kept as 32-bit floats (as WhiskerToolbox keeps them):
    a finite number beyond float32's range (``1e39``) would silently become infinite, so
    the file is refused, naming its line and the cell. NaN and ``inf`` cells are kept.
    """
    if _FLOAT32_OVERFLOW <= abs(value) < math.inf:
        raise FormatError(
            f"{what} {token.strip()!r} does not fit in a 32-bit float (largest magnitude "
            f"{float(np.finfo(np.float32).max):.8g}), the precision it is kept in",
            path=path,
            line=line,
        )
    return value


def frame_cell(
    value: float, token: str, path: str | os.PathLike[str], line: int, what: str
) -> float:
    """Return ``value``, or raise ``FormatError`` when it is beyond a 64-bit frame index.

    Frames are int64: a larger number (``1e39``) would wrap to a wrong frame, so the file
    is refused, naming its line and the cell.
    """
    if abs(value) >= 2.0**63:
        raise FormatError(
            f"{what} {token.strip()!r} is beyond the frames a 64-bit integer holds",
            path=path,
            line=line,
        )
    return value


def check_file(path: str | os.PathLike[str], what: str = "file") -> Path:
    """Return ``path`` as a ``Path`` or raise ``FormatError`` if it is not an existing file."""
    p = Path(path)
    if not p.is_file():
        reason = "is a folder" if p.is_dir() else "does not exist"
        raise FormatError(f"expected a {what}, but the path {reason}", path=p)
    return p


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """Return the bytes of an existing file (``FormatError`` naming it otherwise)."""
    p = check_file(path)
    try:
        return p.read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read the file ({exc.strerror})", path=p) from exc


# --------------------------------------------------------------------------- text encodings
#
# The one place where the text readers turn a file's bytes into text: every text format
# (WhiskerToolbox's CSVs, DeepLabCut CSVs, clock and tensor text, batch manifests, configs)
# goes through :func:`utf8_bytes` (for pyarrow's fast paths, which take UTF-8 bytes) or
# :func:`read_text` / :func:`read_lines` (for the line-by-line readers).

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)
"""Byte-order marks, longest first: (mark, codec of the text after it, name in messages)."""
LEGACY_ENCODING = "cp1252"
"""The code page a text file that is not UTF-8 is read in (Excel's 'CSV (Comma delimited)'
and most Windows software in Western Europe and the Americas write it: ``µm``, ``°``)."""
_ENCODING_NOTES: ContextVar[list[tuple[str, str]] | None] = ContextVar(
    "encoding_notes", default=None
)


@contextlib.contextmanager
def encoding_notes() -> Iterator[list[tuple[str, str]]]:
    """Collect ``(path, encoding)`` of the files read in a legacy code page inside the block.

    Without a collector :func:`utf8_bytes` logs a WARNING on the ``napari_whiskertoolbox.io``
    logger instead; :func:`~.registry.read_item` collects them as load notes of its item.
    """
    found: list[tuple[str, str]] = []
    token = _ENCODING_NOTES.set(found)
    try:
        yield found
    finally:
        _ENCODING_NOTES.reset(token)


def legacy_encoding_message(encoding: str = LEGACY_ENCODING) -> str:
    """Return the words of the warning about a file read as ``encoding``."""
    return (
        f"not UTF-8 text: read as {_ENCODING_NAMES.get(encoding, encoding)} ({encoding}); "
        "save it as 'CSV UTF-8' to be sure of its characters"
    )


_ENCODING_NAMES = {
    LEGACY_ENCODING: "Windows-1252",
    "utf-16-le": "UTF-16 little-endian without a byte-order mark",
    "utf-16-be": "UTF-16 big-endian without a byte-order mark",
}
_SNIFF_BYTES = 4096
"""Head of a file searched for NUL bytes (UTF-16 text without a byte-order mark)."""
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")


def _bomless_utf16(data: bytes, partial: bool) -> tuple[str, str] | None:
    """Return ``(codec, text)`` when ``data`` is unambiguously UTF-16 text without a mark.

    Little-endian when no byte at an even position of the head is NUL and at least half of
    those at odd positions are (Latin text: every character's high byte is 0), big-endian
    the other way round; and the whole of ``data`` (a cut last character allowed with
    ``partial``) decodes in that codec to text: printable characters and whitespace only,
    some whitespace (a space, tab or line break) among them. None otherwise: binary data
    (small int16 samples, say) decodes to control characters, or to no whitespace.
    """
    head = data[:_SNIFF_BYTES]
    if len(head) < 2 or (len(data) % 2 and not partial):
        return None
    even, odd = head[0::2], head[1::2]
    if b"\x00" not in even and odd.count(0) * 2 >= len(odd):
        codec = "utf-16-le"
    elif b"\x00" not in odd and even.count(0) * 2 >= len(even):
        codec = "utf-16-be"
    else:
        return None
    body = data[: len(data) - len(data) % 2]
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        if not (partial and exc.start >= len(body) - 4):
            return None
        text = body[: exc.start].decode(codec)
    if not all(c.isprintable() or c in _TEXT_CONTROLS for c in text):
        return None
    if not any(c.isspace() for c in text):
        return None
    return codec, text


def _legacy_read(path: str | os.PathLike[str], encoding: str) -> None:
    notes = _ENCODING_NOTES.get()
    if notes is not None:
        notes.append((str(path), encoding))
        return
    from napari_whiskertoolbox.io.report import LOGGER

    LOGGER.warning("file '%s': %s", path, legacy_encoding_message(encoding))


def _is_utf8(data: bytes) -> bool:
    """Return whether ``data`` is valid UTF-8, at C speed and without building a ``str``."""
    import pyarrow as pa

    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)]).validate(
            full=True
        )
    except pa.ArrowInvalid:
        return False
    return True


def _decode(data: bytes, codec: str, name: str, path: str | os.PathLike[str], partial: bool) -> str:
    """Decode ``data`` in ``codec``; ``partial``: the head of a file, a cut last character is fine."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        if partial and exc.start >= len(data) - 4:
            return data[: exc.start].decode(codec)
        line = data[: exc.start].decode(codec, errors="replace").count("\n") + 1
        raise FormatError(
            f"expected {name} text (the file starts with its byte-order mark), found an invalid "
            f"or truncated character at byte {exc.start}",
            path=path,
            line=line,
        ) from exc


def utf8_bytes(
    data: bytes, path: str | os.PathLike[str], *, partial: bool = False, quiet: bool = False
) -> bytes:
    """Return the text file content ``data`` as UTF-8 bytes without a byte-order mark.

    * A byte-order mark says the encoding: UTF-8, UTF-16 (Excel's 'Unicode Text') or UTF-32;
      the text is decoded in it (the mark dropped).
    * Otherwise, with NUL bytes at every other position of its head, UTF-16 without a mark
      (little- or big-endian, as the NULs' positions say) when the whole decodes in it to
      text (printable characters and whitespace), with a WARNING naming the file and the
      encoding (see :func:`encoding_notes`); other data with a NUL byte in its first 4096
      bytes is binary.
    * Otherwise UTF-8 (ASCII included) is returned as it is: the same ``bytes`` object, no
      copy (one ``isascii`` scan, plus a C-speed UTF-8 check when there is a non-ASCII byte).
    * Otherwise, when it decodes as Windows-1252 and holds no NUL byte, it is read as
      Windows-1252 with a WARNING naming the file and the encoding (see
      :func:`encoding_notes`).

    Parameters
    ----------
    data : bytes
        The file's bytes (or its first bytes, with ``partial``).
    path : path-like
        The file (for messages).
    partial : bool
        ``data`` is the head of the file: a character cut at its end is left out.
    quiet : bool
        No warning (sniffing a file that is read in full later).

    Raises
    ------
    FormatError
        Binary data (a NUL byte in the first 4096 bytes of what is not UTF-16 text, or in
        non-UTF-8 bytes), bytes that are neither UTF-8 nor Windows-1252, or text invalid in
        the encoding its byte-order mark names (naming the file, line and byte).
    """
    for mark, codec, name in _BOMS:
        if data.startswith(mark):
            body = data[len(mark) :]
            if codec == "utf-8" and (body.isascii() or _is_utf8(body)):
                return body
            return _decode(body, codec, name, path, partial).encode("utf-8")
    nul = data.find(b"\x00", 0, _SNIFF_BYTES)
    if nul >= 0:
        found = _bomless_utf16(data, partial)
        if found is None:
            raise FormatError(
                f"expected UTF-8 text, found binary data (a NUL byte at byte {nul}; nor is "
                "it UTF-16 text, whose every other byte is NUL for Latin characters)",
                path=path,
                line=data[:nul].count(b"\n") + 1,
            )
        codec, text = found
        if not quiet:
            _legacy_read(path, codec)
        return text.encode("utf-8")
    if data.isascii() or _is_utf8(data):
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
        if partial and start >= len(data) - 4 and _is_utf8(data[:start]):
            return data[:start]
    line = data[:start].count(b"\n") + 1
    column = start - (data.rfind(b"\n", 0, start) + 1) + 1
    if b"\x00" in data[: max(start, 4096)]:
        raise FormatError(
            "expected UTF-8 text, found binary data (a NUL byte)", path=path, line=line
        )
    try:
        text = data.decode(LEGACY_ENCODING)
    except UnicodeDecodeError as exc:
        bad = exc.start
        bad_line = data[:bad].count(b"\n") + 1
        raise FormatError(
            f"expected UTF-8 text, found byte 0x{data[start]:02X} at column {column}; read as "
            f"Windows-1252 instead, byte 0x{data[bad]:02X} on line {bad_line} is not a "
            "character either; save the file as 'CSV UTF-8'",
            path=path,
            line=line,
        ) from None
    if not quiet:
        _legacy_read(path, LEGACY_ENCODING)
    return text.encode("utf-8")


def decode_text(data: bytes, path: str | os.PathLike[str]) -> str:
    """Return the text of a file's bytes ``data``, decoded as :func:`utf8_bytes` says.

    For readers that read the bytes themselves (their own message when a file cannot be
    opened): pipeline and runner JSON files, say.

    Raises
    ------
    FormatError
        Binary data or bytes in no encoding we read (naming the file, line and byte).
    """
    return utf8_bytes(data, path).decode("utf-8")


def read_text_bytes(path: str | os.PathLike[str]) -> bytes:
    """Return the text file ``path`` as UTF-8 bytes (see :func:`utf8_bytes`)."""
    return utf8_bytes(read_bytes(path), path)


def read_text(path: str | os.PathLike[str]) -> str:
    """Return the text of the file ``path``, decoded as :func:`utf8_bytes` says.

    Raises
    ------
    FormatError
        The file is missing, unreadable, binary or in no encoding we read (naming it).
    """
    return read_text_bytes(path).decode("utf-8")


def head_text(path: str | os.PathLike[str], size: int = 1 << 16) -> str:
    """Return the first ``size`` bytes of the text file ``path`` as text (no warning).

    Raises
    ------
    OSError
        The file cannot be read.
    FormatError
        Binary data or bytes in no encoding we read.
    """
    with Path(path).open("rb") as handle:
        head = handle.read(size)
    return utf8_bytes(head, path, partial=len(head) == size, quiet=True).decode("utf-8")


def first_line(path: str | os.PathLike[str]) -> str:
    """Return the first line of the text file ``path``, without its line break (``""`` if empty).

    Decoded as every text reader decodes it (:func:`utf8_bytes`); undecodable text gives
    ``""``.

    Raises
    ------
    OSError
        The file cannot be read.
    """
    try:
        text = head_text(path)
    except FormatError:
        return ""
    lines = text.splitlines()
    return lines[0] if lines else ""


def head_lines(data: bytes, nonblank: int = _SNIFF_LINES) -> list[str]:
    """Return the first lines of ``data`` up to ``nonblank`` non-blank ones (for sniffing).

    ``data`` is UTF-8 (from :func:`read_text_bytes`). Lines as :func:`read_lines` splits
    them, without decoding the whole file; an undecodable head gives ``[]`` (the full reader
    then reports it).
    """
    end, seen = 0, 0
    while seen < nonblank:
        nl = data.find(b"\n", end)
        if nl < 0:
            end = len(data)
            break
        if data[end:nl].strip():
            seen += 1
        end = nl + 1
    try:
        return data[:end].decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        return []


def read_lines(path: str | os.PathLike[str], data: bytes | None = None) -> list[str]:
    r"""Read a text file into lines without line endings (``\\r\\n`` and ``\\n`` accepted).

    ``data``: the file's bytes when already read (raw, or from :func:`read_text_bytes`).
    Decoded as :func:`utf8_bytes` says (byte-order marks; Windows-1252 with a warning).

    Raises
    ------
    FormatError
        If the file is missing, unreadable, binary or in no encoding we read.
    """
    p = Path(path)
    data = read_bytes(p) if data is None else data
    return utf8_bytes(data, p).decode("utf-8").splitlines()


_BLANK_SPLIT = re.compile(r"[^\S\t]*\t[^\S\t]*|[^\S\t]+")
"""A blank delimiter's separators: a tab with the spaces around it, or a run of spaces."""


def split_row(line: str, delimiter: str) -> list[str]:
    r"""Split ``line`` into cells at ``delimiter``, cells trimmed of spaces.

    A tab, as any other one-character delimiter, separates exactly one cell: two tabs in a
    row hold an empty cell (``"1		31.75"`` is ``["1", "", "31.75"]``), as in
    WhiskerToolbox's loaders and every spreadsheet. A space delimiter (the points CSV's
    default, and what a table aligned with blanks is read with) takes a run of spaces as
    one separator (aligned columns; see the README's *Where we differ*), but still
    each tab as one: a tab-separated row read with it keeps its empty cells.
    """
    if delimiter == "\t":
        return [token.strip() for token in line.rstrip("\r\n").split("\t")]
    if delimiter.strip() == "":
        text = line.strip(" \r\n\f\v")
        return _BLANK_SPLIT.split(text) if text else []
    return [token.strip() for token in line.split(delimiter)]


_OTHER_DELIMITERS = ((",", "','"), (";", "';'"), ("\t", "tab"), (" ", "space"))
"""Delimiters :func:`short_row_reason` tries, with how its hint names them."""


def short_row_reason(rows: Sequence[str], delimiter: str, needed: int, option: str) -> str:
    """Return why a row with fewer than ``needed`` columns is skipped, with a fix when one shows.

    A file read with the wrong delimiter has every row short: WhiskerToolbox's own points
    saver writes ``frame,x,y`` while its points loader splits on spaces by default, and
    such a load keeps nothing. When the first rows of ``rows`` (up to 20 non-blank ones)
    all split into ``needed`` columns or more at another delimiter, the reason says so
    and names the option to set.

    Parameters
    ----------
    rows : sequence of str
        The lines the reader reads (a header included).
    delimiter : str
        The delimiter in use (see :func:`split_row`).
    needed : int
        Columns a row must have.
    option : str
        The loader option that sets the delimiter (``column_delim`` for points).

    Returns
    -------
    str
        ``"fewer than 3 columns"``, or e.g. ``"fewer than 3 columns (the rows split into 3
        columns at ','; set "column_delim": ",")"``.
    """
    reason = f"fewer than {needed} columns"
    sample = [row for row in rows[:200] if row.strip()][:20]
    if not sample:
        return reason
    for other, shown in _OTHER_DELIMITERS:
        if other == delimiter or (other.strip() == "" and delimiter.strip() == ""):
            continue
        if not all(other in row for row in sample):
            continue
        widths = [len(split_row(row, other)) for row in sample]
        if min(widths) >= needed:
            return (
                f"{reason} (the rows split into {min(widths)} columns at {shown}; set "
                f"{json.dumps(option)}: {json.dumps(other)})"
            )
    return reason


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


def format_float32(value: float) -> str:
    """Return the shortest decimal text that parses back to the same float32 (``131``, ``0.1``)."""
    return np.format_float_positional(np.float32(value), unique=True, trim="-")


def format_floats(values: np.ndarray, precision: int | None = None) -> list[str]:
    """Format many floats at C speed: shortest float32 round-trip text, or fixed ``precision``."""
    arr = np.asarray(values, dtype=np.float32).ravel()
    if precision is None:
        return arr.astype(str).tolist()
    return np.char.mod(f"%.{int(precision)}f", arr.astype(np.float64)).tolist()


def integral(values: np.ndarray) -> np.ndarray | None:
    """Return ``values`` as int64 when every value is a whole number, else ``None``."""
    as_int = values.astype(np.int64)
    return as_int if np.array_equal(as_int, values) else None
