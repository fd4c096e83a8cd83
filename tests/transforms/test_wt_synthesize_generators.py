"""WhiskerToolbox's noise, event, interval, line, point and mask generators in ``SynthesizeData``.

The random ones draw from numpy's generator seeded with ``seed``, not WhiskerToolbox's
``mt19937_64``: their tests check WhiskerToolbox's properties (range, order, seed rules,
distribution), not its values.

Cases and expected values are WhiskerToolbox's own (paulmthompson/WhiskerToolbox,
``tests/DataSynthesizer/<Name>Generator.test.cpp``; the generators are
``src/DataSynthesizer/Generators/**/<Name>Generator.cpp`` and the pixel rasterisers
``src/CoreGeometry/src/masks.cpp``). Before these were ported, the command refused them
(``Unknown generator``).
"""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DataManager,
    DigitalEventSeries,
    DigitalIntervalSeries,
    LineData,
    MaskData,
    PointData,
    TimeFrame,
)
from napari_whiskertoolbox.transforms.commands import run_commands
from napari_whiskertoolbox.transforms.errors import TransformError
from napari_whiskertoolbox.transforms.synthesis import GENERATORS, generate
from napari_whiskertoolbox.transforms.synthesis.shapes import ellipse_pixels


def _run(generator: str, parameters: dict[str, object], key: str = "out") -> DataManager:
    dm = DataManager()
    result = run_commands(
        dm,
        [
            {
                "command_name": "SynthesizeData",
                "parameters": {
                    "output_key": key,
                    "generator_name": generator,
                    "output_type": GENERATORS[generator].output_type,
                    "parameters": parameters,
                },
            }
        ],
    )
    assert result.success, result.error
    return dm


def _rejects(generator: str, parameters: dict[str, object], message: str) -> None:
    with pytest.raises(TransformError, match=message):
        generate(generator, parameters)


def _mask(dm: DataManager, frame: int = 0) -> np.ndarray:
    masks = dm.get_data("out").at(frame)
    assert len(masks) == 1
    return masks[0]


def test_regular_events() -> None:
    """``RegularEventsGenerator.test.cpp``."""
    dm = _run("RegularEvents", {"num_samples": 100, "interval": 10})
    events = dm.get_data("out")
    assert isinstance(events, DigitalEventSeries)
    np.testing.assert_array_equal(events.times, np.arange(0, 100, 10))
    # the clock spans num_samples (WhiskerToolbox's: one frame per event; see README)
    assert len(dm.get_time("out_time")) == 100
    dm = _run("RegularEvents", {"num_samples": 100, "interval": 25})
    np.testing.assert_array_equal(dm.get_data("out").times, [0, 25, 50, 75])

    jittered = generate(
        "RegularEvents", {"num_samples": 1000, "interval": 20, "jitter_stddev": 5.0, "seed": 42}
    ).data.times
    assert jittered.size > 0
    assert jittered.min() >= 0
    assert jittered.max() < 1000
    assert np.all(np.diff(jittered) > 0)  # sorted, duplicates dropped
    same = {"num_samples": 500, "interval": 10, "jitter_stddev": 3.0, "seed": 123}
    np.testing.assert_array_equal(
        generate("RegularEvents", same).data.times, generate("RegularEvents", same).data.times
    )
    grid = generate("RegularEvents", {"num_samples": 1000, "interval": 50}).data.times
    moved = generate(
        "RegularEvents", {"num_samples": 1000, "interval": 50, "jitter_stddev": 10.0, "seed": 42}
    ).data.times
    assert grid.size != moved.size or np.any(grid != moved)

    _rejects("RegularEvents", {"num_samples": 0, "interval": 10}, "num_samples must be > 0")
    _rejects("RegularEvents", {"num_samples": 100, "interval": 0}, "interval must be > 0")
    _rejects(
        "RegularEvents",
        {"num_samples": 100, "interval": 10, "jitter_stddev": -1.0},
        "jitter_stddev must be >= 0",
    )


def test_regular_intervals() -> None:
    """``RegularIntervalsGenerator.test.cpp``: inclusive ends, the last one clamped."""
    dm = _run("RegularIntervals", {"num_samples": 1000, "on_duration": 50, "off_duration": 50})
    intervals = dm.get_data("out")
    assert isinstance(intervals, DigitalIntervalSeries)
    assert len(intervals) == 10
    assert len(dm.get_time("out_time")) == 1000

    def pairs(**p: int) -> list[list[int]]:
        return generate("RegularIntervals", p).data.intervals.tolist()

    assert pairs(num_samples=300, on_duration=30, off_duration=70) == [
        [0, 29],
        [100, 129],
        [200, 229],
    ]
    assert pairs(num_samples=200, on_duration=20, off_duration=30, start_offset=10) == [
        [10, 29],
        [60, 79],
        [110, 129],
        [160, 179],
    ]
    assert pairs(num_samples=150, on_duration=60, off_duration=50) == [[0, 59], [110, 149]]
    base = {"num_samples": 100, "on_duration": 50, "off_duration": 50}
    _rejects("RegularIntervals", {**base, "num_samples": 0}, "num_samples must be > 0")
    _rejects("RegularIntervals", {**base, "on_duration": 0}, "on_duration must be > 0")
    _rejects("RegularIntervals", {**base, "off_duration": 0}, "off_duration must be > 0")


