"""WhiskerToolbox's ``importNewData``: data objects left in a namespace → DataManager."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from napari_whiskertoolbox.core.kinds import DATA_CLASSES

__all__ = ["find_new_data", "import_new_data", "is_data_object"]


def is_data_object(value: Any) -> bool:
    """Whether ``value`` is one of the data types a DataManager stores."""
    return isinstance(value, DATA_CLASSES)


def find_new_data(namespace: Mapping[str, Any], dm: Any) -> dict[str, Any]:
    """Data objects in ``namespace`` that ``dm`` does not hold yet (under any key).

    Private names (``_x``) are ignored. Returns ``{variable name: object}`` sorted by name.
    """
    stored = {id(dm.get_data(key)) for key in dm.keys()}
    return {
        name: value
        for name, value in sorted(namespace.items())
        if not name.startswith("_") and is_data_object(value) and id(value) not in stored
    }


def import_new_data(
    source: Any,
    dm: Any,
    clock: str = "time",
    names: Sequence[str] | None = None,
) -> list[str]:
    """Store new data objects from a script namespace in ``dm``, keyed by variable name.

    Parameters
    ----------
    source : ScriptEngine or mapping
        An engine (its ``namespace`` is used) or a namespace dict.
    dm : DataManager
        Where the objects go.
    clock : str
        Name of the clock (time key) the imported objects are bound to.
    names : sequence of str, optional
        Variables to import; default: every data object not already in ``dm``.

    Returns
    -------
    list of str
        The keys that were stored.

    Raises
    ------
    KeyError
        If ``clock`` is not a clock of ``dm`` or a requested name is not in the namespace.
    TypeError
        If a requested name does not hold a storable data object.
    """
    namespace = getattr(source, "namespace", source)
    if clock not in dm.time_keys():
        raise KeyError(
            f"import_new_data: clock {clock!r} does not exist; available clocks: {dm.time_keys()}"
        )
    if names is None:
        chosen = find_new_data(namespace, dm)
    else:
        chosen = {}
        for name in names:
            if name not in namespace:
                raise KeyError(f"import_new_data: no variable named {name!r} in the namespace")
            if not is_data_object(namespace[name]):
                raise TypeError(
                    f"import_new_data: variable {name!r} holds a {type(namespace[name]).__name__}, "
                    f"expected one of {', '.join(cls.__name__ for cls in DATA_CLASSES)}"
                )
            chosen[name] = namespace[name]
    for name, value in chosen.items():
        dm.set_data(name, value, time_key=clock)
    return list(chosen)
