"""Atomic file replacement: write a temporary file in the same folder, fsync, ``os.replace``.

A write that fails or is interrupted half-way leaves the previous file untouched: the
target path only ever holds the old complete file or the new complete file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "atomic_open",
    "atomic_path",
    "atomic_save_npy",
    "atomic_write_bytes",
    "atomic_write_text",
    "fsync_directory",
]


def fsync_directory(folder: str | os.PathLike[str]) -> None:
    """Flush a directory entry to disk so a rename inside it survives a crash (POSIX only)."""
    if os.name != "posix":
        return
    fd = os.open(os.fspath(folder), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO]:
    r"""Open a temporary file next to ``path``; on success it atomically replaces ``path``.

    Parameters
    ----------
    path : str or path-like
        Final destination.
    mode : str
        ``"wb"`` or ``"w"`` (text, UTF-8, ``\\n`` newlines).

    Yields
    ------
    file object
        Write to it; if the ``with`` block raises, the temporary file is removed and
        ``path`` is left as it was.
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_open supports modes 'wb' and 'w', got {mode!r}")
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        if mode == "w":
            handle: IO = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        else:
            handle = os.fdopen(fd, "wb")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    fsync_directory(folder)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path`` for a library that writes by file name.

    On success the temporary file is flushed to disk and atomically replaces ``path``; if
    the ``with`` block raises, it is removed and ``path`` is left as it was. Used for HDF5
    (PyTables, h5py, pynwb) and other writers that open the file themselves.

    Parameters
    ----------
    path : str or path-like
        Final destination; the temporary file keeps its suffix.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=folder)
    os.close(fd)
    os.unlink(tmp_name)  # the library creates the file itself
    try:
        yield Path(tmp_name)
        with open(tmp_name, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    fsync_directory(folder)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes | memoryview) -> None:
    """Atomically replace ``path`` with ``data``."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Atomically replace ``path`` with UTF-8 ``text``."""
    with atomic_open(path, "w") as handle:
        handle.write(text)


def atomic_save_npy(path: str | os.PathLike[str], array: np.ndarray) -> None:
    """Atomically write ``array`` as a ``.npy`` file (no pickling allowed)."""
    with atomic_open(path, "wb") as handle:
        np.save(handle, np.asarray(array), allow_pickle=False)
