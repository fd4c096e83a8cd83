"""WhiskerToolbox's V1 operations on line entity groups (reference §5), by display name.

Four of them change the DataManager's entity groups and produce no data — ``Group Lines by
Index``, ``Group Lines by Proximity``, ``Group Lines using Kalman Filtering``, ``Line
Outlier Detection`` — and ``Line Group to Digital Intervals`` reads them to make an
interval series. They are registered with ``entity_groups="edit"`` / ``"read"`` (see
:class:`~napari_whiskertoolbox.transforms.registry.TransformSpec`): the function works on
a copy of the groups and returns a :class:`~.group_edit.GroupEdit`, which storing applies
as one undo step. They run from a config's ``transformations`` block, ``run_transform(dm,
name, input_key, "", params)`` and the Transforms dock.

Behaviour follows WhiskerToolbox's ``src/DataManager/transforms/Lines/Line_*_Grouping``,
``Line_Outlier_Detection`` and ``Line_Group_To_Intervals``. Groups are named here (no
numeric group ids), so parameters naming a group take its name. WhiskerToolbox registers
JSON setters only for proximity and Kalman grouping; the other three accept here the field
names of their C++ parameter structs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.group_edit import GroupEdit, working_copy
from napari_whiskertoolbox.transforms.kalman_grouping import (
    CovarianceCache,
    KalmanModel,
    kalman_assign,
    line_table,
    outlier_entities,
    points_at_fraction,
)
from napari_whiskertoolbox.transforms.registry import EntityGroupUse, container_transform
from napari_whiskertoolbox.transforms.schema import Param, p_bool, p_float, p_int, p_list, p_str

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from napari_whiskertoolbox.core.entity import EntityGroups
    from napari_whiskertoolbox.transforms.context import TransformContext
    from napari_whiskertoolbox.transforms.lift import Bound
    from napari_whiskertoolbox.transforms.schema import Params

__all__ = ["group_runs"]

_SOURCE = "WhiskerToolbox src/DataManager/transforms/Lines"


def _register(
    name: str,
    params: tuple[Param, ...],
    description: str,
    output: str = "line",
    entity_groups: EntityGroupUse = "edit",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return container_transform(
        name,
        ("line",),
        output,
        params,
        engine="v1",
        category="V1 operations",
        description=description,
        source=_SOURCE,
        entity_groups=entity_groups,
    )


def _edit(before: EntityGroups, after: EntityGroups, what: str) -> GroupEdit:
    edit = GroupEdit.between(before, after)
    gained = edit.new_members()
    counts = ", ".join(f"{n} lines → '{g}'" for g, n in gained.items()) or "no line grouped"
    return GroupEdit(edit.created, edit.deleted, edit.added, edit.removed, f"{what}: {counts}")


def _ensure(groups: EntityGroups, name: str, description: str) -> None:
    """Create group ``name`` unless it exists (WhiskerToolbox would make a second one)."""
    if name not in groups:
        groups.create(name, (), description)


def _line_ids(bound: Bound) -> tuple[np.ndarray, np.ndarray]:
    flat = bound.data.to_flat()
    return np.asarray(flat.times), np.asarray(flat.ids)


# ------------------------------------------------------------------ by index
@_register(
    "Group Lines by Index",
    (
        p_str("group_name_prefix", "Line", "groups are named '<prefix> 0', '<prefix> 1', …"),
        p_str(
            "group_description_template",
            "Group {} - lines at vector index {}",
            "description; the first two '{}' become the index",
        ),
        p_bool("clear_existing_groups", False, "delete every entity group first"),
    ),
    "Put the i-th line of every frame into group '<prefix> i'.",
)
def group_lines_by_index(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> GroupEdit:
    """Group the lines by their position within their frame (WhiskerToolbox groupByIndex).

    As many groups as the most lines on one frame; the k-th line stored on a frame goes to
    group ``<prefix> k``. An existing group of that name is added to.
    """
    before = inputs[0].groups
    groups = working_copy(before)
    if p.clear_existing_groups:
        for name in list(groups):
            groups.delete(name)
    times, ids = _line_ids(inputs[0])
    if times.size:
        starts = np.searchsorted(times, times, side="left")  # storage is sorted by time
        index = np.arange(times.size) - starts
        for i in range(int(index.max()) + 1):
            description = p.group_description_template.replace("{}", str(i), 2)
            name = f"{p.group_name_prefix} {i}"
            _ensure(groups, name, description)
            groups.add(name, ids[index == i])
    return _edit(before, groups, "Group Lines by Index")


# ------------------------------------------------------------------ by proximity
@_register(
    "Group Lines by Proximity",
    (
        p_float(
            "distance_threshold", 50.0, "largest distance to a group's line, pixels", minimum=0
        ),
        p_float(
            "position_along_line",
            0.5,
            "where the distance is measured (fraction of arc length, 0 = first vertex)",
            minimum=0,
            maximum=1,
        ),
        p_bool("create_new_group_for_outliers", True, "put lines near no group into a new group"),
        p_str("new_group_name", "Ungrouped Lines", "the group of lines near no group"),
    ),
    "Add every ungrouped line to the group with the nearest line (point at a fraction).",
)
def group_lines_by_proximity(
    inputs: Sequence[Bound], p: Params, ctx: TransformContext
) -> GroupEdit:
    """Assign each line in no group to the group holding the nearest line.

    Distance = between the points at ``position_along_line`` of the two lines (interpolated
    along the arc length), over every line of this LineData in every group. A line within
    ``distance_threshold`` joins that group — and counts as its member for the lines after
    it (lines are taken in storage order: time, then insertion). The others go to
    ``new_group_name`` when ``create_new_group_for_outliers``.
    """
    before = inputs[0].groups
    groups = working_copy(before)
    _, ids = _line_ids(inputs[0])
    pts = points_at_fraction(inputs[0].data, p.position_along_line, ctx)
    names = groups.names()
    label = np.full(ids.size, -1)
    for g, name in enumerate(names):
        label[np.isin(ids, groups.members(name))] = g
    ungrouped = np.flatnonzero(label < 0)
    outliers = []
    for done, row in enumerate(ungrouped):
        ctx.tick(done, ungrouped.size)
        members = np.flatnonzero((label >= 0) & np.isfinite(pts[:, 0]))
        if members.size and np.isfinite(pts[row, 0]):
            d = np.hypot(*(pts[members] - pts[row]).T)
            best = int(np.argmin(d))  # the first of equal distances, as WhiskerToolbox
            if d[best] <= p.distance_threshold:
                label[row] = label[members[best]]
                groups.add(names[label[row]], int(ids[row]))
                continue
        outliers.append(int(ids[row]))
    if outliers and p.create_new_group_for_outliers:
        _ensure(
            groups,
            p.new_group_name,
            "Automatically created group for lines that don't fit existing groups",
        )
        groups.add(p.new_group_name, outliers)
    return _edit(before, groups, "Group Lines by Proximity")


# ------------------------------------------------------------------ Kalman grouping
def _anchors(groups: EntityGroups, table: Any, names: Sequence[str]) -> dict[str, dict[int, int]]:
    """``{group: {frame: row}}`` of the grouped lines (the last member of a frame wins)."""
    out: dict[str, dict[int, int]] = {}
    for name in names:
        rows = table.rows_of(groups.members(name))
        out[name] = {int(table.times[r]): int(r) for r in rows}
    return out


def _length_stats(table: Any, anchors: dict[str, dict[int, int]]) -> tuple[float, float]:
    """Std of the anchors' lengths and std of their frame-to-frame |change| (per group)."""
    values, changes = [], []
    for by_frame in anchors.values():
        lengths = table.length[[by_frame[f] for f in sorted(by_frame)]]
        values.append(lengths)
        changes.append(np.abs(np.diff(lengths)))
    v = np.concatenate(values) if values else np.empty(0)
    c = np.concatenate(changes) if changes else np.empty(0)
    return (float(v.std()) if v.size else np.nan), (float(c.std()) if c.size else np.nan)


