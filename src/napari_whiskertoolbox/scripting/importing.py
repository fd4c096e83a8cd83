"""WhiskerToolbox's ``importNewData``: data objects left in a namespace → DataManager."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeGuard

from napari_whiskertoolbox.core.close_match import did_you_mean
from napari_whiskertoolbox.core.kinds import DATA_CLASSES

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from napari_whiskertoolbox.core import DataManager, DataObject

__all__ = ["find_new_data", "import_new_data", "is_data_object"]


class _HasNamespace(Protocol):
    """Anything with a script namespace, such as a :class:`~.engine.ScriptEngine`."""

    @property
    def namespace(self) -> Mapping[str, object]:
        """The script's variables by name."""
        ...


def is_data_object(value: object) -> TypeGuard[DataObject]:
    """Return whether ``value`` is one of the data types a DataManager stores."""
    return isinstance(value, DATA_CLASSES)


def find_new_data(namespace: Mapping[str, object], dm: DataManager) -> dict[str, DataObject]:
    """Return the data objects in ``namespace`` that ``dm`` does not hold yet (under any key).

    Private names (``_x``) are ignored. Returns ``{variable name: object}`` sorted by name.
    """
    stored = {id(dm.get_data(key)) for key in dm}
    return {
        name: value
        for name, value in sorted(namespace.items())
        if not name.startswith("_") and is_data_object(value) and id(value) not in stored
    }


def import_new_data(
    source: _HasNamespace | Mapping[str, object],
    dm: DataManager,
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
    namespace: Mapping[str, object] = source.namespace if hasattr(source, "namespace") else source
    if clock not in dm.time_keys():
        raise KeyError(
            f"import_new_data: clock {clock!r} does not exist{did_you_mean(clock, dm.time_keys())}; "
            f"available clocks: {dm.time_keys()}"
        )
    if names is None:
        chosen = find_new_data(namespace, dm)
    else:
        chosen = {}
        for name in names:
            if name not in namespace:
                raise KeyError(
                    f"import_new_data: no variable named {name!r} in the namespace"
                    f"{did_you_mean(name, namespace)}"
                )
            value = namespace[name]
            if not is_data_object(value):
                raise TypeError(
                    f"import_new_data: variable {name!r} holds a {type(value).__name__}, "
                    f"expected one of {', '.join(cls.__name__ for cls in DATA_CLASSES)}"
                )
            chosen[name] = value
    for name, value in chosen.items():
        dm.set_data(name, value, time_key=clock)
    return list(chosen)
