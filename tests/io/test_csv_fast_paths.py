"""The pyarrow readers and writers of lines, points and mask CSVs (``io.csv_arrow``).

They must give what the line-by-line readers give — the same arrays to the last float32
bit on good files, the same error (file, line) and the same skipped-row notes on bad ones —
and the writers must write text that reads back to the same float32 values.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from napari_whiskertoolbox.io import FormatError, csv_arrow
from napari_whiskertoolbox.io.dlc import read_dlc
from napari_whiskertoolbox.io.lines import read_lines_csv, write_lines_csv
from napari_whiskertoolbox.io.masks import decode_rle, encode_rle, read_masks_csv, write_masks_csv
from napari_whiskertoolbox.io.points import read_points_csv, write_points_csv
from napari_whiskertoolbox.io.report import RowSkips

float32s = st.floats(width=32, allow_nan=False, allow_infinity=False)
SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def outcome(reader, path, fast: bool, **options):
    """What ``reader`` gives with the pyarrow path on or off: arrays, or the error text."""
    previous = csv_arrow.ENABLED
    csv_arrow.ENABLED = fast
    skips = RowSkips()
    try:
        result = reader(path, skips=skips, **options)
    except FormatError as exc:
        return ("error", str(exc))
    finally:
        csv_arrow.ENABLED = previous
    arrays = tuple(np.ascontiguousarray(a) for a in result)
    return ("ok", [(a.dtype.str, a.shape, a.tobytes()) for a in arrays], skips.notes("x", path))


def test_fast_paths_are_taken_on_clean_files(tmp_path, monkeypatch):
    """A guard: the equality tests below compare two different code paths."""
    calls = []
    for name in ("read_lines_fast", "read_points_fast", "read_masks_fast"):
        original = getattr(csv_arrow, name)

        def spy(*args, _original=original, _name=name, **kwargs):
            result = _original(*args, **kwargs)
            calls.append((_name, result is not None))
            return result

        monkeypatch.setattr(f"napari_whiskertoolbox.io.{name.split('_')[1]}.{name}", spy)
    write_lines_csv(tmp_path / "l.csv", [0, 2], [0, 2, 3], np.ones((3, 2), np.float32))
    write_points_csv(tmp_path / "p.csv", [0, 1], np.ones((2, 2), np.float32))
    write_masks_csv(tmp_path / "m.csv", [3], [0, 2], np.array([[1, 1], [2, 1]], np.uint32))
    read_lines_csv(tmp_path / "l.csv")
    read_points_csv(tmp_path / "p.csv")
    read_masks_csv(tmp_path / "m.csv")
    assert sorted(calls) == [
        ("read_lines_fast", True),
        ("read_masks_fast", True),
        ("read_points_fast", True),
    ]


def test_the_deeplabcut_fast_path_is_taken_on_a_clean_file(tmp_path, monkeypatch):
    """A guard: the DeepLabCut seed below compares two different code paths."""
    from napari_whiskertoolbox.io import dlc

    results = []

    def spy(*args):
        results.append(original(*args))
        return results[-1]

    original = dlc._read_data_fast
    monkeypatch.setattr(dlc, "_read_data_fast", spy)
    (tmp_path / "p.csv").write_bytes(SEEDS["dlc"][1].replace(b'"5"', b"5"))
    read_dlc(tmp_path / "p.csv")
    assert len(results) == 1
    assert results[0] is not None


@SETTINGS
@given(
    lines=st.lists(
        st.tuples(st.integers(-5, 10**6), st.lists(st.tuples(float32s, float32s), max_size=6)),
        max_size=12,
    )
)
def test_lines_round_trip_bit_exact(tmp_path, lines):
    times = np.asarray([t for t, _ in lines], dtype=np.int64)
    counts = [len(v) for _, v in lines]
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    coords = np.asarray([p for _, v in lines for p in v], dtype=np.float32).reshape(-1, 2)
    write_lines_csv(tmp_path / "l.csv", times, offsets, coords)
    fast = outcome(read_lines_csv, tmp_path / "l.csv", True)
    assert fast == outcome(read_lines_csv, tmp_path / "l.csv", False)
    t, o, c = read_lines_csv(tmp_path / "l.csv")
    np.testing.assert_array_equal(t, times)
    np.testing.assert_array_equal(o, offsets)
    assert c.view(np.uint32).tolist() == coords.view(np.uint32).tolist()


@SETTINGS
@given(points=st.lists(st.tuples(st.integers(0, 10**9), float32s, float32s), max_size=20))
def test_points_round_trip_bit_exact(tmp_path, points):
    times = np.asarray([p[0] for p in points], dtype=np.int64)
    coords = np.asarray([p[1:] for p in points], dtype=np.float32).reshape(-1, 2)
    write_points_csv(tmp_path / "p.csv", times, coords)
    assert outcome(read_points_csv, tmp_path / "p.csv", True) == outcome(
        read_points_csv, tmp_path / "p.csv", False
    )
    t, c = read_points_csv(tmp_path / "p.csv")
    np.testing.assert_array_equal(t, times)
    assert c.view(np.uint32).tolist() == coords.view(np.uint32).tolist()


@SETTINGS
@given(
    masks=st.lists(
        st.tuples(
            st.integers(0, 1000),
            st.lists(st.tuples(st.integers(0, 300), st.integers(0, 200)), max_size=30),
        ),
        max_size=10,
    )
)
def test_masks_round_trip(tmp_path, masks):
    times = np.asarray([t for t, _ in masks], dtype=np.int64)
    parts = [np.asarray(px, dtype=np.uint32).reshape(-1, 2) for _, px in masks]
    offsets = np.concatenate([[0], np.cumsum([len(p) for p in parts])]).astype(np.int64)
    pixels = np.concatenate(parts) if parts else np.empty((0, 2), np.uint32)
    write_masks_csv(tmp_path / "m.csv", times, offsets, pixels)
    assert outcome(read_masks_csv, tmp_path / "m.csv", True) == outcome(
        read_masks_csv, tmp_path / "m.csv", False
    )
    t, o, px = read_masks_csv(tmp_path / "m.csv")
    np.testing.assert_array_equal(t, times)
    for k, part in enumerate(parts):
        expected = {tuple(p) for p in part.tolist()}
        assert {tuple(p) for p in px[o[k] : o[k + 1]].tolist()} == expected
        runs = encode_rle(px[o[k] : o[k + 1]])
        np.testing.assert_array_equal(runs, encode_rle(part))


@SETTINGS
@given(
    masks=st.lists(
        st.lists(st.tuples(st.integers(0, 40), st.integers(0, 6)), max_size=40),
        max_size=8,
    ),
    presorted=st.booleans(),
    big=st.sampled_from([0, 2**31 - 8, 2**32 - 41]),
    layout=st.sampled_from(["uint32", "int64", "uint32 columns"]),
)
def test_encode_rle_many_matches_encode_rle(masks, presorted, big, layout):
    """Sorted masks take the one-key path, the rest are sorted: both as ``encode_rle`` each.

    The keys of a C-ordered uint32 array are its memory viewed; other layouts compute them.
    """
    parts = []
    for px in masks:
        part = np.asarray(px, dtype=np.int64).reshape(-1, 2) + big
        if presorted:
            part = np.unique(part[:, ::-1], axis=0)[:, ::-1]
        parts.append(part.astype(np.uint32))
    offsets = np.concatenate([[0], np.cumsum([len(p) for p in parts])]).astype(np.int64)
    pixels = np.concatenate(parts) if parts else np.empty((0, 2), np.uint32)
    if layout == "int64":
        pixels = pixels.astype(np.int64)
    elif layout == "uint32 columns":
        pixels = np.asfortranarray(pixels)
    runs, run_offsets = csv_arrow.encode_rle_many(offsets, pixels)
    assert run_offsets[0] == 0
    assert run_offsets[-1] == len(runs)
    for k, part in enumerate(parts):
        np.testing.assert_array_equal(runs[run_offsets[k] : run_offsets[k + 1]], encode_rle(part))


@SETTINGS
@given(
    runs=st.lists(
        st.tuples(
            st.sampled_from([0, 7, 2**31 - 1, 2**31, 2**32 - 1]),
            st.sampled_from([0, 5, 2**32 - 40, 2**32 - 1]),
            st.integers(1, 45),
        ),
        max_size=6,
    ),
    strided=st.booleans(),
)
def test_decode_rle_pixel_by_pixel(runs, strided):
    """Each run's pixels ``(x_start + i mod 2**32, y)``, whether written as one int64 key per
    pixel (C-ordered uint32 out, no carry from x into y) or column by column."""
    expected = [((x + i) % 2**32, y) for y, x, n in runs for i in range(n)]
    out = np.empty((2, len(expected)), dtype=np.uint32).T if strided else None
    pixels = decode_rle(np.asarray(runs, dtype=np.int64).reshape(-1, 3), out=out)
    assert pixels.dtype == np.uint32
    assert [tuple(p) for p in pixels.tolist()] == expected


def test_writers_text_and_fallbacks(tmp_path):
    """orjson's text (whole numbers without ``.0``), empty lists, NaN, a wide delimiter."""
    coords = np.array([[168, 0.1], [-2.5, 1e-7], [3.4e38, 7]], dtype=np.float32)
    write_lines_csv(tmp_path / "l.csv", [4, 5, 6], [0, 2, 2, 3], coords)
    assert (tmp_path / "l.csv").read_text() == (
        'Frame,X,Y\n4,"168,-2.5","0.1,1e-7"\n5,"",""\n6,"3.4e+38","7"\n'
    )
    write_points_csv(tmp_path / "p.csv", [1, 2], coords[:2], delimiter=",")
    assert (tmp_path / "p.csv").read_text() == "Frame,X,Y\n1,168,0.1\n2,-2.5,1e-7\n"
    write_points_csv(tmp_path / "q.csv", [1], [[0.5, 2]], delimiter=";;")
    assert (tmp_path / "q.csv").read_text() == "Frame;;X;;Y\n1;;0.5;;2\n"
    write_masks_csv(tmp_path / "m.csv", [9, 8], [0, 0, 3], np.array([[2, 5], [3, 5], [0, 6]]))
    assert (tmp_path / "m.csv").read_text() == 'Frame,RLE\n9,""\n8,"5,2,2,6,0,1"\n'
    # a NaN vertex: pyarrow's formatter writes it as WhiskerToolbox does, the reader keeps it
    write_lines_csv(tmp_path / "n.csv", [0, 1], [0, 1, 2], np.array([[np.nan, 1], [2, 3]]))
    assert (tmp_path / "n.csv").read_text() == 'Frame,X,Y\n0,"nan","1"\n1,"2","3"\n'
    skips = RowSkips()
    times, _, back = read_lines_csv(tmp_path / "n.csv", skips=skips)
    assert times.tolist() == [0, 1]
    np.testing.assert_array_equal(back, [[np.nan, 1], [2, 3]])
    assert not skips.notes("x", "n")


