"""The optional dependencies of batch runs, and the message naming the extra that brings them."""

from __future__ import annotations

import importlib.util

__all__ = ["BATCH_EXTRA", "MissingBatchDependencyError", "require_batch_dependencies"]

BATCH_EXTRA = "napari-whiskertoolbox[batch]"
"""What to install for batch runs: dask.distributed (scheduling) and pyarrow (Parquet)."""

_MODULES = {
    "distributed": "dask.distributed",
    "pyarrow": "pyarrow",
    "pandas": "pandas",
    "filelock": "filelock",
}


class MissingBatchDependencyError(ImportError):
    """A package batch runs need is not installed; the message says what to install."""


def require_batch_dependencies() -> None:
    """Check that dask.distributed, pandas, pyarrow and filelock can be imported.

    Raises
    ------
    MissingBatchDependencyError
        Naming the missing packages and the ``[batch]`` extra that installs them.
    """
    missing = [label for name, label in _MODULES.items() if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingBatchDependencyError(
            f"batch runs need {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
            f"not installed; install them with: pip install '{BATCH_EXTRA}'"
        )
