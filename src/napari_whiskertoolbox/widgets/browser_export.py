"""Export keys of a DataManager to files with the io writers (Qt-free)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import os

__all__ = ["export_formats", "export_key"]

_IMAGE_FORMATS = ("image", "images", "png")  # written as a folder of images


def export_formats(data_type: str) -> list[str]:
    """Return the formats ``data_type`` can be exported to: the io writers' plus the native format."""
    from napari_whiskertoolbox.io.native import NATIVE_FORMAT
    from napari_whiskertoolbox.io.registry import writer_formats

    return [*writer_formats(data_type), NATIVE_FORMAT]


def _default_format(data_type: str) -> str:
    from napari_whiskertoolbox.io.native import NATIVE_FORMAT
    from napari_whiskertoolbox.io.registry import DEFAULT_FORMATS, writer_formats

    fmt = DEFAULT_FORMATS.get(data_type)
    return fmt if fmt in writer_formats(data_type) else NATIVE_FORMAT


def export_key(dm: Any, key: str, folder: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write ``key`` into ``folder`` and return the written path.

    Parameters
    ----------
    dm : DataManager
        Holds the key.
    key : str
        Key to export.
    folder : path-like
        Existing destination folder; the file is named after the key.
    fmt : str, optional
        A format of :func:`export_formats`; by default the data type's usual format
        (csv / npy), else the native ``.npy`` format of sessions.

    Raises
    ------
    ValueError
        When the key's type cannot be written in ``fmt`` (the message lists the formats).
    """
    from napari_whiskertoolbox.io.native import NATIVE_FORMAT, save_native
    from napari_whiskertoolbox.io.registry import write_data

    data_type = dm.data_type(key)
    fmt = fmt or _default_format(data_type)
    allowed = export_formats(data_type)
    if fmt not in allowed or data_type in ("video", "images"):
        raise ValueError(
            f"key {key!r} ({data_type}) cannot be exported as {fmt!r}; formats: "
            f"{[] if data_type in ('video', 'images') else allowed}"
        )
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"export folder {str(folder)!r} does not exist")
    obj = dm.get_data(key)
    if fmt == NATIVE_FORMAT:
        prefix = folder / key
        save_native(data_type, obj, prefix)
        return prefix
    path = folder / key if fmt in _IMAGE_FORMATS else folder / f"{key}.{fmt}"
    write_data(data_type, fmt, obj, path)
    return path
