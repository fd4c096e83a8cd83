"""Edits saved into a config's own files: planned per key, verified by reading back, all or nothing."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from napari_whiskertoolbox.core import PointData
from napari_whiskertoolbox.io import FormatError, load_config
from napari_whiskertoolbox.io.write_back import plan_write_back, write_back, write_key_home


def first_columns(source, target, n: int = 3) -> None:
    """Copy the space-separated table ``source`` keeping its first ``n`` columns."""
    rows = source.read_text(encoding="utf-8").splitlines()
    target.write_text("".join(" ".join(r.split()[:n]) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def config(tmp_path, wtb_data, write_config):
    for relative in ("Points/test_point.csv", "DigitalEvents/events.csv"):
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(wtb_data / relative, target)
    # WhiskerToolbox's points file without the Probability column its loader ignores
    first_columns(wtb_data / "Points" / "test_point.csv", tmp_path / "Points" / "test_point.csv")
    return write_config(
        [
            {"data_type": "points", "name": "tip", "filepath": "Points/test_point.csv"},
            {
                "data_type": "digital_event",
                "name": "licks",
                "filepath": "DigitalEvents/events.csv",
                "scale": 2.0,
            },
        ],
        name="exp.json",
    )


def test_an_edited_points_key_is_rewritten_and_reads_back(config, tmp_path):
    dm = load_config(config)
    dm.get_data("tip").add(5, np.array([[7.25, 8.5]], dtype=np.float32))
    plan = plan_write_back(dm, ["tip"])
    assert plan.possible
    assert plan.writes == {"tip": tmp_path / "Points" / "test_point.csv"}
    assert write_back(dm, plan) == [tmp_path / "Points" / "test_point.csv"]
    again = load_config(config)
    np.testing.assert_array_equal(again.get_data("tip").at(5)[-1], [7.25, 8.5])
    assert len(again.get_data("tip")) == len(dm.get_data("tip"))
    assert not list(tmp_path.rglob(".*wtb-save*"))  # no temporary file left


def test_new_deleted_and_unwritable_keys_are_refused_with_reasons(config):
    dm = load_config(config)
    dm.set_data("new_points", PointData())
    dm.delete_data("tip")
    plan = plan_write_back(dm, ["new_points"], removed=["tip"])
    assert not plan.possible
    assert plan.refused == {
        "new_points": "is not in the config (new or renamed key)",
        "tip": "was deleted or renamed; a config's files cannot forget a key or rename it",
    }
    with pytest.raises(FormatError, match="new_points"):
        write_back(dm, plan)


def test_an_option_the_format_cannot_hold_leaves_every_file_untouched(config, tmp_path):
    dm = load_config(config)
    dm.get_data("tip").add(5, np.array([[1.0, 2.0]], dtype=np.float32))
    dm.get_data("licks").add(40)
    points_before = (tmp_path / "Points" / "test_point.csv").read_bytes()
    events_before = (tmp_path / "DigitalEvents" / "events.csv").read_bytes()
    plan = plan_write_back(dm, ["tip", "licks"])
    assert plan.possible  # only writing tells that the scale does not survive
    with pytest.raises(FormatError, match=r"'licks' would not read back the same.*scale"):
        write_back(dm, plan)
    assert (tmp_path / "Points" / "test_point.csv").read_bytes() == points_before
    assert (tmp_path / "DigitalEvents" / "events.csv").read_bytes() == events_before
    assert not list(tmp_path.rglob(".*wtb-save*"))


def test_a_rewritten_file_keeps_its_permissions(config, tmp_path):
    # A lab share's group-readable, world-unreadable file stays so: the staged file made
    # under the process umask must not replace the original's mode.
    points = tmp_path / "Points" / "test_point.csv"
    points.chmod(0o640)
    dm = load_config(config)
    dm.get_data("tip").add(5, np.array([[7.25, 8.5]], dtype=np.float32))
    assert write_back(dm, plan_write_back(dm, ["tip"])) == [points]
    assert points.stat().st_mode & 0o7777 == 0o640


def test_files_with_and_without_a_header_keep_theirs(tmp_path, write_config):
    # WhiskerToolbox's own savers write 'Event' and 'Time,Data' headers; reloading them
    # takes has_header. An interval file read with skip_header false has none.
    (tmp_path / "licks.csv").write_text("Event\n3\n5\n", encoding="utf-8")
    (tmp_path / "angle.csv").write_text("Time,Data\n0,0.50\n1,1.50\n", encoding="utf-8")
    (tmp_path / "touch.csv").write_text("1,5\n10,20\n", encoding="utf-8")
    config = write_config(
        [
            {"data_type": "digital_event", "name": "licks", "filepath": "licks.csv",
             "has_header": True},
            {"data_type": "analog", "name": "angle", "filepath": "angle.csv",
             "has_header": True, "single_column_format": False},
            {"data_type": "digital_interval", "name": "touch", "filepath": "touch.csv",
             "skip_header": False},
        ],
        name="exp.json",
    )  # fmt: skip
    dm = load_config(config)
    dm.get_data("licks").add(9)
    with dm.get_data("angle").writable() as values:
        values[0] = 7.25
    dm.get_data("touch").add(30, 35)
    write_back(dm, plan_write_back(dm, ["licks", "angle", "touch"]))
    assert (tmp_path / "licks.csv").read_text(encoding="utf-8") == "Event\n3\n5\n9\n"
    assert (tmp_path / "angle.csv").read_text(encoding="utf-8").splitlines()[0] == "Time,Data"
    assert (tmp_path / "touch.csv").read_text(encoding="utf-8") == "1,5\n10,20\n30,35\n"
    again = load_config(config)
    np.testing.assert_array_equal(again.get_data("licks").times, [3, 5, 9])
    np.testing.assert_array_equal(again.get_data("angle").values, [7.25, 1.5])


_SEVEN = np.array([[5.0, 6.0]], dtype=np.float32)
_SEVEN_LINE = np.array([[5.0, 6.0], [7.0, 8.0]], dtype=np.float32)


@pytest.mark.parametrize(
    ("data_type", "text", "options", "edit", "expected"),
    [
        ("points", "frame,x,y\n0,1.5,2.5\n", {"delimiter": ","}, (7, _SEVEN),
         "frame,x,y\n0,1.5,2.5\n7,5,6\n"),
        ("points", "frame\tx\ty\n0\t1.5\t2.5\n", {}, (7, _SEVEN),
         "frame\tx\ty\n0\t1.5\t2.5\n7\t5\t6\n"),
        ("points", "frame;x;y\n0;1.5;2.5\n", {}, (7, _SEVEN), "frame;x;y\n0;1.5;2.5\n7;5;6\n"),
        ("points", "x y frame\n1.5 2.5 0\n", {"frame_column": 2, "x_column": 0, "y_column": 1},
         (7, _SEVEN), "x y frame\n1.5 2.5 0\n5.0 6.0 7\n"),
        ("points", "0 1.5 2.5\n", {}, (7, _SEVEN), "0 1.5 2.5\n7 5 6\n"),
        ("line", 'frame,x,y\n0,"1,2","3,4"\n', {"header_identifier": "frame"}, (7, _SEVEN_LINE),
         'frame,x,y\n0,"1,2","3,4"\n7,"5,7","6,8"\n'),
        ("line", 'Frame_idx,Xs,Ys\n0,"1,2","3,4"\n', {}, (7, _SEVEN_LINE),
         'Frame_idx,Xs,Ys\n0,"1,2","3,4"\n7,"5,7","6,8"\n'),
        ("mask", 'frame,rle\n0,"0,0,2"\n', {"header_identifier": "frame"}, None,
         'frame,rle\n0,"0,0,2"\n'),
        ("digital_interval", "Start;End\n1;3\n", {}, (5, 7), "Start;End\n1;3\n5;7\n"),
        ("analog", "time;data\n0;1.5\n1;2.5\n",
         {"has_header": True, "single_column_format": False}, None,
         "time;data\n0;1.5\n1;2.5\n"),
    ],
)  # fmt: skip
def test_a_key_written_home_keeps_its_file_s_header_delimiter_and_columns(
    tmp_path, write_config, data_type, text, options, edit, expected
):
    """Were: a points CSV headed ``frame,x,y`` came back headed ``Frame,X,Y`` (a line CSV's
    header too), a file without a header got one, and a table whose item gives no
    delimiter (its loader finds ``;`` or a tab) came back space- or comma-delimited."""
    path = tmp_path / "key.csv"
    path.write_text(text, encoding="utf-8")
    config = write_config([{"data_type": data_type, "name": "key", "filepath": "key.csv",
                            **options}])  # fmt: skip
    dm = load_config(config)
    if edit is not None:
        dm.get_data("key").add(*edit)
    assert write_key_home(dm, "key") == path
    assert path.read_text(encoding="utf-8") == expected


def test_content_the_loader_leaves_out_is_never_overwritten(tmp_path, wtb_data, write_config):
    """WhiskerToolbox's own points file has a Probability column its loader ignores."""
    (tmp_path / "Points").mkdir()
    shutil.copy(wtb_data / "Points" / "test_point.csv", tmp_path / "Points" / "tip.csv")
    (tmp_path / "licks.csv").write_text("1\n2.5\n4\n", encoding="utf-8")
    (tmp_path / "touch.csv").write_text("1,5\n10,20\n", encoding="utf-8")
    config = write_config(
        [
            {"data_type": "points", "name": "tip", "filepath": "Points/tip.csv"},
            {"data_type": "digital_event", "name": "licks", "filepath": "licks.csv"},
            {"data_type": "digital_interval", "name": "touch", "filepath": "touch.csv"},
        ],
        name="exp.json",
    )
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.csv")}
    dm = load_config(config)
    dm.get_data("tip").add(5, np.array([[1.0, 2.0]], dtype=np.float32))
    dm.get_data("licks").add(9)
    dm.get_data("touch").add(30, 35)
    plan = plan_write_back(dm, ["tip", "licks", "touch"])
    assert plan.refused == {
        "tip": "would lose its column 'Probability' of tip.csv: its WhiskerToolbox loader "
        "leaves them out, so saving into it would drop them",
        "licks": "would lose values such as 2.5 (line 2), read as 2 of licks.csv: its "
        "WhiskerToolbox loader leaves them out, so saving into it would drop them",
    }
    assert plan.writes == {"touch": tmp_path / "touch.csv"}  # nothing of it is lost
    with pytest.raises(FormatError, match="Probability"):
        write_back(dm, plan)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.csv")} == before
    assert not list(tmp_path.rglob(".*wtb-*"))  # no probe or staged file left