def test_straight_line() -> None:
    """``StraightLineGenerator.test.cpp``."""
    base = {"start_x": 0, "start_y": 0, "end_x": 100, "end_y": 100}
    dm = _run("StraightLine", {**base, "num_points_per_line": 50, "num_frames": 6})
    lines = dm.get_data("out")
    assert isinstance(lines, LineData)
    np.testing.assert_array_equal(lines.times_with_data(), np.arange(6))
    assert len(dm.get_time("out_time")) == 6
    assert lines.at(5)[0].shape == (50, 2)
    assert lines.at(5)[0].dtype == np.float32

    def line(**p: float) -> np.ndarray:
        return generate("StraightLine", {"num_frames": 1, **p}).data.at(0)[0]

    assert line(num_points_per_line=25, **base).shape == (25, 2)
    ends = line(num_points_per_line=10, start_x=10, start_y=20, end_x=90, end_y=80)
    np.testing.assert_allclose(ends[[0, -1]], [[10, 20], [90, 80]])
    even = line(num_points_per_line=5, start_x=0, start_y=0, end_x=40, end_y=0)
    np.testing.assert_allclose(even, [[0, 0], [10, 0], [20, 0], [30, 0], [40, 0]])
    diagonal = line(num_points_per_line=100, start_x=0, start_y=0, end_x=30, end_y=40)
    assert abs(np.linalg.norm(np.diff(diagonal, axis=0), axis=1).sum() - 50.0) < 0.1
    full = {**base, "num_points_per_line": 50, "num_frames": 1}
    _rejects("StraightLine", {**full, "num_frames": 0}, "num_frames must be > 0")
    _rejects("StraightLine", {**full, "num_points_per_line": 1}, "num_points_per_line must be > 1")
    _rejects("StraightLine", {**full, "num_points_per_line": 0}, "num_points_per_line must be > 1")


def test_grid_points() -> None:
    """``GridPointsGenerator.test.cpp``: row by row from the origin."""
    base = {"rows": 3, "cols": 3, "spacing": 10, "origin_x": 0, "origin_y": 0}
    dm = _run("GridPoints", {**base, "num_frames": 12})
    points = dm.get_data("out")
    assert isinstance(points, PointData)
    np.testing.assert_array_equal(points.times_with_data(), np.arange(12))
    assert len(dm.get_time("out_time")) == 12

    def grid(**p: float) -> np.ndarray:
        return generate("GridPoints", {"num_frames": 1, **p}).data.at(0)

    assert grid(rows=4, cols=5, spacing=10, origin_x=0, origin_y=0).shape == (20, 2)
    np.testing.assert_allclose(
        grid(rows=2, cols=2, spacing=10, origin_x=50, origin_y=100),
        [[50, 100], [60, 100], [50, 110], [60, 110]],
    )
    np.testing.assert_allclose(
        grid(rows=1, cols=3, spacing=25, origin_x=0, origin_y=0)[:, 0], [0, 25, 50]
    )
    five = generate("GridPoints", {**base, "rows": 2, "num_frames": 5}).data
    np.testing.assert_array_equal(five.at(0), five.at(4))
    assert five.at(4).shape == (6, 2)
    assert five.at(4).dtype == np.float32
    one = {**base, "num_frames": 1}
    _rejects("GridPoints", {**one, "num_frames": 0}, "num_frames must be > 0")
    _rejects("GridPoints", {**one, "rows": 0}, "rows must be > 0")
    _rejects("GridPoints", {**one, "cols": 0}, "cols must be > 0")
    _rejects("GridPoints", {**one, "spacing": -1}, "spacing must be > 0")