@_register(
    "Group Lines using Kalman Filtering",
    (
        p_float("dt", 1.0, "time step between frames", minimum=0, exclusive_minimum=True),
        p_float(
            "process_noise_position",
            10.0,
            "process noise of positions, pixels",
            minimum=0,
            exclusive_minimum=True,
        ),
        p_float("process_noise_velocity", 1.0, "process noise of velocities, pixels/frame"),
        p_float(
            "static_feature_process_noise_scale",
            0.01,
            "length process noise / position noise² (a variance ratio)",
            minimum=0,
        ),
        p_float("measurement_noise_position", 5.0, "measurement noise of positions, pixels"),
        p_float("measurement_noise_length", 10.0, "measurement noise of the length, pixels"),
        p_bool("auto_estimate_static_noise", False, "length process noise from the anchors"),
        p_bool("auto_estimate_measurement_noise", False, "length measurement noise from anchors"),
        p_float("static_noise_percentile", 0.1, "fraction of the anchors' spread used"),
        p_float("initial_position_uncertainty", 50.0, "accepted; unused, as in WhiskerToolbox"),
        p_float("initial_velocity_uncertainty", 10.0, "accepted; unused, as in WhiskerToolbox"),
        p_bool("verbose_output", False, "log what was estimated"),
        p_float(
            "cheap_assignment_threshold",
            5.0,
            "gate = 5 × this, Mahalanobis units (distances are >= 0)",
            minimum=0,
        ),
        p_bool("write_to_putative_groups", True, "write to '<prefix><group>', not the group"),
        p_str("putative_group_prefix", "Putative:", "prefix of the putative groups"),
    ),
    "Track each group between its labelled lines (Kalman) and assign ungrouped lines.",
)
def group_lines_kalman(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> GroupEdit:
    """Assign ungrouped lines to the groups whose Kalman tracks they continue.

    Features: centroid and base point (constant velocity) and length (static); the lines
    of a group are its anchors. Every group with lines on two or more frames is tracked
    from its first to its last anchor frame (:func:`~.kalman_grouping.kalman_assign`);
    the lines it picks go to ``<putative_group_prefix><group>`` (or the group itself).
    """
    before = inputs[0].groups
    groups = working_copy(before)
    table = line_table(inputs[0].data, ctx)
    names = groups.names()
    anchors = _anchors(groups, table, names)
    scale, length_noise = p.static_feature_process_noise_scale, p.measurement_noise_length
    if p.auto_estimate_static_noise or p.auto_estimate_measurement_noise:
        spread, change = _length_stats(table, anchors)
        if p.auto_estimate_static_noise and np.isfinite(change):
            scale = (p.static_noise_percentile * change) ** 2 / p.process_noise_position**2
        if p.auto_estimate_measurement_noise and np.isfinite(spread):
            length_noise = max(p.static_noise_percentile * spread, 1.0)
        if p.verbose_output:
            ctx.log(f"length process-noise scale {scale:g}, measurement noise {length_noise:g}")
    model = KalmanModel.build(
        2,
        dt=p.dt,
        process_noise_position=p.process_noise_position,
        process_noise_velocity=p.process_noise_velocity,
        static_noise_scale=scale,
        measurement_noise_position=p.measurement_noise_position,
        measurement_noise_static=length_noise,
    )
    features = np.column_stack([table.centroid, table.base, table.length])
    grouped = np.zeros(table.ids.size, bool)
    for name in names:
        grouped[table.rows_of(groups.members(name))] = True
    assigned = kalman_assign(
        model, table, features, anchors, ~grouped, 5.0 * p.cheap_assignment_threshold, ctx
    )
    for name, rows in assigned.items():
        target = name
        if p.write_to_putative_groups:
            target = f"{p.putative_group_prefix}{name}"
            _ensure(groups, target, "Putative labels from Kalman grouping")
        groups.add(target, table.ids[rows])
    return _edit(before, groups, "Group Lines using Kalman Filtering")


# ------------------------------------------------------------------ outliers
@_register(
    "Line Outlier Detection",
    (
        p_float("dt", 1.0, "time step between frames", minimum=0, exclusive_minimum=True),
        p_float(
            "process_noise_position",
            10.0,
            "process noise of the centroid, pixels",
            minimum=0,
            exclusive_minimum=True,
        ),
        p_float("process_noise_velocity", 1.0, "process noise of its velocity, pixels/frame"),
        p_float("process_noise_length", 0.1, "process noise of the length, pixels", minimum=0),
        p_float("measurement_noise_position", 5.0, "measurement noise (centroid and length)"),
        p_float("measurement_noise_length", 10.0, "accepted; unused, as in WhiskerToolbox"),
        p_float("initial_position_uncertainty", 50.0, "accepted; unused, as in WhiskerToolbox"),
        p_float("initial_velocity_uncertainty", 10.0, "accepted; unused, as in WhiskerToolbox"),
        p_float("initial_length_uncertainty", 20.0, "accepted; unused, as in WhiskerToolbox"),
        p_float(
            "mad_threshold",
            5.0,
            "Mahalanobis distance above which a line is an outlier",
            minimum=0,
        ),
        p_list("groups_to_process", "str", [], "group names (empty: every group)"),
        p_str("outlier_group_name", "Outliers", "the group the outliers are added to"),
        p_bool("verbose_output", False, "log each group's costs"),
    ),
    "Flag the lines of each group far from the group's smoothed Kalman track.",
)
def line_outlier_detection(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> GroupEdit:
    """Add the lines their group's smoothed track does not explain to ``outlier_group_name``.

    For each group with lines here (``groups_to_process`` or every group): one measurement
    per frame (centroid, length; the group's first line on the frame), Kalman filter
    forward, RTS smoother backward, and every measurement after the first three whose
    Mahalanobis cost exceeds ``mad_threshold`` is an outlier. Outliers stay in their
    group too.
    """
    before = inputs[0].groups
    groups = working_copy(before)
    table = line_table(inputs[0].data, ctx)
    wanted = list(p.groups_to_process) or groups.names()
    unknown = [n for n in wanted if n not in groups]
    if unknown:
        raise TransformError(
            f"groups_to_process names groups that do not exist: {unknown}; "
            f"groups: {groups.names()}",
            parameter="groups_to_process",
        )
    valid = [n for n in wanted if table.rows_of(groups.members(n)).size]
    if not valid:
        return _edit(before, groups, "Line Outlier Detection (no group has lines here)")
    model = KalmanModel.build(
        1,
        dt=p.dt,
        process_noise_position=p.process_noise_position,
        process_noise_velocity=p.process_noise_velocity,
        static_noise_scale=p.process_noise_length / p.process_noise_position,
        measurement_noise_position=p.measurement_noise_position,
        measurement_noise_static=p.measurement_noise_position,
    )
    _ensure(groups, p.outlier_group_name, "")
    covariances = CovarianceCache(model)  # the same covariance steps for every group
    for done, name in enumerate(valid):
        ctx.tick(done, len(valid))
        rows = table.rows_of(groups.members(name))
        frames, first = np.unique(table.times[rows], return_index=True)
        rows = rows[first]  # the group's first line on each frame
        z = np.column_stack([table.centroid[rows], table.length[rows]])
        flags, costs = outlier_entities(model, frames, z, p.mad_threshold, covariances=covariances)
        groups.add(p.outlier_group_name, table.ids[rows[flags]])
        if p.verbose_output and np.isfinite(costs).any():
            ctx.log(
                f"group '{name}': median cost {np.nanmedian(costs):.3g}, "
                f"{int(flags.sum())} outliers of {int(np.isfinite(costs).sum())}"
            )
    return _edit(before, groups, "Line Outlier Detection")


# ------------------------------------------------------------------ to intervals
def group_runs(times: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Return ``[start, end]`` of each run of consecutive ``active`` entries, (k, 2) int64.

    ``times`` are the sorted frames with data; a run ends at the last active frame before
    an inactive one (frames without data neither start nor break a run).
    """
    a = np.concatenate([[False], np.asarray(active, bool), [False]])
    edges = np.flatnonzero(np.diff(a.astype(np.int8)))
    starts, ends = edges[::2], edges[1::2] - 1
    return np.column_stack([times[starts], times[ends]]).astype(np.int64)


@_register(
    "Line Group to Digital Intervals",
    (
        p_str("target_group", "", "the entity group followed over frames (required)"),
        p_bool("track_presence", True, "intervals where the group is present (else absent)"),
        p_int("min_interval_length", 1, "shortest interval kept, frames (inclusive)"),
        p_int("merge_gap_threshold", 1, "merge intervals whose start - previous end <= this"),
    ),
    "Intervals of the frames holding (or lacking) a line of one entity group.",
    output="digital_interval",
    entity_groups="read",
)
def line_group_to_intervals(
    inputs: Sequence[Bound], p: Params, ctx: TransformContext
) -> DigitalIntervalSeries:
    """Return the runs of frames where a line is (or no line is) in ``target_group``.

    Only frames holding lines count: a run covers consecutive frames *with data*. With
    ``merge_gap_threshold`` > 1, an interval starting at most that many frames after the
    previous one's end extends it; with ``min_interval_length`` > 1 shorter intervals go.
    """
    groups = inputs[0].groups
    if p.target_group not in groups:
        what = f"'{p.target_group}' does not exist" if p.target_group else "is not given"
        raise TransformError(
            f"entity group {what} (parameter 'target_group'); groups: {groups.names()}",
            parameter="target_group",
            value=p.target_group,
        )
    members = groups.members(p.target_group)
    times, ids = _line_ids(inputs[0])
    if members.size == 0 or times.size == 0:
        return DigitalIntervalSeries()
    frames, inverse = np.unique(times, return_inverse=True)
    present = np.zeros(frames.size, bool)
    np.logical_or.at(present, inverse, np.isin(ids, members))
    runs = group_runs(frames, present if p.track_presence else ~present)
    if p.merge_gap_threshold > 1 and len(runs) > 1:
        new = np.concatenate([[True], runs[1:, 0] - runs[:-1, 1] > p.merge_gap_threshold])
        first = np.flatnonzero(new)  # runs are sorted and disjoint: a block ends at its max
        runs = np.column_stack([runs[first, 0], np.maximum.reduceat(runs[:, 1], first)])
    if p.min_interval_length > 1:
        runs = runs[runs[:, 1] - runs[:, 0] + 1 >= p.min_interval_length]
    return DigitalIntervalSeries(runs)
