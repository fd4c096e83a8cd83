"""V1 ``Whisker Tracing``: the Janelia tracker (whisk-janelia) on a real video, its steps."""

from __future__ import annotations

import json
import sys
import threading
from typing import TYPE_CHECKING

import numpy as np
import pytest
from _transforms_support import masks_of

from _video_files import write_frames
from _whisker_frames import Whisker, draw, tracker_folder, whisker
from napari_whiskertoolbox.core import DataManager, LineData, MaskData
from napari_whiskertoolbox.core.media import ArrayMedia
from napari_whiskertoolbox.io import load_config
from napari_whiskertoolbox.io.optional import MissingDependencyError
from napari_whiskertoolbox.media import VideoMedia
from napari_whiskertoolbox.transforms import (
    TransformCancelled,
    TransformContext,
    TransformError,
    apply_transform,
    describe,
    names,
    run_transform,
    run_v1_transformations,
)
from napari_whiskertoolbox.transforms.v1_whisker_tracing import (
    clip_tip,
    frame_mask,
    gray8,
    postprocess,
    remove_duplicates,
)
from napari_whiskertoolbox.transforms.whisk_pool import TracerPool, usable_cpus

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

NAME = "Whisker Tracing"
H, W, N_FRAMES = 240, 320, 6
SEQUENTIAL = {"use_parallel_processing": False}


def _scene(i: int) -> list[Whisker]:
    """Two long whiskers and a 25 px one (traced ~9 px longer at each end, < 50 px); the long ones move a little from frame to frame.

    Janelia's tracer seeds on a 50 px grid: the short one crosses x = 100 and y = 200.
    """
    return [
        whisker((40.0, 50.0 + 2 * i), 5.0 + 2 * i, 200.0, 0.2),
        whisker((40.0, 170.0), -8.0 - i, 220.0, 0.25),
        whisker((88.0, 195.0), 15.0, 25.0, 0.1),
    ]


# ---------------------------------------------------------------------- without the tracker
def test_listed_with_wt_parameters_and_defaults() -> None:
    assert NAME in names("v1")
    d = describe(NAME)
    assert d["input_kinds"] == [["video", "images"]]
    assert d["output_kind"] == "line"
    defaults = {p["name"]: p.get("default") for p in d["parameters"]}
    assert defaults == {
        "use_processed_data": True,
        "clip_length": 0,
        "whisker_length_threshold": 50.0,
        "batch_size": 100,
        "use_parallel_processing": True,
        "use_mask_data": False,
        "mask_data": "",
    }


def test_without_whisk_the_error_names_the_extra(monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "whisk", None)  # import machinery: "not installed"
    media = ArrayMedia(np.full((1, 32, 32), 200, np.uint8))
    extra = r"pip install 'napari-whiskertoolbox\[tracing\]'"
    with pytest.raises(TransformError, match=extra) as caught:
        apply_transform(NAME, media, SEQUENTIAL)
    assert isinstance(caught.value.__cause__, MissingDependencyError)
    dm = DataManager()
    dm.set_data("media", media)
    block = {"steps": [{"step_id": "t", "transform_name": NAME, "input_key": "media"}]}
    with pytest.raises(TransformError, match=extra):  # a failed step: configs load on
        run_v1_transformations(dm, block)
    assert dm.keys() == ["media"]


def test_use_mask_data_without_a_key_is_an_error() -> None:
    media = ArrayMedia(np.full((1, 32, 32), 200, np.uint8))
    with pytest.raises(TransformError, match="mask_data"):
        apply_transform(NAME, media, {"use_mask_data": True})


@pytest.mark.parametrize(
    ("parameter", "value"), [("whisker_length_threshold", -1.0), ("clip_length", -3)]
)
def test_negative_length_threshold_or_clip_is_refused(parameter: str, value: float) -> None:
    """A negative length threshold kept every fragment and a negative clip length was a
    silent no-op; the step, the parameter and ">= 0" are named instead, before any
    tracing (from Python and from a config block)."""
    media = ArrayMedia(np.full((1, 32, 32), 200, np.uint8))
    expected = rf"{NAME}: parameter '{parameter}'.*>= 0"
    with pytest.raises(TransformError, match=expected):
        apply_transform(NAME, media, {**SEQUENTIAL, parameter: value})
    dm = DataManager()
    dm.set_data("media", media)
    block = {"steps": [{"step_id": "trace", "transform_name": NAME, "input_key": "media",
                        "output_key": "traced", "parameters": {parameter: value}}]}  # fmt: skip
    with pytest.raises(TransformError, match=rf"'trace'.*{parameter}.*>= 0"):
        run_v1_transformations(dm, block)
    assert dm.keys() == ["media"]


