"""Import an optional package, or fail with an error naming the extra that installs it."""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

__all__ = ["EXTRA_OF_MODULE", "MissingDependencyError", "require", "require_installed"]

EXTRA_OF_MODULE: dict[str, tuple[str, str]] = {
    "tables": ("tables", "deeplabcut"),
    "sleap_io": ("sleap-io", "sleap"),
    "pynwb": ("pynwb", "nwb"),
    "ndx_pose": ("ndx-pose", "nwb"),
    "nwbinspector": ("nwbinspector", "nwb"),
    "neo": ("neo", "ephys"),
    "whisk": ("whisk-janelia", "tracing"),
}
"""Import name → (distribution name, extra of napari-whiskertoolbox that installs it)."""


class MissingDependencyError(ImportError):
    """An optional package needed for a file format is not installed."""


def require(module: str, feature: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the extra to install.

    Parameters
    ----------
    module : str
        Import name, a key of :data:`EXTRA_OF_MODULE`.
    feature : str
        What needs it, for the message (e.g. ``"reading SLEAP .slp files"``).

    Returns
    -------
    module
        The imported module.

    Raises
    ------
    MissingDependencyError
        The package is not installed (or fails to import).
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise _missing(module, feature, str(exc)) from exc


def require_installed(module: str, feature: str) -> None:
    """Raise :class:`MissingDependencyError` unless ``module`` is installed (not imported).

    For packages whose import has side effects the caller's process should not get (they
    are imported in a worker process).

    Parameters
    ----------
    module : str
        Import name, a key of :data:`EXTRA_OF_MODULE`.
    feature : str
        What needs it, for the message.

    Raises
    ------
    MissingDependencyError
        The package is not installed.
    """
    if importlib.util.find_spec(module) is None:
        raise _missing(module, feature, f"no module named {module!r}")


def _missing(module: str, feature: str, reason: str) -> MissingDependencyError:
    dist, extra = EXTRA_OF_MODULE[module]
    return MissingDependencyError(
        f"{feature} needs the Python package {dist!r}, which is not installed; install it "
        f"with: pip install 'napari-whiskertoolbox[{extra}]' ({reason})"
    )
