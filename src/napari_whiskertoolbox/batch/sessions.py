"""Which sessions a batch runs over: paths, globs and manifest files, and their output names."""

from __future__ import annotations

import csv
import glob
import hashlib
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from napari_whiskertoolbox.batch.own_files import BatchOutputs, is_batch_file
from napari_whiskertoolbox.core.counted import counted
from napari_whiskertoolbox.io.csv_tools import read_text
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.routing import (
    SESSION_FOLDER_SUFFIX,
    classify_path,
    is_session_folder,
)
from napari_whiskertoolbox.io.session import SESSION_FILE

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "MANIFEST_COLUMN",
    "expand_sessions",
    "expand_sessions_with_columns",
    "find_sessions",
    "is_manifest",
    "read_manifest",
    "session_name",
    "session_names",
    "skipped_note",
]

MANIFEST_COLUMN = "session"
"""Column of a CSV manifest that holds the session paths."""
_MANIFEST_SUFFIXES = (".txt", ".csv", ".tsv", ".lst")
_GLOB_CHARS = frozenset("*?[")


def is_session(path: str | os.PathLike[str]) -> bool:
    """Return whether ``path`` opens as a whole session.

    A session folder, a WhiskerToolbox ``.json`` config, media, or another tool's project
    (DeepLabCut, SLEAP, NWB, ephys); a lone data file (a CSV of events, say) is not one.
    """
    return classify_path(path) not in (None, "data_file")


def is_manifest(path: Path) -> bool:
    """Return whether ``path`` is a manifest file (a ``.txt``/``.csv``/``.tsv``/``.lst`` file)."""
    return path.is_file() and path.suffix.lower() in _MANIFEST_SUFFIXES


def read_manifest(path: str | os.PathLike[str]) -> list[Path]:
    """Read the session paths a manifest lists; relative paths are relative to the manifest.

    A ``.csv``/``.tsv`` manifest has a header row with a ``session`` column (any case;
    cells separated by ``,``, ``;`` or tabs, blank rows skipped); any other manifest holds
    one path a line (blank lines and lines starting with ``#`` are skipped).

    Raises
    ------
    FormatError
        A CSV manifest without a ``session`` column, or with an empty cell (naming the line).
    """
    return [entry for _, entry, _ in _manifest_entries(path)]


def _manifest_entries(path: str | os.PathLike[str]) -> list[tuple[int, Path, dict[str, str]]]:
    """Return ``(line number, session path, other cells)`` for each entry of a manifest.

    The other cells are a CSV manifest's other columns (``{"animal": "m1", ...}``, by
    header name); empty for a one-path-a-line manifest. See :func:`read_manifest`.
    """
    path = Path(path)
    base = path.parent
    text = read_text(path)
    entries: list[tuple[int, str, dict[str, str]]] = []
    if path.suffix.lower() in (".csv", ".tsv"):
        lines = text.splitlines()
        reader = csv.reader(lines, delimiter=_manifest_delimiter(path, lines[:1]))
        columns = [c.strip() for c in next(reader, [])]
        lowered = [c.lower() for c in columns]
        if MANIFEST_COLUMN not in lowered:
            raise FormatError(
                f"a CSV manifest needs a {MANIFEST_COLUMN!r} column (any case); found "
                f"columns {columns}",
                path=path,
            )
        index = lowered.index(MANIFEST_COLUMN)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            cell = row[index].strip() if index < len(row) else ""
            if not cell:
                raise FormatError(
                    f"line {reader.line_num}: empty {columns[index]!r} cell", path=path
                )
            others = {
                name: (row[i].strip() if i < len(row) else "")
                for i, name in enumerate(columns)
                if i != index and name
            }
            entries.append((reader.line_num, cell, others))
    else:
        for line, raw in enumerate(text.splitlines(), start=1):
            stripped = raw.strip()
            if stripped and not stripped.startswith("#"):
                entries.append((line, stripped, {}))
    out = []
    for line, entry, others in entries:
        p = Path(os.path.expanduser(entry))
        out.append((line, p if p.is_absolute() else base / p, others))
    return out


def _manifest_delimiter(path: Path, header: list[str]) -> str:
    """Return the cell separator of a manifest: tab, ``,`` or ``;`` (sniffed from the header).

    ``;`` is what Excel writes in locales whose decimal mark is a comma.
    """
    if path.suffix.lower() == ".tsv":
        return "\t"
    try:
        return csv.Sniffer().sniff(header[0] if header else "", delimiters=",;\t").delimiter
    except csv.Error:  # one column: no delimiter to find
        return ","


