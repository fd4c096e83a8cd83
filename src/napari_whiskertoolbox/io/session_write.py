"""A session save in two steps: a cheap snapshot of the DataManager, then the writing.

:func:`snapshot_session` runs where the DataManager is edited (Qt's main thread) and copies
no array: each key's arrays are lent as they are (edits replace arrays, and an in-place
``writable()`` edit copies first, see :func:`~napari_whiskertoolbox.core.writable.share`).
:meth:`SessionSnapshot.write` may then run on another thread while the user keeps editing.
Keys whose files an earlier save into the same folder left (:class:`WrittenKey`) are not
written again when they hold the same object and were not edited: the new ``session.json``
points at those files.

The write is atomic at the folder level (see :mod:`.session`): new files get fresh names,
``session.json`` is replaced last (the commit point), then files nothing points at go.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.default_clock import DEFAULT_CLOCK
from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.core.key_references import SOURCES
from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.io.atomic import atomic_open, atomic_write_text, fsync_directory
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.native import NATIVE_FORMAT, FrozenNative, frozen_native, write_native
from napari_whiskertoolbox.io.session_paths import ABSOLUTE_KEY, SAVED_IN_KEY, reference_paths

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping

    from napari_whiskertoolbox.core.data_manager import DataManager
    from napari_whiskertoolbox.core.media import MediaData

__all__ = ["SaveCancelled", "SessionSnapshot", "WrittenKey", "media_bytes", "snapshot_session"]

DATA_DIR = "data"
SESSION_VERSION = 1
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
# Only files this module writes are ever deleted: "<key>-<token>.<field>.npy" and the
# temporaries of interrupted writes of such files.
_OUR_FILE = re.compile(r"^.+-[0-9a-f]{10}\.[a-z_]+\.npy$")
_OUR_TEMP = re.compile(r"^\..+-[0-9a-f]{10}\.[a-z_]+\.npy\..+\.tmp$")
_FRAME_BLOCK_BYTES = 64 * 2**20  # in-memory media is written this many bytes of frames at a time
_MEDIA_KINDS = MEDIA_KINDS


class SaveCancelled(Exception):
    """The write was cancelled before its commit: the folder holds the previous save."""


@dataclass(frozen=True)
class WrittenKey:
    """A key (or clock) as a save left it in a session folder.

    Attributes
    ----------
    obj : object
        The object written: the files are reused only while the key holds this object.
    entry : dict
        Its ``session.json`` fields besides ``name``, ``data_type`` and ``clock``.
    files : tuple of Path
        The files it points at.
    """

    obj: Any
    entry: dict[str, Any]
    files: tuple[Path, ...]


@dataclass
class _Part:
    """One key or clock of a snapshot: its known fields, and what remains to write."""

    ident: str  # "data:<key>" or "clock:<name>"
    head: dict[str, Any]
    obj: Any
    stem: str = ""
    entry: dict[str, Any] = field(default_factory=dict)
    files: tuple[Path, ...] = ()
    native: FrozenNative | None = None
    media: MediaData | None = None
    nbytes: int = 0


def media_bytes(media: MediaData) -> int:
    """Bytes an in-memory media takes as a ``.npy`` of all its frames."""
    return int(np.prod([int(n) for n in media.shape])) * np.dtype(media.dtype).itemsize


@dataclass
class SessionSnapshot:
    """What a save writes, taken by :func:`snapshot_session`; :meth:`write` writes it.

    Attributes
    ----------
    config_path : Path
        The ``session.json`` to write.
    nbytes : int
        Bytes the write needs on disk, at most (files reused are not counted).
    """

    config_path: Path
    parts: list[_Part]
    document: dict[str, Any]

    @property
    def nbytes(self) -> int:
        """Bytes of the files to write, at most."""
        return sum(part.nbytes for part in self.parts) + 2**16

    def sizes(self) -> dict[str, int]:
        """Return the bytes to write per key (clocks as ``clock:<name>``), largest first."""
        sizes = {p.ident.removeprefix("data:"): p.nbytes for p in self.parts if p.nbytes}
        return dict(sorted(sizes.items(), key=lambda kv: -kv[1]))

    def write(self, cancelled: Callable[[], bool] | None = None) -> dict[str, WrittenKey]:
        """Write the data files, then ``session.json``; return what each key left on disk.

        ``cancelled`` is asked between files: when it answers ``True`` before the commit,
        the new files are removed and :class:`SaveCancelled` is raised.

        Raises
        ------
        FormatError
            A file a reused key points at is gone (nothing is committed).
        OSError
            The disk refused a write (nothing is committed; the new files are removed).
        """
        folder = self.config_path.parent
        data_dir = folder / DATA_DIR
        data_dir.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex[:10]
        written: list[Path] = []
        result: dict[str, WrittenKey] = {}
        try:
            for part in self.parts:
                if cancelled is not None and cancelled():
                    raise SaveCancelled
                if part.native is not None or part.media is not None:
                    _write_part(part, data_dir / f"{part.stem}-{token}", folder)
                    written += part.files
                missing = [f for f in part.files if not f.is_file()]
                if missing:
                    raise FormatError(
                        f"the files of {part.ident} left by the previous save are gone",
                        path=missing[0],
                    )
                result[part.ident] = WrittenKey(part.obj, part.entry, part.files)
            document = dict(self.document)
            document["clocks"] = [
                {**p.head, **p.entry} for p in self.parts if p.ident.startswith("clock:")
            ]
            document["data"] = [
                {**p.head, **p.entry} for p in self.parts if p.ident.startswith("data:")
            ]
            text = json.dumps(document, indent=1, allow_nan=False)
            if cancelled is not None and cancelled():
                raise SaveCancelled
            fsync_directory(data_dir)
            atomic_write_text(self.config_path, text)
        except BaseException:
            _remove(written)
            raise
        keep = {f.resolve() for part in self.parts for f in part.files}
        _remove_unreferenced(folder, data_dir, keep, self.config_path)
        return result


def snapshot_session(
    dm: DataManager,
    config_path: Path,
    *,
    previous: Mapping[str, WrittenKey] | None = None,
    edited: Collection[str] = (),
    leave_out: Collection[str] = (),
) -> SessionSnapshot:
    """Take what saving ``dm`` to ``config_path`` writes, without copying any array.

    Parameters
    ----------
    dm : DataManager
    config_path : Path
        The ``session.json`` to write.
    previous : mapping, optional
        What the last save into the same folder left (:meth:`SessionSnapshot.write`'s
        result): a key holding the same object, not in ``edited``, points at those files.
    edited : collection of str
        Keys edited since that save.
    leave_out : collection of str
        Keys not saved at all.

    Raises
    ------
    FormatError
        ``dm.metadata`` holds a value JSON cannot (nothing is written).
    """
    previous = previous or {}
    where = _non_json_value(dm.metadata, "dm.metadata")
    if where is not None:
        raise FormatError(
            "dm.metadata must hold only JSON values (dict with str keys, list, str, finite "
            f"number, bool, None); {where} does not: not exactly representable in JSON",
            path=config_path,
        )
    folder = config_path.parent
    used: set[str] = set()
    parts: list[_Part] = []
    for name in dm.time_keys():
        clock = dm.get_time(name)
        form = clock.regular_form
        if name == DEFAULT_CLOCK and len(clock) == 0 and clock.sampling_rate is None:
            continue  # the automatic clock, empty when all data is on other clocks: it comes back
        part = _Part(f"clock:{name}", {"name": name}, clock)
        if form is not None or len(clock) == 0:
            # ticks 0 .. n-1 as a count (round(start + i * step) as three numbers): a
            # 2e9-sample clock is not 16 GB of ticks on disk; an empty clock is a count of 0
            part.entry = {"format": "count", "count": len(clock)}
            if clock.sampling_rate is not None:
                part.entry["sampling_rate"] = clock.sampling_rate
            if form is not None and not clock.is_counting:
                part.entry.update(first_tick=form[0], tick_step=form[1])
        elif not _reuse(part, previous, edited):
            _plan_native(part, "time", f"clock-{name}", used)
        parts.append(part)
    sources = dm.metadata.get(SOURCES, {}) if isinstance(dm.metadata.get(SOURCES), dict) else {}
    for key in dm:
        if key in leave_out:
            continue
        data_type = dm.data_type(key)
        obj = dm.get_data(key)
        part = _Part(
            f"data:{key}", {"data_type": data_type, "name": key, "clock": dm.time_key(key)}, obj
        )
        if data_type in _MEDIA_KINDS and obj.source_path is not None:
            part.entry = _media_reference(obj, folder, sources.get(key))
        elif _reuse(part, previous, edited):
            if data_type not in _MEDIA_KINDS:  # options without signals (a unit) stay current
                part.entry.update(frozen_native(data_type, obj).extra)
        elif data_type in _MEDIA_KINDS:
            part.media, part.nbytes = obj, media_bytes(obj)
            part.stem = _unique_stem(key, used)
        else:
            _plan_native(part, data_type, key, used)
        parts.append(part)
    document = {
        "version": SESSION_VERSION,
        SAVED_IN_KEY: str(folder.resolve()),
        "clocks": [],
        "data": [],
        "groups": {name: [int(i) for i in ids] for name, ids in dm.groups.to_dict().items()},
        "metadata": copy.deepcopy(dm.metadata),
    }
    if dm.auto_removed_clocks():  # clocks a transform made: they go with their last key
        document["auto_removed_clocks"] = list(dm.auto_removed_clocks())
    return SessionSnapshot(config_path, parts, document)


def _reuse(part: _Part, previous: Mapping[str, WrittenKey], edited: Collection[str]) -> bool:
    """Point ``part`` at the files of the previous save if it is unchanged since."""
    before = previous.get(part.ident)
    name = part.ident.split(":", 1)[1]
    if before is None or before.obj is not part.obj or name in edited:
        return False
    if not all(f.is_file() for f in before.files):
        return False
    part.entry, part.files = dict(before.entry), before.files
    return True


def _plan_native(part: _Part, data_type: str, name: str, used: set[str]) -> None:
    part.native = frozen_native(data_type, part.obj)
    part.nbytes = part.native.nbytes + 128 * 4  # .npy headers
    part.stem = _unique_stem(name, used)


def _write_part(part: _Part, prefix: Path, folder: Path) -> None:
    """Write a native object's files or a media's frames; set ``part.entry`` and ``files``."""
    if part.native is not None:
        part.files = tuple(write_native(part.native, prefix))
        part.entry = {
            "format": NATIVE_FORMAT,
            "filepath": _rel(prefix, folder),
            **part.native.extra,
        }
        return
    assert part.media is not None
    target = prefix.with_name(f"{prefix.name}.frames.npy")
    _save_frames_npy(target, part.media)
    part.files = (target,)
    part.entry = {"format": "npy", "filepath": _rel(target, folder)}


def _media_reference(
    media: MediaData, folder: Path, source: dict[str, Any] | None
) -> dict[str, Any]:
    options = dict(source.get("options", {})) if isinstance(source, dict) else {}
    options.update(_listed_files(media))
    options.pop(ABSOLUTE_KEY, None)
    assert media.source_path is not None
    return {"format": "media", **reference_paths(media.source_path, folder), **options}


def _listed_files(media: MediaData) -> dict[str, Any]:
    """Return ``{"files": [...]}`` for image-folder media showing images of sub-folders.

    One media over a DeepLabCut project's labelled-data folders (``<video>/<image>``
    relative to ``labeled-data/``) reads back only from its list of files; an image folder
    of its own images reads back from the folder (and its config options) as before.
    """
    files = getattr(media, "files", None)
    root = media.source_path
    if not files or root is None or not root.is_dir():
        return {}
    try:
        relative = [Path(f).relative_to(root) for f in files]
    except ValueError:
        return {}
    if all(len(r.parts) == 1 for r in relative):
        return {}
    return {"files": [r.as_posix() for r in relative]}


def _save_frames_npy(target: Path, media: MediaData) -> None:
    """Atomically write ``media``'s frames as one ``.npy``, a block of frames at a time.

    A media that renders or decodes frames when read (the sample's video) is never whole in
    memory: at most :data:`_FRAME_BLOCK_BYTES` of frames (and at least one frame) at once.
    """
    shape, dtype = tuple(int(n) for n in media.shape), np.dtype(media.dtype)
    frame_bytes = max(1, int(np.prod(shape[1:])) * dtype.itemsize)
    step = max(1, _FRAME_BLOCK_BYTES // frame_bytes)
    header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}
    with atomic_open(target, "wb") as handle:
        np.lib.format.write_array_header_1_0(handle, header)
        for start in range(0, shape[0], step):
            block = np.ascontiguousarray(media[start : start + step], dtype=dtype)
            handle.write(block.data)


def _non_json_value(value: Any, where: str) -> str | None:
    """Return where (``dm.metadata['ui']['x']``) the first value JSON cannot hold is, if found."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{where} key {key!r}"
            found = _non_json_value(item, f"{where}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = _non_json_value(item, f"{where}[{i}]")
            if found:
                return found
        return None
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        return None if np.isfinite(value) else where
    return where


def _unique_stem(name: str, used: set[str]) -> str:
    """Return a file-name-safe stem for ``name``, unlike every stem in ``used`` (case-blind)."""
    stem = first_free(_UNSAFE.sub("_", name)[:80] or "key", lambda s: s.lower() in used)
    used.add(stem.lower())
    return stem


def _rel(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


def _remove(files: list[Path]) -> None:
    for f in files:
        with contextlib.suppress(OSError):
            f.unlink()


def _remove_unreferenced(folder: Path, data_dir: Path, keep: set[Path], config_path: Path) -> None:
    """Delete data files of earlier saves and temporaries left by interrupted ones."""
    for entry in data_dir.iterdir():
        ours = _OUR_FILE.match(entry.name) or _OUR_TEMP.match(entry.name)
        if ours and entry.is_file() and entry.resolve() not in keep:
            with contextlib.suppress(OSError):
                entry.unlink()
    for entry in folder.glob(f".{config_path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            entry.unlink()
