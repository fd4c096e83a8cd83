"""TensorData: zero-copy values, column names, row types."""

from __future__ import annotations

import numpy as np
import pytest

from napari_whiskertoolbox.core import TensorData


def test_values_zero_copy_read_only():
    t = TensorData(np.arange(6).reshape(3, 2), column_names=["a", "b"])
    assert t.values.dtype == np.float32
    assert t.shape == (3, 2)
    assert len(t) == 3
    assert not t.values.flags.writeable
    assert np.shares_memory(np.asarray(t), t.values)
    np.testing.assert_array_equal(t.column("b"), [1, 3, 5])
    with pytest.raises(KeyError, match="'c'"):
        t.column("c")


def test_row_types():
    t = TensorData(np.zeros((2, 3)), row_type="time", rows=[10, 20])
    assert t.rows.tolist() == [10, 20]
    i = TensorData(np.zeros((2, 3)), row_type="interval", rows=[[0, 4], [5, 9]])
    assert i.rows.shape == (2, 2)
    assert TensorData(np.zeros((2, 2, 2))).ndim == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"column_names": ["a"]}, "1 column names"),
        ({"row_type": "bogus"}, "row_type"),
        ({"row_type": "time"}, "needs rows"),
        ({"row_type": "time", "rows": [1]}, r"shape \(2,\)"),
        ({"rows": [1, 2]}, "must be None"),
    ],
)
def test_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TensorData(np.zeros((2, 3)), **kwargs)


def test_set_column_names_checks_one_name_per_column() -> None:
    tensor = TensorData(np.zeros((2, 3)))
    seen: list[object] = []
    tensor.changed.connect(seen.append)
    tensor.set_column_names(["a", "b", "c"])
    assert tensor.column_names == ["a", "b", "c"]
    assert len(seen) == 1
    tensor.set_column_names(None)
    assert tensor.column_names is None
    with pytest.raises(ValueError, match="one per column"):
        tensor.set_column_names(["a"])


def test_row_of_time_exact_and_nearest() -> None:
    tensor = TensorData(np.zeros((4, 1)), row_type="time", rows=[10, 20, 20, 30])
    assert tensor.row_of_time(20) == 1
    assert tensor.row_of_time(25) is None
    assert tensor.row_of_time(25, "at_or_after") == 3
    assert tensor.row_of_time(25, "at_or_before") == 1
    assert tensor.row_of_time(31, "at_or_after") is None
    assert tensor.row_of_time(9, "at_or_before") is None
    with pytest.raises(ValueError, match="match must be"):
        tensor.row_of_time(20, "closest")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="time-labelled rows"):
        TensorData(np.zeros((2, 1))).row_of_time(0)
