"""Which shown keypoints are a network's predictions, and their scores.

The DataManager holds keypoints as plain points; what tells a prediction from a label is
the file a pose set was read from, as its write-back sees it (:func:`~.io.dlc.write_dlc`,
:func:`~.io.sleap.write_slp`): a point is a *prediction* while it is what reading gave
(float32 coordinates compared exactly) and the source scored it — a SLEAP
``PredictedInstance``'s point score, a DeepLabCut prediction's likelihood, an ndx-pose
``PoseEstimationSeries``' confidence in an NWB file. A point placed,
moved or undone to another place is the user's (written back as a user instance, or with
likelihood 1); undoing the edit makes it the prediction again. A DeepLabCut labelled-data
table (``CollectedData_<scorer>``, no likelihood), a SLEAP user instance and an ndx-pose
series without ``confidence`` hold no predictions.

The source file is read once per pose set, on first use (the keypoints layer reads it in a
worker thread: a long CSV takes seconds).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from napari_whiskertoolbox.io.pose import PoseSet

__all__ = ["SourceScores", "may_hold_predictions", "source_scores"]

LOGGER = logging.getLogger(__name__)

_Column = tuple[np.ndarray, np.ndarray, np.ndarray]
"""One key's predictions: times ``(n,)`` int64 sorted, coordinates ``(n, 2)`` float32 as the
key holds them when untouched, scores ``(n,)`` float64."""


class SourceScores:
    """The predictions a pose set's source file holds, by key.

    Parameters
    ----------
    columns : dict
        ``{key: (times, coords, scores)}``: times ``(n,)`` int64 sorted (on the key's clock),
        coords ``(n, 2)`` float32 ``(x, y)`` as reading stored them, scores ``(n,)`` float64
        in ``[0, 1]`` for SLEAP and DeepLabCut; NaN for a prediction of unknown score (a
        DeepLabCut row with x and y and an empty likelihood cell).
    siblings : dict, optional
        ``{key: [keys of the same body part of the other individuals]}``: a point found
        there is the same prediction under another identity (after a swap of individuals,
        which corrects who a detection belongs to, not where it is).
    instance_of : dict, optional
        ``{key: individual}`` when the source scores whole instances (SLEAP): an instance
        with one keypoint placed or moved is the user's, every keypoint of it
        (:meth:`per_instance`), as :func:`~.io.sleap.write_slp` writes it.
    unknown : dict, optional
        ``{key: (n,) bool}``: where a NaN score is one not given (a DeepLabCut empty
        likelihood cell, shown whatever the threshold), unlike a NaN likelihood, which
        fails any threshold (:func:`~.io.pose_written.threshold_hides`).
    """

    def __init__(
        self,
        columns: dict[str, _Column],
        siblings: dict[str, list[str]] | None = None,
        instance_of: dict[str, str] | None = None,
        unknown: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.columns = columns
        self.unknown = unknown or {}
        self.siblings = siblings or {}
        self.instance_of = instance_of

    def score(self, key: str, t: int, point: np.ndarray) -> float | None:
        """Return the source score of ``key``'s point ``(x, y)`` at index ``t`` on its clock.

        None when the point is not a prediction: the source has none there, or the point
        is not where the source put it (placed or moved by the user). A point that is the
        source's prediction of the same body part of another individual on that frame (the
        individuals swapped) keeps that prediction's score.
        """
        for candidate in (key, *self.siblings.get(key, ())):
            found = self._own_score(candidate, t, point)
            if found is not None:
                return found
        return None

    def per_instance(
        self, keys: list[str], scores: list[float | None], t: int | None = None
    ) -> list[float | None]:
        """Return the scores of one frame's keypoints ``keys`` with whole instances applied.

        Where the source scores instances (SLEAP), every keypoint of an individual is the
        user's (None) when one of its keypoints on the frame is not a prediction, or (given
        the frame's index ``t``) one the source predicted there is gone (deleted): an
        edited prediction is a user instance, as in SLEAP's GUI and as
        :func:`~.io.sleap.write_slp` writes it. Elsewhere (DeepLabCut, NWB: one score per
        point) ``scores`` is returned as given.
        """
        instance_of = self.instance_of
        if instance_of is None:
            return scores
        users = {instance_of.get(k) for k, s in zip(keys, scores) if s is None}
        if t is not None:
            shown = set(keys)
            users |= {
                individual
                for k, individual in instance_of.items()
                if individual not in users and k not in shown and self.predicts(k, t)
            }
        return [None if instance_of.get(k) in users else s for k, s in zip(keys, scores)]

    def predicts(self, key: str, t: int) -> bool:
        """Return whether the source holds a prediction of ``key`` at index ``t``."""
        column = self.columns.get(key)
        if column is None:
            return False
        times = column[0]
        i = int(np.searchsorted(times, t))
        return i < len(times) and int(times[i]) == t

    def below(self, key: str, t: int, threshold: float) -> bool:
        """Return whether the source's prediction of ``key`` at index ``t`` scores under ``threshold``.

        False where the source has no prediction there, or one of unknown score (shown); a
        NaN likelihood is under any threshold (:func:`~.io.pose_written.threshold_hides`).
        """
        from napari_whiskertoolbox.io.pose_written import threshold_hides

        column = self.columns.get(key)
        if column is None:
            return False
        times, _, scores = column
        i = int(np.searchsorted(times, t))
        if i >= len(times) or int(times[i]) != t:
            return False
        unknown = self.unknown.get(key)
        return bool(
            threshold_hides(
                scores[i : i + 1], threshold, None if unknown is None else unknown[i : i + 1]
            )[0]
        )

    def user_frames(
        self, keys: list[str], points: dict[str, tuple[np.ndarray, np.ndarray]]
    ) -> np.ndarray:
        """Return the indices where one individual's keypoints ``keys`` are the user's instance.

        Where the source scores instances (SLEAP): a frame where one of them is not a
        prediction (placed, moved), or one the source predicted is gone (deleted), as
        :meth:`per_instance` says for the frame shown; empty elsewhere.

        Parameters
        ----------
        keys : list of str
            The individual's keys.
        points : dict
            ``{key: (times (n,) int64, coords (n, 2))}`` the keys hold.
        """
        if self.instance_of is None:
            return np.empty(0, np.int64)
        found: list[np.ndarray] = []
        for key in keys:
            times, coords = points.get(key, (np.empty(0, np.int64), np.empty((0, 2))))
            edited = [t for t, xy in zip(times.tolist(), coords) if self.score(key, t, xy) is None]
            found.append(np.asarray(edited, np.int64))
            column = self.columns.get(key)
            if column is not None:
                found.append(np.setdiff1d(column[0], times).astype(np.int64))  # deleted
        return np.unique(np.concatenate(found)) if found else np.empty(0, np.int64)

    def _own_score(self, key: str, t: int, point: np.ndarray) -> float | None:
        column = self.columns.get(key)
        if column is None:
            return None
        times, coords, scores = column
        i = int(np.searchsorted(times, t))
        if i >= len(times) or times[i] != t:
            return None
        if not np.array_equal(coords[i], np.asarray(point, np.float32)):
            return None
        return float(scores[i])


def may_hold_predictions(pose: PoseSet) -> bool:
    """Return whether ``pose``'s source can hold predictions (worth reading it again)."""
    fmt = pose.source.get("format")
    return fmt in ("sleap", "nwb") or (fmt == "deeplabcut" and bool(pose.source.get("likelihood")))