def test_circle_mask() -> None:
    """``CircleMaskGenerator.test.cpp``."""
    image = {"image_width": 200, "image_height": 200, "center_x": 50, "center_y": 50}
    dm = _run("CircleMask", {**image, "radius": 5, "num_frames": 10})
    masks = dm.get_data("out")
    assert isinstance(masks, MaskData)
    np.testing.assert_array_equal(masks.times_with_data(), np.arange(10))
    assert masks.image_size == (200, 200)
    assert len(dm.get_time("out_time")) == 10

    big = {"image_width": 300, "image_height": 300, "center_x": 100, "center_y": 100}
    area = len(_mask(_run("CircleMask", {**big, "radius": 20, "num_frames": 1})))
    assert np.pi * 400 * 0.95 < area < np.pi * 400 * 1.05
    # the rasteriser itself: the 13 pixels of a radius-2 disc around the rounded centre
    disc = ellipse_pixels(10.4, 10.6, 2.0, 2.0)
    assert len(disc) == 13
    assert {tuple(p) for p in disc.tolist()} >= {(10, 11), (8, 11), (12, 11), (10, 9), (10, 13)}

    five = generate("CircleMask", {**image, "radius": 10, "num_frames": 5}).data
    np.testing.assert_array_equal(five.at(0)[0], five.at(3)[0])
    one = {**image, "radius": 10, "num_frames": 1}
    _rejects("CircleMask", {**one, "num_frames": 0}, "num_frames must be > 0")
    _rejects("CircleMask", {**one, "radius": -5}, "radius must be > 0")
    _rejects("CircleMask", {**one, "image_width": 0}, "image_width must be > 0")

    edge_image = {"image_width": 300, "image_height": 300, "center_y": 150, "num_frames": 1}
    inside = generate("CircleMask", {**edge_image, "center_x": 150, "radius": 20}).data.at(0)[0]
    edge = generate("CircleMask", {**edge_image, "center_x": 290, "radius": 20}).data.at(0)[0]
    assert len(edge) < len(inside)
    assert edge[:, 0].max() < 300
    assert edge[:, 1].max() < 300


def test_ellipse_mask() -> None:
    """``EllipseMaskGenerator.test.cpp``: angle 0 is ``generate_ellipse_pixels``; rotated
    keeps the area; clipped to the image."""
    image = {"image_width": 300, "image_height": 300, "center_x": 100, "center_y": 100}
    dm = _run("EllipseMask", {**image, "semi_major": 20, "semi_minor": 10, "num_frames": 8})
    np.testing.assert_array_equal(dm.get_data("out").times_with_data(), np.arange(8))
    axis = _mask(
        _run("EllipseMask", {**image, "semi_major": 20, "semi_minor": 10, "num_frames": 1})
    )
    assert len(axis) == len(ellipse_pixels(100.0, 100.0, 20.0, 10.0))

    big = {"image_width": 500, "image_height": 500, "center_x": 200, "center_y": 200}
    shape = {**big, "semi_major": 30, "semi_minor": 15, "num_frames": 1}
    area_0 = len(generate("EllipseMask", {**shape, "angle": 0}).data.at(0)[0])
    area_45 = len(generate("EllipseMask", {**shape, "angle": 45}).data.at(0)[0])
    assert np.pi * 450 * 0.93 < area_0 < np.pi * 450 * 1.07
    assert area_0 * 0.95 < area_45 < area_0 * 1.05
    # rotating by 90 degrees swaps the axes: the same pixel count as the swapped ellipse
    turned = generate("EllipseMask", {**shape, "angle": 90}).data.at(0)[0]
    swapped = generate("EllipseMask", {**shape, "semi_major": 15, "semi_minor": 30}).data.at(0)[0]
    assert turned[:, 0].max() - turned[:, 0].min() == swapped[:, 0].max() - swapped[:, 0].min()

    one = {**image, "semi_major": 20, "semi_minor": 10, "num_frames": 1}
    _rejects("EllipseMask", {**one, "num_frames": 0}, "num_frames must be > 0")
    _rejects("EllipseMask", {**one, "semi_major": -5}, "semi_major must be > 0")
    _rejects("EllipseMask", {**one, "semi_minor": -5}, "semi_minor must be > 0")

    edge_shape = {"image_width": 500, "image_height": 500, "center_y": 250, **shape}
    del edge_shape["center_x"]
    inside = generate("EllipseMask", {**edge_shape, "center_x": 250}).data.at(0)[0]
    edge = generate("EllipseMask", {**edge_shape, "center_x": 490}).data.at(0)[0]
    assert len(edge) < len(inside)
    assert edge[:, 0].max() < 500
    rotated = {**shape, "image_width": 200, "image_height": 200, "center_x": 190, "center_y": 190}
    corner = generate("EllipseMask", {**rotated, "angle": 45}).data.at(0)[0]
    assert len(corner)
    assert corner.max() < 200


