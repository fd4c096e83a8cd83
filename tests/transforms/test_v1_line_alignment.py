"""V1 ``Line Alignment to Bright Features`` against WhiskerToolbox's line_alignment.test.cpp.

The frames are real PNG files read back through ImageFolderMedia; the expectations of the
"calculate_fwhm_center" and "calculate_perpendicular_direction" cases are WhiskerToolbox's
(a vertex with a given perpendicular is the middle vertex of a straight 3-point line).
"""

from __future__ import annotations

import imageio.v3 as iio
import numpy as np
import pytest
from _transforms_support import lines_of

from napari_whiskertoolbox.core import DataManager, LineData
from napari_whiskertoolbox.core.timeframe import TimeFrame
from napari_whiskertoolbox.media import ImageFolderMedia
from napari_whiskertoolbox.transforms import TransformError, apply_transform, run_transform
from napari_whiskertoolbox.transforms.v1_line_alignment import (
    align_vertices,
    perpendicular_directions,
)

NAME = "Line Alignment to Bright Features"

# the middle vertex (50, 50) of these lines has WhiskerToolbox's test perpendicular
DOWN = [[40, 50], [50, 50], [60, 50]]  # perpendicular (0, 1)
UP = [[60, 50], [50, 50], [40, 50]]  # (0, -1)
RIGHT = [[50, 60], [50, 50], [50, 40]]  # (1, 0)
DIAGONAL = [[40, 40], [50, 50], [60, 60]]  # (-0.707, 0.707)


def _image(rows=(), size=100) -> np.ndarray:
    img = np.zeros((size, size), np.uint8)
    for y in rows:
        img[y, :] = 255
    return img


def _middle(line, image, width=10, perpendicular_range=50) -> np.ndarray:
    return align_vertices(np.asarray(line, np.float32), image, width, perpendicular_range)[0][1]


@pytest.mark.parametrize(
    ("line", "points", "expected"),
    [
        ([[0, 0], [10, 0]], [0, 1], [[0, 1], [0, 1]]),
        ([[0, 0], [0, 10]], [0, 1], [[-1, 0], [-1, 0]]),
        ([[0, 0], [10, 10]], [0, 1], [[-0.707, 0.707]] * 2),
        ([[0, 0], [10, 0], [20, 10], [20, 20]], [1], [[-0.383, 0.924]]),
        ([[0, 0]], [0], [[0, 0]]),
        ([[5, 5], [5, 5], [5, 5]], [1], [[0, 0]]),
    ],
)
def test_perpendicular_directions_match_wt(line, points, expected):
    perp = perpendicular_directions(np.asarray(line, np.float32))
    np.testing.assert_allclose(perp[points], expected, atol=1e-3)


def test_perpendiculars_are_unit_vectors():
    perp = perpendicular_directions(np.array([[0, 0], [3, 4], [6, 8]], np.float32))
    np.testing.assert_allclose(np.hypot(perp[:, 0], perp[:, 1]), 1, atol=1e-3)


def _thick(y0, y1):
    return _image(range(y0, y1 + 1))


def _diagonal():
    img = _image()
    i = np.arange(90)
    img[i + 10, i] = 255  # y = x + 10
    return img


def _spot():
    img = _image()
    img[45:56, 55:66] = 255
    return img


@pytest.mark.parametrize(
    ("line", "image", "expected", "tol"),
    [
        (UP, _image([50]), (50, 50), 1),  # already on the line
        (DOWN, _image([60]), (50, 60), 1),  # offset
        (DOWN, _thick(59, 61), (50, 60), 1),
        (DOWN, _thick(58, 62), (50, 60), 1),
        (DOWN, _thick(56, 64), (50, 60), 1),
        (DIAGONAL, _diagonal(), (45, 55), 2),  # nearest point of y = x + 10
        (RIGHT, _spot(), (60, 50), 1),  # a bright square centred at (60, 50)
        (UP, _image([30, 80]), (50, 30), 1),  # only y = 30 is within range / 2
    ],
)
def test_fwhm_centre_cases_of_wt(line, image, expected, tol):
    np.testing.assert_allclose(_middle(line, image), expected, atol=tol)


