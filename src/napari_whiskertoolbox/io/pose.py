"""Pose sets: keypoint keys grouped by individual and body part, with a skeleton.

DeepLabCut, SLEAP and NWB (ndx-pose) store keypoints as *individuals* (animals, tracks) ×
*body parts* (nodes). Each (individual, body part) becomes one :class:`PointData` key with
at most one point per frame; a :class:`PoseSet` says which key is which, the body-part
order and the skeleton edges. It lives in ``dm.metadata["poses"][name]`` (JSON, saved with
sessions) and each individual's entity ids form the group ``dm.groups[group_name]``.
Renaming a key (``dm.rename_data``) carries its body part along: the set then holds that
body part under the new key (:func:`rename_pose_key`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.history import frames_label
from napari_whiskertoolbox.core.key_references import COLORS, register_key_references
from napari_whiskertoolbox.io.pose_colors import INDIVIDUAL_COLORS, pose_key_colors

if TYPE_CHECKING:
    from collections.abc import Iterator

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.core.points import PointData

__all__ = [
    "INDIVIDUAL_COLORS",
    "POSES",
    "POSE_SYMBOLS",
    "PoseSet",
    "apply_pose",
    "pose_key",
    "pose_of_key",
    "pose_sets",
    "pose_symbol",
    "record_pose",
    "rename_pose_key",
    "swap_individuals",
]

POSES = "poses"
"""``dm.metadata`` entry holding ``{pose name: PoseSet.to_metadata()}``."""
SINGLE_ANIMAL = ""
"""The individual name of a single-animal pose set."""
POSE_SYMBOLS = ("disc", "square", "diamond", "triangle_up", "star", "triangle_down", "cross")
"""Marker of the k-th pose set of a session (cycled): sets coloured alike (the same body
parts, or the first individual of each) stay told apart; napari's Points symbols."""


def pose_key(name: str, individual: str, bodypart: str) -> str:
    """Return the key of one body part: ``name_bodypart`` or ``name_individual_bodypart``."""
    return (
        f"{name}_{bodypart}" if individual == SINGLE_ANIMAL else f"{name}_{individual}_{bodypart}"
    )


@dataclass
class PoseSet:
    """Which keys hold which individual's body parts, and the skeleton joining them.

    Attributes
    ----------
    name : str
        Prefix of the keys (a config item's ``name``).
    bodyparts : list of str
        Body parts (DeepLabCut) / nodes (SLEAP, ndx-pose) in the project's order.
    individuals : list of str
        Individuals / tracks; ``[""]`` for a single animal.
    skeleton : list of (str, str)
        Edges between body parts of the same individual.
    keys : dict
        ``{individual: {bodypart: key}}``; a body part an individual lacks is absent.
    source : dict
        JSON-able facts of the file it came from, needed to write it back (format, path,
        scorer, row labels...).
    point_size : float or None
        Diameter to draw the keypoints with, in image pixels (DeepLabCut's ``dotsize``);
        None: the viewer's default.
    colormap : str or None
        Colormap name the keypoints are coloured from (DeepLabCut's ``colormap``: body parts,
        or individuals for several animals, at evenly spaced places); None: matplotlib's
        tab10 colours (:data:`INDIVIDUAL_COLORS`).
    skeleton_color : str or None
        Colour of a single animal's skeleton edges (DeepLabCut's ``skeleton_color``); None:
        the individual's colour.
    """

    name: str
    bodyparts: list[str]
    individuals: list[str]
    skeleton: list[tuple[str, str]] = field(default_factory=list)
    keys: dict[str, dict[str, str]] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    point_size: float | None = None
    colormap: str | None = None
    skeleton_color: str | None = None

    @property
    def multi_animal(self) -> bool:
        """Whether the set has named individuals."""
        return self.individuals != [SINGLE_ANIMAL]

    def key(self, individual: str, bodypart: str) -> str | None:
        """Return the key of ``bodypart`` of ``individual`` (None when it has none)."""
        return self.keys.get(individual, {}).get(bodypart)

    def require_key(self, individual: str, bodypart: str) -> str:
        """Return the key of ``bodypart`` of ``individual`` (KeyError naming both if none)."""
        key = self.key(individual, bodypart)
        if key is None:
            raise KeyError(
                f"pose set {self.name!r} has no key for body part {bodypart!r} of "
                f"individual {individual!r}"
            )
        return key

    def all_keys(self) -> list[str]:
        """Return every key of the set, individual by individual in body-part order."""
        return [k for ind in self.individuals for k in self.keys.get(ind, {}).values()]

    def group_name(self, individual: str) -> str:
        """Return the entity group holding ``individual``'s points."""
        return self.name if individual == SINGLE_ANIMAL else f"{self.name}_{individual}"

    def edges(self) -> Iterator[tuple[str, str, str]]:
        """Yield ``(individual, key_a, key_b)`` for each skeleton edge each individual has."""
        for individual in self.individuals:
            for a, b in self.skeleton:
                key_a, key_b = self.key(individual, a), self.key(individual, b)
                if key_a is not None and key_b is not None:
                    yield individual, key_a, key_b

    def to_metadata(self) -> dict[str, Any]:
        """Return the JSON-able form stored in ``dm.metadata["poses"]``."""
        return {
            "bodyparts": list(self.bodyparts),
            "individuals": list(self.individuals),
            "skeleton": [list(edge) for edge in self.skeleton],
            "keys": {ind: dict(parts) for ind, parts in self.keys.items()},
            "source": dict(self.source),
            **({} if self.point_size is None else {"point_size": self.point_size}),
            **({} if self.colormap is None else {"colormap": self.colormap}),
            **({} if self.skeleton_color is None else {"skeleton_color": self.skeleton_color}),
        }

    @classmethod
    def from_metadata(cls, name: str, record: dict[str, Any]) -> PoseSet:
        """Rebuild a set from its :meth:`to_metadata` form."""
        return cls(
            name=name,
            bodyparts=[str(b) for b in record.get("bodyparts", [])],
            individuals=[str(i) for i in record.get("individuals", [SINGLE_ANIMAL])],
            skeleton=[(str(a), str(b)) for a, b in record.get("skeleton", [])],
            keys={
                str(i): {str(b): str(k) for b, k in p.items()}
                for i, p in record.get("keys", {}).items()
            },
            source=dict(record.get("source", {})),
            point_size=None if record.get("point_size") is None else float(record["point_size"]),
            colormap=_name_or_none(record.get("colormap")),
            skeleton_color=_name_or_none(record.get("skeleton_color")),
        )


