"""Preview a transform of spatial data on the current frame, without touching the DataManager.

The input keys are cut down to the shown frame (``slice_at``), the transform runs on that
slice on the main thread (one frame is cheap), and the result is drawn in a scratch layer
``preview: <transform>`` (points, paths or labels) or, for a measure (angle, length,
area), written out as text. The scratch layer carries no DataManager key, so the session
never adopts it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from napari.layers import Labels, Points, Shapes

from napari_whiskertoolbox.core.kinds import RAGGED_KINDS, data_type_of
from napari_whiskertoolbox.layers.binding import KEY_COLORS, key_color
from napari_whiskertoolbox.layers.converters import (
    lines_to_layer_paths,
    masks_to_label_image,
    points_to_layer_points,
)
from napari_whiskertoolbox.transforms.api import apply_transform
from napari_whiskertoolbox.transforms.commands import slice_at

if TYPE_CHECKING:
    from collections.abc import Mapping

    from napari_whiskertoolbox.layers.session import ViewerSession
    from napari_whiskertoolbox.transforms.registry import TransformSpec

__all__ = ["PREVIEW_COLOR", "FramePreview", "can_preview"]

PREVIEW_COLOR = "#ffd400"
"""Preview colour of a session whose keys leave no palette colour free."""


def preview_color(dm: Any) -> str:
    """Return a colour no points, line or mask key of ``dm`` is drawn in.

    The first :data:`~napari_whiskertoolbox.layers.binding.KEY_COLORS` entry no such key
    has (:func:`~napari_whiskertoolbox.layers.binding.key_color`), so a preview never looks
    like its input: the fixed yellow it replaces was the palette's gold, the colour of the
    sample's whiskers.
    """
    taken = {key_color(dm, k).lower() for k in dm if dm.data_type(k) in _DRAWN}
    free = [c for c in KEY_COLORS if c.lower() not in taken]
    return free[0] if free else PREVIEW_COLOR


_DRAWN = RAGGED_KINDS
_MAX_VALUES_SHOWN = 8


def can_preview(spec: TransformSpec) -> bool:
    """Return True for transforms of points, lines or masks (spatial, per frame).

    Operations on entity groups (``spec.entity_groups``) work on whole series: no preview.
    """
    return not spec.entity_groups and any(kind in RAGGED_KINDS for kind in spec.input_kinds(0))


class FramePreview:
    """The preview of one session.

    Parameters
    ----------
    session : ViewerSession
        Its viewer shows the preview layer; its current frame is previewed.
    """

    def __init__(self, session: ViewerSession) -> None:
        self.session = session
        self.layer: Any = None

    @property
    def layer_name(self) -> str | None:
        """Return the preview layer's name (None when there is none)."""
        return None if self.layer is None else self.layer.name

    def show(self, spec: TransformSpec, keys: list[str], params: Mapping[str, Any]) -> str:
        """Run ``spec`` on the current frame of ``keys`` and show the result.

        Returns
        -------
        str
            A one-line description of what is shown.

        Raises
        ------
        TransformError
            The transform failed on this frame (the message says why).
        """
        dm = self.session.dm
        frame = self.session.current_frame
        times = [self.session.from_display(key, frame) for key in keys]
        if spec.kind == "binary_element":
            # the run pairs entries by raw frame index, without clock conversion (reference
            # §1.3): the second input's entries that meet the first's are at the same index
            times = [times[0]] * len(keys)
        sliced = [slice_at(dm.get_data(key), t) for key, t in zip(keys, times)]
        others: Any = sliced[1:] or None
        key_params = {
            value: dm.get_data(value)
            for param in spec.schema
            if param.type == "key" and (value := params.get(param.name)) and value in dm
        }
        if others is None and key_params:
            others = key_params
        result = apply_transform(
            spec.name,
            sliced[0],
            params,
            others=others,
            clocks=[dm.clock_of(key) for key in keys],
        )
        return self._draw(spec, result, times[0], frame)

    def _draw(self, spec: TransformSpec, result: Any, t: int, frame: int) -> str:
        kind = data_type_of(result)
        name = f"preview: {spec.name}"
        if kind == "points":
            points = result.at(t)
            self._layer(Points, name, points_to_layer_points(points))
            return f"frame {frame}: {len(points)} point(s) in '{name}'"
        if kind == "line":
            paths = lines_to_layer_paths(result.at(t))
            layer = self._layer(Shapes, name, None)
            layer.data = (paths, ["path"] * len(paths))
            return f"frame {frame}: {len(paths)} line(s) in '{name}'"
        if kind == "mask":
            masks = result.at(t)
            image = masks_to_label_image(masks, self._image_shape(result, masks))
            self._layer(Labels, name, image)
            return f"frame {frame}: {len(masks)} mask(s) in '{name}'"
        self.clear()
        if kind == "analog":
            values = np.asarray(result.values)
            text = ", ".join(f"{v:.4g}" for v in values[:_MAX_VALUES_SHOWN])
            more = " …" if values.size > _MAX_VALUES_SHOWN else ""
            return f"frame {frame}: {text or 'no value'}{more}"
        return f"frame {frame}: {type(result).__name__} of {len(result)}"

    def _image_shape(self, result: Any, masks: list[np.ndarray]) -> tuple[int, int]:
        shape = self.session.media_shape()
        if shape is not None:
            return shape
        if result.image_size is not None:
            return (result.image_size.height, result.image_size.width)
        extent = [m.max(axis=0) for m in masks if len(m)]
        if not extent:
            return (1, 1)
        top = np.max(extent, axis=0)
        return (int(top[1]) + 1, int(top[0]) + 1)

    def _layer(self, cls: type, name: str, data: Any) -> Any:
        viewer = self.session.viewer
        if self.layer is not None and (
            not isinstance(self.layer, cls) or self.layer not in viewer.layers
        ):
            self.clear()
        if self.layer is None:
            if cls is Points:
                layer = Points(
                    data, ndim=2, name=name, size=9, face_color=preview_color(self.session.dm)
                )
            elif cls is Shapes:
                layer = Shapes(
                    ndim=2,
                    name=name,
                    shape_type="path",
                    edge_color=preview_color(self.session.dm),
                    edge_width=2,
                    face_color="transparent",
                )
            else:
                layer = Labels(data, name=name, opacity=0.6)
            active = viewer.layers.selection.active
            self.layer = viewer.add_layer(layer)
            viewer.layers.selection.active = active  # the preview does not take the selection
            return self.layer
        self.layer.name = name
        if data is not None:
            self.layer.data = data
        return self.layer

    def clear(self) -> None:
        """Remove the preview layer."""
        layer, self.layer = self.layer, None
        viewer = self.session.viewer
        if layer is not None and viewer is not None and layer in viewer.layers:
            viewer.layers.remove(layer)
