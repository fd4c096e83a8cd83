"""Save edited keys back into the files a config loaded them from, in their own formats.

A session opened from a WhiskerToolbox config can be saved two ways: as a session folder
(:func:`~.session.save_session`, everything) or into the config's own files, so that
WhiskerToolbox itself sees the edits. Only the second can lose information — a format may
not hold what was read with options (a ``scale``, a column layout), a key may be new or
renamed, several keys may share one file — so :func:`plan_write_back` says, for every
changed key, where it goes or why it cannot, and :func:`write_back` writes each file next
to its original first, reads it back with the key's own config item, and replaces the
originals only when every key reads back the same.

Given the config, a key the config does not hold (a new mask key, a script's result) is
added to it (:mod:`.config_additions`): written beside the config in WhiskerToolbox's
loader format for its kind, read back with its new item, and the config rewritten with the
item appended — last, after every data file is in place, and undone with them if any
replacement fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.key_references import SOURCES
from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.io.atomic import atomic_write_text, fsync_directory
from napari_whiskertoolbox.io.config_additions import (
    ConfigFacts,
    NewItem,
    config_facts,
    config_text_with,
    new_item,
)
from napari_whiskertoolbox.io.data_files import data_file_item
from napari_whiskertoolbox.io.empty_files import empty_file_refusal
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.keys import not_its_item, source_of, write_key
from napari_whiskertoolbox.io.registry import read_item, writer_formats
from napari_whiskertoolbox.io.rewrite_loss import layout_options, rewrite_loss
from napari_whiskertoolbox.io.same_content import content_difference
from napari_whiskertoolbox.io.session_paths import same_file

if TYPE_CHECKING:
    from collections.abc import Iterable

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.io.config_parse import ConfigItem

__all__ = [
    "WriteBackPlan",
    "is_own_file",
    "plan_write_back",
    "read_back_difference",
    "write_back",
    "write_key_home",
]


@dataclass(frozen=True)
class WriteBackPlan:
    """Where each changed key would be written, and why some cannot be.

    Attributes
    ----------
    writes : dict
        ``{key: file}`` for keys written back to the file they were loaded from.
    refused : dict
        ``{key: reason}`` for changed keys that cannot be written to a file of the config.
    additions : dict
        ``{key: NewItem}`` for keys not in the config, added to it as new items.
    config : Path or None
        The config that :attr:`additions` are appended to.
    """

    writes: dict[str, Path] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    additions: dict[str, NewItem] = field(default_factory=dict)
    config: Path | None = None

    @property
    def possible(self) -> bool:
        """Whether every changed key can be written back."""
        return not self.refused

    def refusals(self, shown: int = 3) -> str:
        """Say why keys are refused, once per reason (``"'a', 'b' and 8 more keys: each …"``)."""
        grouped: dict[str, list[str]] = {}
        for key, reason in sorted(self.refused.items()):
            grouped.setdefault(reason, []).append(key)
        parts = []
        for reason, keys in grouped.items():
            if len(keys) == 1:
                parts.append(f"{_named(keys[0])} {reason}")
                continue
            named = ", ".join(_named(key) for key in keys[:shown])
            more = f" and {len(keys) - shown} more" if len(keys) > shown else ""
            parts.append(f"{named}{more} keys: each {reason}")
        return "; ".join(parts)


def _named(refused: str) -> str:
    """Return a refused key quoted, a refused clock (``"clock 'name'"``) as it is."""
    return refused if refused.startswith("clock ") else repr(refused)


def plan_write_back(
    dm: DataManager,
    changed: Iterable[str],
    removed: Iterable[str] = (),
    config: str | os.PathLike[str] | None = None,
    clocks: Iterable[str] = (),
) -> WriteBackPlan:
    """Say where each of ``changed`` goes, and why ``removed`` or unwritable keys cannot.

    Parameters
    ----------
    dm : DataManager
        Holds the keys and ``metadata["sources"]`` (written by the config loader).
    changed : iterable of str
        Keys added or edited since the last save.
    removed : iterable of str
        Keys the config's files held at the last save, deleted or renamed since: each is
        refused (a config's files cannot forget or rename a key). A key made since the
        last save and deleted or renamed is not one: it has nothing in those files.
    config : path-like, optional
        The config the session was opened from: keys it does not hold are added to it as
        new items (:attr:`WriteBackPlan.additions`). Without it they are refused.
    clocks : iterable of str
        Clocks added, removed or changed (ticks or sampling rate) since the last save:
        refused (``refused["clock '<name>'"]``), as no file of the config holds a clock's
        change; a session folder does.
    """
    plan = WriteBackPlan(config=None if config is None else Path(config))
    for name in clocks:
        gone = name not in dm.time_keys()
        what = "was removed" if gone else "was added or changed (its ticks or rate)"
        plan.refused[f"clock {name!r}"] = (
            f"{what} since the last save; the config's files cannot hold a clock's change "
            "(the session folder does)"
        )
    for key in removed:
        if key not in dm:
            plan.refused[key] = (
                "was deleted or renamed; a config's files cannot forget a key or rename it"
            )
    facts: ConfigFacts | None = None
    for key in changed:
        if key not in dm:
            continue
        source = source_of(dm, key)
        if plan.config is not None and source is None:
            facts = config_facts(plan.config) if facts is None else facts
            taken = [added.path for added in plan.additions.values()]
            added = new_item(dm, key, plan.config, facts, taken)
            if isinstance(added, NewItem):
                plan.additions[key] = added
            else:
                plan.refused[key] = added
            continue
        if dm.data_type(key) in MEDIA_KINDS:
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
        return not_its_item(source)
    fmt = source.get("format")
    if fmt not in writer_formats(dm.data_type(key)):
        return f"was read as {fmt!r}, a format that cannot be written"
    path = Path(source["filepath"])
    if path.is_dir():
        return "was read from a folder of files"
    empty = empty_file_refusal(dm.data_type(key), fmt, dm.get_data(key))
    if empty is not None:
        return f"{empty}, so WhiskerToolbox would no longer load it from {path.name}"
    lost = rewrite_loss(path, source, key) if path.is_file() else None
    if lost is not None:
        return (
            f"would lose {lost} of {path.name}: its WhiskerToolbox loader leaves them out, "
            "so saving into it would drop them"
        )
    return None


def write_back(dm: DataManager, plan: WriteBackPlan) -> list[Path]:
    """Write every key of ``plan`` into its own file (and new keys into the config), all or nothing.

    Each file is first written beside its original and read back with the key's config
    item (a new key with the item added for it); the originals are replaced only when
    every key reads back as it is in ``dm``, the config last. A replaced file keeps its
    permissions. If a replacement fails, the files already replaced get their previous
    content back and the new files are removed. New keys then have a source record, so
    that later saves write them into their files.

    Returns
    -------
    list of Path
        The files replaced or created (the config last, when items were added).

    Raises
    ------
    FormatError
        The plan refuses keys, or a key would not read back the same (naming the key and
        the option or value that does not survive); no original file is touched.
    OSError
        The disk refused a write; the files are as they were.
    """
    if not plan.possible:
        raise FormatError(f"cannot save into the config's files: {plan.refusals()}")
    staged: list[tuple[Path, Path]] = []
    try:
        for key, target in plan.writes.items():
            temporary = _staging(target)
            staged.append((temporary, target))
            try:
                options = (source_of(dm, key) or {}).get("options") or {}
                own = layout_options(target, dm.data_type(key), options)
                write_key(dm, key, temporary, **own)
            except FormatError as exc:  # the writer cannot hold an option of the item
                raise FormatError(
                    f"key {key!r} would not read back the same from {target.name}: {exc.reason}"
                ) from exc
            _check_reads_back(dm, key, temporary)
        for key, added in plan.additions.items():
            temporary = _staging(added.path)
            staged.append((temporary, added.path))
            write_key(dm, key, temporary, fmt=added.raw["format"], **_writer_options(added))
            _check_difference(dm, key, added.path.name, added.item(temporary))
        if plan.additions and plan.config is not None:
            text = config_text_with(plan.config, [a.raw for a in plan.additions.values()])
            temporary = _staging(plan.config)
            atomic_write_text(temporary, text)
            staged.append((temporary, plan.config))
        _replace_all(staged)
    finally:
        for temporary, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    if plan.config is not None:
        sources = dm.metadata.setdefault(SOURCES, {})
        for key, added in plan.additions.items():
            sources[key] = added.source(plan.config)
    return [target for _, target in staged]


def _staging(target: Path) -> Path:
    return target.with_name(f".{target.name}.wtb-save{target.suffix}")


def _writer_options(added: NewItem) -> dict[str, Any]:
    return {k: v for k, v in added.item().options.items() if k != "clock"}


def _replace_all(staged: list[tuple[Path, Path]]) -> None:
    """Move every staged file onto its target; on a failure put back what was replaced."""
    backups: list[tuple[Path | None, Path]] = []
    try:
        for temporary, target in staged:
            backup = None
            if target.exists():
                backup = target.with_name(f".{target.name}.wtb-backup{target.suffix}")
                with contextlib.suppress(FileNotFoundError):
                    backup.unlink()
                try:
                    os.link(target, backup)  # the previous content, kept until all is in place
                except OSError:
                    shutil.copy2(target, backup)
                with contextlib.suppress(FileNotFoundError):  # staged with the umask's mode
                    shutil.copymode(target, temporary)
            backups.append((backup, target))
            os.replace(temporary, target)
        for folder in {target.parent for _, target in staged}:
            fsync_directory(folder)
    except BaseException:
        for backup, target in reversed(backups):
            with contextlib.suppress(OSError):
                if backup is None:
                    target.unlink()
                else:
                    os.replace(backup, target)
        raise
    finally:
        for backup, _ in backups:
            if backup is not None:
                with contextlib.suppress(FileNotFoundError):
                    backup.unlink()


def _check_reads_back(dm: DataManager, key: str, path: Path) -> None:
    mismatch = read_back_difference(dm, key, path)
    if mismatch is not None:
        raise FormatError(mismatch)


def _check_difference(dm: DataManager, key: str, name: str, item: ConfigItem) -> None:
    """Raise unless ``item`` reads ``key`` back as it is in ``dm`` (``name``: its file)."""
    mismatch = _item_difference(dm, key, item, name)
    if mismatch is not None:
        raise FormatError(mismatch)


def _item_difference(
    dm: DataManager, key: str, item: ConfigItem, name: str, hint: str = ""
) -> str | None:
    """Say how ``item`` read (its file ``name``) differs from ``key`` in ``dm`` (None: same)."""
    try:
        loaded = dict(read_item(item))
    except FormatError as exc:  # the reason only: the file read is a staged copy of ``name``
        line = f", line {exc.line}" if exc.line is not None else ""
        return f"key {key!r} would not read back from {name}{line}: {exc.reason}"
    mismatch = content_difference(dm.get_data(key), loaded.get(key))
    if mismatch is None:
        return None
    return f"key {key!r} would not read back the same from {name}{hint}: {mismatch}"


def is_own_file(dm: DataManager, key: str, path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is the file ``key`` alone was read from (its config item's file)."""
    source = source_of(dm, key) or {}
    return source.get("item") == key and same_file(source.get("filepath"), path)


def write_key_home(dm: DataManager, key: str) -> Path:
    """Write ``key`` into the file it was read from, as saving into a config's files does.

    In the file's own format and options (a points CSV's delimiter and columns), first
    beside it, read back with the key's item, then moved over it
    (:func:`plan_write_back` and :func:`write_back` for this one key).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    FormatError
        The file cannot hold the key without loss (columns its WhiskerToolbox loader leaves
        out, such as a points CSV's ``Probability``; a format that cannot be written; one
        file of several keys) or would not read back the same; the file is untouched.
    """
    plan = plan_write_back(dm, [key])
    if key in plan.refused:
        source = source_of(dm, key) or {}
        raise FormatError(f"key {key!r} {plan.refused[key]}", path=source.get("filepath"))
    return write_back(dm, plan)[0]


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
    options = source.get("options") or {}
    item = data_file_item(
        Path(path), source["data_type"], key, fmt=source.get("format"), options=options
    )
    hint = f" (read with options {options})" if options else ""
    return _item_difference(dm, key, item, Path(source["filepath"]).name, hint)
