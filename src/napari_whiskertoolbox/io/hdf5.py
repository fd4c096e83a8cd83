"""WhiskerToolbox's HDF5 formats for lines, masks, analog signals and events (h5py).

Layouts (``wt_loaders.md`` §5.3, §6.2, §7.3, §8.4): a 1-D frame dataset with one entry per
object plus variable-length coordinate datasets (lines, masks); a time dataset and a
value / indicator dataset of the same length (analog, events); or one dataset of bit-packed
uint8/uint16 digital samples (``data_key``; events, intervals and identity clocks, as
WhiskerToolbox's ``HDF5Loader`` after our reference commit: 1-D, or a row ``sweep_row`` of a
2-D ``(sweeps, samples)`` array such as Wavesurfer's ``sweep_0001/digitalScans``). h5py is an optional
dependency (``pip install napari-whiskertoolbox[hdf5]``).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.io.csv_tools import check_file
from napari_whiskertoolbox.io.errors import FormatError

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator

    from napari_whiskertoolbox.io.report import RowSkips

__all__ = [
    "hdf5_sample_count",
    "read_hdf5_analog",
    "read_hdf5_bitpacked",
    "read_hdf5_events",
    "read_hdf5_ragged",
]


@contextlib.contextmanager
def _open(path: str | os.PathLike[str]) -> Iterator[Any]:
    """Open an HDF5 file for reading; what the block reads from a damaged file is a FormatError.

    A truncated or corrupted file often opens and fails later, on a look-up or a read,
    with whatever HDF5 raises (``RuntimeError: wrong B-tree signature``, ``OSError``,
    ``KeyError``...): each becomes a :class:`FormatError` naming the file.
    """
    try:
        import h5py
    except ImportError:  # pragma: no cover - h5py is in the testing extra
        raise FormatError(
            "reading HDF5 needs h5py (pip install 'napari-whiskertoolbox[hdf5]')", path=path
        ) from None
    p = check_file(path)
    try:
        handle = h5py.File(p, "r")
    except OSError as exc:
        raise FormatError(f"expected an HDF5 file ({exc})", path=p) from exc
    try:
        with handle:
            yield handle
    except FormatError:
        raise
    except (OSError, RuntimeError, KeyError, ValueError, TypeError) as exc:
        raise FormatError(
            f"cannot read the HDF5 file; damaged or truncated? ({type(exc).__name__}: {exc})",
            path=p,
        ) from exc


def _dataset(handle: Any, key: str, path: str | os.PathLike[str]) -> Any:
    if key not in handle:
        raise FormatError(
            f"expected a dataset {key!r}; the file holds {sorted(handle.keys())}", path=path
        )
    return handle[key]


def _numbers(values: Any, path: str | os.PathLike[str], key: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise FormatError(f"expected numbers in dataset {key!r} ({exc})", path=path) from exc
    return arr.ravel()


def read_hdf5_ragged(
    path: str | os.PathLike[str],
    *,
    frame_key: str,
    x_key: str,
    y_key: str,
    integer_pixels: bool,
    skips: RowSkips,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read lines (``integer_pixels=False``) or masks from a frames + x + y HDF5 file.

    Object ``i`` pairs ``x_key[i]`` with ``y_key[i]`` up to the shorter length; objects
    beyond the shortest dataset are ignored, empty objects are dropped (reported as
    skipped, with the object index as "line"). Mask coordinates are truncated to unsigned
    integers; a negative one is an error.

    Returns
    -------
    times, offsets, coords
        Flat arrays (``coords`` float32 for lines, uint32 for masks).
    """
    with _open(path) as handle:
        frames = _numbers(_dataset(handle, frame_key, path)[()], path, frame_key)
        xs = _dataset(handle, x_key, path)
        ys = _dataset(handle, y_key, path)
        n = min(len(frames), len(xs), len(ys))
        if n == 0:
            raise FormatError(f"datasets {frame_key!r}, {x_key!r}, {y_key!r} are empty", path=path)
        times, parts, empty = [], [], []
        for i in range(n):
            x, y = _numbers(xs[i], path, x_key), _numbers(ys[i], path, y_key)
            m = min(x.size, y.size)
            if m == 0:
                empty.append(i)
                continue
            times.append(frames[i])
            parts.append(np.stack([x[:m], y[:m]], axis=1))
    skips.add_many("empty object (index in the datasets)", empty)
    t = np.asarray(times, dtype=np.float64)
    if t.size and not np.all(t == np.trunc(t)):
        raise FormatError(f"expected integer frames in {frame_key!r}", path=path)
    coords = np.concatenate(parts) if parts else np.empty((0, 2))
    if integer_pixels:
        if coords.size and (not np.all(np.isfinite(coords)) or coords.min() < 0):
            raise FormatError("expected non-negative finite mask pixels", path=path)
        coords = np.trunc(coords).astype(np.uint32)
    else:
        coords = coords.astype(np.float32)
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in parts], out=offsets[1:])
    return t.astype(np.int64), offsets, coords


