"""Replace a companion layer's content without napari's per-assignment recomputations.

``layer.data = ...`` makes napari emit the layer's ``data``/``set_data`` events (the viewer
then recomputes its dims ranges) and refresh the layer once per property set. For a layer
whose content changes every frame step, block those and refresh once at the end (the same
recipe as :meth:`napari_whiskertoolbox.layers.binding.Binding.quiet_swap`, for layers that
are not bound to one key).
"""

from __future__ import annotations

from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.layers._napari_compat import block_refresh

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["quiet_update"]


@contextmanager
def quiet_update(layer: Any) -> Iterator[None]:
    """Block ``layer``'s data events and refreshes inside the block; refresh once after it."""
    with ExitStack() as stack:
        for name in ("data", "set_data", "highlight", "features"):
            emitter = getattr(layer.events, name, None)
            if emitter is not None:
                stack.enter_context(emitter.blocker())
        stack.enter_context(block_refresh(layer))
        yield
    layer.refresh(thumbnail=False, extent=False, highlight=False)