def test_rectangle_mask() -> None:
    """``RectangleMaskGenerator.test.cpp``: integer pixels from trunc(centre - size/2) to
    trunc(centre + size/2), 21 x 11 for 20 x 10."""
    image = {"image_width": 200, "image_height": 200, "center_x": 50, "center_y": 50}
    dm = _run("RectangleMask", {**image, "width": 10, "height": 10, "num_frames": 7})
    np.testing.assert_array_equal(dm.get_data("out").times_with_data(), np.arange(7))
    big = {"image_width": 300, "image_height": 300, "center_x": 100, "center_y": 100}
    rect = _mask(_run("RectangleMask", {**big, "width": 20, "height": 10, "num_frames": 1}))
    assert len(rect) == 21 * 11
    assert rect.min(axis=0).tolist() == [90, 95]
    assert rect.max(axis=0).tolist() == [110, 105]
    assert rect[:2].tolist() == [[90, 95], [91, 95]]  # y outer, x inner as WhiskerToolbox

    one = {**image, "width": 10, "height": 10, "num_frames": 1}
    _rejects("RectangleMask", {**one, "num_frames": 0}, "num_frames must be > 0")
    _rejects("RectangleMask", {**one, "width": -5}, "width must be > 0")
    _rejects("RectangleMask", {**one, "height": -5}, "height must be > 0")

    edge_image = {"image_width": 300, "image_height": 300, "width": 40, "height": 20}
    inside = generate(
        "RectangleMask", {**edge_image, "center_x": 150, "center_y": 150, "num_frames": 1}
    ).data.at(0)[0]
    edge = generate(
        "RectangleMask", {**edge_image, "center_x": 290, "center_y": 290, "num_frames": 1}
    ).data.at(0)[0]
    assert len(edge) < len(inside)
    assert edge.max() < 300


def test_defaults_unknown_parameters_and_types() -> None:
    """Every parameter may be left out (WhiskerToolbox parses with ``DefaultIfMissing``);
    a misspelt one or a wrong type is an error naming it."""
    defaults = generate("CircleMask", {})
    assert defaults.num_frames == 100
    assert defaults.data.image_size == (640, 480)
    assert generate("RegularIntervals", {}).data.intervals.shape == (10, 2)
    with pytest.raises(TransformError, match=r"unknown parameter.*'radious'.*radius"):
        generate("CircleMask", {"radious": 5})
    with pytest.raises(TransformError, match="'num_frames' must be an integer"):
        generate("GridPoints", {"num_frames": 2.5})
    with pytest.raises(TransformError, match="'spacing' must be a number"):
        generate("GridPoints", {"spacing": "10"})


def test_undo_removes_generated_key_and_clock() -> None:
    dm = _run("GridPoints", {"num_frames": 3})
    assert "out" in dm
    dm.history.undo()
    assert "out" not in dm


def _linear(vx: float, vy: float) -> dict[str, object]:
    return {"model": "LinearMotionParams", "velocity_x": vx, "velocity_y": vy}


_WIDE = {"bounds_max_x": 10000, "bounds_max_y": 10000}
_SINE = {
    "model": "SinusoidalMotionParams",
    "amplitude_x": 50,
    "amplitude_y": 30,
    "frequency_x": 0.01,
    "frequency_y": 0.01,
}
_AROUND = {"bounds_min_x": -1000, "bounds_max_x": 1000, "bounds_min_y": -1000, "bounds_max_y": 1000}


def _xs(points: PointData, frames: int) -> list[float]:
    return [float(points.at(t)[0, 0]) for t in range(frames)]