def source_scores(pose: PoseSet) -> SourceScores | None:
    """Read the predictions of the file ``pose`` came from (None: it holds none, or is gone).

    A SLEAP ``.slp`` or analysis ``.h5`` gives each predicted point's score; a DeepLabCut
    table with ``likelihood`` columns gives each point's likelihood (coordinates scaled as
    the reader scaled them); an NWB file's ndx-pose ``PoseEstimationSeries`` its
    ``confidence``. A set read back from our NWB export whose own source file is not at
    hand (a DANDI download) takes the confidences the export wrote (1 for a label: it then
    reads as a prediction of score 1). A file that is gone or no longer reads is logged and gives
    None: its points are then drawn as labels.
    """
    fmt = pose.source.get("format")
    try:
        found = None
        if fmt == "sleap":
            found = _sleap_scores(pose)
        elif fmt == "deeplabcut" and pose.source.get("likelihood"):
            found = _dlc_scores(pose)
        elif fmt == "nwb":
            found = _nwb_scores(pose)
        else:
            return None
        found = found if found is not None else _exported_scores(pose)
        if found is not None:
            found.siblings = _siblings(pose)
        return found
    except (ValueError, OSError, ImportError) as exc:  # FormatError is a ValueError
        LOGGER.warning(
            "pose set %r: the predictions of %s could not be read again (%s); its points are "
            "drawn as labels",
            pose.name,
            pose.source.get("path"),
            exc,
        )
    return None


