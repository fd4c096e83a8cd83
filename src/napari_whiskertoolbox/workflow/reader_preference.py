"""Make our readers napari's preferred readers for the files both read, when the user asks.

napari's own reader also matches ``.csv``, ``.h5``, video and TIFF file names and every
folder, so napari asks "Choose reader" each time such a path is opened, unless a preferred
reader is set in napari's settings (``settings.plugins.extension2reader``, what the
dialog's "remember" box writes). The command "Open videos, data files and folders with
WhiskerToolbox" of napari's command palette (View > Command Palette;
:func:`prefer_whiskertoolbox_readers`) sets ours for all of them at once, never silently; napari's Preferences > Plugins lists and removes them.

With ours preferred nothing napari read is lost: napari's own points and shapes CSVs, and
folders none of ours, are handed to napari's reader (:mod:`napari_whiskertoolbox._reader`).
"""

from __future__ import annotations

import os

from napari.utils.notifications import show_info

__all__ = [
    "FOLDER_PATTERN",
    "PLUGIN_NAME",
    "prefer_our_readers",
    "prefer_whiskertoolbox_readers",
    "shared_reader_patterns",
]

PLUGIN_NAME = "napari-whiskertoolbox"
"""Our npe2 plugin name (what napari's reader preferences name)."""
NAPARI_PLUGIN_NAME = "napari"
"""napari's builtin reader's plugin name."""
FOLDER_PATTERN = f"*{os.sep}"
"""The reader-preference pattern matching every folder (napari matches a folder's path with a
trailing separator)."""


def _reader_patterns(plugin_name: str) -> tuple[list[str], bool]:
    import npe2

    manager = npe2.PluginManager.instance()
    if plugin_name not in manager:  # outside napari's app, nothing was discovered yet
        manager.discover()
    readers = manager.get_manifest(plugin_name).contributions.readers or []
    patterns = [pattern.lower() for reader in readers for pattern in reader.filename_patterns]
    return patterns, any(reader.accepts_directories for reader in readers)


def shared_reader_patterns() -> tuple[str, ...]:
    """Return our reader patterns that napari's own reader matches too, folders last.

    These are the paths napari asks "Choose reader" for (``*.csv``, ``*.mp4``, ``*.tif``…,
    and :data:`FOLDER_PATTERN` when both take folders); read from the installed manifests.
    """
    ours, our_folders = _reader_patterns(PLUGIN_NAME)
    napari_patterns, napari_folders = _reader_patterns(NAPARI_PLUGIN_NAME)
    shared = [pattern for pattern in dict.fromkeys(ours) if pattern in set(napari_patterns)]
    if our_folders and napari_folders:
        shared.append(FOLDER_PATTERN)
    return tuple(shared)


def prefer_our_readers(patterns: tuple[str, ...] | None = None) -> dict[str, str]:
    """Set ours as napari's preferred reader for ``patterns`` (napari's settings, saved).

    Parameters
    ----------
    patterns : tuple of str, optional
        napari reader-preference patterns (``"*.mp4"``, :data:`FOLDER_PATTERN`); by default
        :func:`shared_reader_patterns`.

    Returns
    -------
    dict of str to str
        The preferences that changed: pattern to the reader preferred before (``""`` when
        none was).
    """
    from napari.settings import get_settings

    plugins = get_settings().plugins
    before = dict(plugins.extension2reader)
    chosen = shared_reader_patterns() if patterns is None else patterns
    changed = {p: before.get(p, "") for p in chosen if before.get(p) != PLUGIN_NAME}
    if changed:
        plugins.extension2reader = {**before, **dict.fromkeys(changed, PLUGIN_NAME)}
    return changed


def prefer_whiskertoolbox_readers() -> dict[str, str]:
    """Prefer ours for every shared pattern and say so (the command palette's action)."""
    changed = prefer_our_readers()
    if changed:
        show_info(
            f"Videos, TIFF stacks, data files and folders ({', '.join(changed)}) now open "
            "with WhiskerToolbox without asking; napari's own points and shapes CSVs and "
            "folders WhiskerToolbox does not read still open with napari's reader. Undo in "
            "File > Preferences > Plugins."
        )
    else:
        show_info(
            "WhiskerToolbox already opens videos, TIFF stacks, data files and folders "
            "without asking (File > Preferences > Plugins lists the choices)."
        )
    return changed
