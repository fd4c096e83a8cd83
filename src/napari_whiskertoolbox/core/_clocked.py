"""The clock a data object was last bound to, kept on the object (WhiskerToolbox's model)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.timeframe import TimeFrame

__all__ = ["ClockedMixin"]


class ClockedMixin:
    """Gives a data object :attr:`time_frame`, the clock its times index into.

    The :class:`~napari_whiskertoolbox.core.DataManager` sets it when the object is stored
    (:meth:`DataManager.set_data`), rebound (:meth:`DataManager.set_time_key`) or its
    clock replaced (:meth:`DataManager.set_time`), as WhiskerToolbox's ``DataManager``
    does. It is None for an object never stored nor given one.

    Notes
    -----
    The manager's binding (``dm.time_key(key)``) is what the viewer and the transforms
    use; :meth:`set_time_frame` only changes what the object reports, as
    WhiskerToolbox's ``setTimeFrame`` does. Rebind a stored key with
    :meth:`DataManager.set_time_key`. Not pickled: an unpickled object has None until a
    manager stores it.
    """

    _time_frame: TimeFrame | None = None

    @property
    def time_frame(self) -> TimeFrame | None:
        """The clock the object's time indices refer to, or None."""
        return self._time_frame

    def set_time_frame(self, time_frame: TimeFrame | None) -> None:
        """Make ``time_frame`` the object's clock (None: no clock).

        Raises
        ------
        TypeError
            If ``time_frame`` is neither a TimeFrame nor None.
        """
        from napari_whiskertoolbox.core.timeframe import TimeFrame

        if time_frame is not None and not isinstance(time_frame, TimeFrame):
            raise TypeError(
                f"time_frame must be a TimeFrame or None, got {type(time_frame).__name__}"
            )
        self._time_frame = time_frame