def test_moving_point() -> None:
    """``MovingPointGenerator.test.cpp`` and ``Trajectory/Trajectory.cpp`` (boundary applied
    at every step; bounce reverses the velocity, wrap shifts by the range)."""
    dm = _run(
        "MovingPoint",
        {"start_x": 0, "start_y": 0, "num_frames": 11, "motion": _linear(5, 3), "boundary": _WIDE},
    )
    points = dm.get_data("out")
    assert isinstance(points, PointData)
    assert len(dm.get_time("out_time")) == 11
    assert all(points.at(t).shape == (1, 2) for t in range(11))
    np.testing.assert_allclose(points.at(0), [[0, 0]], atol=1e-5)
    np.testing.assert_allclose(points.at(10), [[50, 30]], atol=1e-5)

    def xs(mode: str, frames: int = 30) -> list[float]:
        bounds = {"boundary_mode": mode, "bounds_max_x": 50, "bounds_max_y": 100}
        params = {"start_x": 0, "start_y": 0, "num_frames": frames, "motion": _linear(10, 0)}
        return _xs(generate("MovingPoint", {**params, "boundary": bounds}).data, frames)

    assert xs("clamp", 8) == [0, 10, 20, 30, 40, 50, 50, 50]
    assert xs("bounce", 12) == [0, 10, 20, 30, 40, 50, 40, 30, 20, 10, 0, 10]
    assert xs("wrap", 8) == [0, 10, 20, 30, 40, 50, 10, 20]
    for mode in ("clamp", "bounce", "wrap"):
        assert all(-0.01 <= x <= 50.01 for x in xs(mode))

    sine = generate(
        "MovingPoint",
        {"start_x": 200, "start_y": 200, "num_frames": 101, "motion": _SINE, "boundary": _AROUND},
    ).data
    np.testing.assert_allclose(sine.at(100), sine.at(0), atol=0.1)
    np.testing.assert_allclose(sine.at(25), [[250, 230]], atol=1e-3)  # a quarter period

    still = generate(
        "MovingPoint", {"start_x": 42, "start_y": 99, "num_frames": 10, "motion": _linear(0, 0)}
    ).data
    np.testing.assert_allclose(np.concatenate([still.at(t) for t in range(10)]), [[42, 99]] * 10)
    one = generate(
        "MovingPoint",
        {"start_x": 123, "start_y": 456, "num_frames": 1, "motion": _linear(100, 200)},
    )
    assert one.num_frames == 1
    np.testing.assert_allclose(one.data.at(0), [[123, 456]])

    brownian = {
        "start_x": 100,
        "start_y": 100,
        "num_frames": 20,
        "motion": {"model": "BrownianMotionParams", "diffusion": 5, "seed": 777},
        "boundary": {
            "bounds_min_x": -10000,
            "bounds_max_x": 10000,
            "bounds_min_y": -10000,
            "bounds_max_y": 10000,
        },
    }
    first = generate("MovingPoint", brownian).data
    again = generate("MovingPoint", brownian).data
    for t in range(20):
        np.testing.assert_array_equal(first.at(t), again.at(t))
    assert np.any(first.at(19) != first.at(0))

    for frames in (0, -5):
        _rejects(
            "MovingPoint",
            {"num_frames": frames, "motion": {"model": "LinearMotionParams"}},
            "num_frames must be > 0",
        )
    _rejects(
        "MovingPoint", {"boundary": {"bounds_max_y": -3}}, "bounds_max_y must be > bounds_min_y"
    )
    _rejects("MovingPoint", {"motion": {"velocity_x": 1}}, 'needs "model"')
    _rejects("MovingPoint", {"boundary": {"boundary_mode": "reflect"}}, "must be one of clamp")


def test_moving_line() -> None:
    """``MovingLineGenerator.test.cpp``: the line's centre follows the trajectory, the shape
    is translated rigidly and not clipped; boundary fields are flat here, as in WT."""
    params = {
        "start_x": -50,
        "start_y": 0,
        "end_x": 50,
        "end_y": 0,
        "num_points_per_line": 11,
        "num_frames": 11,
        "trajectory_start_x": 0,
        "trajectory_start_y": 0,
        "motion": _linear(5, 3),
        **_WIDE,
    }
    dm = _run("MovingLine", params)
    lines = dm.get_data("out")
    assert isinstance(lines, LineData)
    assert len(dm.get_time("out_time")) == 11
    np.testing.assert_allclose(lines.at(0)[0].mean(axis=0), [0, 0], atol=0.1)
    np.testing.assert_allclose(lines.at(10)[0].mean(axis=0), [50, 30], atol=0.1)
    assert lines.at(10)[0].shape == (11, 2)

    rigid = generate(
        "MovingLine",
        {
            **params,
            "end_x": 80,
            "end_y": 60,
            "start_x": 0,
            "num_points_per_line": 10,
            "num_frames": 20,
            "trajectory_start_x": 100,
            "trajectory_start_y": 100,
            "motion": _linear(3, -2),
        },
    ).data
    ref = rigid.at(0)[0] - rigid.at(0)[0].mean(axis=0)
    for t in range(1, 20):
        np.testing.assert_allclose(rigid.at(t)[0] - rigid.at(t)[0].mean(axis=0), ref, atol=1e-4)

    unclipped = generate(
        "MovingLine",
        {
            "start_x": -100,
            "end_x": 100,
            "num_points_per_line": 11,
            "num_frames": 5,
            "trajectory_start_x": 50,
            "trajectory_start_y": 50,
            "motion": _linear(0, 0),
            "bounds_max_x": 100,
            "bounds_max_y": 100,
        },
    ).data.at(0)[0]
    assert unclipped[0, 0] < 0
    assert unclipped[-1, 0] > 100

    sine = generate(
        "MovingLine",
        {
            **params,
            "num_frames": 101,
            "trajectory_start_x": 200,
            "trajectory_start_y": 200,
            "motion": _SINE,
            **_AROUND,
        },
    ).data
    np.testing.assert_allclose(sine.at(100)[0].mean(axis=0), sine.at(0)[0].mean(axis=0), atol=0.1)

    # stationary at the StraightLine's centre: the StraightLine
    same = {"start_x": 10, "start_y": 20, "end_x": 90, "end_y": 80, "num_points_per_line": 10}
    static = generate("StraightLine", {**same, "num_frames": 1}).data.at(0)[0]
    moving = generate(
        "MovingLine",
        {
            **same,
            "num_frames": 1,
            "trajectory_start_x": 50,
            "trajectory_start_y": 50,
            "motion": _linear(0, 0),
        },
    ).data.at(0)[0]
    np.testing.assert_allclose(moving, static, atol=1e-4)
    _rejects("MovingLine", {"num_points_per_line": 1}, "num_points_per_line must be > 1")
    _rejects("MovingLine", {"num_frames": 0}, "num_frames must be > 0")


