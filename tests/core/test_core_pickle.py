"""Every data type and the DataManager pickle with protocol 5 and round-trip equal.

Arrays travel out of band (``buffer_callback``) and the unpickled containers use those
buffers without copying them — what dask.distributed and multiprocessing rely on.
"""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING

import av
import numpy as np
import pytest
import tifffile
from PIL import Image

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    ArrayMedia,
    DataManager,
    DigitalEventSeries,
    DigitalIntervalSeries,
    EntityGroups,
    LineData,
    MaskData,
    PointData,
    TensorData,
    TimeFrame,
)
from napari_whiskertoolbox.core.entity import peek_next_id
from napari_whiskertoolbox.media import open_media

if TYPE_CHECKING:
    from pathlib import Path


def _dumps(obj: object) -> tuple[bytes, list[pickle.PickleBuffer]]:
    buffers: list[pickle.PickleBuffer] = []
    return pickle.dumps(obj, protocol=5, buffer_callback=buffers.append), buffers


def _round_trip(obj: object) -> tuple[object, list[pickle.PickleBuffer], int]:
    """Pickle ``obj`` out of band; return the copy, the buffers and the in-band size."""
    data, buffers = _dumps(obj)
    return pickle.loads(data, buffers=buffers), buffers, len(data)


def _uses_buffer(arr: np.ndarray, buffers: list[pickle.PickleBuffer]) -> bool:
    return any(np.shares_memory(arr, np.frombuffer(b.raw(), np.uint8)) for b in buffers)


def _assert_readonly(*arrays: np.ndarray) -> None:
    for arr in arrays:
        assert not arr.flags.writeable


def test_analog_dense_and_sparse() -> None:
    dense = AnalogTimeSeries(np.linspace(0, 1, 10_000))
    copy, buffers, inband = _round_trip(dense)
    assert isinstance(copy, AnalogTimeSeries)
    assert copy.is_dense
    assert len(copy) == 10_000
    np.testing.assert_array_equal(copy.values, dense.values)
    assert inband < 1_000  # the samples travelled out of band
    assert _uses_buffer(copy.values, buffers)  # ... and were not copied on load
    _assert_readonly(copy.values)

    sparse = AnalogTimeSeries([1.5, 2.5, 3.5], times=[2, 5, 9])
    copy, _, _ = _round_trip(sparse)
    np.testing.assert_array_equal(copy.times, [2, 5, 9])
    np.testing.assert_array_equal(copy.values, sparse.values)
    assert copy.value_at(5) == 2.5
    _assert_readonly(copy.times)


def test_analog_from_raw_keeps_scale(tmp_path: Path) -> None:
    raw_path = tmp_path / "raw.bin"
    np.arange(100, dtype=np.int16).tofile(raw_path)
    raw = np.memmap(raw_path, dtype=np.int16, mode="r")
    series = AnalogTimeSeries.from_raw(raw, scale=0.5, offset=1.0)
    copy, _, _ = _round_trip(series)
    assert not copy.is_materialized
    np.testing.assert_allclose(copy.values, series.values)


def test_events() -> None:
    events = DigitalEventSeries([30, 10, 20])
    copy, buffers, _ = _round_trip(events)
    np.testing.assert_array_equal(copy.times, [10, 20, 30])
    np.testing.assert_array_equal(copy.ids, events.ids)
    assert _uses_buffer(copy.times, buffers)
    _assert_readonly(copy.times, copy.ids)
    assert copy.add(40) >= peek_next_id() - 1  # still editable
    assert len(copy) == 4
    assert len(events) == 3


@pytest.mark.parametrize("layout", ["disjoint", "overlapping"])
def test_intervals(layout: str) -> None:
    series = DigitalIntervalSeries([[0, 5], [3, 9], [20, 25]], layout=layout)
    copy, _, _ = _round_trip(series)
    assert copy.layout == layout
    np.testing.assert_array_equal(copy.intervals, series.intervals)
    np.testing.assert_array_equal(copy.ids, series.ids)
    _assert_readonly(copy.intervals, copy.ids)
    copy.set_time(21, False)
    assert copy.interval_at(22) == (22, 25)
    assert series.interval_at(21) == (20, 25)


def test_points_with_edited_frames() -> None:
    points = PointData.from_flat(
        np.repeat(np.arange(1000), 2), np.random.default_rng(0).random((2000, 2)) * 100
    )
    points.set_frame(3, np.array([[1.0, 2.0]]))  # an edited frame lives in the overlay
    copy, buffers, inband = _round_trip(points)
    for t in (0, 3, 999):
        np.testing.assert_array_equal(copy.at(t), points.at(t))
        np.testing.assert_array_equal(copy.ids_at(t), points.ids_at(t))
    assert inband < 2_000
    assert _uses_buffer(copy.to_flat().coords, buffers)


def test_lines_and_masks() -> None:
    lines = LineData(image_size=(64, 48))
    lines.add(2, np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]))
    lines.add(2, np.array([[1.0, 1.0], [2.0, 2.0]]))
    copy, _, _ = _round_trip(lines)
    assert copy.image_size == (64, 48)
    assert [line.tolist() for line in copy.at(2)] == [line.tolist() for line in lines.at(2)]
    np.testing.assert_array_equal(copy.ids_at(2), lines.ids_at(2))
    _assert_readonly(*copy.at(2))

    mask_image = np.zeros((48, 64), bool)
    mask_image[10:20, 5:9] = True
    masks = MaskData(image_size=(64, 48))
    masks.add(7, mask_image)
    copy, _, _ = _round_trip(masks)
    np.testing.assert_array_equal(copy.rasterize(7), mask_image)
    np.testing.assert_array_equal(copy.ids_at(7), masks.ids_at(7))


