"""The layers of the session's pose sets: one keypoints Points layer and one skeleton each.

The keys of a pose set (:mod:`napari_whiskertoolbox.io.pose`) get no layer of their own
(the session asks :func:`is_pose_key`); :class:`PoseLayers` shows each set as a
:class:`~.pose_points.PosePointsView` (editable) and, when it has a skeleton, a
:class:`~.skeleton.SkeletonView`. A frame step costs one ``at()`` look-up per key of the set
and two layer updates per set: O(objects on the frame), whatever the session's length.
The keypoints a likelihood threshold hides on the frame go into the status bar
(:mod:`.hidden_status`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from napari.utils.notifications import show_warning

from napari_whiskertoolbox.io.pose import pose_of_key, pose_sets
from napari_whiskertoolbox.layers._napari_compat import outline_text
from napari_whiskertoolbox.layers.hidden_status import HiddenStatus
from napari_whiskertoolbox.layers.main_thread import connect_main
from napari_whiskertoolbox.layers.pose_layer_name import keep_pose_name
from napari_whiskertoolbox.layers.pose_points import LabelRoom, PosePointsView, frame_point
from napari_whiskertoolbox.layers.skeleton import SkeletonView

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari.layers import Layer

    from napari_whiskertoolbox.core import DataManager

__all__ = ["PoseLayers", "is_pose_key"]


def is_pose_key(dm: DataManager, key: str) -> bool:
    """Return whether ``key`` is shown by its pose set's layers rather than a layer of its own."""
    return dm.data_type(key) == "points" and pose_of_key(dm, key) is not None


