"""TensorData: a float32 N-d array with optional column names and row labels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from psygnal import Signal

from napari_whiskertoolbox.core._arrays import readonly, readonly_view
from napari_whiskertoolbox.core._clocked import ClockedMixin
from napari_whiskertoolbox.core._pickling import restored_array
from napari_whiskertoolbox.core._recording import RecordingMixin
from napari_whiskertoolbox.core.history import Change
from napari_whiskertoolbox.core.writable import WritableStorage, is_shared, share, writable_block
from napari_whiskertoolbox.core.wtb_aliases import CallableInt, CallableShape, TensorAliases

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from contextlib import AbstractContextManager

    from numpy.typing import ArrayLike

__all__ = ["TensorData"]

RowType = Literal["ordinal", "time", "interval"]
ROW_TYPES = ("ordinal", "time", "interval")
RowMatch = Literal["exact", "at_or_after", "at_or_before"]


class TensorData(RecordingMixin, ClockedMixin, TensorAliases):
    """A float32 N-d array (rows first) with optional column names and a row type.

    WhiskerToolbox's API (``createOrdinal2D``, ``ndim()``, ``numRows()``, ``getColumn``,
    ``columnNames()``, …) comes from :class:`~napari_whiskertoolbox.core.wtb_aliases.TensorAliases`.

    Parameters
    ----------
    values : array_like
        Data, stored as float32 (at least 1-D).
    column_names : sequence of str, optional
        One name per column (``shape[1]``; needs ``values.ndim >= 2``).
    row_type : {"ordinal", "time", "interval"}
        What a row stands for: its position, a time index, or an ``[start, end]`` interval.
    rows : array_like, optional
        Row labels: ``(N,)`` int time indices for ``"time"``, ``(N, 2)`` for ``"interval"``;
        must be None for ``"ordinal"``.
    """

    changed = Signal(object)

    def __init__(
        self,
        values: ArrayLike,
        column_names: Sequence[str] | None = None,
        row_type: RowType = "ordinal",
        rows: ArrayLike | None = None,
    ) -> None:
        arr = np.array(values, dtype=np.float32, copy=True)
        if arr.ndim == 0:
            raise ValueError("TensorData values must have at least one dimension")
        self._values = arr
        self._view = readonly_view(arr)
        if row_type not in ROW_TYPES:
            raise ValueError(f"row_type must be one of {ROW_TYPES}, got {row_type!r}")
        self.row_type: RowType = row_type
        self.column_names = self._check_columns(column_names)
        self.rows = self._check_rows(rows)

    def __getstate__(self) -> dict[str, Any]:
        return {
            "values": self._values,
            "column_names": self.column_names,
            "row_type": self.row_type,
            "rows": self.rows,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._values = restored_array(state["values"], np.float32)
        self._view = readonly_view(self._values)
        self.row_type = state["row_type"]
        self.column_names = state["column_names"]
        rows = state["rows"]
        self.rows = None if rows is None else restored_array(rows, np.int64)

    def _check_columns(self, names: Sequence[str] | None) -> list[str] | None:
        if names is None:
            return None
        names = [str(n) for n in names]
        if self._values.ndim < 2 or len(names) != self._values.shape[1]:
            raise ValueError(
                f"got {len(names)} column names for values of shape {self._values.shape} "
                "(expected one per column, shape[1])"
            )
        return names

    def _check_rows(self, rows: ArrayLike | None) -> np.ndarray | None:
        n = self._values.shape[0]
        if self.row_type == "ordinal":
            if rows is not None:
                raise ValueError("rows must be None when row_type is 'ordinal'")
            return None
        if rows is None:
            raise ValueError(f"row_type {self.row_type!r} needs rows")
        arr = np.asarray(rows)
        expected = (n,) if self.row_type == "time" else (n, 2)
        if arr.shape != expected:
            raise ValueError(
                f"rows for row_type {self.row_type!r} must have shape {expected}, got {arr.shape}"
            )
        if not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(f"rows must be integer time indices, got dtype {arr.dtype}")
        return readonly(arr.astype(np.int64))

    @property
    def values(self) -> np.ndarray:
        """Read-only float32 view of the data (zero-copy)."""
        return self._view

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the data (also callable, as WhiskerToolbox's ``shape()``)."""
        return CallableShape(self._values.shape)

    @property
    def ndim(self) -> int:
        """Number of dimensions (also callable, as WhiskerToolbox's ``ndim()``)."""
        return CallableInt(self._values.ndim)

    def __len__(self) -> int:
        return int(self._values.shape[0])

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is not None and np.dtype(dtype) != self._view.dtype:
            if copy is False:
                raise ValueError("cannot convert TensorData values without a copy")
            return self._view.astype(dtype)
        return self._view.copy() if copy else self._view

    def writable(self) -> AbstractContextManager[np.ndarray]:
        """Return a ``with`` block handing out the data as a writable zero-copy array.

        On leaving the block the edit is one undo step (in a DataManager) and one
        ``changed`` signal; the frames touched are known for ``"time"`` rows. See
        :mod:`napari_whiskertoolbox.core.writable`.
        """
        return writable_block(
            self, WritableStorage(self._writable_values, self._frames_of, "edit tensor values")
        )

    def frozen_values(self) -> Callable[[], np.ndarray]:
        """Return a function giving :attr:`values` as they are now, from any thread.

        Nothing is copied here; an in-place ``writable()`` edit made while the function
        lives writes into a copy (see :func:`~napari_whiskertoolbox.core.writable.share`).
        """
        values = self._values
        token = share(values)

        def read() -> np.ndarray:
            _ = token  # lent while this function lives
            return readonly_view(values)

        return read

    def _writable_values(self) -> np.ndarray:
        if is_shared(self._values):  # a background save reads it: write into a copy
            self._values = self._values.copy()
            self._view = readonly_view(self._values)
        return self._values

    def _frames_of(self, positions: np.ndarray) -> np.ndarray | None:
        if self.row_type != "time" or self.rows is None:
            return None
        row_size = int(np.prod(self._values.shape[1:], dtype=np.int64))
        return np.unique(self.rows[positions // max(row_size, 1)])

    def set_column_names(self, names: Sequence[str] | None) -> None:
        """Name the columns (``None`` or an empty sequence: no names); emits ``changed``.

        Not an undo step.

        Raises
        ------
        ValueError
            If there is not one name per column (``shape[1]``), or the tensor is 1-D.
        """
        self.column_names = self._check_columns(list(names) if names else None)
        self._emit(Change.everything())

    def row_of_time(self, time: int, match: RowMatch = "exact") -> int | None:
        """Return the row labelled with time index ``time``, or None if there is none.

        Parameters
        ----------
        time : int
            A time index of the tensor's clock.
        match : {"exact", "at_or_after", "at_or_before"}
            ``"exact"``: the first row labelled ``time``; ``"at_or_after"``: the row with
            the smallest label ``>= time``; ``"at_or_before"``: the row with the largest
            label ``<= time`` (the first such row when labels repeat).

        Raises
        ------
        ValueError
            If the rows are not time-labelled (``row_type != "time"``) or ``match`` is
            not one of the three.
        """
        if self.row_type != "time" or self.rows is None:
            raise ValueError(
                f"row_of_time needs time-labelled rows, this tensor's are {self.row_type!r}"
            )
        t = int(time)
        rows = self.rows
        if match == "exact":
            candidates = rows == t
        elif match == "at_or_after":
            candidates = rows >= t
            if candidates.any():
                candidates &= rows == rows[candidates].min()
        elif match == "at_or_before":
            candidates = rows <= t
            if candidates.any():
                candidates &= rows == rows[candidates].max()
        else:
            raise ValueError(
                f"match must be 'exact', 'at_or_after' or 'at_or_before', got {match!r}"
            )
        hits = np.flatnonzero(candidates)
        return int(hits[0]) if hits.size else None

    def column(self, name: str) -> np.ndarray:
        """Return column ``name`` (a view)."""
        if not self.column_names or name not in self.column_names:
            raise KeyError(f"no column {name!r}; columns: {self.column_names or []}")
        return self._view[:, self.column_names.index(name)]

    def __repr__(self) -> str:
        rows = "" if self.row_type == "ordinal" else f", rows={self.row_type!r}"
        cols = f", columns={self.column_names}" if self.column_names else ""
        return f"TensorData(shape={tuple(self.shape)}{rows}{cols})"
