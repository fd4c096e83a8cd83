"""V1 ``Track Points Through Masks (Particle Filter)``, with WhiskerToolbox's test scenes.

point_particle_filter.test.cpp checks that the labels are kept, every frame between them is
filled and the tracked points stay on the masks; here those checks are exact (the filter's
output is always a mask pixel) and the seeded runs are reproducible.
"""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.core import DataManager, MaskData, PointData
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.transforms import TransformError, apply_transform, run_transform
from napari_whiskertoolbox.transforms.v1_particle_filter import (
    DEFAULT_SEED,
    _Frame,
    nearest_pixels,
    track_points,
)

NAME = "Track Points Through Masks (Particle Filter)"


def _disk(cx: int, cy: int, r: int) -> np.ndarray:
    ys, xs = np.mgrid[cy - r : cy + r + 1, cx - r : cx + r + 1]
    keep = (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r
    return np.column_stack((xs[keep], ys[keep])).astype(np.int64)


def _rect(x0: int, x1: int, y0: int, y1: int) -> np.ndarray:
    ys, xs = np.mgrid[y0 : y1 + 1, x0 : x1 + 1]
    return np.column_stack((xs.ravel(), ys.ravel())).astype(np.int64)


def _masks(frames: dict[int, np.ndarray], size=(256, 256)) -> MaskData:
    md = MaskData(image_size=size)
    for t, pixels in frames.items():
        md.add(t, pixels)
    return md


def _points(frames: dict[int, list[list[float]]], size=(256, 256)) -> PointData:
    pd_ = PointData(image_size=size)
    for t, pts in frames.items():
        pd_.add(t, np.asarray(pts, np.float32).reshape(-1, 2))
    return pd_


def _on_mask(point: np.ndarray, pixels: np.ndarray) -> bool:
    return bool(np.any(np.all(pixels == np.asarray(point, np.int64), axis=1)))


N = 16


def _blob_centre(t: int) -> tuple[int, int]:
    return 30 + 4 * t, 60 + 2 * t  # moves 4.5 px per frame, faster than transition_radius


def _blob_scene() -> DataManager:
    dm = DataManager()
    dm.set_data("blob", _masks({t: _disk(*_blob_centre(t), 6) for t in range(N)}))
    dm.set_data("labels", _points({0: [_blob_centre(0)], N - 1: [_blob_centre(N - 1)]}))
    return dm


@pytest.mark.parametrize("velocity", [True, False])
def test_a_moving_blob_is_tracked_on_its_mask_every_frame(velocity):
    dm = _blob_scene()
    params = {"mask_data": "blob", "use_velocity_model": velocity}
    out = run_transform(dm, NAME, "labels", "tracked", params)
    assert isinstance(out, PointData)
    assert out.image_size == dm.get_data("labels").image_size
    assert out.times_with_data().tolist() == list(range(N))
    np.testing.assert_array_equal(out.at(0), [_blob_centre(0)])  # the labels are kept
    np.testing.assert_array_equal(out.at(N - 1), [_blob_centre(N - 1)])
    masks = dm.get_data("blob")
    for t in range(1, N - 1):
        (point,) = out.at(t)
        assert _on_mask(point, masks.at(t)[0].astype(np.int64)), (t, point)
    # seeded: the same run gives the same points
    again = run_transform(dm, NAME, "labels", "tracked_again", params)
    np.testing.assert_array_equal(again.to_flat().coords, out.to_flat().coords)


def test_the_seed_makes_python_runs_reproducible():
    dm = _blob_scene()
    pts, masks = dm.get_data("labels"), dm.get_data("blob")
    kw = {"use_velocity_model": False, "random_walk_prob": 0.3, "num_particles": 50}
    a = track_points(pts, masks, seed=1, **kw).to_flat().coords
    b = track_points(pts, masks, seed=1, **kw).to_flat().coords
    np.testing.assert_array_equal(a, b)
    default = track_points(pts, masks, **kw).to_flat().coords
    np.testing.assert_array_equal(
        default, track_points(pts, masks, seed=DEFAULT_SEED, **kw).to_flat().coords
    )
    runs = {track_points(pts, masks, seed=s, **kw).to_flat().coords.tobytes() for s in range(6)}
    assert len(runs) > 1  # the draws do depend on the seed


def test_straight_corridor_of_wt():
    # WT: 500 particles, radius 15, random walk 0.05; labels (50,50) → (150,50) over 11 frames
    masks = _masks({t: _rect(40, 160, 45, 55) for t in range(11)})
    pts = _points({0: [[50, 50]], 10: [[150, 50]]})
    out = apply_transform(
        NAME,
        pts,
        {"mask_data": "m", "num_particles": 500, "transition_radius": 15, "random_walk_prob": 0.05},
        others={"m": masks},
    )
    assert out.times_with_data().tolist() == list(range(11))
    np.testing.assert_allclose(out.at(0), [[50, 50]], atol=5)
    np.testing.assert_allclose(out.at(10), [[150, 50]], atol=5)
    xy = out.to_flat().coords
    assert np.all((xy[:, 0] >= 40) & (xy[:, 0] <= 160) & (xy[:, 1] >= 45) & (xy[:, 1] <= 55))


def test_curved_trajectory_stays_in_the_disk_of_wt():
    masks = _masks({t: _disk(100, 100, 55) for t in range(11)})
    pts = _points({0: [[150, 100]], 10: [[100, 150]]})
    params = {"mask_data": "m", "num_particles": 2000, "transition_radius": 20,
              "random_walk_prob": 0.1, "use_velocity_model": False}  # fmt: skip
    out = apply_transform(NAME, pts, params, others={"m": masks})
    xy = out.to_flat().coords
    assert xy.shape == (11, 2)
    assert np.all(np.hypot(xy[:, 0] - 100, xy[:, 1] - 100) <= 55)


def test_gaps_in_the_masks_and_a_single_label_of_wt():
    # masks only on even frames: the odd frames keep the particles where they are
    masks = _masks({t: _disk(100, 100 + 5 * t, 30) for t in range(0, 11, 2)})
    pts = _points({0: [[100, 100]], 10: [[100, 150]]})
    params = {"mask_data": "m", "transition_radius": 20, "random_walk_prob": 0.1}
    out = apply_transform(NAME, pts, params, others={"m": masks})
    assert out.times_with_data().tolist() == list(range(11))
    for t in range(2, 10, 2):
        assert _on_mask(out.at(t)[0], masks.at(t)[0].astype(np.int64))
    single = apply_transform(NAME, _points({0: [[100, 100]]}), params, others={"m": masks})
    np.testing.assert_array_equal(single.to_flat().coords, [[100, 100]])  # copied, no track


def test_two_points_per_frame_are_two_tracks():
    # WT tracks two entity groups independently; here the k-th point of each frame is track k
    masks = _masks({t: _rect(30, 170, 40, 110) for t in range(6)})
    pts = _points({0: [[50, 50], [150, 50]], 5: [[50, 100], [150, 100]]})
    out = apply_transform(
        NAME, pts, {"mask_data": "m", "transition_radius": 20}, others={"m": masks}
    )
    assert out.times_with_data().tolist() == list(range(6))
    for t in range(6):
        left, right = out.at(t)
        assert left[0] < 100 < right[0], t  # each track stays on its side
    np.testing.assert_array_equal(out.at(5), [[50, 100], [150, 100]])


def test_labels_are_scaled_into_the_mask_image_size():
    # the points were labelled on a 512 x 512 image, the masks on 256 x 256 (WT scales)
    masks = _masks({t: _disk(*_blob_centre(t), 6) for t in range(N)}, size=(256, 256))
    big = {0: [np.multiply(_blob_centre(0), 2)], N - 1: [np.multiply(_blob_centre(N - 1), 2)]}
    out = apply_transform(
        NAME, _points(big, size=(512, 512)), {"mask_data": "m"}, others={"m": masks}
    )
    assert out.image_size == (512, 512)
    for t in range(1, N - 1):
        (point,) = out.at(t)
        assert _on_mask(point / 2, masks.at(t)[0].astype(np.int64)), t


def test_mask_frames_are_read_on_the_mask_clock():
    dm = DataManager()
    dm.set_time("camera", TimeFrame(np.arange(0, 40, 4)))  # masks: one frame per 4 ticks
    dm.set_time("fast", TimeFrame(np.arange(0, 40, 2)))  # points: one frame per 2 ticks
    dm.set_data("blob", _masks({t: _disk(*_blob_centre(t), 6) for t in range(10)}), "camera")
    dm.set_data("labels", _points({0: [_blob_centre(0)], 18: [_blob_centre(9)]}), "fast")
    out = run_transform(dm, NAME, "labels", "tracked", {"mask_data": "blob"})
    assert dm.time_key("tracked") == "fast"
    masks = dm.get_data("blob")
    for t in range(1, 18):
        mask_frame = dm.get_time("camera").index_at_time(dm.get_time("fast").time_at_index(t))
        assert _on_mask(out.at(t)[0], masks.at(mask_frame)[0].astype(np.int64)), t


def test_nearest_pixel_ties_go_to_the_first_pixel():
    pixels = np.array([[2, 0], [0, 2], [0, 0]], np.int64)
    np.testing.assert_array_equal(nearest_pixels(np.array([[1, 1]]), pixels), [[2, 0]])
    np.testing.assert_array_equal(nearest_pixels(np.array([[0, 1]]), pixels), [[0, 2]])


def test_bad_parameters_and_keys_are_named():
    dm = _blob_scene()
    with pytest.raises(TransformError, match="parameter 'mask_data': Input data 'nope'"):
        run_transform(dm, NAME, "labels", "o", {"mask_data": "nope"})
    with pytest.raises(
        TransformError, match="'mask_data' = 'labels' is points data; expected mask"
    ):
        run_transform(dm, NAME, "labels", "o", {"mask_data": "labels"})
    with pytest.raises(TransformError, match="transition_radius"):
        run_transform(dm, NAME, "labels", "o", {"mask_data": "blob", "transition_radius": 0})
    with pytest.raises(TransformError, match="random_walk_prob"):
        run_transform(dm, NAME, "labels", "o", {"mask_data": "blob", "random_walk_prob": 1.5})
    with pytest.raises(TransformError, match="num_particles"):
        run_transform(dm, NAME, "labels", "o", {"mask_data": "blob", "num_particles": 0})
    with pytest.raises(TransformError, match="unknown parameter 'random_seed'"):
        run_transform(dm, NAME, "labels", "o", {"mask_data": "blob", "random_seed": 3})


@pytest.mark.parametrize("big", [False, True])
def test_neighbour_draws_are_uniform_over_the_listed_pixels(big):
    # WT draws uniformly from its neighbour list: a pixel listed by two overlapping masks
    # is drawn twice as often. Small masks take the per-pixel path, large ones the disk's
    # offsets; both must agree.
    a, b = [10, 10], [12, 10]
    listed = [a, a, a, b]
    if big:
        listed += _rect(40, 120, 40, 120).tolist()  # far away; more pixels than the disk
    frame = _Frame(np.asarray(listed, np.int64))
    centres = np.array([[11, 10], [200, 200]], np.int64)
    which = np.r_[np.zeros(20_000, np.int64), 1]
    picked, found = frame.sample_near(centres, which, 3.0, np.random.default_rng(5))
    assert found[:-1].all()
    assert not found[-1]  # nothing within 3 px of (200, 200)
    share_a = np.all(picked[:-1] == a, axis=1).mean()
    assert np.all(np.all(picked[:-1] == a, axis=1) | np.all(picked[:-1] == b, axis=1))
    assert share_a == pytest.approx(0.75, abs=0.02)
