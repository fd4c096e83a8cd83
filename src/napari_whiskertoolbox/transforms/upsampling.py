"""Upsampled clocks (reference §6.3 UpsampleTimeFrame, §3.4 SincInterpolation).

WhiskerToolbox's ``UpsampleTimeFrame`` ticks, and the clock a result upsampled ``k`` times
goes on when no clock is given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.transforms.errors import TransformError

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.data_manager import DataManager

__all__ = ["upsample_ticks", "upsampled_clock"]


def upsample_ticks(ticks: np.ndarray, factor: int) -> np.ndarray:
    """Upsampled clock ticks (reference §6.3 UpsampleTimeFrame).

    ``(N - 1) · k + 1`` entries: for each consecutive pair ``(a, b)``,
    ``round(a + j (b - a) / k)`` for ``j = 0 … k - 1`` (round half away from zero), then
    the last tick. ``N <= 1`` → a copy.
    """
    t = np.asarray(ticks, np.int64)
    if t.size <= 1:
        return t.copy()
    a = t[:-1, None].astype(np.float64)
    b = t[1:, None].astype(np.float64)
    x = a + np.arange(factor)[None, :] * (b - a) / factor
    rounded = np.sign(x) * np.floor(np.abs(x) + 0.5)
    return np.append(rounded.ravel(), t[-1]).astype(np.int64)


def upsampled_clock(
    dm: DataManager, clock: str, factor: int, owner: str
) -> tuple[str, TimeFrame | None]:
    """Return the name of ``clock`` upsampled ``factor`` times, and the clock to create.

    The name is ``<clock>_x<factor>``; the clock is ``None`` when the session already has
    it with exactly these ticks (as ``UpsampleTimeFrame`` would make them).

    Raises
    ------
    TransformError
        A clock of that name exists with other ticks.
    """
    name = f"{clock}_x{factor}"
    source = dm.get_time(clock)
    ticks = upsample_ticks(source.times, factor)
    if name in dm.time_keys():
        if np.array_equal(dm.get_time(name).times, ticks):
            return name, None
        raise TransformError(
            f"clock '{name}' exists with other ticks than '{clock}' upsampled {factor} times; "
            "choose the output clock",
            transform=owner,
            parameter="output_time_key",
        )
    return name, TimeFrame(ticks, source.sampling_rate)
