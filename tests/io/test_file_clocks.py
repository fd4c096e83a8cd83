"""A file the session exported or read opens again on the clock of its key (Qt-free)."""

from __future__ import annotations

from napari_whiskertoolbox.core.intervals import DigitalIntervalSeries
from napari_whiskertoolbox.io.file_clocks import recorded_clock
from napari_whiskertoolbox.io.routing import open_path
from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.widgets.browser_export import export_key


def test_an_exported_file_opens_on_its_key_s_clock_not_the_video_s(tmp_path):
    dm = make_sample_session()
    path = export_key(dm, "contact", tmp_path)
    opened = open_path(path, dm)
    assert opened.keys == ("contact_2",)
    assert dm.time_key("contact_2") == "time"  # not camera: ticks, ten per camera frame
    assert opened.clock_reason == "the clock of 'contact', which it was exported from"


def test_a_given_clock_wins_over_the_record(tmp_path):
    dm = make_sample_session()
    path = export_key(dm, "contact", tmp_path)
    opened = open_path(path, dm, clock="camera")
    assert dm.time_key(opened.keys[0]) == "camera"
    assert opened.clock_reason is None


def test_the_record_follows_a_renamed_key_and_leaves_with_a_deleted_one(tmp_path):
    dm = make_sample_session()
    path = export_key(dm, "contact", tmp_path)
    dm.rename_data("contact", "touch")
    assert recorded_clock(dm, path).key == "touch"
    dm.delete_data("touch")
    assert recorded_clock(dm, path) is None
    dm.undo()
    assert recorded_clock(dm, path).key == "touch"
    dm.delete_data("touch")
    opened = open_path(path, dm)  # no record: the video's clock, as before
    assert dm.time_key(opened.keys[0]) == "camera"
    assert opened.clock_reason is None


def test_a_file_written_last_from_another_key_goes_on_that_key_s_clock(tmp_path):
    dm = make_sample_session()
    export_key(dm, "contact", tmp_path)
    dm.rename_data("contact", "old")
    dm.set_data("contact", DigitalIntervalSeries([[1, 2]]), "camera")
    path = export_key(dm, "contact", tmp_path)  # the same file, now from a camera key
    assert recorded_clock(dm, path).key == "contact"
    assert dm.time_key(open_path(path, dm).keys[0]) == "camera"


def test_a_file_read_into_a_key_opens_again_on_its_clock(tmp_path):
    dm = make_sample_session()
    path = export_key(dm, "contact", tmp_path)
    open_path(path, dm)
    dm.metadata.pop("written_to")  # only the read record is left
    record = recorded_clock(dm, path)
    assert (record.key, record.clock) == ("contact_2", "time")
    assert record.reason() == "the clock of 'contact_2', which was read from it"
