"""Notes naming the DataManager key behind a script's error, and the closest key.

WhiskerToolbox's ``dm.getData`` returns None for a key it lacks, so a misspelt key shows
up lines later as "'NoneType' object has no attribute ...". For such an error the
``dm.getData`` calls of each frame of the traceback, up to the frame's current line, are
found in the frame's source (the receiver a name or attribute chain holding the
DataManager: ``dm``, ``self.dm``); their key is read from the call as written (a string, or a
variable, f-string, ``+`` of strings or item of a list/tuple/dict holding one) in the
frame's own variables, so a key passed to a function is found as well as a literal one.
Only a key the DataManager lacks gets a note.

``dm["key"]`` and ``dm.get_data("key")`` raise a ``KeyError`` that names the key and the
closest one itself (:class:`~napari_whiskertoolbox.core.DataManager`), so they need no note.

Building notes never raises: whatever cannot be read (source gone, a name unbound, a value
that is not a plain string) is left out. No code of the script runs: only values of
builtin types are read, attributes as stored (:func:`inspect.getattr_static`: no property
runs), never a user-defined ``__getitem__``.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core import DataManager
from napari_whiskertoolbox.core.close_match import did_you_mean

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Mapping
    from types import FrameType, TracebackType

__all__ = ["missing_key_notes"]

_NONE_GETTERS = frozenset({"getData"})
"""Methods of the DataManager returning None for a key it lacks."""

_MAX_SOURCE_CHARS = 2_000_000
"""Sources longer than this are not parsed (a note is not worth a long pause)."""

_FRAME_OF_SCOPE: dict[type[ast.expr], str] = {
    ast.Lambda: "<lambda>",
    ast.GeneratorExp: "<genexpr>",
    ast.ListComp: "<listcomp>",
    ast.SetComp: "<setcomp>",
    ast.DictComp: "<dictcomp>",
}
"""Code names of the scopes without a name of their own."""

_COMPREHENSIONS_INLINED = sys.version_info >= (3, 12)
"""Whether list, set and dict comprehensions run in their enclosing frame (PEP 709)."""

_NEW_SCOPES: tuple[type[ast.AST], ...] = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ClassDef,
    ast.GeneratorExp,
) + (() if _COMPREHENSIONS_INLINED else (ast.ListComp, ast.SetComp, ast.DictComp))
"""Nodes whose body runs in a frame of its own."""

_PLAIN_VALUES = (str, int, float)
"""Types whose formatting and hashing run no user code."""


def missing_key_notes(
    exc: BaseException, tb: TracebackType | None, keys: Collection[str]
) -> list[str]:
    """Name the ``dm.getData(key)`` calls, of a key not in ``keys``, behind an error about None.

    Only for an ``AttributeError`` or ``TypeError`` whose message names ``NoneType``; the
    calls are looked for in the frames of ``tb`` (the script's): those on the line that
    failed, else every one up to it (the None was kept in a variable).

    Returns
    -------
    list of str
        E.g. ``"note: dm.getData(key) on line 3 returned None: there is no key 'angel'
        (did you mean 'angle'?)"`` (``on line 3 of helpers.py`` for a call in another
        file than the script, the traceback's first); empty when nothing fits.
    """
    if not isinstance(exc, (AttributeError, TypeError)) or "NoneType" not in str(exc):
        return []
    try:
        return _none_notes(tb, keys)
    except Exception:  # a note must never hide the script's own error
        return []


def _where(filename: str, script: str) -> str:
    """Say which file a line is in: nothing for the script (the traceback's first file).

    Another file (a helper module) is named by its path from the script's folder, or in
    full when it is elsewhere. Code without a file of its own (``<ipython-input-…>``, a
    console cell, ``<string>``) is not named: there is no file to open.
    """
    if filename == script or (filename.startswith("<") and filename.endswith(">")):
        return ""
    path, folder = Path(filename), Path(script).parent
    shown = path.relative_to(folder).as_posix() if path.is_relative_to(folder) else str(path)
    return f" of {shown}"


def _none_notes(tb: TracebackType | None, keys: Collection[str]) -> list[str]:
    notes: list[str] = []
    trees: dict[str, ast.Module | None] = {}
    script = tb.tb_frame.f_code.co_filename if tb is not None else ""
    while tb is not None:
        frame = tb.tb_frame
        filename = frame.f_code.co_filename
        if filename not in trees:
            trees[filename] = _parse(filename)
        tree = trees[filename]
        if tree is not None:
            missing = [(c, k) for c, k in _getter_keys(tree, frame, tb.tb_lineno) if k not in keys]
            failing = [(c, k) for c, k in missing if c.lineno <= tb.tb_lineno <= _last_line(c)]
            for call, key in failing or missing:
                shown = repr(key) if isinstance(call.args[0], ast.Constant) else _text(call.args[0])
                note = (
                    f"note: {_text(call.func)}({shown}) on line {call.lineno}"
                    f"{_where(filename, script)} returned None: "
                    f"there is no key {key!r}{did_you_mean(key, keys)}"
                )
                if note not in notes:
                    notes.append(note)
        tb = tb.tb_next
    return notes


def _last_line(node: ast.expr) -> int:
    return node.end_lineno if node.end_lineno is not None else node.lineno


def _parse(filename: str) -> ast.Module | None:
    """Parse ``filename``'s source; None when there is none or it has no ``getData``."""
    source = "".join(linecache.getlines(filename))
    if len(source) > _MAX_SOURCE_CHARS or not any(name in source for name in _NONE_GETTERS):
        return None
    try:
        return ast.parse(source, filename)
    except (SyntaxError, ValueError):
        return None


def _text(node: ast.AST) -> str:
    return ast.unparse(node)


def _getter_keys(tree: ast.Module, frame: FrameType, line: int) -> Iterator[tuple[ast.Call, str]]:
    """Yield the ``getData`` calls of ``frame``'s code up to ``line`` with the key each got."""
    namespaces = (frame.f_locals, frame.f_globals)
    scope = _scope_of(tree, frame)
    calls = _calls_in(scope) if scope is not None else _calls_at(tree, line)
    for call in sorted(calls, key=lambda call: (call.lineno, call.col_offset)):
        if call.lineno > line or not _is_getter(call, namespaces):
            continue
        try:
            key = _plain_value(call.args[0], namespaces)
        except Exception:  # e.g. a format spec the value refuses
            continue
        if isinstance(key, str):
            yield call, key


def _scope_of(tree: ast.Module, frame: FrameType) -> ast.AST | None:
    """Return the node whose body ``frame`` runs, or None when it cannot be told."""
    code = frame.f_code
    if code.co_name == "<module>":
        return tree
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name != code.co_name:
                continue
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        elif isinstance(node, ast.expr) and _FRAME_OF_SCOPE.get(type(node)) == code.co_name:
            first = node.lineno
        else:
            continue
        if first == code.co_firstlineno:
            return node
    return None


def _calls_in(scope: ast.AST) -> Iterator[ast.Call]:
    """Yield the calls ``scope``'s own frame runs (not those of a function or class in it)."""
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        todo: list[ast.AST] = list(scope.body)
    elif isinstance(scope, ast.Lambda):
        todo = [scope.body]
    else:
        todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Call):
            yield node
        if not isinstance(node, _NEW_SCOPES):
            todo.extend(ast.iter_child_nodes(node))


def _calls_at(tree: ast.Module, line: int) -> Iterator[ast.Call]:
    """Yield the calls spanning ``line`` (for a frame whose scope was not found)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.lineno <= line <= (node.end_lineno or line):
            yield node


def _is_getter(call: ast.Call, namespaces: tuple[Mapping[str, Any], ...]) -> bool:
    """Whether ``call`` is ``<DataManager>.getData(key)`` (``dm.getData``, ``self.dm.getData``)."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in _NONE_GETTERS):
        return False
    if len(call.args) != 1 or call.keywords:
        return False
    return issubclass(type(_receiver(func.value, namespaces)), DataManager)


def _receiver(node: ast.expr, namespaces: tuple[Mapping[str, Any], ...]) -> Any:
    """Return what a name or attribute chain holds, read without running code (or unbound)."""
    if isinstance(node, ast.Name):
        return _lookup(node.id, namespaces)
    if isinstance(node, ast.Attribute):
        owner = _receiver(node.value, namespaces)
        if owner is not _UNBOUND:
            return inspect.getattr_static(owner, node.attr, _UNBOUND)
    return _UNBOUND


_UNBOUND = object()


def _lookup(name: str, namespaces: tuple[Mapping[str, Any], ...]) -> Any:
    for namespace in namespaces:
        if name in namespace:
            return namespace[name]
    return _UNBOUND


def _plain_value(node: ast.AST, namespaces: tuple[Mapping[str, Any], ...]) -> Any:
    """Return ``node``'s value if it is a string or number read without running code, else None.

    Handles constants, names, f-strings of those, ``+`` and an item of a list, tuple or dict.
    """
    if isinstance(node, ast.Constant):
        value = node.value
    elif isinstance(node, ast.Name):
        value = _lookup(node.id, namespaces)
    elif isinstance(node, ast.JoinedStr):
        parts = [_plain_value(part, namespaces) for part in node.values]
        value = "".join(parts) if all(isinstance(p, str) for p in parts) else None
    elif isinstance(node, ast.FormattedValue):
        value = _formatted(node, namespaces)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _plain_value(node.left, namespaces), _plain_value(node.right, namespaces)
        value = left + right if type(left) is str and type(right) is str else None
    elif isinstance(node, ast.Subscript):
        value = _item(node, namespaces)
    else:
        return None
    return value if type(value) in _PLAIN_VALUES else None


def _formatted(node: ast.FormattedValue, namespaces: tuple[Mapping[str, Any], ...]) -> Any:
    value = _plain_value(node.value, namespaces)
    spec = "" if node.format_spec is None else _plain_value(node.format_spec, namespaces)
    if value is None or not isinstance(spec, str):
        return None
    if node.conversion == ord("r"):
        value = repr(value)
    elif node.conversion in (ord("s"), ord("a")):
        value = str(value) if node.conversion == ord("s") else ascii(value)
    return format(value, spec)


def _item(node: ast.Subscript, namespaces: tuple[Mapping[str, Any], ...]) -> Any:
    container: Any = (
        _lookup(node.value.id, namespaces) if isinstance(node.value, ast.Name) else _UNBOUND
    )
    index = _plain_value(node.slice, namespaces)
    if index is None or type(container) not in (list, tuple, dict):
        return None
    try:
        return container[index]
    except (LookupError, TypeError):
        return None
