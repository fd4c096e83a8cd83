"""Python functions as transforms (reference §7).

A function with type hints becomes a registered transform: its first argument is the
input (an element — a float, a ``(2,)`` point, an ``(n, 2)`` line or mask — or a whole
data object), its keyword arguments with defaults are the parameters (schema from the
hints: ``float``, ``int``, ``bool``, ``str``, ``Literal[...]``, ``list[float]`` …), and an
argument named ``ctx`` receives the :class:`TransformContext`. Element functions are lifted
like built-ins, so they run in pipeline files next to them.

Registration: the :func:`transform` decorator, :func:`register_function`, a script file
(:func:`load_transforms_from_file`), the entry-point group ``napari_whiskertoolbox.transforms``
or a user folder of ``.py`` files — loaded only on request, never at import.
"""

from __future__ import annotations

import inspect
import os
import runpy
import threading
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import numpy as np

from napari_whiskertoolbox.core.kinds import DATA_KINDS, KIND_TABLE
from napari_whiskertoolbox.core.wtb_aliases import Line2D, Mask2D, Point2D
from napari_whiskertoolbox.io.user_dirs import user_config_dir
from napari_whiskertoolbox.transforms.errors import TransformCancelled, TransformError
from napari_whiskertoolbox.transforms.lift import Batch, Bound, batch_of_arrays, float_batch
from napari_whiskertoolbox.transforms.registry import (
    REGISTRY,
    TransformKind,
    TransformRegistry,
    TransformSpec,
)
from napari_whiskertoolbox.transforms.schema import Param, Params, ParamSchema

if typing.TYPE_CHECKING:
    from napari_whiskertoolbox.transforms.context import TransformContext

__all__ = [
    "ENTRY_POINT_GROUP",
    "TRANSFORMS_ENV",
    "load_entry_point_transforms",
    "load_transforms_from_file",
    "load_user_transforms",
    "register_function",
    "transform",
    "unregister",
    "user_transforms_dir",
]

ENTRY_POINT_GROUP = "napari_whiskertoolbox.transforms"
TRANSFORMS_ENV = "NAPARI_WHISKERTOOLBOX_TRANSFORMS"

ELEMENT_NAMES: dict[str, str] = {
    "float": "float",
    "Point2D": "point",
    "Line2D": "line",
    "Mask2D": "mask",
    "event": "event",
    "sample": "sample",
}
"""How a Python transform names element types (WhiskerToolbox's names) → element type."""

_ELEMENT_HINTS: dict[Any, str] = {float: "float", Point2D: "point", Line2D: "line", Mask2D: "mask"}
_KIND_HINTS: dict[Any, str] = {info.cls: info.kind for info in KIND_TABLE if info.family != "media"}
_KIND_CLASS_NAMES: dict[str, str] = {cls.__name__: kind for cls, kind in _KIND_HINTS.items()}
"""Core class names given as strings (``"AnalogTimeSeries"``) → data kind (reference §7)."""
_loading = threading.local()


def _resolve_io(value: Any, what: str, owner: str) -> tuple[str, bool]:
    """Return ``(name, is_element)`` for an input/output declaration or hint."""
    if isinstance(value, str):
        if value in ELEMENT_NAMES:
            return ELEMENT_NAMES[value], True
        if value in DATA_KINDS:
            return value, False
        if value in _KIND_CLASS_NAMES:
            return _KIND_CLASS_NAMES[value], False
        raise TransformError(
            f"{what} {value!r} is not an element type {list(ELEMENT_NAMES)}, a data kind "
            f"{list(DATA_KINDS)} nor a core class {list(_KIND_CLASS_NAMES)}",
            transform=owner,
        )
    if value in _ELEMENT_HINTS:
        return _ELEMENT_HINTS[value], True
    if value in _KIND_HINTS:
        return _KIND_HINTS[value], False
    raise TransformError(
        f"cannot tell the {what} from {value!r}; pass input=/output= (an element type such as "
        "'Line2D' or a data kind such as 'analog')",
        transform=owner,
    )


