"""How a label-image edit maps onto a frame's list of masks (pure numpy, no viewer)."""

from __future__ import annotations

import numpy as np

from napari_whiskertoolbox.layers.converters import masks_to_label_image
from napari_whiskertoolbox.layers.mask_edits import merge_label_edit, renumbering


def _mask(y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
    ys, xs = np.mgrid[y0:y1, x0:x1]
    return np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.uint32)


def test_a_new_label_is_stored_last_and_numbered_by_its_place():
    masks = [_mask(0, 2, 0, 2), _mask(5, 7, 5, 7)]
    ids = np.array([11, 12], np.uint64)
    before = masks_to_label_image(masks, (10, 10), labels=[1, 2])
    after = before.copy()
    after[8:10, 0:3] = 9
    merged = merge_label_edit(masks, ids, [1, 2], before, after)
    assert merged is not None
    new_masks, new_ids, labels = merged
    assert new_ids.tolist() == [11, 12, 0]
    assert labels == [1, 2, 9]
    assert renumbering(labels) == {9: 3}
    np.testing.assert_array_equal(masks_to_label_image(new_masks, (10, 10)) == 3, after == 9)


def test_a_mask_erased_whole_moves_the_later_labels_down():
    masks = [_mask(0, 2, 0, 2), _mask(5, 7, 5, 7), _mask(8, 9, 8, 9)]
    before = masks_to_label_image(masks, (10, 10), labels=[1, 2, 3])
    after = np.where(before == 1, 0, before)
    merged = merge_label_edit(masks, np.array([1, 2, 3], np.uint64), [1, 2, 3], before, after)
    assert merged is not None
    assert merged[1].tolist() == [2, 3]
    assert renumbering(merged[2]) == {2: 1, 3: 2}


def test_labels_in_mask_order_are_not_renumbered():
    assert renumbering([1, 2, 3]) == {}
    assert renumbering([]) == {}
