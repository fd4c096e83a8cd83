"""FFmpeg 6 for the whisker tracker, unpacked from a PyAV wheel (zip) into its own folder.

The real wheel is installed by ``napari-whiskertoolbox setup-tracing`` in ``scripts/test.sh``
and used by ``test_whisker_tracing.py``; here wheels are built as zip files to check the
unpacking, the links and the errors.
"""

from __future__ import annotations

import os
import sys
import zipfile
from typing import TYPE_CHECKING

import pytest

from napari_whiskertoolbox.transforms.whisk_ffmpeg import (
    FFMPEG6_DIR_ENV,
    FFMPEG6_LIBRARIES,
    ffmpeg6_present,
    install_ffmpeg6,
    worker_environment,
)

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="whisk-janelia's FFmpeg 6 is Linux's only"
)

BUNDLED = {
    "libavcodec.so.60": "libavcodec-1a1332f2.so.60.31.102",
    "libavdevice.so.60": "libavdevice-cae2a9ec.so.60.3.100",
    "libavformat.so.60": "libavformat-744f8610.so.60.16.100",
    "libavutil.so.58": "libavutil-d2f6c3c3.so.58.29.100",
    "libswscale.so.7": "libswscale-046dcd35.so.7.5.100",
}


def _wheel(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("av/__init__.py", "")
        for name in names:
            archive.writestr(f"av.libs/{name}", name.encode())
    return path


def test_the_bundled_libraries_are_linked_under_the_names_libwhisk_needs(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path / "av.whl", [*BUNDLED.values(), "libdav1d-1b53ef2f.so.7.0.0"])
    folder = install_ffmpeg6(tmp_path / "ffmpeg6", wheel=wheel)
    assert ffmpeg6_present(folder)
    for soname, bundled in BUNDLED.items():
        assert os.readlink(folder / soname) == bundled
        assert (folder / soname).read_bytes() == bundled.encode()
    assert (folder / "libdav1d-1b53ef2f.so.7.0.0").is_file()  # what they link themselves
    assert not (folder / "__init__.py").exists()


def test_a_wheel_without_ffmpeg6_names_what_it_lacks_and_keeps_the_old_folder(
    tmp_path: Path,
) -> None:
    folder = install_ffmpeg6(
        tmp_path / "ffmpeg6", wheel=_wheel(tmp_path / "a.whl", [*BUNDLED.values()])
    )
    ffmpeg5 = [n for n in BUNDLED.values() if "avutil" not in n] + ["libavutil-aa.so.57.28.100"]
    with pytest.raises(RuntimeError, match=r"b\.whl does not hold libavutil\.so\.58"):
        install_ffmpeg6(folder, wheel=_wheel(tmp_path / "b.whl", ffmpeg5))
    assert ffmpeg6_present(folder)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ffmpeg6-")]


def test_tracker_processes_find_the_folder_first_on_the_library_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ffmpeg6"
    monkeypatch.setenv(FFMPEG6_DIR_ENV, str(folder))
    env = {"LD_LIBRARY_PATH": "/opt/lib", "HOME": "/home/me"}
    assert worker_environment(env) == env  # nothing installed: whisk's own way
    install_ffmpeg6(wheel=_wheel(tmp_path / "av.whl", [*BUNDLED.values()]))
    assert ffmpeg6_present()
    assert set(FFMPEG6_LIBRARIES) <= {p.name for p in folder.iterdir()}
    out = worker_environment(env)
    assert out["LD_LIBRARY_PATH"] == f"{folder}{os.pathsep}/opt/lib"
    assert out["WHISK_SKIP_FFMPEG_DOWNLOAD"] == "1"
    assert out["HOME"] == "/home/me"
