"""Run a library call that cannot be interrupted in a child process that can be stopped.

scikit-learn's t-SNE runs for minutes with no way to stop it between iterations; a cancel
would wait for its end. In a child process it stops within :data:`POLL_S` of the cancel:
the parent polls the context and kills the child (nothing of the run is kept).

The child is a fresh ``python -c`` that imports only what the call needs: unlike
:mod:`multiprocessing`'s ``spawn`` it does not import the caller's ``__main__`` again (a
user's script without an ``if __name__ == "__main__"`` guard would run twice), and unlike
``fork`` it is safe from a Qt application with threads and OpenMP pools. The warnings the
call raises (scikit-learn's ``ConvergenceWarning``) come back with its answer and are raised
again in the caller with their category.
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
import threading
import warnings
from typing import TYPE_CHECKING, Any, BinaryIO

from napari_whiskertoolbox.transforms.errors import TransformError

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari_whiskertoolbox.transforms.context import TransformContext

__all__ = ["POLL_S", "forward_warnings", "run_stoppable", "serve"]

POLL_S = 0.1
"""How often the parent checks the context for a cancel (seconds)."""

_CHILD = "from napari_whiskertoolbox.transforms.child_process import serve; serve()"


Caught = tuple[str, str, str, str, int]
"""A warning the child caught: category module, category name, message, file, line."""


def serve() -> None:
    """Child side: read a pickled ``(fn, args)``, write ``(ok, value, caught)`` on stdout.

    Whatever ``fn`` prints goes to stderr, so stdout carries only the answer. The warnings
    ``fn`` raises are caught (each distinct one once) and sent with the answer, for the
    parent to raise again (:func:`forward_warnings`).
    """
    fn, args = pickle.load(sys.stdin.buffer)
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")  # the parent's filters decide what is shown
        try:
            result: tuple[bool, Any] = (True, fn(*args))
        except Exception as exc:  # the parent raises it as a TransformError
            result = (False, f"{type(exc).__name__}: {exc}")
    caught: dict[Caught, None] = {}
    for w in seen:
        cat = w.category
        caught[(cat.__module__, cat.__qualname__, str(w.message), w.filename, w.lineno)] = None
    with answer:
        pickle.dump((*result, list(caught)), answer, protocol=pickle.HIGHEST_PROTOCOL)


def _category(module: str, name: str) -> type[Warning] | None:
    """Return the warning class ``module.name`` if it can be imported here, else None."""
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return found if isinstance(found, type) and issubclass(found, Warning) else None


def forward_warnings(caught: list[Caught]) -> None:
    """Raise the child's warnings again here, at the child's file and line.

    With their own category where it imports (``sklearn.exceptions.ConvergenceWarning``),
    so the caller's warning filters apply; otherwise as a :class:`UserWarning` whose text
    starts with the category's name.
    """
    for module, name, message, filename, lineno in caught:
        category = _category(module, name)
        text = message if category is not None else f"{name}: {message}"
        warnings.warn_explicit(text, category or UserWarning, filename, lineno)


def _send(pipe: BinaryIO, payload: bytes) -> None:
    """Write the job (blocks until the child reads it; gives up if it is killed)."""
    try:
        pipe.write(payload)
        pipe.close()
    except OSError:  # the child was killed: nobody reads
        pass


def run_stoppable(
    fn: Callable[..., Any], args: tuple[Any, ...], ctx: TransformContext, owner: str
) -> Any:
    """Return ``fn(*args)`` computed in a child process, stopped when ``ctx`` is cancelled.

    ``fn`` must be a module-level function and ``args`` must pickle. The child sees the
    caller's ``sys.path``.

    Raises
    ------
    TransformCancelled
        ``ctx`` was cancelled (the child is killed).
    TransformError
        ``fn`` raised (its message), or the child ended without an answer.
    """
    ctx.check()
    payload = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert child.stdin is not None
    assert child.stdout is not None
    answer: list[bytes] = []
    stdout = child.stdout
    reader = threading.Thread(target=lambda: answer.append(stdout.read()), daemon=True)
    reader.start()
    # large arguments fill the pipe until the child reads them: send them from a thread so
    # that a cancel is seen while the child is still starting
    threading.Thread(target=_send, args=(child.stdin, payload), daemon=True).start()
    try:
        while reader.is_alive():
            reader.join(POLL_S)
            ctx.check()
    finally:
        if child.poll() is None and reader.is_alive():
            child.kill()
        child.wait()
        reader.join()
        stdout.close()
    if not answer or not answer[0]:
        raise TransformError(
            f"the worker process ended without a result (exit code {child.returncode})",
            transform=owner,
        )
    ok, value, caught = pickle.loads(answer[0])
    forward_warnings(caught)
    if not ok:
        raise TransformError(value, transform=owner)
    return value
