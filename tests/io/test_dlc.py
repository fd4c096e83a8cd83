"""DeepLabCut tables: every layout DeepLabCut writes, the Reaching example, write-back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from _dlc_project import copy_reaching
from napari_whiskertoolbox.io import FormatError, load_config
from napari_whiskertoolbox.io.dlc import read_dlc, write_dlc, write_dlc_pair
from napari_whiskertoolbox.io.dlc_project import dlc_key_prefix
from napari_whiskertoolbox.io.pose import pose_sets
from napari_whiskertoolbox.io.routing import classify_path, open_path

DATA = Path(__file__).resolve().parents[1] / "data" / "deeplabcut" / "reaching"
LABELS = DATA / "labeled-data" / "reachingvideo1"
SHARED = Path("/work/shared/fixtures/deeplabcut/reaching")
BODYPARTS = ["Hand", "Finger1", "Tongue", "Joystick1", "Joystick2"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A writable copy of the Reaching project subset (4 images, both label files)."""
    return copy_reaching(tmp_path)


def _reaching_frame() -> pd.DataFrame:
    return pd.read_hdf(LABELS / "CollectedData_Mackenzie.h5", "df_with_missing")


# ------------------------------------------------------------------- the Reaching example


def test_reaching_csv_and_h5_read_to_the_same_points() -> None:
    csv_table = read_dlc(LABELS / "CollectedData_Mackenzie.csv")
    h5_table = read_dlc(LABELS / "CollectedData_Mackenzie.h5")
    assert csv_table.scorer == h5_table.scorer == "Mackenzie"
    assert csv_table.bodyparts == h5_table.bodyparts == BODYPARTS
    assert csv_table.rows == h5_table.rows
    assert len(csv_table.rows) == 55
    assert csv_table.likelihood is None
    assert csv_table.frames is None
    np.testing.assert_array_equal(csv_table.xy, h5_table.xy)
    frame = _reaching_frame()
    np.testing.assert_array_equal(
        h5_table.xy[:, 0], frame.xs("Hand", axis=1, level="bodyparts").to_numpy()
    )


def test_labeled_data_folder_opens_images_and_labels_on_their_frames() -> None:
    assert classify_path(LABELS) == "deeplabcut"
    opened = open_path(LABELS)
    dm = opened.dm
    media = dm.get_data("media")
    assert media.shape == (4, 747, 832, 3)  # img033/img038 (640 x 470) sit top-left
    assert [p.name for p in media.files] == ["img005.png", "img033.png", "img038.png", "img142.png"]
    assert media.image_sizes == [(747, 832), (470, 640), (470, 640), (747, 832)]
    frame = _reaching_frame()
    for t, image in enumerate(["img005", "img033", "img038", "img142"]):
        row = frame.loc[f"labeled-data/reachingvideo1/{image}.png"]
        for bp in BODYPARTS:
            x, y = row[("Mackenzie", bp, "x")], row[("Mackenzie", bp, "y")]
            points = dm.get_data(f"reachingvideo1_{bp}").at(t)
            if np.isnan(x):
                assert len(points) == 0  # an empty cell is an absent point, never (0, 0)
            else:
                np.testing.assert_array_equal(points, [[np.float32(x), np.float32(y)]])
    pose = pose_sets(dm)["reachingvideo1"]
    assert pose.bodyparts == BODYPARTS
    assert pose.skeleton == [("Hand", "Finger1"), ("Joystick1", "Joystick2")]
    n_points = sum(dm.get_data(k).n_entries for k in pose.all_keys())
    assert dm.groups.count("reachingvideo1") == n_points


@pytest.mark.parametrize("suffix", [".h5", ".csv"])
def test_read_write_read_is_exact_and_equal_to_deeplabcut_files(tmp_path, suffix) -> None:
    dm = open_path(LABELS / f"CollectedData_Mackenzie{suffix}").dm
    pose = pose_sets(dm)["reachingvideo1"]  # named after its video, as when the folder opens
    out = write_dlc(dm, pose, tmp_path / f"CollectedData_Mackenzie{suffix}")
    if suffix == ".h5":
        pd.testing.assert_frame_equal(pd.read_hdf(out, "df_with_missing"), _reaching_frame())
    else:
        assert out.read_bytes() == (LABELS / "CollectedData_Mackenzie.csv").read_bytes()
    again = read_dlc(out)
    np.testing.assert_array_equal(
        again.xy, read_dlc(LABELS / f"CollectedData_Mackenzie{suffix}").xy
    )


def test_write_back_keeps_every_label_of_images_not_shown_or_not_touched(project) -> None:
    folder = project / "labeled-data" / "reachingvideo1"
    original = pd.read_hdf(folder / "CollectedData_Mackenzie.h5")
    dm = open_path(folder).dm
    hand = dm.get_data("reachingvideo1_Hand")
    hand.set_frame(1, [[10.5, 20.25]], hand.ids_at(1))  # img033 re-labelled
    dm.get_data("reachingvideo1_Joystick1").clear_at(2)  # img038: one label removed
    dm.get_data("reachingvideo1_Tongue").set_frame(0, [[5.0, 6.0]])  # img005: one added
    write_dlc(dm, pose_sets(dm)["reachingvideo1"], folder / "CollectedData_Mackenzie.h5")
    written = pd.read_hdf(folder / "CollectedData_Mackenzie.h5", "df_with_missing")
    assert list(written.index) == list(original.index)  # all 55 images, 51 of them not shown
    assert written.columns.equals(original.columns)
    changed = {
        ("labeled-data/reachingvideo1/img033.png", "Hand"): (10.5, 20.25),
        ("labeled-data/reachingvideo1/img038.png", "Joystick1"): (np.nan, np.nan),
        ("labeled-data/reachingvideo1/img005.png", "Tongue"): (5.0, 6.0),
    }
    for image in original.index:
        for bp in BODYPARTS:
            got = written.loc[image, [("Mackenzie", bp, "x"), ("Mackenzie", bp, "y")]].to_numpy()
            want = changed.get(
                (image, bp),
                original.loc[image, [("Mackenzie", bp, "x"), ("Mackenzie", bp, "y")]].to_numpy(),
            )
            np.testing.assert_array_equal(got, np.asarray(want, float), err_msg=f"{image} {bp}")


@pytest.mark.parametrize("saved", ["csv", "h5"])
def test_labelled_data_is_written_as_both_of_deeplabcut_files(project, saved) -> None:
    folder = project / "labeled-data" / "reachingvideo1"
    dm = open_path(folder).dm
    pose = pose_sets(dm)["reachingvideo1"]
    dm.get_data("reachingvideo1_Hand").clear_at(0)  # an edit, so both files must change
    written = write_dlc_pair(dm, pose, folder / f"CollectedData_Mackenzie.{saved}")
    twin = "h5" if saved == "csv" else "csv"
    assert [p.name for p in written] == [f"CollectedData_Mackenzie.{s}" for s in (saved, twin)]
    from_h5 = read_dlc(folder / "CollectedData_Mackenzie.h5")
    from_csv = read_dlc(folder / "CollectedData_Mackenzie.csv")
    np.testing.assert_array_equal(from_h5.xy, from_csv.xy)
    assert np.isnan(from_h5.xy[0, 0]).all()  # Hand gone from the first image in both
    predictions = write_dlc_pair(dm, pose, project / "videoDLC_resnet50_x.csv")
    assert predictions == [project / "videoDLC_resnet50_x.csv"]  # not labelled data: alone


