"""Clear errors from VideoMedia for bad paths, bad files and bad arguments."""

from __future__ import annotations

import pytest

from napari_whiskertoolbox.media import MediaError, MediaFileNotFoundError, VideoMedia


def test_missing_file_names_the_path(tmp_path):
    missing = tmp_path / "nowhere" / "session.mp4"
    with pytest.raises(MediaFileNotFoundError, match=r"session\.mp4"):
        VideoMedia(missing)
    with pytest.raises(FileNotFoundError):
        VideoMedia(missing)


def test_unreadable_file_names_the_path(tmp_path):
    bogus = tmp_path / "not_a_video.mp4"
    bogus.write_text("frame,x,y\n1,2,3\n")
    with pytest.raises(MediaError, match=r"not_a_video\.mp4"):
        VideoMedia(bogus)


def test_empty_file_is_rejected(tmp_path):
    empty = tmp_path / "empty.avi"
    empty.write_bytes(b"")
    with pytest.raises(MediaError, match=r"empty\.avi.*the file is empty: 0 bytes"):
        VideoMedia(empty)


def test_an_unfinished_recording_says_what_to_do(tmp_path, frame_number_video):
    """Was FFmpeg's bare 'Invalid data found when processing input': an MP4 cut before its
    index ('moov', written last) is what a recording stopped mid-way leaves."""
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(frame_number_video.read_bytes()[:200_000])
    with pytest.raises(MediaError, match=r"cut\.mp4.*recording was not finished.*'moov'"):
        VideoMedia(cut)


def test_errors_are_value_errors(tmp_path):
    assert issubclass(MediaError, ValueError)
    assert issubclass(MediaFileNotFoundError, ValueError)


def test_bad_thread_type(frame_number_video):
    with pytest.raises(ValueError, match="thread_type"):
        VideoMedia(frame_number_video, thread_type="MANY")


def test_negative_read_ahead(frame_number_video):
    with pytest.raises(ValueError, match="read_ahead"):
        VideoMedia(frame_number_video, read_ahead=-1)


def test_reading_after_close_raises(frame_number_video):
    media = VideoMedia(frame_number_video)
    media[1]
    media.close()
    media.close()  # closing twice is harmless
    with pytest.raises(MediaError, match="closed"):
        media[500]
