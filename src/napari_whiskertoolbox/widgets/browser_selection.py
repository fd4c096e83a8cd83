"""Entity ids of the objects selected in a synced napari layer (public napari API only)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["selected_entity_ids"]


def selected_entity_ids(session: Any, layer: Any) -> np.ndarray:
    """uint64 entity ids of the selected points / shapes / label of a synced layer.

    Points / Shapes: the selected rows of ``layer.selected_data`` mapped through the
    binding's ``row_ids`` (row ``i`` shows entity ``row_ids[i]``). Labels: the selected
    label ``k`` is entry ``k - 1`` of the current frame.

    Raises
    ------
    ValueError
        When ``layer`` is not synced with a key of the session.
    """
    key = layer.metadata.get("wtb_key") if hasattr(layer, "metadata") else None
    if key is None or key not in session.dm:
        raise ValueError(
            f"layer {getattr(layer, 'name', layer)!r} is not synced with a DataManager key; "
            "select a points, lines or mask layer created by the session"
        )
    binding = session.bindings.get(key)
    if hasattr(layer, "selected_data"):
        row_ids = np.asarray(getattr(binding, "row_ids", ()), dtype=np.uint64)
        rows = [row for row in sorted(layer.selected_data) if row < len(row_ids)]
        return row_ids[rows]
    if hasattr(layer, "selected_label"):
        container = session.dm.get_data(key)
        frame = session.from_display(key, session.current_frame)
        ids = np.asarray(container.ids_at(frame), dtype=np.uint64)
        label = int(layer.selected_label)
        return ids[label - 1 : label] if 1 <= label <= len(ids) else np.empty(0, np.uint64)
    return np.empty(0, np.uint64)
