"""New keys added to a WhiskerToolbox config as new items, their files beside it.

A key made in the session (a mask painted on a new key, a script's result) is not in the
config it was opened from. Saving "into the config's own files" writes it beside the config
in WhiskerToolbox's loader format for its kind (the layout the Data browser's Export writes)
and appends an item for it to the config, so that opening the config again brings it back.
:func:`new_item` says where a key would go (or why it cannot), :func:`config_text_with`
returns the config's text with the items appended, everything else of the file as it was.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
from napari_whiskertoolbox.io.config_parse import parse_config, read_json
from napari_whiskertoolbox.io.data_files import data_file_item, source_record
from napari_whiskertoolbox.io.empty_files import empty_file_refusal
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.option_table import FORMAT_VARIANTS
from napari_whiskertoolbox.io.registry import DEFAULT_FORMATS, writer_formats

if TYPE_CHECKING:
    from collections.abc import Iterable

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.io.config_parse import ConfigItem

__all__ = ["ConfigFacts", "NewItem", "config_facts", "config_text_with", "loader_drops", "new_item"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class NewItem:
    """A key to add to a config: its file beside the config and the item that loads it.

    Attributes
    ----------
    path : Path
        The file the key is written to (absolute, beside the config).
    raw : dict
        The item appended to the config (``filepath`` relative to the config).
    """

    path: Path
    raw: dict[str, Any]

    def item(self, path: Path | None = None) -> ConfigItem:
        """Return the item reading ``path`` (default: :attr:`path`) as this item reads its file."""
        options = {
            k: v
            for k, v in self.raw.items()
            if k not in ("data_type", "name", "filepath", "format")
        }
        clock = options.pop("clock", None)
        return data_file_item(
            path or self.path,
            self.raw["data_type"],
            self.raw["name"],
            fmt=self.raw["format"],
            clock=clock,
            options=options,
        )

    def source(self, config: Path) -> dict[str, Any]:
        """Return the ``dm.metadata["sources"]`` record of the key once it is in ``config``."""
        return {**source_record(self.item()), "config": str(config)}


@dataclass(frozen=True)
class ConfigFacts:
    """What a config defines that decides whether a new key can be added to it.

    Attributes
    ----------
    clocks : set of str
        ``time``, its clock items, declared clocks and the clocks its items name.
    code : str
        Its ``transformations`` blocks and ``python_code`` as text: keys they name are
        made when the config loads, and an item for one would be overwritten.
    """

    clocks: set[str]
    code: str


def config_facts(config: Path) -> ConfigFacts:
    """Return the clocks ``config`` defines and the code it runs when it loads."""
    parsed = parse_config(config)
    names = {"time", *parsed.declared_clocks}
    names.update(it.name for it in (*parsed.clocks, *parsed.data) if it.data_type == "time")
    names.update(it.clock for it in parsed.data if it.clock)
    code = [json.dumps(block) for block in parsed.transformations]
    block = parsed.python_code or {}
    if block.get("code"):
        code.append(block["code"])
    elif block.get("file"):
        with contextlib.suppress(OSError, UnicodeDecodeError):
            code.append(Path(block["file"]).read_text(encoding="utf-8"))
    return ConfigFacts(clocks=names, code="\n".join(code))


def new_item(
    dm: DataManager, key: str, config: Path, facts: ConfigFacts, taken: Iterable[Path] = ()
) -> NewItem | str:
    """Say where ``key`` (not in ``config``) would be added, or why it cannot be.

    Parameters
    ----------
    dm : DataManager
        Holds ``key``.
    key : str
        A key the config does not load.
    config : Path
        The WhiskerToolbox config the session was opened from.
    facts : ConfigFacts
        What ``config`` defines (:func:`config_facts`).
    taken : iterable of Path
        Files already chosen for other new keys of the same save.

    Returns
    -------
    NewItem or str
        The file and item, or the reason (a phrase after the key) it cannot be added.
    """
    data_type = dm.data_type(key)
    if data_type in MEDIA_KINDS:
        return "is new media, which a config item names by its video or image files; add it by hand"
    fmt = DEFAULT_FORMATS.get(data_type)
    if fmt is None or fmt not in writer_formats(data_type):
        return f"is {data_type} data, which a WhiskerToolbox config item cannot hold"
    empty = empty_file_refusal(data_type, fmt, dm.get_data(key))
    if empty is not None:
        return f"{empty}, so an item for it in {config.name} would not load"
    if "${" in key or "{" in key:
        return "has a name with '{', which a config reads as a variable or loop"
    if re.search(rf"(?<![\w]){re.escape(key)}(?![\w])", facts.code):
        return (
            f"is made by the transformations or python code of {config.name} when it loads "
            "(an item for it would be replaced)"
        )
    clock = dm.time_key(key)
    if clock not in facts.clocks:
        return f"is on clock {clock!r}, which {config.name} does not define"
    path = _free_path(config.parent, key, fmt, set(taken))
    raw: dict[str, Any] = {
        "data_type": data_type,
        "name": key,
        "filepath": path.name,
        "format": fmt,
    }
    if clock != "time":
        raw["clock"] = clock
    raw.update(_item_options(data_type, fmt, dm.get_data(key)))
    return NewItem(path=path, raw=raw)


def loader_drops(data_type: str, fmt: str, obj: Any) -> str | None:
    """Say what of ``obj`` WhiskerToolbox's loader would leave out of its file, or ``None``.

    Its points CSV loader keeps the first row of each frame: several points on a frame (two
    clicks of a nose) would be written, read back whole here, and read as one there.

    Parameters
    ----------
    data_type, fmt : str
        The config item's data type and format the key would be written in.
    obj : object
        The key's data (a ``PointData`` for ``"points"``).

    Returns
    -------
    str or None
        A phrase after the key's name (``"has several points on 1 frame (2 on frame 3),
        and …"``), or ``None`` when WhiskerToolbox reads the file whole.
    """
    if data_type != "points" or fmt != "csv":
        return None
    frames, counts = np.unique(obj.to_flat().times, return_counts=True)
    several = counts > 1
    if not several.any():
        return None
    first = int(np.argmax(several))
    n_frames = int(several.sum())
    return (
        f"has several points on {n_frames} frame{'s' if n_frames > 1 else ''} "
        f"({int(counts[first])} on frame {int(frames[first])}"
        f"{', …' if n_frames > 1 else ''}), and WhiskerToolbox's points CSV loader keeps "
        "only the first point of each frame"
    )


def _item_options(data_type: str, fmt: str, obj: Any) -> dict[str, Any]:
    """Return the item options reading the file the default writer makes of ``obj``.

    The times of a sparse analog series (a second column), and the image size of spatial
    data (``height`` and ``width``, which the file does not hold) where the format takes it.
    """
    options: dict[str, Any] = {}
    if data_type == "analog" and not getattr(obj, "is_dense", True):
        options["single_column_format"] = False
    size = getattr(obj, "image_size", None)
    if size is not None and any(
        v.data_type == data_type and fmt in v.formats and v.accepts("height") and v.accepts("width")
        for v in FORMAT_VARIANTS.values()
    ):
        options["height"], options["width"] = int(size.height), int(size.width)
    return options


def _free_path(folder: Path, key: str, fmt: str, taken: set[Path]) -> Path:
    def is_taken(stem: str) -> bool:
        path = folder / f"{stem}.{fmt}"
        return path.exists() or path in taken

    stem = _UNSAFE.sub("_", key).strip("._") or "key"
    return folder / f"{first_free(stem, is_taken)}.{fmt}"


def config_text_with(config: Path, items: list[dict[str, Any]]) -> str:
    """Return the text of ``config`` with ``items`` appended to its data list.

    A list config keeps its text as written, the items inserted before its closing
    bracket; an object config is written again with the indentation it had (its keys,
    their order and values unchanged). The result is checked to parse as the config with
    the items appended.

    Raises
    ------
    FormatError
        The config is neither a list nor an object whose ``data`` is a list.
    """
    text = config.read_text(encoding="utf-8")
    doc = read_json(config)
    if isinstance(doc, list):
        expected: Any = [*doc, *items]
    elif isinstance(doc, dict) and isinstance(doc.get("data", []), list):
        expected = {**doc, "data": [*doc.get("data", []), *items]}
    else:
        raise FormatError("expected a list of items or an object with a 'data' list", path=config)
    indent = _indent(text)
    if isinstance(doc, list):
        inserted = _insert_into_list(text, items, indent, empty=not doc)
        if inserted is not None and json.loads(inserted) == expected:
            return inserted
    dumped = json.dumps(expected, indent=indent, ensure_ascii=False)
    return dumped + ("\n" if text.endswith("\n") else "")


def _indent(text: str) -> int | None:
    match = re.search(r"\n( +)\S", text)
    return len(match.group(1)) if match else None


def _insert_into_list(
    text: str, items: list[dict[str, Any]], indent: int | None, *, empty: bool
) -> str | None:
    body = text.rstrip()
    if not body.endswith("]"):
        return None
    head = body[:-1].rstrip()
    if indent is None:
        joined = ", ".join(json.dumps(it, ensure_ascii=False) for it in items)
        return f"{head}{'' if empty else ', '}{joined}]{text[len(body) :]}"
    pad = " " * indent
    blocks = [
        pad + json.dumps(it, indent=indent, ensure_ascii=False).replace("\n", "\n" + pad)
        for it in items
    ]
    joined = ",\n".join(blocks)
    return f"{head}{'' if empty else ','}\n{joined}\n]{text[len(body) :]}"
