"""npe2 sample data: the synthetic "Whisker session" loaded into the viewer's session.

napari requires a sample to return at least one layer-data tuple, so the sample returns
the media's Image layer (tagged with its key) and the session adopts it as the media
binding; every other key is loaded into the session, whose bindings add their layers.
Once napari has added the media layer the view is fitted to it, at frame 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from napari_whiskertoolbox.core import DataManager

__all__ = ["adopt_data_manager", "whisker_session"]

MEDIA_KEY = "media"
SAMPLE_TITLE = "Whisker session (sample)"


def adopt_data_manager(dm: DataManager, source: DataManager) -> None:
    """Move every clock, key, group and metadata entry of ``source`` into ``dm``.

    An empty, unmodified ``dm`` stays unmodified with an empty undo history (like a file
    just opened); otherwise the additions are ordinary, undoable changes.
    """
    was_pristine = not dm.keys() and not dm.modified
    for name in source.time_keys():
        dm.set_time(name, source.get_time(name))
    for key in source:
        dm.set_data(key, source.get_data(key), source.time_key(key))
    for name, ids in source.groups.to_dict().items():
        dm.groups.add(name, ids)
    dm.metadata.update(source.metadata)
    if was_pristine:
        dm.history.clear()
        dm.mark_saved()


def whisker_session() -> list[tuple[Any, dict[str, Any], str]]:
    """Load the synthetic whisker session into ``napari.current_viewer()``'s session.

    Returns
    -------
    list
        One layer-data tuple: the video as an Image layer carrying
        ``metadata["wtb_key"] = "media"``, which the session adopts as its media layer.
    """
    import napari

    from napari_whiskertoolbox.sample import make_sample_session
    from napari_whiskertoolbox.workflow.modified_state import TITLE_METADATA
    from napari_whiskertoolbox.workflow.opening import fit_view_when_shown
    from napari_whiskertoolbox.workflow.registry import get_session

    viewer = napari.current_viewer()
    if viewer is None:
        raise RuntimeError("the Whisker session sample needs an open napari viewer")
    session = get_session(viewer)
    sample = make_sample_session()
    sample.metadata.setdefault(TITLE_METADATA, SAMPLE_TITLE)
    media = sample.get_data(MEDIA_KEY)
    session.hide_key(MEDIA_KEY)  # napari adds the returned layer; the session adopts it
    fit_view_when_shown(session, MEDIA_KEY)
    adopt_data_manager(session.dm, sample)
    attributes = {
        "name": MEDIA_KEY,
        "metadata": {"wtb_key": MEDIA_KEY},
        "colormap": "gray",
        "contrast_limits": tuple(media.contrast_limits),
    }
    return [(media, attributes, "image")]
