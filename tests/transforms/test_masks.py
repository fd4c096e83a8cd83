"""Mask transforms (reference §3.1)."""

from __future__ import annotations

import numpy as np
import pytest
from _transforms_support import masks_of
from hypothesis import given, settings
from hypothesis import strategies as st

from napari_whiskertoolbox.core import MaskData
from napari_whiskertoolbox.transforms import apply_transform
from napari_whiskertoolbox.transforms.masks import mask_median, mask_skeleton, order_pixels


def test_area_counts_pixels_with_duplicates_and_is_ragged():
    md = masks_of({0: [[[1, 1], [2, 1], [3, 1]], []], 2: [[[5, 5], [5, 5]]]})
    out = apply_transform("CalculateMaskArea", md)
    np.testing.assert_array_equal(out.times, [0, 0, 2])  # one value per mask, same frame
    np.testing.assert_array_equal(out.values, [3, 0, 2])


def test_area_min_area_and_scale():
    md = masks_of({0: [[[0, 0]] * 3, [[0, 0]] * 10]})
    out = apply_transform("CalculateMaskArea", md, {"min_area": 5, "scale_factor": 0.5})
    np.testing.assert_array_equal(out.values, [0, 5])
    raw = apply_transform("CalculateMaskAreaWithContext", md, {"min_area": 5, "scale_factor": 0.5})
    np.testing.assert_array_equal(raw.values, [3, 10])  # the context variant ignores both


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=30), max_size=6),
    st.floats(0.01, 100),
)
def test_area_is_non_negative_and_counts(masks, scale):
    md = MaskData()
    for k, m in enumerate(masks):
        md.add(k // 2, np.asarray(m, np.int64).reshape(-1, 2))
    out = apply_transform("CalculateMaskArea", md, {"scale_factor": scale})
    assert np.all(out.values >= 0)
    np.testing.assert_allclose(out.values, [len(m) * scale for m in masks], rtol=1e-5)


def test_centroid_and_empty_mask():
    md = masks_of({0: [[[0, 0], [2, 0], [2, 4], [0, 4]], []], 5: [[[7, 9]]]})
    out = apply_transform("CalculateMaskCentroid", md).to_flat()
    np.testing.assert_array_equal(out.times, [0, 0, 5])
    np.testing.assert_allclose(out.coords, [[1, 2], [0, 0], [7, 9]])


def test_median_filter_removes_specks_and_corners():
    square = [[x, y] for x in range(10, 15) for y in range(10, 15)]
    out = mask_median(np.asarray([*square, [30, 30]]), 3)
    pixels = {tuple(p) for p in out.tolist()}
    assert (30, 30) not in pixels  # isolated pixel removed
    assert (10, 10) not in pixels  # a corner has 4 of 9 set: removed
    assert (12, 12) in pixels
    assert len(pixels) == 21
    assert out.dtype == np.uint32
    # row-major output
    assert out[:, ::-1].tolist() == sorted(out[:, ::-1].tolist())


def test_median_window_rules_and_full_canvas():
    square = np.asarray([[x, y] for x in range(0, 5) for y in range(0, 5)])
    np.testing.assert_array_equal(mask_median(square, 4), mask_median(square, 3))  # even → 3
    np.testing.assert_array_equal(mask_median(square, 0), mask_median(square, 3))
    # mirrored edges: a square touching the image corner keeps its corner on a full canvas
    full = {tuple(p) for p in mask_median(square, 3, 20, 20).tolist()}
    assert (0, 0) in full
    assert len(mask_median(np.empty((0, 2), np.uint32), 3)) == 0


def test_skeleton_of_a_bar_is_one_pixel_wide():
    bar = np.asarray([[x, y] for x in range(5, 40) for y in range(10, 15)])
    for method in ("ZhangSuen", "MedialAxis"):
        skel = mask_skeleton(bar, method)
        assert {tuple(p) for p in skel.tolist()} <= {tuple(p) for p in bar.tolist()}
        assert 0 < len(skel) < 50
        middle = skel[(skel[:, 0] >= 12) & (skel[:, 0] <= 32)]
        np.testing.assert_array_equal(middle[:, 1], 12)  # one pixel wide, on the mid-line
        assert len(middle) == 21
    assert mask_skeleton(np.array([[3, 4]]), "ZhangSuen").tolist() == [[3, 4]]
    out = apply_transform(
        "SkeletonizeMask", masks_of({0: [bar.tolist()]}), {"method": "MedialAxis"}
    )
    assert out.n_entries == 1


def test_mask_to_line_orders_from_the_reference():
    diag = np.asarray([[i, i] for i in range(10)])
    rng = np.random.default_rng(0)
    shuffled = diag[rng.permutation(10)]
    line = order_pixels(shuffled, 0, 0)
    np.testing.assert_array_equal(line, diag)  # starts at the end nearest the reference
    line = order_pixels(shuffled, 100, 100)
    np.testing.assert_array_equal(line, diag[::-1])
    assert len(order_pixels(diag, 0, 0, subsample=3)) == 4
    out = apply_transform("MaskToLine", masks_of({2: [shuffled.tolist(), []]}))
    assert out.at(2)[0].dtype == np.float32
    assert len(out.at(2)[1]) == 0  # empty mask → empty line


@pytest.mark.parametrize("name", ["MedianFilterMask", "SkeletonizeMask", "MaskToLine"])
def test_mask_outputs_keep_frames_and_image_size(name):
    md = masks_of({1: [[[x, y] for x in range(3) for y in range(3)]], 4: [[[9, 9]]]}, size=(32, 24))
    out = apply_transform(name, md)
    assert out.n_entries == 2
    np.testing.assert_array_equal(np.unique(out.to_flat().times), [1, 4])
    assert tuple(out.image_size) == (32, 24)
