"""The values an events or intervals table of another tool holds for each of its rows.

An NWB ``EventsTable`` (a reward's ``volume``) or ``TimeIntervals`` (a trial's ``correct``,
``trial_type``) has columns besides its times. Our event and interval series hold times and
entity ids only, so those columns live in ``dm.metadata["table_columns"]``, one entry per
key, each row's value tied to the entity id of its event or interval::

    {key: {column: {"dtype": "bool", "description": "...", "ids": [...], "values": [...]}}}

``dtype`` is the column's numpy dtype name (``bool``, ``int64``, ``float64``...) or ``"str"``
for text; ``values`` are JSON values (``null`` for a float NaN). The entry follows a renamed
key and leaves with a deleted one. :func:`key_columns` gives them back as arrays; the NWB
export writes them as the table's own columns, of the same name, dtype and description.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.key_references import register_key_sources

if TYPE_CHECKING:
    from napari_whiskertoolbox.core import DataManager

__all__ = [
    "TABLE_COLUMNS",
    "TableColumns",
    "column_record",
    "key_columns",
    "record_columns",
    "row_values",
]

TABLE_COLUMNS = "table_columns"
"""``metadata`` entry ``{key: {column: record}}`` (see the module's docstring)."""

register_key_sources(TABLE_COLUMNS)

TEXT = "str"


@dataclass
class TableColumns:
    """A reader's columns of key ``key``'s table: ``{column: record}`` (:func:`column_record`)."""

    key: str
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)


def column_record(
    values: np.ndarray, ids: np.ndarray, description: str = ""
) -> dict[str, Any] | None:
    """Return the metadata record of one column: its values tied to the rows' entity ids.

    Parameters
    ----------
    values : ndarray
        ``(n,)`` the column, one value per row: bool, integer, float or text (bytes are
        decoded as UTF-8).
    ids : ndarray
        ``(n,)`` uint64 entity id of each row's event or interval.
    description : str
        The column's description.

    Returns
    -------
    dict or None
        None for values of another kind (n-D, compound, objects that are not text).
    """
    values = np.asarray(values)
    if values.ndim != 1 or len(values) != len(ids):
        return None
    kind = values.dtype.kind
    if kind in "biuf":
        dtype = values.dtype.name
        out: list[Any] = [None if kind == "f" and math.isnan(v) else v for v in values.tolist()]
    elif kind in "SUO":
        texts = [v.decode() if isinstance(v, bytes) else v for v in values.tolist()]
        if not all(isinstance(v, str) for v in texts):
            return None
        dtype, out = TEXT, texts
    else:
        return None
    return {
        "dtype": dtype,
        "description": str(description or ""),
        "ids": [int(i) for i in np.asarray(ids, np.uint64)],
        "values": out,
    }


def record_columns(dm: DataManager, key: str, columns: dict[str, dict[str, Any]]) -> None:
    """Record ``columns`` (``{column: record}``) of ``key`` in ``dm.metadata``."""
    if columns:
        dm.metadata.setdefault(TABLE_COLUMNS, {})[key] = dict(columns)


def row_values(record: dict[str, Any], ids: np.ndarray) -> tuple[np.ndarray, int]:
    """Return a column's value for each row of ``ids``, and how many rows have none.

    Rows whose entity id the record does not hold (an event added since) get NaN (float),
    ``""`` (text), or, for an integer or boolean column, NaN in a float64 array (counted:
    the column cannot hold the missing value in its own dtype).
    """
    dtype = str(record.get("dtype"))
    by_id = dict(zip(record.get("ids", []), record.get("values", [])))
    wanted = [int(i) for i in np.asarray(ids, np.uint64)]
    missing = sum(1 for i in wanted if i not in by_id)
    if dtype == TEXT:
        return np.asarray([str(by_id.get(i, "")) for i in wanted], dtype=object), missing
    if np.dtype(dtype).kind == "f":
        found = [np.nan if by_id.get(i) is None else by_id[i] for i in wanted]
        return np.asarray(found, dtype=dtype).reshape(-1), missing
    if missing:
        found = [np.nan if i not in by_id else float(by_id[i]) for i in wanted]
        return np.asarray(found, np.float64).reshape(-1), missing
    return np.asarray([by_id[i] for i in wanted], dtype=dtype).reshape(-1), 0


def key_columns(dm: DataManager, key: str) -> dict[str, np.ndarray]:
    """Return the table columns of events or intervals ``key``, a value per event / interval.

    Parameters
    ----------
    dm : DataManager
        The session.
    key : str
        A ``digital_event`` or ``digital_interval`` key.

    Returns
    -------
    dict
        ``{column: (n,) array}`` in the order of the key's events or intervals (its
        ``ids``), in the column's dtype (text: object array of str); ``{}`` for a key
        without columns. See :func:`row_values` for events without a value.
    """
    records = (dm.metadata.get(TABLE_COLUMNS) or {}).get(key) or {}
    ids = np.asarray(dm.get_data(key).ids, np.uint64)
    return {name: row_values(record, ids)[0] for name, record in records.items()}
