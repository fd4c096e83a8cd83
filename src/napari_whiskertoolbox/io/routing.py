"""Open and save routing by path, shared by the viewer session and the headless runner.

A path is one of:

- a *session folder* (holds ``session.json``, written by :func:`~.session.save_session`);
- a WhiskerToolbox JSON *config* (list form, or object form with ``data``);
- a *media* path: a video, a TIFF stack (:data:`~napari_whiskertoolbox.media.suffixes.MEDIA_FILE_SUFFIXES`)
  or a folder of images;
- another tool's data (:mod:`~napari_whiskertoolbox.io.interop_routing`): DeepLabCut
  tables, labelled-data folders and project ``config.yaml``, SLEAP ``.slp`` and analysis
  ``.h5``, ``.nwb``, Open Ephys folders and Intan ``.rhd``/``.rhs``.
- a *data file*: one WhiskerToolbox data file (:data:`~.data_files.DATA_FILE_SUFFIXES`: points,
  lines, masks, events, intervals, analog signals, clocks), read as the config item its
  content says it is (:mod:`.data_files`) or as the one the caller gives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from napari_whiskertoolbox.core import DataManager
from napari_whiskertoolbox.core.default_clock import media_clock_of
from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.io.clock_alignment import join_clocks, media_clock
from napari_whiskertoolbox.io.config import load_config
from napari_whiskertoolbox.io.config_parse import config_root_problem
from napari_whiskertoolbox.io.csv_tools import utf8_bytes
from napari_whiskertoolbox.io.data_files import (
    DATA_FILE_SUFFIXES,
    DataFileGuess,
    data_file_item,
    file_key_stem,
    guess_data_file,
    is_data_file_name,
    key_for_file,
    load_data_file,
)
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.file_clocks import recorded_clock
from napari_whiskertoolbox.io.interop_routing import (
    classify_interop,
    open_interop,
    unrecognised_interop,
)
from napari_whiskertoolbox.io.labels_sessions import newer_labels_session, newest_labels_table
from napari_whiskertoolbox.io.napari_csv import NAPARI_READER, napari_csv_layer_type
from napari_whiskertoolbox.io.report import log_renamed_keys
from napari_whiskertoolbox.io.session import (
    SESSION_FILE,
    load_session,
)
from napari_whiskertoolbox.media.suffixes import MEDIA_FILE_SUFFIXES, has_images, is_media_file_name

if TYPE_CHECKING:
    import os

    from napari_whiskertoolbox.io.config_parse import ConfigItem

__all__ = [
    "FOLDERS_WE_OPEN",
    "SESSION_FOLDER_SUFFIX",
    "DataFileNeedsItem",
    "OpenedPath",
    "PathKind",
    "adopt_data_manager",
    "classify_path",
    "configs_in_folder",
    "free_key",
    "is_config_file",
    "is_session_folder",
    "looks_like_config_file",
    "merge_metadata",
    "newer_saved_session",
    "open_path",
    "saved_session_rival",
    "session_folder_for",
]

PathKind = Literal["session", "config", "media", "data_file", "deeplabcut", "sleap", "nwb", "ephys"]
"""What an openable path holds."""
SESSION_FOLDER_SUFFIX = ".session"
"""A config ``exp.json`` is saved, by default, as the session folder ``exp.session``."""
MEDIA_KEY = "media"
"""Key of a media opened on its own (``<file stem>`` when ``media`` is taken)."""
FOLDERS_WE_OPEN = (
    f"a saved session folder (holding {SESSION_FILE}), a folder of images, a DeepLabCut "
    "project or labeled-data folder, an Open Ephys recording (holding structure.oebin), or a "
    "folder holding WhiskerToolbox .json configs"
)
"""The folders :func:`open_path` opens, as a message names them."""


class DataFileNeedsItem(FormatError):
    """A data file's content does not say what it holds: the caller must give the config item.

    Attributes
    ----------
    guess : DataFileGuess
        What the content says: the data types the file could hold, most likely first.
    """

    def __init__(self, guess: DataFileGuess) -> None:
        super().__init__(
            f"cannot tell what this file holds ({guess.reason}); expected a config item "
            f"saying its data_type (one of {', '.join(guess.candidates)})",
            path=guess.path,
        )
        self.guess = guess


@dataclass(frozen=True)
class OpenedPath:
    """What :func:`open_path` loaded.

    Attributes
    ----------
    kind : PathKind
        What the path held.
    dm : DataManager
        The DataManager the data went into.
    source : Path or None
        The path a later save belongs to: the session folder or the config (``None`` for
        media, which belongs to whatever session it was added to).
    keys : tuple of str
        The keys that were added or replaced.
    clock_reason : str or None
        Why a data file read by its content went on the clock it did, when a record of the
        session chose it (``"the clock of 'contact', which it was exported from"``); ``None``
        when the clock was given or is the media's.
    """

    kind: PathKind
    dm: DataManager
    source: Path | None
    keys: tuple[str, ...]
    clock_reason: str | None = None


def is_session_folder(path: str | os.PathLike[str]) -> bool:
    """Return whether ``path`` is a folder holding a ``session.json``."""
    path = Path(path)
    return path.is_dir() and (path / SESSION_FILE).is_file()


def configs_in_folder(path: str | os.PathLike[str]) -> list[Path]:
    """Return the WhiskerToolbox configs and saved session folders directly in folder ``path``.

    Sorted by name; empty when ``path`` is not a folder. What a folder that is itself
    nothing we open (:func:`classify_path` ``None``) offers instead, such as the folder
    of WhiskerToolbox's test data, which holds ``test_config.json``.
    """
    path = Path(path)
    if not path.is_dir():
        return []
    try:
        entries = sorted(path.iterdir())
    except OSError:
        return []
    return [entry for entry in entries if is_config_file(entry) or is_session_folder(entry)]


def is_config_file(path: str | os.PathLike[str]) -> bool:
    """Return whether ``path`` is a WhiskerToolbox JSON config (list or object form).

    Only the JSON structure is checked (a list of items with ``data_type``, and maybe
    ``{"transformations": ...}`` elements), not the items.
    """
    path = Path(path)
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    try:  # decoded as the config loader decodes it (a UTF-16 config is a config too)
        content = json.loads(utf8_bytes(path.read_bytes(), path, quiet=True))
    except (OSError, ValueError):  # FormatError and JSONDecodeError are ValueErrors
        return False
    if config_root_problem(content):  # what loading it would refuse
        return False
    if isinstance(content, dict):
        content = content["data"]
    if not all(isinstance(item, dict) for item in content):
        return False
    data_items = [item for item in content if "data_type" in item]
    return bool(data_items) and all(
        "data_type" in item or "transformations" in item for item in content
    )


_CONFIG_WORDS = (b'"data_type"', b'"filepath"')
"""Item keys of a WhiskerToolbox config: a JSON file naming either is meant as a config."""


def looks_like_config_file(path: str | os.PathLike[str]) -> bool:
    """Return whether ``path`` is a config, or a ``.json`` meant as one that does not load.

    :func:`is_config_file` is true only for a well-formed config. A config with a JSON
    syntax error (a missing comma, a trailing comma) or an item lacking its ``data_type``
    (``"datatype"``, ``"data type"``) is still meant as one: its text names an item key
    (``"data_type"`` or ``"filepath"``). The npe2 config reader claims such a file, so that
    opening it reports the file, line and column or the item and what was expected
    (:func:`~napari_whiskertoolbox.io.config.load_config`), rather than napari's "refused
    the file". Other JSON files (another tool's, which name neither key) are left alone.
    """
    path = Path(path)
    if is_config_file(path):
        return True
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    try:
        content = utf8_bytes(path.read_bytes(), path, quiet=True)
    except (OSError, ValueError):
        return False
    return any(word in content for word in _CONFIG_WORDS)


def classify_path(path: str | os.PathLike[str]) -> PathKind | None:
    """Return what ``path`` holds, or ``None`` when it is nothing we open.

    A ``.json`` file is a config whatever its content (so that loading it reports what is
    wrong with it); a folder is a session folder or, with images in it, media. A CSV that
    napari's own writer wrote (:mod:`.napari_csv`) is napari's, not a data file: ``None``.
    """
    path = Path(path)
    if is_session_folder(path):
        return "session"
    if path.is_file() and path.suffix.lower() == ".json":
        return "config"
    interop = classify_interop(path)
    if interop is not None:
        return interop
    if (path.is_file() and is_media_file_name(path)) or has_images(path):
        return "media"
    if napari_csv_layer_type(path) is not None:
        return None
    if path.is_file() and is_data_file_name(path):
        return "data_file"
    return None


def free_key(dm: DataManager, stem: str) -> str:
    """Return ``stem`` (or ``media``), suffixed ``_2``, ``_3``… until it is not a key of ``dm``."""
    return first_free(stem or MEDIA_KEY, dm.__contains__)


def open_path(
    path: str | os.PathLike[str],
    dm: DataManager | None = None,
    *,
    item: ConfigItem | None = None,
    clock: str | None = None,
    default_clock: str | None = None,
) -> OpenedPath:
    """Load a session folder, a JSON config, a video, a TIFF stack, an image folder or a data file.

    Parameters
    ----------
    path : path-like
        What to open (see the module docstring).
    dm : DataManager, optional
        Where the data goes; a new DataManager when omitted (returned with an empty undo
        history and unmodified: loading it is not an undo step). A config or session is
        loaded completely before anything is added (``dm`` is unchanged on error). A session
        folder replaces what ``dm`` held (keys, clocks, groups, metadata; saved, with an
        empty undo history), as opening it in a window replaces the window's session. A media
        goes under the key ``media``, or the file's stem when ``media`` is taken.
    item : ConfigItem, optional
        How to read a data file (see :func:`~.data_files.data_file_item`); by default
        what its content says, under a key named after the file.
    clock : str, optional
        The clock a data file read by its content (no ``item``) is bound to: its frame
        numbers are frames of that clock. By default, for a file ``dm`` wrote (an export) or
        read, the clock of the key it holds (:func:`~.file_clocks.recorded_clock`); else the
        clock of ``dm``'s first media (a WhiskerToolbox data file beside a video annotates
        the video's frames), else ``time``. A config's items keep WhiskerToolbox's clock
        rules.
    default_clock : str, optional
        The clock used instead of the media's when neither ``clock`` nor a record chooses
        one (a window's display clock).

    Returns
    -------
    OpenedPath
        What was loaded, and where.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    DataFileNeedsItem
        ``path`` is a data file whose content does not say what it holds, and no
        ``item`` was given (the error carries the guess).
    FormatError
        ``path`` is none of the supported kinds, or a file in it is malformed (the
        message names the file and line or config item).
    napari_whiskertoolbox.media.MediaError
        The media cannot be read.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"cannot open {path}: no such file or folder")
    kind = classify_path(path)
    target = dm if dm is not None else DataManager()
    before = dict(target.items())
    clock_reason: str | None = None
    if kind == "session":
        if target.keys():  # a session folder replaces the session: read whole, then swap
            loaded = load_session(path)
            target.reset()
            adopt_data_manager(target, loaded, path.name)
            target.history.clear()  # as loaded: what the folder holds, nothing to save or undo
            target.mark_saved()
        else:
            load_session(path, target)
        source: Path | None = path
    elif kind == "config":
        load_config(path, dm=target)
        source = path
    elif kind == "media":
        from napari_whiskertoolbox.media import open_media

        key = MEDIA_KEY if MEDIA_KEY not in target else free_key(target, path.stem)
        media = open_media(path)
        with target.history.group(f"Open {path.name}"):
            target.set_data(key, media, media_clock(target, key, media, str(path)))
        source = None
    elif kind == "data_file":
        if item is None:
            guess = guess_data_file(path)
            if guess.data_type is None:
                raise DataFileNeedsItem(guess)
            key = key_for_file(target, path)
            if key != file_key_stem(path):  # asked for, the key is in the form: no note
                log_renamed_keys(str(path), f"{file_key_stem(path)!r} as {key!r}")
            recorded = recorded_clock(target, path) if clock is None else None
            if recorded is not None:
                clock, clock_reason = recorded.clock, recorded.reason()
            item = data_file_item(
                path,
                guess.data_type,
                key,
                fmt=guess.format_for(guess.data_type),
                clock=clock or default_clock or media_clock_of(target),
                options=guess.options_for(guess.data_type),
            )
        load_data_file(target, item)
        source = None
    elif kind is not None:
        open_interop(path, kind, target)
        source = None
    elif configs := configs_in_folder(path):
        names = ", ".join(entry.name for entry in configs)
        raise FormatError(
            "this folder is not a session folder (it has no session.json) nor media; it "
            f"holds {names}: open one of them",
            path=path,
        )
    elif (reason := unrecognised_interop(path)) is not None:
        raise FormatError(f"cannot open this file: {reason}", path=path)
    elif (layer_type := napari_csv_layer_type(path)) is not None:
        raise FormatError(
            f"this is napari's own {layer_type} CSV (its columns index, axis-0, axis-1…, "
            "axis-0 being napari's first axis, not a frame): napari's reader opens it as a "
            f"{layer_type} layer, viewer.open(path, plugin={NAPARI_READER!r})",
            path=path,
        )
    elif path.is_dir():
        raise FormatError(
            f"this folder is none WhiskerToolbox opens: expected {FOLDERS_WE_OPEN}", path=path
        )
    else:
        raise FormatError(
            "cannot open this path: expected a session folder, a WhiskerToolbox .json "
            f"config, an image folder, a video or a TIFF stack ({', '.join(MEDIA_FILE_SUFFIXES)})"
            f", a data file ({', '.join(DATA_FILE_SUFFIXES)}), "
            "or DeepLabCut, SLEAP, NWB, Open Ephys or Intan data",
            path=path,
        )
    keys = tuple(k for k, obj in target.items() if before.get(k) is not obj)
    if dm is None:  # a new DataManager: loading it is not an undo step, nothing is unsaved
        target.history.clear()
        target.mark_saved()
    return OpenedPath(kind=kind, dm=target, source=source, keys=keys, clock_reason=clock_reason)


