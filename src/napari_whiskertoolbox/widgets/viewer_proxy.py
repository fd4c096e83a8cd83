"""A proxy that lets worker-thread scripts use the napari viewer safely.

Scripts run off the UI thread, but napari objects must only be touched on the Qt main
thread. :class:`MainThreadProxy` forwards every attribute read, attribute write, call
and container operation to the main thread and waits for the result. Plain values
(numbers, strings, numpy arrays, lists/tuples of those) come back as they are; any other
object comes back wrapped in a proxy as well, so ``viewer.layers["x"].opacity = 0.5``
works from a script. On the main thread the proxy calls straight through.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.layers.main_thread import run_in_main

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["MainThreadProxy", "unwrap"]

_PLAIN_TYPES = (str, bytes, int, float, complex, bool, type(None), np.ndarray, np.generic)
_TIMEOUT_MS = 24 * 3600 * 1000  # calls such as add_image of a large stack may take long


def _is_plain(value: Any) -> bool:
    if isinstance(value, _PLAIN_TYPES):
        return True
    if isinstance(value, (list, tuple)) and len(value) < 10_000:
        return all(isinstance(item, _PLAIN_TYPES) for item in value)
    return False


def unwrap(value: Any) -> Any:
    """Return the object behind a :class:`MainThreadProxy` (other values unchanged)."""
    if isinstance(value, (list, tuple)):
        return type(value)(unwrap(item) for item in value)
    if isinstance(value, dict):
        return {key: unwrap(item) for key, item in value.items()}
    target = _target_of(value)
    return value if target is None else target


def _target_of(value: Any) -> Any:
    try:
        return object.__getattribute__(value, "_wtb_target")
    except AttributeError:
        return None


def _wrap(value: Any) -> Any:
    return value if _is_plain(value) or _target_of(value) is not None else MainThreadProxy(value)


def _in_main(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ``func`` on the main thread with proxies unwrapped; return its result or raise here."""
    return run_in_main(lambda: func(*unwrap(args), **unwrap(kwargs)), timeout_ms=_TIMEOUT_MS)


class MainThreadProxy:
    """Forward all use of ``target`` to the Qt main thread.

    Parameters
    ----------
    target : object
        A napari viewer (or any object owned by the main thread), or a ``weakref.proxy``
        to one, so that scripts do not keep a closed viewer alive.

    Notes
    -----
    ``isinstance(proxy, type(target))`` holds, so code checking for ``napari.Viewer``
    keeps working.
    """

    def __init__(self, target: Any) -> None:
        object.__setattr__(self, "_wtb_target", target)

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        # ``.__class__`` rather than ``type()``: a weakref.proxy target reports its referent's.
        return object.__getattribute__(self, "_wtb_target").__class__

    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return _wrap(_in_main(method, *args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        target = object.__getattribute__(self, "_wtb_target")
        return self._call(getattr, target, name)

    def __setattr__(self, name: str, value: Any) -> None:
        _in_main(setattr, object.__getattribute__(self, "_wtb_target"), name, value)

    def __delattr__(self, name: str) -> None:
        _in_main(delattr, object.__getattribute__(self, "_wtb_target"), name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the target on the main thread and return its result."""
        return self._call(object.__getattribute__(self, "_wtb_target"), *args, **kwargs)

    def __getitem__(self, key: Any) -> Any:
        return self._call(_operator("__getitem__", self), key)

    def __setitem__(self, key: Any, value: Any) -> None:
        _in_main(_operator("__setitem__", self), key, value)

    def __delitem__(self, key: Any) -> None:
        _in_main(_operator("__delitem__", self), key)

    def __len__(self) -> int:
        return _in_main(len, object.__getattribute__(self, "_wtb_target"))

    def __iter__(self) -> Iterator[Any]:
        items = _in_main(list, object.__getattribute__(self, "_wtb_target"))
        return iter([_wrap(item) for item in items])

    def __contains__(self, item: Any) -> bool:
        return _in_main(_operator("__contains__", self), item)

    def __bool__(self) -> bool:
        return bool(_in_main(bool, object.__getattribute__(self, "_wtb_target")))

    def __eq__(self, other: object) -> bool:
        return object.__getattribute__(self, "_wtb_target") == unwrap(other)

    def __hash__(self) -> int:
        return hash(object.__getattribute__(self, "_wtb_target"))

    def __repr__(self) -> str:
        return _in_main(repr, object.__getattribute__(self, "_wtb_target"))

    def __str__(self) -> str:
        return _in_main(str, object.__getattribute__(self, "_wtb_target"))

    def __dir__(self) -> list[str]:
        return dir(object.__getattribute__(self, "_wtb_target"))


def _operator(name: str, proxy: MainThreadProxy) -> Callable[..., Any]:
    target = object.__getattribute__(proxy, "_wtb_target")
    return functools.partial(getattr(type(target), name), target)