def _frames(
    times: np.ndarray, scale: float, scale_divide: bool, path: str | os.PathLike[str]
) -> np.ndarray:
    if not np.all(np.isfinite(times)):
        raise FormatError("expected finite times", path=path)
    if scale == 0:
        raise FormatError("expected a non-zero scale", path=path)
    scaled = times / scale if scale_divide else times * scale
    # std::round: halves away from zero (-2.5 -> -3), and exact (floor(x + 0.5) turns
    # 0.49999999999999994 into 1); x - trunc(x) is exact in floating point
    whole = np.trunc(scaled)
    return (whole + np.sign(scaled) * (np.abs(scaled - whole) >= 0.5)).astype(np.int64)


def _time_and_value_numbers(
    path: str | os.PathLike[str], time_key: str, value_key: str
) -> tuple[np.ndarray, np.ndarray]:
    """Read the numeric datasets ``time_key`` and ``value_key``, of one non-zero length."""
    with _open(path) as handle:
        times = _numbers(_dataset(handle, time_key, path)[()], path, time_key)
        values = _numbers(_dataset(handle, value_key, path)[()], path, value_key)
    if times.size != values.size or times.size == 0:
        raise FormatError(
            f"expected {time_key!r} and {value_key!r} of the same non-zero length, found "
            f"{times.size} and {values.size}",
            path=path,
        )
    return times, values


def read_hdf5_analog(
    path: str | os.PathLike[str],
    *,
    time_key: str,
    value_key: str,
    scale: float = 1.0,
    scale_divide: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Read ``(values float32, frames int64)``: frame = round(time x scale), in file order."""
    times, values = _time_and_value_numbers(path, time_key, value_key)
    return values.astype(np.float32), _frames(times, scale, scale_divide, path)


def read_hdf5_events(
    path: str | os.PathLike[str],
    *,
    time_key: str,
    event_key: str,
    scale: float = 1.0,
    scale_divide: bool = False,
) -> np.ndarray:
    """Read event frames: round(time x scale) where the indicator is > 0.5."""
    times, flags = _time_and_value_numbers(path, time_key, event_key)
    return _frames(times[flags > 0.5], scale, scale_divide, path)


def _sweep(dataset: Any, key: str, sweep_row: int, path: str | os.PathLike[str]) -> Any:
    """Return the samples of a dataset: all (C order), or row ``sweep_row`` of a 2-D one.

    As WhiskerToolbox's ``compute_fast_axis_length``.
    """
    if sweep_row < 0:
        raise FormatError(f"expected a non-negative sweep_row, got {sweep_row}", path=path)
    shape = dataset.shape
    if shape is None or len(shape) == 0:
        raise FormatError(f"expected an array in dataset {key!r}, found a scalar", path=path)
    if len(shape) == 2:
        if sweep_row >= shape[0]:
            raise FormatError(
                f"sweep_row {sweep_row} is out of range: dataset {key!r} has {shape[0]} rows "
                f"(shape {tuple(shape)})",
                path=path,
            )
        return dataset[sweep_row, :]
    return dataset[()].reshape(-1)


def read_hdf5_bitpacked(
    path: str | os.PathLike[str], *, data_key: str, sweep_row: int = 0
) -> np.ndarray:
    """Read bit-packed digital samples of dataset ``data_key`` as uint16.

    Returns
    -------
    (N,) uint16
        The samples (uint8 data zero-extended); a 2-D dataset gives its row ``sweep_row``.

    Raises
    ------
    FormatError
        No such dataset, a dtype other than uint8/uint16 (as WhiskerToolbox), an empty
        dataset, or ``sweep_row`` outside a 2-D dataset; the message names the file.
    """
    with _open(path) as handle:
        dataset = _dataset(handle, data_key, path)
        if dataset.dtype not in (np.dtype(np.uint8), np.dtype(np.uint16)):
            raise FormatError(
                f"expected uint8 or uint16 bit-packed samples in dataset {data_key!r}, found "
                f"{dataset.dtype}",
                path=path,
            )
        samples = np.asarray(_sweep(dataset, data_key, sweep_row, path)).astype(np.uint16)
    if samples.size == 0:
        raise FormatError(f"expected digital samples, dataset {data_key!r} is empty", path=path)
    return samples


def hdf5_sample_count(path: str | os.PathLike[str], *, data_key: str, sweep_row: int = 0) -> int:
    """Return the number of samples of dataset ``data_key`` (a 2-D dataset: its row length), any dtype.

    Raises
    ------
    FormatError
        No such dataset, a scalar, a ``sweep_row`` outside a 2-D dataset, or no samples.
    """
    with _open(path) as handle:
        dataset = _dataset(handle, data_key, path)
        shape = dataset.shape
        if shape is None or len(shape) == 0:
            raise FormatError(
                f"expected an array in dataset {data_key!r}, found a scalar", path=path
            )
        if sweep_row < 0 or (len(shape) == 2 and sweep_row >= shape[0]):
            raise FormatError(
                f"sweep_row {sweep_row} is out of range for dataset {data_key!r} "
                f"(shape {tuple(shape)})",
                path=path,
            )
        count = int(shape[1]) if len(shape) == 2 else int(np.prod(shape))
    if count == 0:
        raise FormatError(f"expected samples, dataset {data_key!r} is empty", path=path)
    return count
