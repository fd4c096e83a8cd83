"""Clocks of a file joining a DataManager whose clocks may count other ticks.

design.md §3: all clocks of a DataManager count ticks of one master clock, so index ``i``
of clock A is ``B.index_at_time(A.time_at_index(i))`` in clock B. Files of other tools
bring clocks of their own units: an Open Ephys or Intan recording counts its samples
(30 kHz), an NWB file ticks of its own rate, a video its frames. When such a file joins a
DataManager that already has clocks, both are put on one tick rate — the least common
multiple of theirs (:func:`~.tick_rate.common_multiple`, the rule NWB import uses: 30 and
1000 → 3000, 30000 and 1e7 → 3e7), so every tick of either side is a whole tick of it and
every time stays the same number of seconds — by scaling ticks with the ratio of their
``sampling_rate`` (ticks per second): ``ticks * target_rate / rate``. Where that rate would
count a clock's ticks past :data:`~.tick_rate.MAX_TICK` (a rate given as an odd float), the
finer of the rates is used and the clocks it rounds are reported with their keys and
largest rounding error (:func:`joint_rate`). Rescaling all of a DataManager's clocks by one
factor leaves every conversion between them unchanged; data keys hold indices, not ticks,
and are untouched.

Clocks without a rate (WhiskerToolbox's own clocks carry none) cannot be aligned: their
ticks are compared as they are, with a warning naming the clocks and how to give them a
rate (:meth:`~napari_whiskertoolbox.core.DataManager.set_sampling_rate`); a video joining
clocks that count only frames (a DeepLabCut or SLEAP file opened alone) runs on them frame for
frame without one, unless their data reach past its last frame.

A file's clock whose name the DataManager already uses for other ticks joins under a
free name (``name_2``, ``name_3``, …) instead of replacing it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.core.rate_hint import frames_without_rate
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.io.report import LoadNote, LoadReport
from napari_whiskertoolbox.io.tick_rate import MAX_TICK, TickRate, common_multiple

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.core.media import MediaData

__all__ = [
    "frame_clock",
    "join_clocks",
    "joint_rate",
    "media_clock",
    "on_one_rate",
    "rescaled",
    "shared_rate",
    "tick_rate",
]

logger = logging.getLogger(__name__)


def rescaled(clock: TimeFrame, sampling_rate: float) -> TimeFrame:
    """Return ``clock`` counted in ticks of ``sampling_rate`` per second.

    Parameters
    ----------
    clock : TimeFrame
        A clock with a ``sampling_rate`` (ticks per second).
    sampling_rate : float
        The rate to count in.

    Returns
    -------
    TimeFrame
        Ticks ``round(times * sampling_rate / clock.sampling_rate)`` (int64), with
        ``sampling_rate``; ``clock`` itself when the rates are equal. A regular clock
        (counting, or :meth:`~napari_whiskertoolbox.core.timeframe.TimeFrame.regular`)
        stays regular, its start and step scaled: a 2e9-sample clock costs no memory.

    Raises
    ------
    ValueError
        ``clock`` has no sampling rate.
    """
    rate = clock.sampling_rate
    if rate is None:
        raise ValueError("a clock without a sampling_rate cannot be rescaled")
    if rate == sampling_rate:
        return clock
    factor = float(sampling_rate) / rate
    whole = round(factor)
    if whole >= 1 and abs(factor - whole) <= 1e-12 * factor:
        factor = whole  # a common multiple of rates given as floats (29.97 → 29970000)
    form = clock.regular_form
    if form is not None:
        start, step = form
        return TimeFrame.regular(len(clock), step * factor, start * factor, sampling_rate)
    ticks = np.rint(clock.times * factor).astype(np.int64)
    return TimeFrame(ticks, sampling_rate)


def _in_use(dm: DataManager) -> list[str]:
    """Clocks of ``dm`` that hold ticks (the automatic, empty ``"time"`` clock does not)."""
    return [name for name in dm.time_keys() if len(dm.get_time(name)) > 0]


def shared_rate(clocks: Iterable[TimeFrame]) -> float | None:
    """Return the ticks per second all non-empty ``clocks`` share, else None.

    None when none of them holds ticks, when one of them has no sampling rate, or when
    their rates disagree.
    """
    rates = {clock.sampling_rate for clock in clocks if len(clock) > 0}
    if len(rates) != 1:
        return None
    (rate,) = rates
    return rate


def tick_rate(dm: DataManager) -> float | None:
    """Return the ticks per second all of ``dm``'s non-empty clocks share, else None.

    None when ``dm`` has no non-empty clock, when one of them has no sampling rate, or
    when their rates disagree (such clocks are left as they are).
    """
    return shared_rate(dm.get_time(name) for name in _in_use(dm))


def _sample_indices(n: int) -> np.ndarray:
    """Return the first 4096 indices of ``n`` and about 60000 more spread over the rest."""
    if n <= 65536:
        return np.arange(n, dtype=np.int64)
    return np.concatenate([np.arange(4096), np.arange(4096, n, n // 61440), [n - 1]]).astype(
        np.int64
    )


def _rescaling_error(clock: TimeFrame, rate: float) -> float:
    """Return the largest change in seconds of ``clock``'s times counted at ``rate`` (0: none).

    Over its first 4096 ticks and about 60000 more spread over the rest (a regular clock of
    2e9 samples is never built).
    """
    own = clock.sampling_rate
    if own is None or len(clock) == 0:
        return 0.0
    ticks = clock.times_at_indices(_sample_indices(len(clock))).astype(np.float64)
    moved = np.rint(ticks * (rate / own)) / rate
    return float(np.abs(moved - ticks / own).max())


def joint_rate(clocks: Mapping[str, TimeFrame]) -> TickRate:
    """Return the tick rate that ``clocks`` (all with a sampling rate) are put on together.

    Parameters
    ----------
    clocks : mapping of str to TimeFrame
        Clocks by name, each with a ``sampling_rate`` (ticks per second); empty ones count
        for nothing.

    Returns
    -------
    TickRate
        The least common multiple of their rates (:func:`~.tick_rate.common_multiple`),
        at which each of their ticks is a whole tick, with ``inexact`` empty; when that
        rate would count a clock's ticks past :data:`~.tick_rate.MAX_TICK`, the finest of
        their rates, with ``inexact`` naming each clock it rounds and its largest rounding
        error in seconds.
    """
    rated = {n: c for n, c in clocks.items() if len(c) > 0 and c.sampling_rate is not None}
    if not rated:
        return TickRate(1.0, [])
    common = float(common_multiple(c.sampling_rate or 1.0 for c in rated.values()))

    def fits(clock: TimeFrame, rate: float) -> bool:
        edge = max(abs(clock.time_at_index(0)), abs(clock.time_at_index(len(clock) - 1)))
        return edge * (rate / (clock.sampling_rate or 1.0)) <= MAX_TICK

    if np.isfinite(common) and all(fits(c, common) for c in rated.values()):
        return TickRate(common, [])
    finest = max(c.sampling_rate or 1.0 for c in rated.values())
    errors = [(n, _rescaling_error(c, finest)) for n, c in rated.items()]
    return TickRate(finest, [(n, e) for n, e in errors if e > 0])


def _tell_rounded(dm: DataManager | None, source: str, chosen: TickRate) -> None:
    """Report the clocks (and their keys in ``dm``) that no exact common rate holds."""
    if not chosen.inexact:
        return
    parts = []
    for name, error in chosen.inexact:
        keys = [] if dm is None else [k for k in dm if dm.time_key(k) == name]
        held = f" (keys {', '.join(map(repr, keys))})" if keys else ""
        parts.append(f"clock {name!r}{held} by up to {error:.3g} s")
    message = (
        f"no tick rate counts every time of the session and the file exactly within "
        f"{MAX_TICK:.3g} ticks: they count {chosen.rate:g} ticks per second, which rounds "
        + "; ".join(parts)
    )
    logger.warning("%s: %s", source, message)
    LoadReport().extend([LoadNote(Path(source).name, "clock", message, path=source)])


def on_one_rate(
    clock: TimeFrame, others: Mapping[str, TimeFrame], source: str = "config"
) -> tuple[TimeFrame, dict[str, TimeFrame]]:
    """Put ``clock`` and ``others`` on one tick rate, a common multiple of theirs.

    The rule :func:`join_clocks` applies to a file joining a DataManager, for clocks not
    yet in one (a config's video clock and the config's other clocks).

    Parameters
    ----------
    clock : TimeFrame
        The joining clock (e.g. a video's frames at its frame rate).
    others : mapping of str to TimeFrame
        The clocks it joins, by name.
    source : str
        What ``clock`` comes from, for the warning when no exact common rate exists.

    Returns
    -------
    tuple of (TimeFrame, dict of str to TimeFrame)
        ``clock`` counted in the common rate (:func:`joint_rate`), and those of ``others``
        that had to be rescaled (all non-empty ones, by one factor, when the common rate
        is not theirs; none otherwise). Unchanged, with no rescaled clock, when ``clock``
        has no rate or ``others`` do not share one (:func:`shared_rate`): such ticks are
        compared as they are.
    """
    rate = clock.sampling_rate
    common = shared_rate(others.values())
    if rate is None or common is None or rate == common:
        return clock, {}
    chosen = joint_rate({**{n: o for n, o in others.items() if len(o) > 0}, source: clock})
    _tell_rounded(None, source, chosen)
    target = chosen.rate
    moved = {
        name: rescaled(other, target)
        for name, other in others.items()
        if len(other) > 0 and target != common
    }
    return rescaled(clock, target), moved


def _tell_unaligned(dm: DataManager, source: str, what: str) -> None:
    """Log (and so show in napari) that ``source``'s clocks cannot be lined up with ``dm``'s."""
    present = _in_use(dm)
    names = ", ".join(repr(n) for n in present)
    images = [key for key in (frames_without_rate(dm, name) for name in present) if key]
    lacking = (
        f"the clock {names} has no sampling rate"
        if len(present) == 1
        else f"the clocks {names} have no common sampling rate"
    ) + (f" (the images of {images[0]!r} have no frame rate)" if images else "")
    message = (
        f"{what}, but {lacking}: their ticks are compared as they are. Give them one with "
        "dm.set_sampling_rate(name, ticks_per_second) before opening the file to align them."
    )
    LoadReport().extend([LoadNote(Path(source).name, "clock", message, path=source)])


def join_clocks(
    dm: DataManager, clocks: Sequence[tuple[str, TimeFrame]], source: str
) -> dict[str, str]:
    """Set a file's clocks in ``dm``, on the tick rate of ``dm``'s own clocks.

    Parameters
    ----------
    dm : DataManager
        Where the clocks go. Its non-empty clocks are rescaled (one factor for all) when
        the file's clocks tick faster.
    clocks : sequence of (str, TimeFrame)
        The file's clocks by name.
    source : str
        The file, for the log messages.

    Returns
    -------
    dict of str to str
        Each given clock name → the name it has in ``dm`` (another one when ``dm``
        already has a clock of that name with other ticks).
    """
    names = {name: name for name, _ in clocks}
    present = _in_use(dm)
    if not present:
        for name, clock in clocks:
            dm.set_time(name, clock)
        return names
    session_rate = tick_rate(dm)
    rates = [clock.sampling_rate for _, clock in clocks if clock.sampling_rate is not None]
    if rates and session_rate is None:
        counted = " / ".join(f"{r:g}" for r in sorted(set(rates)))
        _tell_unaligned(dm, source, f"its clocks count {counted} ticks per second")
    if session_rate is not None and rates:
        mine = {name: dm.get_time(name) for name in present}
        theirs = {f"{name} ({Path(source).name})": c for name, c in clocks}
        chosen = joint_rate({**mine, **theirs})
        _tell_rounded(dm, source, chosen)
        target = chosen.rate
        if target != session_rate:
            for name in present:
                dm.set_time(name, rescaled(dm.get_time(name), target))
            logger.info(
                "%s: the session's clocks now count %g ticks per second (were %g), a common "
                "multiple of the file's rates",
                source,
                target,
                session_rate,
            )
        clocks = [
            (name, clock if clock.sampling_rate is None else rescaled(clock, target))
            for name, clock in clocks
        ]
    taken: set[str] = set()
    for name, clock in clocks:
        if name in present and dm.get_time(name) != clock:
            names[name] = first_free(name, lambda c: c in dm.time_keys() or c in taken)
            logger.info(
                "%s: its clock %r joins as %r (the session's %r counts other ticks)",
                source,
                name,
                names[name],
                name,
            )
        taken.add(names[name])
        dm.set_time(names[name], clock)
    return names


def media_clock(dm: DataManager, key: str, media: MediaData, source: str) -> str:
    """Return the clock a media opened into ``dm`` under ``key`` runs on, setting it up.

    A video's frames tick at its frame rate (``media.fps``); a variable-frame-rate video's
    at their timestamps (:func:`frame_clock`). Into a DataManager with no clock in use,
    the media runs on the ``"time"`` clock, which becomes its frames ``0 .. n-1`` at the frame
    rate (a variable-rate video: its frame clock) and no longer grows with the data bound
    to it, as a config's video clock. Into one
    whose clocks share a known tick rate, it gets a clock of its own, ``<key>_clock``
    (frames ``0 .. n-1`` at the frame rate, or its frame clock, joined by
    :func:`join_clocks`, so frame 0 is at tick 0). Otherwise (no frame rate, or clocks
    without a rate, as WhiskerToolbox's) it runs on ``"time"``, as in WhiskerToolbox.

    Parameters
    ----------
    dm : DataManager
        Where the media goes.
    key : str
        Its key.
    media : MediaData
        The opened media (a video has ``fps``, frames per second or None).
    source : str
        The file, for log messages.

    Returns
    -------
    str
        The clock name to bind ``key`` to.
    """
    fps = getattr(media, "fps", None)
    if fps is None:
        return "time"
    stamped = frame_clock(media)
    if not _in_use(dm):
        # The video's own frames, as a config's video sets them: "time" stops growing with
        # the data, so a file whose frames run past the video is noted, not framed.
        frames = stamped if stamped is not None else TimeFrame.from_count(len(media), float(fps))
        dm.set_time("time", frames)
        return "time"
    if tick_rate(dm) is None:
        counted = _counted_frames(dm)
        if counted is None:
            _tell_unaligned(dm, source, f"its {fps:g} frames per second run on 'time'")
        elif counted > len(media):
            _tell_unaligned(
                dm,
                source,
                f"its {len(media)} frames run on 'time', whose data reach frame {counted - 1}",
            )
        else:  # frame i of the video is frame i of the annotations: nothing to warn about
            logger.info("%s: its frames run on 'time', which counts frames", source)
        return "time"
    name = first_free(f"{key}_clock", dm.time_keys().__contains__)
    frames = stamped if stamped is not None else TimeFrame.from_count(len(media), float(fps))
    return join_clocks(dm, [(name, frames)], source)[name]


def _counted_frames(dm: DataManager) -> int | None:
    """Return how many frames ``dm``'s clocks count when they count only frames, else None.

    Clocks of ticks ``0 .. n-1`` without a rate holding only per-frame annotations (points,
    lines, masks, events, intervals: a DeepLabCut or SLEAP file opened alone) count the
    frames of the video they were made on; a signal's clock counts its samples, and other
    images (a folder without a frame rate) frames of their own.
    """
    from napari_whiskertoolbox.core.kinds import RAGGED_KINDS

    framed = {*RAGGED_KINDS, "digital_event", "digital_interval"}
    present = _in_use(dm)
    if not present or not all(dm.get_time(name).is_counting for name in present):
        return None
    if any(dm.data_type(key) not in framed for key in dm if dm.time_key(key) in present):
        return None
    return max(len(dm.get_time(name)) for name in present)


def frame_clock(media: MediaData) -> TimeFrame | None:
    """Return the clock of a variable-frame-rate video's real frame times, else None.

    Parameters
    ----------
    media : MediaData
        Opened media; a video tells ``variable_frame_rate`` and ``frame_ticks``.

    Returns
    -------
    TimeFrame or None
        Ticks ``pts - pts[0]`` of each frame at ``1 / time_base`` ticks per second (frame
        ``i`` at ``frame_times[i]`` seconds), when the video's timestamps stray from its
        average rate by more than half a frame. None for constant-rate video (its clock
        is the cheap counting one at ``fps``), video without timestamps, and image stacks.
    """
    if not getattr(media, "variable_frame_rate", False):
        return None
    stamped = getattr(media, "frame_ticks", None)
    if stamped is None:
        return None
    ticks, per_second = stamped
    return TimeFrame(ticks, per_second)