def _sleap_scores(pose: PoseSet) -> SourceScores | None:
    from napari_whiskertoolbox.io.sleap import source_point_scores

    found = source_point_scores(pose)
    if found is None:
        return None
    first, locations, scores = found
    columns: dict[str, _Column] = {}
    instance_of: dict[str, str] = {}
    for i, individual in enumerate(pose.individuals):
        for j, bodypart in enumerate(pose.bodyparts):
            key = pose.key(individual, bodypart)
            if key is None:
                continue
            instance_of[key] = individual
            xy = locations[:, i, j]
            keep = np.isfinite(scores[:, i, j]) & np.isfinite(xy).all(axis=1)
            rows = np.flatnonzero(keep)
            if len(rows):
                columns[key] = (
                    rows.astype(np.int64) + first,
                    xy[rows].astype(np.float32),
                    scores[rows, i, j].astype(np.float64),
                )
    return SourceScores(columns, instance_of=instance_of)


def _siblings(pose: PoseSet) -> dict[str, list[str]]:
    """Return ``{key: keys of the same body part of the set's other individuals}``."""
    out: dict[str, list[str]] = {}
    for bodypart in pose.bodyparts:
        keys = [k for ind in pose.individuals if (k := pose.key(ind, bodypart)) is not None]
        for key in keys:
            out[key] = [k for k in keys if k != key]
    return out


def _exported_scores(pose: PoseSet) -> SourceScores | None:
    """Return the scores of a set read back from our NWB export (its source not at hand)."""
    from napari_whiskertoolbox.io.nwb_import import exported_confidences

    found = exported_confidences(pose.source)
    if found is None:
        return None
    columns: dict[str, _Column] = {}
    for (individual, bodypart), (times, coords, confidence) in found.items():
        key = pose.key(individual, bodypart)
        if key is not None:
            order = np.argsort(times, kind="stable")
            columns[key] = (times[order], coords[order], confidence[order])
    return SourceScores(columns)


def _nwb_scores(pose: PoseSet) -> SourceScores | None:
    from napari_whiskertoolbox.io.nwb_import import pose_confidences

    found = pose_confidences(pose.source)
    if found is None:
        return None
    columns: dict[str, _Column] = {}
    for parts in pose.keys.values():
        for bodypart, key in parts.items():
            if bodypart in found:
                columns[key] = found[bodypart]
    return SourceScores(columns)


def _dlc_scores(pose: PoseSet) -> SourceScores | None:
    from napari_whiskertoolbox.io.dlc import read_dlc_source

    source = pose.source
    table = read_dlc_source(source)
    if table is None or table.likelihood is None:
        return None
    if table.frames is not None:
        frames = np.asarray(table.frames, np.int64)
    else:
        frame_of_row = {str(row): int(f) for f, row in (source.get("rows") or {}).items()}
        frames = np.array([frame_of_row.get(row, -1) for row in table.rows], np.int64)
    scale = source.get("scale")
    factors = None if scale is None else np.asarray(scale, np.float32)
    column_of = {col: k for k, col in enumerate(table.columns)}
    columns: dict[str, _Column] = {}
    unknown: dict[str, np.ndarray] = {}
    for individual, parts in pose.keys.items():
        for bodypart, key in parts.items():
            k = column_of.get((individual, bodypart))
            if k is None or k in table.unscored:
                continue
            xy = table.xy[:, k]
            likelihood = table.likelihood[:, k]
            # An empty likelihood cell: a prediction of unknown score (NaN), still a prediction;
            # a cell saying nan: a NaN likelihood, failing any threshold.
            stated = (
                table.nan_likelihood[:, k]
                if table.nan_likelihood is not None
                else np.zeros(len(likelihood), bool)
            )
            keep = (frames >= 0) & np.isfinite(xy).all(axis=1)
            order = np.argsort(frames[keep], kind="stable")
            coords = xy[keep][order].astype(np.float32)
            if factors is not None:
                coords = coords * factors  # as the reader scaled them
            columns[key] = (frames[keep][order], coords, likelihood[keep][order])
            unknown[key] = (np.isnan(likelihood) & ~stated)[keep][order]
    return SourceScores(columns, unknown=unknown)