def read_dlc_arrays(path, skips):
    """:func:`read_dlc`'s table as arrays (DeepLabCut tables have no skipped rows)."""
    table = read_dlc(path)
    text = np.array([table.scorer, *map("/".join, table.columns), "|", *table.rows], dtype=str)
    missing = np.empty(0)
    return (
        table.xy,
        missing if table.likelihood is None else table.likelihood,
        missing if table.frames is None else table.frames,
        missing if table.row_lines is None else table.row_lines,
        text,
    )


SEEDS = {
    "dlc": (
        read_dlc_arrays,
        b"scorer,DLC,DLC,DLC,DLC,DLC,DLC\nbodyparts,nose,nose,nose,ear,ear,ear\n"
        b"coords,x,y,likelihood,x,y,likelihood\n0,1.5,2,0.9,,,\n1,3e2,-4.25,0.5,7,8,1\n"
        b'2,"5",6,0.125,nan,9,0\n',
    ),
    "lines": (
        read_lines_csv,
        b'Frame,X,Y\n0,"1.5,2,3","4,5.25,6"\n0,"",""\n3,"7","8"\n-2,"1e3,2","3,-4"\n',
    ),
    "points": (read_points_csv, b"Frame X Y\n0 131 222\n1 1.5 -2e3\n5 0 0\n"),
    "masks": (read_masks_csv, b'Frame,RLE\n0,"1,2,3,4,0,2"\n0,""\n7,"10,10,1"\n'),
}