def test_moving_mask() -> None:
    """``MovingMaskGenerator.test.cpp``: each shape rasterised at the trajectory's position
    and clipped to the image at every frame."""
    params = {
        "shape": "circle",
        "radius": 10,
        "image_width": 200,
        "image_height": 200,
        "start_x": 100,
        "start_y": 100,
        "num_frames": 25,
        "motion": _linear(1, 0),
        **_WIDE,
    }
    dm = _run("MovingMask", params)
    masks = dm.get_data("out")
    assert isinstance(masks, MaskData)
    np.testing.assert_array_equal(masks.times_with_data(), np.arange(25))
    assert masks.image_size == (200, 200)

    image = {"image_width": 300, "image_height": 300, "start_x": 150, "start_y": 150}
    still = {**image, "num_frames": 1, "motion": _linear(0, 0)}
    for shape, size, static_name, static_size in (
        ("circle", {"radius": 20}, "CircleMask", {"radius": 20}),
        ("rectangle", {"width": 40, "height": 30}, "RectangleMask", {"width": 40, "height": 30}),
        (
            "ellipse",
            {"semi_major": 25, "semi_minor": 15},
            "EllipseMask",
            {"semi_major": 25, "semi_minor": 15},
        ),
    ):
        moving = generate("MovingMask", {**still, "shape": shape, **size}).data.at(0)[0]
        static = generate(
            static_name,
            {
                "image_width": 300,
                "image_height": 300,
                "center_x": 150,
                "center_y": 150,
                "num_frames": 1,
                **static_size,
            },
        ).data.at(0)[0]
        np.testing.assert_array_equal(moving, static)

    interior = generate(
        "MovingMask",
        {
            **params,
            "image_width": 500,
            "image_height": 500,
            "start_x": 250,
            "start_y": 250,
            "num_frames": 10,
            "motion": _linear(2, 1),
            "bounds_min_x": 50,
            "bounds_max_x": 450,
            "bounds_min_y": 50,
            "bounds_max_y": 450,
        },
    ).data
    assert len({len(interior.at(t)[0]) for t in range(10)}) == 1

    edge = generate(
        "MovingMask",
        {
            **params,
            "radius": 20,
            "num_frames": 50,
            "motion": _linear(3, 0),
            "bounds_max_x": 200,
            "bounds_max_y": 200,
        },
    ).data
    assert len(edge.at(49)[0]) < len(edge.at(0)[0])
    corner = generate(
        "MovingMask",
        {
            **params,
            "radius": 30,
            "image_width": 150,
            "image_height": 150,
            "start_x": 130,
            "start_y": 130,
            "num_frames": 5,
            "motion": _linear(5, 5),
            "bounds_max_x": 200,
            "bounds_max_y": 200,
        },
    ).data
    assert all(corner.at(t)[0].max() < 150 for t in range(5))

    base = {**params, "num_frames": 1, "motion": {"model": "LinearMotionParams"}}
    _rejects("MovingMask", {**base, "image_width": 0}, "image_width must be > 0")
    _rejects("MovingMask", {**base, "image_height": 0}, "image_height must be > 0")
    _rejects("MovingMask", {**base, "num_frames": 0}, "num_frames must be > 0")
    _rejects("MovingMask", {**base, "radius": -5}, "radius must be > 0 for circle shape")
    _rejects(
        "MovingMask",
        {**base, "shape": "rectangle", "width": -10, "height": 20},
        "width must be > 0 for rectangle shape",
    )
    _rejects(
        "MovingMask",
        {**base, "shape": "ellipse", "semi_major": -10, "semi_minor": 5},
        "semi_major must be > 0 for ellipse shape",
    )


