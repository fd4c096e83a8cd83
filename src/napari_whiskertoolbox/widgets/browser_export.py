"""Export keys of a DataManager to files with the io writers (Qt-free).

:func:`export_formats` offers only the formats that can write a key (media cannot be
exported: it stays in its video or image files), one name per writer, each explained by
:func:`format_help`; :func:`export_key` creates a missing folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.workflow.start_folder import data_folder, last_folder

if TYPE_CHECKING:
    import os

__all__ = [
    "DEFAULT_FORMAT",
    "EXPORT_DIALOG",
    "FORMAT_HELP",
    "common_formats",
    "default_export_folder",
    "export_formats",
    "export_key",
    "export_warning",
    "format_help",
]

DEFAULT_FORMAT = "default"
"""The export choice meaning "each key in its usual format"."""
_IMAGE_FORMATS = ("png", "image", "images")  # written as a folder of images; first is shown
EXPORT_FOLDER = "exports"
"""Folder created beside (or inside) the session for exports."""
EXPORT_DIALOG = "export"
"""The Export dialog's name for the folder it last exported to (``start_folder``)."""

_EXPORT_OPTIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("digital_event", "csv"): {"has_header": True},
}
"""Writer options by ``(data_type, format)``: the ``Event`` header WhiskerToolbox's events
saver writes (``wt_loaders.md`` §12.2; its loader skips it), so an empty key is not a 0-byte
file."""

FORMAT_HELP: dict[tuple[str, str], str] = {
    ("*", DEFAULT_FORMAT): "each key in its usual WhiskerToolbox format (the first one below)",
    ("points", "csv"): "WhiskerToolbox points CSV: one point per row, 'frame x y'",
    ("line", "csv"): (
        'WhiskerToolbox lines CSV: one line per row, Frame,"x1,x2,…","y1,y2,…" (quoted lists)'
    ),
    ("mask", "csv"): "WhiskerToolbox mask CSV: one mask per row, Frame then run-length pixels",
    ("mask", "png"): "a folder of PNG images, one per frame (white pixels are the mask)",
    ("analog", "csv"): "CSV: one sample per row (time,value when the signal is not dense)",
    ("digital_event", "csv"): "CSV: an 'Event' header, then one event time (frame index) per row",
    ("digital_interval", "csv"): "CSV: one interval per row, 'start,end' (both frames included)",
    ("tensor", "npy"): "a NumPy .npy array",
    ("*", "wtb_npy"): (
        "napari-whiskertoolbox's own .npy arrays, exactly as sessions store them "
        "(read back only by this plugin)"
    ),
}
"""What each export format writes, by ``(data_type, format)`` (``"*"``: any data type)."""


def format_help(data_type: str, fmt: str) -> str:
    """Return what exporting ``data_type`` as ``fmt`` writes, in a phrase for the user."""
    return (
        FORMAT_HELP.get((data_type, fmt))
        or FORMAT_HELP.get(("*", fmt))
        or f"the {fmt!r} format of the io writers"
    )


def export_formats(data_type: str) -> list[str]:
    """Return the formats a key of ``data_type`` can be exported to (none for media).

    The io writers' formats, one name per writer (``png`` for the image-folder writer),
    then the native format of sessions.
    """
    from napari_whiskertoolbox.io.native import NATIVE_FORMAT
    from napari_whiskertoolbox.io.registry import WRITERS, writer_formats

    if data_type in MEDIA_KINDS:
        return []
    by_writer: dict[int, list[str]] = {}
    for fmt in writer_formats(data_type):
        by_writer.setdefault(id(WRITERS[(data_type, fmt)]), []).append(fmt)
    names = []
    for group in by_writer.values():
        preferred = [f for f in _IMAGE_FORMATS if f in group]
        names.append(preferred[0] if preferred else group[0])
    return [*names, NATIVE_FORMAT]


