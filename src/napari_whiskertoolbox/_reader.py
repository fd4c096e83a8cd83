"""npe2 readers: load a config, session folder, video or TIFF stack into the viewer's session.

Each ``get_*_reader`` returns ``None`` for paths it does not handle, else a reader that
loads the path into the session of ``napari.current_viewer()`` (offering the autosave a
crashed session left for that path, if any) and returns napari's "layers already added"
sentinel ``[(None,)]``: the session's bindings create the layers. What a path holds is
decided by :mod:`napari_whiskertoolbox.io.routing`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from napari_whiskertoolbox.io.routing import classify_path, is_config_file

__all__ = ["get_config_reader", "get_interop_reader", "get_media_reader", "get_session_reader"]

ALREADY_ADDED: list[tuple[None]] = [(None,)]

ReaderFunction = Callable[[Any], list[tuple[Any, ...]]]
PathOrPaths = str | Sequence[str]


def _single_path(path: PathOrPaths) -> Path | None:
    if isinstance(path, (list, tuple)):
        if len(path) != 1:
            return None
        path = path[0]
    return Path(path)


def _load_into_current_viewer(path: PathOrPaths) -> list[tuple[None]]:
    import napari

    from napari_whiskertoolbox.workflow.autosave import offer_recovery
    from napari_whiskertoolbox.workflow.registry import get_session

    viewer = napari.current_viewer()
    if viewer is None:
        raise RuntimeError(f"cannot open {path}: there is no napari viewer to load it into")
    single = _single_path(path)
    if single is None:
        raise ValueError(f"cannot open {path}: open one path at a time")
    session = get_session(viewer)
    session.open(single)
    offer_recovery(session)
    return ALREADY_ADDED


def get_config_reader(path: PathOrPaths) -> ReaderFunction | None:
    """Return the reader for a WhiskerToolbox JSON config, or ``None``."""
    single = _single_path(path)
    return _load_into_current_viewer if single and is_config_file(single) else None


def get_session_reader(path: PathOrPaths) -> ReaderFunction | None:
    """Return the reader for a session, image, DeepLabCut labelled-data or Open Ephys folder."""
    single = _single_path(path)
    if single is None or not single.is_dir():
        return None
    return _load_into_current_viewer if classify_path(single) is not None else None


def get_media_reader(path: PathOrPaths) -> ReaderFunction | None:
    """Return the reader for a video file or TIFF stack, or ``None``."""
    single = _single_path(path)
    if single is None or not single.is_file() or classify_path(single) != "media":
        return None
    return _load_into_current_viewer


INTEROP_KINDS = ("deeplabcut", "sleap", "nwb", "ephys")


def get_interop_reader(path: PathOrPaths) -> ReaderFunction | None:
    """Return the reader for DeepLabCut, SLEAP, NWB, Open Ephys or Intan files, or ``None``.

    ``.h5`` and ``.csv`` files are told apart by content (a plain CSV or an unknown HDF5
    file is left to other readers). Labelled-data and Open Ephys *folders* go through
    :func:`get_session_reader`.
    """
    single = _single_path(path)
    if single is None or not single.is_file():
        return None
    return _load_into_current_viewer if classify_path(single) in INTEROP_KINDS else None
