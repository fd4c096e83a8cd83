"""Base class of the bindings that keep one napari layer in sync with one DataManager key.

A binding owns its layer. It shows the objects of *one* frame of its key (the frame the
viewer's display frame maps to on the key's clock) and swaps them in O(objects on that
frame) when the frame changes. Edits made in the layer are written back to that frame with
``set_frame`` (one undo step, entity ids kept); DataManager changes touching the shown
frame are redrawn.

Layer content swaps go through :meth:`Binding.quiet_swap`: the layer's own ``data``,
``set_data``, ``highlight`` and ``features`` events are blocked while the frame content is
replaced (napari's own intermediate refreshes too, see ``_napari_compat.block_refresh``)
and one refresh is issued at the end. That is both what keeps our own edit
handlers from mistaking a swap for a user edit and what makes a frame step cheap (napari
otherwise recomputes the viewer's dims ranges and redraws the layer several times per
``layer.data =``).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np
from napari.utils.notifications import show_info
from qtpy.QtCore import QTimer

from napari_whiskertoolbox.core.key_names import validate_key_name
from napari_whiskertoolbox.core.key_references import COLORS
from napari_whiskertoolbox.core.kinds import RAGGED_KINDS
from napari_whiskertoolbox.layers._napari_compat import (
    block_refresh,
    skip_repeated_update_draw,
    skip_unchanged_transforms,
)
from napari_whiskertoolbox.layers.frame_axis import SPATIAL_AXIS_LABELS
from napari_whiskertoolbox.layers.history_keys import FrameHost

if TYPE_CHECKING:
    from collections.abc import Iterator

    import napari
    from napari.layers import Layer

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.core.kinds import DataKind

__all__ = ["KEY_COLORS", "WTB_KEY", "Binding", "BindingHost", "key_color"]

WTB_KEY = "wtb_key"
"""``layer.metadata`` entry naming the DataManager key a layer is bound to."""

KEY_COLORS = (
    "#ffd700",  # gold
    "#00e5ff",  # cyan
    "#ffa0e0",  # pink
    "#76ff03",  # lime
    "#ffa860",  # orange
    "#d0bfff",  # lavender
    "#80ffb0",  # mint
    "#8cc0ff",  # sky
)
"""Default colours of points, lines and masks keys (by key, cycled).