def common_formats(data_types: list[str]) -> list[str]:
    """Return the formats every one of ``data_types`` can be exported to, in order."""
    if not data_types:
        return []
    common = export_formats(data_types[0])
    for data_type in data_types[1:]:
        allowed = set(export_formats(data_type))
        common = [f for f in common if f in allowed]
    return common


def default_export_folder(session_path: Path | None, media_path: Path | None = None) -> Path:
    """Return where exports go by default: ``exports/`` in the session's folder.

    The session folder, else the config's folder, else the media's folder
    (:func:`~napari_whiskertoolbox.workflow.start_folder.data_folder`); without any, the
    folder last exported to, else ``exports/`` in the home folder (never the process's
    working folder).
    """
    base = data_folder(session_path, media_path)
    if base is not None:
        return base / EXPORT_FOLDER
    last = last_folder(EXPORT_DIALOG)
    return last if last is not None else Path.home() / EXPORT_FOLDER


def _default_format(data_type: str) -> str:
    from napari_whiskertoolbox.io.native import NATIVE_FORMAT
    from napari_whiskertoolbox.io.registry import DEFAULT_FORMATS

    fmt = DEFAULT_FORMATS.get(data_type)
    return fmt if fmt in export_formats(data_type) else NATIVE_FORMAT


def export_key(dm: Any, key: str, folder: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write ``key`` into ``folder`` (created if missing) and return the written path.

    The session records the file as ``key``'s (:func:`~napari_whiskertoolbox.io.file_clocks.record_written_to`):
    opened again, it goes on ``key``'s clock.

    Parameters
    ----------
    dm : DataManager
        Holds the key.
    key : str
        Key to export.
    folder : path-like
        Destination folder; the file is named after the key.
    fmt : str, optional
        A format of :func:`export_formats`; by default the data type's usual format
        (csv / npy), else the native ``.npy`` format of sessions.

    Raises
    ------
    ValueError
        When the key's type cannot be written in ``fmt`` (the message lists the formats).
    """
    from napari_whiskertoolbox.io import data_to_save
    from napari_whiskertoolbox.io.file_clocks import record_written_to
    from napari_whiskertoolbox.io.native import NATIVE_FORMAT, save_native
    from napari_whiskertoolbox.io.registry import write_data

    data_type = dm.data_type(key)
    allowed = export_formats(data_type)
    if not allowed:
        raise ValueError(
            f"key {key!r} ({data_type}) cannot be exported: media stays in its own files "
            f"({getattr(dm.get_data(key), 'source_path', None) or 'in memory'})"
        )
    fmt = None if fmt == DEFAULT_FORMAT else fmt
    fmt = fmt or _default_format(data_type)
    if fmt not in allowed and fmt not in _IMAGE_FORMATS[1:]:
        raise ValueError(
            f"key {key!r} ({data_type}) cannot be exported as {fmt!r}; formats: {allowed}"
        )
    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    obj = data_to_save(dm, key)  # relative ticks as the ticks, as WhiskerToolbox writes them
    if fmt == NATIVE_FORMAT:
        prefix = folder / key
        save_native(data_type, obj, prefix)
        return prefix
    path = folder / key if fmt in _IMAGE_FORMATS else folder / f"{key}.{fmt}"
    write_data(data_type, fmt, obj, path, **_EXPORT_OPTIONS.get((data_type, fmt), {}))
    record_written_to(dm, key, path)  # opened again, it goes back on the key's clock
    return path


def export_warning(dm: Any, key: str, path: Path) -> str | None:
    """Say why WhiskerToolbox will not load ``path``, the export of ``key``, or ``None``.

    An empty events or analog key written as CSV: WhiskerToolbox's loader fails on a file
    without any event or sample (:func:`~napari_whiskertoolbox.io.empty_files.empty_file_refusal`).
    """
    from napari_whiskertoolbox.io.empty_files import empty_file_refusal

    refusal = empty_file_refusal(dm.data_type(key), path.suffix.lstrip("."), dm.get_data(key))
    if refusal is None:
        return None
    return (
        f"{path.name}: {key} {refusal}, so WhiskerToolbox will not load it (nor will this plugin)"
    )
