"""Ragged SoA containers: PointData, LineData, MaskData."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from napari_whiskertoolbox.core import ImageSize, LineData, MaskData, PointData

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.history import Change


def square_line(n: int, shift: float = 0.0) -> np.ndarray:
    return np.column_stack((np.arange(n) + shift, np.arange(n) * 2.0)).astype(np.float32)


# ------------------------------------------------------------------ points
def test_points_add_read_ids():
    pts = PointData()
    ids = pts.add(3, [[1, 2], [3, 4]])
    assert ids.dtype == np.uint64
    assert ids.size == 2
    more = pts.add(3, (5, 6))
    assert more.size == 1
    got = pts.at(3)
    assert got.dtype == np.float32
    assert got.shape == (3, 2)
    np.testing.assert_array_equal(got, [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(pts.ids_at(3), np.concatenate([ids, more]))
    assert pts.count_at(3) == 3
    assert pts.count_at(4) == 0
    assert pts.at(4).shape == (0, 2)
    assert pts.n_entries == 3
    assert pts.n_frames_with_data == 1


def test_points_find_update_remove():
    pts = PointData()
    a, b = pts.add(0, [[1, 1], [2, 2]])
    pts.update(int(b), [9, 9])
    t, point = pts.find(int(b))
    assert t == 0
    assert point.tolist() == [9, 9]
    assert pts.remove(int(a))
    np.testing.assert_array_equal(pts.ids_at(0), [b])
    assert not pts.remove(int(a))
    assert pts.find(int(a)) is None
    with pytest.raises(KeyError, match=str(int(a))):
        pts.update(int(a), [0, 0])


def test_points_reject_bad_input():
    pts = PointData()
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        pts.add(0, [[1, 2, 3]])
    with pytest.raises(ValueError, match="point 1 does not fit in float32"):
        pts.add(0, np.array([[1, 2], [1e39, 2]]))
    with pytest.raises(ValueError, match="one"):
        pts.update(1, [[1, 2], [3, 4]])


def test_point_frame_views_share_storage_and_are_read_only():
    pts = PointData.from_flat([0, 0, 1], [[0, 0], [1, 1], [2, 2]])
    flat = pts.to_flat()
    view = pts.at(0)
    assert np.shares_memory(view, flat.coords)
    assert not view.flags.writeable
    assert flat.offsets is None


# ------------------------------------------------------------------ lines
def test_lines_from_flat_views_and_unsorted_input():
    coords = np.concatenate([square_line(3), square_line(2, 10), square_line(4, 20)])
    lines = LineData.from_flat([5, 1, 5], coords, offsets=[0, 3, 5, 9])
    np.testing.assert_array_equal(lines.times_with_data(), [1, 5])
    frame1 = lines.at(1)
    assert len(frame1) == 1
    np.testing.assert_array_equal(frame1[0], square_line(2, 10))
    frame5 = lines.at(5)
    np.testing.assert_array_equal(frame5[0], square_line(3))
    np.testing.assert_array_equal(frame5[1], square_line(4, 20))
    flat = lines.to_flat()
    assert all(np.shares_memory(v, flat.coords) for v in frame5)
    assert not frame5[0].flags.writeable
    np.testing.assert_array_equal(flat.times, [1, 5, 5])
    np.testing.assert_array_equal(flat.offsets, [0, 2, 5, 9])


def test_from_flat_copies_input_and_accepts_start_offsets():
    coords = square_line(4)
    lines = LineData.from_flat([0, 0], coords, offsets=[0, 2])
    coords[0] = 99
    assert lines.at(0)[0][0].tolist() == [0, 0]
    assert [len(x) for x in lines.at(0)] == [2, 2]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"times": [0], "coords": [[0, 0]]}, "needs offsets"),
        ({"times": [0], "coords": [[0, 0]], "offsets": [0, 2]}, "running from 0 to 1"),
        ({"times": [0, 1], "coords": [[0, 0]] * 2, "offsets": [0, 2, 1]}, "running from 0 to 2"),
        ({"times": [0], "coords": [[0, 1e39]], "offsets": [0, 1]}, "row 0 does not fit in"),
        ({"times": [0], "coords": [0, 0], "offsets": [0, 1]}, r"\(P, 2\)"),
        ({"times": [0], "coords": [[0, 0]], "offsets": [0, 1], "ids": [0]}, "non-zero"),
        (
            {"times": [0, 0], "coords": [[0, 0]] * 2, "offsets": [0, 1, 2], "ids": [7, 7]},
            "duplicate",
        ),
    ],
)
def test_lines_from_flat_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LineData.from_flat(**kwargs)


def test_lines_set_frame_keeps_given_ids_and_allocates_zero():
    lines = LineData()
    (a,) = lines.add(2, square_line(3))
    (b,) = lines.add(2, square_line(3, 5))
    ids = lines.set_frame(2, [square_line(2), square_line(5), square_line(1)], ids=[b, 0, None])
    assert ids[0] == b
    assert ids[1] not in (a, b)
    assert ids[2] not in (a, b, ids[1])
    assert lines.find(int(a)) is None
    assert [len(x) for x in lines.at(2)] == [2, 5, 1]


def test_set_frame_rejects_ids_from_other_frames_and_duplicates():
    lines = LineData()
    (a,) = lines.add(0, square_line(2))
    with pytest.raises(ValueError, match=f"entity id {int(a)} already belongs to frame 0"):
        lines.set_frame(1, [square_line(2)], ids=[a])
    with pytest.raises(ValueError, match="duplicate"):
        lines.set_frame(0, [square_line(2), square_line(2)], ids=[a, a])
    with pytest.raises(ValueError, match="2 ids for 1 objects"):
        lines.set_frame(0, [square_line(2)], ids=[a, 0])


def test_nan_and_infinite_coordinates_are_kept_as_given():
    """WhiskerToolbox's line and point files hold NaN vertices (wt_loaders.md §11)."""
    lines = LineData()
    (a,) = lines.add(0, [[0, 0], [np.nan, 1]])
    lines.add(0, [[np.inf, -np.inf], [1, 2]])
    np.testing.assert_array_equal(lines.at(0)[0], [[0, 0], [np.nan, 1]])
    np.testing.assert_array_equal(lines.at(0)[1], [[np.inf, -np.inf], [1, 2]])
    steps = lines.set_frame(0, lines.at(0), ids=lines.ids_at(0))  # same content: no change
    assert steps.tolist() == lines.ids_at(0).tolist()
    flat = LineData.from_flat([3], np.array([[np.nan, 2.0]]), offsets=[0, 1])
    np.testing.assert_array_equal(flat.at(3)[0], [[np.nan, 2]])
    pts = PointData()
    pts.add(1, [[np.nan, np.nan], [1, 2]])
    np.testing.assert_array_equal(pts.at(1), [[np.nan, np.nan], [1, 2]])
    assert lines.find(int(a))[0] == 0