def test_duplicates_keep_the_longer_line() -> None:
    long = np.column_stack([np.arange(0, 60.0), np.full(60, 10.0)]).astype(np.float32)
    part = long[10:30] + np.float32(0.3)  # same pixels once rounded
    other = np.column_stack([np.arange(0, 60.0), np.full(60, 40.0)]).astype(np.float32)
    kept = remove_duplicates([part, long, other])
    assert [len(w) for w in kept] == [60, 60]
    np.testing.assert_array_equal(kept[0], long)


def test_postprocess_orients_orders_filters_and_clips() -> None:
    tip_first = np.column_stack([np.linspace(200, 20, 40), np.full(40, 30.0)]).astype(np.float32)
    lower = np.column_stack([np.linspace(30, 230, 40), np.full(40, 90.0)]).astype(np.float32)
    short = np.column_stack([np.linspace(30, 60, 10), np.full(10, 150.0)]).astype(np.float32)
    out = postprocess([tip_first, lower, short], 50.0, 3)
    assert len(out) == 2  # the 30 px line is below the threshold
    np.testing.assert_array_equal(out[0], lower[:-3])  # larger base y first, 3 tip points off
    np.testing.assert_array_equal(out[1], tip_first[::-1][:-3])  # base (nearer (0, 0)) first
    mask = np.zeros((200, 300), bool)
    mask[25:35, 15:25] = True  # around the upper line's base (20, 30)
    kept = postprocess([tip_first, lower], 50.0, 0, mask)
    assert len(kept) == 1
    np.testing.assert_array_equal(kept[0], tip_first[::-1])
    assert clip_tip(lower, 40) is lower  # not longer than clip_length: unchanged


def test_frame_mask_scales_masks_of_another_size() -> None:
    masks = masks_of({3: [[[0, 0], [4, 2]]]}, size=(5, 3))
    small = frame_mask(masks, 3, 5, 3)
    assert small.sum() == 2
    assert small[2, 4]
    assert small[0, 0]
    big = frame_mask(masks, 3, 9, 5)  # ratio (5-1)/(9-1): source = round(x / 2), halves up
    assert big.shape == (5, 9)
    assert big.sum() == 5  # (0, 0) and x 7-8 (3.5 → 4) × y 3-4 (1.5 → 2)
    assert big[0, 0]
    assert big[3:, 7:].all()
    assert not big[0, 1]
    assert not frame_mask(masks, 0, 5, 3).any()


def test_gray8_of_colour_and_16_bit_frames() -> None:
    rgb = np.zeros((2, 2, 3), np.uint8)
    rgb[0, 0] = (255, 0, 0)
    assert gray8(rgb)[0, 0] == 76  # 0.299 * 255
    g16 = np.array([[0, 65535]], np.uint16)
    assert gray8(g16).tolist() == [[0, 255]]


