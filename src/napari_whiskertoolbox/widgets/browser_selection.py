"""Entity ids of the objects selected in a synced napari layer (public napari API only)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["selected_entity_ids"]


def selected_entity_ids(session: Any, layer: Any) -> np.ndarray:
    """uint64 entity ids of the selected points / shapes / label of a synced layer.

    The layer's binding is asked first (``binding.selected_entity_ids()``); otherwise
    Points / Shapes rows are read from ``layer.features["entity_id"]`` and a Labels
    layer's selected label ``k`` maps to entry ``k - 1`` of the current frame.

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
    binding = session.bindings.get(key) if hasattr(session, "bindings") else None
    if binding is not None and callable(getattr(binding, "selected_entity_ids", None)):
        return np.asarray(binding.selected_entity_ids(), dtype=np.uint64)
    if hasattr(layer, "selected_data"):
        rows = sorted(layer.selected_data)
        features = layer.features
        if "entity_id" not in features or not rows:
            return np.empty(0, np.uint64)
        return np.asarray(features["entity_id"].to_numpy()[rows], dtype=np.uint64)
    if hasattr(layer, "selected_label"):
        container = session.dm.get_data(key)
        frame = session.from_display(key, session.current_frame)
        ids = np.asarray(container.ids_at(frame), dtype=np.uint64)
        label = int(layer.selected_label)
        return ids[label - 1 : label] if 1 <= label <= len(ids) else np.empty(0, np.uint64)
    return np.empty(0, np.uint64)
