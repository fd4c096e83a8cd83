"""Clock (TimeFrame) and TTL sources: uint16 digital-input files, file lengths, file names.

TTL conventions follow WhiskerToolbox (``wt_loaders.md`` §2.7): every little-endian uint16
word after ``header_size`` bytes is one sample (a trailing odd byte is ignored); a rising
edge is a sample that is high after a low one, so sample 0 is never an edge; a pulse
interval runs from its rising edge to the first low sample after it (stored inclusive),
and pulses open at either end of the file are dropped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.csv_tools import check_file, read_lines
from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    import os
    from pathlib import Path

    from napari_whiskertoolbox.io.report import RowSkips

__all__ = [
    "file_length_ticks",
    "filename_ticks",
    "read_clock_text",
    "read_ttl_bits",
    "read_ttl_edges",
    "read_ttl_intervals",
    "ttl_edges",
    "ttl_intervals",
]


def read_ttl_bits(
    path: str | os.PathLike[str], *, channel: int = 0, header_size: int = 0
) -> np.ndarray:
    """Return the 0/1 state of bit ``channel`` of every uint16 sample (int8 array).

    A trailing odd byte is ignored, as WhiskerToolbox does.
    """
    p = check_file(path)
    if not 0 <= channel < 16:
        raise FormatError(f"expected channel to be a bit number 0..15, got {channel}", path=p)
    payload = p.stat().st_size - header_size
    if payload < 0:
        raise FormatError(
            f"the {header_size}-byte header is longer than the file ({p.stat().st_size} bytes)",
            path=p,
        )
    n = payload // 2
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    raw = np.memmap(p, dtype="<u2", mode="r", offset=header_size, shape=(n,))
    return ((raw >> np.uint16(channel)) & np.uint16(1)).astype(np.int8)


def _check_transition(transition: str, path: str | os.PathLike[str]) -> None:
    if transition not in ("rising", "falling"):
        raise FormatError(
            f"expected transition 'rising' or 'falling', got {transition!r}", path=path
        )


def _edges(bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rising and falling edge sample indices (never 0)."""
    change = np.diff(bits)
    return np.flatnonzero(change == 1) + 1, np.flatnonzero(change == -1) + 1


def read_ttl_edges(
    path: str | os.PathLike[str],
    *,
    channel: int,
    transition: str,
    header_size: int = 0,
) -> np.ndarray:
    """Sample indices where bit ``channel`` of a uint16 digital-input stream has an edge.

    Parameters
    ----------
    channel : int
        Bit (0-based, 0..15) of the TTL line.
    transition : {"rising", "falling"}
        Which edge counts.
    header_size : int
        Bytes to skip at the start of the file.

    Returns
    -------
    (N,) int64
        Increasing sample indices (>= 1).
    """
    _check_transition(transition, path)
    return ttl_edges(read_ttl_bits(path, channel=channel, header_size=header_size), transition)


def ttl_edges(bits: np.ndarray, transition: str) -> np.ndarray:
    """Return the indices of the ``transition`` edges (``"rising"`` or ``"falling"``) of a 0/1 array.

    Returns
    -------
    (N,) int64
        Increasing sample indices (>= 1: sample 0 is never an edge).
    """
    rising, falling = _edges(np.asarray(bits, dtype=np.int8))
    return (rising if transition == "rising" else falling).astype(np.int64)


def read_ttl_intervals(
    path: str | os.PathLike[str],
    *,
    channel: int,
    transition: str,
    header_size: int = 0,
) -> np.ndarray:
    """Inclusive ``(N, 2)`` intervals of the pulses (``rising``) or gaps (``falling``).

    WhiskerToolbox's convention: an interval starts at an edge of ``transition``'s kind and
    ends at the next edge of the other kind — the first sample *after* the pulse — stored
    as an inclusive ``[start, end]``. Pulses without both edges in the file (high at sample
    0, or still high at the end) are dropped.
    """
    _check_transition(transition, path)
    return ttl_intervals(read_ttl_bits(path, channel=channel, header_size=header_size), transition)


def ttl_intervals(bits: np.ndarray, transition: str) -> np.ndarray:
    """Inclusive ``(N, 2)`` int64 intervals of a 0/1 array, as :func:`read_ttl_intervals`."""
    rising, falling = _edges(np.asarray(bits, dtype=np.int8))
    opens, closes = (rising, falling) if transition == "rising" else (falling, rising)
    after = np.searchsorted(closes, opens, side="right")
    keep = after < closes.size
    return np.stack([opens[keep], closes[after[keep]]], axis=1).astype(np.int64).reshape(-1, 2)


def file_length_ticks(path: str | os.PathLike[str], *, header_size: int = 0) -> np.ndarray:
    """Ticks ``0 .. M-1`` with ``M = (file size - header_size) // 2`` (``uint16_length``)."""
    p = check_file(path)
    size = p.stat().st_size
    if header_size > size:
        raise FormatError(
            f"the {header_size}-byte header is longer than the file ({size} bytes)", path=p
        )
    return np.arange((size - header_size) // 2, dtype=np.int64)


def filename_ticks(
    folder: Path,
    *,
    regex_pattern: str,
    file_extension: str = "",
    mode: str = "found_values",
    sort_ascending: bool = True,
    skips: RowSkips | None = None,
) -> np.ndarray:
    """Ticks from numbers in file names (``format: "filename"``, ``wt_loaders.md`` §2.3).

    Regular files directly in ``folder`` whose name ends with ``file_extension`` are
    searched for ``regex_pattern``; capture group 1 must be an integer (other names are
    skipped, named in ``skips``). ``mode``: ``found_values`` (the numbers, duplicates kept), ``zero_to_max``
    or ``min_to_max``.
    """
    if not folder.is_dir():
        raise FormatError("expected a folder of files whose names hold frame numbers", path=folder)
    try:
        pattern = re.compile(regex_pattern)
    except re.error as exc:
        raise FormatError(
            f"regex_pattern {regex_pattern!r} is not valid ({exc})", path=folder
        ) from None
    if pattern.groups < 1:
        raise FormatError(
            f"regex_pattern {regex_pattern!r} needs a capture group holding the number", path=folder
        )
    entries = [f for f in folder.iterdir() if f.is_file() and f.name.endswith(file_extension)]
    numbers = []
    for file in entries:
        match = pattern.search(file.name)
        text = match.group(1) if match else None
        if text is None or not re.fullmatch(r"[-+]?\d+", text):
            if skips is not None:
                skips.add_file(f"file name without a number matching {regex_pattern!r}", file.name)
            continue
        numbers.append(int(text))
    if not numbers:
        raise FormatError(
            f"no file name matches {regex_pattern!r} with a number in group 1", path=folder
        )
    values = np.asarray(numbers, dtype=np.int64)
    if mode == "zero_to_max":
        return np.arange(int(values.max()) + 1, dtype=np.int64)
    if mode == "min_to_max":
        return np.arange(int(values.min()), int(values.max()) + 1, dtype=np.int64)
    return np.sort(values) if sort_ascending else values


def read_clock_text(path: str | os.PathLike[str]) -> np.ndarray:
    """Read integer clock ticks, one per line (blank lines ignored)."""
    values = []
    for number, text in enumerate(read_lines(path), start=1):
        if not text.strip():
            continue
        try:
            values.append(int(text.strip()))
        except ValueError:
            raise FormatError(
                f"expected an integer clock tick, found {text.strip()!r}", path=path, line=number
            ) from None
    return np.asarray(values, dtype=np.int64)
