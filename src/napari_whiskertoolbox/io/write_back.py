"""Save edited keys back into the files a config loaded them from, in their own formats.

A session opened from a WhiskerToolbox config can be saved two ways: as a session folder
(:func:`~.session.save_session`, everything) or into the config's own files, so that
WhiskerToolbox itself sees the edits. Only the second can lose information — a format may
not hold what was read with options (a ``scale``, a column layout), a key may be new or
renamed, several keys may share one file — so :func:`plan_write_back` says, for every
changed key, where it goes or why it cannot, and :func:`write_back` writes each file next
to its original first, reads it back with the key's own config item, and replaces the
originals only when every key reads back the same.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.io.data_files import data_file_item
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.keys import source_of, write_key
from napari_whiskertoolbox.io.registry import read_item, writer_formats
from napari_whiskertoolbox.io.rewrite_loss import header_option, rewrite_loss
from napari_whiskertoolbox.io.same_content import content_difference

if TYPE_CHECKING:
    from collections.abc import Iterable

    from napari_whiskertoolbox.core import DataManager

__all__ = ["WriteBackPlan", "plan_write_back", "read_back_difference", "write_back"]


@dataclass(frozen=True)
class WriteBackPlan:
    """Where each changed key would be written, and why some cannot be.

    Attributes
    ----------
    writes : dict
        ``{key: file}`` for keys written back to the file they were loaded from.
    refused : dict
        ``{key: reason}`` for changed keys that cannot be written to a file of the config.
    """

    writes: dict[str, Path] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)

    @property
    def possible(self) -> bool:
        """Whether every changed key can be written back."""
        return not self.refused


def plan_write_back(
    dm: DataManager, changed: Iterable[str], removed: Iterable[str] = ()
) -> WriteBackPlan:
    """Say where each of ``changed`` goes, and why ``removed`` or unwritable keys cannot.

    Parameters
    ----------
    dm : DataManager
        Holds the keys and ``metadata["sources"]`` (written by the config loader).
    changed : iterable of str
        Keys added or edited since the last save.
    removed : iterable of str
        Keys deleted since the last save.
    """
    plan = WriteBackPlan()
    for key in removed:
        if key not in dm:
            plan.refused[key] = "was deleted; a config's files cannot forget a key"
    for key in changed:
        if key not in dm or dm.data_type(key) in MEDIA_KINDS:
            continue
        reason = _refusal(dm, key)
        if reason is None:
            plan.writes[key] = Path(source_of(dm, key)["filepath"])  # type: ignore[index]
        else:
            plan.refused[key] = reason
    return plan


def _refusal(dm: DataManager, key: str) -> str | None:
    source = source_of(dm, key)
    if source is None or not source.get("filepath"):
        return "is not in the config (new or renamed key)"
    if source.get("item") != key:
        return f"is one of several keys read from {Path(source['filepath']).name}"
    fmt = source.get("format")
    if fmt not in writer_formats(dm.data_type(key)):
        return f"was read as {fmt!r}, a format that cannot be written"
    path = Path(source["filepath"])
    if path.is_dir():
        return "was read from a folder of files"
    lost = rewrite_loss(path, source, key) if path.is_file() else None
    if lost is not None:
        return (
            f"would lose {lost} of {path.name}: its WhiskerToolbox loader leaves them out, "
            "so saving into it would drop them"
        )
    return None


def write_back(dm: DataManager, plan: WriteBackPlan) -> list[Path]:
    """Write every key of ``plan.writes`` into its own file, all or nothing.

    Each file is first written beside its original and read back with the key's config
    item; the originals are replaced only when every key reads back as it is in ``dm``.
    A replaced file keeps its permissions.

    Returns
    -------
    list of Path
        The files replaced.

    Raises
    ------
    FormatError
        The plan refuses keys, or a key would not read back the same (naming the key and
        the option or value that does not survive); no original file is touched.
    """
    if not plan.possible:
        reasons = "; ".join(f"{key!r} {reason}" for key, reason in plan.refused.items())
        raise FormatError(f"cannot save into the config's files: {reasons}")
    staged: list[tuple[Path, Path]] = []
    try:
        for key, target in plan.writes.items():
            temporary = target.with_name(f".{target.name}.wtb-save{target.suffix}")
            staged.append((temporary, target))
            try:
                write_key(dm, key, temporary, **header_option(target))
            except FormatError as exc:  # the writer cannot hold an option of the item
                raise FormatError(
                    f"key {key!r} would not read back the same from {target.name}: {exc.reason}"
                ) from exc
            _check_reads_back(dm, key, temporary)
        for temporary, target in staged:
            with contextlib.suppress(FileNotFoundError):  # staged with the umask's mode
                shutil.copymode(target, temporary)
            os.replace(temporary, target)
    finally:
        for temporary, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    return [target for _, target in staged]


def _check_reads_back(dm: DataManager, key: str, path: Path) -> None:
    mismatch = read_back_difference(dm, key, path)
    if mismatch is not None:
        raise FormatError(mismatch)


def read_back_difference(dm: DataManager, key: str, path: str | os.PathLike[str]) -> str | None:
    """Say how ``path`` read with ``key``'s own config item differs from ``key`` (None: same).

    Parameters
    ----------
    dm : DataManager
        Holds ``key`` and its ``metadata["sources"]`` record.
    key : str
        A key read from a file (a config item or a data file opened alone).
    path : path-like
        The file to read as the key's file is read (format and options of its item).

    Returns
    -------
    str or None
        Why the file would not give ``key`` back (naming the key and the file), or None.
    """
    source = source_of(dm, key)
    if source is None or not source.get("filepath") or "data_type" not in source:
        return f"key {key!r} was not read from a file"
    item = data_file_item(
        Path(path),
        source["data_type"],
        key,
        fmt=source.get("format"),
        options=source.get("options") or {},
    )
    try:
        loaded = dict(read_item(item))
    except FormatError as exc:
        return f"key {key!r} would not read back from {Path(source['filepath']).name} ({exc})"
    mismatch = content_difference(dm.get_data(key), loaded.get(key))
    if mismatch is None:
        return None
    options = source.get("options") or {}
    hint = f" (read with options {options})" if options else ""
    return (
        f"key {key!r} would not read back the same from "
        f"{Path(source['filepath']).name}{hint}: {mismatch}"
    )
