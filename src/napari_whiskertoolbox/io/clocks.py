"""Clock (TimeFrame) sources: TTL edges in a uint16 digital-input file, or a frame count."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.csv_tools import check_file, read_lines
from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    import os

__all__ = ["read_clock_text", "read_ttl_bits", "read_ttl_edges", "read_ttl_intervals"]


def read_ttl_bits(
    path: str | os.PathLike[str], *, channel: int = 0, header_size: int = 0
) -> np.ndarray:
    """Return the 0/1 state of bit ``channel`` of every uint16 sample (int8 array)."""
    p = check_file(path)
    if not 0 <= channel < 16:
        raise FormatError(f"expected channel to be a bit number 0..15, got {channel}", path=p)
    payload = p.stat().st_size - header_size
    if payload < 0 or payload % 2:
        raise FormatError(
            f"expected a whole number of uint16 samples after the {header_size}-byte header",
            path=p,
        )
    if payload == 0:
        return np.zeros(0, dtype=np.int8)
    raw = np.memmap(p, dtype=np.uint16, mode="r", offset=header_size)
    return ((raw >> np.uint16(channel)) & np.uint16(1)).astype(np.int8)


def _check_transition(transition: str, path: str | os.PathLike[str]) -> None:
    if transition not in ("rising", "falling"):
        raise FormatError(
            f"expected transition 'rising' or 'falling', got {transition!r}", path=path
        )


def read_ttl_edges(
    path: str | os.PathLike[str],
    *,
    channel: int = 0,
    transition: str = "rising",
    header_size: int = 0,
) -> np.ndarray:
    """Sample indices where bit ``channel`` of a uint16 digital-input stream changes.

    Parameters
    ----------
    channel : int
        Bit (0-based, 0..15) of the TTL line.
    transition : {"rising", "falling"}
        Which edge gives a tick.
    header_size : int
        Bytes to skip at the start of the file.

    Returns
    -------
    (N,) int64
        Increasing sample indices of the edges.
    """
    _check_transition(transition, path)
    edges = np.diff(read_ttl_bits(path, channel=channel, header_size=header_size))
    wanted = 1 if transition == "rising" else -1
    return (np.flatnonzero(edges == wanted) + 1).astype(np.int64)


def read_ttl_intervals(
    path: str | os.PathLike[str],
    *,
    channel: int = 0,
    transition: str = "rising",
    header_size: int = 0,
) -> np.ndarray:
    """Inclusive ``(N, 2)`` sample intervals where bit ``channel`` is high ("rising") or low."""
    from napari_whiskertoolbox.io.intervals import intervals_from_states

    _check_transition(transition, path)
    bits = read_ttl_bits(path, channel=channel, header_size=header_size)
    return intervals_from_states(bits == (1 if transition == "rising" else 0))


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