def adopt_data_manager(
    dm: DataManager, source: DataManager, name: str = "the DataManager shown"
) -> tuple[str, ...]:
    """Move every clock, key, group and metadata entry of ``source`` into ``dm``.

    Metadata joins by :func:`merge_metadata`: what ``dm`` records of its own keys stays.

    Clocks join as a file's do (:func:`~napari_whiskertoolbox.io.clock_alignment.join_clocks`):
    on ``dm``'s tick rate, under a free name when ``dm`` has one of that name with other ticks.
    A key ``dm`` has already is replaced.

    An empty, unmodified ``dm`` stays unmodified with an empty undo history (like a file
    just opened); otherwise the additions are one ordinary undo step, ``"Open <name>"``
    (as a file opened into it is).

    Parameters
    ----------
    dm : DataManager
        Where the data goes.
    source : DataManager
        The data; it is not watched afterwards.
    name : str
        What ``source`` is, for the log messages and the undo step's label.

    Returns
    -------
    tuple of str
        The keys of ``dm`` that ``source`` set, in ``source``'s order.
    """
    was_pristine = not dm.keys() and not dm.modified
    clocks = [(n, source.get_time(n)) for n in source.time_keys() if len(source.get_time(n))]
    with dm.history.group(f"Open {name}"):
        names = join_clocks(dm, clocks, name)
        for key in source:
            clock = source.time_key(key)
            dm.set_data(key, source.get_data(key), names.get(clock, clock))
        dm.groups.merge(source.groups)
        merge_metadata(dm.metadata, source.metadata)
    if was_pristine:
        dm.history.clear()
        dm.mark_saved()
    return tuple(source.keys())