def test_lines_reject_bad_shapes():
    lines = LineData()
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        lines.add(0, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="vertex 1 does not fit in float32"):
        lines.add(0, [[0, 0], [-1e39, 1]])


def test_clear_copy_frame_and_navigation():
    lines = LineData()
    lines.add(10, square_line(3))
    lines.add(20, square_line(2))
    new = lines.copy_frame(10, 30)
    assert new.size == 1
    assert new[0] != lines.ids_at(10)[0]
    np.testing.assert_array_equal(lines.at(30)[0], lines.at(10)[0])
    lines.clear_at(20)
    np.testing.assert_array_equal(lines.times_with_data(), [10, 30])
    assert lines.next_time_with_data(10) == 30
    assert lines.next_time_with_data(30) is None
    assert lines.next_time_with_data(25, step=-1) == 10
    assert lines.previous_time_with_data(10) is None
    assert lines.n_entries == 2


def test_edits_emit_frames_touched():
    lines = LineData()
    seen: list[Change] = []
    lines.changed.connect(seen.append)
    (a,) = lines.add(4, square_line(2))
    lines.update(int(a), square_line(3))
    lines.copy_frame(4, 9)
    lines.clear_at(4)
    lines.clear_at(4)  # nothing left: no signal
    assert [c.frames.tolist() for c in seen] == [[4], [4], [9], [4]]


def test_compaction_preserves_content_and_ids():
    lines = LineData.from_flat([0, 1, 2], square_line(6), offsets=[0, 2, 4, 6])
    lines.compact_threshold = 3
    expected: dict[int, list[np.ndarray]] = {t: [x.copy() for x in lines.at(t)] for t in range(3)}
    for t in range(3, 10):
        lines.add(t, square_line(t))
        expected[t] = [square_line(t)]
    lines.clear_at(1)
    del expected[1]
    ids_before = {t: lines.ids_at(t).tolist() for t in expected}
    assert len(lines._overlay) <= 3
    lines.compact()
    assert lines._overlay == {}
    np.testing.assert_array_equal(lines.times_with_data(), sorted(expected))
    for t, objs in expected.items():
        assert lines.ids_at(t).tolist() == ids_before[t]
        for got, want in zip(lines.at(t), objs):
            np.testing.assert_array_equal(got, want)
    flat = lines.to_flat()
    assert flat.offsets[-1] == flat.coords.shape[0]
    assert lines.n_entries == flat.ids.size


def test_copy_is_independent_with_new_ids():
    lines = LineData(image_size=(640, 480))
    lines.add(0, square_line(3))
    clone = lines.copy()
    assert clone.image_size == ImageSize(640, 480)
    assert clone.ids_at(0)[0] != lines.ids_at(0)[0]
    clone.clear_at(0)
    assert lines.count_at(0) == 1