# ---------------------------------------------------------------------- with the tracker
# (slow: the module's first worker computes libwhisk's detector banks, ~15 s)
@pytest.fixture(scope="module")
def tracker_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The tracker's working folder, its detector banks computed once for this module."""
    yield from tracker_folder(tmp_path_factory)


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lossless gray video (FFV1) of the synthetic scenes, written with PyAV."""
    frames = [draw(H, W, _scene(i), seed=i) for i in range(N_FRAMES)]
    path = tmp_path_factory.mktemp("video") / "whiskers.mkv"
    return write_frames(path, frames, "ffv1", "gray", "gray")


def _near(lines: list[np.ndarray], drawn: Whisker) -> list[np.ndarray]:
    return [w for w in lines if np.median(drawn.distances(w)) < 2.0]


def _check_traced(out: LineData, drawn_of_frame: dict[int, list[Whisker]]) -> None:
    assert out.times_with_data().tolist() == sorted(drawn_of_frame)
    for t, drawn in drawn_of_frame.items():
        lines = out.at(t)
        assert len(lines) == len(drawn), (t, [len(w) for w in lines])
        for w, d in zip(lines, drawn):  # ordered by base y, largest first
            assert np.median(d.distances(w)) < 2.0, t
            assert np.hypot(*(w[0] - d.base)) < 15.0, (t, w[0], d.base)  # base first
            assert len(w) > 10


@pytest.mark.slow
def test_traces_the_drawn_whiskers_of_a_video(tracker_dir, video) -> None:
    with VideoMedia(video) as media:
        progress: list[float] = []
        ctx = TransformContext(progress=progress.append)
        out = apply_transform(NAME, media, SEQUENTIAL, context=ctx)
    assert out.image_size == (W, H)
    # the 25 px whisker is below the default threshold (50 px); base y 170 before 50 + 2i
    _check_traced(out, {i: _scene(i)[1::-1] for i in range(N_FRAMES)})
    assert progress[0] == 0.0
    assert progress[-1] == 1.0
    assert progress == sorted(progress)


@pytest.mark.slow
def test_length_threshold_and_clip_length(tracker_dir, video) -> None:
    with VideoMedia(video) as media:
        low = apply_transform(NAME, media, {**SEQUENTIAL, "whisker_length_threshold": 20})
        clipped = apply_transform(NAME, media, {**SEQUENTIAL, "clip_length": 5})
        plain = apply_transform(NAME, media, SEQUENTIAL)
    for t in range(N_FRAMES):
        short = _scene(t)[2]
        assert len(_near(low.at(t), short)) == 1, t  # the 25 px whisker is kept at 20 px
        assert not _near(plain.at(t), short)
        for w, c in zip(plain.at(t), clipped.at(t)):
            np.testing.assert_array_equal(c, w[:-5])


@pytest.mark.slow
def test_mask_keeps_whiskers_whose_base_is_in_it(tracker_dir, video) -> None:
    yy, xx = np.mgrid[0:H, 0:W]
    disk = np.column_stack([xx.ravel(), yy.ravel()])[np.hypot(xx - 40, yy - 170).ravel() < 20]
    masks = MaskData(image_size=(W, H))
    for t in range(N_FRAMES - 1):  # the last frame has no mask: no whisker is kept
        masks.add(t, disk)
    dm = DataManager()
    dm.set_data("media", VideoMedia(video))
    dm.set_data("pad", masks)
    run_transform(
        dm, NAME, "media", "traced", {**SEQUENTIAL, "use_mask_data": True, "mask_data": "pad"}
    )
    _check_traced(dm.get_data("traced"), {i: [_scene(i)[1]] for i in range(N_FRAMES - 1)})
    dm.get_data("media").close()


@pytest.mark.slow
def test_parallel_workers_give_the_sequential_result(tracker_dir, video) -> None:
    with VideoMedia(video) as media:
        one = apply_transform(NAME, media, SEQUENTIAL)
        ctx = TransformContext(log=lambda m: None)
        many = apply_transform(NAME, media, {"batch_size": 4}, context=ctx)
    assert f"{usable_cpus()} worker(s)" in ctx.messages[-1]
    np.testing.assert_array_equal(many.times_with_data(), one.times_with_data())
    for t in range(N_FRAMES):
        for a, b in zip(many.at(t), one.at(t)):
            np.testing.assert_array_equal(a, b)


@pytest.mark.slow
def test_cancel_stops_the_workers_within_a_batch(tracker_dir) -> None:
    frames = np.broadcast_to(draw(H, W, _scene(0), seed=0), (800, H, W))  # a batch of seconds
    cancel = threading.Event()
    progress: list[float] = []

    def report(fraction: float) -> None:
        if not progress:
            threading.Timer(0.5, cancel.set).start()
        progress.append(fraction)

    ctx = TransformContext(progress=report, cancel=cancel)
    with pytest.raises(TransformCancelled):
        apply_transform(NAME, ArrayMedia(frames), {"batch_size": 800}, context=ctx)
    assert progress == [0.0]  # stopped inside the one batch


@pytest.mark.slow
def test_runs_from_a_config_transformations_block(tracker_dir, video, tmp_path) -> None:
    doc = [
        {"data_type": "video", "name": "media", "filepath": str(video)},
        {"transformations": {"steps": [{
            "step_id": "trace", "transform_name": NAME, "input_key": "media",
            "output_key": "whiskers",
            "parameters": {"whisker_length_threshold": 50, "clip_length": 0,
                           "use_parallel_processing": False, "batch_size": 10,
                           "use_processed_data": True, "use_mask_data": False},
        }]}},
    ]  # fmt: skip
    path = tmp_path / "config.json"
    path.write_text(json.dumps(doc))
    dm = load_config(path)
    assert dm.time_key("whiskers") == dm.time_key("media")
    _check_traced(dm.get_data("whiskers"), {i: _scene(i)[1::-1] for i in range(N_FRAMES)})
    dm.get_data("media").close()


def test_tracing_extra_is_declared_and_in_testing() -> None:
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    extras = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]
    assert any(req.startswith("whisk-janelia") for req in extras["tracing"])
    assert "napari-whiskertoolbox[tracing]" in extras["testing"]


@pytest.mark.slow
def test_a_cancel_while_the_banks_are_computed_leaves_no_partial_bank(tracker_dir, tmp_path):
    folder = tmp_path / "fresh"
    folder.mkdir()
    cancel = threading.Event()
    threading.Timer(2.0, cancel.set).start()  # computing the banks takes ~15 s
    with (
        pytest.raises(TransformCancelled),
        TracerPool(1, folder, TransformContext(cancel=cancel), NAME),
    ):
        pass
    assert not list(folder.glob("*.detectorbank"))
    assert not [p for p in folder.iterdir() if p.is_dir()]  # the staging folder is gone