@pytest.mark.parametrize("index_levels", [1, 3])
def test_a_label_on_an_image_the_table_had_no_row_for_is_written_under_its_path(
    project, index_levels
) -> None:
    """An image extracted after labelling (no row yet) gets its own labeled-data path."""
    folder = project / "labeled-data" / "reachingvideo1"
    shutil.copy(folder / "img142.png", folder / "img200.png")  # position 4 after img142
    if index_levels == 3:  # DeepLabCut >= 2.3's three index columns
        frame = pd.read_hdf(folder / "CollectedData_Mackenzie.h5", "df_with_missing")
        frame.index = pd.MultiIndex.from_tuples([tuple(r.split("/")) for r in frame.index])
        frame.to_hdf(folder / "CollectedData_Mackenzie.h5", key="df_with_missing", mode="w")
        frame.to_csv(folder / "CollectedData_Mackenzie.csv")
    dm = open_path(folder).dm
    assert [p.name for p in dm.get_data("media").files][4] == "img200.png"
    dm.get_data("reachingvideo1_Tongue").set_frame(4, [[5.0, 6.0]])
    write_dlc_pair(dm, pose_sets(dm)["reachingvideo1"], folder / "CollectedData_Mackenzie.h5")
    written = pd.read_hdf(folder / "CollectedData_Mackenzie.h5", "df_with_missing")
    from_csv = pd.read_csv(
        folder / "CollectedData_Mackenzie.csv",
        header=[0, 1, 2],
        index_col=list(range(index_levels)),
    )
    row = ("labeled-data", "reachingvideo1", "img200.png")
    label = row if index_levels == 3 else "/".join(row)
    assert len(written) == 56
    for table in (written, from_csv):
        assert table.loc[label, ("Mackenzie", "Tongue", "x")] == 5.0
        assert table.loc[label, ("Mackenzie", "Tongue", "y")] == 6.0
        assert (
            table.loc[label]
            .drop([("Mackenzie", "Tongue", "x"), ("Mackenzie", "Tongue", "y")])
            .isna()
            .all()
        )


def test_a_label_on_a_video_frame_without_a_row_is_named_as_deeplabcut_names_frames(
    project,
) -> None:
    """With ``frame_from: image_name`` a new frame's row is ``img<frame>.png``, zero-padded."""
    table = project / "labeled-data" / "reachingvideo1" / "CollectedData_Mackenzie.h5"
    item = {
        "data_type": "points", "name": "r", "format": "dlc_h5", "filepath": str(table),
        "frame_from": "image_name",
    }  # fmt: skip
    (project / "c.json").write_text(json.dumps([item]))
    dm = load_config(project / "c.json")
    dm.get_data("r_Hand").set_frame(7, [[1.0, 2.0]])  # no img007.png row in the table
    write_dlc(dm, pose_sets(dm)["r"], table)
    written = pd.read_hdf(table, "df_with_missing")
    assert written.loc["labeled-data/reachingvideo1/img007.png", ("Mackenzie", "Hand", "x")] == 1.0
    assert len(written) == 56


def test_a_pair_that_cannot_be_written_whole_is_not_written_at_all(project) -> None:
    """DeepLabCut trains from the .h5 and people read the .csv: never one without the other."""
    folder = project / "labeled-data" / "reachingvideo1"
    dm = open_path(folder).dm
    dm.get_data("reachingvideo1_Hand").clear_at(0)
    h5 = folder / "CollectedData_Mackenzie.h5"
    before = h5.read_bytes()
    csv = folder / "CollectedData_Mackenzie.csv"
    csv.unlink()
    csv.mkdir()  # the .csv cannot be replaced (as on a full disk or a locked file)
    with pytest.raises(IsADirectoryError):
        write_dlc_pair(dm, pose_sets(dm)["reachingvideo1"], h5)
    assert h5.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


def test_project_config_opens_every_labeled_data_folder(project) -> None:
    assert classify_path(project / "config.yaml") == "deeplabcut"
    dm = open_path(project / "config.yaml").dm
    assert len(dm.get_data("media")) == 4
    assert pose_sets(dm)["reachingvideo1"].skeleton == [
        ("Hand", "Finger1"),
        ("Joystick1", "Joystick2"),
    ]


def test_project_root_folder_opens_like_its_config(project) -> None:
    """The folder holding config.yaml, labeled-data/ and videos/ opens (body parts from the config)."""
    (project / "videos").mkdir()
    assert classify_path(project) == "deeplabcut"
    opened = open_path(project)
    dm = opened.dm
    assert len(dm.get_data("media")) == 4
    pose = pose_sets(dm)["reachingvideo1"]
    assert pose.bodyparts == BODYPARTS  # config.yaml's order
    assert pose.skeleton == [("Hand", "Finger1"), ("Joystick1", "Joystick2")]
    assert pose.point_size == 12.0  # config.yaml's dotsize
    assert sorted(opened.keys) == sorted(["media", *(f"reachingvideo1_{bp}" for bp in BODYPARTS)])
    assert classify_path(project / "videos") is None  # a plain folder is not a project


@pytest.mark.parametrize(
    "entry",
    [
        "",  # the project folder
        "config.yaml",
        "labeled-data/reachingvideo1",
        "labeled-data/reachingvideo1/CollectedData_Mackenzie.csv",
        "labeled-data/reachingvideo1/CollectedData_Mackenzie.h5",
    ],
)
def test_every_entry_point_names_keys_after_the_video(project, entry) -> None:
    """One rule: ``<video>_<bodypart>`` keys in a ``<video>`` pose set, whatever was opened."""
    dm = open_path(project / entry).dm
    assert list(pose_sets(dm)) == ["reachingvideo1"]
    assert {k for k in dm if dm.data_type(k) == "points"} == {
        f"reachingvideo1_{bp}" for bp in BODYPARTS
    }


