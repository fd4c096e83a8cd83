"""Free disk space, checked before a save writes anything: a save never fills the disk."""

from __future__ import annotations

from pathlib import Path
from shutil import disk_usage
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import os

__all__ = ["RESERVE_BYTES", "DiskSpaceError", "check_free_space", "free_bytes", "human_bytes"]

RESERVE_BYTES = 128 * 2**20
"""Bytes left free after a save at least (the disk is never written to the last byte)."""


class DiskSpaceError(OSError):
    """A save would not fit on its disk: nothing was written.

    Attributes
    ----------
    folder : Path
        Where the save was to go.
    needed : int
        Bytes the save writes (at most).
    free : int
        Bytes free on the folder's disk.
    """

    def __init__(self, folder: Path, needed: int, free: int) -> None:
        self.folder, self.needed, self.free = folder, needed, free
        super().__init__(
            f"not enough free disk space to save in {str(folder)!r}: it needs "
            f"{human_bytes(needed)} ({needed} bytes) and {human_bytes(free)} ({free} bytes) "
            f"are free, of which {human_bytes(RESERVE_BYTES)} are left for the system and "
            "other programs; nothing was written: free some space or choose another disk"
        )


def human_bytes(n: float) -> str:
    """Return ``n`` bytes as ``"1.5 GB"`` (powers of 1000, as file managers show them)."""
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def free_bytes(folder: str | os.PathLike[str]) -> int:
    """Return the bytes free on the disk of ``folder`` (or of its nearest existing parent)."""
    path = Path(folder).absolute()
    while not path.exists() and path.parent != path:
        path = path.parent
    return int(disk_usage(path).free)


def check_free_space(folder: str | os.PathLike[str], needed: int) -> int:
    """Raise :class:`DiskSpaceError` unless ``needed`` bytes fit in ``folder`` with a reserve.

    Returns
    -------
    int
        The bytes free before writing.
    """
    free = free_bytes(folder)
    if needed + RESERVE_BYTES > free:
        raise DiskSpaceError(Path(folder), needed, free)
    return free
