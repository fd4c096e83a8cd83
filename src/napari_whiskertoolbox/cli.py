"""Command line: ``napari-whiskertoolbox {run,process,demo,pipeline,export-nwb,batch,setup-tracing} ...`` (also ``python -m napari_whiskertoolbox``)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="napari-whiskertoolbox",
        description="WhiskerToolbox sessions and scripts, with or without napari.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a script headless against a config or session")
    run.add_argument("script", help="Python script to run")
    run.add_argument("--session", help="WhiskerToolbox JSON config or saved session folder")
    run.add_argument("--save", help="save the session to this folder afterwards")
    run.epilog = "Arguments after `--` are passed to the script as sys.argv[1:]."

    export = sub.add_parser("export-nwb", help="export a session or config to one NWB file")
    export.add_argument(
        "session", help="WhiskerToolbox JSON config, saved session folder or data path"
    )
    export.add_argument("out", help="the .nwb file to write")
    export.add_argument("--sampling-rate", type=float, help="master-clock ticks per second")
    export.add_argument("--session-description", help="NWB session_description")

    demo = sub.add_parser("demo", help="open napari with the sample whisker session")
    demo.add_argument("--screenshot", metavar="PATH", help="save a PNG of the window and exit")
    demo.add_argument("path", nargs="?", help="open this config/session instead of the sample")
    tracing = sub.add_parser(
        "setup-tracing",
        help="install FFmpeg 6's libraries for Whisker Tracing from PyPI (Linux, once)",
    )
    tracing.add_argument("--folder", help="install there (default: the user cache folder)")
    _add_pipeline_command(sub)
    _add_batch_command(sub)
    _add_process_command(sub)
    return parser


PROCESS_OPTIONS: dict[str, str] = {
    "input_keys": "--keys",
    "save": "--save",
    "chunk_seconds": "--chunk-seconds",
    "chunk_samples": "--chunk-samples",
    "output_prefix": "--prefix",
    "event_keys": "--event-keys",
    "sample_rate": "--sample-rate",
    "output_dir": "--output-dir",
    "overwrite": "--overwrite",
}
"""``process`` options by the :func:`~napari_whiskertoolbox.scripting.processors.run_processor`
parameter they set: the parser is built from it, and error messages name these options."""


def _add_process_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``process MODULE.py --session S --keys a,b [--save OUT]`` (stream processors)."""
    process = sub.add_parser(
        "process", help="run a stream processor (Open Ephys Python Processor model) headless"
    )
    opt = PROCESS_OPTIONS
    process.add_argument("module", help="Python module defining the processor class")
    process.add_argument("--session", help="WhiskerToolbox JSON config or saved session folder")
    process.add_argument(
        opt["input_keys"], dest="keys", required=True, help="comma-separated analog input keys"
    )
    process.add_argument(
        opt["save"], dest="save", help="save the session to this folder afterwards"
    )
    chunk = process.add_mutually_exclusive_group()
    chunk.add_argument(
        opt["chunk_seconds"],
        dest="chunk_seconds",
        type=float,
        default=1.0,
        help="chunk length (s, default 1)",
    )
    chunk.add_argument(
        opt["chunk_samples"], dest="chunk_samples", type=int, help="chunk length in samples"
    )
    process.add_argument(
        opt["output_prefix"], dest="prefix", help="output key prefix (default: '<module name>_')"
    )
    process.add_argument(
        opt["event_keys"], dest="event_keys", default="", help="comma-separated event/interval keys"
    )
    process.add_argument(
        opt["sample_rate"], dest="sample_rate", type=float, help="samples per second of the inputs"
    )
    process.add_argument(
        opt["output_dir"],
        dest="output_dir",
        help="keep the outputs as memory-mapped .npy files here",
    )
    process.add_argument(
        opt["overwrite"], dest="overwrite", action="store_true", help="replace existing output keys"
    )


