"""Every writer's output reads back to the same data (through a JSON config)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from napari_whiskertoolbox.core.analog import AnalogTimeSeries
from napari_whiskertoolbox.core.events import DigitalEventSeries
from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.core.lines import LineData
from napari_whiskertoolbox.core.masks import MaskData
from napari_whiskertoolbox.core.points import PointData
from napari_whiskertoolbox.core.tensor import TensorData
from napari_whiskertoolbox.io import load_config, write_data
from napari_whiskertoolbox.io.dlc import read_dlc_csv, write_dlc_csv
from napari_whiskertoolbox.io.masks import decode_rle, encode_rle


def _load_one(write_config, tmp_path, data_type, name, target, **options):
    cfg = write_config([{"data_type": data_type, "name": name, "filepath": str(target), **options}])
    return load_config(cfg).get_data(name)


def _assert_same_ragged(a, b, exact=True):
    fa, fb = a.to_flat(), b.to_flat()
    np.testing.assert_array_equal(fa.times, fb.times)
    if fa.offsets is not None:
        np.testing.assert_array_equal(fa.offsets, fb.offsets)
    if exact:
        np.testing.assert_array_equal(fa.coords, fb.coords)
    else:
        np.testing.assert_allclose(fa.coords, fb.coords, atol=0.051)


def _random_lines(rng, n_frames=20, per_frame=3):
    data = LineData()
    for t in range(0, n_frames * 2, 2):
        for _ in range(per_frame):
            data.add(t, rng.uniform(0, 640, size=(int(rng.integers(2, 30)), 2)).astype(np.float32))
    return data


def test_points_csv_roundtrip_exact(tmp_path, write_config):
    rng = np.random.default_rng(0)
    times = np.repeat(np.arange(50), 2)
    pts = PointData.from_flat(times, rng.uniform(0, 500, (100, 2)).astype(np.float32))
    write_data("points", "csv", pts, tmp_path / "p.csv")
    back = _load_one(write_config, tmp_path, "points", "p", tmp_path / "p.csv")
    _assert_same_ragged(pts, back)


def test_points_csv_custom_delimiter_and_columns(tmp_path, write_config):
    (tmp_path / "p.csv").write_text("x,y,frame\n1.5,2.5,7\n3,4,9\n")
    back = _load_one(
        write_config, tmp_path, "points", "p", tmp_path / "p.csv",
        delimiter=",", frame_column=2, x_column=0, y_column=1,
    )  # fmt: skip
    np.testing.assert_array_equal(back.at(7), [[1.5, 2.5]])
    np.testing.assert_array_equal(back.at(9), [[3, 4]])


def test_dlc_roundtrip(tmp_path):
    parts = {
        "nose": (np.array([0, 1, 3]), np.array([[1, 2], [3, 4], [5, 6]], np.float32)),
        "ear": (np.array([1]), np.array([[7.25, 8.5]], np.float32)),
    }
    write_dlc_csv(tmp_path / "d.csv", parts)
    back = read_dlc_csv(tmp_path / "d.csv", likelihood_threshold=0.5)
    assert list(back) == ["nose", "ear"]
    for name, (t, xy) in parts.items():
        np.testing.assert_array_equal(back[name][0], t)
        np.testing.assert_array_equal(back[name][1], xy)


def test_lines_csv_roundtrip_exact(tmp_path, write_config):
    lines = _random_lines(np.random.default_rng(1))
    write_data("line", "csv", lines, tmp_path / "l.csv")
    assert (tmp_path / "l.csv").read_text().startswith("Frame,X,Y\n")
    back = _load_one(write_config, tmp_path, "line", "w", tmp_path / "l.csv")
    _assert_same_ragged(lines, back)


def test_lines_csv_with_precision_like_whiskertoolbox(tmp_path, write_config):
    lines = _random_lines(np.random.default_rng(2), n_frames=3)
    write_data("line", "csv", lines, tmp_path / "l.csv", precision=1)
    back = _load_one(write_config, tmp_path, "line", "w", tmp_path / "l.csv")
    _assert_same_ragged(lines, back, exact=False)


def test_lines_folder_roundtrip(tmp_path, write_config):
    lines = _random_lines(np.random.default_rng(3), per_frame=1)
    write_data("line", "csv", lines, tmp_path / "frames", multi_file=True)
    names = sorted(p.name for p in (tmp_path / "frames").iterdir())
    assert names[:2] == ["0000000.csv", "0000002.csv"]
    back = _load_one(write_config, tmp_path, "line", "w", tmp_path / "frames")
    _assert_same_ragged(lines, back)


def test_lines_folder_refuses_two_lines_per_frame(tmp_path):
    lines = _random_lines(np.random.default_rng(3), per_frame=2)
    with pytest.raises(ValueError, match="at most one line per frame"):
        write_data("line", "csv", lines, tmp_path / "frames", multi_file=True)


def _random_masks(rng):
    masks = MaskData(image_size=(64, 48))
    for t in (0, 3, 3, 10):
        img = rng.random((48, 64)) > 0.7
        masks.add(t, img)
    return masks


def _same_mask_sets(a, b):
    assert list(a.times_with_data()) == list(b.times_with_data())
    for t in a.times_with_data():
        ra = [set(map(tuple, m.tolist())) for m in a.at(t)]
        rb = [set(map(tuple, m.tolist())) for m in b.at(t)]
        assert ra == rb


def test_mask_rle_csv_roundtrip(tmp_path, write_config):
    masks = _random_masks(np.random.default_rng(4))
    write_data("mask", "csv", masks, tmp_path / "m.csv")
    assert (tmp_path / "m.csv").read_text().startswith("Frame,RLE\n")
    back = _load_one(write_config, tmp_path, "mask", "m", tmp_path / "m.csv")
    _same_mask_sets(masks, back)


def test_mask_image_folder_roundtrip(tmp_path, write_config):
    rng = np.random.default_rng(5)
    masks = MaskData(image_size=(32, 24))
    for t in (1, 4):
        masks.add(t, rng.random((24, 32)) > 0.5)
    write_data("mask", "image", masks, tmp_path / "imgs")
    back = _load_one(write_config, tmp_path, "mask", "m", tmp_path / "imgs", format="image")
    assert tuple(back.image_size) == (32, 24)
    _same_mask_sets(masks, back)
    np.testing.assert_array_equal(back.rasterize(4), masks.rasterize(4))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=200))
def test_rle_encode_decode_is_identity_on_pixel_sets(pixels):
    px = np.asarray(pixels, dtype=np.uint32).reshape(-1, 2)
    back = decode_rle(encode_rle(px))
    assert set(map(tuple, back.tolist())) == set(map(tuple, px.tolist()))
    assert len(back) == len(set(map(tuple, px.tolist())))


@pytest.mark.parametrize("dense", [True, False])
def test_analog_csv_roundtrip(tmp_path, write_config, dense):
    rng = np.random.default_rng(6)
    values = rng.normal(size=300).astype(np.float32)
    times = None if dense else np.cumsum(rng.integers(1, 5, size=300))
    series = AnalogTimeSeries(values, times)
    write_data("analog", "csv", series, tmp_path / "a.csv")
    back = _load_one(
        write_config, tmp_path, "analog", "a", tmp_path / "a.csv", single_column_format=dense
    )
    assert back.is_dense == dense
    np.testing.assert_array_equal(back.values, values)
    np.testing.assert_array_equal(back.times, series.times)


@pytest.mark.parametrize("dtype", ["int8", "int16", "uint16", "float32", "float64"])
def test_analog_binary_multichannel_memmapped(tmp_path, write_config, dtype):
    raw = (np.arange(3 * 100).reshape(100, 3) % 100).astype(dtype)
    header = b"HDR!" * 4
    (tmp_path / "a.bin").write_bytes(header + raw.tobytes())
    cfg = write_config(
        [{"data_type": "analog", "name": "ephys", "filepath": str(tmp_path / "a.bin"),
          "format": "binary", "binary_data_type": dtype, "header_size": len(header),
          "num_channels": 3, "scale_factor": 0.5, "offset_value": 1.0,
          "use_memory_mapped": True}]
    )  # fmt: skip
    dm = load_config(cfg)
    assert dm.keys() == ["ephys_0", "ephys_1", "ephys_2"]
    ch1 = dm.get_data("ephys_1")
    assert not ch1.is_materialized  # memory-mapped, not read at load time
    np.testing.assert_allclose(ch1.values, raw[:, 1].astype(np.float64) * 0.5 + 1.0)


def test_analog_binary_single_channel_keeps_name(tmp_path, write_config):
    np.arange(10, dtype=np.int16).tofile(tmp_path / "a.bin")
    series = _load_one(write_config, tmp_path, "analog", "v", tmp_path / "a.bin", format="binary")
    np.testing.assert_array_equal(series.values, np.arange(10))


def test_events_csv_roundtrip(tmp_path, write_config):
    events = DigitalEventSeries([5, 1, 99, 1000])
    write_data("digital_event", "csv", events, tmp_path / "e.csv")
    back = _load_one(write_config, tmp_path, "digital_event", "e", tmp_path / "e.csv")
    np.testing.assert_array_equal(back.times, [1, 5, 99, 1000])


def test_events_label_column_splits_keys(tmp_path, write_config):
    (tmp_path / "e.csv").write_text("time,unit\n0.5,a\n0.25,b\n1.0,a\n")
    cfg = write_config(
        [{"data_type": "digital_event", "name": "spikes", "filepath": str(tmp_path / "e.csv"),
          "identifier_column": 1, "scale": 100}]
    )  # fmt: skip
    dm = load_config(cfg)
    # WhiskerToolbox numbers the keys by the identifiers' lexicographic order: a -> 0, b -> 1
    assert dm.keys() == ["spikes_0", "spikes_1"]
    np.testing.assert_array_equal(dm.get_data("spikes_0").times, [50, 100])
    np.testing.assert_array_equal(dm.get_data("spikes_1").times, [25])


def test_intervals_csv_roundtrip(tmp_path, write_config):
    series = DigitalIntervalSeries([[0, 4], [10, 20], [30, 30]])
    write_data("digital_interval", "csv", series, tmp_path / "i.csv")
    back = _load_one(write_config, tmp_path, "digital_interval", "i", tmp_path / "i.csv")
    np.testing.assert_array_equal(back.intervals, series.intervals)


def test_intervals_csv_space_separated(tmp_path, write_config):
    """No comma anywhere and two blank-separated numbers per row: read as blank-delimited."""
    (tmp_path / "i.txt").write_text("1 3\n5 9\n")
    back = _load_one(
        write_config, tmp_path, "digital_interval", "i", tmp_path / "i.txt", skip_header=False
    )
    np.testing.assert_array_equal(back.intervals, [[1, 3], [5, 9]])


def test_tensor_npy_with_row_labels(tmp_path, write_config):
    values = np.arange(12, dtype=np.float32).reshape(4, 3)
    write_data("tensor", "npy", TensorData(values), tmp_path / "t.npy")
    (tmp_path / "rows.txt").write_text("10\n20\n30\n40\n")
    back = _load_one(
        write_config, tmp_path, "tensor", "t", tmp_path / "t.npy",
        row_labels="rows.txt", column_names=["a", "b", "c"],
    )  # fmt: skip
    np.testing.assert_array_equal(back.values, values)
    assert back.row_type == "time"
    np.testing.assert_array_equal(back.rows, [10, 20, 30, 40])
    assert back.column_names == ["a", "b", "c"]


def test_ttl_clock_rising_edges(tmp_path, write_config):
    samples = np.zeros(100, dtype=np.uint16)
    for start in (10, 40, 70):
        samples[start : start + 5] |= 1 << 2  # bit 2 high for 5 samples
    samples[50:60] |= 1  # other bit: ignored
    samples.tofile(tmp_path / "ttl.bin")
    doc = {
        "clocks": [{"name": "camera", "format": "uint16", "filepath": str(tmp_path / "ttl.bin"),
                    "channel": 2, "transition": "rising", "sampling_rate": 30000}],
        "data": [],
    }  # fmt: skip
    dm = load_config(write_config(doc))
    camera = dm.get_time("camera")
    np.testing.assert_array_equal(camera.times, [10, 40, 70])
    assert camera.sampling_rate == 30000


def test_frame_count_clock(write_config):
    dm = load_config(write_config({"clocks": [{"name": "time", "format": "count", "count": 7}]}))
    np.testing.assert_array_equal(dm.get_time("time").times, np.arange(7))


def test_ttl_intervals_and_events(tmp_path, write_config):
    samples = np.zeros(60, dtype=np.uint16)
    samples[5:10] |= 1 << 3
    samples[30:45] |= 1 << 3
    (tmp_path / "ttl.bin").write_bytes(b"\x00" * 6 + samples.tobytes())
    common = {"filepath": str(tmp_path / "ttl.bin"), "format": "uint16", "channel": 3,
              "header_size": 6, "transition": "rising"}  # fmt: skip
    dm = load_config(
        write_config(
            [
                {"data_type": "digital_interval", "name": "laser", **common},
                {"data_type": "digital_event", "name": "onsets", **common},
                {
                    "data_type": "digital_event",
                    "name": "offsets",
                    **common,
                    "transition": "falling",
                },
            ]
        )
    )
    # WhiskerToolbox's TTL convention: the end is the first low sample after the pulse
    np.testing.assert_array_equal(dm.get_data("laser").intervals, [[5, 10], [30, 45]])
    np.testing.assert_array_equal(dm.get_data("onsets").times, [5, 30])
    np.testing.assert_array_equal(dm.get_data("offsets").times, [10, 45])


def test_mask_images_prefix_threshold_and_invert(tmp_path, write_config):
    import imageio.v3 as iio

    folder = tmp_path / "masks"
    folder.mkdir()
    image = np.zeros((4, 5), np.uint8)
    image[1, 2] = 200  # above the default threshold 128
    image[2, 3] = 100  # below it
    iio.imwrite(folder / "whisker_0012.png", image)
    item = {"data_type": "mask", "name": "m", "format": "image", "filepath": str(folder)}
    dm = load_config(write_config([{**item, "filename_prefix": "whisker_"}]))
    np.testing.assert_array_equal(dm.get_data("m").at(12)[0], [[2, 1]])
    item["filename_prefix"] = "whisker_"
    dm = load_config(write_config([{**item, "threshold_value": 50}]))
    assert len(dm.get_data("m").at(12)[0]) == 2
    dm = load_config(write_config([{**item, "invert_mask": True}]))
    assert len(dm.get_data("m").at(12)[0]) == 4 * 5 - 1


def test_mask_images_writer_prefix_and_padding(tmp_path):
    masks = MaskData(image_size=(8, 6))
    masks.add(3, np.array([[1, 2]], np.uint32))
    write_data(
        "mask", "image", masks, tmp_path / "out", filename_prefix="m_", frame_number_padding=6
    )
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["m_000003.png"]


@pytest.mark.parametrize(
    ("row_type", "rows"),
    [("time", [5, 9, 2]), ("interval", [[0, 3], [4, 4], [-2, 7]]), ("ordinal", None)],
)
def test_tensor_npy_writes_row_labels_to_the_sidecar(tmp_path, write_config, row_type, rows):
    """WhiskerToolbox reads row labels from ``<stem>_rows.npy`` (wt_loaders.md §10.1)."""
    (tmp_path / "t_rows.npy").write_bytes(b"stale")  # an earlier save's sidecar is replaced
    values = np.array([[1e-45, np.nan], [3.4e38, -0.0], [1, 2]], np.float32)
    rows = None if rows is None else np.asarray(rows, np.int64)
    write_data(
        "tensor", "npy", TensorData(values, row_type=row_type, rows=rows), tmp_path / "t.npy"
    )
    assert np.load(tmp_path / "t.npy").dtype == np.float32
    back = _load_one(write_config, tmp_path, "tensor", "t", tmp_path / "t.npy", format="numpy")
    np.testing.assert_array_equal(back.values.view(np.uint32), values.view(np.uint32))
    assert back.row_type == row_type
    if rows is None:
        assert back.rows is None
    else:
        np.testing.assert_array_equal(back.rows, rows)


@pytest.mark.parametrize(
    ("times", "xy", "match"),
    [
        ([3, -2], [[1, 2], [3, 4]], "negative frames .first: frame -2"),
        ([0], [[np.nan, 1]], "NaN coordinate .first at frame 0.: nan_handling 'Skip'"),
    ],
)
def test_points_csv_refuses_rows_the_loader_would_skip(tmp_path, times, xy, match):
    """A negative frame is not all digits, a NaN row is skipped under ``Skip`` (§4.1)."""
    from napari_whiskertoolbox.io.points import write_points_csv

    with pytest.raises(ValueError, match=match):
        write_points_csv(tmp_path / "p.csv", np.asarray(times), np.asarray(xy, np.float32))
    assert not (tmp_path / "p.csv").exists()


def test_intervals_csv_honours_flip_column_order(tmp_path, write_config):
    """A config item reading ``end,start`` (§9.1) gets its file written that way."""
    series = DigitalIntervalSeries([[1, 2], [5, 9]])
    write_data("digital_interval", "csv", series, tmp_path / "i.csv", flip_column_order=True)
    assert (tmp_path / "i.csv").read_text() == "End,Start\n2,1\n9,5\n"
    back = _load_one(
        write_config, tmp_path, "digital_interval", "i", tmp_path / "i.csv",
        format="csv", flip_column_order=True,
    )  # fmt: skip
    np.testing.assert_array_equal(back.intervals, series.intervals)


def _same_flat(a, b):
    fa, fb = a.to_flat(), b.to_flat()
    np.testing.assert_array_equal(fa.times, fb.times)
    np.testing.assert_array_equal(fa.coords, fb.coords)


_POINTS = PointData.from_flat(np.array([0, 4]), np.array([[1.5, 2], [3, 4.25]], np.float32))
_LINE = LineData.from_flat(
    np.array([0]), np.array([[1.5, 2], [3, 4.25]], np.float32), offsets=[0, 2]
)
_MASK = MaskData.from_flat(np.array([2]), np.array([[1, 1], [2, 1], [5, 6]]), offsets=[0, 3])
_SPARSE = AnalogTimeSeries(np.array([0.5, -1.25, 3], np.float32), np.array([2, 5, 9]))


@pytest.mark.parametrize(
    ("data_type", "obj", "options"),
    [
        ("points", _POINTS, {"frame_column": 2, "x_column": 0, "y_column": 1}),
        ("points", _POINTS, {"column_delim": "\t"}),
        ("line", _LINE, {"delimiter": ";"}),
        ("line", _LINE, {"coordinate_delimiter": ";"}),
        ("line", _LINE, {"coordinate_delimiter": ";", "precision": 2}),
        ("mask", _MASK, {"delimiter": ";"}),
        ("mask", _MASK, {"rle_delimiter": ";"}),
        ("analog", _SPARSE, {"single_column_format": False, "delimiter": ";"}),
        ("analog", _SPARSE, {"single_column_format": False, "time_column": 1, "data_column": 0}),
    ],
)
def test_a_file_written_with_a_config_items_options_reads_back_with_them(
    tmp_path, write_config, data_type, obj, options
):
    """Saving into a config's file passes the item's loader options to the writer (§5.1,
    §6.1, §7.2, §4.1): the file must read back identically with those options."""
    write_data(data_type, "csv", obj, tmp_path / "f.csv", **options)
    back = _load_one(
        write_config, tmp_path, data_type, "k", tmp_path / "f.csv", format="csv", **options
    )
    if data_type == "analog":
        np.testing.assert_array_equal(back.values, obj.values)
        np.testing.assert_array_equal(back.times, obj.times)
    else:
        _same_flat(obj, back)


@pytest.mark.parametrize("options", [{"event_column": 1}, {"scale": 1000.0}])
def test_events_csv_refuses_options_it_cannot_write(tmp_path, options):
    with pytest.raises(ValueError, match="expected event_column 0 and scale 1"):
        write_data(
            "digital_event", "csv", DigitalEventSeries([3, 7]), tmp_path / "e.csv", **options
        )
    assert not (tmp_path / "e.csv").exists()


def test_mask_images_refuse_what_the_folder_cannot_give_back(tmp_path):
    masks = MaskData(image_size=(8, 6))
    masks.add(2, np.array([[1, 1]]))
    masks.add(2, np.array([[3, 3]]))
    with pytest.raises(ValueError, match="2 masks at frame 2"):
        write_data("mask", "image", masks, tmp_path / "imgs")
    outside = MaskData.from_flat(
        np.array([1]), np.array([[8, 0]]), offsets=[0, 1], image_size=(8, 6)
    )
    with pytest.raises(ValueError, match=r"pixel \(8, 0\)"):
        write_data("mask", "image", outside, tmp_path / "imgs")
    assert not (tmp_path / "imgs").exists()


@pytest.mark.parametrize("kind", ["mask", "line"])
def test_a_folder_save_refuses_a_stale_frame_file(tmp_path, write_config, kind):
    """A frame deleted since the last save into the folder would be read back there."""
    if kind == "mask":
        data = MaskData.from_flat(
            np.array([1, 4]), np.array([[1, 1], [2, 2]]), offsets=[0, 1, 2], image_size=(8, 6)
        )
        write = lambda obj: write_data("mask", "image", obj, tmp_path / "f")  # noqa: E731
    else:
        data = LineData.from_flat(np.array([1, 4]), np.ones((2, 2), np.float32), offsets=[0, 1, 2])
        write = lambda obj: write_data("line", "csv", obj, tmp_path / "f", multi_file=True)  # noqa: E731
    write(data)
    write(data)  # the same frames again: fine
    data.clear_at(4)
    with pytest.raises(ValueError, match="for frame 4"):
        write(data)
