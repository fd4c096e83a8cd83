"""Import what a transform needs before it first runs, on a background thread.

Transforms import their heavy libraries (SciPy, scikit-image, scikit-learn) inside the
functions that use them, so importing the catalogue stays cheap. The first run of such a
transform then spends most of its time importing (0.4 s of a 0.54 s first
``SkeletonizeMask`` on the sample), on the run's worker thread and holding the GIL for
stretches, so the UI stutters (and a main-thread import of the same package, such as
napari's lazy ``scipy.ndimage``, waits on the import lock). A transforms
module lists what its functions import in ``LAZY_IMPORTS``; :func:`lazy_imports` collects
those of a transform's module and of the catalogue modules it uses, and
:func:`warm_up_in_background` imports the missing ones on a daemon thread (the Transforms
dock does when a transform is chosen, while the user fills its form).
"""

from __future__ import annotations

import importlib
import sys
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["LAZY_IMPORTS_ATTR", "lazy_imports", "missing_modules", "warm_up_in_background"]

LAZY_IMPORTS_ATTR = "LAZY_IMPORTS"
"""The module attribute (a tuple of module names) listing what its functions import."""

_PACKAGE = "napari_whiskertoolbox.transforms"


def _catalogue_module(value: Any) -> str | None:
    """Return the catalogue module ``value`` is (or was defined in), else None."""
    if isinstance(value, ModuleType):
        name = value.__name__
    else:
        name = getattr(value, "__module__", None)
        if not isinstance(name, str):
            return None
    return name if name.startswith(_PACKAGE + ".") else None


def lazy_imports(func: Callable[..., Any]) -> tuple[str, ...]:
    """Return the modules ``func``'s transform may import when it runs, in a stable order.

    The ``LAZY_IMPORTS`` of the module defining ``func`` and of every catalogue module it
    uses (its globals that are catalogue modules, or functions and classes defined in one),
    followed transitively within ``napari_whiskertoolbox.transforms``.

    Parameters
    ----------
    func : callable
        A transform's function (``TransformSpec.func``).

    Returns
    -------
    tuple of str
        Dotted module names; empty for a function outside the catalogue (a user's Python
        transform) or one that imports nothing lazily.
    """
    start = _catalogue_module(func)
    if start is None:
        return ()
    seen: set[str] = set()
    todo = [start]
    names: list[str] = []
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        module = sys.modules.get(name)
        if module is None:
            continue
        for lazy in getattr(module, LAZY_IMPORTS_ATTR, ()):
            if lazy not in names:
                names.append(lazy)
        for value in vars(module).values():
            used = _catalogue_module(value)
            if used is not None and used not in seen:
                todo.append(used)
    return tuple(names)


def missing_modules(modules: Iterable[str]) -> list[str]:
    """Return those of ``modules`` not imported yet (``sys.modules``), in order."""
    return [m for m in modules if m not in sys.modules]


def _import_all(modules: list[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # a missing optional library: running the transform says so
            continue


def warm_up_in_background(modules: Iterable[str]) -> threading.Thread | None:
    """Import the missing ones of ``modules`` on a daemon thread, one after another.

    A module that fails to import is skipped silently: running the transform reports it.
    A run started meanwhile waits for a module being imported (Python's import lock)
    rather than importing it twice.

    Parameters
    ----------
    modules : iterable of str
        Dotted module names (:func:`lazy_imports`).

    Returns
    -------
    threading.Thread or None
        The started thread; None when everything is imported already.
    """
    todo = missing_modules(modules)
    if not todo:
        return None
    thread = threading.Thread(
        target=_import_all, args=(todo,), name="whiskertoolbox-warm-up", daemon=True
    )
    thread.start()
    return thread
