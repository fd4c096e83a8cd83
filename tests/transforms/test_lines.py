"""Line transforms (reference §3.2): worked examples, plain-loop references, laws."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _transforms_support import lines_of, points_of, random_lines, ref_cum, ref_point_at
from hypothesis import given, settings
from hypothesis import strategies as st

from napari_whiskertoolbox.core import LineData
from napari_whiskertoolbox.transforms import TransformError, apply_transform
from napari_whiskertoolbox.transforms.lines import (
    angle_span,
    clip_at_reference,
    douglas_peucker,
    extract_subsegment,
    fixed_spacing,
    remove_outliers,
)


def angle(line, **params):
    return float(apply_transform("CalculateLineAngle", lines_of({0: [line]}), params).values[0])


# ---------------------------------------------------------------------- angle
def test_angle_illustrations_of_the_reference():
    assert angle([[2, 7], [6, 3]]) == pytest.approx(-45)
    assert angle([[5, 0], [1, 0]]) == pytest.approx(180)  # wrapped to (-180, 180]
    assert angle([[2, 7], [6, 3]], axis_x_x=1, axis_x_y=1) == pytest.approx(-90)
    # ê_y follows ê_x rotated +90°: axis_y does not change the result
    assert angle([[2, 7], [6, 3]], axis_y_x=5, axis_y_y=-1) == pytest.approx(-45)
    assert angle([[0, 0], [0, 5]]) == pytest.approx(90)  # +y is down on screen


def test_angle_short_lines_and_degenerate_vectors():
    out = apply_transform(
        "CalculateLineAngle", lines_of({0: [[[1, 1]], [[1, 1], [1, 1]]], 1: [[]]})
    ).values
    assert math.isnan(out[0])
    assert out[1] == 0.0  # |v|² < 1e-20
    assert math.isnan(out[2])


def test_angle_span_rules():
    assert angle_span(0.2, 0.2) == pytest.approx((0.1, 0.3))
    assert angle_span(0.05, 0.2) == pytest.approx((0.0, 0.2))  # shifted, not shrunk
    assert angle_span(0.95, 0.2) == pytest.approx((0.8, 1.0))
    assert angle_span(0.5, 1.5) == (0.0, 1.0)
    assert angle_span(0.5, 0.0) == pytest.approx((0.5 - 1e-4, 0.5 + 1e-4))
    assert angle_span(0.0, 0.0) == pytest.approx((0.0, 1e-4))


def _ref_angle(line: np.ndarray, position: float, window: float) -> float:
    if len(line) < 2:
        return math.nan
    lo, hi = angle_span(position, window)
    v = ref_point_at(line, hi) - ref_point_at(line, lo)
    if (v**2).sum() < 1e-20:
        return 0.0
    deg = math.degrees(math.atan2(v[1], v[0]))
    return 180.0 if deg <= -180 else deg


@pytest.mark.parametrize(("position", "window"), [(0.2, 0.2), (0.0, 0.1), (0.9, 0.4), (0.5, 0.0)])
def test_vectorised_angle_matches_the_plain_loop(rng, position, window):
    ld = random_lines(rng, 300, 3, 17)
    out = apply_transform("CalculateLineAngle", ld, {"position": position, "window": window})
    flat = ld.to_flat()
    expected = [
        _ref_angle(
            flat.coords[flat.offsets[k] : flat.offsets[k + 1]].astype(np.float64), position, window
        )
        for k in range(len(flat.times))
    ]
    np.testing.assert_allclose(out.values, expected, atol=2e-3)
    np.testing.assert_array_equal(out.times, flat.times)  # ragged: one value per line


def test_angle_chunks_do_not_change_results(rng, monkeypatch):
    ld = random_lines(rng, 200, 2, 9)
    whole = apply_transform("CalculateLineAngle", ld).values
    import napari_whiskertoolbox.transforms._geometry as geo

    monkeypatch.setattr(geo, "CHUNK_VERTICES", 13)
    monkeypatch.setattr(geo.iter_line_chunks, "__defaults__", (13,))
    np.testing.assert_array_equal(apply_transform("CalculateLineAngle", ld).values, whole)


def test_polynomial_fit_angle_on_a_parabola():
    x = np.linspace(0, 10, 40)
    line = np.column_stack((x, 0.05 * x**2))
    ld = lines_of({0: [line.tolist()]})
    # the tangent of y = 0.05 x² at arc fraction p: dy/dx = 0.1 x
    out = apply_transform(
        "CalculateLineAngle", ld, {"method": "PolynomialFit", "position": 0.5, "window": 0.3}
    ).values[0]
    cum = ref_cum(line)
    x_mid = np.interp(0.5 * cum[-1], cum, x)
    assert out == pytest.approx(math.degrees(math.atan(0.1 * x_mid)), abs=0.5)
    direct = apply_transform("CalculateLineAngle", ld, {"position": 0.5, "window": 0.3}).values[0]
    assert direct == pytest.approx(out, abs=1.0)


@pytest.mark.parametrize("method", ["DirectPoints", "PolynomialFit"])
@pytest.mark.parametrize(
    "line", [[[1, 1], [1, 1], [1, 1]], [[2.5, -3], [2.5, -3]], [[0, 0], [0, 0], [0, 0], [0, 0]]]
)
def test_a_zero_length_line_has_angle_zero_whichever_the_method(method, line):
    # reference §3.2: |v|² < 1e-20 → 0; PolynomialFit degenerate → falls back to DirectPoints
    assert angle(line, method=method) == 0.0


def test_polynomial_fit_keeps_its_angle_on_lines_with_a_direction_beside_a_degenerate_one():
    ld = lines_of({0: [[[1, 1], [1, 1], [1, 1]], [[0, 0], [3, 4], [6, 8]]]})
    out = apply_transform("CalculateLineAngle", ld, {"method": "PolynomialFit"}).values
    assert out[0] == 0.0
    assert out[1] == pytest.approx(math.degrees(math.atan2(4, 3)), abs=1e-4)


# ---------------------------------------------------------------------- length, points
def test_length_matches_the_plain_sum_and_short_lines_are_zero(rng):
    ld = random_lines(rng, 100, 2, 11)
    ld.add(500, np.array([[3.0, 4.0]]))
    out = apply_transform("CalculateLineLength", ld)
    flat = ld.to_flat()
    expected = [
        ref_cum(flat.coords[flat.offsets[k] : flat.offsets[k + 1]])[-1]
        if flat.offsets[k + 1] - flat.offsets[k] > 1
        else 0.0
        for k in range(len(flat.times))
    ]
    np.testing.assert_allclose(out.values, expected, rtol=1e-5)
    assert out.values[-1] == 0.0


@pytest.mark.parametrize("interpolate", [True, False])
def test_extract_point_direct_matches_the_plain_loop(rng, interpolate):
    ld = random_lines(rng, 150, 2, 12)
    for p in (0.0, 0.37, 1.0):
        out = apply_transform(
            "ExtractLinePoint", ld, {"position": p, "use_interpolation": interpolate}
        ).to_flat()
        flat = ld.to_flat()
        for k in range(len(flat.times)):
            line = flat.coords[flat.offsets[k] : flat.offsets[k + 1]].astype(np.float64)
            np.testing.assert_allclose(out.coords[k], ref_point_at(line, p, interpolate), atol=1e-3)


def test_extract_point_edges_and_parametric():
    ld = lines_of({0: [[], [[4, 5]], [[0, 0], [10, 0]]]})
    out = apply_transform("ExtractLinePoint", ld, {"position": 0.25}).to_flat()
    np.testing.assert_allclose(out.coords, [[0, 0], [4, 5], [2.5, 0]])
    x = np.linspace(0, 9, 10)
    para = lines_of({0: [np.column_stack((x, 2 * x)).tolist()]})
    p = apply_transform("ExtractLinePoint", para, {"method": "Parametric", "position": 0.5})
    np.testing.assert_allclose(p.at(0)[0], [4.5, 9.0], atol=1e-4)
    few = lines_of({0: [[[0, 0], [2, 0]]]})  # n < order + 1 → Direct
    np.testing.assert_allclose(
        apply_transform("ExtractLinePoint", few, {"method": "Parametric"}).at(0)[0], [1, 0]
    )


def test_next_vertex_without_interpolation():
    ld = lines_of({0: [[[0, 0], [1, 0], [10, 0]]]})
    out = apply_transform("ExtractLinePoint", ld, {"position": 0.5, "use_interpolation": False})
    np.testing.assert_array_equal(out.at(0)[0], [10, 0])  # the next vertex, not the nearest


# ---------------------------------------------------------------------- curvature
def test_curvature_of_a_circle_is_signed():
    theta = np.linspace(0, np.pi / 2, 60)
    r = 50.0
    ccw = np.column_stack((r * np.cos(theta), r * np.sin(theta)))
    k = apply_transform(
        "CalculateLineCurvature",
        lines_of({0: [ccw.tolist(), ccw[::-1].tolist()]}),
        {"polynomial_order": 5},
    )
    assert k.values[0] == pytest.approx(1 / r, rel=0.05)
    assert k.values[1] == pytest.approx(-1 / r, rel=0.05)


def test_curvature_edge_cases():
    ld = lines_of(
        {0: [[[0, 0]], [[0, 0], [1, 1], [2, 2]], [[0, 0], [1, 0], [2, 0], [3, 0], [4, 0]]]}
    )
    out = apply_transform("CalculateLineCurvature", ld).values
    assert math.isnan(out[0])  # < 2 points
    assert math.isnan(out[1])  # fewer than order + 1 points
    assert out[2] == pytest.approx(0.0, abs=1e-6)  # straight
    theta = np.linspace(0, np.pi / 2, 60)
    arc = np.column_stack((50 * np.cos(theta), 50 * np.sin(theta)))
    at_end = apply_transform(
        "CalculateLineCurvature", lines_of({0: [arc.tolist()]}), {"position": 1.0}
    ).values[0]
    assert abs(at_end) < 0.2 / 50  # one-sided second difference: about 0


# ---------------------------------------------------------------------- flips, resampling
def test_flip_line_base():
    ld = lines_of({0: [[[10, 10], [0, 0]], [[0, 0], [10, 10]], [[1, 0], [0, 1]]], 1: [[[5, 5]]]})
    out = apply_transform("FlipLineBase", ld)
    assert out.at(0)[0].tolist() == [[0, 0], [10, 10]]
    assert out.at(0)[1].tolist() == [[0, 0], [10, 10]]
    assert out.at(0)[2].tolist() == [[1, 0], [0, 1]]  # tie: not flipped
    assert out.at(1)[0].tolist() == [[5, 5]]


def test_fixed_spacing():
    out = fixed_spacing(np.array([[0, 0], [10, 0]]), 3.0)
    np.testing.assert_allclose(out, [[0, 0], [3, 0], [6, 0], [9, 0], [10, 0]])
    out = fixed_spacing(np.array([[0, 0], [0, 0], [6, 0]]), 3.0)  # zero-length segment
    np.testing.assert_allclose(out, [[0, 0], [3, 0], [6, 0]])
    out = fixed_spacing(np.array([[0, 0], [1, 0], [0, 0]]), 5.0)  # ends on the start
    assert len(out) == 2


def test_douglas_peucker_uses_the_infinite_line():
    # (20, 1) lies beyond the segment end: 1 from the infinite line, 10 from the segment
    line = np.array([[0, 0], [20, 1], [10, 0]], float)
    assert len(douglas_peucker(line, 2.0)) == 2
    assert len(douglas_peucker(np.array([[0, 0], [5, 3], [10, 0]]), 2.0)) == 3
    assert len(douglas_peucker(np.array([[0, 0], [5, 2], [10, 0]]), 2.0)) == 2  # strictly >


def test_resample_polynomial_smooth_point_count():
    x = np.linspace(0, 100, 30)
    ld = lines_of({0: [np.column_stack((x, 0.01 * x**2)).tolist()]})
    length = apply_transform("CalculateLineLength", ld).values[0]
    out = apply_transform("ResampleLine", ld, {"method": "PolynomialSmooth", "target_spacing": 10})
    assert len(out.at(0)[0]) == round(length / 10)


def test_resample_leaves_short_lines():
    ld = lines_of({0: [[[0, 0], [100, 0]]]})
    for method in ("FixedSpacing", "DouglasPeucker", "PolynomialSmooth"):
        assert apply_transform("ResampleLine", ld, {"method": method}).at(0)[0].tolist() == [
            [0, 0],
            [100, 0],
        ]


def test_resample_rejects_bad_spacing():
    with pytest.raises(TransformError, match="ResampleLine: parameter 'target_spacing' = 0"):
        apply_transform("ResampleLine", LineData(), {"target_spacing": 0})


coords = st.floats(-500, 500, allow_nan=False, width=32)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(coords, coords), min_size=3, max_size=30), st.floats(0.5, 20))
def test_resampled_length_is_at_most_the_length(points, spacing):
    line = np.asarray(points, np.float64)
    out = fixed_spacing(line, spacing)
    assert ref_cum(out)[-1] <= ref_cum(line)[-1] + 1e-3
    np.testing.assert_allclose(out[0], line[0], atol=1e-4)


@settings(max_examples=60, deadline=None)
@given(
    st.floats(-1, 1).filter(lambda v: abs(v) > 0.01),
    st.floats(-1, 1),
    st.lists(st.floats(0, 50), min_size=3, max_size=20, unique=True),
    st.floats(0.5, 10),
)
def test_resampled_straight_line_keeps_its_length(dx, dy, ts, spacing):
    t = np.sort(np.asarray(ts))
    line = np.column_stack((t * dx, t * dy))
    out = fixed_spacing(line, spacing)
    # the last vertex is dropped when within 1e-3 in both coordinates (reference §3.2)
    assert ref_cum(out)[-1] == pytest.approx(ref_cum(line)[-1], rel=1e-4, abs=1e-3 * np.sqrt(2))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(coords, coords), min_size=2, max_size=20), st.floats(0.5, 20))
def test_douglas_peucker_keeps_ends_and_shortens(points, eps):
    line = np.asarray(points, np.float64)
    out = douglas_peucker(line, eps)
    np.testing.assert_allclose(out[[0, -1]], line[[0, -1]], atol=1e-3)
    assert ref_cum(out)[-1] <= ref_cum(line)[-1] + 1e-3


# ---------------------------------------------------------------------- subsegments
def test_subsegment_illustrations():
    line = np.array([[0, 0], [1, 0], [2, 0], [3, 0]], float)  # fractions 0, 1/3, 2/3, 1
    direct = extract_subsegment(line, 0.1, 0.9, "Direct", 3, 50, True)
    np.testing.assert_allclose(direct, [[1, 0], [2, 0]])
    np.testing.assert_allclose(
        extract_subsegment(line, 0.4, 0.6, "Direct", 3, 50, True), [[1.2, 0]]
    )
    np.testing.assert_allclose(
        extract_subsegment(line, 0.1, 0.9, "Direct", 3, 50, False),
        [[0.3, 0], [1, 0], [2, 0], [2.7, 0]],
    )
    assert len(extract_subsegment(line, 0.7, 0.3, "Direct", 3, 50, True)) == 0
    para = extract_subsegment(line, 0.0, 1.0, "Parametric", 3, 4, True)
    np.testing.assert_allclose(para, line, atol=1e-4)
    assert len(extract_subsegment(np.array([[1.0, 1.0]]), 0.1, 0.2, "Direct", 3, 5, True)) == 1


def test_subsegment_rejects_one_output_point():
    with pytest.raises(TransformError, match="'output_points' = 1"):
        apply_transform("ExtractLineSubsegment", LineData(), {"output_points": 1})


# ---------------------------------------------------------------------- outliers
def test_remove_outliers_drops_a_spike():
    x = np.linspace(0, 50, 25)
    line = np.column_stack((x, 0.02 * x**2))
    spiky = line.copy()
    spiky[12, 1] += 10
    out = remove_outliers(spiky, 5.0, 3)
    assert len(out) == 24
    assert not np.any(np.all(out == spiky[12], axis=1))
    assert len(remove_outliers(line, 5.0, 3)) == 25  # nothing to remove
    np.testing.assert_array_equal(remove_outliers(line[:5], 5.0, 3), line[:5])  # <= order + 2


# ---------------------------------------------------------------------- binary
def test_min_point_distance_pairs_by_frame():
    lines = lines_of(
        {0: [[[0, 0], [10, 0]]], 1: [[[0, 0], [0, 10]], [[5, 5], [6, 5]]], 2: [[[1, 1]]]}
    )
    pts = points_of({0: [[5, 3], [20, 0]], 1: [[3, 4]], 2: [[0, 0]], 7: [[1, 1]]})
    out = apply_transform("CalculateLineMinPointDistance", lines, others=pts)
    np.testing.assert_array_equal(out.times, [0, 0, 1, 1, 2])
    np.testing.assert_allclose(out.values[:4], [3, 10, 3, np.hypot(2, 1)])
    assert math.isinf(out.values[4])
    sq = apply_transform(
        "CalculateLineMinPointDistance", lines, {"return_squared_distance": True}, others=pts
    )
    np.testing.assert_allclose(sq.values[:2], [9, 100])


def test_pairing_count_mismatch_is_an_error():
    lines = lines_of({0: [[[0, 0], [1, 0]], [[0, 0], [1, 0]]]})
    pts = points_of({0: [[0, 0], [1, 1], [2, 2]]})
    with pytest.raises(TransformError, match="frame 0 holds 2 and 3 elements"):
        apply_transform("CalculateLineMinPointDistance", lines, others=pts)


def test_clip_line_at_reference():
    line = np.array([[0, 0], [10, 0], [20, 0]], float)
    ref = np.array([[15, -5], [15, 5]], float)
    np.testing.assert_allclose(clip_at_reference(line, ref, "KeepBase"), [[0, 0], [10, 0], [15, 0]])
    np.testing.assert_allclose(clip_at_reference(line, ref, "KeepDistal"), [[15, 0], [20, 0]])
    parallel = np.array([[0, 1], [20, 1]], float)
    np.testing.assert_allclose(clip_at_reference(line, parallel, "KeepBase"), line)
    at_vertex = np.array([[10, -1], [10, 1]], float)  # endpoints count; no duplicate vertex
    np.testing.assert_allclose(clip_at_reference(line, at_vertex, "KeepBase"), [[0, 0], [10, 0]])
    ld = apply_transform(
        "ClipLineAtReference", lines_of({3: [line.tolist()]}), others=lines_of({3: [ref.tolist()]})
    )
    np.testing.assert_allclose(ld.at(3)[0], [[0, 0], [10, 0], [15, 0]])