Light enough to stand out on a mid-grey frame (2:1 or more against 50 % grey; the sample's
face, where the whiskers and points sit, is about that grey) and on a dark one (8:1 or
more), hues 20° or more apart. The pink and lavender they replace (``#ff4081``,
``#b388ff``) had 1.2:1 and 1.5:1 on mid grey. Points also get a black border.
"""


_COLOURED_KINDS = RAGGED_KINDS
"""Kinds whose layers are drawn in their key's colour (:func:`key_color`)."""


def _pick(key: str, taken: set[str]) -> str:
    """Return the palette colour ``key``'s name picks, else the next one not ``taken``."""
    start = sum(key.encode()) % len(KEY_COLORS)
    for step in range(len(KEY_COLORS)):
        colour = KEY_COLORS[(start + step) % len(KEY_COLORS)]
        if colour not in taken:
            return colour
    return KEY_COLORS[start]  # every colour taken: the name's own


def key_color(dm: DataManager, key: str) -> str:
    """Display colour of ``key``: ``dm.metadata["colors"][key]`` if set, else a stable pick.

    The pick is the palette colour the key's name gives, moved on to the next colour no
    earlier points, line or mask key (in :meth:`DataManager.keys` order) has: keys made one after
    another get distinct colours, and a key's colour does not depend on keys made after it.
    """
    colors = dm.metadata.get(COLORS, {}) if isinstance(dm.metadata, dict) else {}
    colors = colors if isinstance(colors, dict) else {}
    if isinstance(colors.get(key), str):
        return str(colors[key])
    taken: set[str] = set()
    for other in dm:
        if other == key:
            break
        if dm.data_type(other) in _COLOURED_KINDS:
            explicit = colors.get(other)
            taken.add(explicit if isinstance(explicit, str) else _pick(other, taken))
    return _pick(key, taken)


_NAPARI_COPY_NAME = re.compile(r"(.+) \[\d+\]")
"""The name napari gives a layer renamed to another layer's name ("pad" → "pad [1]")."""


class BindingHost(FrameHost, Protocol):
    """What a binding needs from the session that owns it (the session pushes frames).

    The DataManager and the frames of :class:`~.history_keys.FrameHost` (an undo on the
    layer moves the viewer to the undone edit's frame), and the members below.
    """

    @property
    def viewer(self) -> napari.Viewer | None:
        """The viewer showing the layer (``None`` once it is gone)."""

    @property
    def display_clock(self) -> str:
        """Name of the clock on the viewer's frame axis."""

    @property
    def playing(self) -> bool:
        """Whether napari's play button is playing the viewer."""

    def media_shape(self) -> tuple[int, int] | None:
        """Return ``(height, width)`` of the session's media, if any."""

    def schedule_thumbnails(self) -> None:
        """Redraw layer thumbnails once frame stepping pauses."""


class Binding(ABC):
    """Keep the napari layer of one DataManager key in sync with it, both ways.

    The session tells the binding which index of the key's clock to show
    (:meth:`show_index`); a binding never converts frames itself.

    Parameters
    ----------
    session : BindingHost
        The session owning the viewer and the DataManager.
    key : str
        The DataManager key shown by this binding.
    """

    kinds: ClassVar[tuple[DataKind, ...]] = ()
    """Data kinds this binding class handles."""
    blocked_modes: ClassVar[dict[str, str]] = {}
    """napari layer modes refused on this binding's layer → why (shown to the user)."""
    skips_unchanged_transforms: ClassVar[bool] = False
    """Whether napari's vispy layer skips re-sending its unchanged transform per data change
    (``_napari_compat.skip_unchanged_transforms``) and the layer skips recomputing its
    unchanged canvas corners on each paint (``_napari_compat.skip_repeated_update_draw``):
    Points, Shapes and Labels layers, whose data changes on every frame step."""

    def __init__(self, session: BindingHost, key: str) -> None:
        self.session = session
        self.key = key
        self.layer: Layer | None = None
        self.shown_index: int | None = None
        """Index (on the key's clock) whose objects the layer shows."""
        self.wanted_index: int | None = None
        """Index (on the key's clock) the session asked for last (shown once visible)."""
        self._pushing = False
        self._own_refresh = False
        """True while the binding refreshes its layer after a frame swap (its ``set_data``
        event is not an edit)."""
        self._stale = False
        self._mode = ""
        self._undrawn_told = False

    # ------------------------------------------------------------------ lifecycle
    @property
    def data(self) -> Any:
        """The bound data object (looked up each time: keys can be replaced)."""
        return self.session.dm.get_data(self.key)

    def attach(self, layer: Layer | None = None) -> Layer:
        """Create the layer (or adopt ``layer``, already in the viewer), connect its edit events."""
        adopted = layer is not None
        if layer is None:
            layer = self._make_layer()
        layer.metadata[WTB_KEY] = self.key
        layer.axis_labels = self._axis_labels()
        self.layer = layer
        if not adopted:
            self.session.viewer.add_layer(layer)
        layer.events.visible.connect(self._on_visible)
        layer.events.name.connect(self._on_layer_name)
        if self.blocked_modes:
            self._mode = str(layer.mode)
            layer.events.mode.connect(self._on_mode)
        if self.skips_unchanged_transforms:
            skip_unchanged_transforms(self.session.viewer, layer)
            skip_repeated_update_draw(layer)
        self._connect_layer(layer)
        return layer

    def detach(self, remove_layer: bool = True) -> None:
        """Disconnect from the layer and (optionally) remove it from the viewer."""
        layer, self.layer = self.layer, None
        if layer is None:
            return
        layer.events.visible.disconnect(self._on_visible)
        layer.events.name.disconnect(self._on_layer_name)
        if self.blocked_modes:
            layer.events.mode.disconnect(self._on_mode)
        self._disconnect_layer(layer)
        viewer = self.session.viewer
        if remove_layer and viewer is not None and layer in viewer.layers:
            viewer.layers.remove(layer)

    def rename(self, new_key: str) -> None:
        """Follow a key rename: the layer takes the new name."""
        self.key = new_key
        if self.layer is not None:
            self.layer.metadata[WTB_KEY] = new_key
            self.layer.name = new_key

    def _on_layer_name(self, event: Any = None) -> None:
        """Rename the key after the layer, renamed in napari (its name in the layer list).

        The layer shows the key, scripts and saves use the key: a layer named apart from its
        key would save, export and script under a name the user no longer sees. The rename is
        one undo step (``dm.rename_data``). A name that cannot be a key (another key's, one
        with spaces, napari's ``name [1]`` for a name another layer has) puts the key's name
        back on the layer and says why.
        """
        layer = self.layer
        if layer is None or layer.name == self.key:
            return
        dm = self.session.dm
        typed = layer.name
        deduplicated = _NAPARI_COPY_NAME.fullmatch(typed)
        if deduplicated is not None and not _NAPARI_COPY_NAME.fullmatch(self.key):
            typed = deduplicated.group(1)  # napari made "pad [1]" of "pad", another layer's name
            if typed == self.key:
                return  # napari's unique form of the key's own name (another layer has it)
        try:
            new = validate_key_name(dm, typed, allow_existing=self.key)
            if new != self.key:
                dm.rename_data(self.key, new)  # the session renames the binding and the layer
        except (ValueError, KeyError) as exc:
            layer.name = self.key
            show_info(f"The layer keeps its key's name {self.key!r}: {exc}")
            return
        if layer.name != self.key and layer.name.strip() == self.key:  # typed with spaces
            layer.name = self.key

    # ------------------------------------------------------------------ time
    def show_index(self, index: int, force: bool = False) -> None:
        """Show the objects of ``index`` of the key's clock.

        A hidden layer is left alone (it costs nothing while scrubbing) and catches up when
        it is shown again.
        """
        self.wanted_index = index
        if self.layer is None:
            return
        if not self.layer.visible and not force:
            self._stale = True
            return
        if index == self.shown_index and not force:
            return
        self.flush_pending_edit()  # an edit still in flight belongs to the old frame
        self.shown_index = index
        self._render(index)

    def redraw(self) -> None:
        """Show the wanted index again (its content changed)."""
        if self.wanted_index is not None:
            self.show_index(self.wanted_index, force=True)

    def on_data_changed(self, frames: np.ndarray | None) -> None:
        """Redraw if the DataManager change touched the shown frame (``None`` = all)."""
        if self._pushing or self.layer is None:
            return
        if frames is None or self.shown_index is None:
            self.redraw()
            return
        touched = np.asarray(frames, dtype=np.int64).ravel()
        if touched.size and np.any(touched == self.shown_index):
            self.redraw()

    def flush_pending_edit(self) -> None:  # noqa: B027 - optional hook
        """Write an edit the layer announced but did not finish yet (default: none)."""

    def _on_mode(self, event: Any = None) -> None:
        """Refuse a blocked mode: tell why and go back to the previous mode (next turn)."""
        layer = self.layer
        if layer is None:
            return
        mode = str(getattr(event, "mode", layer.mode))
        reason = self.blocked_modes.get(mode)
        if reason is None:
            self._mode = mode
            return
        show_info(f"{self.key}: {reason}")
        # After napari's own mode handlers ran: the layer controls then show the mode restored.
        QTimer.singleShot(0, lambda previous=self._mode: self._restore_mode(previous))

    def _restore_mode(self, mode: str) -> None:
        layer = self.layer
        if layer is not None and str(layer.mode) in self.blocked_modes:
            layer.mode = mode or "pan_zoom"

    def tell_undrawn_once(self, what: str) -> None:
        """Tell the user, once per key, that some objects are kept but not drawn.

        Parameters
        ----------
        what : str
            Which objects and why, e.g. ``"2 lines on frame 5 have fewer than two points"``.
        """
        if self._undrawn_told:
            return
        self._undrawn_told = True
        show_info(
            f"{self.key}: {what}. napari cannot draw them; they stay unchanged in the "
            "DataManager and are saved (no further notice for this key)."
        )

    def _on_visible(self, event: Any = None) -> None:
        if self.layer is not None and self.layer.visible and self._stale:
            self._stale = False
            self.redraw()

    # ------------------------------------------------------------------ edits
    def push_frame(self, objects: Any, ids: np.ndarray) -> np.ndarray:
        """Write the layer's objects to the shown frame as one undo step; return the ids."""
        if self.shown_index is None:
            raise RuntimeError(f"{self.key!r}: no frame shown yet, cannot store an edit")
        self._pushing = True
        try:
            return np.asarray(self.data.set_frame(self.shown_index, objects, ids), np.uint64)
        finally:
            self._pushing = False

    # ------------------------------------------------------------------ helpers
    @contextmanager
    def quiet_swap(self, *extra_blockers: AbstractContextManager[Any]) -> Iterator[None]:
        """Block the layer's events while replacing its content, then refresh it once."""
        layer = self.layer
        assert layer is not None
        had_selection = bool(getattr(layer, "selected_data", None))
        with ExitStack() as stack:
            for name in ("data", "set_data", "highlight", "features"):
                emitter = getattr(layer.events, name, None)
                if emitter is not None:
                    stack.enter_context(emitter.blocker())
            for blocker in extra_blockers:
                stack.enter_context(blocker)
            stack.enter_context(block_refresh(layer))
            yield
        # Thumbnail and extent wait until stepping pauses; the highlight only matters if a
        # selection was just cleared (hover highlights follow the next mouse move).
        self._own_refresh = True
        try:
            with self.layer_list_quiet():
                layer.refresh(thumbnail=False, extent=False, highlight=had_selection)
        finally:
            self._own_refresh = False
        self.session.schedule_thumbnails()

    def layer_list_quiet(self) -> AbstractContextManager[Any]:
        """Keep the viewer's layer list from re-emitting the layer's events inside the block.

        napari's layer list re-emits every event of every layer, and its Qt model answers each
        with a repaint of the layer's row (about 0.2 ms in a frame step). A frame swap changes
        nothing the row shows (name, visibility, thumbnail: the thumbnail follows once
        stepping pauses, through :meth:`BindingHost.schedule_thumbnails`). The layer's event
        group is blocked, not the list: the list is reached through the group (its only
        listener in napari), so it does not even look the layer up to re-emit a blocked
        event. The layer's own events (``set_data``, ``labels_update``) still reach its
        canvas visual, which listens to them one by one.
        """
        layer = self.layer
        return nullcontext() if layer is None else layer.events.blocker()

    def _axis_labels(self) -> tuple[str, ...]:
        """Return the layer's axis labels (2-D annotation layers: y, x)."""
        return SPATIAL_AXIS_LABELS

    @abstractmethod
    def _make_layer(self) -> Layer:
        """Build the (empty) napari layer for this key."""

    @abstractmethod
    def _render(self, index: int) -> None:
        """Put the objects of ``index`` (key clock) into the layer."""

    def _connect_layer(self, layer: Layer) -> None:  # noqa: B027 - optional hook
        """Connect the layer's edit events (default: none)."""

    def _disconnect_layer(self, layer: Layer) -> None:  # noqa: B027 - optional hook
        """Undo :meth:`_connect_layer` (default: none)."""