def _param_from_hint(
    name: str,
    hint: Any,
    default: Any,
    owner: str,
    bounds: Mapping[str, tuple[float | None, float | None]],
    help_text: Mapping[str, str],
) -> Param:
    lo, hi = bounds.get(name, (None, None))
    doc = help_text.get(name, "")
    origin = get_origin(hint)
    if origin is Literal:
        choices = tuple(str(c) for c in get_args(hint))
        return Param(
            name, "enum", default if default is not None else choices[0], doc, choices=choices
        )
    if origin in (list, Sequence, typing.Sequence) or hint in (list,):
        args = get_args(hint)
        element = {float: "float_list", int: "int_list", str: "str_list"}.get(
            args[0] if args else float
        )
        if element is None:
            raise TransformError(
                f"parameter '{name}': unsupported list element {args}", transform=owner
            )
        return Param(name, element, list(default or []), doc)  # type: ignore[arg-type]
    if hint is bool:
        return Param(name, "bool", bool(default), doc)
    if hint is int:
        return Param(name, "int", int(default), doc, lo, hi)
    if hint is float:
        return Param(name, "float", float(default), doc, lo, hi)
    if hint is str:
        return Param(name, "str", str(default), doc)
    if hint in (dict, Mapping) or origin in (dict, Mapping):
        return Param(name, "object", dict(default or {}), doc)
    raise TransformError(
        f"parameter '{name}' has type {hint!r}; supported: float, int, bool, str, Literal[...], "
        "list[float|int|str], dict",
        transform=owner,
        parameter=name,
    )


def _element_call(
    fn: Callable[..., Any], name: str, out: str, pass_ctx: bool
) -> Callable[..., Batch]:
    """Lift a per-element Python function to a batch function."""

    def run(batch: Batch, p: Params, ctx: TransformContext) -> Batch:
        kwargs = dict(p)
        if pass_ctx:
            kwargs["ctx"] = ctx
        results = []
        n = len(batch)
        times = batch.time_array()
        for k, element in enumerate(batch.elements()):
            ctx.tick(k, n)
            try:
                results.append(fn(element, **kwargs))
            except (TransformCancelled, TransformError):
                raise
            except Exception as exc:
                raise TransformError(
                    f"the function raised {type(exc).__name__} at frame {int(times[k])}: {exc}",
                    transform=name,
                ) from exc
        return _batch_of(batch, out, results, name)

    return run


def _batch_of(like: Batch, out: str, results: list[Any], name: str) -> Batch:
    try:
        if out in ("float", "sample"):
            return float_batch(like, np.asarray(results, np.float64).reshape(len(results)))
        if out == "event":
            return Batch("event", np.asarray(results, np.int64).reshape(len(results)), ragged=False)
        if out == "point":
            return batch_of_arrays(
                like, "point", [np.asarray(r, np.float32).reshape(2) for r in results], np.float32
            )
        dtype = np.uint32 if out == "mask" else np.float32
        arrays = [np.asarray(r, dtype).reshape(-1, 2) for r in results]
        return batch_of_arrays(like, out, arrays, dtype)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise TransformError(
            f"the function must return {out} elements: {exc}", transform=name
        ) from exc


def _binary_element_call(
    fn: Callable[..., Any], name: str, out: str, pass_ctx: bool
) -> Callable[..., Batch]:
    def run(a: Batch, b: Batch, p: Params, ctx: TransformContext) -> Batch:
        kwargs = dict(p)
        if pass_ctx:
            kwargs["ctx"] = ctx
        results = []
        for k, (x, y) in enumerate(zip(a.elements(), b.elements())):
            ctx.tick(k, len(a))
            try:
                results.append(fn(x, y, **kwargs))
            except (TransformCancelled, TransformError):
                raise
            except Exception as exc:
                raise TransformError(
                    f"the function raised {type(exc).__name__}: {exc}", transform=name
                ) from exc
        return _batch_of(a, out, results, name)

    return run