def _pattern_root(pattern: str) -> Path:
    """Return the folder a glob pattern searches below: its parts before the first wildcard."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if _GLOB_CHARS & set(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path()


def _expand_pattern(text: str, skipped: dict[Path, str]) -> list[tuple[Path, dict[str, str]]]:
    """Return the sessions glob pattern ``text`` matches; put what it leaves out in ``skipped``.

    A batch's own files and whatever lies in a batch's output folder below the pattern's
    fixed part (:mod:`.own_files`) are left out, with the reason.
    """
    pattern = os.path.expanduser(text)
    matches = sorted(glob.glob(pattern, recursive=True))
    if not matches:
        raise FileNotFoundError(f"no session matches the pattern {text!r}")
    outputs = BatchOutputs(_pattern_root(pattern))
    found = []
    for match in map(Path, matches):
        folder = outputs.written_by_a_batch(match)
        if folder is not None:
            skipped[match.resolve()] = f"in the batch output folder {folder}"
        elif is_batch_file(match):
            skipped[match.resolve()] = "a batch's own files (reports, completion markers)"
        elif is_session(match):
            found.append(match)
    if not found:
        left_out = f", {len(skipped)} of them written by a batch" if skipped else ""
        raise FileNotFoundError(
            f"the pattern {text!r} matches {len(matches)} paths{left_out} but no session "
            "(session folder, .json config, media or another tool's project)"
        )
    return [(match, {}) for match in found]


def _expand_one(
    spec: str | os.PathLike[str], skipped: dict[Path, str]
) -> list[tuple[Path, dict[str, str]]]:
    """Return each session ``spec`` names, with its CSV manifest row's other cells (or {}).

    What a glob pattern leaves out goes to ``skipped`` (see :func:`_expand_pattern`).
    """
    text = os.fspath(spec)
    if _GLOB_CHARS & set(text) and not Path(text).exists():
        return _expand_pattern(text, skipped)
    path = Path(os.path.expanduser(text))
    if not path.exists():
        raise FileNotFoundError(f"session not found: {path}")
    if not is_session(path) and is_manifest(path):
        path = path.absolute()  # its folder named in messages: not "."
        entries = _manifest_entries(path)
        if not entries:
            raise FormatError("the manifest lists no session", path=path)
        return [(_checked(entry, path, line), cells) for line, entry, cells in entries]
    if is_batch_file(path):
        raise FormatError(
            "not a session: this is a batch's own file (its report or a session's completion "
            "marker); give the session folders the batch saved (its sessions/ folder)",
            path=path,
        )
    if not is_session(path):
        hint = ""
        if path.is_dir() and any(is_session(child) for child in path.iterdir()):
            pattern = os.path.join(text, "*.session")
            hint = (
                f"; this folder holds sessions: give a pattern, such as {pattern!r} ('**' "
                "recurses), or the session paths"
            )
        raise FormatError(
            "not a session: expected a session folder, a WhiskerToolbox .json config, media, "
            "a glob pattern or a manifest (.txt one path a line, .csv with a 'session' column)"
            + hint,
            path=path,
        )
    return [(path, {})]


def _relative_entry_hint(path: Path, manifest: Path) -> str:
    """Explain where a missing relative manifest entry was looked for ("" for an absolute one)."""
    try:
        entry = path.relative_to(manifest.parent)
    except ValueError:
        return ""
    hint = f"; relative paths in a manifest are read from its folder, {manifest.parent}"
    from_cwd = Path.cwd() / entry
    if from_cwd.exists():
        hint += (
            f" ('{entry.as_posix()}' is {from_cwd} from the working directory: write it "
            "relative to the manifest, or absolute)"
        )
    return hint


def _checked(path: Path, manifest: Path, line: int) -> Path:
    """Return the manifest entry ``path`` (at ``line``) if it is a session.

    Raises
    ------
    FileNotFoundError, FormatError
        It does not exist, or is no session; naming the manifest and the line.
    """
    if not path.exists():
        raise FileNotFoundError(
            f"session not found: {path} (line {line} of the manifest {manifest})"
            + _relative_entry_hint(path, manifest)
        )
    if not is_session(path):
        raise FormatError(
            f"line {line}: {path} is no session (a session folder, a WhiskerToolbox .json "
            "config, media or another tool's project)",
            path=manifest,
        )
    return path


def expand_sessions(
    sessions: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> list[Path]:
    """Expand paths, glob patterns and manifest files into absolute session paths.

    Parameters
    ----------
    sessions : path-like or iterable of path-like
        Session folders, WhiskerToolbox configs, media; glob patterns (``**`` recurses;
        matches that are no session are skipped); manifest files (see :func:`read_manifest`).

    Returns
    -------
    list of Path
        Absolute paths in the order given (globs sorted), without duplicates.

    Raises
    ------
    FileNotFoundError
        A path or a manifest entry does not exist, or a pattern matches nothing.
    FormatError
        A path is no session, pattern or manifest, or a manifest is malformed.
    """
    return list(expand_sessions_with_columns(sessions))


def expand_sessions_with_columns(
    sessions: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> dict[Path, dict[str, str]]:
    """Expand ``sessions`` as :func:`expand_sessions` does, each with its manifest row.

    Returns
    -------
    dict of Path to dict of str to str
        Absolute session path (in :func:`expand_sessions`' order) → the other cells of its
        CSV manifest row (``{"animal": "m1", "condition": "saline"}``, for the results
        table); ``{}`` for a session given otherwise. A session given twice (a pattern
        and a manifest, two manifests) keeps its first place and, for each column, the
        first value given.

    Raises
    ------
    FileNotFoundError, FormatError
        As :func:`expand_sessions`.
    """
    return find_sessions(sessions)[0]


def find_sessions(
    sessions: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> tuple[dict[Path, dict[str, str]], dict[Path, str]]:
    """Expand ``sessions`` as :func:`expand_sessions_with_columns`; also say what was left out.

    A glob pattern never picks what a batch wrote below its fixed part (``data/**/*.json``
    leaves out ``data/angle-batch/batch_report.json``, the completion markers and the
    session folders saved there): a batch's output folder is recognised by its
    ``batch.lock`` or ``batch_report.json``. A pattern inside an output folder
    (``angle-batch/sessions/*``) picks its sessions: a second batch on a first one's outputs.

    Returns
    -------
    tuple
        :func:`expand_sessions_with_columns`' mapping, and each path left out → why
        (see :func:`skipped_note`).

    Raises
    ------
    FileNotFoundError, FormatError
        As :func:`expand_sessions`.
    """
    specs = [sessions] if isinstance(sessions, (str, os.PathLike)) else list(sessions)
    found: dict[Path, dict[str, str]] = {}
    skipped: dict[Path, str] = {}
    for spec in specs:
        for path, cells in _expand_one(spec, skipped):
            row = found.setdefault(_one_path_per_session(path.resolve()), {})
            for column, value in cells.items():
                row.setdefault(column, value)
    return found, skipped


def _one_path_per_session(path: Path) -> Path:
    """Return a session folder for its ``session.json`` (``**/*`` matches both), else ``path``."""
    return path.parent if path.name == SESSION_FILE and is_session_folder(path.parent) else path


def skipped_note(skipped: dict[Path, str]) -> str:
    """Say in one line what session patterns left out (``""`` when nothing).

    Names the batch output folders and how many paths each held.
    """
    if not skipped:
        return ""
    by_reason = Counter(skipped.values())
    reasons = "; ".join(f"{n:,} {reason}" for reason, n in by_reason.items())
    return (
        f"left out {counted(len(skipped), 'path')} a batch wrote ({reasons}); "
        "to run on a batch's saved sessions, give its sessions folder (OUT/sessions/*)"
    )


def session_name(path: Path) -> str:
    """Return the output-folder name of one session: a rule of its path alone.

    A session folder is named by its name without ``.session`` (``data/mouse1.session`` ->
    ``mouse1``; a ``session.json`` by its folder's name); a file (a config, media, an NWB
    file) by its folder's name and its stem (``s1/config.json`` -> ``s1-config``,
    ``videos/m1.mp4`` -> ``videos-m1``; the stem alone when the two are the same or the
    file has no folder). The name does not depend on the other sessions of the batch: a
    session run alone and in a group is saved under the same name.
    """
    if path.is_dir() or path.suffix == SESSION_FOLDER_SUFFIX:
        return path.name.removesuffix(SESSION_FOLDER_SUFFIX) or path.name
    if path.name == SESSION_FILE:
        return path.parent.name or path.stem
    parent = path.parent.name
    return path.stem if parent in ("", path.stem) else f"{parent}-{path.stem}"


def name_choices(path: Path) -> list[str]:
    """Return the names a session may be saved under, in the order they are tried.

    :func:`session_name`; for a session folder also its parent folder's name and its own
    (``right/mouse1.session`` -> ``right-mouse1``); last the name with a short hash of the
    absolute path (unique to the path). A name another session holds is passed over.
    """
    name = session_name(path)
    choices = [name]
    parent = path.parent.name
    if (path.is_dir() or path.suffix == SESSION_FOLDER_SUFFIX) and parent and parent != name:
        choices.append(f"{parent}-{name}")
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]
    return [*choices, f"{name}-{digest}"]


def session_names(paths: Sequence[Path]) -> list[str]:
    """Return a unique output-folder name for each session path.

    Each is the first of its :func:`name_choices` not given to an earlier path of
    ``paths`` (:func:`session_name`, unless two sessions share it), so that two sessions
    never share a folder. (A batch also keeps clear of the folders its output folder
    holds for other inputs: :mod:`.outputs`.)
    """
    names: list[str] = []
    for path in paths:
        names.append(next(name for name in name_choices(path) if name not in names))
    return names
