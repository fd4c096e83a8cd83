"""npe2 sample data: the synthetic "Whisker session" loaded into the viewer's session.

napari requires a sample to return at least one layer-data tuple, so the sample returns
the media's Image layer (tagged with its key) and the session adopts it as the media
binding; every other key is loaded into the session, whose bindings add their layers.
It joins the session as a file opened into it does
(:func:`~napari_whiskertoolbox.workflow.opening.adopt_in_session`): keys the session has
come in under free names, one undo step, and the frame slider moves to the sample's
clock when the session shows media on another one, with a notice. Once napari has added
the media layer the view is fitted to it, at frame 0 (into a session with data: at the
moment shown before). The sample names the window only when it opens into an empty
session; a session holding data keeps its name.
"""

from __future__ import annotations

from typing import Any

from napari_whiskertoolbox.workflow.opening import adopt_data_manager

__all__ = ["adopt_data_manager", "whisker_session"]

MEDIA_KEY = "media"
SAMPLE_TITLE = "Whisker session (sample)"


def whisker_session() -> list[tuple[Any, dict[str, Any], str]]:
    """Load the synthetic whisker session into the session of the viewer that asked for it.

    The viewer whose ``open_sample`` runs this (File > Open Sample, Python), else
    ``napari.current_viewer()``.

    Returns
    -------
    list
        One layer-data tuple: the video as an Image layer carrying
        ``metadata["wtb_key"] = "media"``, which the session adopts as its media layer.
    """
    from napari_whiskertoolbox.sample import make_sample_session
    from napari_whiskertoolbox.workflow.modified_state import TITLE_METADATA
    from napari_whiskertoolbox.workflow.opening import adopt_in_session, fit_view_when_shown
    from napari_whiskertoolbox.workflow.registry import calling_viewer, get_session

    viewer = calling_viewer()
    if viewer is None:
        raise RuntimeError("the Whisker session sample needs an open napari viewer")
    session = get_session(viewer)
    sample = make_sample_session()
    sample.metadata.setdefault(TITLE_METADATA, SAMPLE_TITLE)
    media = sample.get_data(MEDIA_KEY)
    # napari adds the returned layer (hence hidden); the session adopts it
    renamed = adopt_in_session(
        session, sample, SAMPLE_TITLE, keep_session_keys=True, hidden=(MEDIA_KEY,)
    )
    key = renamed.get(MEDIA_KEY, MEDIA_KEY)
    fit_view_when_shown(session, key, session.current_frame)
    attributes = {
        "name": key,
        "metadata": {"wtb_key": key},
        "colormap": "gray",
        "contrast_limits": tuple(media.contrast_limits),
    }
    return [(media, attributes, "image")]
