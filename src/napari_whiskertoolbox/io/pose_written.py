"""The keypoints a pose set's writers write: what its keys hold, and the predictions hidden.

A DeepLabCut table read with a likelihood threshold (the project's ``pcutoff``) loads only
the predictions at or above it: the others are *hidden* — never drawn, so never deleted
or moved. Every writer of poses (DeepLabCut, SLEAP ``.slp`` and analysis ``.h5``, NWB)
writes them all the same, with their likelihood, as the source has them, except where the
key now holds a point (placed by hand there): the threshold decides what is drawn, not
what is kept. The hidden predictions are the source's (:func:`~.pose_scores.source_scores`:
the table read again, else the confidences our NWB export wrote for it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Mapping

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.io.pose import PoseSet
    from napari_whiskertoolbox.io.pose_scores import SourceScores

__all__ = [
    "KeyPoints",
    "hidden_predictions",
    "hiding_threshold",
    "threshold_hides",
    "written_points",
]


class KeyPoints(NamedTuple):
    """One key's points to write, sorted by time.

    Attributes
    ----------
    times : (n,) int64
        Indices on the key's clock, one point each.
    coords : (n, 2) float32
        ``(x, y)`` as the key holds them (hidden predictions as reading would have stored them).
    held : (n,) bool
        True for a point the key holds; False for a prediction the threshold hid.
    """

    times: np.ndarray
    coords: np.ndarray
    held: np.ndarray


def hiding_threshold(source: Mapping[str, Any]) -> float | None:
    """Return the likelihood below which a pose set's source predictions were not loaded.

    ``source``: the set's :attr:`~.pose.PoseSet.source`. None when reading hid nothing: not
    a DeepLabCut table with likelihoods, or threshold 0.
    """
    threshold = source.get("likelihood_threshold")
    if source.get("format") != "deeplabcut" or not source.get("likelihood") or not threshold:
        return None
    return float(threshold)


def threshold_hides(
    scores: np.ndarray, threshold: float, unknown: np.ndarray | None = None
) -> np.ndarray:
    """Return where a likelihood threshold hides predictions: the one rule of reading and writing.

    A score below ``threshold`` fails it, and so does a NaN score (a likelihood saying
    ``nan`` fails any threshold, as in WhiskerToolbox), except where ``unknown``: a score
    not given (a DeepLabCut CSV's empty likelihood cell, a prediction shown whatever the
    threshold). DeepLabCut reading, the keypoints layer's count of hidden keypoints, the
    writers' hidden predictions and the NWB import of our export all apply it.

    Parameters
    ----------
    scores : (n,) float64
        Likelihoods or confidences.
    threshold : float
        The likelihood threshold.
    unknown : (n,) bool, optional
        Where the score is not given (NaN, yet shown); none when omitted.

    Returns
    -------
    (n,) bool
        True where the prediction is hidden.
    """
    with np.errstate(invalid="ignore"):
        hides = ~(np.asarray(scores, np.float64) >= threshold)
    if unknown is not None:
        hides &= ~np.asarray(unknown, bool)
    return hides


def hidden_predictions(
    dm: DataManager, pose: PoseSet, scores: SourceScores | None = None
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Return the predictions of ``pose``'s source the threshold hid, by key.

    Parameters
    ----------
    dm : DataManager
        Holds the pose set's keys; a frame where a key holds a point has no hidden one.
    pose : PoseSet
        The pose set.
    scores : SourceScores, optional
        ``source_scores(pose)`` when the caller has it (read otherwise).

    Returns
    -------
    dict
        ``{key: (times (n,) int64, coords (n, 2) float32, likelihoods (n,) float64)}``;
        empty when nothing was hidden or the source is not at hand.
    """
    threshold = hiding_threshold(pose.source)
    if threshold is None:
        return {}
    if scores is None:
        from napari_whiskertoolbox.io.pose_scores import source_scores

        scores = source_scores(pose)
    if scores is None:
        return {}
    out = {}
    for key, (times, coords, likelihood) in scores.columns.items():
        below = threshold_hides(likelihood, threshold, scores.unknown.get(key))
        if key in dm:
            below &= ~np.isin(times, dm.get_data(key).times_with_data())
        if below.any():
            out[key] = (times[below], coords[below], likelihood[below])
    return out


def written_points(
    dm: DataManager,
    pose: PoseSet,
    hidden: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
) -> dict[str, KeyPoints]:
    """Return every key's points to write: those it holds and the hidden predictions.

    Parameters
    ----------
    dm : DataManager
        Holds the pose set's keys.
    pose : PoseSet
        The pose set.
    hidden : dict, optional
        :func:`hidden_predictions` when the caller has it (read otherwise).

    Returns
    -------
    dict
        ``{key: KeyPoints}`` for each key of the set in ``dm`` or with hidden predictions.
    """
    hidden = hidden_predictions(dm, pose) if hidden is None else hidden
    out = {}
    for key in pose.all_keys():
        if key in dm:
            flat = dm.get_data(key).to_flat()
            times = np.asarray(flat.times, np.int64)
            coords = np.asarray(flat.coords, np.float32).reshape(-1, 2)
        else:
            times, coords = np.empty(0, np.int64), np.empty((0, 2), np.float32)
        held = np.ones(len(times), bool)
        if key in hidden:
            more_times, more_coords, _ = hidden[key]
            times = np.concatenate([times, more_times])
            coords = np.concatenate([coords, more_coords.astype(np.float32)])
            held = np.concatenate([held, np.zeros(len(more_times), bool)])
            order = np.argsort(times, kind="stable")
            times, coords, held = times[order], coords[order], held[order]
        if key in dm or key in hidden:
            out[key] = KeyPoints(times, coords, held)
    return out