def _name_or_none(value: Any) -> str | None:
    """Return ``value`` when it is a non-empty string (a colour or colormap name), else None."""
    return value if isinstance(value, str) and value else None


def pose_sets(dm: DataManager) -> dict[str, PoseSet]:
    """Return the pose sets recorded in ``dm.metadata`` whose keys are still all present."""
    records = dm.metadata.get(POSES, {})
    out: dict[str, PoseSet] = {}
    if not isinstance(records, dict):
        return out
    for name, record in records.items():
        pose = PoseSet.from_metadata(name, record)
        if any(k in dm for k in pose.all_keys()):
            out[name] = pose
    return out


def rename_pose_key(records: Any, old: str, new: str) -> None:
    """Store, in place, the body part held by key ``old`` under key ``new`` in every pose set.

    ``records`` is ``dm.metadata["poses"]`` (``{pose name: PoseSet.to_metadata()}``);
    registered with :func:`~napari_whiskertoolbox.core.key_references.register_key_references`,
    so :meth:`DataManager.rename_data` and its undo and redo call it.
    """
    if not isinstance(records, dict):
        return
    for record in records.values():
        keys = record.get("keys") if isinstance(record, dict) else None
        if not isinstance(keys, dict):
            continue
        for parts in keys.values():
            if isinstance(parts, dict):
                for bodypart, key in parts.items():
                    if key == old:
                        parts[bodypart] = new


register_key_references(POSES, rename_pose_key)


def pose_of_key(dm: DataManager, key: str) -> PoseSet | None:
    """Return the pose set ``key`` belongs to, if any."""
    for pose in pose_sets(dm).values():
        if key in pose.all_keys():
            return pose
    return None


def pose_symbol(dm: DataManager, name: str) -> str:
    """Return the marker of pose set ``name``: :data:`POSE_SYMBOLS` by its place in ``dm``.

    The place is the set's among ``dm.metadata["poses"]`` (the order the sets were opened
    in), so a set keeps its marker while the session lasts and is saved with it.
    """
    records = dm.metadata.get(POSES, {})
    order = list(records) if isinstance(records, dict) else []
    k = order.index(name) if name in order else 0
    return POSE_SYMBOLS[k % len(POSE_SYMBOLS)]


