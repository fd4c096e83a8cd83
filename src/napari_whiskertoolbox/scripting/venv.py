"""Virtual environments for scripts: discover, validate, activate, list and install packages.

Follows WhiskerToolbox's script engine (Python phase 6): the interpreter is not restarted;
activating an environment puts its ``site-packages`` first on :data:`sys.path`, points
``sys.prefix`` / ``sys.exec_prefix`` at it, sets ``VIRTUAL_ENV`` and puts its ``bin``
(``Scripts`` on Windows) folder first on ``PATH``. :func:`deactivate_venv` restores every
one of these exactly. The environment must match the running interpreter's Python
major.minor version (read from its ``pyvenv.cfg``), since compiled packages are built for
one version.

The state is process-wide, as :data:`sys.path` is: one environment is active at a time
for every engine, napari's console and plugins. Modules already imported from elsewhere
stay imported.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = [
    "InstallResult",
    "VenvError",
    "activate_venv",
    "active_venv_path",
    "deactivate_venv",
    "discover_venvs",
    "find_site_packages",
    "install_package",
    "is_base_installation",
    "is_venv_active",
    "list_inherited_packages",
    "list_installed_packages",
    "looks_like_venv",
    "modules_imported_from",
    "python_version_tuple",
    "validate_venv",
    "venv_interpreter",
    "venv_python_version",
]

_VERSION_LINE = re.compile(r"^\s*(?:version|version_info)\s*=\s*(\d+)\.(\d+)", re.MULTILINE)
_LIB_PYTHON = re.compile(r"^python(\d+)\.(\d+)$")


class VenvError(ValueError):
    """A virtual environment cannot be used; the message says why."""


@dataclass(frozen=True)
class _SavedState:
    """What activation changed, to put back on deactivation."""

    venv: Path
    sys_path: list[str]
    prefix: str
    exec_prefix: str
    virtual_env: str | None
    path_variable: str | None
    added_paths: tuple[str, ...] = ()


_lock = threading.RLock()
_saved: _SavedState | None = None


def python_version_tuple() -> tuple[int, int]:
    """Return the running interpreter's ``(major, minor)`` version."""
    return sys.version_info.major, sys.version_info.minor


def looks_like_venv(path: str | os.PathLike[str]) -> bool:
    """Return True if ``path`` is a folder holding ``pyvenv.cfg``, an interpreter or ``conda-meta``.

    The markers of a standard venv or virtualenv (``pyvenv.cfg``), any environment with
    ``bin/python`` or ``Scripts/python.exe``, and a conda environment (``conda-meta``).
    """
    root = Path(path)
    return (
        (root / "pyvenv.cfg").is_file()
        or (root / "bin" / "python").exists()
        or (root / "Scripts" / "python.exe").exists()
        or (root / "conda-meta").is_dir()
    )


def venv_interpreter(path: str | os.PathLike[str]) -> Path | None:
    """Return the environment's Python executable (``bin/python`` or ``Scripts/python.exe``)."""
    root = Path(path)
    for candidate in (root / "bin" / "python", root / "Scripts" / "python.exe"):
        if candidate.exists():
            return candidate
    return None


def _scripts_folder(root: Path) -> Path | None:
    for name in ("bin", "Scripts"):
        if (root / name).is_dir():
            return root / name
    return None


def find_site_packages(path: str | os.PathLike[str]) -> Path | None:
    """Return the environment's ``site-packages`` folder, or None.

    Looked for, in order: ``lib/pythonX.Y/site-packages`` for the running interpreter's
    version, ``lib/site-packages``, ``Lib/site-packages`` (Windows), then any
    ``lib/*/site-packages``.
    """
    root = Path(path)
    major, minor = python_version_tuple()
    for candidate in (
        root / "lib" / f"python{major}.{minor}" / "site-packages",
        root / "lib" / "site-packages",
        root / "Lib" / "site-packages",
    ):
        if candidate.is_dir():
            return candidate
    lib = root / "lib"
    if lib.is_dir():
        with contextlib.suppress(OSError):
            for child in sorted(lib.iterdir()):
                if (child / "site-packages").is_dir():
                    return child / "site-packages"
    return None


