"""ImageFolderMedia on folders of PNG / TIFF images written with imageio and tifffile."""

from __future__ import annotations

import imageio.v3 as iio
import numpy as np
import pytest
import tifffile

from napari_whiskertoolbox.media import (
    ImageFolderMedia,
    MediaError,
    MediaFileNotFoundError,
)


def _write_pngs(folder, frames, stem="img", start=0):
    folder.mkdir(exist_ok=True)
    for k, frame in enumerate(frames):
        iio.imwrite(folder / f"{stem}{start + k}.png", frame)


def _gray_frames(n, height=12, width=16, dtype=np.uint8):
    rng = np.random.default_rng(n)
    return rng.integers(0, np.iinfo(dtype).max, (n, height, width), endpoint=True).astype(dtype)


def test_frames_follow_natural_name_order(tmp_path):
    frames = _gray_frames(12)
    _write_pngs(tmp_path / "frames", frames)  # img0.png .. img11.png: lexical order is wrong
    media = ImageFolderMedia(tmp_path / "frames")
    assert [p.name for p in media.files][:4] == ["img0.png", "img1.png", "img2.png", "img3.png"]
    assert media.files[-1].name == "img11.png"
    assert media.shape == (12, 12, 16)
    assert media.dtype == np.uint8
    assert media.kind == "images"
    for i in [11, 0, 10, 2]:
        np.testing.assert_array_equal(media[i], frames[i])
    np.testing.assert_array_equal(media[9:12], frames[9:12])
    np.testing.assert_array_equal(media[10, 2:5, ::3], frames[10, 2:5, ::3])


def test_rgb_images(tmp_path):
    rng = np.random.default_rng(1)
    frames = rng.integers(0, 255, (3, 8, 10, 3), endpoint=True).astype(np.uint8)
    _write_pngs(tmp_path / "rgb", frames)
    media = ImageFolderMedia(tmp_path / "rgb")
    assert media.shape == (3, 8, 10, 3)
    assert media.is_color
    np.testing.assert_array_equal(media[2], frames[2])


def test_sixteen_bit_png_and_contrast_limits(tmp_path):
    frames = np.zeros((3, 6, 6), np.uint16)
    frames[1, 2, 2] = 1200
    _write_pngs(tmp_path / "deep", frames)
    media = ImageFolderMedia(tmp_path / "deep")
    assert media.dtype == np.uint16
    np.testing.assert_array_equal(media[1], frames[1])
    assert media.contrast_limits == (0.0, 1200.0)


def test_tiff_images_in_a_folder(tmp_path):
    folder = tmp_path / "tiffs"
    folder.mkdir()
    frames = _gray_frames(4, dtype=np.uint16)
    for k, frame in enumerate(frames):
        tifffile.imwrite(folder / f"frame_{k:03d}.tif", frame)
    media = ImageFolderMedia(folder)
    assert media.shape == (4, 12, 16)
    np.testing.assert_array_equal(media[3], frames[3])


def test_pattern_and_extension_filters(tmp_path):
    folder = tmp_path / "mixed"
    frames = _gray_frames(3)
    _write_pngs(folder, frames, stem="cam_")
    _write_pngs(folder, _gray_frames(2, height=5), stem="other_")
    (folder / "notes.txt").write_text("not an image")
    cam = ImageFolderMedia(folder, pattern="cam_*")
    assert len(cam) == 3
    np.testing.assert_array_equal(cam[1], frames[1])
    with pytest.raises(MediaError, match="no files matching"):
        ImageFolderMedia(folder, extensions=["jpg"])


def test_images_of_other_sizes_sit_top_left_on_the_largest_canvas(tmp_path):
    folder = tmp_path / "odd"
    frames = _gray_frames(3)  # 12 x 16
    _write_pngs(folder, frames)
    small = np.full((5, 7), 200, np.uint8)
    tall = np.full((20, 4), 100, np.uint8)
    iio.imwrite(folder / "img7.png", small)
    iio.imwrite(folder / "img8.png", tall)
    media = ImageFolderMedia(folder)
    assert media.shape == (5, 20, 16)
    assert media.image_sizes[3:] == [(5, 7), (20, 4)]
    np.testing.assert_array_equal(media[0][:12, :16], frames[0])
    assert not media[0][12:].any()
    np.testing.assert_array_equal(media[3][:5, :7], small)
    assert not media[3][5:].any()
    assert not media[3][:, 7:].any()
    np.testing.assert_array_equal(media[4][:, :4], tall)


def test_channel_mismatch_is_caught_when_read(tmp_path):
    folder = tmp_path / "channels"
    _write_pngs(folder, _gray_frames(2))
    iio.imwrite(folder / "img2.png", np.zeros((12, 16, 3), np.uint8))
    media = ImageFolderMedia(folder)  # headers agree on size
    with pytest.raises(MediaError, match=r"img2\.png.*\(12, 16, 3\)"):
        media[2]


def test_missing_empty_and_not_a_folder(tmp_path):
    with pytest.raises(MediaFileNotFoundError, match="no_such_folder"):
        ImageFolderMedia(tmp_path / "no_such_folder")
    (tmp_path / "empty").mkdir()
    with pytest.raises(MediaError, match="empty"):
        ImageFolderMedia(tmp_path / "empty")
    a_file = tmp_path / "file.png"
    iio.imwrite(a_file, np.zeros((3, 3), np.uint8))
    with pytest.raises(MediaError, match="not a folder"):
        ImageFolderMedia(a_file)


def test_corrupt_image_is_named(tmp_path):
    folder = tmp_path / "corrupt"
    _write_pngs(folder, _gray_frames(2))
    (folder / "img2.png").write_bytes(b"\x89PNG garbage")
    with pytest.raises(MediaError, match=r"img2\.png"):
        ImageFolderMedia(folder)


def test_from_files_keeps_the_given_order_across_folders(tmp_path):
    frames = _gray_frames(3)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    iio.imwrite(tmp_path / "b" / "z.png", frames[0])
    iio.imwrite(tmp_path / "a" / "y.png", frames[1])
    iio.imwrite(tmp_path / "b" / "x.png", frames[2])
    files = [tmp_path / "b" / "z.png", tmp_path / "a" / "y.png", tmp_path / "b" / "x.png"]
    media = ImageFolderMedia.from_files(files)
    assert media.files == [f.resolve() for f in files]
    assert media.source_path == tmp_path.resolve()
    for i, frame in enumerate(frames):
        np.testing.assert_array_equal(media.frame(i), frame)
    with pytest.raises(MediaFileNotFoundError, match=r"gone\.png"):
        ImageFolderMedia.from_files([*files, tmp_path / "gone.png"])
