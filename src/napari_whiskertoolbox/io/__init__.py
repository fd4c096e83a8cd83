"""Qt-free readers and writers: WhiskerToolbox JSON configs, file formats, sessions.

Everything here raises :class:`FormatError` (a ``ValueError``) for bad input, with a
message naming the file and line or the config item, and what was expected. Every
write is atomic (temporary file in the same folder + fsync + ``os.replace``).
"""

from __future__ import annotations

from napari_whiskertoolbox.io.atomic import (
    atomic_open,
    atomic_save_npy,
    atomic_write_bytes,
    atomic_write_text,
)
from napari_whiskertoolbox.io.config import load_config
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.keys import data_to_save, source_of, write_key
from napari_whiskertoolbox.io.registry import (
    CONFIG_DATA_TYPES,
    reader_formats,
    write_data,
    writer_formats,
)
from napari_whiskertoolbox.io.session import load_session, save_session

__all__ = [
    "CONFIG_DATA_TYPES",
    "FormatError",
    "atomic_open",
    "atomic_save_npy",
    "atomic_write_bytes",
    "atomic_write_text",
    "data_to_save",
    "load_config",
    "load_session",
    "reader_formats",
    "save_session",
    "source_of",
    "write_data",
    "write_key",
    "writer_formats",
]
