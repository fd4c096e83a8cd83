"""Skeleton edges of pose sets, drawn as one napari Vectors layer per pose set.

Each pose set (:mod:`napari_whiskertoolbox.io.pose`) keeps one :class:`PointData` key per
(individual, body part), shown by its own Points binding. The companion layer draws, for
the frame on screen, a segment for each skeleton edge whose two body parts both have a point
on that frame (an edge hides when either end is missing), coloured after its individual.
A frame step costs one ``at()`` look-up per key of the set and one Vectors data swap:
O(objects on the frame), whatever the session's length.

The layer carries ``metadata["wtb_skeleton"] = pose name``; it is read-only (edit the
points, the edges follow).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from napari.layers import Vectors

from napari_whiskertoolbox.io.pose import individual_color, pose_sets
from napari_whiskertoolbox.layers.binding import WTB_KEY
from napari_whiskertoolbox.layers.converters import segments_to_layer_vectors
from napari_whiskertoolbox.layers.main_thread import connect_main

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari_whiskertoolbox.io.pose import PoseSet

__all__ = ["WTB_SKELETON", "SkeletonLayers", "skeleton_segments"]

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


class SkeletonLayers:
    """Keep one Vectors layer per pose set of the session in step with the shown frame.

    Parameters
    ----------
    session : ViewerSession-like
        Has ``viewer``, ``dm``, ``current_frame``, ``from_display(key, frame)`` and the
        ``frame_changed`` signal.
    """

    def __init__(self, session: Any) -> None:
        self.session = session
        self.layers: dict[str, Vectors] = {}
        self._poses: dict[str, PoseSet] = {}
        self._dismissed: set[str] = set()  # pose sets whose layer the user removed
        self._frame: int | None = None
        dm = session.dm
        self._slots = [
            (session.frame_changed, self._on_frame),
            (dm.data_changed, connect_main(dm.data_changed, self._on_data_changed)),
            (dm.data_removed, connect_main(dm.data_removed, self._on_keys_changed)),
            (dm.data_added, connect_main(dm.data_added, self._on_keys_changed)),
            # a pose set is recorded (apply_pose) after its keys: its groups announce it
            (dm.groups.changed, connect_main(dm.groups.changed, self._on_keys_changed)),
        ]
        session.frame_changed.connect(self._on_frame)
        viewer = session.viewer
        if viewer is not None:
            viewer.layers.events.removed.connect(self._on_layer_removed)
            self._slots.append((viewer.layers.events.removed, self._on_layer_removed))
        self.sync()

    # ---------------------------------------------------------------- lifecycle
    def sync(self) -> None:
        """Add a layer for each new pose set with a skeleton, drop those gone; redraw."""
        viewer = self.session.viewer
        if viewer is None:
            return
        wanted = {n: p for n, p in pose_sets(self.session.dm).items() if p.skeleton}
        for name in list(self.layers):
            if name not in wanted:
                self._remove(name)
        for name, pose in wanted.items():
            self._recolour_points(pose)
            if name in self._dismissed:
                continue
            self._poses[name] = pose
            if name not in self.layers:
                layer = Vectors(
                    np.empty((0, 2, 2), np.float32),
                    name=f"{name} skeleton",
                    edge_width=EDGE_WIDTH,
                    vector_style="line",
                    metadata={WTB_SKELETON: name},
                )
                self.layers[name] = layer
                self._insert_below_points(viewer, layer, pose)
        self.redraw()

    @staticmethod
    def _insert_below_points(viewer: Any, layer: Vectors, pose: PoseSet) -> None:
        """Add ``layer`` just under the set's Points layers, leaving the selection alone."""
        keys = set(pose.all_keys())
        below = [i for i, other in enumerate(viewer.layers) if other.metadata.get(WTB_KEY) in keys]
        active = viewer.layers.selection.active
        selected = set(viewer.layers.selection)
        viewer.layers.insert(min(below) if below else len(viewer.layers), layer)
        viewer.layers.selection.clear()
        viewer.layers.selection.update(selected)
        viewer.layers.selection.active = active

    def _recolour_points(self, pose: PoseSet) -> None:
        """Give the Points layers of a multi-animal set their individual's colour."""
        viewer = self.session.viewer
        if viewer is None or not pose.multi_animal:
            return
        by_key = {layer.metadata.get(WTB_KEY): layer for layer in viewer.layers}
        for individual in pose.individuals:
            color = individual_color(pose, individual)
            for key in pose.keys.get(individual, {}).values():
                layer = by_key.get(key)
                if layer is not None and hasattr(layer, "current_face_color"):
                    layer.current_face_color = color
                    if len(layer.data):
                        layer.face_color = color

    def close(self) -> None:
        """Disconnect and remove the layers."""
        for signal, slot in self._slots:
            signal.disconnect(slot)
        self._slots = []
        for name in list(self.layers):
            self._remove(name)

    def _on_layer_removed(self, event: Any) -> None:
        layer = getattr(event, "value", None)
        for name, mine in list(self.layers.items()):
            if mine is layer:
                del self.layers[name]
                self._poses.pop(name, None)
                self._dismissed.add(name)

    def _remove(self, name: str) -> None:
        layer = self.layers.pop(name)
        self._poses.pop(name, None)
        viewer = self.session.viewer
        if viewer is not None and layer in viewer.layers:
            viewer.layers.remove(layer)

    # ---------------------------------------------------------------- drawing
    def redraw(self) -> None:
        """Draw the current frame again."""
        self._frame = None
        self._on_frame(self.session.current_frame)

    def _on_frame(self, frame: int) -> None:
        self._frame = int(frame)
        for name, layer in self.layers.items():
            self._draw(layer, self._poses[name], self._frame)

    def _draw(self, layer: Vectors, pose: PoseSet, frame: int) -> None:
        dm = self.session.dm

        def point_at(key: str) -> np.ndarray | None:
            if key not in dm:
                return None
            points = dm.get_data(key).at(self.session.from_display(key, frame))
            return points[0] if len(points) else None

        starts, ends, owners = skeleton_segments(pose, point_at)
        colors = [individual_color(pose, who) for who in owners]
        if not layer.visible:
            return
        layer.data = segments_to_layer_vectors(starts, ends)
        if colors:
            layer.edge_color = colors

    def _on_data_changed(self, key: str, frames: Any) -> None:
        if any(key in pose.all_keys() for pose in self._poses.values()):
            self.redraw()

    def _on_keys_changed(self, name: str) -> None:
        if not getattr(self.session, "loading", False):
            self.sync()