def test_range_width_and_border_cases_of_wt():
    img = _image([60])
    for width, perpendicular_range in [(10, 20), (10, 50), (5, 50), (20, 50)]:
        np.testing.assert_allclose(_middle(DOWN, img, width, perpendicular_range), (50, 60), atol=1)
    # a vertex on the top border; samples outside the image read 0
    line = [[40, 0], [50, 0], [60, 0]]
    np.testing.assert_allclose(_middle(line, _image([50]), 10, 102), (50, 50), atol=1)


def test_nothing_bright_or_no_width_leaves_the_vertex():
    assert _middle(DOWN, _image()).tolist() == [50, 50]
    assert _middle(DOWN, _image([60]), width=0).tolist() == [50, 50]


def test_aligned_vertices_are_clamped_to_the_image():
    # WhiskerToolbox's fwhm centre keeps an outside vertex; its line pass then clamps it
    outside = np.array([[140, 150], [150, 150], [160, 150]], np.float32)
    for width in (20, 0):
        out = align_vertices(outside, _image(), width)
        np.testing.assert_array_equal(out[0], [[99, 99]] * 3)


def test_short_lines_pass_through_unchanged():
    line = np.array([[50, 50], [60, 50]], np.float32)
    for mode in ("ALIGNED_VERTICES", "FWHM_PROFILE_EXTENTS"):
        out = align_vertices(line, _image([60]), output_mode=mode)
        assert len(out) == 1
        np.testing.assert_array_equal(out[0], line)


@pytest.mark.parametrize(("rows", "peak_tol"), [([60], 1), (range(58, 63), 2)])
def test_fwhm_profile_extents_of_wt(rows, peak_tol):
    out = align_vertices(np.asarray(DOWN, np.float32), _image(rows), 10, 50, "FWHM_PROFILE_EXTENTS")
    assert len(out) == 3  # one [left, peak, right] line per vertex
    left, peak, right = out[1]
    np.testing.assert_allclose(left, (50, 60), atol=5)
    np.testing.assert_allclose(peak, (50, 60), atol=peak_tol)
    np.testing.assert_allclose(right, (50, 60), atol=5)
    assert left[1] <= peak[1] <= right[1]


# ---------------------------------------------------------------------- with real media
def _ridge(x0: float, size=(120, 120), sigma=2.5) -> np.ndarray:
    xx = np.arange(size[1], dtype=np.float64)
    row = 220 * np.exp(-((xx - x0) ** 2) / (2 * sigma**2))
    return np.repeat(row[None, :], size[0], axis=0).round().astype(np.uint8)


def _folder_media(tmp_path, frames) -> ImageFolderMedia:
    folder = tmp_path / "frames"
    folder.mkdir()
    for k, frame in enumerate(frames):
        iio.imwrite(folder / f"img{k}.png", frame)
    return ImageFolderMedia(folder)


VERTICAL_55 = [[55, 10], [55, 40], [55, 70], [55, 100]]
VERTICAL_5 = [[5, 10], [5, 40], [5, 70]]


def test_lines_move_onto_a_gaussian_ridge_of_a_real_frame(tmp_path):
    dm = DataManager()
    dm.set_data("media", _folder_media(tmp_path, [_ridge(60), _ridge(60)]))
    dm.set_data(
        "whisker", lines_of({0: [VERTICAL_55, VERTICAL_5], 1: [VERTICAL_55], 7: [VERTICAL_55]})
    )
    out = run_transform(dm, NAME, "whisker", "aligned", {"media_data": "media"})
    assert isinstance(out, LineData)
    assert out.image_size == dm.get_data("whisker").image_size
    assert sorted(out.times_with_data()) == [0, 1]  # the media has no frame 7: left out
    moved, far = out.at(0)
    np.testing.assert_allclose(moved[:, 0], 60, atol=0.5)  # x 55 → the ridge at 60
    np.testing.assert_array_equal(moved[:, 1], [10, 40, 70, 100])  # along the line: unchanged
    np.testing.assert_array_equal(far, VERTICAL_5)  # the ridge is beyond range / 2 = 25
    # the three approaches run the same half-maximum method, as in WhiskerToolbox
    for approach in ("GAUSSIAN_FIT", "THRESHOLD_BASED"):
        again = apply_transform(
            NAME, dm.get_data("whisker"), {"media_data": "media", "approach": approach},
            others={"media": dm.get_data("media")},
        )  # fmt: skip
        np.testing.assert_array_equal(again.at(0)[0], moved)


