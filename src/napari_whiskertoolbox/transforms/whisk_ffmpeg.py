"""The FFmpeg 6 shared libraries whisk-janelia's Linux tracker library links, from PyPI.

whisk-janelia's ``libwhisk.so`` names ``libavcodec.so.60``, ``libavdevice.so.60``,
``libavformat.so.60``, ``libavutil.so.58`` and ``libswscale.so.7`` (FFmpeg 6) as needed
libraries but does not ship them: ``import whisk`` downloads them from GitHub the first time.
Where GitHub is not reachable (lab clusters, CI) or no FFmpeg 6 is installed (Debian 12 has
FFmpeg 5.1), :func:`install_ffmpeg6` takes the same libraries from PyPI instead: PyAV
12.3.0's manylinux wheel bundles FFmpeg 6.1.1 (``av.libs/libavcodec-<hash>.so.60...``).
They are unpacked into :func:`ffmpeg6_dir`, each linked under the name libwhisk asks for,
and the tracker's worker processes find them through ``LD_LIBRARY_PATH``
(:func:`worker_environment`). The tracer never calls into FFmpeg (it reads frames we hand
it); the libraries only have to load.

Run it once with ``napari-whiskertoolbox setup-tracing``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from napari_whiskertoolbox.io.user_dirs import user_cache_dir

__all__ = [
    "FFMPEG6_DIR_ENV",
    "FFMPEG6_LIBRARIES",
    "PYAV_WITH_FFMPEG6",
    "ffmpeg6_dir",
    "ffmpeg6_present",
    "install_ffmpeg6",
    "worker_environment",
]

FFMPEG6_LIBRARIES = (
    "libavcodec.so.60",
    "libavdevice.so.60",
    "libavformat.so.60",
    "libavutil.so.58",
    "libswscale.so.7",
)
"""The FFmpeg 6 sonames whisk-janelia's ``libwhisk.so`` needs (``readelf -d``)."""

PYAV_WITH_FFMPEG6 = "av==12.3.0"
"""The PyAV release whose Linux wheels bundle FFmpeg 6.1.1's shared libraries."""

FFMPEG6_DIR_ENV = "NAPARI_WHISKERTOOLBOX_FFMPEG6_DIR"
"""Environment variable naming the folder of the FFmpeg 6 libraries (else the user cache)."""

_LIBS_IN_WHEEL = "av.libs/"


def ffmpeg6_dir() -> Path:
    """Return the folder the FFmpeg 6 libraries are installed in (not created).

    ``$NAPARI_WHISKERTOOLBOX_FFMPEG6_DIR`` when set, else ``whisk-ffmpeg6`` in the user
    cache folder (``~/.cache/napari-whiskertoolbox/whisk-ffmpeg6`` on Linux).
    """
    override = os.environ.get(FFMPEG6_DIR_ENV)
    return Path(override).expanduser() if override else user_cache_dir() / "whisk-ffmpeg6"


def ffmpeg6_present(folder: Path | None = None) -> bool:
    """Return whether every library of :data:`FFMPEG6_LIBRARIES` is in ``folder``."""
    folder = ffmpeg6_dir() if folder is None else folder
    return all((folder / name).is_file() for name in FFMPEG6_LIBRARIES)


def worker_environment(env: dict[str, str]) -> dict[str, str]:
    """Return ``env`` for a tracker process: the FFmpeg 6 folder first on the library path.

    When the folder holds the libraries, it goes first on ``LD_LIBRARY_PATH`` and whisk's
    own download on import is switched off (``WHISK_SKIP_FFMPEG_DOWNLOAD``); else ``env``
    is returned unchanged.
    """
    folder = ffmpeg6_dir()
    if not ffmpeg6_present(folder):
        return env
    paths = [str(folder), *filter(None, env.get("LD_LIBRARY_PATH", "").split(os.pathsep))]
    return {**env, "LD_LIBRARY_PATH": os.pathsep.join(paths), "WHISK_SKIP_FFMPEG_DOWNLOAD": "1"}


def install_ffmpeg6(folder: Path | None = None, *, wheel: Path | None = None) -> Path:
    """Install FFmpeg 6's shared libraries for the whisker tracker; return their folder.

    Parameters
    ----------
    folder : pathlib.Path, optional
        Where to install them (default :func:`ffmpeg6_dir`). Replaced as a whole, atomically:
        a failure leaves what was there.
    wheel : pathlib.Path, optional
        A PyAV 12.3.0 Linux wheel already downloaded; by default pip downloads the
        manylinux x86_64 wheel of :data:`PYAV_WITH_FFMPEG6` from the package index.

    Raises
    ------
    RuntimeError
        Not on Linux x86_64 (whisk-janelia's other build, Windows, brings its own
        libraries), pip could not download the wheel (its message is included), or the
        wheel does not hold every library of :data:`FFMPEG6_LIBRARIES`.
    """
    if not sys.platform.startswith("linux"):
        raise RuntimeError(
            f"FFmpeg 6 for the whisker tracker: only needed on Linux, not on {sys.platform}"
        )
    folder = ffmpeg6_dir() if folder is None else Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".ffmpeg6-") as tmp:
        staging = Path(tmp) / "libs"
        staging.mkdir()
        _unpack_libraries(wheel or _download_wheel(Path(tmp)), staging)
        old = Path(tmp) / "old"
        if folder.exists():
            os.replace(folder, old)
        os.replace(staging, folder)
    return folder


def _download_wheel(dest: Path) -> Path:
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--platform", "manylinux2014_x86_64", "--python-version", "3.11",
        "--implementation", "cp", "--dest", str(dest), PYAV_WITH_FFMPEG6,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(dest.glob("av-*.whl"))
    if done.returncode != 0 or not wheels:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        raise RuntimeError(
            f"FFmpeg 6 for the whisker tracker: pip could not download {PYAV_WITH_FFMPEG6} "
            f"(exit code {done.returncode}):\n{tail}"
        )
    return wheels[0]


def _unpack_libraries(wheel: Path, target: Path) -> None:
    """Extract the wheel's bundled libraries into ``target``; link the sonames libwhisk needs."""
    with zipfile.ZipFile(wheel) as archive:
        members = [
            m for m in archive.namelist() if m.startswith(_LIBS_IN_WHEEL) and not m.endswith("/")
        ]
        for member in members:
            out = target / Path(member).name
            with archive.open(member) as src, out.open("wb") as dst:
                shutil.copyfileobj(src, dst)
    names = [p.name for p in target.iterdir()]
    missing = []
    for soname in FFMPEG6_LIBRARIES:
        stem, version = soname.split(".so.")
        found = [n for n in names if n.startswith(f"{stem}-") and f".so.{version}." in n]
        if not found:
            missing.append(soname)
            continue
        (target / soname).symlink_to(found[0])
    if missing:
        raise RuntimeError(
            f"FFmpeg 6 for the whisker tracker: wheel {wheel.name} does not hold "
            f"{', '.join(missing)} (expected in {_LIBS_IN_WHEEL} of {PYAV_WITH_FFMPEG6})"
        )
