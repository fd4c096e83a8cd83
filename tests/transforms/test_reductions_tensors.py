"""Range reductions (§4), interval reductions to tensors (§3.7), tensor transforms (§3.8)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DigitalEventSeries,
    DigitalIntervalSeries,
    TensorData,
    TimeFrame,
)
from napari_whiskertoolbox.transforms import TransformError, apply_transform
from napari_whiskertoolbox.transforms.range_reductions import RANGE_REDUCTIONS, reduce_range

REFERENCE_NAMES = [
    "EventCount", "EventPresence", "FirstPositiveLatency", "LastNegativeLatency",
    "EventCountInWindow", "MeanInterEventInterval", "EventTimeSpan", "MaxValue", "MinValue",
    "MeanValue", "StdValue", "TimeOfMax", "TimeOfMin", "TimeOfThresholdCross", "SumValue",
    "ValueRange", "AreaUnderCurve", "CountAboveThreshold", "FractionAboveThreshold",
    "MeanValueRaw", "StdValueRaw", "MaxValueRaw", "MinValueRaw", "IntervalCount",
    "IntervalStartExtract", "IntervalEndExtract", "IntervalSourceIndex",
]  # fmt: skip


def test_every_reference_reduction_exists():
    assert set(REFERENCE_NAMES) <= set(RANGE_REDUCTIONS)


def test_event_reductions():
    ev = np.array([-5.0, -1.0, 0.0, 2.0, 7.0])
    assert reduce_range("EventCount", ev) == 5
    assert reduce_range("EventPresence", ev[:0]) == 0
    assert reduce_range("FirstPositiveLatency", ev) == 2  # 0 is not positive
    assert reduce_range("LastNegativeLatency", ev) == -1
    assert reduce_range("EventCountInWindow", ev, {"window_start": 0, "window_end": 7}) == 2
    assert reduce_range("MeanInterEventInterval", ev) == 3
    assert reduce_range("EventTimeSpan", ev) == 12
    assert math.isnan(reduce_range("MeanInterEventInterval", ev[:1]))
    assert reduce_range("EventTimeSpan", ev[:1]) == 0


def test_value_reductions():
    t = np.array([0.0, 1.0, 2.0, 3.0])
    v = np.array([1.0, 3.0, 3.0, -1.0])
    e = (t, v)
    assert reduce_range("MaxValue", e) == 3
    assert reduce_range("TimeOfMax", e) == 1  # first maximum
    assert reduce_range("StdValue", e) == pytest.approx(np.std(v))  # population
    assert reduce_range("StdValue", (t[:1], v[:1])) == 0
    assert reduce_range("AreaUnderCurve", e) == pytest.approx(2 + 3 + 1)
    assert reduce_range("TimeOfThresholdCross", e, {"threshold": 2}) == 1
    assert reduce_range("TimeOfThresholdCross", e, {"threshold": 2, "rising": False}) == 3
    assert reduce_range("CountAboveThreshold", e, {"threshold": 1}) == 2
    assert reduce_range("FractionAboveThreshold", e, {"threshold": 1}) == 0.5
    assert reduce_range("ValueRange", e) == 4
    assert reduce_range("MinValue", (t[:0], v[:0])) == math.inf
    assert reduce_range("MeanValueRaw", v) == 1.5
    with pytest.raises(TransformError, match="Range reduction 'MeanVal' not found"):
        reduce_range("MeanVal", v)


def test_extremum_reductions_skip_nans_as_wt_loops_do():
    # WT starts from -inf (+inf) and keeps strictly larger (smaller) values: NaNs are
    # skipped; all-NaN leaves -inf / +inf, a NaN time, and ValueRange -inf - +inf
    t, v = [0, 1, 2, 3], [1.0, np.nan, 5.0, 2.0]
    assert reduce_range("MaxValue", (t, v)) == 5
    assert reduce_range("MinValue", (t, v)) == 1
    assert reduce_range("MaxValueRaw", [np.nan, 4.0, 2.0]) == 4
    assert reduce_range("MinValueRaw", [np.nan, 4.0, 2.0]) == 2
    assert reduce_range("TimeOfMax", (t, v)) == 2
    assert reduce_range("TimeOfMin", ([0, 1, 2], [np.nan, 3.0, 3.0])) == 1
    assert reduce_range("ValueRange", (t, v)) == 4
    nans = ([0, 1], [np.nan, np.nan])
    assert reduce_range("MaxValue", nans) == -math.inf
    assert reduce_range("MinValue", nans) == math.inf
    assert math.isnan(reduce_range("TimeOfMax", nans))
    assert reduce_range("ValueRange", nans) == -math.inf
    assert math.isnan(reduce_range("MeanValue", (t, v)))  # mean and sums propagate NaN
    rows = DigitalIntervalSeries([[0, 3]])
    out = apply_transform(
        "AnalogIntervalReduction", rows, {"reduction_name": "TimeOfMax"},
        others=AnalogTimeSeries(v),
    )  # fmt: skip
    assert out.values.tolist() == [[2.0]]


def test_analog_interval_reduction_through_ticks():
    # rows on a clock with ticks 0, 40, 80, ...; source on ticks 0, 10, 20, ... (reference §3.7)
    rows = DigitalIntervalSeries([[3, 5], [0, 0]])
    source = AnalogTimeSeries(np.arange(40, dtype=np.float32))
    out = apply_transform(
        "AnalogIntervalReduction",
        rows,
        {"reduction_name": "MeanValue", "column_name": "mean"},
        others=source,
        clocks=[TimeFrame(np.arange(0, 400, 40)), TimeFrame(np.arange(0, 400, 10))],
    )
    assert isinstance(out, TensorData)
    assert out.column_names == ["mean"]
    assert out.row_type == "interval"
    assert out.rows.tolist() == [[0, 0], [3, 5]]  # sorted rows
    np.testing.assert_allclose(out.values[:, 0], [0, 16])  # indices 12..20 → mean 16


def test_event_and_overlap_reductions():
    rows = DigitalIntervalSeries([[0, 10], [20, 30], [40, 50]])
    ev = DigitalEventSeries([1, 5, 25, 60])
    out = apply_transform(
        "EventIntervalReduction", rows, {"reduction_name": "EventCount"}, others=ev
    )
    np.testing.assert_array_equal(out.values[:, 0], [2, 1, 0])
    src = DigitalIntervalSeries([[8, 22], [49, 70]], layout="overlapping")
    out = apply_transform(
        "IntervalOverlapReduction", rows, {"reduction_name": "IntervalCount"}, others=src
    )
    np.testing.assert_array_equal(out.values[:, 0], [1, 1, 1])
    with pytest.raises(
        TransformError, match="reduces value elements; this transform gathers event"
    ):
        apply_transform("EventIntervalReduction", rows, {"reduction_name": "MeanValue"}, others=ev)
    # the defaults reduce what each one gathers (WhiskerToolbox's MeanValue fails on both)
    counted = apply_transform("EventIntervalReduction", rows, others=ev)
    np.testing.assert_array_equal(counted.values[:, 0], [2, 1, 0])
    overlaps = apply_transform("IntervalOverlapReduction", rows, others=src)
    np.testing.assert_array_equal(overlaps.values[:, 0], [1, 1, 1])
    empty = apply_transform(
        "EventIntervalReduction",
        DigitalIntervalSeries(),
        {"reduction_name": "EventCount"},
        others=ev,
    )
    assert empty.shape == (0, 1)


# ---------------------------------------------------------------------- tensors
def tensor(values, names=None, rows=None):
    rows_arr = np.arange(len(values)) if rows is None else rows
    return TensorData(np.asarray(values, float), column_names=names, row_type="time", rows=rows_arr)


def test_pca_projects_and_names():
    rng = np.random.default_rng(0)
    latent = rng.normal(size=(200, 1))
    x = np.hstack(
        [latent * 5, latent * 2 + rng.normal(0, 0.01, (200, 1)), rng.normal(0, 0.1, (200, 1))]
    )
    out = apply_transform("TensorPCA", tensor(x), {"n_components": 2})
    assert out.column_names == ["PC1", "PC2"]
    assert out.rows.tolist() == list(range(200))
    assert np.var(out.values[:, 0]) > 100 * np.var(out.values[:, 1])
    with pytest.raises(TransformError, match="'n_components' = 4"):
        apply_transform("TensorPCA", tensor(x), {"n_components": 4})


def test_nan_policies():
    x = np.array([[1, 2], [np.nan, 1], [3, 5], [4, 4]], float)
    prop = apply_transform("TensorPCA", tensor(x), {"n_components": 1})
    assert np.isnan(prop.values[1, 0])
    assert prop.shape == (4, 1)
    drop = apply_transform("TensorPCA", tensor(x), {"n_components": 1, "nan_policy": "Drop"})
    assert drop.rows.tolist() == [0, 2, 3]
    with pytest.raises(TransformError, match="row 1 holds NaN"):
        apply_transform("TensorPCA", tensor(x), {"nan_policy": "Fail"})


@pytest.mark.parametrize(("name", "prefix", "params"), [
    ("TensorICA", "IC", {}),
    ("TensorRobustPCA", "RPCA", {"n_components": 2}),
    ("TensorTSNE", "tSNE", {"n_components": 2, "perplexity": 5}),
])  # fmt: skip
def test_decompositions_shapes_and_names(name, prefix, params):
    rng = np.random.default_rng(1)
    x = rng.laplace(size=(60, 3))
    out = apply_transform(name, tensor(x), params)
    assert out.shape[0] == 60
    assert out.column_names == [f"{prefix}{i + 1}" for i in range(out.shape[1])]
    assert np.isfinite(out.values).all()


def test_robust_pca_separates_sparse_spikes():
    from napari_whiskertoolbox.transforms.context import TransformContext
    from napari_whiskertoolbox.transforms.tensors import robust_pca

    rng = np.random.default_rng(2)
    low = rng.normal(size=(80, 1)) @ rng.normal(size=(1, 10))
    spikes = np.zeros_like(low)
    spikes[rng.random(low.shape) < 0.05] = 20
    recovered = robust_pca(low + spikes, 0.0, 1e-7, 500, TransformContext())
    before = np.linalg.norm(spikes) / np.linalg.norm(low)  # about 5.5
    after = np.linalg.norm(recovered - low) / np.linalg.norm(low)
    assert before > 5
    assert after < 0.1
    tuned = robust_pca(low + spikes, 0.2, 1e-7, 500, TransformContext())
    np.testing.assert_allclose(tuned, low, atol=1e-4)


def test_car():
    x = np.array([[1, 2, 3, 10], [0, 0, 6, 2]], float)
    out = apply_transform(
        "TensorCAR", tensor(x, ["a", "b", "c", "d"]), {"method": "Mean", "exclude_channels": [3]}
    )
    np.testing.assert_allclose(out.values, x - np.array([[2], [2]]))
    assert out.column_names == ["a", "b", "c", "d"]
    med = apply_transform("TensorCAR", tensor(x))
    np.testing.assert_allclose(
        med.values, x - np.array([[2.5], [1]])
    )  # even count: mean of middles
    np.testing.assert_allclose(apply_transform("TensorCAR", tensor(x[:, :1])).values, 0)
    with pytest.raises(TransformError, match="every channel is excluded"):
        apply_transform("TensorCAR", tensor(x), {"exclude_channels": [0, 1, 2, 3]})
    with pytest.raises(TransformError, match="holds 9, not a column index"):
        apply_transform("TensorCAR", tensor(x), {"exclude_channels": [9]})


def test_whitening_decorrelates():
    rng = np.random.default_rng(5)
    mix = rng.normal(size=(3000, 2)) @ np.array([[2.0, 1.5], [0.0, 0.5]])
    out = apply_transform(
        "TensorWhitening", tensor(mix), {"mad_threshold_multiplier": 0, "rescale_amplitude": False}
    )
    cov = np.cov(out.values.T)
    np.testing.assert_allclose(cov, np.eye(2), atol=0.1)
    with pytest.raises(TransformError, match="NaN or Inf"):
        apply_transform("TensorWhitening", tensor([[1, np.nan], [2, 3]]))


def test_central_difference():
    x = np.array([[0, 0], [1, 10], [4, 20], [9, 30]], float)
    out = apply_transform("TensorCentralDifference", tensor(x, ["p", "q"]))
    assert out.column_names == ["p", "q", "p_delta", "q_delta"]
    np.testing.assert_allclose(out.values[1:3, 2:], [[2, 10], [4, 10]])
    assert np.isnan(out.values[0, 2])
    clamp = apply_transform(
        "TensorCentralDifference",
        tensor(x),
        {"boundary_policy": "Clamp", "include_original": False},
    )
    assert clamp.column_names == ["col0_delta", "col1_delta"]
    np.testing.assert_allclose(clamp.values[0], [0.5, 5])
    drop = apply_transform("TensorCentralDifference", tensor(x), {"boundary_policy": "Drop"})
    assert drop.rows.tolist() == [1, 2]
    with pytest.raises(TransformError, match="frame-indexed rows"):
        apply_transform("TensorCentralDifference", TensorData(x))


def test_temporal_neighbors():
    x = np.arange(10, dtype=float).reshape(5, 2)
    out = apply_transform(
        "TensorTemporalNeighbors", tensor(x, ["a", "b"]), {"lag_range": 2, "lead_range": 1}
    )
    assert out.column_names == [
        "a",
        "b",
        "a_lag-2",
        "b_lag-2",
        "a_lag-1",
        "b_lag-1",
        "a_lag+1",
        "b_lag+1",
    ]
    np.testing.assert_allclose(out.values[3, 2:], [2, 3, 4, 5, 8, 9])
    assert np.isnan(out.values[0, 2])
    drop = apply_transform(
        "TensorTemporalNeighbors", tensor(x), {"lag_range": 1, "boundary_policy": "Drop"}
    )
    assert drop.rows.tolist() == [1, 2, 3, 4]
    same = apply_transform("TensorTemporalNeighbors", tensor(x))
    np.testing.assert_array_equal(same.values, x)


@pytest.mark.parametrize(("name", "shape"), [("TensorTSNE", (3000, 10)), ("TensorICA", (20000, 8))])
def test_scikit_learn_fits_stop_on_a_cancel(name, shape):
    """scikit-learn's t-SNE and FastICA cannot stop between iterations; they ran to their end
    (minutes on a few thousand rows) after a cancel. They now run in a child process that a
    cancel ends."""
    import threading

    from napari_whiskertoolbox.transforms import TransformCancelled, TransformContext

    cancel = threading.Event()
    rows = np.random.default_rng(0).normal(size=shape)
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    with pytest.raises(TransformCancelled):
        apply_transform(name, TensorData(rows), context=TransformContext(cancel=cancel))
    timer.join()


def test_a_child_process_error_is_a_transform_error():
    from napari_whiskertoolbox.transforms import TransformContext
    from napari_whiskertoolbox.transforms.child_process import run_stoppable

    with pytest.raises(TransformError, match="LinAlgError: Singular matrix"):
        run_stoppable(np.linalg.inv, (np.zeros((2, 2)),), TransformContext(), "TensorTSNE")


def test_the_child_process_warnings_reach_the_caller_with_their_category():
    """TensorTSNE/TensorICA fit in a child process: its warnings (scikit-learn's
    ConvergenceWarning; numpy's RankWarning here, a quicker import) are raised here."""
    from numpy.exceptions import RankWarning

    from napari_whiskertoolbox.transforms import TransformContext
    from napari_whiskertoolbox.transforms.child_process import run_stoppable

    with pytest.warns(RankWarning, match="did not converge"):
        run_stoppable(
            warnings.warn, ("did not converge", RankWarning), TransformContext(), "TensorICA"
        )


def test_a_child_warning_of_a_class_that_does_not_import_here_comes_as_text():
    from napari_whiskertoolbox.transforms.child_process import forward_warnings

    with pytest.warns(UserWarning, match="^OddWarning: odd$"):
        forward_warnings([("no_such_module_here", "OddWarning", "odd", "x.py", 3)])