def _differs(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape != b.shape or bool(np.any(a != b))


def test_noise_generators() -> None:
    """``GaussianNoiseGenerator.test.cpp`` / ``UniformNoiseGenerator.test.cpp``: the
    distributions and the seed rules (numpy's generator here, so not WT's values)."""
    dm = _run("GaussianNoise", {"num_samples": 500, "stddev": 1.0})
    values = dm.get_data("out").values
    assert values.dtype == np.float32
    assert values.shape == (500,)
    assert len(dm.get_time("out_time")) == 500

    def gauss(**p: float) -> np.ndarray:
        return generate("GaussianNoise", p).data.values

    np.testing.assert_array_equal(
        gauss(num_samples=200, stddev=1.5, seed=123), gauss(num_samples=200, stddev=1.5, seed=123)
    )
    np.testing.assert_array_equal(gauss(num_samples=50), gauss(num_samples=50, seed=42))
    assert _differs(gauss(num_samples=100, seed=1), gauss(num_samples=100, seed=2))
    assert abs(gauss(num_samples=10000, stddev=1.0, mean=5.0, seed=42).mean() - 5.0) < 0.1
    assert abs(gauss(num_samples=10000, stddev=2.0, seed=7).std() - 2.0) < 0.1
    assert (
        gauss(num_samples=5000, stddev=10.0, seed=99).max()
        > gauss(num_samples=5000, stddev=0.1, seed=99).max()
    )
    np.testing.assert_array_equal(gauss(num_samples=5, stddev=0.0, mean=3.0), [3.0] * 5)
    _rejects("GaussianNoise", {"num_samples": 0}, "num_samples must be > 0")
    _rejects("GaussianNoise", {"stddev": -1.0}, "stddev must be >= 0")

    uniform = generate("UniformNoise", {"num_samples": 10000, "min_value": 2, "max_value": 4})
    u = uniform.data.values
    assert u.dtype == np.float32
    assert u.min() >= 2.0
    assert u.max() < 4.0
    assert abs(u.mean() - 3.0) < 0.05
    _rejects("UniformNoise", {"num_samples": 0}, "num_samples must be > 0")
    _rejects("UniformNoise", {"min_value": 1, "max_value": 1}, "min_value must be < max_value")


def test_poisson_and_burst_events() -> None:
    """``PoissonEventsGenerator.test.cpp`` / ``BurstEventsGenerator.test.cpp``."""
    dm = _run("PoissonEvents", {"num_samples": 10000, "lambda": 0.05, "seed": 42})
    times = dm.get_data("out").times
    assert len(dm.get_time("out_time")) == 10000
    assert times.min() >= 0
    assert times.max() < 10000
    assert np.all(np.diff(times) > 0)
    assert 400 < times.size < 600  # about lambda * num_samples = 500

    def events(name: str, **p: float) -> np.ndarray:
        return generate(name, p).data.times

    same = {"num_samples": 5000, "lambda": 0.1, "seed": 99}
    np.testing.assert_array_equal(events("PoissonEvents", **same), events("PoissonEvents", **same))
    assert _differs(events("PoissonEvents", seed=1), events("PoissonEvents", seed=2))
    _rejects("PoissonEvents", {"num_samples": 0}, "num_samples must be > 0")
    _rejects("PoissonEvents", {"lambda": 0}, "lambda must be > 0")

    burst = {"num_samples": 10000, "burst_rate": 0.005, "within_burst_rate": 0.5}
    b = events("BurstEvents", **burst, burst_duration=20, seed=42)
    assert b.size > 0
    assert b.min() >= 0
    assert b.max() < 10000
    assert np.all(np.diff(b) > 0)
    # clustered: most gaps are within a burst (about 1 / within_burst_rate = 2 samples)
    assert np.median(np.diff(b)) <= 4
    again = {**burst, "burst_duration": 15, "seed": 99}
    np.testing.assert_array_equal(events("BurstEvents", **again), events("BurstEvents", **again))
    assert _differs(events("BurstEvents", seed=1), events("BurstEvents", seed=2))
    long = {"num_samples": 50000, "within_burst_rate": 0.5, "burst_duration": 10, "seed": 42}
    assert (
        events("BurstEvents", **long, burst_rate=0.01).size
        > events("BurstEvents", **long, burst_rate=0.001).size
    )
    _rejects("BurstEvents", {"num_samples": 0}, "num_samples must be > 0")
    _rejects("BurstEvents", {"burst_rate": -1.0}, "burst_rate must be > 0")
    _rejects("BurstEvents", {"burst_duration": 0}, "burst_duration must be > 0")


def test_inhomogeneous_poisson_events() -> None:
    """``InhomogeneousPoissonEventsGenerator.test.cpp``: the rate is an analog key of the
    session; events only where it is above zero; the clock has the signal's length."""

    def session(rates: np.ndarray) -> DataManager:
        dm = DataManager()
        dm.set_time("time", TimeFrame(np.arange(rates.size)))
        dm.set_data("rate", AnalogTimeSeries(rates.astype(np.float32)), "time")
        return dm

    dm = session(np.full(1000, 0.1))
    result = run_commands(
        dm,
        [
            {
                "command_name": "SynthesizeData",
                "parameters": {
                    "output_key": "spikes",
                    "generator_name": "InhomogeneousPoissonEvents",
                    "parameters": {"rate_signal_key": "rate", "seed": 42},
                },
            }
        ],
    )
    assert result.success, result.error
    times = dm.get_data("spikes").times
    assert times.size > 0
    assert times.max() < 1000
    assert np.all(np.diff(times) > 0)
    assert len(dm.get_time("spikes_time")) == 1000

    def events(dm: DataManager, **p: object) -> np.ndarray:
        return generate(
            "InhomogeneousPoissonEvents", {"rate_signal_key": "rate", **p}, dm
        ).data.times

    np.testing.assert_array_equal(events(dm, seed=123), events(dm, seed=123))
    assert _differs(events(dm, seed=1), events(dm, seed=2))
    flat = session(np.full(10000, 0.05))
    assert 250 < events(flat, seed=42).size < 1000
    assert events(flat, rate_scale=2.0, seed=42).size > events(flat, rate_scale=0.5, seed=42).size
    step = np.zeros(1000)
    step[500:] = 0.2
    stepped = events(session(step), seed=42)
    assert stepped.size > 0
    assert stepped.min() >= 500
    assert events(session(np.zeros(1000)), seed=42).size == 0

    with pytest.raises(TransformError, match="requires DataManager context"):
        generate("InhomogeneousPoissonEvents", {"rate_signal_key": "rate"})
    with pytest.raises(TransformError, match="'nonexistent' not found"):
        events(dm, rate_signal_key="nonexistent")
    with pytest.raises(TransformError, match="rate_signal_key must not be empty"):
        events(dm, rate_signal_key="")
    with pytest.raises(TransformError, match="negative values"):
        events(session(np.array([0.1, -0.5, 0.2])))
    with pytest.raises(TransformError, match="rate_scale must be > 0"):
        events(dm, rate_scale=0)


def test_random_intervals_and_points() -> None:
    """``RandomIntervalsGenerator.test.cpp`` / ``RandomPointsGenerator.test.cpp``."""
    dm = _run("RandomIntervals", {"num_samples": 10000, "mean_duration": 30.0, "mean_gap": 50.0})
    pairs = dm.get_data("out").intervals
    assert len(dm.get_time("out_time")) == 10000
    assert pairs.size > 0
    assert pairs.min() >= 0
    assert pairs.max() < 10000
    assert np.all(pairs[:, 0] <= pairs[:, 1])
    assert np.all(pairs[1:, 0] > pairs[:-1, 1])  # sorted, apart (touching ones not merged)
    assert abs((pairs[:, 1] - pairs[:, 0] + 1).mean() - 30) < 6

    def intervals(**p: float) -> np.ndarray:
        return generate("RandomIntervals", p).data.intervals

    same = {"num_samples": 5000, "mean_duration": 40.0, "mean_gap": 80.0, "seed": 99}
    np.testing.assert_array_equal(intervals(**same), intervals(**same))
    assert _differs(intervals(seed=1), intervals(seed=2))
    dense = {"num_samples": 50000, "mean_duration": 20.0, "seed": 42}
    assert len(intervals(**dense, mean_gap=50.0)) > len(intervals(**dense, mean_gap=500.0))
    _rejects("RandomIntervals", {"num_samples": 0}, "num_samples must be > 0")
    _rejects("RandomIntervals", {"mean_duration": -1.0}, "mean_duration must be > 0")
    _rejects("RandomIntervals", {"mean_gap": 0.0}, "mean_gap must be > 0")

    box = {"min_x": 10, "max_x": 20, "min_y": 100, "max_y": 300}
    dm = _run("RandomPoints", {"num_points": 50, "num_frames": 4, **box})
    points = dm.get_data("out")
    assert isinstance(points, PointData)
    assert len(dm.get_time("out_time")) == 4
    first = points.at(0)
    assert first.shape == (50, 2)
    assert first.dtype == np.float32
    np.testing.assert_array_equal(points.at(3), first)
    assert first[:, 0].min() >= 10
    assert first[:, 0].max() <= 20
    assert first[:, 1].min() >= 100
    assert first[:, 1].max() <= 300

    def pts(**p: float) -> np.ndarray:
        return generate("RandomPoints", {"num_frames": 1, **p}).data.at(0)

    np.testing.assert_array_equal(pts(seed=5), pts(seed=5))
    assert _differs(pts(seed=1), pts(seed=2))
    _rejects("RandomPoints", {"num_points": 0}, "num_points must be > 0")
    _rejects("RandomPoints", {"min_x": 5, "max_x": 5}, "max_x must be > min_x")
    _rejects("RandomPoints", {"min_y": 9, "max_y": 1}, "max_y must be > min_y")
    _rejects("RandomPoints", {"num_frames": 0}, "num_frames must be > 0")
