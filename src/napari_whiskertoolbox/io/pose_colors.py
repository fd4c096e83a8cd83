"""Colours of a pose set's keypoints and skeleton: the one table layers and exports share.

A set read inside a DeepLabCut project is coloured from the project's ``colormap``
(``config.yaml``) as DeepLabCut colours it: ``n`` colours at evenly spaced places of the
matplotlib colormap (DeepLabCut's ``auxiliaryfunctions.get_cmap(n, name)``, i.e.
``matplotlib.pyplot.get_cmap(name, n)``), ``n`` being the body parts of a single animal or the
individuals of several; the skeleton of a single animal in the project's ``skeleton_color``.
Without a colormap, matplotlib's tab10 colours in turn (:data:`INDIVIDUAL_COLORS`).
A colormap matplotlib does not know, or no matplotlib installed (it comes with the
``deeplabcut`` extra), falls back to tab10 with one warning naming the colormap.

:func:`pose_key_colors` is the table :func:`~.pose.record_pose` writes into
``dm.metadata["colors"]``; the keypoint layers draw from that table and the NWB export
stores it, so the layer, a saved session, an export and a re-open show the same colours.
No napari here (``io`` is Qt- and napari-free).
"""

from __future__ import annotations

import importlib.util
import warnings
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.core.palette import TAB10

if TYPE_CHECKING:
    from napari_whiskertoolbox.io.pose import PoseSet

__all__ = [
    "INDIVIDUAL_COLORS",
    "keypoint_color",
    "pose_key_colors",
    "sampled_colormap",
    "skeleton_color",
]

INDIVIDUAL_COLORS = TAB10
"""Colour of the k-th individual, or body part of one animal (matplotlib's tab10, cycled)."""


@cache
def sampled_colormap(colormap: str, n: int) -> tuple[str, ...] | None:
    """Return ``n`` ``#rrggbb`` colours evenly spaced over matplotlib's ``colormap``.

    As DeepLabCut samples its ``colormap``: the colormap resampled to ``n`` entries
    (``matplotlib.colormaps[colormap].resampled(n)``), entry ``i`` for the ``i``-th body part or
    individual; one entry is the colormap's start.

    Parameters
    ----------
    colormap : str
        A matplotlib colormap name (``"jet"``, ``"viridis"``, ``"rainbow"``...).
    n : int
        How many colours (at least 1).

    Returns
    -------
    tuple of str or None
        The colours; None (after one warning naming ``colormap``) when matplotlib is not
        installed or does not know the name.
    """
    if importlib.util.find_spec("matplotlib") is None:
        warnings.warn(
            f"DeepLabCut's config.yaml 'colormap' {colormap!r} needs matplotlib (pip install "
            "'napari-whiskertoolbox[deeplabcut]'): the keypoints are drawn in matplotlib's "
            "tab10 colours",
            stacklevel=3,
        )
        return None
    import matplotlib

    try:
        cmap = matplotlib.colormaps[colormap]
    except KeyError:
        warnings.warn(
            f"unknown colormap {colormap!r} (DeepLabCut's config.yaml 'colormap'; matplotlib "
            "has no such colormap): the keypoints are drawn in matplotlib's tab10 colours",
            stacklevel=3,
        )
        return None
    count = max(int(n), 1)
    return tuple(matplotlib.colors.to_hex(c) for c in cmap.resampled(count)(np.arange(count)))


def _palette_color(pose: PoseSet, names: list[str], name: str) -> str:
    k = names.index(name) if name in names else 0
    colors = sampled_colormap(pose.colormap, max(len(names), 1)) if pose.colormap else None
    if colors is None:
        return INDIVIDUAL_COLORS[k % len(INDIVIDUAL_COLORS)]
    return colors[k % len(colors)]


def keypoint_color(pose: PoseSet, individual: str, bodypart: str) -> str:
    """Return the ``#rrggbb`` colour of ``bodypart`` of ``individual`` in ``pose``.

    Its individual's colour for several animals, its body part's for one, from the set's
    ``colormap`` (see :mod:`napari_whiskertoolbox.io.pose_colors`).
    """
    if pose.multi_animal:
        return _palette_color(pose, pose.individuals, individual)
    return _palette_color(pose, pose.bodyparts, bodypart)


def skeleton_color(pose: PoseSet, individual: str) -> str:
    """Return the colour of ``individual``'s skeleton edges in ``pose``.

    A single animal's: the set's ``skeleton_color`` (DeepLabCut's), else its first colour;
    one of several animals': the individual's colour, like its keypoints.
    """
    if not pose.multi_animal and pose.skeleton_color:
        return pose.skeleton_color
    return _palette_color(pose, pose.individuals, individual)


def pose_key_colors(pose: PoseSet) -> dict[str, str]:
    """Return ``{key: "#rrggbb"}`` for every key of ``pose`` (:func:`keypoint_color`)."""
    return {
        key: keypoint_color(pose, individual, bodypart)
        for individual, parts in pose.keys.items()
        for bodypart, key in parts.items()
    }
