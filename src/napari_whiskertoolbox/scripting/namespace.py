"""The script namespace: default contents, prelude and a listing for inspectors."""

from __future__ import annotations

import builtins
import types
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.counted import counted

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from napari_whiskertoolbox.core import DataManager

__all__ = [
    "DEFAULT_PRELUDE",
    "NamespaceEntry",
    "ScriptInputError",
    "build_namespace",
    "data_types",
    "describe",
    "listing",
]

DEFAULT_PRELUDE = (
    "import numpy as np\n"
    "from whiskertoolbox_python import *\n"
    "from napari_whiskertoolbox.scripting import check_cancelled\n"
    "from napari_whiskertoolbox.scripting.batch import (\n"
    "    entities_in_group, frames_with_data, intervals_of,\n"
    ")\n"
    "from napari_whiskertoolbox.scripting.processors import run_processor\n"
)
"""Code run in a fresh namespace before any script (configurable per engine)."""

_SUMMARY_WIDTH = 80


class ScriptInputError(RuntimeError):
    """Raised by ``input()`` inside a script: scripts cannot read from a terminal."""

    __module__ = "napari_whiskertoolbox.scripting"


def _no_input(prompt: object = "") -> str:
    raise ScriptInputError(
        f"input({prompt!r}): input() is disabled in scripts, there is no terminal to read "
        "from. Pass values through sys.argv (the script runner's argv field, "
        "run_file(path, argv=[...]) or `run SCRIPT -- args`) or set a variable in the "
        "namespace before running."
    )


def data_types() -> dict[str, type]:
    """Return the classes put into every namespace by name (:func:`core.script_types`)."""
    from napari_whiskertoolbox.core import script_types

    return script_types()


def build_namespace(dm: DataManager, viewer: object = None) -> dict[str, Any]:
    """Return a fresh namespace holding ``dm``, ``wt``, ``viewer``, ``np`` and the data types.

    ``wt`` is the ``whiskertoolbox_python`` module, as WhiskerToolbox's bridge provides it
    (``import whiskertoolbox_python as wt``). ``input`` is replaced by a function raising
    :class:`ScriptInputError`.
    """
    import whiskertoolbox_python

    script_builtins = dict(vars(builtins))
    script_builtins["input"] = _no_input
    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "__doc__": None,
        "__builtins__": script_builtins,
        "np": np,
        "dm": dm,
        "wt": whiskertoolbox_python,
        "viewer": viewer,
    }
    namespace.update(data_types())
    return namespace


@dataclass(frozen=True)
class NamespaceEntry:
    """One row of a namespace listing.

    Attributes
    ----------
    name : str
        Variable name.
    type_name : str
        Name of the value's type.
    shape : tuple of int or None
        Shape of arrays and array-like data objects.
    dtype : str or None
        dtype of arrays and array-like data objects.
    summary : str
        One line describing the value.
    key : str or None
        For our data objects: the key ``dm`` stores the object itself under.
    clock : str or None
        The clock of that key (for a clock object: its name in ``dm``).
    size : int or None
        For our data objects: samples, events, intervals, entries, frames or ticks.
    """

    name: str
    type_name: str
    shape: tuple[int, ...] | None
    dtype: str | None
    summary: str
    key: str | None = None
    clock: str | None = None
    size: int | None = None


def _short_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # a broken __repr__ must not break the inspector
        text = f"<repr failed: {type(exc).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= _SUMMARY_WIDTH else text[: _SUMMARY_WIDTH - 3] + "..."


def describe(value: object) -> str:
    """Return a one-line summary of ``value``; our data types get a domain summary."""
    kinds = data_types()
    # Each summary is only called on an instance of the class it is listed with.
    checks: list[tuple[str, Callable[[Any], str]]] = [
        ("DataManager", lambda v: counted(len(v.keys()), "key")),
        (
            "AnalogTimeSeries",
            lambda v: f"{counted(len(v), 'sample')}, {'dense' if v.is_dense else 'sparse'}",
        ),
        ("DigitalEventSeries", lambda v: counted(len(v), "event")),
        ("DigitalIntervalSeries", lambda v: counted(len(v), "interval")),
        (
            "PointData",
            lambda v: (
                f"{counted(v.n_entries, 'point')} on {counted(v.n_frames_with_data, 'frame')}"
            ),
        ),
        (
            "LineData",
            lambda v: f"{counted(v.n_entries, 'line')} on {counted(v.n_frames_with_data, 'frame')}",
        ),
        (
            "MaskData",
            lambda v: f"{counted(v.n_entries, 'mask')} on {counted(v.n_frames_with_data, 'frame')}",
        ),
        ("TensorData", lambda v: f"tensor {tuple(v.shape)}"),
        ("MediaData", lambda v: f"{v.kind} {tuple(v.shape)}"),
        ("TimeFrame", lambda v: counted(len(v), "tick")),
    ]
    for type_name, summarize in checks:
        cls = kinds.get(type_name)
        if cls is not None and isinstance(value, cls):
            try:
                return summarize(value)
            except Exception:  # summaries are best effort; fall back to repr
                break
    if isinstance(value, np.ndarray):
        return f"array {value.shape} {value.dtype}"
    if isinstance(value, (list, tuple, set, dict)):
        return f"{type(value).__name__} of {counted(len(value), 'item')}"
    return _short_repr(value)


def _attribute(value: object, name: str) -> object:
    try:
        return getattr(value, name, None)
    except Exception:  # e.g. a Qt wrapper whose C++ object is deleted: nothing to show
        return None


def _shape_and_dtype(value: object) -> tuple[tuple[int, ...] | None, str | None]:
    shape = _attribute(value, "shape")
    dtype = _attribute(value, "dtype")
    if isinstance(shape, tuple) and all(isinstance(n, (int, np.integer)) for n in shape):
        return tuple(int(n) for n in shape), (str(dtype) if dtype is not None else None)
    values = _attribute(value, "values")
    if isinstance(values, np.ndarray):
        return values.shape, str(values.dtype)
    return None, None


def _is_listable(name: str, value: object) -> bool:
    if name.startswith("_"):
        return False
    if isinstance(value, types.FunctionType):
        return value.__module__ == "__main__"  # functions defined by scripts
    return not isinstance(value, (types.ModuleType, type, types.BuiltinFunctionType))


def listing(
    namespace: Mapping[str, Any],
    hidden: frozenset[str] | set[str] = frozenset(),
    dm: DataManager | None = None,
) -> list[NamespaceEntry]:
    """Describe the variables of ``namespace``, sorted by name.

    Private names, modules, classes and functions are left out, as are ``hidden`` names.
    With ``dm``, data objects it stores are listed with their key and clock.
    """
    from napari_whiskertoolbox.scripting.watch import data_info

    entries: list[NamespaceEntry] = []
    for name in sorted(namespace):
        value = namespace[name]
        if name in hidden or not _is_listable(name, value):
            continue
        shape, dtype = _shape_and_dtype(value)
        info = data_info(value, dm)
        entries.append(
            NamespaceEntry(
                name,
                type(value).__name__,
                shape,
                dtype,
                describe(value),
                key=info.key if info else None,
                clock=info.clock if info else None,
                size=info.size if info else None,
            )
        )
    return entries
