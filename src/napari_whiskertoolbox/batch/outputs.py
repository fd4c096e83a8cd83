"""Where each session of a batch saves: one folder per input, never another input's.

A session's folder is named by a rule of its path alone (:func:`.sessions.session_name`),
so a session run alone and in a group saves to the same place. An output folder that
already holds a finished session (its completion marker records the input path) belongs
to that input: a batch reuses the folder recorded for its own input (also one named by
an earlier version's rule), and never gives another input's folder to a session.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from napari_whiskertoolbox.batch.markers import MARKER_FILE, recorded_input
from napari_whiskertoolbox.batch.sessions import name_choices, session_name
from napari_whiskertoolbox.io.routing import session_folder_for

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["SESSIONS_DIR", "OutputClashError", "assign_outputs", "output_parents"]

SESSIONS_DIR = "sessions"
"""Folder of the per-session outputs inside the batch's output folder."""


class OutputClashError(ValueError):
    """Two inputs would save into one folder (the message names both)."""


def _beside(session: Path) -> Path:
    """Return the folder a session saved beside its input goes to."""
    if session.is_file() and session.suffix.lower() != ".json":  # media: <stem>.session beside it
        return session.with_name(f"{session.stem}.session")
    return session_folder_for(session)


def output_parents(paths: Sequence[Path], out_dir: Path, beside_input: bool) -> list[Path]:
    """Return the folders the sessions' output folders go into (what a batch locks)."""
    if not beside_input:
        return [out_dir / SESSIONS_DIR]
    return sorted({_beside(path).parent for path in paths})


def _same(recorded: str | None, path: Path) -> bool:
    return recorded is not None and Path(recorded) == path


def assign_outputs(
    paths: Sequence[Path], out_dir: Path, beside_input: bool
) -> list[tuple[str, Path]]:
    """Return each session's output name and folder.

    Parameters
    ----------
    paths : sequence of Path
        The sessions' absolute input paths.
    out_dir : Path
        The batch's output folder (its ``sessions/`` holds the session folders).
    beside_input : bool
        Save each session beside its input (``exp.json`` -> ``exp.session``, a session
        folder in place) instead.

    Returns
    -------
    list of tuple of (str, Path)
        Per path: its name and its folder. Under ``out_dir``: the folder whose marker
        records this input, if one does (its own, under whichever name); else
        :func:`~.sessions.session_name`, or the next of its
        :func:`~.sessions.name_choices` when the name is held by another input (recorded
        in its marker, or an earlier path of this batch).

    Raises
    ------
    OutputClashError
        Saving beside the inputs, two inputs would save into the same folder, or a
        folder holds another input's finished session (naming both inputs).
    """
    if beside_input:
        return _beside_outputs(paths)
    sessions_dir = out_dir / SESSIONS_DIR
    holders: dict[str, Path] = {}
    if sessions_dir.is_dir():
        for marker in sessions_dir.glob(f"*/{MARKER_FILE}"):
            recorded = recorded_input(marker.parent)
            if recorded is not None:
                holders[marker.parent.name] = Path(recorded)
    given: dict[str, Path] = {}
    out = []
    for path in paths:
        choices = name_choices(path)

        def free(name: str, path: Path = path) -> bool:
            if name in given:
                return False
            holder = holders.get(name)
            return holder is None or holder == path or sessions_dir / name == path

        own = [name for name, holder in holders.items() if holder == path and name not in given]
        preferred = [name for name in choices if name in own] + sorted(own)
        name = next(iter(preferred), None) or next((n for n in choices if free(n)), None)
        if name is None:
            last = choices[-1]
            other = given.get(last) or holders[last]
            raise OutputClashError(
                f"{path} and {other} would both save into {sessions_dir / last}: "
                "give another output folder for one of them"
            )
        given[name] = path
        out.append((name, sessions_dir / name))
    return out


def _beside_outputs(paths: Sequence[Path]) -> list[tuple[str, Path]]:
    """Return each session's name and folder beside its input (see :func:`assign_outputs`)."""
    given: dict[Path, Path] = {}
    out = []
    for path in paths:
        folder = _beside(path)
        holder = given.get(folder)
        where = f"it and {holder} would both save into {folder}"
        recorded = recorded_input(folder)
        if holder is None and folder != path and recorded is not None and not _same(recorded, path):
            holder = Path(recorded)
            where = f"{folder} holds the saved session of {holder} (its {MARKER_FILE})"
        if holder is not None:
            raise OutputClashError(
                f"{path}: {where}; saving it beside its input would overwrite that one: "
                f"run the batch with an output folder (--out) instead, or move one of them"
            )
        given[folder] = path
        out.append((session_name(path), folder))
    return out