def test_tensor() -> None:
    tensor = TensorData(np.arange(12).reshape(4, 3), ["a", "b", "c"], "time", [0, 2, 4, 6])
    copy, buffers, _ = _round_trip(tensor)
    np.testing.assert_array_equal(copy.values, tensor.values)
    assert copy.column_names == ["a", "b", "c"]
    assert copy.row_type == "time"
    np.testing.assert_array_equal(copy.rows, [0, 2, 4, 6])
    np.testing.assert_array_equal(copy.column("b"), [1, 4, 7, 10])
    assert _uses_buffer(copy.values, buffers)
    _assert_readonly(copy.values, copy.rows)


def test_timeframe() -> None:
    clock = TimeFrame(np.arange(0, 1000, 10), sampling_rate=500.0)
    copy, buffers, _ = _round_trip(clock)
    np.testing.assert_array_equal(copy.times, clock.times)
    assert copy.sampling_rate == 500.0
    assert copy.index_at_time(55) == clock.index_at_time(55)
    assert _uses_buffer(copy.times, buffers)
    _assert_readonly(copy.times)


def test_entity_groups() -> None:
    groups = EntityGroups()
    groups.create("left", [1, 5, 7])
    copy, _, _ = _round_trip(groups)
    assert copy.to_dict() == {"left": [1, 5, 7]}
    copy.add("left", 9)
    assert groups.count("left") == 3


def test_array_media() -> None:
    media = ArrayMedia(np.arange(2 * 4 * 5, dtype=np.uint8).reshape(2, 4, 5), kind="video")
    copy, buffers, _ = _round_trip(media)
    assert copy.kind == "video"
    np.testing.assert_array_equal(copy[:], media[:])
    assert _uses_buffer(copy.array, buffers)


def _write_video(path: Path, n: int) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(n):
            img = np.full((48, 64, 3), 20 * i, np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
        container.mux(stream.encode())


def test_file_media_reopen_in_the_copy(tmp_path: Path) -> None:
    video_path = tmp_path / "clip.mp4"
    _write_video(video_path, 6)
    tiff_path = tmp_path / "stack.tif"
    tifffile.imwrite(
        tiff_path, np.arange(3 * 8 * 9, dtype=np.uint16).reshape(3, 8, 9), photometric="minisblack"
    )
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(3):
        Image.fromarray(np.full((8, 9), 40 * i, np.uint8)).save(folder / f"img{i}.png")
    (folder / "notes.txt").write_text("not an image")

    for path in (video_path, tiff_path, folder):
        media = open_media(path)
        try:
            data, _ = _dumps(media)
            assert len(data) < 2_000  # a path and options, not frames
            copy = pickle.loads(data)
            try:
                assert type(copy) is type(media)
                assert copy.source_path == media.source_path
                assert copy.shape == media.shape
                assert copy.dtype == media.dtype
                for i in range(media.shape[0]):
                    np.testing.assert_array_equal(copy.frame(i), media.frame(i))
            finally:
                copy.close()
        finally:
            media.close()


def test_data_manager_round_trip() -> None:
    from napari_whiskertoolbox.sample import make_sample_session

    dm = make_sample_session(n_frames=12, seed=3)
    dm.groups.create("first_whisker", dm.get_data("whiskers").ids_at(0)[:1])
    dm.metadata["note"] = {"x": 1}
    copy, buffers, inband = _round_trip(dm)
    assert isinstance(copy, DataManager)
    assert copy.keys() == dm.keys()
    assert copy.time_keys() == dm.time_keys()
    for key in dm:
        assert copy.time_key(key) == dm.time_key(key)
        assert copy.data_type(key) == dm.data_type(key)
    np.testing.assert_array_equal(copy.get_time("camera").times, dm.get_time("camera").times)
    np.testing.assert_array_equal(
        copy.get_data("whisker_angle").values, dm.get_data("whisker_angle").values
    )
    np.testing.assert_array_equal(copy.get_data("media")[5], dm.get_data("media")[5])
    np.testing.assert_array_equal(
        copy.get_data("contact").intervals, dm.get_data("contact").intervals
    )
    assert copy.groups.to_dict() == dm.groups.to_dict()
    assert copy.metadata == dm.metadata
    assert copy.modified == dm.modified
    assert inband < 10_000  # the sample's video travels as its arguments, not its frames
    ragged = sum(dm.get_data(key).to_flat().coords.nbytes for key in ("whiskers", "pad_mask"))
    assert sum(b.raw().nbytes for b in buffers) > ragged  # the arrays travel out of band

    # the copy is a live DataManager: edits emit, record undo steps and mark it modified
    changed: list[str] = []
    copy.data_changed.connect(lambda key, frames: changed.append(key))
    copy.get_data("nose").add(0, np.array([1.0, 2.0]))
    assert changed == ["nose"]
    assert copy.modified
    assert copy.undo()
    assert copy.get_data("nose").count_at(0) == 1
    assert dm.get_data("nose").count_at(0) == 1


def test_a_pickled_manager_keeps_which_clocks_go_with_their_keys():
    dm = DataManager()
    dm.set_time("own", TimeFrame([0, 5]), auto_remove=True)
    dm.set_data("a", DigitalEventSeries([1]), "own")
    back = pickle.loads(pickle.dumps(dm))
    assert back.auto_removed_clocks() == ["own"]
    back.delete_data("a")
    assert back.time_keys() == ["time"]