NON_ASCII = "é".encode()
"""Valid UTF-8 beyond ASCII: the readers take it as text (ASCII files come as bytes)."""


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    kind = draw(st.sampled_from(["cut", "flip", "insert"]))
    if kind == "cut":
        return seed[: draw(st.integers(0, len(seed)))]
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[i] = draw(st.sampled_from(b' ,";\r\n\t.-+e0123456789abnx\x00\x0c\xc3\xff'))
        else:
            data[i:i] = draw(
                st.sampled_from([b'"', b",", b" ", b"\r", b"\n", b"nan", b";", b"1,", NON_ASCII])
            )
    return bytes(data)


@pytest.mark.parametrize("name", list(SEEDS))
def test_fast_and_line_by_line_agree_on_damaged_files(tmp_path_factory, name):
    """Same arrays, same error (file, line) and same skipped rows, with or without pyarrow."""
    reader, seed = SEEDS[name]
    folder = tmp_path_factory.mktemp(name)

    deep = int(os.environ.get("WTB_FUZZ_EXAMPLES", "0"))

    @settings(max_examples=deep or 150, deadline=None, derandomize=not deep, database=None)
    @given(content=mutated(seed))
    def run(content: bytes) -> None:
        path = folder / "f.csv"
        path.write_bytes(content)
        assert outcome(reader, path, True) == outcome(reader, path, False)

    run()