def venv_python_version(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """Return the environment's Python ``(major, minor)``, or None when it cannot be told.

    Read from the ``version`` (or ``version_info``) line of ``pyvenv.cfg``; without one,
    from a ``lib/pythonX.Y`` folder name (conda environments).
    """
    found = _version_and_source(Path(path))
    return found[0] if found is not None else None


def _version_and_source(root: Path) -> tuple[tuple[int, int], str] | None:
    """Return the environment's ``(major, minor)`` and where it was read, or None."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        match = _VERSION_LINE.search((root / "pyvenv.cfg").read_text(encoding="utf-8"))
        if match:
            return (int(match.group(1)), int(match.group(2))), "its pyvenv.cfg"
    lib = root / "lib"
    if lib.is_dir():
        with contextlib.suppress(OSError):
            for child in sorted(lib.iterdir()):
                match = _LIB_PYTHON.match(child.name)
                if match:
                    version = int(match.group(1)), int(match.group(2))
                    return version, f"its lib/{child.name} folder"
    return None


def is_base_installation(path: str | os.PathLike[str]) -> bool:
    """Return True if ``path`` is a Python installation, not a virtual environment.

    An interpreter (``bin/python``) without ``pyvenv.cfg`` (which ``python -m venv`` and
    virtualenv write) or ``conda-meta`` (a conda environment): a pyenv version such as
    ``~/.pyenv/versions/3.11.7``, or ``/usr``.
    """
    root = Path(path)
    return (
        venv_interpreter(root) is not None
        and not (root / "pyvenv.cfg").is_file()
        and not (root / "conda-meta").is_dir()
    )


def _candidates_in(folder: Path) -> list[Path]:
    """Return the environments in ``folder``: the folder itself if it is one, else its children."""
    if not folder.is_dir():
        return []
    if looks_like_venv(folder):
        return [folder]
    try:
        children = sorted(child for child in folder.iterdir() if child.is_dir())
    except OSError:  # permission denied and the like: skip the folder
        return []
    return [child for child in children if looks_like_venv(child)]


def discover_venvs(
    extra_paths: Iterable[str | os.PathLike[str]] = (),
    *,
    project_dir: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Return the virtual environments found in the usual places, sorted and without repeats.

    Parameters
    ----------
    extra_paths : iterable of path-like
        More places to look: each is an environment itself or a folder of environments.
    project_dir : path-like, optional
        Folder whose ``.venv`` is a candidate (the current working directory by default).

    Returns
    -------
    list of Path
        Environments in ``~/.virtualenvs``, ``~/.conda/envs``, ``~/.pyenv/versions``, the
        project's ``.venv`` and ``extra_paths`` (paths that do not exist are skipped).
    """
    home = Path.home()
    project = Path(project_dir) if project_dir is not None else Path.cwd()
    places = [Path(p).expanduser() for p in extra_paths]
    places += [home / ".virtualenvs", home / ".conda" / "envs", home / ".pyenv" / "versions"]
    found: dict[Path, None] = {}
    for place in places:
        for venv in _candidates_in(place):
            if not is_base_installation(venv):  # pyenv's versions are installations
                found[venv.resolve()] = None
    if looks_like_venv(project / ".venv"):
        found[(project / ".venv").resolve()] = None
    return sorted(found)


def validate_venv(path: str | os.PathLike[str] | None) -> list[str]:
    """Return what makes ``path`` unusable as this interpreter's environment (empty if usable).

    Checks, in order: an empty path; a path that does not exist or is not a folder; a
    folder that does not look like an environment (:func:`looks_like_venv`); a Python
    installation that is not a virtual environment (:func:`is_base_installation`: its
    ``site-packages`` first on ``sys.path`` would mix an unrelated interpreter's packages
    into napari's); no ``site-packages``; a Python major.minor version different from the
    running interpreter's (from ``pyvenv.cfg`` or the ``lib/pythonX.Y`` folder, named).
    """
    if path is None or not str(path).strip():
        return ["The virtual environment path is empty."]
    root = Path(path).expanduser()
    if not root.is_dir():
        return [f"The path does not exist or is not a directory: {root}"]
    if not looks_like_venv(root):
        return [
            f"The path does not appear to be a Python virtual environment: {root} "
            "(expected pyvenv.cfg, bin/python, Scripts/python.exe or conda-meta in it)"
        ]
    running = python_version_tuple()
    found = _version_and_source(root)
    if is_base_installation(root):
        told = f" (Python {found[0][0]}.{found[0][1]}, from {found[1]})" if found else ""
        return [
            f"{root} is a Python installation{told}, not a virtual environment: it has no "
            "pyvenv.cfg (nor conda-meta). Create a virtual environment with napari's Python "
            f"{running[0]}.{running[1]}: python{running[0]}.{running[1]} -m venv <folder>"
        ]
    problems = []
    if find_site_packages(root) is None:
        problems.append(f"Could not find a site-packages folder in {root}.")
    if found is not None and found[0] != running:
        version, source = found
        problems.append(
            f"Python version mismatch: napari runs Python {running[0]}.{running[1]} but the "
            f"environment {root} uses Python {version[0]}.{version[1]} (from {source}); "
            "its compiled packages would not load. Create the environment with Python "
            f"{running[0]}.{running[1]}."
        )
    return problems


def _pth_paths(site_packages: Path) -> list[str]:
    """Folders listed in the ``.pth`` files of ``site_packages`` (import lines are not run)."""
    paths = []
    with contextlib.suppress(OSError):
        for pth in sorted(site_packages.glob("*.pth")):
            with contextlib.suppress(OSError, UnicodeDecodeError):
                for line in pth.read_text(encoding="utf-8").splitlines():
                    line = line.strip()
                    if not line or line.startswith(("#", "import ", "import\t")):
                        continue
                    folder = (site_packages / line).resolve()
                    if folder.is_dir():
                        paths.append(str(folder))
    return paths


def activate_venv(path: str | os.PathLike[str]) -> Path:
    """Make the environment at ``path`` the one scripts import from.

    Any active environment is deactivated first. Plain folder lines of the environment's
    ``.pth`` files are added after its ``site-packages``; their ``import`` lines are not
    run.

    Returns
    -------
    Path
        The activated environment (absolute).

    Raises
    ------
    VenvError
        If :func:`validate_venv` finds a problem (the message lists each one).
    """
    problems = validate_venv(path)
    if problems:
        raise VenvError(" ".join(problems))
    root = Path(path).expanduser().resolve()
    site_packages = find_site_packages(root)
    if site_packages is None:  # validate_venv already refused this; keeps mypy informed
        raise VenvError(f"Could not find a site-packages folder in {root}.")
    global _saved
    with _lock:
        deactivate_venv()
        _saved = _SavedState(
            venv=root,
            sys_path=list(sys.path),
            prefix=sys.prefix,
            exec_prefix=sys.exec_prefix,
            virtual_env=os.environ.get("VIRTUAL_ENV"),
            path_variable=os.environ.get("PATH"),
            added_paths=(str(site_packages), *_pth_paths(site_packages)),
        )
        sys.path[:0] = list(_saved.added_paths)
        sys.prefix = sys.exec_prefix = str(root)
        os.environ["VIRTUAL_ENV"] = str(root)
        scripts = _scripts_folder(root)
        if scripts is not None:
            old = os.environ.get("PATH")
            os.environ["PATH"] = str(scripts) if not old else os.pathsep.join((str(scripts), old))
        importlib.invalidate_caches()
    return root


def _restore_variable(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def deactivate_venv() -> bool:
    """Undo :func:`activate_venv`: ``sys.path``, the prefixes, ``VIRTUAL_ENV`` and ``PATH``.

    ``sys.path`` gets back exactly the entries it had (the same list object).

    Returns
    -------
    bool
        False when no environment was active.
    """
    global _saved
    with _lock:
        saved = _saved
        if saved is None:
            return False
        sys.path[:] = saved.sys_path
        sys.prefix = saved.prefix
        sys.exec_prefix = saved.exec_prefix
        _restore_variable("VIRTUAL_ENV", saved.virtual_env)
        _restore_variable("PATH", saved.path_variable)
        _saved = None
        importlib.invalidate_caches()
    return True


def is_venv_active() -> bool:
    """Return True while an environment activated here is active."""
    return _saved is not None


def active_venv_path() -> Path | None:
    """Return the active environment's folder, or None."""
    saved = _saved
    return saved.venv if saved is not None else None


def modules_imported_from(root: str | os.PathLike[str]) -> list[str]:
    """Top-level names of the imported modules whose file lies inside the folder ``root``.

    Deactivating an environment (or activating another) changes ``sys.path`` only: these
    modules stay in :data:`sys.modules`, so scripts keep importing them from ``root``
    until napari restarts.

    Returns
    -------
    list of str
        Sorted, without duplicates (``scipy`` for ``scipy.signal``).
    """
    folder = str(Path(root).expanduser().resolve())
    names = set()
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str) and file.startswith(folder + os.sep):
            names.add(name.partition(".")[0])
    return sorted(names)


def _package_key(item: tuple[str, str]) -> tuple[str, str]:
    """Sort key of a ``(name, version)`` pair: by name, case-insensitively."""
    return item[0].lower(), item[0]


def _distributions_on(paths: list[str] | None) -> dict[str, tuple[str, str]]:
    """Return ``normalized name -> (name, version)`` of the distributions found on ``paths``.

    ``None`` searches :data:`sys.path`. A distribution found twice is kept once, the first
    found (the one imports would use).
    """
    seen: dict[str, tuple[str, str]] = {}
    found = (
        importlib.metadata.distributions()
        if paths is None
        else importlib.metadata.distributions(path=paths)
    )
    for dist in found:
        name = dist.metadata["Name"]
        if not name:
            continue
        key = re.sub(r"[-_.]+", "-", name).lower()
        seen.setdefault(key, (name, dist.version or ""))
    return seen


def list_installed_packages() -> list[tuple[str, str]]:
    """Return ``(name, version)`` of each package of the active environment.

    With an environment active: the distributions installed in it (its ``site-packages``
    and the folders its ``.pth`` files add), not those scripts still import from napari's
    environment (see :func:`list_inherited_packages`). Without one: napari's own
    environment (every distribution on :data:`sys.path`).

    Returns
    -------
    list of (str, str)
        Sorted by name, case-insensitively (``HeapDict`` between ``h5py`` and ``idna``);
        one entry per distribution.
    """
    saved = _saved
    paths = list(saved.added_paths) if saved is not None else None
    return sorted(_distributions_on(paths).values(), key=_package_key)


def list_inherited_packages() -> list[tuple[str, str]]:
    """Return ``(name, version)`` of the packages scripts import from napari's environment.

    With an environment active, the distributions importable from outside it (napari's
    own environment, which stays on :data:`sys.path` after the environment's folders),
    except those the environment installs itself. Empty when no environment is active:
    :func:`list_installed_packages` then lists napari's environment.

    Returns
    -------
    list of (str, str)
        Sorted by name, case-insensitively, as :func:`list_installed_packages`.
    """
    saved = _saved
    if saved is None:
        return []
    own = _distributions_on(list(saved.added_paths))
    rest = _distributions_on(list(saved.sys_path))
    return sorted((item for key, item in rest.items() if key not in own), key=_package_key)


@dataclass(frozen=True)
class InstallResult:
    """Outcome of :func:`install_package`.

    Attributes
    ----------
    returncode : int or None
        pip's exit code (None when it was cancelled before it ended).
    output : str
        What pip printed (stdout and stderr, interleaved as printed).
    cancelled : bool
        The install was stopped through ``cancel``.
    command : tuple of str
        The command that ran.
    """

    returncode: int | None
    output: str
    cancelled: bool
    command: tuple[str, ...]

    @property
    def success(self) -> bool:
        """True when pip finished with exit code 0."""
        return self.returncode == 0 and not self.cancelled


def install_package(
    name: str,
    *,
    on_output: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
) -> InstallResult:
    """Run ``pip install name`` with the active environment's interpreter, in a subprocess.

    Without an active environment, the running interpreter's pip installs into napari's own
    environment.

    Parameters
    ----------
    name : str
        A package name or requirement (``"scipy"``, ``"scipy>=1.11"``, a wheel's path).
    on_output : callable, optional
        Called with each line pip prints, as it comes (from a reader thread). If it
        raises, it is not called again and the output ends with a line naming the error;
        the install itself goes on.
    cancel : threading.Event, optional
        Setting it stops pip (terminate, then kill after 5 s).

    Returns
    -------
    InstallResult
        pip's exit code and output.

    Raises
    ------
    ValueError
        If ``name`` is empty or starts with ``-`` (an option, not a package).
    """
    spec = name.strip()
    if not spec:
        raise ValueError("package name is empty: expected a package name such as 'scipy'")
    if spec.startswith("-"):
        raise ValueError(f"expected a package name or requirement, got the option {spec!r}")
    venv = active_venv_path()
    interpreter = venv_interpreter(venv) if venv is not None else None
    command = (str(interpreter or sys.executable), "-m", "pip", "install", spec)
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
    )
    lines: list[str] = []
    reader = threading.Thread(
        target=_read_lines, args=(process, lines, on_output), name="wtb-pip", daemon=True
    )
    reader.start()
    cancelled = False
    while process.poll() is None:
        if cancel is not None and cancel.wait(0.1):
            cancelled = True
            _stop(process)
            break
        if cancel is None:
            process.wait()
    reader.join()
    code = None if cancelled else process.returncode
    return InstallResult(code, "".join(lines), cancelled, command)


def _read_lines(
    process: subprocess.Popen[str], lines: list[str], on_output: Callable[[str], None] | None
) -> None:
    """Read pip's output to the end, passing each line to ``on_output``.

    A callback that raises (a closed output pane, a script's own callback) is not called
    again, and a line saying so ends the output; reading goes on regardless, since a
    reader that stopped would leave pip blocked on a full pipe and the install waiting
    forever.
    """
    stream = process.stdout
    if stream is None:
        return
    failure: Exception | None = None
    for line in stream:
        lines.append(line)
        if on_output is not None and failure is None:
            try:
                on_output(line)
            except Exception as exc:  # any callback error; reported below
                failure = exc
    stream.close()
    if failure is not None:
        lines.append(
            f"[napari-whiskertoolbox: the on_output callback raised "
            f"{type(failure).__name__}: {failure}; later lines were not passed to it]\n"
        )


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
