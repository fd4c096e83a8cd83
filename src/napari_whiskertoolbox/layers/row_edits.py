"""Write-back of edits for layers whose rows are objects with entity ids (Points, Shapes).

Row ``i`` of the layer is the object with entity id ``row_ids[i]``. Every way napari
changes the rows reaches :meth:`RowBinding.write_back`, once per user action:

- napari's ``data`` event with a finished action (``added``, ``removed``, ``changed``):
  adding with the mouse or ``layer.add``, dragging (napari announces a drag once, when it
  ends), deleting with the key or ``remove_selected``, vertex tools, ``layer.data = …``;
- rows napari adds without any ``data`` event (paste with Ctrl+V): noticed on the layer's
  ``set_data`` event (each refresh) and before the frame changes, by the row count alone —
  O(1), so a frame step costs nothing more;
- rows changed in place and then shown with ``layer.refresh()`` (``layer.data[0] = …``
  from the console): the refresh's ``set_data`` event compares the rows with those drawn
  (not done for the binding's own refresh after a frame swap);
- a shape still being drawn when the frame changes is finished first (napari finishes it
  when its mode changes), and rows being dragged are stored as dragged so far.

The rows that survive keep their ids, new rows get new ids, and the whole frame is written
back as one undo step. An edit the DataManager refuses (a value too large for float32, rows
that are not numbers: whatever ``set_frame`` or the conversion rejects) is blocked: one
warning names the layer, the frame and the reason, the layer shows the stored frame again,
and nothing is stored (no undo step). An edit napari announced and then left unfinished
(its own code raised half-way through ``layer.data = …``) is looked at on the next turn of
the event loop, once no mouse button is down and no shape is being drawn. Rows the edit did not touch are written back as the stored objects
themselves (not re-read from napari), and objects the layer cannot show stay in the frame
untouched (:mod:`~napari_whiskertoolbox.layers.frame_merge`).
"""

from __future__ import annotations

from abc import abstractmethod
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

import numpy as np
from qtpy.QtCore import QTimer

from napari_whiskertoolbox.layers._napari_compat import skip_empty_draws
from napari_whiskertoolbox.layers.binding import Binding, BindingHost
from napari_whiskertoolbox.layers.converters import reconcile_row_ids
from napari_whiskertoolbox.layers.frame_merge import deleted_rows, merge_hidden

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from napari.layers import Layer

__all__ = ["EDIT_ACTIONS", "STARTED_ACTIONS", "STARTED_ADDING", "RowBinding", "refuse_layer_edit"]

EDIT_ACTIONS = ("added", "removed", "changed")
"""Values of napari's ``events.data.action`` that finish an edit of the layer's rows."""
STARTED_ADDING = "adding"
"""napari's action while a shape is being drawn with the mouse (until it is finished)."""
STARTED_ACTIONS = (STARTED_ADDING, "removing", "changing")
"""Values announcing an edit under way."""


def refuse_layer_edit(
    name: str,
    frame: int | None,
    reason: str,
    layer: Layer | None,
    show_stored: Callable[[], None],
    notify: Callable[[str], None],
    refreshing: Callable[[], AbstractContextManager[Any]] = nullcontext,
) -> None:
    """Block an edit of a layer the DataManager refused: tell why, show the stored frame again.

    The one rule of every layer's refused edit: one warning naming the layer (or key), the
    frame and the reason; nothing stored (the caller stores nothing, so no undo step); the
    layer's content replaced at once by what the DataManager holds, so the next frame step,
    save or script sees the layer and the DataManager agree.

    Parameters
    ----------
    name : str
        The key or layer the edit was made in (first in the message).
    frame : int or None
        The frame shown (None: no frame is shown, only the warning is given).
    reason : str
        Why the edit was refused (the converter's or the DataManager's message).
    layer : napari.layers.Layer or None
        The layer edited (refreshed whole after ``show_stored``: napari's extent and the
        viewer's ranges may hold the refused values).
    show_stored : callable
        ``() -> None``: put the frame's stored content back into the layer.
    notify : callable
        ``message -> None``: shows the warning.
    refreshing : callable, optional
        Returns the context the layer's refresh runs in (e.g. marking it as the owner's own).
    """
    notify(
        f"{name}: the edit on frame {frame} was not stored ({reason}); the layer shows the "
        "stored frame again."
    )
    if frame is None or layer is None:
        return
    show_stored()
    with refreshing():
        layer.refresh()


