"""Refuse a batch started by a worker process re-importing the user's script.

Python starts each local dask worker with "spawn": the new process imports the script that
started the batch as ``__mp_main__``, so code at that script's top level runs again there.
A script opening napari and starting a batch without ``if __name__ == "__main__":`` would
open a second viewer and start a second batch in every worker (which then finds the first
one's ``batch.lock``); :func:`refuse_reimported_main` stops that second batch with the cause.
"""

from __future__ import annotations

import sys

__all__ = ["ReimportedMainError", "refuse_reimported_main"]


class ReimportedMainError(RuntimeError):
    """A batch was started while a spawned worker process re-imported the main script."""


def refuse_reimported_main() -> None:
    """Raise when this process is a spawned child running the main script's top level again.

    Raises
    ------
    ReimportedMainError
        Naming the script and the ``if __name__ == "__main__":`` guard it needs.
    """
    # multiprocessing's spawn runs the script as a module named "__mp_main__" and makes it
    # "__main__" only once its top level has run. In the starting process "__mp_main__" is
    # the original main module (named "__main__"), even after IPython (napari's console)
    # installs its own "__main__".
    reimported = sys.modules.get("__mp_main__")
    if (
        reimported is None
        or sys.modules.get("__main__") is reimported
        or getattr(reimported, "__name__", None) != "__mp_main__"
    ):
        return
    script = getattr(reimported, "__file__", None) or "the main script"
    raise ReimportedMainError(
        f"a batch was started while a worker process re-imported {script}: each local "
        "worker starts by importing the script that started the batch (Python's 'spawn'), "
        "which runs its top-level code again: the batch would start a second time (and "
        "napari open again, if the script opens it); put that code under "
        '`if __name__ == "__main__":`'
    )
