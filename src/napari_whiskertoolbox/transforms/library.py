"""The pipeline library (reference §6.2).

Saved TransformsV2 pipeline files in the user config folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.io.csv_tools import decode_text
from napari_whiskertoolbox.io.user_dirs import user_config_dir
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.pipeline import Pipeline, load_pipeline, save_pipeline

__all__ = [
    "LIBRARY_ENV",
    "LibraryEntry",
    "PipelineLibrary",
    "pipeline_file_stem",
]

LIBRARY_ENV = "NAPARI_WHISKERTOOLBOX_PIPELINES"
"""Environment variable overriding the library folder."""


def default_library_dir() -> Path:
    """Return ``$NAPARI_WHISKERTOOLBOX_PIPELINES`` or ``<user config>/pipelines/transforms_v2``."""
    override = os.environ.get(LIBRARY_ENV)
    if override:
        return Path(override).expanduser()
    return user_config_dir() / "pipelines" / "transforms_v2"


def pipeline_file_stem(name: str) -> str:
    """Derive a file stem from a pipeline's display name (reference §6.2).

    ASCII letters and digits are kept (lower-cased); each run of ``-``, ``_`` or
    whitespace becomes one ``_`` (never leading); anything else is dropped; trailing ``_``
    removed; empty → ``pipeline``. ``"My Pipeline (v2)!"`` → ``my_pipeline_v2``.
    """
    out: list[str] = []
    pending = False
    for ch in name:
        if ch.isascii() and ch.isalnum():
            if pending and out:
                out.append("_")
            pending = False
            out.append(ch.lower())
        elif ch in "-_" or ch.isspace():
            pending = True
    stem = "".join(out).rstrip("_")
    return stem or "pipeline"


@dataclass(frozen=True)
class LibraryEntry:
    """One ``*.json`` file of the library.

    Attributes
    ----------
    id : str
        The file stem.
    name : str
        ``metadata.name`` when the file parses and has one, else the id.
    path : Path
    """

    id: str
    name: str
    path: Path


class PipelineLibrary:
    """A folder of pipeline files.

    Parameters
    ----------
    folder : path-like, optional
        Defaults to :func:`default_library_dir` (created on demand when saving).
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_library_dir()

    def entries(self) -> list[LibraryEntry]:
        """List the regular ``*.json`` files directly in the folder.

        Sorted by display name, then id (byte-wise); unparseable files are listed under
        their id.
        """
        if not self.folder.is_dir():
            return []
        out = []
        for path in self.folder.iterdir():
            if not (path.suffix == ".json" and path.is_file()):
                continue
            name = path.stem
            try:
                text = decode_text(path.read_bytes(), path)
                meta = json.loads(text).get("metadata") or {}
                if isinstance(meta.get("name"), str) and meta["name"]:
                    name = meta["name"]
            except (OSError, ValueError, AttributeError):
                pass
            out.append(LibraryEntry(path.stem, name, path))
        return sorted(out, key=lambda e: (e.name.encode(), e.id.encode()))

    def path_of(self, entry_id: str) -> Path:
        """Return the file of ``entry_id`` (whether or not it exists)."""
        return self.folder / f"{entry_id}.json"

    def free_stem(self, stem: str) -> str:
        """Return ``stem``, else the first ``stem_2``, ``stem_3``… no library file has."""
        return first_free(stem, lambda s: self.path_of(s).exists())

    def load(self, entry_id: str) -> Pipeline:
        """Load the pipeline ``entry_id``.

        Raises
        ------
        TransformError
            Missing file or an invalid pipeline.
        """
        return load_pipeline(self.path_of(entry_id))

    def save(
        self,
        pipeline: Pipeline,
        name: str | None = None,
        *,
        overwrite: bool = False,
        stem: str | None = None,
    ) -> LibraryEntry:
        """Save ``pipeline`` under a stem derived from ``name`` (default: its metadata name).

        Parameters
        ----------
        pipeline : Pipeline
        name : str, optional
            Display name, written to ``metadata.name``.
        overwrite : bool
            Replace a file of that stem.
        stem : str, optional
            The file's stem (the pipeline's id in WhiskerToolbox), e.g. the name of a file
            added to the library; default :func:`pipeline_file_stem` of the display name.

        Raises
        ------
        TransformError
            The file exists and ``overwrite`` is False, or the pipeline is invalid.
        """
        display = name or pipeline.name or "pipeline"
        if name:
            pipeline.metadata["name"] = name
        stem = stem or pipeline_file_stem(display)
        path = self.path_of(stem)
        if path.exists() and not overwrite:
            raise TransformError(
                f"a pipeline file '{path.name}' already exists in {self.folder}; pass overwrite=True",
                transform="pipeline library",
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        save_pipeline(pipeline, path)
        return LibraryEntry(stem, display, path)

    def delete(self, entry_id: str) -> None:
        """Delete the file of ``entry_id``.

        Raises
        ------
        TransformError
            There is no such file.
        """
        path = self.path_of(entry_id)
        if not path.is_file():
            raise TransformError(
                f"no pipeline '{entry_id}' in {self.folder}", transform="pipeline library"
            )
        path.unlink()