def record_pose(dm: DataManager, pose: PoseSet) -> None:
    """Record ``pose`` in ``dm.metadata``: the set, and each of its keys' colour.

    ``dm.metadata["colors"]`` gets :func:`~napari_whiskertoolbox.io.pose_colors.pose_key_colors`
    (the project's ``colormap`` sampled as DeepLabCut does: a colour per individual for
    several animals, per body part for one): the table the keypoint layers draw from and the
    NWB export stores. Done before the keys are added, layers are drawn in those colours
    from the start.
    """
    dm.metadata.setdefault(POSES, {})[pose.name] = pose.to_metadata()
    dm.metadata.setdefault(COLORS, {}).update(pose_key_colors(pose))


def apply_pose(dm: DataManager, pose: PoseSet) -> None:
    """Record ``pose`` in ``dm``: metadata, colours, one entity group per individual.

    The keys must already be in ``dm`` (their entity ids fill the groups).
    """
    record_pose(dm, pose)
    for individual in pose.individuals:
        ids = [
            np.asarray(dm.get_data(k).to_flat().ids)
            for k in pose.keys.get(individual, {}).values()
            if k in dm
        ]
        group = pose.group_name(individual)
        if group in dm.groups:
            dm.groups.delete(group)
        dm.groups.create(group, np.concatenate(ids) if ids else ())


def swap_individuals(
    dm: DataManager, pose: PoseSet, first: str, second: str, start: int, end: int
) -> list[int]:
    """Swap the keypoints of two individuals on frames ``start..end`` (inclusive), one undo step.

    Each body part's point moves to the other individual's key; entity ids stay with the
    keys, so each individual's entity group stays right.

    Parameters
    ----------
    dm : DataManager
        Holds the keys of ``pose``.
    pose : PoseSet
        The set the individuals belong to.
    first, second : str
        The two individuals.
    start, end : int
        Frame range on the keys' clock, inclusive at both ends.

    Returns
    -------
    list of int
        The frames where something moved.

    Raises
    ------
    KeyError
        An individual is not in the set.
    ValueError
        ``start > end`` or both individuals are the same.
    """
    for who in (first, second):
        if who not in pose.individuals:
            raise KeyError(
                f"no individual {who!r} in pose set {pose.name!r}; expected one of {pose.individuals}"
            )
    if first == second:
        raise ValueError(f"cannot swap individual {first!r} with itself")
    if start > end:
        raise ValueError(f"expected start <= end, got frames {start}..{end}")
    pairs = []
    for bp in pose.bodyparts:
        key_a, key_b = pose.key(first, bp), pose.key(second, bp)
        if key_a is not None and key_b is not None and key_a in dm and key_b in dm:
            pairs.append((dm.get_data(key_a), dm.get_data(key_b)))
    changed: set[int] = set()
    new_ids: dict[str, list[int]] = {first: [], second: []}
    with dm.history.group(f"Swap {first} and {second} on {frames_label(start, end)}"):
        for a, b in pairs:
            for t in _frames_in_range([a, b], start, end):
                ids_a, ids_b = _swap_frame(a, b, t)
                new_ids[first] += ids_a
                new_ids[second] += ids_b
                changed.add(t)
    for individual, ids in new_ids.items():
        if ids and pose.group_name(individual) in dm.groups:
            dm.groups.add(pose.group_name(individual), ids)
    return sorted(changed)


def _frames_in_range(series: list[PointData], start: int, end: int) -> list[int]:
    frames = np.unique(np.concatenate([s.times_with_data() for s in series]))
    return frames[(frames >= start) & (frames <= end)].tolist()


def _swap_frame(a: PointData, b: PointData, t: int) -> tuple[list[int], list[int]]:
    """Swap frame ``t`` of ``a`` and ``b``; return the ids each key had to allocate."""
    points_a, points_b = np.array(a.at(t)), np.array(b.at(t))
    old_a, old_b = {int(i) for i in a.ids_at(t)}, {int(i) for i in b.ids_at(t)}
    got_a = a.set_frame(t, points_b, _reuse_ids(a.ids_at(t), len(points_b)))
    got_b = b.set_frame(t, points_a, _reuse_ids(b.ids_at(t), len(points_a)))
    return (
        [int(i) for i in got_a if int(i) not in old_a],
        [int(i) for i in got_b if int(i) not in old_b],
    )


def _reuse_ids(ids: np.ndarray, n: int) -> list[int]:
    """Keep the key's own ids for the first ``n`` rows; new ids (0) for the rest."""
    kept = [int(i) for i in np.asarray(ids)[:n]]
    return kept + [0] * (n - len(kept))