@pytest.mark.parametrize(
    ("encoding", "excel"),
    [("utf-8-sig", False), ("utf-8", True), ("utf-8-sig", True)],
    ids=["bom", "semicolons", "bom-semicolons"],
)
def test_a_labels_csv_resaved_by_excel_is_still_deeplabcut(project, encoding, excel) -> None:
    """Excel's "CSV UTF-8" starts the file with a BOM; a comma-decimal locale writes ``;``."""
    table = project / "labeled-data" / "reachingvideo1" / "CollectedData_Mackenzie.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    if excel:
        lines = [
            line.replace(",", ";").replace(".", ",") if i >= 3 else line.replace(",", ";")
            for i, line in enumerate(lines)
        ]  # the image names' dots become commas too, as Excel leaves them: text cells
        lines = [line.replace(",png", ".png") for line in lines]
    table.write_text("\r\n".join(lines) + "\r\n", encoding=encoding, newline="")
    assert classify_path(table) == "deeplabcut"
    dm = open_path(table).dm
    assert list(pose_sets(dm)) == ["reachingvideo1"]
    expected = read_dlc(LABELS / "CollectedData_Mackenzie.csv")
    hand = dm.get_data("reachingvideo1_Hand").to_flat()
    np.testing.assert_allclose(hand.coords[0], expected.xy[0, 0], rtol=1e-6)


def test_predictions_file_is_named_after_its_video(tmp_path) -> None:
    name = "reachingvideo1DLC_resnet50_ReachingAug30shuffle1_1030000.csv"
    shutil.copy(LABELS / "CollectedData_Mackenzie.csv", tmp_path / name)
    assert dlc_key_prefix(tmp_path / name) == "reachingvideo1"
    assert dlc_key_prefix(tmp_path / "lightning_preds.csv") == "lightning_preds"
    assert "reachingvideo1" in pose_sets(open_path(tmp_path / name).dm)


def test_a_broken_project_config_beside_a_table_says_why_it_was_read(tmp_path) -> None:
    """Was: a YAML error about config.yaml, for a CSV the user opened, without the link."""
    name = "reachingvideo1DLC_resnet50_ReachingAug30shuffle1_1030000.csv"
    shutil.copy(LABELS / "CollectedData_Mackenzie.csv", tmp_path / name)
    (tmp_path / "config.yaml").write_text("bodyparts: [Hand, Finger1\n")
    with pytest.raises(FormatError) as info:
        open_path(tmp_path / name)
    message = str(info.value)
    assert f"file '{tmp_path / 'config.yaml'}'" in message
    assert f"this DeepLabCut project config was read for {name}" in message


@pytest.mark.skipif(
    not SHARED.is_dir(), reason="needs the shared DeepLabCut fixtures (/work/shared/fixtures)"
)
def test_full_reaching_folder_with_mixed_image_sizes() -> None:
    dm = open_path(SHARED / "labeled-data" / "reachingvideo1").dm
    media = dm.get_data("media")
    assert media.shape == (55, 747, 832, 3)
    sizes = media.image_sizes
    assert sizes.count((470, 640)) == 15
    assert sizes.count((747, 832)) == 40
    small = next(p.name for p, s in zip(media.files, sizes) if s == (470, 640))
    t = [p.name for p in media.files].index(small)
    frame = media[t]
    assert not frame[470:].any()
    assert not frame[:, 640:].any()
    assert dm.get_data("reachingvideo1_Joystick1").n_entries == 55


# ------------------------------------------------------------------- other layouts


def _multi_animal_frame(index) -> pd.DataFrame:
    columns = pd.MultiIndex.from_tuples(
        [
            ("me", ind, bp, c)
            for ind, bps in (
                ("mus1", ["nose", "tail"]),
                ("mus2", ["nose", "tail"]),
                ("single", ["port"]),
            )
            for bp in bps
            for c in ("x", "y")
        ],
        names=["scorer", "individuals", "bodyparts", "coords"],
    )
    rng = np.random.default_rng(3)
    values = rng.uniform(0, 100, (len(index), len(columns)))
    values[1, 2:4] = np.nan  # mus1 tail missing on row 1
    return pd.DataFrame(values, index=index, columns=columns)


def _write_ma_config(folder: Path) -> None:
    config = {
        "Task": "mice",
        "scorer": "me",
        "multianimalproject": True,
        "individuals": ["mus1", "mus2"],
        "uniquebodyparts": ["port"],
        "multianimalbodyparts": ["tail", "nose"],
        "bodyparts": "MULTI!",
        "skeleton": [["nose", "tail"]],
    }
    (folder / "config.yaml").write_text(yaml.safe_dump(config))


def test_multi_animal_with_single_and_three_index_columns(tmp_path) -> None:
    folder = tmp_path / "labeled-data" / "vid"
    folder.mkdir(parents=True)
    _write_ma_config(tmp_path)
    index = pd.MultiIndex.from_tuples(
        [("labeled-data", "vid", f"img{i:03d}.png") for i in (4, 9, 12)]
    )
    frame = _multi_animal_frame(index)
    frame.to_csv(folder / "CollectedData_me.csv")
    frame.to_hdf(folder / "CollectedData_me.h5", key="df_with_missing", mode="w")
    assert (
        (folder / "CollectedData_me.csv").read_text().splitlines()[1].startswith("individuals,,,")
    )
    csv_table = read_dlc(folder / "CollectedData_me.csv")
    h5_table = read_dlc(folder / "CollectedData_me.h5")
    assert csv_table.index_levels == h5_table.index_levels == 3
    assert (
        csv_table.rows == h5_table.rows == [f"labeled-data/vid/img{i:03d}.png" for i in (4, 9, 12)]
    )
    np.testing.assert_array_equal(csv_table.xy, h5_table.xy)
    item = {
        "data_type": "points", "name": "mice", "format": "dlc_h5",
        "filepath": str(folder / "CollectedData_me.h5"), "frame_from": "image_name",
    }  # fmt: skip
    (tmp_path / "c.json").write_text(json.dumps([item]))
    dm = load_config(tmp_path / "c.json")
    pose = pose_sets(dm)["mice"]
    assert pose.individuals == ["mus1", "mus2", "single"]
    assert pose.bodyparts == ["tail", "nose", "port"]  # the project's order
    assert pose.skeleton == [("nose", "tail")]
    assert sorted(dm.keys("points")) == sorted(
        ["mice_mus1_nose", "mice_mus1_tail", "mice_mus2_nose", "mice_mus2_tail", "mice_single_port"]
    )
    tail = dm.get_data("mice_mus1_tail")
    np.testing.assert_array_equal(tail.times_with_data(), [4, 12])  # frame from img<frame>.png
    np.testing.assert_array_equal(tail.at(4), [frame.iloc[0, 2:4].to_numpy(np.float32)])
    assert set(dm.groups.names()) == {"mice_mus1", "mice_mus2", "mice_single"}
    assert dm.groups.count("mice_mus1") == 5
    assert dm.metadata["colors"]["mice_mus1_nose"] != dm.metadata["colors"]["mice_mus2_nose"]
    back = pd.read_hdf(write_dlc(dm, pose, tmp_path / "back.h5"))
    assert back.index.nlevels == 3
    assert back.columns.names == frame.columns.names
    pd.testing.assert_frame_equal(back, frame.loc[:, back.columns])  # columns in project order
    back_csv = read_dlc(write_dlc(dm, pose, tmp_path / "back.csv"))
    assert back_csv.rows == csv_table.rows
    assert back_csv.index_levels == 3


