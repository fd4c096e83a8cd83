"""Run without a GUI: ``napari-whiskertoolbox run SCRIPT.py`` and ``process MODULE.py``.

Headless runs use the Qt-free figure backend: ``plt.show()`` shows nothing (a note on
stderr says so) and never blocks.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from napari_whiskertoolbox.core import DataManager
from napari_whiskertoolbox.core.counted import counted
from napari_whiskertoolbox.scripting.capture import underlying_stream
from napari_whiskertoolbox.scripting.display import use_figure_backend
from napari_whiskertoolbox.scripting.engine import RunResult, ScriptEngine

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping, Sequence

    from napari_whiskertoolbox.scripting.capture import OutputCallback

__all__ = [
    "EXIT_CANCELLED",
    "EXIT_FAILURE",
    "EXIT_USAGE",
    "load_for_script",
    "process_headless",
    "run_headless",
]

EXIT_FAILURE = 1
"""Exit code of a script that raised, or of a failed load or save."""
EXIT_USAGE = 2
"""Exit code when the script or session path is unusable."""
EXIT_CANCELLED = 130
"""Exit code of an interrupted script (as a shell reports Ctrl+C)."""


def load_for_script(session: str | os.PathLike[str] | None) -> DataManager:
    """Return the DataManager of a headless run: empty, or what ``session`` holds.

    ``session`` is anything :func:`napari_whiskertoolbox.io.routing.open_path` opens: a
    saved session folder, a JSON config, a video, a TIFF stack or an image folder. A
    config's ``python`` block is applied as in the GUI (its environment activated). As
    in the GUI, the loaded DataManager has an empty undo history and is unmodified.

    Raises
    ------
    FileNotFoundError
        If ``session`` does not exist.
    napari_whiskertoolbox.io.FormatError
        If the config or session is malformed (the message names file and line/item).
    """
    # transforms installs the runner of configs' transformations blocks when imported
    import napari_whiskertoolbox.transforms  # noqa: F401
    from napari_whiskertoolbox.io.routing import open_path
    from napari_whiskertoolbox.scripting.environment import (
        register_python_environment_configurator,
    )

    register_python_environment_configurator()
    if session is None:
        return DataManager()
    path = Path(session).expanduser()
    if not path.exists():
        raise FileNotFoundError(
            f"session not found: {path} (expected a .json config, a session folder or media)"
        )
    _note_newer_session(path)
    # a new DataManager, as a file opened in napari: loading is not an undo step (a
    # script's first dm.undo() must not unload the session) and it starts unmodified
    return open_path(path).dm


def _note_newer_session(path: Path) -> None:
    """Log a load note when ``path`` has a newer session saved from it.

    A config ``path`` with ``exp.session`` beside it, or DeepLabCut labelled data with a
    session folder saved from its labels (:func:`~.io.routing.newer_saved_session`). napari
    asks which of the two to open; a headless run or batch loads the path it was given, and
    says that the edits saved since are in the session folder.
    """
    from napari_whiskertoolbox.io.interop_routing import classify_interop
    from napari_whiskertoolbox.io.report import LoadNote, log_note
    from napari_whiskertoolbox.io.routing import is_config_file, newer_saved_session

    if path.is_file() and is_config_file(path):
        what, loads, since = "this config", "the config", "it was"
    elif classify_interop(path) == "deeplabcut":
        what, loads, since = "these DeepLabCut labels", "the labels", "they were"
    else:
        return
    folder = newer_saved_session(path)
    if folder is not None:
        log_note(
            LoadNote(
                str(path),
                "info",
                f"a session saved from {what} since {since} last changed is at {folder}: "
                f"this run loads {loads}, without the edits saved there; pass the session "
                "folder to use them",
                path=str(path),
            )
        )


def _echo(stdout: TextIO, stderr: TextIO) -> OutputCallback:
    """Return an output callback writing to ``stdout`` / ``stderr`` as the script prints."""
    streams = {"stdout": stdout, "stderr": stderr}

    def write(stream: str, text: str) -> None:
        target = streams[stream]
        target.write(text)
        if stream == "stderr" or text.endswith("\n"):
            target.flush()

    return write


def _load_or_exit_code(
    what: str, path: Path, session: str | os.PathLike[str] | None, stderr: TextIO
) -> DataManager | int:
    """Return the run's DataManager, or the exit code after printing why it cannot start.

    ``EXIT_USAGE`` when ``path`` (the ``what`` to run) or ``session`` is missing,
    ``EXIT_FAILURE`` when the session cannot be loaded.
    """
    if not path.is_file():
        print(f"error: {what} not found: {path}", file=stderr)
        return EXIT_USAGE
    try:
        return load_for_script(session)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=stderr)
        return EXIT_USAGE
    except (ValueError, OSError) as exc:
        print(f"error: could not load session {session}: {exc}", file=stderr)
        return EXIT_FAILURE


def _save_exit_code(dm: DataManager, save: str | os.PathLike[str], stderr: TextIO) -> int:
    """Save ``dm`` as a session folder at ``save``; return 0, or ``EXIT_FAILURE`` if it fails."""
    from napari_whiskertoolbox import io

    try:
        written = io.save_session(dm, save)
    except (ValueError, OSError) as exc:
        print(f"error: could not save the session to {save}: {exc}", file=stderr)
        return EXIT_FAILURE
    print(f"saved session to {written.parent}", file=stderr)
    return 0


def _note_unsaved(dm: DataManager, keys_before: Sequence[str], stderr: TextIO) -> None:
    """Say on stderr that the run changed ``dm`` and nothing keeps it (no ``--save``).

    A headless run's DataManager lives in this process only: the keys a script or a
    processor added are gone when it exits, which the exit status 0 does not tell.
    """
    if not dm.modified:
        return
    before = set(keys_before)
    keys_now = dm.keys()
    added = [key for key in keys_now if key not in before]
    what = f"keys added: {', '.join(added)}" if added else "data changed"
    print(
        f"note: the session changed ({what}) and is not saved: "
        "pass --save FOLDER to keep it as a session folder",
        file=stderr,
    )


def _exit_code(result: RunResult) -> int:
    if result.cancelled:
        return EXIT_CANCELLED
    if result.exit_code is not None:
        return result.exit_code
    return 0 if result.success else EXIT_FAILURE


def run_headless(
    script: str | os.PathLike[str],
    session: str | os.PathLike[str] | None = None,
    save: str | os.PathLike[str] | None = None,
    argv: Sequence[str] = (),
) -> int:
    """Run ``script`` against a session with the same engine the GUI uses.

    The script's output goes to this process's stdout/stderr as it is printed; a failure
    prints the traceback (trimmed to the script's frames) to stderr.

    Parameters
    ----------
    script : path-like
        The Python file to run (``__file__`` is set, the working directory is its folder).
    session : path-like, optional
        A WhiskerToolbox JSON config or a saved session folder; an empty DataManager if omitted.
    save : path-like, optional
        Session folder to save ``dm`` to after a successful run. Without it, a run that
        changed ``dm`` says on stderr that nothing keeps the change.
    argv : sequence of str
        ``sys.argv[1:]`` inside the script.

    Returns
    -------
    int
        ``0`` on success, the script's ``sys.exit`` code, ``1`` when it raised or loading or
        saving failed, ``2`` for a missing script or session, ``130`` when interrupted.
    """
    stdout, stderr = underlying_stream("stdout"), underlying_stream("stderr")
    script_path = Path(script).expanduser()
    dm = _load_or_exit_code("script", script_path, session, stderr)
    if isinstance(dm, int):
        return dm
    if session is not None and dm.metadata.get("config_python_code"):
        print(
            "note: the config's python_code was not run (headless runs never run it)", file=stderr
        )

    use_figure_backend()
    keys_before = dm.keys()
    engine = ScriptEngine(dm, undo_step_per_run=False)  # its history is thrown away
    try:
        result = engine.run_file(script_path, argv=list(argv), on_output=_echo(stdout, stderr))
    except KeyboardInterrupt:
        print("interrupted", file=stderr)
        return EXIT_CANCELLED
    if result.error:
        stderr.write(result.error if result.error.endswith("\n") else result.error + "\n")
        stderr.flush()
    code = _exit_code(result)
    if code == 0 and save is None:
        _note_unsaved(dm, keys_before, stderr)
    if code != 0 or save is None:
        return code
    return _save_exit_code(dm, save, stderr)


def process_headless(
    module: str | os.PathLike[str],
    session: str | os.PathLike[str] | None,
    keys: Sequence[str],
    *,
    save: str | os.PathLike[str] | None = None,
    chunk_seconds: float = 1.0,
    chunk_samples: int | None = None,
    output_prefix: str | None = None,
    event_keys: Sequence[str] = (),
    sample_rate: float | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    option_names: Mapping[str, str] | None = None,
) -> int:
    """Run a stream processor over ``keys`` of a session (``napari-whiskertoolbox process``).

    Progress and the output keys go to stderr; see
    :func:`napari_whiskertoolbox.scripting.processors.run_processor` for the parameters.
    ``option_names`` (parameter → command-line option) makes error messages name the
    options the user typed.

    Returns
    -------
    int
        ``0`` on success, ``1`` when loading, the processor or saving failed, ``2`` for a
        missing module or session or bad keys, ``130`` when interrupted.
    """
    from napari_whiskertoolbox.scripting.processors import (
        ProcessorCancelled,
        ProcessorError,
        plan_processor,
        throughput_text,
    )

    stderr = underlying_stream("stderr")
    module_path = Path(module).expanduser()
    dm = _load_or_exit_code("processor module", module_path, session, stderr)
    if isinstance(dm, int):
        return dm
    use_figure_backend()
    keys_before = dm.keys()
    try:
        plan = plan_processor(
            dm,
            module_path,
            list(keys),
            chunk_seconds=chunk_seconds,
            chunk_samples=chunk_samples,
            output_prefix=output_prefix,
            event_keys=event_keys,
            sample_rate=sample_rate,
            output_dir=output_dir,
            overwrite=overwrite,
            option_names=option_names,
        )
    except ProcessorError as exc:
        print(f"error: {exc}", file=stderr)
        return EXIT_FAILURE
    except (KeyError, ValueError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"error: {message}", file=stderr)
        return EXIT_USAGE
    print(
        f"{plan.label}: {plan.n_samples:,} samples x {counted(len(plan.input_keys), 'channel')} "
        f"in {counted(plan.n_chunks, 'chunk')} of {plan.chunk_samples:,}",
        file=stderr,
    )
    shown = [-1]

    def progress(fraction: float) -> None:
        tenth = int(fraction * 10)
        if tenth > shown[0]:
            shown[0] = tenth
            print(f"  {tenth * 10:3d} %", file=stderr, flush=True)

    try:
        result = plan.store(plan.compute(progress=progress))
    except (ProcessorCancelled, KeyboardInterrupt):
        print("interrupted; nothing stored", file=stderr)
        return EXIT_CANCELLED
    except (ProcessorError, ValueError) as exc:
        print(f"error: {exc}", file=stderr)
        return EXIT_FAILURE
    rate = result.samples_per_second
    print(
        f"done in {result.seconds:.2f} s ({throughput_text(rate)}): "
        f"{', '.join([*result.analog_keys, *result.event_keys])}",
        file=stderr,
    )
    if result.merged_note:
        print(f"note: {result.merged_note}", file=stderr)
    if save is None:
        _note_unsaved(dm, keys_before, stderr)
        return 0
    return _save_exit_code(dm, save, stderr)
