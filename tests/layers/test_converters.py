"""Pure model <-> napari layer-data conversions (no Qt, no napari)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from napari_whiskertoolbox.layers.converters import (
    label_dtype_for,
    label_image_to_masks,
    layer_paths_to_lines,
    layer_points_to_points,
    lines_to_layer_paths,
    masks_to_label_image,
    points_to_layer_points,
    reconcile_row_ids,
)


def test_points_swap_axes_and_round_trip():
    xy = np.array([[1.5, 10.0], [3.0, 20.0]], dtype=np.float32)
    yx = points_to_layer_points(xy)
    np.testing.assert_array_equal(yx, [[10.0, 1.5], [20.0, 3.0]])
    assert yx.dtype == np.float32
    np.testing.assert_array_equal(layer_points_to_points(yx), xy)


def test_points_from_layer_ignore_leading_axes():
    tyx = np.array([[7.0, 10.0, 1.0]])
    np.testing.assert_array_equal(layer_points_to_points(tyx), [[1.0, 10.0]])


def test_points_empty_and_single():
    assert points_to_layer_points(np.empty((0, 2))).shape == (0, 2)
    np.testing.assert_array_equal(points_to_layer_points([4.0, 5.0]), [[5.0, 4.0]])


def test_points_bad_shape_names_what_was_expected():
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        points_to_layer_points(np.zeros((3, 1)))


def test_converted_points_do_not_alias_model_storage():
    xy = np.array([[1.0, 2.0]], dtype=np.float32)
    yx = points_to_layer_points(xy)
    yx[0, 0] = 99
    assert xy[0, 1] == 2.0


def test_lines_round_trip():
    lines = [np.array([[0, 1], [2, 3], [4, 5]], np.float32), np.array([[9, 8], [7, 6]], np.float32)]
    paths = lines_to_layer_paths(lines)
    np.testing.assert_array_equal(paths[0], [[1, 0], [3, 2], [5, 4]])
    back = layer_paths_to_lines(paths)
    for a, b in zip(lines, back):
        np.testing.assert_array_equal(a, b)
    assert lines_to_layer_paths([]) == []


def test_label_dtype_grows_with_count():
    assert label_dtype_for(1) == np.uint8
    assert label_dtype_for(300) == np.uint16
    assert label_dtype_for(70000) == np.uint32


def test_masks_to_label_image_labels_are_entry_plus_one():
    masks = [np.array([[0, 0], [1, 0]], np.uint32), np.array([[3, 2]], np.uint32)]
    img = masks_to_label_image(masks, (4, 5))
    assert img.shape == (4, 5)
    assert img[0, 0] == 1
    assert img[0, 1] == 1
    assert img[2, 3] == 2
    assert np.count_nonzero(img) == 3


def test_masks_outside_image_are_dropped_and_out_is_reused():
    out = np.full((2, 2), 7, np.uint8)
    img = masks_to_label_image([np.array([[5, 5], [1, 1]], np.uint32)], (2, 2), out=out)
    assert img is out
    np.testing.assert_array_equal(out, [[0, 0], [0, 1]])
    with pytest.raises(ValueError, match="shape"):
        masks_to_label_image([], (3, 3), out=out)


def test_label_image_to_masks_keeps_ids_by_label():
    img = np.zeros((3, 4), np.uint8)
    img[0, 1] = 2
    img[2, 3] = 2
    img[1, 0] = 5
    masks, ids, labels = label_image_to_masks(img, label_ids=np.array([11, 22], np.uint64))
    np.testing.assert_array_equal(labels, [2, 5])
    np.testing.assert_array_equal(ids, [22, 0])
    np.testing.assert_array_equal(masks[0], [[1, 0], [3, 2]])
    np.testing.assert_array_equal(masks[1], [[0, 1]])
    assert masks[0].dtype == np.uint32


def test_label_image_empty():
    masks, ids, labels = label_image_to_masks(np.zeros((2, 2), np.int32))
    assert masks == []
    assert ids.size == 0
    assert labels.size == 0
    with pytest.raises(ValueError, match="2-D"):
        label_image_to_masks(np.zeros((2, 2, 2)))


@settings(max_examples=40, deadline=None)
@given(arrays(np.uint8, (6, 7), elements=st.integers(0, 4)))
def test_label_image_round_trip(img):
    masks, _ids, labels = label_image_to_masks(img)
    rebuilt = masks_to_label_image(masks, img.shape)
    # labels are renumbered 1..K in increasing order: same partition of pixels
    np.testing.assert_array_equal(rebuilt > 0, img > 0)
    for k, label in enumerate(labels):
        np.testing.assert_array_equal(rebuilt == k + 1, img == label)


def test_reconcile_added_rows_are_new():
    ids = reconcile_row_ids(np.array([5, 6], np.uint64), 4, "added", (-2, -1))
    np.testing.assert_array_equal(ids, [5, 6, 0, 0])


def test_reconcile_removed_rows_drop_their_ids():
    ids = reconcile_row_ids(np.array([5, 6, 7], np.uint64), 1, "removed", (0, 2))
    np.testing.assert_array_equal(ids, [6])


def test_reconcile_changed_keeps_ids_and_dedupes_pastes():
    ids = reconcile_row_ids(np.array([5, 6], np.uint64), 2, "changed", (1,))
    np.testing.assert_array_equal(ids, [5, 6])
    ids = reconcile_row_ids(np.array([5, 6, 5], np.uint64), 3, "changed")
    np.testing.assert_array_equal(ids, [5, 6, 0])


def test_converters_import_without_qt_or_napari():
    code = (
        "import sys, napari_whiskertoolbox.layers.converters; "
        "bad = [m for m in ('qtpy', 'PyQt5', 'napari', 'vispy') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
