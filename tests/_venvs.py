"""Real virtual environments for tests, made by the running interpreter's ``venv`` module."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
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


def build_wheel(folder: Path, name: str = "wtb_probe_pkg", version: str = "1.2.3") -> Path:
    """Write a minimal pure-Python wheel (the format pip installs) for ``name``."""
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": "VALUE = 7\n",
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: {version}\n"
        ),
        f"{dist_info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: napari-whiskertoolbox-tests\n"
            "Root-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for path, text in files.items():
        digest = hashlib.sha256(text.encode()).digest()
        b64 = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        record.append(f"{path},sha256={b64},{len(text.encode())}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = "\n".join(record) + "\n"
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel
