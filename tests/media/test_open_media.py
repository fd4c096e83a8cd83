"""open_media dispatches by suffix (or an explicit kind) to the right frame source."""

from __future__ import annotations

import subprocess
import sys

import imageio.v3 as iio
import numpy as np
import pytest
import tifffile

from napari_whiskertoolbox.media import (
    ImageFolderMedia,
    MediaError,
    MediaFileNotFoundError,
    TiffStackMedia,
    VideoMedia,
    is_media_path,
    open_media,
)


def test_video_suffixes(frame_number_video, encoded_videos):
    with open_media(frame_number_video) as media:
        assert isinstance(media, VideoMedia)
        assert media.kind == "video"
    for name in ["mpeg4_bframes.avi", "h264_bframes.mkv", "h264_bframes.mov"]:
        media = open_media(encoded_videos[name].path, gray=True)
        assert isinstance(media, VideoMedia)
        assert media.gray
        media.close()


def test_video_with_unusual_suffix_needs_kind(tmp_path, frame_number_video):
    renamed = tmp_path / "movie.video"
    renamed.write_bytes(frame_number_video.read_bytes())
    with pytest.raises(MediaError, match=r"movie\.video.*suffix"):
        open_media(renamed)
    with open_media(renamed, kind="video") as media:
        assert len(media) == 1000


def test_tiff_and_folder(tmp_path):
    stack = tmp_path / "stack.TIFF"
    tifffile.imwrite(stack, np.zeros((3, 4, 5), np.uint8), photometric="minisblack")
    media = open_media(stack)
    assert isinstance(media, TiffStackMedia)
    assert media.shape == (3, 4, 5)
    assert isinstance(open_media(stack, kind="images"), TiffStackMedia)

    folder = tmp_path / "frames"
    folder.mkdir()
    for k in range(2):
        iio.imwrite(folder / f"f{k}.png", np.full((4, 5), k, np.uint8))
    media = open_media(folder, pattern="f*")
    assert isinstance(media, ImageFolderMedia)
    assert media.shape == (2, 4, 5)
    with pytest.raises(MediaError, match="is a folder"):
        open_media(folder, kind="video")


def test_bad_paths_and_kinds(tmp_path):
    with pytest.raises(MediaFileNotFoundError, match=r"gone\.mp4"):
        open_media(tmp_path / "gone.mp4")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with pytest.raises(MediaError, match=r"notes\.txt.*unsupported suffix"):
        open_media(notes)
    with pytest.raises(ValueError, match="kind"):
        open_media(notes, kind="audio")


def test_is_media_path(tmp_path):
    assert is_media_path("a/b/session.MP4")
    assert is_media_path("stack.tif")
    assert is_media_path(tmp_path)
    assert not is_media_path("points.csv")


def test_media_imports_without_qt_or_napari():
    code = (
        "import sys, napari_whiskertoolbox.media as m; "
        "bad = [n for n in sys.modules if n.split('.')[0] in "
        "('napari', 'PyQt5', 'PyQt6', 'PySide2', 'PySide6', 'qtpy', 'magicgui', 'pyqtgraph')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
