"""Sessions: a folder holding ``session.json`` (a WhiskerToolbox-style config) + its data files.

Layout::

    my_session/
      session.json                      # object-form config: clocks, data, groups, metadata
      data/<key>-<token>.<field>.npy    # native structure-of-arrays files (see .native)

Saving is atomic at the folder level: new data files get fresh names (a new random
token per save), then ``session.json`` is atomically replaced (the commit point), then
files nothing points at are removed. A save killed at any moment leaves the previous
``session.json`` and every file it points at intact.
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.default_clock import DEFAULT_CLOCK
from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.io.atomic import atomic_open, atomic_write_text, fsync_directory
from napari_whiskertoolbox.io.config import load_config
from napari_whiskertoolbox.io.config_parse import parse_config
from napari_whiskertoolbox.io.csv_tools import read_text
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.native import NATIVE_FORMAT, save_native
from napari_whiskertoolbox.io.session_paths import ABSOLUTE_KEY, SAVED_IN_KEY, reference_paths

if TYPE_CHECKING:
    import os

    from napari_whiskertoolbox.core.data_manager import DataManager
    from napari_whiskertoolbox.core.media import MediaData

__all__ = [
    "SESSION_FILE",
    "check_session_file",
    "load_session",
    "save_session",
    "session_config_path",
    "session_open_problem",
]

SESSION_FILE = "session.json"
DATA_DIR = "data"
SESSION_VERSION = 1
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
# Only files this module writes are ever deleted: "<key>-<token>.<field>.npy" and the
# temporaries of interrupted writes of such files.
_OUR_FILE = re.compile(r"^.+-[0-9a-f]{10}\.[a-z_]+\.npy$")
_OUR_TEMP = re.compile(r"^\..+-[0-9a-f]{10}\.[a-z_]+\.npy\..+\.tmp$")
_FRAME_BLOCK_BYTES = 64 * 2**20  # in-memory media is written this many bytes of frames at a time


def session_config_path(path: str | os.PathLike[str]) -> Path:
    """Return the ``session.json`` of a session folder (a ``.json`` path is returned as is)."""
    p = Path(path)
    return p if p.suffix.lower() == ".json" else p / SESSION_FILE


def save_session(dm: DataManager, path: str | os.PathLike[str], *, mark_saved: bool = True) -> Path:
    """Save every key, clock, group and ``dm.metadata`` to the session folder ``path``.

    Parameters
    ----------
    dm : DataManager
    path : path-like
        Session folder (created if needed), or the path of its ``.json`` config.
    mark_saved : bool
        Call ``dm.mark_saved()`` after success (``False`` for autosaves and backups).

    Returns
    -------
    Path
        The written ``session.json``.

    Raises
    ------
    FormatError
        The config path already holds a file that is not a session this function wrote
        (a WhiskerToolbox config named ``session.json``, the config chosen as the target,
        anything unreadable): it is never replaced. Also a non-JSON value in ``dm.metadata``.

    Notes
    -----
    Media keys are saved as references to their source file; in-memory media
    (no source file) is saved as a ``.npy`` of its frames.
    """
    config_path = session_config_path(path)
    _check_replaceable(config_path)
    folder = config_path.parent
    data_dir = folder / DATA_DIR
    data_dir.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:10]
    written: list[Path] = []
    used: set[str] = set()
    clocks = []
    for name in dm.time_keys():
        clock = dm.get_time(name)
        form = clock.regular_form
        if name == DEFAULT_CLOCK and len(clock) == 0 and clock.sampling_rate is None:
            continue  # the automatic clock, empty when all data is on other clocks: it comes back
        if form is not None or len(clock) == 0:
            # ticks 0 .. n-1 as a count (round(start + i * step) as three numbers): a
            # 2e9-sample clock is not 16 GB of ticks on disk; an empty clock is a count of 0
            extra: dict[str, Any] = {}
            if clock.sampling_rate is not None:
                extra["sampling_rate"] = clock.sampling_rate
            if form is not None and not clock.is_counting:
                extra.update(first_tick=form[0], tick_step=form[1])
            clocks.append({"name": name, "format": "count", "count": len(clock), **extra})
            continue
        prefix = data_dir / f"{_unique_stem(f'clock-{name}', used)}-{token}"
        extra, files = save_native("time", clock, prefix)
        written += files
        clocks.append(
            {"name": name, "format": NATIVE_FORMAT, "filepath": _rel(prefix, folder), **extra}
        )
    items = []
    sources = dm.metadata.get("sources", {}) if isinstance(dm.metadata.get("sources"), dict) else {}
    for key in dm:
        data_type = dm.data_type(key)
        obj = dm.get_data(key)
        item: dict[str, Any] = {"data_type": data_type, "name": key, "clock": dm.time_key(key)}
        prefix = data_dir / f"{_unique_stem(key, used)}-{token}"
        if data_type in ("video", "images"):
            item.update(_media_item(key, obj, prefix, folder, sources.get(key), written))
        else:
            extra, files = save_native(data_type, obj, prefix)
            written += files
            item.update({"format": NATIVE_FORMAT, "filepath": _rel(prefix, folder), **extra})
        items.append(item)
    document = {
        "version": SESSION_VERSION,
        SAVED_IN_KEY: str(folder.resolve()),
        "clocks": clocks,
        "data": items,
        "groups": {name: [int(i) for i in ids] for name, ids in dm.groups.to_dict().items()},
        "metadata": dm.metadata,
    }
    if dm.auto_removed_clocks():  # clocks a transform made: they go with their last key
        document["auto_removed_clocks"] = dm.auto_removed_clocks()
    # json.dumps would turn a key 1 into "1": refused like a value JSON cannot hold
    where = _non_json_value(dm.metadata, "dm.metadata")
    try:
        if where is not None:
            raise ValueError("not exactly representable in JSON")
        text = json.dumps(document, indent=1, allow_nan=False)
    except (TypeError, ValueError) as exc:
        _remove(written)
        raise FormatError(
            "dm.metadata must hold only JSON values (dict with str keys, list, str, finite "
            f"number, bool, None); {where or 'it'} does not: {exc}",
            path=config_path,
        ) from exc
    fsync_directory(data_dir)
    atomic_write_text(config_path, text)
    _remove_unreferenced(folder, data_dir, {p.resolve() for p in written}, config_path)
    if mark_saved:
        dm.mark_saved()
    return config_path


def load_session(path: str | os.PathLike[str], dm: DataManager | None = None) -> DataManager:
    """Load a session folder written by :func:`save_session` into a new DataManager.

    Keys, clocks (with sampling rates), values, entity ids, image sizes, interval layouts,
    groups and metadata come back exactly; the result is marked saved.

    Parameters
    ----------
    path : path-like
        The session folder, or its ``session.json``.
    dm : DataManager, optional
        Where to put the data (as :func:`~.config.load_config` does); a new DataManager
        when omitted.

    Raises
    ------
    FormatError
        The folder has no session file, or the file is not a session :func:`save_session`
        writes (a ``"data"`` list is required: a WhiskerToolbox config may omit it, a
        session never does); the message names the file and the key. Also a file the
        session names (its video, an image folder) found neither relative to the session
        folder nor at its absolute path: the message names the key and both paths.

    Notes
    -----
    A session folder moved or copied with its experiment folder opens the moved copy's
    files (paths relative to the session folder come first, see :mod:`.session_paths`).
    ``session.json`` is read once: the content :func:`session_open_problem` has just read
    of the same, unchanged file is used.
    """
    config_path = session_config_path(path)
    if not config_path.is_file():
        raise FormatError(f"expected a session folder holding {SESSION_FILE}", path=config_path)
    document = _checked_document(config_path, keep=False)  # None: load_config reports it
    return load_config(config_path, dm, document=document)


def session_open_problem(path: str | os.PathLike[str]) -> str | None:
    """Return why the session folder ``path`` cannot be opened, or ``None`` when it can.

    Reads ``session.json`` and looks for every file it names outside its ``data/`` folder
    (the video of a moved experiment folder that is at neither of its paths, see
    :mod:`.session_paths`), without loading any data: the check a window makes before it
    offers the session. The content read is kept for :func:`load_session` of the same,
    unchanged file (it is read once).
    """
    config_path = session_config_path(path)
    if not config_path.is_file():
        return f"there is no {SESSION_FILE} in {str(config_path.parent)!r}"
    try:
        document = _checked_document(config_path, keep=True)
        parse_config(config_path, document=document)
    except FormatError as exc:
        return str(exc)
    return None


def check_session_file(config_path: Path, document: Any = None) -> None:
    """Check that ``config_path`` holds a session's top-level ``"data"`` list.

    ``document``: the file's JSON content when already read, else it is read here.

    Raises
    ------
    FormatError
        Naming the file and the keys found. Unreadable JSON is left to :func:`load_config`,
        which reports its line and column.
    """
    if document is None:
        try:
            document = json.loads(config_path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            return  # load_config reports the line and column
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise FormatError(
            "a session file needs a top-level 'data' list (the saved keys); "
            f"found keys {sorted(document) if isinstance(document, dict) else type(document).__name__}",
            path=config_path,
        )


_last_read: tuple[tuple[str, int, int, int], Any] | None = None
"""The ``session.json`` :func:`session_open_problem` read last: (file identity, content)."""


def _checked_document(config_path: Path, *, keep: bool) -> Any:
    """Return ``config_path``'s JSON content, checked as a session's (``None``: unreadable).

    The content kept by the last check (``keep``) of the same, unchanged file (same size,
    modification time and inode: an atomic save makes a new inode) is used instead of
    reading it again, and is handed out once.
    """
    global _last_read
    stat = config_path.stat()
    identity = (str(config_path.resolve()), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    kept, _last_read = _last_read, None
    if kept is not None and kept[0] == identity:
        document = kept[1]
    else:
        try:
            document = json.loads(read_text(config_path))
        except (FormatError, ValueError):  # load_config reports the line and column
            return None
    check_session_file(config_path, document)
    if keep:
        _last_read = (identity, document)
    return document


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


def _check_replaceable(config_path: Path) -> None:
    """Refuse to replace a file at ``config_path`` unless it is a session (``version`` + ``data``).

    Every session :func:`save_session` writes has both top-level keys; a WhiskerToolbox
    config has no ``version`` (``wt_loaders.md`` §1.1).
    """
    if not config_path.exists():
        return
    try:
        document = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise FormatError(
            f"cannot save the session over this file: it is not a session's {SESSION_FILE} "
            f"(unreadable: {exc}); choose an empty folder or a session folder",
            path=config_path,
        ) from exc
    if not (
        isinstance(document, dict)
        and "version" in document
        and isinstance(document.get("data"), list)
    ):
        raise FormatError(
            "cannot save the session over this file: it is not a session saved by "
            "napari-whiskertoolbox (no top-level 'version' and 'data'; a WhiskerToolbox "
            "config?), and it is never replaced; choose an empty folder or a session folder",
            path=config_path,
        )


def _media_item(
    key: str,
    media: MediaData,
    prefix: Path,
    folder: Path,
    source: dict[str, Any] | None,
    written: list[Path],
) -> dict[str, Any]:
    if media.source_path is not None:
        options = dict(source.get("options", {})) if isinstance(source, dict) else {}
        options.update(_listed_files(media))
        options.pop(ABSOLUTE_KEY, None)
        return {"format": "media", **reference_paths(media.source_path, folder), **options}
    target = prefix.with_name(f"{prefix.name}.frames.npy")
    _save_frames_npy(target, media)
    written.append(target)
    return {"format": "npy", "filepath": _rel(target, folder)}


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
