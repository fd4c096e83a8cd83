"""The one rule for the key a transform or pipeline stores its result under.

The Transforms dock (to turn Run off, saying why) and the Python API (to refuse a run
before it computes) both ask :func:`output_key_check`; :func:`refuse_output_key` and
:func:`refuse_output_keys` raise its refusal as a :class:`TransformError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.key_names import key_name_problem
from napari_whiskertoolbox.core.kinds import kind_info
from napari_whiskertoolbox.transforms.errors import TransformError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from napari_whiskertoolbox.core.data_manager import DataManager

__all__ = ["output_key_check", "output_key_notes", "refuse_output_key", "refuse_output_keys"]

NO_KEY = "the output needs a key"


def _label(kind: str) -> str:
    return kind_info(kind).label


def output_key_check(
    dm: DataManager,
    key: Any,
    output_kind: str | None,
    *,
    check_name: bool = True,
    planned: Mapping[str, str] | None = None,
) -> tuple[str | None, bool]:
    """Return what a run would do to ``key``, and whether the run is refused.

    A run is refused when ``key`` is empty (not a string), holds another kind of data than
    the result (storing it would fail after the whole computation), or is a new key whose
    name breaks the key-name rule
    (:func:`~napari_whiskertoolbox.core.key_names.key_name_problem`). A key holding the
    result's kind is only named: it is replaced (undo restores it).

    Parameters
    ----------
    dm : DataManager
        The session's data.
    key : str
        The output key, used as given (the dock strips what was typed first).
    output_kind : str or None
        The data kind of the result; None when not known yet (no transform chosen): only
        the name is checked, and an empty key is not refused.
    check_name : bool, default True
        False accepts any name for a new key (keys named in WhiskerToolbox's own files).
    planned : mapping of str to str, optional
        Keys an earlier step of the same run will have stored → their kind; they count as
        existing with that kind.

    Returns
    -------
    tuple of (str or None, bool)
        The message (None: nothing to say) and True when a run into ``key`` is refused.
    """
    planned = planned or {}
    if not isinstance(key, str) or not key:
        return (None, False) if output_kind is None else (NO_KEY, True)
    current = planned.get(key) or (dm.data_type(key) if key in dm else None)
    if current is None:
        problem = key_name_problem(key) if check_name else None
        return problem, problem is not None
    if output_kind is None:
        return None, False
    if current == output_kind:
        return f"'{key}' exists and will be replaced (undo restores it)", False
    holds = "will hold" if key in planned else "already holds"
    later = " (an earlier step stores them)" if key in planned else ""
    return (
        f"'{key}' {holds} {_label(current)}{later}; the result ({_label(output_kind)}) "
        "cannot replace it",
        True,
    )


def output_key_notes(
    dm: DataManager, key: Any, output_kind: str | None
) -> tuple[str | None, str | None]:
    """Split :func:`output_key_check` between an output key's field and its Run button.

    A dock says a refusal once, by Run ("Run is off: ..."); the field's own note says only
    what a run that goes ahead does to the key (it replaces it).

    Returns
    -------
    tuple of (str or None, str or None)
        The note under the field (None: nothing to say there) and why a run into ``key``
        is refused (None: it is not).
    """
    message, refused = output_key_check(dm, key, output_kind)
    return (None, message) if refused else (message, None)


def refuse_output_key(
    dm: DataManager,
    key: Any,
    output_kind: str | None,
    owner: str,
    *,
    check_name: bool = True,
    planned: Mapping[str, str] | None = None,
) -> None:
    """Raise when :func:`output_key_check` refuses a run of ``owner`` into ``key``.

    Raises
    ------
    TransformError
        Naming ``owner`` (the transform, pipeline or step), parameter ``output_key`` and
        why: ``"CalculateLineLength: parameter 'output_key': 'whisker' already holds
        lines; the result (analog signals) cannot replace it"``.
    """
    message, refused = output_key_check(
        dm, key, output_kind, check_name=check_name, planned=planned
    )
    if refused:
        got = f", got {key!r}" if message == NO_KEY else ""
        raise TransformError(
            f"parameter 'output_key': {message}{got}",
            transform=owner,
            parameter="output_key",
            value=key,
            key=key if isinstance(key, str) else None,
        )


def refuse_output_keys(
    dm: DataManager, outputs: Iterable[tuple[str, str, str]], *, check_name: bool = True
) -> None:
    """Check the output keys of a run's steps, in the order they run, before the first runs.

    Parameters
    ----------
    dm : DataManager
        The session's data, as it is before the run.
    outputs : iterable of (str, str, str)
        ``(owner, key, output_kind)`` per step that stores a key; a key an earlier step
        stores counts as existing with that step's kind.
    check_name : bool, default True
        As in :func:`output_key_check`.

    Raises
    ------
    TransformError
        The first refused step (see :func:`refuse_output_key`).
    """
    planned: dict[str, str] = {}
    for owner, key, kind in outputs:
        refuse_output_key(dm, key, kind, owner, check_name=check_name, planned=planned)
        planned[key] = kind
