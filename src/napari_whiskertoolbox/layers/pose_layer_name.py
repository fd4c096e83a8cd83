"""A keypoints layer keeps its pose set's name.

A pose set's name is the prefix of its keys (``reachingvideo1_Hand``), the name
``pose_sets(dm)`` lists it under and the one its saves use; the keypoints layer shows it.
Renamed in napari's layer list, the layer used to take the new name while the set kept
the old one: scripts found no set of the name shown. Other bound layers rename their key;
a pose set is many keys, entity groups and records, and is not renamed: the layer takes
its set's name back and a notice says why, as for a name a key cannot have.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from napari.utils.notifications import show_info

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari.layers import Layer

__all__ = ["keep_pose_name"]


def keep_pose_name(layer: Layer, pose_name: Callable[[], str]) -> None:
    """Give ``layer`` its pose set's name back whenever it is renamed (for the layer's life).

    Parameters
    ----------
    layer : napari.layers.Layer
        The keypoints layer.
    pose_name : callable
        Returns the set's name (read at each rename).
    """

    def on_name(*_: Any) -> None:
        name = pose_name()
        # napari's "name [1]": the set's name, made unique beside a layer of the user's
        if layer.name == name or re.fullmatch(rf"{re.escape(name)} \[\d+\]", layer.name):
            return
        typed = layer.name
        layer.name = name
        show_info(
            f"The keypoints layer keeps its pose set's name {name!r} (not {typed!r}): the "
            f"set's keys are named after it ({name}_<body part>) and pose_sets(dm)[{name!r}] "
            "finds it; a pose set is not renamed."
        )

    layer.events.name.connect(on_name)
