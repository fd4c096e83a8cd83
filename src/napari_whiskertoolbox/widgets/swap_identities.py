"""The Swap identities dock: pick a pose set, two individuals and a frame range, swap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from magicgui.widgets import ComboBox, Container, Label, PushButton, SpinBox
from napari.utils.notifications import show_info, show_warning

from napari_whiskertoolbox.io.pose import pose_sets
from napari_whiskertoolbox.layers.main_thread import connect_main
from napari_whiskertoolbox.widgets.docking import tabify_when_docked
from napari_whiskertoolbox.workflow.registry import get_session
from napari_whiskertoolbox.workflow.swap_identities import range_from_interval, swap_identities

if TYPE_CHECKING:
    import napari

__all__ = ["SwapIdentitiesWidget"]

NO_KEY = "(type the range)"


class SwapIdentitiesWidget(Container):
    """Swap two individuals' keypoints over a frame range (one undo step).

    The range is typed in *From*/*To* (display frames, inclusive) or taken from the
    interval of *Range from* that holds the current frame — draw an interval on the
    timeline's editable lane, click it, then press *Use interval*.

    Parameters
    ----------
    napari_viewer : napari.Viewer
        The viewer whose session holds the pose sets.
    """

    def __init__(self, napari_viewer: napari.Viewer) -> None:
        self.session = get_session(napari_viewer)
        self.pose = ComboBox(label="Pose set", choices=self._pose_names)
        self.first = ComboBox(label="Individual", choices=self._individuals)
        self.second = ComboBox(label="with", choices=self._individuals)
        self.start = SpinBox(label="From frame", min=0, max=10**9)
        self.end = SpinBox(label="To frame", min=0, max=10**9)
        self.interval_key = ComboBox(label="Range from", choices=self._interval_keys)
        self.use_interval = PushButton(text="Use interval at current frame")
        self.swap = PushButton(text="Swap identities")
        self.status = Label(value="")
        super().__init__(
            widgets=[
                self.pose, self.first, self.second, self.start, self.end,
                self.interval_key, self.use_interval, self.swap, self.status,
            ]
        )  # fmt: skip
        tabify_when_docked(self.native, viewer=napari_viewer, kind=type(self).__name__)
        self.pose.changed.connect(self._refresh_individuals)
        self.use_interval.changed.connect(self.take_interval)
        self.swap.changed.connect(self.run)
        dm = self.session.dm
        self._slots = [
            (signal, connect_main(signal, self._refresh_choices))
            for signal in (dm.data_added, dm.data_removed, dm.groups.changed)
        ]
        self._refresh_individuals()
        self.native.destroyed.connect(self._disconnect)

    def _disconnect(self, *_: Any) -> None:
        for signal, slot in self._slots:
            signal.disconnect(slot)
        self._slots = []

    def _pose_names(self, _: Any = None) -> list[str]:
        return sorted(
            name for name, pose in pose_sets(self.session.dm).items() if pose.multi_animal
        )

    def _individuals(self, _: Any = None) -> list[str]:
        pose = pose_sets(self.session.dm).get(self.pose.value) if hasattr(self, "pose") else None
        return list(pose.individuals) if pose is not None else []

    def _interval_keys(self, _: Any = None) -> list[str]:
        return [NO_KEY, *self.session.dm.keys("digital_interval")]

    def _refresh_choices(self, *_: Any) -> None:
        self.pose.reset_choices()
        self.interval_key.reset_choices()
        self._refresh_individuals()

    def _refresh_individuals(self, *_: Any) -> None:
        self.first.reset_choices()
        self.second.reset_choices()
        choices = self._individuals()
        if len(choices) > 1 and self.first.value == self.second.value:
            self.second.value = choices[1]

    def take_interval(self, *_: Any) -> bool:
        """Fill the range from the chosen interval key at the current frame; return success."""
        key = self.interval_key.value
        if key in (None, NO_KEY):
            show_warning("Swap identities: choose an interval key under 'Range from'")
            return False
        found = range_from_interval(self.session, key)
        if found is None:
            show_warning(f"Swap identities: no interval of {key!r} holds the current frame")
            return False
        self.start.value, self.end.value = found
        return True

    def run(self, *_: Any) -> list[int]:
        """Swap the chosen individuals over the range; report what moved."""
        try:
            frames = swap_identities(
                self.session,
                self.pose.value,
                self.first.value,
                self.second.value,
                int(self.start.value),
                int(self.end.value),
            )
        except (KeyError, ValueError) as exc:
            show_warning(f"Swap identities: {exc}")
            self.status.value = str(exc)
            return []
        text = f"swapped {self.first.value} and {self.second.value} on {len(frames)} frame(s)"
        self.status.value = text
        show_info(f"Swap identities: {text} (Ctrl+Z undoes it)")
        return frames
