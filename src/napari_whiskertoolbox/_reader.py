"""npe2 readers: load a config, session, video, TIFF stack or data file into the viewer's session.

:data:`READER_TABLE` is the one table of our reader contributions: the npe2 command, its
filename patterns and whether it takes folders (``napari.yaml`` lists the same, a test
compares) and which paths it claims. npe2 matches readers by file name only, so the
patterns name only what we read. napari's own reader also takes ``.csv``, video and TIFF
files and every folder, so for those napari asks once which reader to use (and offers to
remember the choice); our readers then refuse, with ``None``, whatever they do not read.

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
from napari_whiskertoolbox.io.interop_routing import unrecognised_interop
from napari_whiskertoolbox.io.routing import (
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
    "get_interop_reader",
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
"""File names another tool's reader looks at (content decides; folders go to the session reader)."""


def _patterns(suffixes: Sequence[str]) -> tuple[str, ...]:
    return tuple(f"*{suffix}" for suffix in suffixes)


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
        # a folder of configs too: opening it says which to open, rather than napari's
        # "refused the file"
        lambda path: (
            path.is_dir() and (classify_path(path) is not None or bool(configs_in_folder(path)))
        ),
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
        "Open a WhiskerToolbox data file (points, lines, masks, events, intervals, analog)",
        _patterns(DATA_FILE_SUFFIXES),
        False,
        lambda path: path.is_file() and classify_path(path) == "data_file",
    ),
    ReaderContribution(
        "get_interop_reader",
        "Open DeepLabCut, SLEAP, NWB, Open Ephys or Intan data in a WhiskerToolbox session",
        INTEROP_FILE_PATTERNS,
        False,
        # an .h5 or .yaml that is none of theirs: opening says what it holds and what was
        # expected, rather than napari's "refused the file"
        lambda path: (
            path.is_file()
            and (classify_path(path) in INTEROP_KINDS or unrecognised_interop(path) is not None)
        ),
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


def _reader(function: str, path: PathOrPaths) -> ReaderFunction | None:
    single = _single_path(path)
    if single is None or not _BY_FUNCTION[function].claims(single):
        return None
    return _load_into_calling_viewer


def get_config_reader(path: PathOrPaths) -> ReaderFunction | None:
    """Return the reader for a WhiskerToolbox JSON config or ``session.json``, or ``None``."""
    return _reader("get_config_reader", path)


def get_session_reader(path: PathOrPaths) -> ReaderFunction | None:
    """Return the reader for a session, image, DeepLabCut labelled-data or Open Ephys folder."""
    return _reader("get_session_reader", path)


def get_media_reader(path: PathOrPaths) -> ReaderFunction | None:
    """Return the reader for a video file or TIFF stack, or ``None``."""
    return _reader("get_media_reader", path)


def get_data_file_reader(path: PathOrPaths) -> ReaderFunction | None:
    """Return the reader for one WhiskerToolbox data file, or ``None``."""
    return _reader("get_data_file_reader", path)


def get_interop_reader(path: PathOrPaths) -> ReaderFunction | None:
    """Return the reader for DeepLabCut, SLEAP, NWB, Open Ephys or Intan files, or ``None``.

    ``.h5`` and ``.csv`` files are told apart by content (a plain CSV or an unknown HDF5
    file is left to other readers). Labelled-data and Open Ephys *folders* go through
    :func:`get_session_reader`.
    """
    return _reader("get_interop_reader", path)
