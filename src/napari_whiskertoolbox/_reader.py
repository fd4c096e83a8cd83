"""npe2 readers: load a config, session, video, TIFF stack or data file into the viewer's session.

:data:`READER_TABLE` is the one table of our reader contributions: the npe2 command, its
filename patterns and whether it takes folders (``napari.yaml`` lists the same, a test
compares) and which paths it claims. npe2 matches readers by file name only, so the
patterns name only what we read, each pattern in one row: a row's reader tells by content
what the file holds (:func:`~napari_whiskertoolbox.io.routing.classify_path`). napari's
own reader also takes ``.csv``, ``.h5``, video and TIFF files and every folder, so for those
napari asks which reader to use, unless the user chose one for good (its "remember" box,
or :mod:`napari_whiskertoolbox.workflow.reader_preference`). What napari's reader reads
and ours does not is handed to napari's reader when the user chose ours: napari's own
points and shapes CSVs (:mod:`~napari_whiskertoolbox.io.napari_csv`), and folders that
are none of ours; a folder napari cannot read either says which folders we read.

Each reader loads its path into the session of the viewer whose ``open`` called it (else
``napari.current_viewer()``) through
:func:`napari_whiskertoolbox.workflow.opening.open_in_session` (which asks what must be
asked, fits the view and offers a crash's autosave) and returns napari's "layers already
added" sentinel ``[(None,)]``: the session's bindings create the layers.

So ``viewer.open(path, plugin="napari-whiskertoolbox")`` returns ``[]``, not the layers. This
is deliberate: each layer belongs to a binding that made it, keeps it in sync with a
DataManager key both ways (undo, scripts, frame steps) and recreates it when the key
changes kind; a pose set's keypoints and skeleton layers are made per frame from several
keys. Layer data tuples would make napari build independent copies that nothing keeps in
sync, and napari refuses to add a layer that is already in the viewer, so the reader
cannot hand back the bound layers either. To get them, call
:func:`napari_whiskertoolbox.open_in_viewer` (``viewer.open`` without the list).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from napari_whiskertoolbox.io.data_files import DATA_FILE_SUFFIXES
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.interop_routing import unrecognised_interop
from napari_whiskertoolbox.io.napari_csv import NAPARI_READER, napari_csv_layer_type
from napari_whiskertoolbox.io.routing import (
    FOLDERS_WE_OPEN,
    classify_path,
    configs_in_folder,
    looks_like_config_file,
)
from napari_whiskertoolbox.media.suffixes import MEDIA_FILE_SUFFIXES

__all__ = [
    "READER_TABLE",
    "ReaderContribution",
    "get_config_reader",
    "get_data_file_reader",
    "get_media_reader",
    "get_session_reader",
]

ALREADY_ADDED: list[tuple[None]] = [(None,)]

ReaderFunction = Callable[[Any], list[tuple[Any, ...]]]
PathOrPaths = str | Sequence[str]


@dataclass(frozen=True)
class ReaderContribution:
    """One reader of ``napari.yaml``.

    Attributes
    ----------
    function : str
        Name of the ``get_*_reader`` function of this module (and of the npe2 command).
    title : str
        The command title.
    filename_patterns : tuple of str
        What npe2 matches file names against.
    accepts_directories : bool
        Whether npe2 offers folders to the reader.
    claims : callable
        ``claims(path) -> bool``: whether the reader reads this path.
    """

    function: str
    title: str
    filename_patterns: tuple[str, ...]
    accepts_directories: bool
    claims: Callable[[Path], bool]


INTEROP_KINDS = ("deeplabcut", "sleap", "nwb", "ephys")
"""Path kinds of other tools' data (:mod:`napari_whiskertoolbox.io.interop_routing`)."""
INTEROP_FILE_PATTERNS = (
    "*.h5",
    "*.hdf5",
    "*.slp",
    "*.nwb",
    "*.csv",
    "*.rhd",
    "*.rhs",
    "*.oebin",
    "*.yaml",
)
"""File names of other tools' data (content decides; folders go to the session reader)."""


def _patterns(suffixes: Sequence[str]) -> tuple[str, ...]:
    return tuple(f"*{suffix}" for suffix in suffixes)


def _data_file_claims(path: Path) -> bool:
    """Take a WhiskerToolbox data file, another tool's data, or napari's own CSV (napari reads it).

    An ``.h5`` or ``.yaml`` that is none of theirs too: opening it says what it holds and
    what was expected, rather than napari's "refused the file".
    """
    if not path.is_file():
        return False
    kind = classify_path(path)
    return (
        kind == "data_file"
        or kind in INTEROP_KINDS
        or unrecognised_interop(path) is not None
        or napari_csv_layer_type(path) is not None
    )