def test_predictions_and_lightningpose_with_likelihood_threshold(tmp_path) -> None:
    columns = pd.MultiIndex.from_product(
        [["heatmap_tracker"], ["paw", "nose"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    values = np.array(
        [[1, 2, 0.9, 3, 4, 0.2], [5, 6, 0.95, 7, 8, 0.8], [9, 10, 0.1, np.nan, np.nan, 0.0]]
    )
    frame = pd.DataFrame(values, index=[0, 1, 5], columns=columns)
    frame.to_csv(tmp_path / "lp.csv")  # LightningPose writes DeepLabCut's layout
    assert classify_path(tmp_path / "lp.csv") == "deeplabcut"
    item = {
        "data_type": "points", "name": "lp", "format": "dlc_csv",
        "filepath": "lp.csv", "likelihood_threshold": 0.5,
    }  # fmt: skip
    (tmp_path / "c.json").write_text(json.dumps([item]))
    dm = load_config(tmp_path / "c.json")
    np.testing.assert_array_equal(dm.get_data("lp_paw").times_with_data(), [0, 1])
    np.testing.assert_array_equal(dm.get_data("lp_nose").times_with_data(), [1])
    pose = pose_sets(dm)["lp"]
    assert pose.individuals == [""]
    assert pose.source["index"] == "frame"
    out = write_dlc(dm, pose, tmp_path / "lp_back.h5")
    back = pd.read_hdf(out)
    assert back.columns.equals(columns)
    np.testing.assert_array_equal(back.loc[1].to_numpy(), values[1])  # untouched: as the source
    np.testing.assert_array_equal(back.loc[5].to_numpy(), values[2])  # hidden by the threshold,
    # never shown so never deleted: written back as the source has it
    dm.get_data("lp_paw").set_frame(1, np.empty((0, 2), np.float32), [])  # a shown one deleted
    back = pd.read_hdf(write_dlc(dm, pose, tmp_path / "lp_back.h5"))
    assert np.isnan(back.loc[1].xs("paw", level="bodyparts").to_numpy()).all()  # gone for good


def _predictions_with_an_empty_likelihood(folder: Path) -> tuple[Path, pd.DataFrame]:
    columns = pd.MultiIndex.from_product(
        [["DLC_resnet50_testAug1shuffle1_1000"], ["nose", "tail"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    values = [
        [10, 20, 0.9, 30, 40, 0.95],
        [11, 21, np.nan, 31, 41, 0.3],
        [12, 22, 0.99, 32, 42, 0.1],
    ]
    frame = pd.DataFrame(np.array(values, float), index=[0, 1, 2], columns=columns)
    path = folder / "vidDLC_resnet50_testAug1shuffle1_1000.csv"
    frame.to_csv(path)  # row 1: x, y and an empty likelihood cell
    return path, frame


def test_an_empty_likelihood_keeps_the_point_and_says_so(tmp_path, caplog) -> None:
    path, frame = _predictions_with_an_empty_likelihood(tmp_path)
    with caplog.at_level("WARNING", logger="napari_whiskertoolbox.io"):
        dm = open_path(path).dm
    np.testing.assert_array_equal(dm.get_data("vid_nose").times_with_data(), [0, 1, 2])
    np.testing.assert_array_equal(dm.get_data("vid_nose").at(1), [[11, 21]])
    notes = [r.load_note for r in caplog.records if hasattr(r, "load_note")]
    (video_note,) = [n for n in notes if "no video 'vid'" in n.message]  # none beside it
    (note,) = [n for n in notes if n is not video_note]
    assert note.kind == "info"
    assert note.lines == (5,)  # the file line of frame 1
    assert "nose" in note.message
    assert "empty likelihood" in note.message
    assert str(note).startswith(f"file '{path}', line 5: kept 1 row")  # opened, not a config item
    pose = pose_sets(dm)["vid"]
    back = pd.read_csv(write_dlc(dm, pose, tmp_path / "back.csv"), header=[0, 1, 2], index_col=0)
    pd.testing.assert_frame_equal(back, frame, check_names=False)  # the empty cell stays empty


def test_an_empty_likelihood_passes_a_config_threshold_with_a_note(tmp_path) -> None:
    _predictions_with_an_empty_likelihood(tmp_path)
    item = {"data_type": "points", "name": "k", "format": "dlc_csv", "likelihood_threshold": 0.5,
            "filepath": "vidDLC_resnet50_testAug1shuffle1_1000.csv"}  # fmt: skip
    dm, report = _load_items(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("k_nose").times_with_data(), [0, 1, 2])
    np.testing.assert_array_equal(dm.get_data("k_tail").times_with_data(), [0])
    (note,) = report.of_kind("info")
    assert note.lines == (5,)
    assert "kept 1 row: nose" in note.message


def _predictions_in_project(project: Path) -> tuple[Path, pd.DataFrame]:
    columns = pd.MultiIndex.from_product(
        [["DLC_resnet50_ReachingAug30shuffle1_1000"], ["Hand", "Tongue"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    values = [[10, 20, 0.9, 30, 40, 0.39], [11, 21, 0.2, 31, 41, 0.4], [12, 22, 0.5, 32, 42, 0.1]]
    frame = pd.DataFrame(np.array(values, float), index=[0, 1, 2], columns=columns)
    (project / "videos").mkdir()
    path = project / "videos" / "reachingvideo1DLC_resnet50_ReachingAug30shuffle1_1000.csv"
    frame.to_csv(path)
    return path, frame


def test_predictions_in_a_project_are_shown_above_its_pcutoff(project) -> None:
    path, frame = _predictions_in_project(project)  # config.yaml: pcutoff 0.4
    dm = open_path(path).dm
    np.testing.assert_array_equal(dm.get_data("reachingvideo1_Hand").times_with_data(), [0, 2])
    np.testing.assert_array_equal(dm.get_data("reachingvideo1_Tongue").times_with_data(), [1])
    pose = pose_sets(dm)["reachingvideo1"]
    dm.get_data("reachingvideo1_Tongue").set_frame(0, np.array([[33, 44]], np.float32), [0])
    with pytest.warns(UserWarning, match="1 point placed or moved by hand"):
        back = pd.read_csv(write_dlc(dm, pose, path), header=[0, 1, 2], index_col=0)
    expected = frame.copy()
    expected.iloc[0, 3:6] = [33, 44, 1.0]  # placed where a hidden prediction was
    pd.testing.assert_frame_equal(back, expected, check_names=False)  # the hidden ones kept


def test_a_config_item_uses_the_pcutoff_of_the_project_it_names(project) -> None:
    path, _ = _predictions_in_project(project)
    item = {"data_type": "points", "name": "p", "format": "dlc_csv", "filepath": str(path)}
    dm, _ = _load_items(project, item)  # WhiskerToolbox's default threshold 0
    assert dm.get_data("p_Hand").n_entries == 3
    dm, _ = _load_items(project, {**item, "config": "../config.yaml"})
    assert dm.get_data("p_Hand").n_entries == 2
    dm, _ = _load_items(project, {**item, "config": "../config.yaml", "likelihood_threshold": 0})
    assert dm.get_data("p_Hand").n_entries == 3


def test_predictions_saved_as_labelled_data_read_back_as_labels(project) -> None:
    """Were: written with the network's scorer and likelihood columns, read back as predictions."""
    labels = project / "labeled-data" / "reachingvideo1"
    rows = read_dlc(labels / "CollectedData_Mackenzie.csv").rows[:2]
    columns = pd.MultiIndex.from_product(
        [["DLC_resnet50_ReachingAug30shuffle1_1000"], ["Hand"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    machine = pd.DataFrame([[10.0, 20.0, 0.9], [11.0, 21.0, 0.2]], index=rows, columns=columns)
    machine.to_csv(labels / "machinelabels-iter0.csv")  # DeepLabCut's outlier-frame predictions
    dm = open_path(labels / "machinelabels-iter0.csv").dm
    pose = pose_sets(dm)["reachingvideo1_machinelabels-iter0"]  # <video>_<file stem>
    write_dlc(dm, pose, project / "CollectedData_Alice.csv")
    back = read_dlc(project / "CollectedData_Alice.csv")
    assert back.likelihood is None  # labels: x, y
    assert back.scorer == "Alice"  # DeepLabCut's labeller, as the file name says
    assert back.rows == rows[:1]  # img020.png is not among the images: nobody saw it
    np.testing.assert_array_equal(back.xy[:, 0], [[10, 20]])
    assert pose_sets(open_path(project / "CollectedData_Alice.csv").dm)  # reads as labels
    before = (labels / "CollectedData_Mackenzie.h5").read_bytes()
    # Merged as DeepLabCut's refine step merges (test_dlc_refine.py), unless, as here, the
    # body parts differ (Hand alone): refused, the labels kept.
    with pytest.raises(FormatError, match=r"CollectedData_Mackenzie\.h5.*body parts differ"):
        write_dlc_pair(dm, pose, labels / "CollectedData_Mackenzie.h5")
    assert (labels / "CollectedData_Mackenzie.h5").read_bytes() == before  # labels kept


def test_frame_indexed_predictions_are_not_written_as_labelled_data(tmp_path) -> None:
    path, _ = _predictions_with_an_empty_likelihood(tmp_path)
    dm = open_path(path).dm
    with pytest.raises(FormatError, match="indexed by video frame"):
        write_dlc(dm, pose_sets(dm)["vid"], tmp_path / "CollectedData_me.h5")
    assert not (tmp_path / "CollectedData_me.h5").exists()


def test_labels_written_to_a_predictions_table_are_announced(tmp_path) -> None:
    path, _ = _predictions_with_an_empty_likelihood(tmp_path)
    dm = open_path(path).dm
    pose = pose_sets(dm)["vid"]
    write_dlc(dm, pose, tmp_path / "untouched.csv")  # no warning: nothing placed by hand
    dm.get_data("vid_tail").set_frame(0, np.array([[35, 45]], np.float32), [0])
    with pytest.warns(UserWarning, match=r"1 point placed or moved by hand.*CollectedData"):
        write_dlc(dm, pose, tmp_path / "moved.csv")


def test_csv_with_other_delimiter_and_decimal(tmp_path) -> None:
    text = "scorer;s;s\nbodyparts;a;a\ncoords;x;y\n0;1,5;2,25\n"
    (tmp_path / "d.csv").write_text(text)
    table = read_dlc(tmp_path / "d.csv", delimiter=";", decimal=",")
    np.testing.assert_array_equal(table.xy[0, 0], [1.5, 2.25])


@pytest.mark.parametrize(
    ("text", "match", "line"),
    [
        ("scorer,s,s\nbodyparts,a,a\n", "3 DeepLabCut header rows", 2),
        ("frame,x,y\n0,1,2\n", "first field is 'frame'", 1),
        (
            "scorer,s,s,s\nbodyparts,a,a,a\ncoords,x,y,likelihood\n0,1,2,0.9\n1,1,2\n",
            "expected 4 columns, found 3",
            5,
        ),
        ("scorer,s,s,s\nbodyparts,a,a,a\ncoords,x,y,likelihood\n0,1,oops,0.9\n", "found 'oops'", 4),
        ("scorer,s,s\nbodyparts,a,a\ncoords,x,likelihood\n0,1,0.9\n", "missing \\['y'\\]", 3),
        ("scorer,s,s\nbodyparts,a,a\ncoords,x,q\n0,1,2\n", "found .q. for body part .a.", 3),
    ],
)
def test_bad_csv_names_file_and_line(tmp_path, text, match, line) -> None:
    (tmp_path / "d.csv").write_text(text)
    with pytest.raises(FormatError, match=match) as info:
        read_dlc(tmp_path / "d.csv")
    assert info.value.line == line
    assert "d.csv" in str(info.value)


def test_bad_file_leaves_the_data_manager_unchanged(tmp_path) -> None:
    dm = open_path(LABELS / "CollectedData_Mackenzie.h5").dm
    before = {k: dm.get_data(k) for k in dm}
    bad = tmp_path / "CollectedData_x.csv"
    bad.write_text("scorer,s,s\nbodyparts,a,a\ncoords,x,y\n0,1,2\n1,2\n")
    with pytest.raises(FormatError, match=r"CollectedData_x\.csv.*line 5"):
        open_path(bad, dm=dm)
    assert {k: dm.get_data(k) for k in dm} == before


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        *[("dotsize", v, "a positive number") for v in ("big", 0, -3, True, [12])],
        *[("pcutoff", v, "a likelihood") for v in ("high", 1.5, -0.1, True)],
    ],
)
def test_a_bad_config_number_names_the_config_key(project, key, value, expected) -> None:
    config = project / "config.yaml"
    content = yaml.safe_load(config.read_text())
    content[key] = value
    config.write_text(yaml.safe_dump(content))
    with pytest.raises(FormatError, match=rf"config\.yaml.*'{key}' to be {expected}"):
        open_path(config)


def test_a_config_without_dotsize_leaves_the_point_size_to_the_viewer(project) -> None:
    config = project / "config.yaml"
    content = yaml.safe_load(config.read_text())
    del content["dotsize"]
    config.write_text(yaml.safe_dump(content))
    assert pose_sets(open_path(config).dm)["reachingvideo1"].point_size is None


def test_pose_sets_survive_a_session_save(tmp_path) -> None:
    from napari_whiskertoolbox.io import load_session, save_session

    dm = open_path(LABELS).dm
    save_session(dm, tmp_path / "s.session")
    back = load_session(tmp_path / "s.session")
    assert pose_sets(back) == pose_sets(dm)
    assert pose_sets(back)["reachingvideo1"].point_size == 12.0
    assert back.groups.to_dict() == dm.groups.to_dict()
    np.testing.assert_array_equal(
        back.get_data("reachingvideo1_Hand").to_flat().coords,
        dm.get_data("reachingvideo1_Hand").to_flat().coords,
    )


# ------------------------------------------------------------------- config items (WhiskerToolbox)


def _load_items(tmp_path: Path, *items: dict):
    from napari_whiskertoolbox.io.report import LoadReport

    (tmp_path / "c.json").write_text(json.dumps(list(items)))
    report = LoadReport()
    return load_config(tmp_path / "c.json", report=report), report


def test_nan_points_are_skipped_and_reported_with_file_lines(tmp_path) -> None:
    (tmp_path / "d.csv").write_text(
        "scorer,s,s,s\nbodyparts,a,a,a\ncoords,x,y,likelihood\n"
        "0,1,2,0.9\n1,,,0.9\n\n2,nan,3,0.9\n3,,,0.1\n"
    )
    item = {"data_type": "points", "name": "k", "format": "dlc_csv", "filepath": "d.csv",
            "likelihood_threshold": 0.5}  # fmt: skip
    dm, report = _load_items(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("k_a").times_with_data(), [0])
    (note,) = report.of_kind("skipped")
    assert note.count == 2  # line 8: below the threshold, not a skipped NaN point
    assert note.lines == (5, 7)  # file lines (line 6 is blank)
    assert "a: NaN x or y" in note.message
    # the reason is DeepLabCut's convention, not a rule of points (which may hold NaN)
    assert "DeepLabCut's absent keypoint" in note.message
    assert "finite" not in note.message
    assert "d.csv" in str(note)
    assert dm.metadata["sources"]["k_a"]["notes"] == [str(note)]


def test_nan_points_of_an_h5_table_are_counted(tmp_path) -> None:
    pytest.importorskip("tables")
    columns = pd.MultiIndex.from_product(
        [["s"], ["a"], ["x", "y"]], names=["scorer", "bodyparts", "coords"]
    )
    frame = pd.DataFrame([[1.0, 2.0], [np.nan, np.nan], [3.0, np.nan]], columns=columns)
    frame.to_hdf(tmp_path / "d.h5", key="df_with_missing", mode="w")
    item = {"data_type": "points", "name": "k", "format": "dlc_h5", "filepath": "d.h5"}
    dm, report = _load_items(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("k_a").times_with_data(), [0])
    assert report.skipped() == 2
    assert report.of_kind("skipped")[0].lines == ()


def test_repeated_frames_keep_every_point_and_make_no_pose_set(tmp_path) -> None:
    text = "scorer,s,s\nbodyparts,a,a\ncoords,x,y\n0,1,2\n0,3,4\n1,5,6\n"
    (tmp_path / "d.csv").write_text(text)
    item = {"data_type": "points", "name": "k", "format": "dlc_csv", "filepath": "d.csv"}
    dm, report = _load_items(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("k_a").at(0), [[1, 2], [3, 4]])
    assert pose_sets(dm) == {}
    assert any("no pose set" in n.message for n in report.of_kind("info"))
    with pytest.raises(FormatError, match="two rows map to frame 0"):
        open_path(tmp_path / "d.csv")  # opening the file as a pose set refuses it


def test_multi_animal_keys_and_the_one_body_part_layout(tmp_path) -> None:
    index = [0, 1, 2]
    frame = _multi_animal_frame(index)
    frame.to_csv(tmp_path / "ma.csv")
    item = {"data_type": "points", "name": "m", "format": "dlc_csv", "filepath": "ma.csv"}
    dm, _ = _load_items(tmp_path, item)
    assert sorted(dm.keys()) == sorted(
        ["m_mus1_nose", "m_mus1_tail", "m_mus2_nose", "m_mus2_tail", "m_single_port"]
    )
    assert pose_sets(dm)["m"].individuals == ["mus1", "mus2", "single"]
    one = {**item, "format": "csv", "csv_layout": "dlc"}
    dm, _ = _load_items(tmp_path, {**one, "bodypart": "port"})  # only `single` has it
    np.testing.assert_array_equal(
        dm.get_data("m").at(2), [frame.iloc[2, 8:10].to_numpy(np.float32)]
    )
    with pytest.raises(FormatError, match=r"individuals \['mus1', 'mus2'\].*dlc_csv"):
        _load_items(tmp_path, {**one, "bodypart": "nose"})


def test_scaled_points_are_written_back_in_the_source_pixels(tmp_path) -> None:
    columns = pd.MultiIndex.from_product(
        [["net"], ["a", "b"], ["x", "y", "likelihood"]], names=["scorer", "bodyparts", "coords"]
    )
    values = np.array([[10.1, 20.3, 0.9, 1.7, 2.9, 0.8], [11.3, 21.7, 0.95, 3.1, 4.3, 0.7]])
    pd.DataFrame(values, index=[0, 1], columns=columns).to_csv(tmp_path / "p.csv")
    item = {"data_type": "points", "name": "p", "format": "dlc_csv", "filepath": "p.csv",
            "width": 100, "height": 50, "scaled_width": 300, "scaled_height": 25}  # fmt: skip
    dm, _ = _load_items(tmp_path, item)
    np.testing.assert_allclose(dm.get_data("p_a").at(0), [[30.3, 10.15]], rtol=1e-6)
    dm.get_data("p_b").set_frame(1, [[30.0, 5.0]], dm.get_data("p_b").ids_at(1))
    with pytest.warns(UserWarning, match="1 point placed or moved by hand"):
        back = pd.read_csv(write_dlc(dm, pose_sets(dm)["p"], tmp_path / "b.csv"),
                           header=[0, 1, 2], index_col=0)  # fmt: skip
    np.testing.assert_array_equal(back.iloc[0].to_numpy(), values[0])  # untouched: exact
    np.testing.assert_allclose(back.loc[1, ("net", "b", "x")], 10.0)  # moved: 30 / 3
    np.testing.assert_allclose(back.loc[1, ("net", "b", "y")], 10.0)  # 5 / 0.5
    assert back.loc[1, ("net", "b", "likelihood")] == 1.0


def test_write_back_of_a_moved_frame_column_and_an_empty_body_part(tmp_path) -> None:
    (tmp_path / "f.csv").write_text(
        "s,scorer,s,s,s\na,bodyparts,a,b,b\nx,coords,y,x,y\n1.25,0,2.5,,\n3.5,1,4.75,,\n"
    )
    item = {"data_type": "points", "name": "f", "format": "dlc_csv", "filepath": "f.csv",
            "frame_column": 1}  # fmt: skip
    dm, report = _load_items(tmp_path, item)
    assert dm.keys() == ["f_a"]  # b has no point: no key, as in WhiskerToolbox
    assert any("get no key: ['b']" in n.message for n in report.of_kind("skipped"))
    np.testing.assert_array_equal(dm.get_data("f_a").at(1), [[3.5, 4.75]])
    back = read_dlc(write_dlc(dm, pose_sets(dm)["f"], tmp_path / "b.csv"))
    assert back.bodyparts == ["a", "b"]  # the empty body part keeps its columns
    np.testing.assert_array_equal(back.frames, [0, 1])
    np.testing.assert_array_equal(back.xy[:, 0], [[1.25, 2.5], [3.5, 4.75]])
    assert np.isnan(back.xy[:, 1]).all()


def test_decimal_commas_and_semicolons_are_detected(tmp_path) -> None:
    (tmp_path / "d.csv").write_text("scorer;s;s\nbodyparts;a;a\ncoords;x;y\n0;1,5;2,25\n")
    np.testing.assert_array_equal(read_dlc(tmp_path / "d.csv").xy[0, 0], [1.5, 2.25])
    (tmp_path / "e.csv").write_text("scorer,s,s\nbodyparts,a,a\ncoords,x,y\n0,1,5\n")
    with pytest.raises(FormatError, match="decimal ','"):
        read_dlc(tmp_path / "e.csv", decimal=",")


def _predictions_csv(path: Path, n_frames: int) -> Path:
    columns = pd.MultiIndex.from_product(
        [["DLC_resnet50"], ["nose"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    values = np.column_stack(
        [np.arange(n_frames) + 10.0, np.full(n_frames, 5.0), np.ones(n_frames)]
    )
    pd.DataFrame(values, columns=columns).to_csv(path)
    return path


def test_predictions_opened_into_a_session_count_its_video_frames(tmp_path) -> None:
    from napari_whiskertoolbox.sample import make_sample_session

    dm = make_sample_session(20)  # its video is on the 'camera' clock, 'time' ticks 10x finer
    assert dm.time_key("media") == "camera"
    (key,) = open_path(_predictions_csv(tmp_path / "videoDLC_resnet50.csv", 20), dm).keys
    assert dm.time_key(key) == "camera"  # frame 7 of the file is frame 7 of the video
    np.testing.assert_array_equal(dm.get_data(key).at(7), [[17.0, 5.0]])
    alone = open_path(tmp_path / "videoDLC_resnet50.csv").dm  # no media: the default clock
    assert alone.time_key(key) == "time"


def test_swapped_individuals_keep_their_predictions_likelihood(tmp_path) -> None:
    """Were: written with likelihood 1 (as placed by hand) and drawn as labels after a swap."""
    import warnings

    from _dlc_tables import write_two_mice_predictions
    from napari_whiskertoolbox.io.pose import swap_individuals
    from napari_whiskertoolbox.io.pose_scores import source_scores

    row = [10.1, 20.2, 0.9, 30.3, 40.4, 0.8, 50.5, 60.6, 0.5, 70.7, 80.8, 0.25]
    path = write_two_mice_predictions(tmp_path / "miceDLC_dlcrnet.csv", [row, row, row])
    dm = open_path(path).dm
    pose = pose_sets(dm)["mice"]
    swap_individuals(dm, pose, "mouse1", "mouse2", 1, 1)
    scores = source_scores(pose)
    assert scores is not None
    nose = dm.get_data("mice_mouse1_nose").at(1)[0]
    assert scores.score("mice_mouse1_nose", 1, nose) == 0.5  # mouse2's detection, its score
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "placed by hand" warning: nothing was
        out = write_dlc(dm, pose, tmp_path / "back.csv")
    back = pd.read_csv(out, header=[0, 1, 2, 3], index_col=0)
    np.testing.assert_array_equal(back.iloc[0].to_numpy(), row)
    np.testing.assert_array_equal(back.iloc[1].to_numpy(), row[6:] + row[:6])  # swapped, exact


@pytest.mark.parametrize("suffix", [".csv", ".h5"])
def test_a_collected_data_table_opens_with_its_folders_images(project, suffix) -> None:
    """Opening ``CollectedData_*`` shows its images, as opening its folder does.

    Were: the points alone on a black "frame axis" (a DeepLabCut user's usual way in,
    double-clicking or dropping the labels file, showed no image to label).
    """
    folder = project / "labeled-data" / "reachingvideo1"
    table = folder / f"CollectedData_Mackenzie{suffix}"
    dm = open_path(table).dm
    by_folder = open_path(folder).dm
    media = dm.get_data("media")
    assert [p.name for p in media.files] == [p.name for p in by_folder.get_data("media").files]
    assert sorted(dm.keys()) == sorted(by_folder.keys())
    pose = pose_sets(dm)["reachingvideo1"]
    assert Path(pose.source["path"]) == table  # the file opened is the one read and saved
    for key in pose.all_keys():
        for t in range(len(media.files)):
            np.testing.assert_array_equal(dm.get_data(key).at(t), by_folder.get_data(key).at(t))


def test_a_collected_data_table_opened_into_a_session_with_media_brings_no_second_media(
    project,
) -> None:
    folder = project / "labeled-data" / "reachingvideo1"
    dm = open_path(folder).dm
    before = {k for k in dm if dm.data_type(k) in ("video", "images")}
    open_path(folder / "CollectedData_Mackenzie.csv", dm=dm)
    assert {k for k in dm if dm.data_type(k) in ("video", "images")} == before
    assert "reachingvideo1_2" in pose_sets(dm)


def _analysed_video(folder: Path, n_frames: int) -> tuple[Path, Path]:
    """``vid1.mp4`` (PyAV) and DeepLabCut's ``analyze_videos`` output beside it (pandas)."""
    from _video_files import pattern_frame, write_frames

    video = write_frames(
        folder / "vid1.mp4",
        (pattern_frame(i) for i in range(n_frames)),
        "mpeg4",
        "yuv420p",
        "gray",
    )
    scorer = "DLC_resnet50_cageJun1shuffle1_1000"
    columns = pd.MultiIndex.from_product(
        [[scorer], ["nose", "tail"], ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    rows = [[10.0 + t, 20.0, 0.9, 30.0, 40.0 + t, 0.8] for t in range(n_frames)]
    table = folder / f"vid1{scorer}.h5"
    pd.DataFrame(rows, columns=columns).to_hdf(table, key="df_with_missing", mode="w")
    return video, table


def test_predictions_open_with_the_video_they_were_made_from(tmp_path, caplog) -> None:
    """Were: the keypoints alone on a black frame axis, the video beside them not opened."""
    video, table = _analysed_video(tmp_path, 12)
    dm = open_path(table).dm
    assert dm.keys("video") == ["media"]
    assert Path(dm.get_data("media").source_path) == video
    assert len(dm.get_data("media")) == 12
    assert dm.time_key("vid1_nose") == dm.time_key("media")
    np.testing.assert_array_equal(dm.get_data("vid1_nose").at(5), [[15.0, 20.0]])
    video.unlink()  # moved away: a note says which video and how to see the keypoints on it
    with caplog.at_level("INFO", logger="napari_whiskertoolbox.io"):
        alone = open_path(table).dm
    assert not alone.keys("video")
    assert "vid1_nose" in alone
    assert any("no video 'vid1'" in r.getMessage() for r in caplog.records)


def test_predictions_opened_into_a_session_with_media_bring_no_second_video(tmp_path) -> None:
    video, table = _analysed_video(tmp_path, 12)
    dm = open_path(video).dm
    open_path(table, dm=dm)
    assert dm.keys("video") == ["media"]
    assert dm.time_key("vid1_nose") == dm.time_key("media")


@pytest.mark.parametrize("suffix", [".csv", ".h5"])
def test_a_column_of_other_coords_is_refused_not_dropped_on_saving(tmp_path, suffix) -> None:
    """Were: a ``z`` (or hand-added) column read silently, and gone from the file saved back."""
    frame = _reaching_frame()
    frame[("Mackenzie", "Hand", "z")] = 5.0
    path = tmp_path / "reachingvideo1" / f"CollectedData_Mackenzie{suffix}"
    path.parent.mkdir()
    if suffix == ".csv":
        frame.to_csv(path)
    else:
        frame.to_hdf(path, key="df_with_missing", mode="w")
    with pytest.raises(FormatError, match=r"found 'z' for body part 'Hand'.*drop the column"):
        open_path(path)


def test_a_collected_data_table_without_its_images_says_so(tmp_path, caplog) -> None:
    """Were: the keypoints on a black frame axis, nothing saying the images were not there."""
    folder = tmp_path / "reachingvideo1"
    folder.mkdir()
    shutil.copy(LABELS / "CollectedData_Mackenzie.csv", folder)
    with caplog.at_level("INFO", logger="napari_whiskertoolbox.io"):
        dm = open_path(folder / "CollectedData_Mackenzie.csv").dm
    assert not dm.keys("images")
    assert "reachingvideo1_Hand" in dm
    (note,) = [r.load_note for r in caplog.records if hasattr(r, "load_note")]
    assert note.kind == "media"
    assert "no labelled image beside the labels" in note.message
    assert str(folder) in note.message


@pytest.mark.parametrize("quoted", [False, True])  # pyarrow's reader, then line by line
def test_a_nan_likelihood_fails_the_threshold_and_an_empty_one_is_unknown(tmp_path, quoted) -> None:
    """WhiskerToolbox keeps a point when ``likelihood >= threshold``: NaN never passes."""
    scorer = '"s"' if quoted else "s"
    (tmp_path / "d.csv").write_text(
        f"scorer,{scorer},s,s\nbodyparts,a,a,a\ncoords,x,y,likelihood\n"
        "0,1,2,nan\n1,3,4,0.9\n2,5,6,0.2\n3,7,8,\n"
    )
    item = {"data_type": "points", "name": "k", "format": "dlc_csv", "filepath": "d.csv",
            "likelihood_threshold": 0.5}  # fmt: skip
    dm, report = _load_items(tmp_path, item)
    np.testing.assert_array_equal(dm.get_data("k_a").times_with_data(), [1, 3])
    (skipped,) = report.of_kind("skipped")
    assert skipped.lines == (4,)
    assert "a likelihood of nan" in skipped.message
    (kept,) = [n for n in report.notes if "empty likelihood" in n.message]
    assert kept.lines == (7,)  # the empty cell only, not the nan one
    dm, _ = _load_items(tmp_path, {**item, "likelihood_threshold": 0.0})
    np.testing.assert_array_equal(dm.get_data("k_a").times_with_data(), [1, 2, 3])
    back = read_dlc(write_dlc(dm, pose_sets(dm)["k"], tmp_path / "d.csv"))
    np.testing.assert_array_equal(back.xy[0, 0], [1, 2])  # hidden, not erased by saving
    assert np.isnan(back.likelihood[0, 0])


@pytest.mark.parametrize(
    ("text", "frame_column"),
    [
        ("scorer,S,S,S,\nbodyparts,a,a,a,\ncoords,x,y,likelihood,\n"
         "0,10.5,20.25,0.9,7\n1,11,21,0.9,8\n", 4),
        ("scorer,,S,S,S\nbodyparts,,a,a,a\ncoords,,x,y,likelihood\n"
         "labeled-data/v/img0007.png,7,10.5,20.25,0.9\nlabeled-data/v/img0008.png,8,11,21,0.9\n",
         1),
    ],
)  # fmt: skip
@pytest.mark.parametrize("layout", [{"format": "dlc_csv"}, {"format": "csv", "csv_layout": "dlc"}])
def test_frame_column_of_a_deeplabcut_table_with_its_labels_in_column_0(
    tmp_path, text, frame_column, layout
) -> None:
    (tmp_path / "d.csv").write_text(text)
    item = {"data_type": "points", "name": "p", "filepath": "d.csv",
            "frame_column": frame_column, **layout}  # fmt: skip
    dm, report = _load_items(tmp_path, item)
    (key,) = dm.keys()
    np.testing.assert_array_equal(dm.get_data(key).times_with_data(), [7, 8])
    np.testing.assert_array_equal(dm.get_data(key).at(7), [[10.5, 20.25]])
    assert report.skipped() == 0
    column = {4: 3, 1: 4}[frame_column]  # of 20.25 in the file, from 1
    (tmp_path / "bad.csv").write_text(text.replace("20.25", "x"))
    with pytest.raises(FormatError, match=rf"line 4.*in column {column},"):
        _load_items(tmp_path, {**item, "filepath": "bad.csv"})


def test_an_h5_table_under_another_key_is_written_back_under_it(tmp_path) -> None:
    pytest.importorskip("tables")
    columns = pd.MultiIndex.from_product(
        [["DLC_x"], ["nose"], ["x", "y", "likelihood"]], names=["scorer", "bodyparts", "coords"]
    )
    frame = pd.DataFrame([[1.0, 2.0, 0.9], [3.0, 4.0, 0.8]], columns=columns)
    frame.to_hdf(tmp_path / "videoDLC_x.h5", key="poses", mode="w")
    dm = open_path(tmp_path / "videoDLC_x.h5").dm
    (key,) = dm.keys()
    dm.get_data(key).set_frame(1, [[5.0, 6.0]], dm.get_data(key).ids_at(1))
    with pytest.warns(UserWarning, match="placed or moved"):
        write_dlc(dm, pose_sets(dm)[key.rsplit("_", 1)[0]], tmp_path / "videoDLC_x.h5")
    with pd.HDFStore(tmp_path / "videoDLC_x.h5", mode="r") as store:
        assert list(store.keys()) == ["/poses"]
    back = pd.read_hdf(tmp_path / "videoDLC_x.h5", "poses")
    assert back.iloc[1].tolist() == [5.0, 6.0, 1.0]
