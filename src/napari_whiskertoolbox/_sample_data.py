"""npe2 sample data: the synthetic "Whisker session" loaded into the viewer's session."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .core import DataManager

__all__ = ["adopt_data_manager", "whisker_session"]


def adopt_data_manager(dm: DataManager, source: DataManager) -> None:
    """Move every clock, key, group and metadata entry of ``source`` into ``dm``.

    An empty, unmodified ``dm`` stays unmodified with an empty undo history (like a file
    just opened); otherwise the additions are ordinary, undoable changes.
    """
    was_pristine = not dm.keys() and not dm.modified
    for name in source.time_keys():
        dm.set_time(name, source.get_time(name))
    for key in source.keys():
        dm.set_data(key, source.get_data(key), source.time_key(key))
    for name, ids in source.groups.to_dict().items():
        dm.groups.add(name, ids)
    dm.metadata.update(source.metadata)
    if was_pristine:
        dm.history.clear()
        dm.mark_saved()


def whisker_session() -> list[tuple[None]]:
    """Load the synthetic whisker session into ``napari.current_viewer()``'s session.

    Returns napari's "layers already added" sentinel: the session's bindings create the
    Image, Labels, Shapes and Points layers.
    """
    import napari

    from .layers.session import get_session
    from .sample import make_sample_session

    viewer = napari.current_viewer()
    if viewer is None:
        raise RuntimeError("the Whisker session sample needs an open napari viewer")
    adopt_data_manager(get_session(viewer).dm, make_sample_session())
    return [(None,)]