class RowBinding(Binding):
    """A binding whose layer rows are the drawable objects of the shown frame.

    Subclasses convert between the model's objects and the layer's rows and swap the
    layer's content (:meth:`_show_rows`).

    Parameters
    ----------
    session : BindingHost
        The session owning the viewer and the DataManager.
    key : str
        The DataManager key shown by this binding.
    """

    noun = "objects"
    """What the objects are called in messages."""

    def __init__(self, session: BindingHost, key: str) -> None:
        super().__init__(session, key)
        self.row_ids = np.empty(0, dtype=np.uint64)
        """Entity id of each layer row (uint64, one per row)."""
        self._shown_rows: list[np.ndarray] = []  # copies of the rows as last drawn / stored
        self._hidden_ids = np.empty(0, dtype=np.uint64)  # objects of the frame not shown
        self._hidden_positions: list[int] = []
        self._started: str | None = None  # an announced edit napari has not finished yet
        self._mouse_down = False  # between a press on the layer and its release
        self._redraw_timer = QTimer()
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(0)
        self._redraw_timer.timeout.connect(self._show_stored)
        self._unfinished_timer = QTimer()
        self._unfinished_timer.setSingleShot(True)
        self._unfinished_timer.setInterval(0)
        self._unfinished_timer.timeout.connect(self._check_unfinished)

    # ------------------------------------------------------------------ subclass hooks
    @abstractmethod
    def _drawable(self, objects: Any) -> np.ndarray:
        """Return one bool per object of a frame: whether the layer can show it."""

    @abstractmethod
    def _to_rows(self, objects: Any, keep: np.ndarray) -> list[np.ndarray]:
        """Return the layer rows (layer coordinates) of the kept objects."""

    @abstractmethod
    def _show_rows(self, rows: list[np.ndarray]) -> None:
        """Replace the layer's content with ``rows`` (events blocked, one refresh)."""

    @abstractmethod
    def _layer_rows(self, layer: Layer) -> list[np.ndarray]:
        """Return the layer's rows, in layer coordinates."""

    @abstractmethod
    def _layer_row_count(self) -> int:
        """Return the number of rows in the layer (O(1): checked on every refresh)."""

    @abstractmethod
    def _rows_to_objects(self, layer: Layer, rows: list[np.ndarray]) -> list[Any]:
        """Return the model object of each row (``None`` for a row the key cannot hold)."""

    @abstractmethod
    def _pack(self, objects: list[Any]) -> Any:
        """Return ``objects`` in the form the data's ``set_frame`` takes."""

    def _finish_drawing(self, layer: Layer) -> None:
        """Make napari finish an object still being drawn (default: nothing to finish)."""

    def _may_be_drawing(self, layer: Layer) -> bool:
        """Whether an announced ``adding`` may still be a drawing under way (default: no)."""
        return False

    def _refused_rows_message(self, n_rows: int) -> str:
        return f"{n_rows} {self.noun} cannot be stored in this key and were removed"

    def attach(self, layer: Layer | None = None) -> Layer:
        """Create (or adopt) the layer; its parts that show nothing are not drawn.

        A layer without text, selection or (on this frame) objects draws placeholders
        (``_napari_compat.skip_empty_draws``).
        """
        layer = super().attach(layer)
        skip_empty_draws(self.session.viewer, layer)
        return layer

    # ------------------------------------------------------------------ frames
    def _render(self, index: int) -> None:
        data = self.data
        objects = data.at(index)
        ids = np.asarray(data.ids_at(index), dtype=np.uint64)
        keep = self._drawable(objects)
        rows = self._to_rows(objects, keep)
        if not keep.all():
            undrawn = [obj for obj, k in zip(objects, keep.tolist()) if not k]
            self.tell_undrawn_once(self._undrawn_message(index, undrawn))
        swap = bool(rows) or bool(self._shown_rows) or self._layer_row_count() != 0
        self.row_ids = ids[keep]
        self._shown_rows = [np.array(row, copy=True) for row in rows]
        self._hidden_ids = ids[~keep]
        self._hidden_positions = np.flatnonzero(~keep).tolist()
        if swap:
            self._show_rows(rows)

    def _undrawn_message(self, index: int, undrawn: list[Any]) -> str:
        """Say which objects of frame ``index`` the layer leaves out, and why."""
        return f"{len(undrawn)} {self.noun} on frame {index} cannot be drawn"

    # ------------------------------------------------------------------ edits
    def _connect_layer(self, layer: Layer) -> None:
        layer.events.data.connect(self._on_layer_data)
        layer.events.set_data.connect(self._on_set_data)
        layer.mouse_drag_callbacks.append(self._track_mouse)

    def _disconnect_layer(self, layer: Layer) -> None:
        layer.events.data.disconnect(self._on_layer_data)
        layer.events.set_data.disconnect(self._on_set_data)
        if self._track_mouse in layer.mouse_drag_callbacks:
            layer.mouse_drag_callbacks.remove(self._track_mouse)
        self._mouse_down = False

    def _track_mouse(self, layer: Layer, event: Any) -> Iterator[None]:
        """Note whether the mouse button is down on the layer (a drag may be under way)."""
        self._mouse_down = True
        yield
        while event.type == "mouse_move":
            yield
        self._mouse_down = False

    def _on_layer_data(self, event: Any) -> None:
        action = str(getattr(event, "action", "changed"))
        if action in STARTED_ACTIONS:
            self._started = action
            self._unfinished_timer.start()
            return
        if action not in EDIT_ACTIONS or self.layer is None:
            return
        self._started = None
        indices = tuple(i for i in (getattr(event, "data_indices", ()) or ()) if i is not None)
        self.write_back(action, indices)

    def _on_set_data(self, event: Any = None) -> None:
        if not self._own_refresh:
            self._catch_unannounced_rows(compare_rows=True)

    def _check_unfinished(self) -> None:
        """Write back (or refuse) an edit napari announced but never finished.

        napari announces ``layer.data = …`` before storing it and finishes it after its own
        refresh; when its refresh raises (values it cannot draw), the finish never comes
        and the layer holds rows the DataManager never saw. A drag (mouse down) or a shape
        being drawn is still under way and is left alone.
        """
        layer = self.layer
        if layer is None or not self._started or self._mouse_down:
            return
        if self._started == STARTED_ADDING and self._may_be_drawing(layer):
            return
        self._started = None
        self._catch_unannounced_rows(compare_rows=True)

    def _catch_unannounced_rows(self, compare_rows: bool = False) -> None:
        """Write back rows napari added without a ``data`` event (paste).

        ``compare_rows``: also rows changed in place (same count) and refreshed.
        """
        layer = self.layer
        if layer is None or self._started or self._pushing or self.shown_index is None:
            return
        if self._redraw_timer.isActive():
            return  # rows just refused are still in the layer until the stored frame is redrawn
        if self._layer_row_count() != len(self.row_ids):
            self.write_back("added", ())
        elif compare_rows and not self._mouse_down and self._rows_moved(layer):
            self.write_back("changed", ())

    def flush_pending_edit(self) -> None:
        """Before the frame changes: finish a shape being drawn, catch unannounced rows."""
        layer = self.layer
        if layer is None or self.shown_index is None:
            return
        if self._started == STARTED_ADDING:
            self._finish_drawing(layer)
        elif self._mouse_down and self._rows_moved(layer):
            # a drag under way (napari announces it when the mouse is released, a vertex
            # drag not even when it starts): what was dragged so far belongs to this frame
            self._started = None
            self.write_back("changed")
        # Anything still announced belongs to an action napari left unfinished (its own
        # code may have raised half-way): compare the rows too.
        unfinished = self._started is not None
        self._started = None
        self._catch_unannounced_rows(compare_rows=unfinished)

    def _rows_moved(self, layer: Layer) -> bool:
        """Whether the layer's rows differ from those last drawn or stored (same count)."""
        rows = self._layer_rows(layer)
        return len(rows) == len(self._shown_rows) and not all(
            np.array_equal(row, shown) for row, shown in zip(rows, self._shown_rows)
        )

    def write_back(self, action: str, indices: tuple[int, ...] = ()) -> None:
        """Store the layer's rows as the shown frame (one undo step).

        Parameters
        ----------
        action : str
            napari's finished action (``"added"``, ``"removed"``, ``"changed"``).
        indices : tuple of int
            The rows napari's event names.
        """
        layer = self.layer
        if layer is None or self.shown_index is None:
            return
        rows = self._layer_rows(layer)
        if action == "changed" and len(rows) < len(self.row_ids):
            removed = deleted_rows(self._shown_rows, rows)
            if removed is not None:  # a shape deleted by a tool that announces a change
                action, indices = "removed", tuple(removed)
        try:
            refused = self._store_rows(layer, rows, action, indices)
        except (ValueError, TypeError, OverflowError) as exc:
            self.refuse_edit(str(exc))
            return
        if refused or self._rows_changed_form(layer):
            # napari is still inside its own edit (e.g. finishing a drawn shape): redraw the
            # stored objects once it is done.
            self._redraw_timer.start()

    def _store_rows(
        self, layer: Layer, rows: list[np.ndarray], action: str, indices: tuple[int, ...]
    ) -> bool:
        """Store ``rows`` as the shown frame; return whether rows the key cannot hold were dropped.

        Raises
        ------
        ValueError, TypeError, OverflowError
            If the rows cannot be converted or the DataManager refuses them (nothing stored).
        """
        ids = reconcile_row_ids(self.row_ids, len(rows), action, indices)
        objects = self._rows_to_objects(layer, rows)
        self._keep_untouched_objects(objects, ids, rows)
        refused = [i for i, obj in enumerate(objects) if obj is None]
        if refused:
            keep = np.ones(len(objects), dtype=bool)
            keep[refused] = False
            objects = [obj for obj in objects if obj is not None]
            ids = ids[keep]
        hidden, hidden_ids, hidden_positions = self._hidden_objects()
        merged, merged_ids, is_row = merge_hidden(
            objects, ids, hidden, hidden_ids, hidden_positions
        )
        stored = self.push_frame(self._pack(merged), merged_ids)
        if refused:
            self.tell_refused(len(refused))
        self.row_ids = stored[is_row]
        self._hidden_ids = stored[~is_row]
        self._hidden_positions = np.flatnonzero(~is_row).tolist()
        self._shown_rows = [np.array(row, copy=True) for row in rows]
        return bool(refused)

    def refuse_edit(self, reason: str) -> None:
        """Block an edit the DataManager refused: tell why, show the stored frame again.

        Nothing is stored (no undo step). The layer's rows are replaced by the shown
        frame's stored objects at once, so the next frame step, save or script sees the
        layer and the DataManager agree.

        Parameters
        ----------
        reason : str
            Why the edit was refused (the converter's or the DataManager's message).
        """
        from napari.utils.notifications import show_warning

        index = self.shown_index
        self._started = None
        self._unfinished_timer.stop()
        refuse_layer_edit(
            self.key,
            index,
            reason,
            self.layer,
            lambda: self._render(index) if index is not None else None,
            show_warning,
            self._own_refreshing,
        )

    @contextmanager
    def _own_refreshing(self) -> Iterator[None]:
        """Mark the layer's refreshes inside the block as the binding's own (no write-back)."""
        self._own_refresh = True
        try:
            yield
        finally:
            self._own_refresh = False

    def _show_stored(self) -> None:
        """Show the shown frame's stored objects again (rows just refused go away).

        Not :meth:`redraw`: its flush would take the refused rows, still in the layer, for
        rows pasted without an event and refuse (and tell) them a second time.
        """
        if self.layer is not None and self.shown_index is not None:
            self._render(self.shown_index)

    def tell_refused(self, count: int) -> None:
        """Tell the user that rows the key cannot hold were dropped."""
        from napari.utils.notifications import show_warning

        show_warning(
            f"{self.key}: on frame {self.shown_index}, {self._refused_rows_message(count)}."
        )

    def _rows_changed_form(self, layer: Layer) -> bool:
        """Whether stored objects look different from the layer's rows (redraw them)."""
        return False

    def _stored_objects(self) -> dict[int, Any]:
        """Entity id → stored object of the shown frame."""
        data = self.data
        index = self.shown_index
        return dict(zip(np.asarray(data.ids_at(index)).tolist(), data.at(index)))

    def _keep_untouched_objects(self, objects: list[Any], ids: np.ndarray, rows: list) -> None:
        """Replace rows equal to what was drawn for their id with the stored object itself."""
        if not len(self.row_ids):
            return
        drawn = dict(zip(self.row_ids.tolist(), self._shown_rows))
        stored = self._stored_objects()
        for k, (entity_id, row) in enumerate(zip(ids.tolist(), rows)):
            before = drawn.get(entity_id)
            if before is not None and entity_id in stored and np.array_equal(before, row):
                objects[k] = stored[entity_id]

    def _hidden_objects(self) -> tuple[list[Any], np.ndarray, list[int]]:
        """Return the stored objects the layer does not show, their ids and frame positions."""
        if not self._hidden_ids.size:
            return [], self._hidden_ids, []
        stored = self._stored_objects()
        kept = [
            (stored[i], i, p)
            for i, p in zip(self._hidden_ids.tolist(), self._hidden_positions)
            if i in stored
        ]
        objects = [obj for obj, _, _ in kept]
        ids = np.asarray([i for _, i, _ in kept], dtype=np.uint64)
        return objects, ids, [p for _, _, p in kept]