def test_image_size_validation():
    assert LineData(image_size=(4, 3)).image_size == ImageSize(4, 3)
    with pytest.raises(ValueError, match="positive"):
        LineData(image_size=(0, 3))
    with pytest.raises(ValueError, match="width, height"):
        LineData(image_size="big")


# ------------------------------------------------------------------ masks
def test_mask_from_bool_image_sets_size_and_rasterises():
    image = np.zeros((3, 5), bool)
    image[1, 2] = image[2, 4] = True
    masks = MaskData()
    (mid,) = masks.add(7, image)
    assert masks.image_size == ImageSize(5, 3)
    pixels = masks.at(7)[0]
    assert pixels.dtype == np.uint32
    assert sorted(map(tuple, pixels.tolist())) == [(2, 1), (4, 2)]
    np.testing.assert_array_equal(masks.rasterize(7), image)
    assert masks.find(int(mid))[0] == 7


def test_mask_label_image_numbers_entries_and_reuses_out():
    masks = MaskData(image_size=(4, 2))
    masks.add(0, [[0, 0], [1, 0]])
    masks.add(0, [[3, 1], [9, 9]])  # (9, 9) lies outside the image and is ignored
    out = np.full((2, 4), 5, np.int32)
    labels = masks.label_image(0, out=out)
    assert labels is out
    np.testing.assert_array_equal(labels, [[1, 1, 0, 0], [0, 0, 0, 2]])
    assert masks.label_image(1).sum() == 0
    with pytest.raises(ValueError, match="expected"):
        masks.label_image(0, out=np.zeros((3, 3), np.int32))


def test_mask_validation():
    masks = MaskData()
    with pytest.raises(ValueError, match="image_size"):
        masks.rasterize(0)
    with pytest.raises(ValueError, match="mask pixel 1 is negative"):
        masks.add(0, [[0, 0], [-1, 2]])
    with pytest.raises(ValueError, match="not an integer pixel"):
        masks.add(0, [[0.5, 0]])
    masks.image_size = (4, 4)
    with pytest.raises(ValueError, match="image_size is 4x4"):
        masks.add(0, np.zeros((2, 2), bool))
    with pytest.raises(ValueError, match="negative"):
        MaskData.from_flat([0], [[-1, 0]], offsets=[0, 1])


def test_mask_set_frame_accepts_images_stack():
    masks = MaskData(image_size=(3, 2))
    stack = np.zeros((2, 2, 3), bool)
    stack[0, 0, 0] = True
    stack[1, 1, 2] = True
    masks.set_frame(1, stack)
    np.testing.assert_array_equal(masks.label_image(1), [[1, 0, 0], [0, 0, 2]])


def test_from_flat_accepts_huge_finite_floats_and_rejects_float32_overflow():
    huge = np.full((4, 2), 3e38, np.float32)  # finite, but their float32 sum overflows
    lines = LineData.from_flat([0, 1], huge, offsets=[0, 2, 4])
    assert lines.at(1)[0][0, 0] == np.float32(3e38)
    with pytest.raises(ValueError, match="row 2 does not fit in float32"):
        LineData.from_flat([0, 1], [[0, 0], [1, 1], [1e39, 0]], offsets=[0, 1, 3])


def test_from_flat_without_copy_shares_float32_input():
    coords = np.zeros((3, 2), np.float32)
    lines = LineData.from_flat([0], coords, offsets=[0, 3], copy=False)
    assert np.shares_memory(lines.to_flat().coords, coords)
    assert coords.flags.writeable  # the caller's array is left as it was


def test_overlay_edits_of_main_frames_keep_counts_right():
    pts = PointData.from_flat([0, 0, 1, 2], [[0, 0], [1, 1], [2, 2], [3, 3]])
    assert pts.n_entries == 4
    assert pts.n_frames_with_data == 3
    pts.set_frame(0, [[5, 5]])
    pts.set_frame(1, np.empty((0, 2)))
    pts.add(7, [7, 7])
    assert pts.n_entries == 3
    np.testing.assert_array_equal(pts.times_with_data(), [0, 2, 7])
    assert pts.next_time_with_data(0) == 2
    flat = pts.to_flat()
    np.testing.assert_array_equal(flat.times, [0, 2, 7])
    np.testing.assert_array_equal(flat.coords, [[5, 5], [3, 3], [7, 7]])
    assert not flat.coords.flags.writeable


def test_main_ids_found_until_their_frame_is_rewritten():
    lines = LineData.from_flat([0, 3], np.zeros((4, 2)), offsets=[0, 2, 4], ids=[500, 501])
    assert lines.find(501)[0] == 3
    lines.set_frame(3, [np.ones((2, 2))])  # 501 replaced by a new id
    assert lines.find(501) is None
    assert not lines.remove(501)
    assert lines.remove(500)
    assert lines.find(500) is None
    assert lines.n_entries == 1
