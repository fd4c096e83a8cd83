"""Real virtual environments for tests, made by the running interpreter's ``venv`` module."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

MAJOR, MINOR = sys.version_info[:2]


def make_venv(path: Path, *options: str) -> Path:
    """Create an environment at ``path`` (``python -m venv --without-pip``); return ``path``."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", *options, str(path)],
        check=True,
        capture_output=True,
    )
    return path


def site_packages(env: Path) -> Path:
    """The environment's ``lib/pythonX.Y/site-packages`` folder."""
    return env / "lib" / f"python{MAJOR}.{MINOR}" / "site-packages"


def set_pyvenv_version(env: Path, version: str) -> None:
    """Rewrite the ``version`` line of the environment's ``pyvenv.cfg``."""
    cfg = env / "pyvenv.cfg"
    lines = cfg.read_text().splitlines(keepends=True)
    cfg.write_text(
        "".join(f"version = {version}\n" if line.startswith("version") else line for line in lines)
    )


def other_python_version() -> str:
    """A Python version string whose major.minor differs from the running interpreter's."""
    return f"{MAJOR}.{MINOR - 1 if MINOR > 7 else MINOR + 1}.0"
