"""TiffStackMedia on stacks written by tifffile: memory-mapped, compressed, RGB, single-page 3-D."""

from __future__ import annotations

import numpy as np
import pytest
import tifffile

from napari_whiskertoolbox.media import MediaError, MediaFileNotFoundError, TiffStackMedia


def _stack(shape: tuple[int, ...], dtype: str) -> np.ndarray:
    rng = np.random.default_rng(sum(shape))
    if np.issubdtype(np.dtype(dtype), np.floating):
        return rng.random(shape).astype(dtype)
    return rng.integers(0, np.iinfo(dtype).max, shape, endpoint=True).astype(dtype)


CASES = {
    "gray8_uncompressed": ((6, 20, 30), "uint8", {}),
    "gray16_uncompressed": ((6, 20, 30), "uint16", {}),
    "float32_uncompressed": ((4, 20, 30), "float32", {}),
    "gray16_zlib_pages": ((6, 20, 30), "uint16", {"compression": "zlib"}),
    "rgb8_uncompressed": ((5, 20, 30, 3), "uint8", {"photometric": "rgb"}),
    "rgb8_zlib_pages": ((5, 20, 30, 3), "uint8", {"photometric": "rgb", "compression": "zlib"}),
    "rgb8_planar_separate": (
        (5, 20, 30, 3),
        "uint8",
        {"photometric": "rgb", "planarconfig": "separate", "compression": "zlib"},
    ),
    "single_page_volume": ((5, 32, 32), "uint16", {"volumetric": True, "tile": (16, 16)}),
    "imagej_hyperstack": ((6, 20, 30), "uint16", {"imagej": True}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_frames_match_the_written_stack(tmp_path, case):
    shape, dtype, kwargs = CASES[case]
    data = _stack(shape, dtype)
    # tifffile wants (n, samples, H, W) for separate planes
    written = np.moveaxis(data, -1, 1) if kwargs.get("planarconfig") == "separate" else data
    path = tmp_path / f"{case}.tif"
    if data.ndim == 3 and not kwargs.get("imagej"):
        kwargs = {"photometric": "minisblack", **kwargs}
    tifffile.imwrite(path, written, **kwargs)

    media = TiffStackMedia(path)
    assert media.shape == data.shape
    assert media.dtype == data.dtype
    assert media.kind == "images"
    assert media.source_path == path.resolve()
    for i in [0, len(data) - 1, 2, 1]:
        np.testing.assert_array_equal(media[i], data[i])
    np.testing.assert_array_equal(media[1:4], data[1:4])
    np.testing.assert_array_equal(media[2, 3:9, ::2], data[2, 3:9, ::2])
    np.testing.assert_array_equal(media[-1], data[-1])
    np.testing.assert_array_equal(np.asarray(media), data)
    media.close()


def test_uncompressed_stack_is_memory_mapped(tmp_path):
    path = tmp_path / "mm.tif"
    tifffile.imwrite(path, _stack((4, 10, 12), "uint16"), photometric="minisblack")
    media = TiffStackMedia(path)
    assert media.shape == (4, 10, 12)
    assert media.is_memory_mapped


def test_compressed_stack_reads_pages_on_demand(tmp_path):
    path = tmp_path / "pages.tif"
    data = _stack((4, 10, 12), "uint16")
    tifffile.imwrite(path, data, compression="zlib", photometric="minisblack")
    media = TiffStackMedia(path)
    assert not media.is_memory_mapped
    np.testing.assert_array_equal(media[3], data[3])
    media.close()
    with pytest.raises(MediaError, match="closed"):
        media[0]


def test_single_image_is_one_frame(tmp_path):
    path = tmp_path / "one.tif"
    data = _stack((10, 12), "uint8")
    tifffile.imwrite(path, data)
    media = TiffStackMedia(path)
    assert media.shape == (1, 10, 12)
    np.testing.assert_array_equal(media[0], data)


def test_contrast_limits(tmp_path):
    path8 = tmp_path / "u8.tif"
    tifffile.imwrite(path8, _stack((3, 4, 4), "uint8"), photometric="minisblack")
    assert TiffStackMedia(path8).contrast_limits == (0.0, 255.0)
    path16 = tmp_path / "u16.tif"
    data = np.zeros((3, 4, 4), np.uint16)
    data[0, 0, 0], data[2, 1, 1] = 100, 4000
    tifffile.imwrite(path16, data, photometric="minisblack")
    assert TiffStackMedia(path16).contrast_limits == (0.0, 4000.0)
    pathf = tmp_path / "f.tif"
    ramp = np.linspace(-1, 3, 48, dtype=np.float32).reshape(3, 4, 4)
    tifffile.imwrite(pathf, ramp, photometric="minisblack")
    assert TiffStackMedia(pathf).contrast_limits == (-1.0, 3.0)


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(MediaFileNotFoundError, match=r"missing_stack\.tif"):
        TiffStackMedia(tmp_path / "missing_stack.tif")


def test_not_a_tiff_names_the_path(tmp_path):
    bogus = tmp_path / "bogus.tif"
    bogus.write_text("this is not a TIFF")
    with pytest.raises(MediaError, match=r"bogus\.tif"):
        TiffStackMedia(bogus)
