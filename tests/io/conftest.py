"""Helpers for the io tests: write a JSON config next to data in tmp_path."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Return ``write(doc, name="config.json") -> Path`` writing ``doc`` as JSON in tmp_path."""

    def write(doc: Any, name: str = "config.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
        return path

    return write


def _assert_dm_equal(a, b) -> None:
    """Assert two DataManagers hold the same keys, clocks, values, ids, groups and metadata."""
    import numpy as np

    assert a.keys() == b.keys()
    assert a.time_keys() == b.time_keys()
    for name in a.time_keys():
        ta, tb = a.get_time(name), b.get_time(name)
        np.testing.assert_array_equal(ta.times, tb.times)
        assert ta.sampling_rate == tb.sampling_rate
    for key in a:
        assert a.data_type(key) == b.data_type(key), key
        assert a.time_key(key) == b.time_key(key), key
        x, y = a.get_data(key), b.get_data(key)
        kind = a.data_type(key)
        if kind in ("points", "line", "mask"):
            fx, fy = x.to_flat(), y.to_flat()
            for field in ("times", "ids", "offsets", "coords"):
                vx, vy = getattr(fx, field), getattr(fy, field)
                assert (vx is None) == (vy is None), (key, field)
                if vx is not None:
                    assert vx.dtype == vy.dtype, (key, field)
                    np.testing.assert_array_equal(vx, vy, err_msg=f"{key}.{field}")
            assert x.image_size == y.image_size, key
        elif kind == "analog":
            assert x.is_dense == y.is_dense
            np.testing.assert_array_equal(x.values, y.values)
            np.testing.assert_array_equal(x.times, y.times)
        elif kind == "digital_event":
            np.testing.assert_array_equal(x.times, y.times)
            np.testing.assert_array_equal(x.ids, y.ids)
        elif kind == "digital_interval":
            assert x.layout == y.layout
            np.testing.assert_array_equal(x.intervals, y.intervals)
            np.testing.assert_array_equal(x.ids, y.ids)
        elif kind == "tensor":
            np.testing.assert_array_equal(x.values, y.values)
            assert x.column_names == y.column_names
            assert x.row_type == y.row_type
            if x.rows is None:
                assert y.rows is None
            else:
                np.testing.assert_array_equal(x.rows, y.rows)
        else:
            assert x.shape == y.shape
            assert x.dtype == y.dtype
            for i in (0, len(x) // 2, len(x) - 1):
                np.testing.assert_array_equal(x[i], y[i])
    assert a.groups.to_dict() == b.groups.to_dict()
    assert a.metadata == b.metadata


@pytest.fixture
def assert_dm_equal():
    """The DataManager equality assertion used by the session tests."""
    return _assert_dm_equal
