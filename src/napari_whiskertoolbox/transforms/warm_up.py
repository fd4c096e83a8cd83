"""Import what a transform needs before it first runs, on a background thread.

Transforms import their heavy libraries (SciPy, scikit-image, scikit-learn) inside the
functions that use them, so importing the catalogue stays cheap. The first run of such a
transform then spends most of its time importing (0.4 s of a 0.54 s first
``SkeletonizeMask`` on the sample), on the run's worker thread and holding the GIL for
stretches, so the UI stutters (and a main-thread import of the same package, such as
napari's lazy ``scipy.ndimage``, waits on the import lock). :func:`lazy_imports` reads the
import statements inside the functions of a transform's module and of the catalogue modules
it uses (their source, parsed once), and
:func:`warm_up_in_background` imports the missing ones on a daemon thread (the Transforms
dock does when a transform is chosen, while the user fills its form).
"""

from __future__ import annotations

import ast
import functools
import importlib
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["function_imports", "lazy_imports", "missing_modules", "warm_up_in_background"]

_PACKAGE = "napari_whiskertoolbox.transforms"


def _catalogue_module(value: Any) -> str | None:
    """Return the catalogue module ``value`` is (or was defined in), else None."""
    name: object = (
        value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", None)
    )
    if not isinstance(name, str):
        return None
    return name if name.startswith(_PACKAGE + ".") else None


@functools.cache
def function_imports(module_name: str) -> tuple[str, ...]:
    """Return the third-party modules imported inside the functions of ``module_name``.

    Read from the module's source file (``ast``), in source order: ``import a.b`` gives
    ``a.b``; ``from a import b`` gives ``a`` and ``a.b`` (the latter may be a name rather than
    a module: importing it then fails, which :func:`warm_up_in_background` skips).
    Standard-library and this package's modules are left out.

    Parameters
    ----------
    module_name : str
        A dotted module name, imported already (its ``__file__`` is read).

    Returns
    -------
    tuple of str
        Dotted module names; empty when the module or its source is not at hand.
    """
    module = sys.modules.get(module_name)
    path = getattr(module, "__file__", None)
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8")) if path else None
    except (OSError, SyntaxError, ValueError):
        tree = None
    if tree is None:
        return ()
    found: list[str] = []

    def add(name: str) -> None:
        top = name.split(".")[0]
        if top in sys.stdlib_module_names or top == "napari_whiskertoolbox" or name in found:
            return
        found.append(name)

    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import):
                for alias in inner.names:
                    add(alias.name)
            elif isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0:
                add(inner.module)
                for alias in inner.names:
                    add(f"{inner.module}.{alias.name}")
    return tuple(found)


def lazy_imports(func: Callable[..., Any]) -> tuple[str, ...]:
    """Return the modules ``func``'s transform may import when it runs, in a stable order.

    The imports inside the functions (:func:`function_imports`) of the module defining
    ``func`` and of every catalogue module it uses (its globals that are catalogue modules, or functions and classes defined in one),
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
        for lazy in function_imports(name):
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