def _container_call(
    fn: Callable[..., Any], name: str, arity: int, pass_ctx: bool
) -> Callable[..., Any]:
    def run(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
        kwargs = dict(p)
        if pass_ctx:
            kwargs["ctx"] = ctx
        try:
            return fn(*(b.data for b in inputs[:arity]), **kwargs)
        except (TransformCancelled, TransformError):
            raise
        except Exception as exc:
            raise TransformError(
                f"the function raised {type(exc).__name__}: {exc}", transform=name
            ) from exc

    return run


def register_function(
    fn: Callable[..., Any],
    name: str | None = None,
    *,
    input: Any = None,
    second: Any = None,
    output: Any = None,
    bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
    help: Mapping[str, str] | None = None,
    category: str = "Python",
    description: str | None = None,
    replace_existing: bool = False,
    registry: TransformRegistry | None = None,
) -> TransformSpec:
    """Register ``fn`` as a transform and return its spec.

    Parameters
    ----------
    fn : callable
        ``fn(x, [y,] *, param=default, ..., [ctx])``; type hints on the parameters give the
        schema.
    name : str, optional
        Registered name (default: the function's name).
    input, second, output : str or type, optional
        Element types (``"float"``, ``"Point2D"``, ``"Line2D"``, ``"Mask2D"``, ``"event"``,
        ``"sample"``) or data kinds (``"analog"``, ``"line"``, …); default from the hints of
        the first (second) argument and the return value.
    bounds : mapping, optional
        ``{param: (minimum, maximum)}`` where hints cannot say it (None = unbounded).
    help : mapping, optional
        ``{param: tooltip}``.
    category, description : str
        For the dock; the description defaults to the docstring's first line.
    replace_existing : bool
        Replace a registered transform of the same name.
    registry : TransformRegistry, optional
        Where to register (the global one by default).

    Raises
    ------
    TransformError
        A hint or declaration it cannot turn into a schema, or element and container
        inputs mixed.
    """
    owner = name or fn.__name__
    hints = typing.get_type_hints(fn)
    sig = inspect.signature(fn)
    positional = [
        p
        for p in sig.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        and p.default is p.empty
        and p.name != "ctx"
    ]
    # two inputs: declared with second=, or two undefaulted arguments and no input= given
    n_inputs = 2 if second is not None or (input is None and len(positional) >= 2) else 1
    if not positional:
        raise TransformError("the function needs a first argument (the input)", transform=owner)
    declared = [input, second][:n_inputs]
    slots = []
    for i in range(n_inputs):
        value = declared[i] if declared[i] is not None else hints.get(positional[i].name)
        if value is None:
            raise TransformError(f"input {i + 1} has no type hint; pass input=", transform=owner)
        slots.append(_resolve_io(value, f"input {i + 1}", owner))
    out_value = output if output is not None else hints.get("return")
    if out_value is None:
        raise TransformError("the return type has no hint; pass output=", transform=owner)
    out, out_element = _resolve_io(out_value, "output", owner)
    elements = {is_el for _, is_el in slots} | {out_element}
    if len(elements) != 1:
        raise TransformError(
            "inputs and output must all be elements or all be data kinds", transform=owner
        )
    is_element = out_element
    params = []
    pass_ctx = False
    used = {p.name for p in positional[:n_inputs]}
    for p in sig.parameters.values():
        if p.name in used:
            continue
        if p.name == "ctx":
            pass_ctx = True
            continue
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.default is p.empty:
            raise TransformError(
                f"parameter '{p.name}' needs a default value", transform=owner, parameter=p.name
            )
        hint = hints.get(p.name, type(p.default))
        params.append(_param_from_hint(p.name, hint, p.default, owner, bounds or {}, help or {}))
    kind: TransformKind
    if is_element:
        kind = "binary_element" if n_inputs == 2 else "element"
        func = (_binary_element_call if n_inputs == 2 else _element_call)(fn, owner, out, pass_ctx)
    else:
        kind = "binary_container" if n_inputs == 2 else "container"
        func = _container_call(fn, owner, n_inputs, pass_ctx)
    spec = TransformSpec(
        owner,
        kind,
        tuple((s,) for s, _ in slots),
        out,
        ParamSchema(tuple(params)),
        func,
        category=category,
        description=description or (inspect.getdoc(fn) or "").split("\n")[0],
        engine="python",
        source=f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', owner)}",
        metadata={"function": fn},
    )
    (REGISTRY if registry is None else registry).register(spec, replace_existing=replace_existing)
    loaded = getattr(_loading, "names", None)
    if loaded is not None:
        loaded.append(spec.name)
    return spec


def transform(
    name: str | None = None,
    *,
    input: Any = None,
    second: Any = None,
    output: Any = None,
    bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
    help: Mapping[str, str] | None = None,
    category: str = "Python",
    description: str | None = None,
    replace_existing: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as a transform (see :func:`register_function`).

    Examples
    --------
    >>> from typing import Literal
    >>> @transform("LineTipX", input="Line2D", output="float", replace_existing=True)
    ... def tip_x(line, offset: float = 0.0, end: Literal["tip", "base"] = "tip") -> float:
    ...     return float(line[-1 if end == "tip" else 0, 0]) + offset
    """

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        register_function(
            fn,
            name,
            input=input,
            second=second,
            output=output,
            bounds=bounds,
            help=help,
            category=category,
            description=description,
            replace_existing=replace_existing,
        )
        return fn

    return wrap


def unregister(name: str) -> bool:
    """Remove a registered Python transform; return False if there was none.

    Raises
    ------
    TransformError
        ``name`` is a built-in transform.
    """
    if name in REGISTRY and REGISTRY.get(name).engine != "python":
        raise TransformError("built-in transforms cannot be unregistered", transform=name)
    return REGISTRY.unregister(name)


def load_transforms_from_file(path: str | os.PathLike[str]) -> list[str]:
    """Run a Python file that registers transforms; return the names it registered.

    The file runs as a script (its ``@transform`` decorators register), only when called.

    Raises
    ------
    TransformError
        The file is missing or raised; the message names the file.
    """
    p = Path(path)
    if not p.is_file():
        raise TransformError(f"no Python file at {p}", transform="python transforms")
    previous = getattr(_loading, "names", None)
    _loading.names = []
    try:
        runpy.run_path(str(p), run_name=f"napari_whiskertoolbox_user_{p.stem}")
        return list(_loading.names)
    except TransformError as exc:
        raise TransformError(f"{p}: {exc}", transform="python transforms") from exc
    except Exception as exc:
        raise TransformError(
            f"{p} raised {type(exc).__name__}: {exc}", transform="python transforms"
        ) from exc
    finally:
        _loading.names = previous


def user_transforms_dir() -> Path:
    """Return ``$NAPARI_WHISKERTOOLBOX_TRANSFORMS`` or ``<user config>/transforms``."""
    override = os.environ.get(TRANSFORMS_ENV)
    return Path(override).expanduser() if override else user_config_dir() / "transforms"


def load_user_transforms(folder: str | os.PathLike[str] | None = None) -> list[str]:
    """Load every ``*.py`` file of the user transforms folder (sorted); return the names.

    Never called at import: the dock or the user asks for it.
    """
    root = Path(folder) if folder is not None else user_transforms_dir()
    names: list[str] = []
    if root.is_dir():
        for file in sorted(root.glob("*.py")):
            names += load_transforms_from_file(file)
    return names


def load_entry_point_transforms(group: str = ENTRY_POINT_GROUP) -> list[str]:
    """Load transforms other packages declare in the entry-point group; return the names.

    An entry point may name a module (its decorators register on import), a function
    (registered with :func:`register_function` unless it already is), or a callable
    returning a list of functions.

    Raises
    ------
    TransformError
        An entry point failed to load (names the entry point).
    """
    names: list[str] = []
    for ep in metadata.entry_points(group=group):
        previous = getattr(_loading, "names", None)
        _loading.names = []
        try:
            obj = ep.load()
            if isinstance(obj, types.ModuleType):
                pass
            elif callable(obj) and not any(
                s.metadata.get("function") is obj for s in REGISTRY.specs()
            ):
                if getattr(obj, "__napari_whiskertoolbox_provider__", False):
                    for fn in obj():
                        register_function(fn)
                else:
                    register_function(obj, ep.name)
            names += _loading.names
        except TransformError:
            raise
        except Exception as exc:
            raise TransformError(
                f"entry point {ep.name!r} ({ep.value}) failed: {type(exc).__name__}: {exc}",
                transform="python transforms",
            ) from exc
        finally:
            _loading.names = previous
    return names
