"""Display colours of a pose set's keypoints and skeleton.

A set read inside a DeepLabCut project is coloured from the project's ``colormap``
(``config.yaml``) as DeepLabCut colours it: ``n`` colours at evenly spaced places of the
colormap (``matplotlib.pyplot.get_cmap(colormap, n)``, DeepLabCut's ``get_cmap``), ``n`` being
the body parts of a single animal or the individuals of several; the skeleton of a single
animal in the project's ``skeleton_color``. Without a colormap, matplotlib's tab10 colours in
turn (:data:`~napari_whiskertoolbox.io.pose.INDIVIDUAL_COLORS`). A colormap napari does not
know falls back to tab10 with one warning naming it.
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.io.pose import INDIVIDUAL_COLORS, SINGLE_ANIMAL

if TYPE_CHECKING:
    from napari_whiskertoolbox.io.pose import PoseSet

__all__ = ["keypoint_color", "skeleton_color"]


@cache
def _sampled(colormap: str, n: int) -> tuple[str, ...] | None:
    """Return ``n`` colours evenly spaced over napari's ``colormap`` (None: unknown name)."""
    from napari.utils.colormaps import ensure_colormap

    try:
        cmap = ensure_colormap(colormap)
    except KeyError:
        warnings.warn(
            f"unknown colormap {colormap!r} (DeepLabCut's config.yaml 'colormap'): the "
            "keypoints are drawn in matplotlib's tab10 colours",
            stacklevel=3,
        )
        return None
    rgba = np.clip(cmap.map(np.linspace(0.0, 1.0, n) if n > 1 else np.zeros(1)), 0.0, 1.0)
    return tuple("#" + "".join(f"{round(float(v) * 255):02x}" for v in c[:3]) for c in rgba)


def _palette_color(pose: PoseSet, names: list[str], name: str) -> str:
    k = names.index(name) if name in names else 0
    colors = _sampled(pose.colormap, max(len(names), 1)) if pose.colormap else None
    if colors is None:
        return INDIVIDUAL_COLORS[k % len(INDIVIDUAL_COLORS)]
    return colors[k % len(colors)]


def keypoint_color(pose: PoseSet, individual: str, bodypart: str) -> str:
    """Return the ``#rrggbb`` colour of ``bodypart`` of ``individual`` in ``pose``.

    Its individual's colour for several animals, its body part's for one, from the set's
    ``colormap`` (:mod:`this module <napari_whiskertoolbox.layers.pose_colors>`).
    """
    if pose.multi_animal:
        return _palette_color(pose, pose.individuals, individual)
    return _palette_color(pose, pose.bodyparts, bodypart)


def skeleton_color(pose: PoseSet, individual: str) -> str:
    """Return the colour of ``individual``'s skeleton edges in ``pose``.

    A single animal's: the set's ``skeleton_color`` (DeepLabCut's), else its first colour;
    one of several animals': the individual's colour, like its keypoints.
    """
    if individual == SINGLE_ANIMAL and not pose.multi_animal and pose.skeleton_color:
        return pose.skeleton_color
    return _palette_color(pose, pose.individuals, individual)