def merge_metadata(into: dict[str, Any], incoming: Mapping[str, Any]) -> None:
    """Add the metadata entries of data joining a session to the session's ``into``.

    Records kept per key or per item (``sources``, ``colors``, ``poses``: dicts) gain the
    incoming entries, which replace only entries of the same name; lists
    (``applied_transforms``) gain the incoming items they lack; any other entry the session
    has already (``config_path``, ``title``: what the session is) stays the session's.
    """
    for name, value in incoming.items():
        held = into.get(name)
        if isinstance(held, dict) and isinstance(value, Mapping):
            into[name] = {**held, **value}
        elif isinstance(held, list) and isinstance(value, list):
            into[name] = held + [item for item in value if item not in held]
        elif name not in into:
            into[name] = value


def session_folder_for(path: str | os.PathLike[str]) -> Path:
    """Return the session folder a save to ``path`` writes.

    A session folder (or its ``session.json``) is itself; a config ``exp.json`` gives the
    folder ``exp.session`` beside it (a config is never overwritten); any other path is
    taken as the folder to create.
    """
    path = Path(path)
    if path.suffix.lower() != ".json":
        return path
    if path.name == SESSION_FILE:
        return path.parent
    return path.with_name(f"{path.stem}{SESSION_FOLDER_SUFFIX}")


def saved_session_rival(path: str | os.PathLike[str]) -> Path:
    """Return the file a saved session is newer than (:func:`newer_saved_session`).

    The config itself; for DeepLabCut labelled data, its labels table that changed last.
    """
    path = Path(path)
    if classify_interop(path) == "deeplabcut":
        return newest_labels_table(path) or path
    return path


def newer_saved_session(config: str | os.PathLike[str]) -> Path | None:
    """Return the session folder saved beside ``config`` if it is newer than the config.

    A config ``exp.json`` is saved as ``exp.session`` beside it (:func:`session_folder_for`);
    ``None`` when there is none, or it is older than the config. ``config`` may also be
    DeepLabCut labelled data (a project, a ``labeled-data/<video>/`` folder, a
    ``CollectedData_*`` table): the session folder saved from its labels after they last
    changed (:func:`~.labels_sessions.newer_labels_session`).
    """
    config = Path(config)
    if classify_interop(config) == "deeplabcut":
        return newer_labels_session(config)
    folder = session_folder_for(config)
    saved = folder / SESSION_FILE
    if folder == config.parent or not saved.is_file():
        return None
    return folder if saved.stat().st_mtime > config.stat().st_mtime else None
