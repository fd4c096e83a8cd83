"""Empty keys written to files WhiskerToolbox's loaders refuse.

WhiskerToolbox registers an empty object for an empty points, lines, mask or intervals CSV,
but its events and analog CSV loaders fail the config item when the file holds no event or
sample (``wt_loaders.md`` §8.1, §7.2, §11): a key with nothing in it, written to such a
file, makes a config that no longer loads it. :func:`empty_file_refusal` says so before
anything is written (saving into a config's files) or after (Export).
"""

from __future__ import annotations

from typing import Any

__all__ = ["EMPTY_FILE_FAILS", "empty_file_refusal"]

EMPTY_FILE_FAILS: dict[tuple[str, str], tuple[str, str]] = {
    ("digital_event", "csv"): ("events", "events CSV"),
    ("analog", "csv"): ("samples", "analog CSV"),
}
"""``(data_type, format)`` whose WhiskerToolbox loader fails on a file holding nothing →
(what the key holds, the loader's name)."""


def empty_file_refusal(data_type: str, fmt: str | None, obj: Any) -> str | None:
    """Say why ``obj`` written as ``fmt`` would not load in WhiskerToolbox, or ``None``.

    Parameters
    ----------
    data_type : str
        The key's config ``data_type``.
    fmt : str or None
        The config ``format`` of the file it would be written to.
    obj : object
        The key's data (``len(obj)``: its events or samples).

    Returns
    -------
    str or None
        A phrase after the key's name (``"has no events: WhiskerToolbox's events CSV
        loader fails on a file without any"``), or ``None`` when the file would load.
    """
    what = EMPTY_FILE_FAILS.get((data_type, fmt or ""))
    if what is None or len(obj) > 0:
        return None
    held, loader = what
    return f"has no {held}: WhiskerToolbox's {loader} loader fails on a file without any"