READER_TABLE: tuple[ReaderContribution, ...] = (
    ReaderContribution(
        "get_config_reader",
        "Open a WhiskerToolbox JSON config (or a session's session.json)",
        ("*.json",),
        False,
        # a config that does not load too (a JSON syntax error, an item without its
        # data_type): opening it names the line and column or the item, rather than
        # napari's "refused the file"
        looks_like_config_file,
    ),
    ReaderContribution(
        "get_session_reader",
        "Open a saved WhiskerToolbox session folder or an image folder",
        (),
        True,
        # every folder (npe2 offers every folder reader every folder anyway): ours opens in
        # the session; a folder of configs says which to open; any other folder goes to
        # napari's reader, or says which folders we read, rather than "refused the file"
        lambda path: path.is_dir(),
    ),
    ReaderContribution(
        "get_media_reader",
        "Open a video or TIFF stack as a WhiskerToolbox session",
        _patterns(MEDIA_FILE_SUFFIXES),
        False,
        lambda path: path.is_file() and classify_path(path) == "media",
    ),
    ReaderContribution(
        "get_data_file_reader",
        "Open a WhiskerToolbox data file (points, lines, masks, events, intervals, analog) or "
        "DeepLabCut, SLEAP, NWB, Open Ephys or Intan data",
        tuple(dict.fromkeys((*_patterns(DATA_FILE_SUFFIXES), *INTEROP_FILE_PATTERNS))),
        False,
        _data_file_claims,
    ),
)
"""Our reader contributions (``napari.yaml`` ``contributions.readers``)."""
_BY_FUNCTION = {row.function: row for row in READER_TABLE}


def _single_path(path: PathOrPaths) -> Path | None:
    if isinstance(path, (list, tuple)):
        if len(path) != 1:
            return None
        path = path[0]
    return Path(path)


def _load_into_calling_viewer(path: PathOrPaths) -> list[tuple[None]]:
    from napari_whiskertoolbox.workflow.opening import open_in_session
    from napari_whiskertoolbox.workflow.registry import (
        calling_viewer,
        get_session,
        get_workflow,
    )

    viewer = calling_viewer()
    if viewer is None:
        raise RuntimeError(f"cannot open {path}: there is no napari viewer to load it into")
    single = _single_path(path)
    if single is None:
        raise ValueError(f"cannot open {path}: open one path at a time")
    session = get_session(viewer)
    open_in_session(session, single, get_workflow(viewer).ask)
    return ALREADY_ADDED


def _read_with_napari(path: PathOrPaths) -> list[tuple[Any, ...]]:
    """Read ``path`` as napari's own reader does (its layer data, for napari to add)."""
    import npe2

    paths = [str(p) for p in path] if isinstance(path, (list, tuple)) else [str(path)]
    return list(npe2.read(paths, stack=False, plugin_name=NAPARI_READER))


FOLDER_ENTRIES_NAMED = 5
"""How many of a folder's entries the error for a folder neither reader reads names."""


def _folder_contents(folder: Path) -> str:
    """Return what ``folder`` holds, in a few words (``"readme.txt and the folder sub/"``)."""
    try:
        entries = sorted(folder.iterdir(), key=lambda p: (p.is_dir(), p.name.lower()))
    except OSError as exc:
        return f"it cannot be listed: {exc.strerror or exc}"
    if not entries:
        return "it is empty"
    names = [f"the folder {p.name}/" if p.is_dir() else p.name for p in entries]
    shown = names[:FOLDER_ENTRIES_NAMED]
    if len(names) > len(shown):
        shown.append(f"{len(names) - len(shown)} more")
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    return f"it holds {listed}"


def _read_other_folder(path: PathOrPaths) -> list[tuple[Any, ...]]:
    """Read a folder none of ours with napari's reader, else raise an error naming ours.

    napari's reader reads each file of a folder as an image; what its image backends raise
    on a file that is none (``struct.error`` from Pillow on a short text file) says nothing
    to the user, so the message says what the folder holds instead (the backend's error
    stays chained, for a traceback).
    """
    try:
        return _read_with_napari(path)
    except Exception as exc:  # napari's reader raises whatever its backend raises
        folder = _single_path(path)
        contents = "" if folder is None else f" ({_folder_contents(folder)})"
        raise FormatError(
            f"this folder is none WhiskerToolbox opens (expected {FOLDERS_WE_OPEN}), and "
            f"napari's own reader found no images it could read in it{contents}",
            path=folder,
        ) from exc


def _reader(function: str, path: PathOrPaths) -> ReaderFunction | None:
    single = _single_path(path)
    if single is None or not _BY_FUNCTION[function].claims(single):
        return None
    if napari_csv_layer_type(single) is not None:
        return _read_with_napari
    if single.is_dir() and classify_path(single) is None and not configs_in_folder(single):
        return _read_other_folder
    return _load_into_calling_viewer


def get_config_reader(path: PathOrPaths) -> ReaderFunction | None:
    """Return the reader for a WhiskerToolbox JSON config or ``session.json``, or ``None``."""
    return _reader("get_config_reader", path)


def get_session_reader(path: PathOrPaths) -> ReaderFunction | None:
    """Return the reader for a folder.

    A session, image, DeepLabCut or Open Ephys folder opens in the session; a folder of
    configs says which to open; any other folder is read by napari's own reader, or, when
    that cannot read it either, raises a :class:`~napari_whiskertoolbox.io.FormatError`
    naming the folders we read.
    """
    return _reader("get_session_reader", path)


def get_media_reader(path: PathOrPaths) -> ReaderFunction | None:
    """Return the reader for a video file or TIFF stack, or ``None``."""
    return _reader("get_media_reader", path)


def get_data_file_reader(path: PathOrPaths) -> ReaderFunction | None:
    """Return the reader for a data file, or ``None``.

    One WhiskerToolbox data file, or DeepLabCut, SLEAP, NWB, Open Ephys or Intan data,
    told apart by content (a plain CSV the content does not name goes to the form asking
    what it holds). napari's own points and shapes CSVs are read by napari's reader. An
    unknown HDF5 or YAML file is taken, to say what it holds. Labelled-data and Open Ephys
    *folders* go through :func:`get_session_reader`.
    """
    return _reader("get_data_file_reader", path)
