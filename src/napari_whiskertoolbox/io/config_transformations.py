"""The hook through which configs' ``transformations`` blocks run.

WhiskerToolbox's data-config loader runs a config's V1 ``transformations`` block after the
data loaded (reference ``wt_transforms.md`` §6.5), and a failing step only goes to its log:
the data stays loaded. So here: a block that fails (a bad parameter, an unknown operation, a
missing input key) becomes a ``transform`` :class:`~.report.LoadNote` naming the config, the
block and the step, and the load goes on with everything loaded (and every step that ran
before the failure). The operations live in :mod:`napari_whiskertoolbox.transforms`, which
sits above ``io``; importing that package registers its runner here with
:func:`set_transformations_runner`. Without a runner, a config with a ``transformations``
block fails to load with an error saying what to import — the block is never silently
skipped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.report import LoadNote

if TYPE_CHECKING:
    from pathlib import Path

    from napari_whiskertoolbox.core.data_manager import DataManager

__all__ = [
    "TRANSFORMS_PACKAGE",
    "TransformationsRunner",
    "clear_transformations_runner",
    "get_transformations_runner",
    "run_config_transformations",
    "set_transformations_runner",
]

TransformationsRunner = Callable[["DataManager", Any], object]
"""``runner(dm, block)`` runs one ``transformations`` block (``{"metadata"?, "steps"}``) on
``dm``; it raises ``ValueError`` naming the failing step."""

TRANSFORMS_PACKAGE = "napari_whiskertoolbox.transforms"
"""The package whose import registers the runner."""

_lock = threading.Lock()
_runner: TransformationsRunner | None = None


def set_transformations_runner(
    runner: TransformationsRunner | None,
) -> TransformationsRunner | None:
    """Install the function that runs configs' ``transformations`` blocks.

    Parameters
    ----------
    runner : callable or None
        ``runner(dm, block)``; ``None`` removes the runner.

    Returns
    -------
    callable or None
        The runner installed before (so a caller can put it back).
    """
    global _runner
    with _lock:
        previous, _runner = _runner, runner
    return previous


def clear_transformations_runner() -> None:
    """Remove the runner: configs with a ``transformations`` block then fail to load."""
    set_transformations_runner(None)


def get_transformations_runner() -> TransformationsRunner | None:
    """Return the installed runner, or ``None``."""
    return _runner


def run_config_transformations(
    dm: DataManager,
    blocks: Sequence[Mapping[str, Any]],
    config: Path | None,
    runner: TransformationsRunner | None = None,
) -> list[LoadNote]:
    """Run each ``{"transformations": block}`` element of a config on ``dm``, in order.

    A block that fails does not stop the load (WhiskerToolbox logs the failure and keeps
    the data): its failure is returned as a ``transform`` note and the next block runs.
    Both entry points that load a config use this: :func:`~.config.load_config` (so
    opening a config in the viewer) and the JSON pipeline runner's load phase.

    Parameters
    ----------
    dm : DataManager
        The (staging) DataManager the config's data was loaded into.
    blocks : list of dict
        The config's ``{"transformations": ...}`` elements (from ``data`` or the root).
    config : Path or None
        The config file, for error messages (None: a config given as a dict).
    runner : callable, optional
        ``runner(dm, block)``; by default the installed one (the JSON pipeline runner
        passes one that sees its progress and cancel).

    Returns
    -------
    list of LoadNote
        One ``transform`` note per failed block (item ``transformations block <i>``, the
        config as path, the runner's reason naming the step and parameter).

    Raises
    ------
    FormatError
        No runner is installed (the message says what to import).
    """
    if not blocks:
        return []
    runner = runner or _runner
    if runner is None:
        raise FormatError(
            f"this config has {len(blocks)} 'transformations' block(s), which need "
            f"WhiskerToolbox's transforms: `import {TRANSFORMS_PACKAGE}` first (it installs "
            "the runner), or load it with napari_whiskertoolbox.scripting.load_for_script(path), "
            "which does; nothing was loaded",
            path=config,
            item="transformations",
        )
    notes = []
    for i, element in enumerate(blocks):
        try:
            runner(dm, element["transformations"])
        except ValueError as exc:
            message = f"failed and was left out (the data loaded): {exc}"
            notes.append(
                LoadNote(
                    f"transformations block {i}",
                    "transform",
                    message,
                    path=None if config is None else str(config),
                )
            )
    return notes
