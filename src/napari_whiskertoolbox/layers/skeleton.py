"""Skeleton edges of a pose set, drawn as one napari Vectors layer.

For the frame on screen, a segment for each skeleton edge whose two body parts both have a
point on that frame (an edge hides when either end is missing), coloured after its
individual. The layer carries ``metadata["wtb_skeleton"] = pose name``; it is read-only
(edit the points, the edges follow). :mod:`.pose_layers` drives it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from napari.layers import Vectors

from napari_whiskertoolbox.io.pose_colors import skeleton_color
from napari_whiskertoolbox.layers.converters import segments_to_layer_vectors
from napari_whiskertoolbox.layers.quiet import quiet_update

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari_whiskertoolbox.io.pose import PoseSet

__all__ = ["WTB_SKELETON", "SkeletonView", "skeleton_segments"]

WTB_SKELETON = "wtb_skeleton"
"""``layer.metadata`` entry naming the pose set a skeleton layer draws."""
EDGE_WIDTH = 2.0


def skeleton_segments(
    pose: PoseSet, point_at: Callable[[str], np.ndarray | None]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Return the visible edges of ``pose`` on one frame.

    Parameters
    ----------
    pose : PoseSet
        The pose set.
    point_at : callable
        ``key -> (2,) (x, y) point`` on the frame, or None when the key has no point there.

    Returns
    -------
    starts, ends : (N, 2) float32
        Segment ends as ``(x, y)``.
    individuals : list of str
        The individual of each segment.
    """
    cache: dict[str, np.ndarray | None] = {}
    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    owners: list[str] = []
    for individual, key_a, key_b in pose.edges():
        for key in (key_a, key_b):
            if key not in cache:
                cache[key] = point_at(key)
        a, b = cache[key_a], cache[key_b]
        if a is None or b is None:
            continue
        starts.append(a)
        ends.append(b)
        owners.append(individual)
    if not starts:
        empty = np.empty((0, 2), np.float32)
        return empty, empty, []
    return np.asarray(starts, np.float32), np.asarray(ends, np.float32), owners


class SkeletonView:
    """The Vectors layer drawing one pose set's skeleton edges.

    Parameters
    ----------
    pose : PoseSet
        The pose set (its ``skeleton`` is not empty).
    """

    def __init__(self, pose: PoseSet) -> None:
        self.pose = pose
        self.layer = Vectors(
            np.empty((0, 2, 2), np.float32),
            name=f"{pose.name} skeleton",
            edge_width=EDGE_WIDTH,
            vector_style="line",
            metadata={WTB_SKELETON: pose.name},
        )
        self._owners: list[str] = []
        self._rgba: dict[str, np.ndarray] = {}

    def draw(self, point_at: Callable[[str], np.ndarray | None]) -> None:
        """Show the edges whose two ends have a point (``point_at(key)``) on the frame."""
        layer = self.layer
        if not layer.visible:
            return
        starts, ends, owners = skeleton_segments(self.pose, point_at)
        with quiet_update(layer):
            layer.data = segments_to_layer_vectors(starts, ends)
        if owners and owners != self._owners:  # same edges as before: napari kept the colours
            # after the refresh: napari's view of the vectors matches the new data
            layer.edge_color = np.array([self._color(who) for who in owners])
        self._owners = owners

    def _color(self, individual: str) -> np.ndarray:
        color = self._rgba.get(individual)
        if color is None:
            from napari.utils.colormaps.standardize_color import transform_color

            color = self._rgba[individual] = transform_color(skeleton_color(self.pose, individual))[
                0
            ]
        return color
