"""Where a key's layer stood when it went: a key shown again goes back between the same layers.

Undoing a key's deletion (Data browser Delete, then Ctrl+Z) put its layer back on top of the
layers of its kind, not where it had been: a mask layer below two masks added earlier came
back above them. The layer's neighbours are remembered, not its index, which other layers
added or removed meanwhile would make wrong.
"""

from __future__ import annotations

import weakref
from typing import Any

from napari_whiskertoolbox.layers.binding import WTB_KEY

__all__ = ["LayerPlaces"]


class _Neighbour:
    """A layer next to the removed one: by its key (its layer is re-made on undo) or itself."""

    def __init__(self, layer: Any) -> None:
        self.key = layer.metadata.get(WTB_KEY)
        self._layer = weakref.ref(layer)

    def find(self, layers: Any) -> Any:
        """Return the neighbour's layer in ``layers`` now, or None when it is gone."""
        for layer in layers:
            if layer is self._layer() or (
                self.key is not None and layer.metadata.get(WTB_KEY) == self.key
            ):
                return layer
        return None


class LayerPlaces:
    """The layers just below and above each key's layer when it was removed."""

    def __init__(self) -> None:
        self._places: dict[str, tuple[str, _Neighbour | None, _Neighbour | None]] = {}

    def remember(self, key: str, kind: str, layer: Any, layers: Any) -> None:
        """Note the neighbours of ``key``'s ``layer`` (``kind``: its binding's) in ``layers``."""
        if layer not in layers:
            return
        index = layers.index(layer)
        below = _Neighbour(layers[index - 1]) if index > 0 else None
        above = _Neighbour(layers[index + 1]) if index + 1 < len(layers) else None
        self._places[key] = (kind, below, above)

    def rename(self, old: str, new: str) -> None:
        """Follow a key renamed while its layer is away."""
        if old in self._places:
            self._places[new] = self._places.pop(old)

    def restore(self, key: str, kind: str, layer: Any, layers: Any) -> bool:
        """Move ``key``'s ``layer`` back above the layer below it, else below the one above.

        Returns False (nothing moved) when neither is there now, or when ``key`` now holds
        another kind of layer than it did (a new key given a deleted key's name): its
        layer keeps the place of its kind.
        """
        was, below, above = self._places.pop(key, ("", None, None))
        if was != kind:
            return False
        others = [other for other in layers if other is not layer]
        target = None
        if below is not None and (found := below.find(others)) is not None:
            target = others.index(found) + 1
        elif above is not None and (found := above.find(others)) is not None:
            target = others.index(found)
        if target is None:
            return False
        index = layers.index(layer)
        if index != target:
            # napari's move puts the layer before ``dest``, counted with the layer in place
            layers.move(index, target if target < index else target + 1)
        return True
