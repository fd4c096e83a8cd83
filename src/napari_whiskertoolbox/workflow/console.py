"""Give napari's console the session: ``dm``, ``wt``, ``viewer``, ``np``, the data types and aliases.

When napari's console opens it also shows a banner naming those and the Python
environment scripts use (see :func:`console_banner`). Each console command runs marked as
working on the console's ``dm`` (so ``plt.show()`` and ``wt.plot`` reach that viewer) and
as one undo step (a loop editing every frame is undone with one Ctrl+Z); after it
:data:`console_executed` reports the variables it created, rebound or deleted (the script
runner's namespace and variable watch follow them).
"""

from __future__ import annotations

import contextlib
import sys
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np
from psygnal import SignalInstance

from napari_whiskertoolbox.core import DataManager
from napari_whiskertoolbox.layers._napari_compat import (
    console_if_created,
    on_console_shown,
    write_to_console,
)
from napari_whiskertoolbox.scripting.display import displaying_for
from napari_whiskertoolbox.scripting.missing_keys import missing_key_notes
from napari_whiskertoolbox.scripting.processors import run_processor
from napari_whiskertoolbox.scripting.venv import active_venv_path

if TYPE_CHECKING:
    import napari

    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = [
    "console_banner",
    "console_executed",
    "console_namespace",
    "install_console",
    "show_console_banner",
    "watch_console_commands",
]

_consoles_with_banner: weakref.WeakSet[Any] = weakref.WeakSet()
_watched_shells: weakref.WeakSet[Any] = weakref.WeakSet()

console_executed = SignalInstance((object, object, object), name="console_executed")
"""Emitted after each command of napari's console with ``(dm, variables, deleted)``.

``dm`` is the console's ``dm``; ``variables`` maps the names the command created or rebound
(private names and IPython's own left out) to their values; ``deleted`` is a tuple of the
names it removed (``del x``).
"""


def console_namespace(session: ViewerSession) -> dict[str, Any]:
    """Names pushed into napari's console for ``session``.

    ``dm``, ``viewer``, ``np``, the ``whiskertoolbox_python`` module (also as ``wt``, as
    WhiskerToolbox's bridge provides it) and every name it exports (the data types and
    WhiskerToolbox's camelCase aliases), so scripts written for WhiskerToolbox's console run
    unchanged, and ``run_processor``, in scope in scripts too.
    """
    import whiskertoolbox_python

    exported = getattr(whiskertoolbox_python, "__all__", None)
    if exported is None:
        exported = [name for name in vars(whiskertoolbox_python) if not name.startswith("_")]
    namespace: dict[str, Any] = {name: getattr(whiskertoolbox_python, name) for name in exported}
    namespace.update(
        dm=session.dm,
        viewer=session.viewer,
        np=np,
        wt=whiskertoolbox_python,
        whiskertoolbox_python=whiskertoolbox_python,
        run_processor=run_processor,
    )
    return namespace


def console_banner() -> str:
    """Return the console's banner: the names ready to use and the Python environment."""
    active = active_venv_path()
    environment = f"the virtual environment {active}" if active else "napari's own environment"
    version = sys.version.split()[0]
    return (
        "napari-whiskertoolbox: dm, wt, viewer, np and the WhiskerToolbox data types are "
        f"ready.\nPython {version}, scripts import from {environment}."
    )


def show_console_banner(viewer: napari.Viewer) -> bool:
    """Write :func:`console_banner` into ``viewer``'s console if it is open; True if written."""
    if getattr(viewer, "window", None) is None:
        return False
    console = console_if_created(viewer)
    if console is None:
        return False
    write_to_console(console, console_banner())
    _consoles_with_banner.add(console)
    return True


def install_console(session: ViewerSession) -> dict[str, Any]:
    """Push :func:`console_namespace` into the viewer's console; return the pushed names.

    napari keeps only weak references to values pushed before the console opens; the
    session holds strong references to ``dm`` and the viewer, so nothing is lost.
    """
    namespace = console_namespace(session)
    viewer = session.viewer
    viewer.update_console(namespace)

    def first_shown(console: Any) -> None:
        if console not in _consoles_with_banner:
            _consoles_with_banner.add(console)
            write_to_console(console, console_banner())

    on_console_shown(viewer, first_shown)
    on_console_shown(viewer, watch_console_commands)
    console = console_if_created(viewer)
    if console is not None:
        show_console_banner(viewer)
        watch_console_commands(console)
    return namespace


class _CommandWatch:
    """IPython ``pre_execute`` / ``post_execute`` hooks of one console shell."""

    def __init__(self, shell: Any) -> None:
        self._shell = weakref.ref(shell)
        self._before: dict[str, int] = {}
        self._context: Any = None

    def _dm(self) -> DataManager | None:
        shell = self._shell()
        dm = shell.user_ns.get("dm") if shell is not None else None
        return dm if isinstance(dm, DataManager) else None

    def pre_execute(self) -> None:
        shell = self._shell()
        if shell is None:
            return
        self._before = {name: id(value) for name, value in shell.user_ns.items()}
        dm = self._dm()
        if dm is not None:
            context = contextlib.ExitStack()
            context.enter_context(displaying_for(dm))
            number = getattr(shell, "execution_count", None)
            label = f"console In [{number}]" if isinstance(number, int) else "console command"
            context.enter_context(dm.history.merged(label))
            self._context = context

    def post_execute(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            context.close()
        shell = self._shell()
        dm = self._dm()
        if shell is None or dm is None:
            return
        hidden = getattr(shell, "user_ns_hidden", {})
        changed = {
            name: value
            for name, value in shell.user_ns.items()
            if not name.startswith("_")
            and name not in hidden
            and self._before.get(name) != id(value)
        }
        deleted = tuple(
            name
            for name in self._before
            if name not in shell.user_ns and not name.startswith("_") and name not in hidden
        )
        console_executed.emit(dm, changed, deleted)


def watch_console_commands(console: Any) -> bool:
    """Watch each command of napari's ``console`` (IPython events); False without a shell."""
    shell = getattr(console, "shell", None)
    events = getattr(shell, "events", None)
    if events is None:
        return False
    if shell not in _watched_shells:
        _watched_shells.add(shell)
        watch = _CommandWatch(shell)
        events.register("pre_execute", watch.pre_execute)
        events.register("post_execute", watch.post_execute)
        note_missing_keys(shell)
    return True


def note_missing_keys(shell: Any) -> bool:
    """Add the script runner's missing-key notes to ``shell``'s tracebacks.

    ``x = dm.getData('angel'); x.values`` gave a bare "'NoneType' object has no attribute
    'values'"; the traceback is now followed by "note: dm.getData('angel') on line 1
    returned None: there is no key 'angel' (did you mean 'angle'?)". Uses IPython's public
    ``set_custom_exc`` for ``AttributeError`` and ``TypeError``; a shell that already has
    custom exception handlers (the user's) is left alone.

    Returns
    -------
    bool
        Whether the handler was installed.
    """
    set_custom_exc = getattr(shell, "set_custom_exc", None)
    if set_custom_exc is None or getattr(shell, "custom_exceptions", ()):
        return False

    def handler(
        shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None
    ) -> Any:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        dm = shell.user_ns.get("dm")
        if isinstance(dm, DataManager):
            for note in missing_key_notes(value, tb, list(dm)):
                print(note, file=sys.stderr)
        return None

    set_custom_exc((AttributeError, TypeError), handler)
    return True