class PoseLayers:
    """Keep the keypoints and skeleton layers of every pose set in step with the frame.

    Parameters
    ----------
    session : ViewerSession-like
        Has ``viewer``, ``dm``, ``current_frame``, ``loading``, ``from_display(key, frame)``
        and the ``frame_changed`` signal.
    on_layers_changed : callable, optional
        Called after :meth:`sync` added or dropped layers (the session keeps its frame axis).
    """

    def __init__(self, session: Any, on_layers_changed: Callable[[], None] | None = None) -> None:
        self.session = session
        self._on_layers_changed = on_layers_changed
        self.points: dict[str, PosePointsView] = {}
        self.skeletons: dict[str, SkeletonView] = {}
        self._dismissed: set[tuple[str, str]] = set()  # layers the user removed stay removed
        self._background: tuple[int, float] | None = None  # (id of the media, its luminance)
        self._status = HiddenStatus(lambda: self.session.viewer)
        dm = session.dm
        self._slots = [
            (session.frame_changed, self._on_frame),
            (dm.data_changed, connect_main(dm.data_changed, self._on_data_changed)),
            (dm.data_removed, connect_main(dm.data_removed, self._on_keys_changed)),
            (dm.data_added, connect_main(dm.data_added, self._on_keys_changed)),
            # the pose set holds the body part under the new key (io.pose.rename_pose_key)
            (dm.data_renamed, connect_main(dm.data_renamed, self._on_keys_changed)),
            # apply_pose fills the groups after the keys: a new pose set announces itself
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
        """Add layers for new pose sets, drop those of sets gone, then draw the frame."""
        viewer = self.session.viewer
        if viewer is None:
            return
        wanted = pose_sets(self.session.dm)
        bindings = getattr(self.session, "bindings", {})
        for pose in wanted.values():
            for key in pose.all_keys():
                if key in bindings:  # bound before its pose set was recorded
                    self.session.hide_key(key)
        for name in list(self.points):
            if name not in wanted:
                self._drop(name)
        for name, pose in wanted.items():
            view = self.points.get(name)
            if view is not None:
                view.pose = pose
            elif (name, "points") not in self._dismissed:
                view = PosePointsView(
                    pose, self.session.dm, self.session.from_display, show_warning
                )
                self.points[name] = view
                view.hidden_changed.connect(self._show_hidden)
                keep_pose_name(view.layer, lambda view=view: view.pose.name)
                viewer.add_layer(view.layer)
                outline_text(viewer, view.layer)  # labels readable on bright and dark frames
            skeleton = self.skeletons.get(name)
            if skeleton is not None:
                skeleton.pose = pose
            elif pose.skeleton and (name, "skeleton") not in self._dismissed:
                skeleton = SkeletonView(pose)
                self.skeletons[name] = skeleton
                self._insert_below(viewer, skeleton.layer, self.points.get(name))
        self._fit_labels_to_media()
        if self._on_layers_changed is not None:
            self._on_layers_changed()
        self.redraw()

    def label_room(self) -> list[LabelRoom]:
        """Where the shown keypoints and their labels reach (see :meth:`PosePointsView.label_room`)."""
        viewer = self.session.viewer
        return [
            room
            for view in self.points.values()
            if viewer is not None and view.layer in viewer.layers
            for room in view.label_room()
        ]

    def restore(self, name: str) -> None:
        """Bring back the keypoints (and skeleton) layers of pose set ``name`` the user removed."""
        self._dismissed -= {(name, "points"), (name, "skeleton")}
        self.sync()

    @staticmethod
    def _insert_below(viewer: Any, layer: Layer, above: PosePointsView | None) -> None:
        """Add ``layer`` under the keypoints layer, leaving the selection alone."""
        index = len(viewer.layers)
        if above is not None and above.layer in viewer.layers:
            index = viewer.layers.index(above.layer)
        active = viewer.layers.selection.active
        selected = set(viewer.layers.selection)
        viewer.layers.insert(index, layer)
        viewer.layers.selection.clear()
        viewer.layers.selection.update(selected)
        viewer.layers.selection.active = active

    def close(self) -> None:
        """Disconnect and remove the layers."""
        for signal, slot in self._slots:
            signal.disconnect(slot)
        self._slots = []
        for name in list(self.points):
            self._drop(name)
        for name in list(self.skeletons):
            self._drop(name)

    def _drop(self, name: str) -> None:
        viewer = self.session.viewer
        view = self.points.pop(name, None)
        skeleton = self.skeletons.pop(name, None)
        if view is not None:
            view.close()
        for layer in (view and view.layer, skeleton and skeleton.layer):
            if layer is not None and viewer is not None and layer in viewer.layers:
                viewer.layers.remove(layer)

    def _on_layer_removed(self, event: Any) -> None:
        layer = getattr(event, "value", None)
        for name, view in list(self.points.items()):
            if view.layer is layer:
                view.close()
                del self.points[name]
                self._dismissed.add((name, "points"))
        for name, skeleton in list(self.skeletons.items()):
            if skeleton.layer is layer:
                del self.skeletons[name]
                self._dismissed.add((name, "skeleton"))

    # ---------------------------------------------------------------- drawing
    def redraw(self) -> None:
        """Draw the current frame again."""
        self._on_frame(self.session.current_frame)

    def _fit_labels_to_media(self) -> None:
        """Colour the labels light or dark for the media's brightness (measured once)."""
        if not self.points:
            return
        from napari_whiskertoolbox.core.kinds import MEDIA_KINDS
        from napari_whiskertoolbox.layers.label_contrast import media_luminance

        dm = self.session.dm
        media = next((dm.get_data(k) for k in dm if dm.data_type(k) in MEDIA_KINDS), None)
        if media is None:
            return
        if self._background is None or self._background[0] != id(media):
            try:
                luminance = media_luminance(media)
            except (OSError, ValueError) as error:  # an undecodable frame: labels as they are
                show_warning(f"keypoint labels keep their colours: {error}")
                self._background = (id(media), -1.0)
                return
            self._background = (id(media), luminance)
        if self._background[1] >= 0:
            for view in self.points.values():
                view.set_background(self._background[1])

    def _on_frame(self, frame: int) -> None:
        frame = int(frame)
        for view in self.points.values():
            view.draw(frame)
        self._draw_skeletons(frame)
        self._show_hidden()

    def _show_hidden(self) -> None:
        """Say in the status bar which keypoints the threshold hides on the frame shown."""
        self._status.show(view.hidden_message() for view in self.points.values())

    def _draw_skeletons(self, frame: int) -> None:
        dm, index_of = self.session.dm, self.session.from_display
        for skeleton in self.skeletons.values():
            skeleton.draw(lambda key: frame_point(dm, index_of, key, frame))

    def _on_data_changed(self, key: str, frames: Any) -> None:
        if any(view.pushing for view in self.points.values()):
            frame = self.session.current_frame
            self._draw_skeletons(frame)  # the points layer already shows it
            for view in self.points.values():
                view.count_hidden(frame, view.row_keys)
            self._show_hidden()
            return
        if any(key in view.pose.all_keys() for view in self.points.values()) or any(
            key in s.pose.all_keys() for s in self.skeletons.values()
        ):
            self.redraw()

    def _on_keys_changed(self, name: str, *_: str) -> None:
        if not getattr(self.session, "loading", False):
            self.sync()