def test_frames_are_read_on_the_media_clock(tmp_path):
    dm = DataManager()
    dm.set_time("camera", TimeFrame([0, 10, 20]))
    dm.set_time("fast", TimeFrame([0, 5, 10, 15, 20]))
    dm.set_data("media", _folder_media(tmp_path, [_ridge(60), _ridge(40), _ridge(70)]), "camera")
    dm.set_data("whisker", lines_of({2: [VERTICAL_55], 4: [VERTICAL_55]}), "fast")
    out = run_transform(dm, NAME, "whisker", "aligned", {"media_data": "media"})
    assert dm.time_key("aligned") == "fast"
    np.testing.assert_allclose(out.at(2)[0][:, 0], 40, atol=0.5)  # tick 10 = camera frame 1
    np.testing.assert_allclose(out.at(4)[0][:, 0], 70, atol=0.5)  # tick 20 = camera frame 2


def test_profile_extents_output_through_the_transform(tmp_path):
    dm = DataManager()
    dm.set_data("media", _folder_media(tmp_path, [_ridge(60)]))
    dm.set_data("whisker", lines_of({0: [VERTICAL_55]}))
    out = run_transform(
        dm, NAME, "whisker", "fwhm", {"media_data": "media", "output_mode": "FWHM_PROFILE_EXTENTS"}
    )
    extents = out.at(0)
    assert len(extents) == 4
    assert all(len(e) == 3 for e in extents)
    for (x_a, _), (x_peak, _), (x_b, _) in extents:
        assert x_peak == pytest.approx(60)
        assert min(x_a, x_b) < 60 < max(x_a, x_b)
        assert abs(x_a - x_b) < 8  # about the ridge's full width at half maximum (~5.9 px)


def test_bad_parameters_and_keys_are_named(tmp_path):
    dm = DataManager()
    dm.set_data("media", _folder_media(tmp_path, [_ridge(60)]))
    dm.set_data("whisker", lines_of({0: [VERTICAL_55]}))
    with pytest.raises(
        TransformError, match="parameter 'media_data': Input data 'nothing' not found"
    ):
        run_transform(dm, NAME, "whisker", "a", {"media_data": "nothing"})
    with pytest.raises(TransformError, match="parameter 'media_data' = 'whisker' is line data; "
                       "expected video or images"):  # fmt: skip
        run_transform(dm, NAME, "whisker", "a", {"media_data": "whisker"})
    with pytest.raises(TransformError, match="perpendicular_range"):
        run_transform(dm, NAME, "whisker", "a", {"media_data": "media", "perpendicular_range": -2})
    with pytest.raises(TransformError, match="approach"):
        run_transform(dm, NAME, "whisker", "a", {"media_data": "media", "approach": "FAST"})
    with pytest.raises(TransformError, match="unknown parameter 'media'"):
        run_transform(dm, NAME, "whisker", "a", {"media": "media"})


def test_many_vertices_are_aligned_in_chunks_like_one_by_one():
    # 400 vertices x 21 profiles x 201 samples: more than one chunk of profiles
    img = _image([60])
    xs = np.linspace(1, 98, 400, dtype=np.float32)
    line = np.column_stack((xs, 50 + 3 * np.sin(xs / 7))).astype(np.float32)
    whole = align_vertices(line, img, 20, 200)[0]
    np.testing.assert_allclose(whole[:, 1], 60, atol=1)
    for i in (1, 137, 398):  # as the middle vertex of 3 it has the same perpendicular
        part = align_vertices(line[i - 1 : i + 2], img, 20, 200)[0]
        np.testing.assert_array_equal(part[1], whole[i])