def test_a_data_manager_adopted_keeps_where_the_sessions_keys_came_from(config, tmp_path):
    from napari_whiskertoolbox.core import DataManager
    from napari_whiskertoolbox.io.routing import adopt_data_manager

    dm = load_config(config)
    other = DataManager()
    other.metadata.update(
        {"sources": {"tip_2": {"filepath": "elsewhere.csv"}}, "config_path": "other.json"}
    )
    other.set_data("tip_2", PointData.from_flat(np.array([3]), np.ones((1, 2), np.float32)))
    config_path = dm.metadata.get("config_path")
    adopt_data_manager(dm, other, "another session")
    assert set(dm.metadata["sources"]) >= {"tip", "licks", "tip_2"}
    assert dm.metadata.get("config_path") == config_path  # the session's, not the other's
    dm.get_data("tip").add(5, np.array([[7.25, 8.5]], dtype=np.float32))
    plan = plan_write_back(dm, ["tip"])
    assert plan.writes == {"tip": tmp_path / "Points" / "test_point.csv"}


def test_keys_refused_for_one_reason_are_said_once():
    """Was: ten near-identical reasons, one per body part of one DeepLabCut file."""
    from napari_whiskertoolbox.io.write_back import WriteBackPlan

    shared = "is one of several keys read from dlc_test.csv"
    plan = WriteBackPlan(
        refused={**{f"dlc_{part}": shared for part in "abcde"}, "new": "is not in the config"}
    )
    assert plan.refusals() == (
        "'dlc_a', 'dlc_b', 'dlc_c' and 2 more keys: each is one of several keys read from "
        "dlc_test.csv; 'new' is not in the config"
    )