def _run_process(args: argparse.Namespace) -> int:
    """Run ``process`` (:func:`napari_whiskertoolbox.scripting.headless.process_headless`)."""
    from napari_whiskertoolbox.scripting.headless import process_headless

    def split(text: str) -> list[str]:
        return [part.strip() for part in text.split(",") if part.strip()]

    return process_headless(
        args.module,
        args.session,
        split(args.keys),
        save=args.save,
        chunk_seconds=args.chunk_seconds,
        chunk_samples=args.chunk_samples,
        output_prefix=args.prefix,
        event_keys=split(args.event_keys),
        sample_rate=args.sample_rate,
        output_dir=args.output_dir,
        overwrite=args.overwrite,
        option_names=PROCESS_OPTIONS,
    )


PIPELINE_COMMAND = "pipeline"


def _add_pipeline_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """List ``pipeline`` in the help; :func:`_run_pipeline` parses its own arguments."""
    sub.add_parser(
        PIPELINE_COMMAND,
        help="run a WhiskerToolbox JSON pipeline-runner config (exit 0 ok, 1 failed, 2 usage)",
        add_help=False,
    )


def _run_pipeline(argv: list[str]) -> int:
    """Run ``pipeline [options] CONFIG.json`` with WhiskerToolbox's options and exit codes.

    The arguments go to :func:`napari_whiskertoolbox.transforms.pipeline_cli` untouched, so
    its messages ("Unknown option: …") and exit codes (0, 1, 2) are WhiskerToolbox's.
    """
    from napari_whiskertoolbox.transforms import pipeline_cli

    return pipeline_cli(argv)


def _add_batch_command(sub: argparse._SubParsersAction) -> None:
    """Add ``batch``: a script or pipeline over many sessions on dask (see ``batch.cli``)."""
    from napari_whiskertoolbox.batch.cli import configure_parser

    help_text = "run a script or pipeline over many sessions (dask.distributed)"
    configure_parser(sub.add_parser("batch", help=help_text, description=help_text))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == [PIPELINE_COMMAND]:
        return _run_pipeline(argv[1:])
    script_args: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, script_args = argv[:split], argv[split + 1 :]
    args = _build_parser().parse_args(argv)
    if args.command == "run":
        from napari_whiskertoolbox.scripting.headless import run_headless

        return run_headless(args.script, session=args.session, save=args.save, argv=script_args)
    if args.command == "process":
        return _run_process(args)
    if args.command == "export-nwb":
        return _export_nwb(args)
    if args.command == "demo":
        from napari_whiskertoolbox.demo import launch

        return launch(path=args.path, screenshot=args.screenshot)
    if args.command == "setup-tracing":
        return _setup_tracing(args)
    if args.command == "batch":
        from napari_whiskertoolbox.batch.cli import run_from_args

        return run_from_args(args, script_args)
    return 2


def _setup_tracing(args: argparse.Namespace) -> int:
    from pathlib import Path

    from napari_whiskertoolbox.transforms.whisk_ffmpeg import install_ffmpeg6

    try:
        folder = install_ffmpeg6(Path(args.folder) if args.folder else None)
    except RuntimeError as exc:
        print(f"napari-whiskertoolbox setup-tracing: {exc}", file=sys.stderr)
        return 1
    print(f"FFmpeg 6 libraries for the whisker tracker installed in {folder}")
    return 0


def _export_nwb(args: argparse.Namespace) -> int:
    from napari_whiskertoolbox.io.errors import FormatError
    from napari_whiskertoolbox.io.nwb_export import export_nwb
    from napari_whiskertoolbox.io.routing import open_path

    try:
        dm = open_path(args.session).dm
        out = export_nwb(
            dm,
            args.out,
            sampling_rate=args.sampling_rate,
            session_description=args.session_description,
        )
    except (FileNotFoundError, FormatError, ValueError, ImportError) as exc:
        print(f"napari-whiskertoolbox export-nwb: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {out} ({len(dm.keys())} keys)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
