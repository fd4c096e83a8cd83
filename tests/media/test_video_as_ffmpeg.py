"""Frame i is the frame FFmpeg presents as i, with FFmpeg's pixel values (issue 16).

Every file is written by PyAV here; every expected frame comes from PyAV's plain
sequential decode of the same file.
"""

from __future__ import annotations

import warnings
from fractions import Fraction

import av
import numpy as np
import pytest

from _video_files import (
    HEIGHT,
    WIDTH,
    decoded_frames,
    encode_packets,
    ffmpeg_convert,
    mux_packets,
    pattern_frame,
    plain_decode,
    plain_decode_list,
    read_pattern,
    write_frames,
)
from napari_whiskertoolbox.media import (
    FrameDecodeError,
    MediaError,
    MediaWarning,
    VideoMedia,
    open_media,
)

X264_OPTIONS = {"preset": "veryfast", "crf": "10"}


def assert_all_frames_match(media: VideoMedia, reference: list[np.ndarray]) -> None:
    assert len(media) == len(reference)
    for i, expected in enumerate(reference):
        np.testing.assert_array_equal(media[i], expected, err_msg=f"frame {i}")


# --------------------------------------------------------------------------- edit lists
@pytest.fixture(scope="module")
def cut_video(tmp_path_factory):
    """A 30-picture H.264 (B-frames) whose first two pictures are edit-list pre-roll."""
    packets, extradata = encode_packets(
        (pattern_frame(i) for i in range(30)), WIDTH, HEIGHT, gop=30, b_frames=2
    )
    path = tmp_path_factory.mktemp("cut") / "cut.mp4"
    return mux_packets(path, packets, extradata, WIDTH, HEIGHT, shift=2)


def test_cut_video_really_has_pre_roll(cut_video):
    with av.open(str(cut_video)) as container:
        flags = [p.is_discard for p in container.demux(video=0) if p.size]
    assert flags.count(True) == 2
    assert len(plain_decode(cut_video, "gray")) == 28


def test_edit_list_pre_roll_is_not_a_frame(cut_video):
    with VideoMedia(cut_video) as media:
        assert len(media) == 28
        assert read_pattern(media[0]) == 2
        assert read_pattern(media[27]) == 29
        assert [read_pattern(media[i]) for i in range(28)] == list(range(2, 30))


def test_edit_list_random_access_matches_sequential_decode(cut_video):
    reference = plain_decode_list(cut_video, "gray")
    with VideoMedia(cut_video, read_ahead=0, cache_size=1) as media:
        for i in [27, 0, 13, 1, 26, 2, 0]:
            np.testing.assert_array_equal(media[i], reference[i], err_msg=f"frame {i}")
    with VideoMedia(cut_video) as media:
        assert_all_frames_match(media, reference)


# --------------------------------------------------------------------------- container timestamps
def write_b_frame_video(
    path, rate: int = 30, open_gop: bool = False, codec="libx264", container=None
) -> None:
    """40 pattern pictures with B-frames (keyframe every 10) at ``rate`` fps."""
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        params = "keyint=10:min-keyint=10:scenecut=0:bframes=3:b-pyramid=normal"
        stream.codec_context.options = (
            {"preset": "veryfast", "x264-params": params + (":open-gop=1" if open_gop else "")}
            if codec == "libx264"
            else {"bf": "2", "g": "10", "qscale": "3"}
        )
        for i in range(40):
            out.mux(stream.encode(av.VideoFrame.from_ndarray(pattern_frame(i), format="gray")))
        out.mux(stream.encode())


def packet_stamps(path) -> list[tuple[int | None, int | None]]:
    with av.open(str(path)) as container:
        return [(p.pts, p.dts) for p in container.demux(video=0) if p.size]


@pytest.fixture(scope="module")
def container_videos(tmp_path_factory):
    """The same B-frame stream in containers whose timestamps FFmpeg reads differently.

    - ``1200fps.mkv``: Matroska keeps milliseconds, so frames share timestamps.
    - ``bframes.ts``: MPEG-TS seeks by decode timestamps (earlier than the keyframe's pts).
    - ``bframes.avi``: AVI stamps packets in decode order; only the decoder's output order
      is the presentation order.
    - ``open_gop.avi``: the same with open GOPs: a seek to a keyframe drops the frames
      presented before it, so counting from a seek cannot number frames.
    - ``mpeg2.mpg``: an MPEG program stream gives other timestamps after a seek.
    - ``raw.h264``: an elementary stream (no container, no timestamps, cannot seek).
    """
    folder = tmp_path_factory.mktemp("containers")
    write_b_frame_video(folder / "1200fps.mkv", rate=1200)
    write_b_frame_video(folder / "bframes.ts")
    write_b_frame_video(folder / "bframes.avi")
    write_b_frame_video(folder / "open_gop.avi", open_gop=True)
    write_b_frame_video(folder / "mpeg2.mpg", codec="mpeg2video")
    write_b_frame_video(folder / "raw.h264", container="h264")
    return folder


def test_container_videos_really_have_those_timestamps(container_videos):
    mkv = [pts for pts, _ in packet_stamps(container_videos / "1200fps.mkv")]
    assert len(set(mkv)) < len(mkv)  # shared timestamps
    ts = packet_stamps(container_videos / "bframes.ts")
    assert ts[0][1] < ts[0][0]  # the first keyframe's dts is before its pts
    avi = [pts for pts, _ in packet_stamps(container_videos / "bframes.avi")]
    assert avi == sorted(avi)  # decode-order stamps although the stream has B-frames
    with av.open(str(container_videos / "bframes.avi")) as container:
        shown = [f.pts for f in container.decode(video=0)]
    assert shown != sorted(shown)


SLOW_SEEKING = {"open_gop.avi", "mpeg2.mpg"}


@pytest.mark.parametrize(
    "name", ["1200fps.mkv", "bframes.ts", "bframes.avi", "open_gop.avi", "mpeg2.mpg", "raw.h264"]
)
def test_container_timestamps_frames_as_ffmpeg_presents_them(container_videos, name):
    path = container_videos / name
    reference = plain_decode_list(path, "gray")
    assert [read_pattern(frame) for frame in reference] == list(range(40))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        media = VideoMedia(path)
    notes = [str(w.message) for w in caught if "seeking" in str(w.message)]
    if name == "raw.h264":
        assert notes == [f"video {name!r}: not applied: {_no_timestamps_note()}"]
    else:
        slow = [f"video {name!r}: not applied: {_slow_seeking_note()}"]
        assert notes == (slow if name in SLOW_SEEKING else [])
    with media:
        assert_all_frames_match(media, reference)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MediaWarning)
        media = VideoMedia(path, read_ahead=0, cache_size=1)
    with media:
        for i in [39, 0, 21, 10, 9, 30, 3, 38, 11, 8, 0]:
            np.testing.assert_array_equal(media[i], reference[i], err_msg=f"frame {i}")


def _no_timestamps_note() -> str:
    return (
        "fast seeking (the stream carries no timestamps, as raw .h264 files: frames"
        " are numbered as decoded from the start of the file, random access is slow;"
        " remux it to MKV or MP4 with ffmpeg -i IN -c copy OUT.mkv)"
    )


def _slow_seeking_note() -> str:
    return (
        "fast seeking (a seek in this file gives frames numbered unlike reading it"
        " through, as in MPEG program streams or AVI with open GOPs: frames are"
        " decoded from the start of the file, random access is slow; remux it to"
        " MKV or MP4 with ffmpeg -i IN -c copy OUT.mkv)"
    )


def test_variable_frame_timing_is_named_and_given(tmp_path):
    """A player shows each frame at its timestamp; the frame rate alone does not say when."""
    steps = [1, 3, 1, 2, 5, 1, 1, 4, 1, 2, 1, 1]
    pts = np.concatenate([[0], np.cumsum(steps)])
    path = tmp_path / "vfr.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.time_base = Fraction(1, 90)
        stream.codec_context.time_base = Fraction(1, 90)
        for i, t in enumerate(pts.tolist()):
            frame = av.VideoFrame.from_ndarray(pattern_frame(i), format="gray")
            frame.pts, frame.time_base = t, Fraction(1, 90)
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    with pytest.warns(MediaWarning, match="variable frame timing") as caught:
        media = VideoMedia(path)
    assert len(caught) == 1
    with media:
        np.testing.assert_allclose(media.frame_times, pts / 90)
        assert media.variable_frame_rate
        assert media.frame_ticks is not None
        ticks, per_second = media.frame_ticks
        assert ticks.dtype == np.int64
        np.testing.assert_allclose(ticks / per_second, pts / 90)
        assert [read_pattern(media[i]) for i in range(len(media))] == list(range(len(pts)))


def test_constant_frame_timing_is_frame_over_rate(container_videos):
    with VideoMedia(container_videos / "bframes.ts") as media:
        np.testing.assert_allclose(media.frame_times, np.arange(40) / 30)
        assert not media.variable_frame_rate
    with VideoMedia(container_videos / "1200fps.mkv") as media:  # ms timestamps: rounding
        np.testing.assert_allclose(media.frame_times, np.arange(40) / 1200, atol=0.0005)
        assert not media.variable_frame_rate  # jitter of one tick is not variable timing


# --------------------------------------------------------------------------- gray values
def level_frame(i: int, height: int = 48, width: int = 64) -> np.ndarray:
    """Black, background and white bands (0, 128, 255) with a small moving bright square."""
    image = np.full((height, width), 128, np.uint8)
    image[:, :16] = 0
    image[:, 48:] = 255
    image[20:28, 20 + i : 28 + i] = 200
    return image


def as_yuvj420p(gray: np.ndarray) -> np.ndarray:
    """The ``(H * 3/2, W)`` yuvj420p layout of a gray image (neutral chroma)."""
    height, width = gray.shape
    return np.concatenate([gray, np.full((height // 2, width), 128, np.uint8)])


@pytest.fixture(scope="module")
def tv_range_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("range") / "tv.mp4"
    frames = [level_frame(i) for i in range(10)]
    return write_frames(path, frames, "libx264", "yuv420p", "gray", X264_OPTIONS)


@pytest.fixture(scope="module")
def full_range_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("range") / "pc.mp4"
    frames = [as_yuvj420p(level_frame(i)) for i in range(10)]
    return write_frames(path, frames, "libx264", "yuvj420p", "yuvj420p", X264_OPTIONS)


def test_limited_range_gray_is_ffmpegs_gray(tv_range_video):
    with av.open(str(tv_range_video)) as container:
        first = next(container.decode(video=0))
        plane = first.planes[0]
        luma = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
    assert luma[10, [5, 30, 60]].tolist() == [16, 126, 235]  # what the Y plane holds
    with VideoMedia(tv_range_video) as media:
        assert media.gray
        assert media[0][10, [5, 30, 60]].tolist() == [0, 128, 255]
        assert_all_frames_match(media, plain_decode_list(tv_range_video, "gray"))


def test_limited_range_gray_equals_rgb_mode(tv_range_video):
    with VideoMedia(tv_range_video) as gray, VideoMedia(tv_range_video, gray=False) as rgb:
        assert_all_frames_match(rgb, plain_decode_list(tv_range_video, "rgb24"))
        np.testing.assert_array_equal(gray[3][10, [5, 30, 60]], rgb[3][10, [5, 30, 60], 0])


def test_full_range_gray_is_the_plain_luma(full_range_video):
    with av.open(str(full_range_video)) as container:
        luma = [f.to_ndarray(format="gray") for f in container.decode(video=0)]
    with VideoMedia(full_range_video) as media:
        assert media[0][10, [5, 30, 60]].tolist() == [0, 128, 255]
        assert_all_frames_match(media, plain_decode_list(full_range_video, "gray"))
        np.testing.assert_array_equal(media[4], luma[4])


def test_fixture_video_is_ffmpegs_gray(frame_number_video):
    reference = plain_decode_list(frame_number_video, "gray")
    with VideoMedia(frame_number_video) as media:
        for i in [0, 1, 249, 250, 998, 999, 500]:
            np.testing.assert_array_equal(media[i], reference[i], err_msg=f"frame {i}")


# --------------------------------------------------------------------------- bit depth
DEEP_H, DEEP_W, DEEP_N = 16, 64, 30


def ramp16(i: int) -> np.ndarray:
    """Frame ``i`` of the 16-bit gray video: column ``c`` holds ``1000 i + 10 c``."""
    return np.tile((1000 * i + 10 * np.arange(DEEP_W)).astype(np.uint16), (DEEP_H, 1))


def fine_ramp(i: int) -> np.ndarray:
    """1024 distinct 16-bit levels spread over the whole range (more than 8 bits can hold)."""
    return (np.arange(DEEP_H * DEEP_W, dtype=np.uint16) * 64 + i).reshape(DEEP_H, DEEP_W)


@pytest.fixture(scope="module")
def deep_videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deep")
    frames = [ramp16(i) for i in range(DEEP_N)]
    fine = [fine_ramp(i) for i in range(DEEP_N)]
    colour = [np.stack([f, np.zeros_like(f), 65535 - f], axis=-1) for f in frames]
    return {
        "gray16": write_frames(folder / "g16.mkv", frames, "ffv1", "gray16le", "gray16le"),
        "yuv10": write_frames(folder / "y10.mkv", fine, "ffv1", "yuv420p10le", "gray16le"),
        "yuv12": write_frames(folder / "y12.mkv", fine, "ffv1", "yuv444p12le", "gray16le"),
        "rgb16": write_frames(folder / "rgb16.mkv", colour, "ffv1", "gbrp16le", "rgb48le"),
    }


def test_16_bit_gray_keeps_every_value(deep_videos):
    with VideoMedia(deep_videos["gray16"]) as media:
        assert media.dtype == np.uint16
        assert media.bit_depth == 16
        assert media.pixel_format == "gray16le"
        assert media.contrast_limits == (0.0, 65535.0)
        assert media.shape == (DEEP_N, DEEP_H, DEEP_W)
        for i in [0, 1, 17, 29, 3]:
            np.testing.assert_array_equal(media[i], ramp16(i))


@pytest.mark.parametrize(
    ("name", "depth", "fmt"), [("yuv10", 10, "gray10le"), ("yuv12", 12, "gray12le")]
)
def test_10_and_12_bit_yuv_gray_keeps_precision(deep_videos, name, depth, fmt):
    with VideoMedia(deep_videos[name]) as media:
        assert media.gray
        assert media.dtype == np.uint16
        assert media.bit_depth == depth
        assert media.contrast_limits == (0.0, float(2**depth - 1))
        reference = plain_decode_list(deep_videos[name], fmt)
        assert_all_frames_match(media, reference)
        assert len(np.unique(media[29])) > 256  # more levels than 8 bits can hold


def test_16_bit_rgb_keeps_precision(deep_videos):
    with VideoMedia(deep_videos["rgb16"]) as media:
        assert not media.gray
        assert media.dtype == np.uint16
        assert media.shape == (DEEP_N, DEEP_H, DEEP_W, 3)
        assert media.contrast_limits == (0.0, 65535.0)
        assert_all_frames_match(media, plain_decode_list(deep_videos["rgb16"], "rgb48le"))
        np.testing.assert_array_equal(media[7][..., 0], ramp16(7))


def test_deep_video_contrast_reaches_napari_layers(deep_videos):
    media = open_media(deep_videos["yuv10"])
    try:
        assert media.contrast_limits == (0.0, 1023.0)
        assert media[3].dtype == np.uint16
    finally:
        media.close()


# --------------------------------------------------------------------------- metadata
def test_display_rotation_is_applied_like_ffmpeg(tmp_path):
    frames = [pattern_frame(i) for i in range(5)]
    path = write_frames(
        tmp_path / "rot.mp4",
        frames,
        "libx264",
        "yuv420p",
        "gray",
        X264_OPTIONS,
        configure=lambda s: s.set_display_rotation(90),
    )
    with av.open(str(path)) as container:
        assert next(container.decode(video=0)).rotation == 90  # counterclockwise
    stored = plain_decode_list(path, "gray")
    with VideoMedia(path) as media:
        assert media.shape == (5, WIDTH, HEIGHT)
        for i in range(5):
            np.testing.assert_array_equal(media[i], np.rot90(stored[i], 1))
    with pytest.warns(MediaWarning, match="autorotate=False"):
        media = VideoMedia(path, autorotate=False)
    assert media.shape == (5, HEIGHT, WIDTH)
    np.testing.assert_array_equal(media[2], stored[2])
    media.close()


def test_non_square_pixels_are_named_in_a_warning(tmp_path):
    path = write_frames(
        tmp_path / "sar.mp4",
        [pattern_frame(i) for i in range(3)],
        "libx264",
        "yuv420p",
        "gray",
        X264_OPTIONS,
        configure=lambda s: setattr(s.codec_context, "sample_aspect_ratio", Fraction(4, 3)),
    )
    with pytest.warns(MediaWarning, match=r"sar\.mp4.*sample aspect ratio 4:3"):
        media = VideoMedia(path)
    assert media.shape == (3, HEIGHT, WIDTH)  # stored pixels
    media.close()


def test_hdr_transfer_is_named_in_a_warning(tmp_path):
    """Phones record HLG video; players tone-map it, FFmpeg's conversion does not."""
    frames = [np.repeat(level_frame(i)[..., None], 3, axis=2) for i in range(3)]
    params = "log-level=none:colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc"
    path = write_frames(
        tmp_path / "hlg.mp4", frames, "libx265", "yuv420p10le", "rgb24", {"x265-params": params}
    )
    with pytest.warns(MediaWarning, match=r"hlg\.mp4.*HDR transfer HLG"):
        media = VideoMedia(path, gray=False)
    with media:
        assert_all_frames_match(media, plain_decode_list(path, "rgb48le"))


def test_ordinary_video_opens_without_warning(tv_range_video):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        VideoMedia(tv_range_video).close()


def test_other_video_streams_are_named(tmp_path):
    path = tmp_path / "two_streams.mkv"
    with av.open(str(path), "w") as out:
        main = out.add_stream("libx264", rate=30)
        main.width, main.height, main.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        thumb = out.add_stream("mpeg4", rate=30)
        thumb.width, thumb.height, thumb.pix_fmt = 32, 32, "yuv420p"
        for i in range(6):
            out.mux(main.encode(av.VideoFrame.from_ndarray(pattern_frame(i), format="gray")))
            small = np.full((32, 32), 40 * (i % 5), np.uint8)
            out.mux(thumb.encode(av.VideoFrame.from_ndarray(small, format="gray")))
        out.mux(main.encode())
        out.mux(thumb.encode())
    with av.open(str(path)) as container:
        best = container.streams.best("video")
        best_size = (best.height, best.width)
    with pytest.warns(MediaWarning, match=r"video streams? \d"):
        media = VideoMedia(path)
    assert media.shape[1:] == best_size
    media.close()


# --------------------------------------------------------------------------- damaged stretch
BAD = range(24, 30)


@pytest.fixture(scope="module", params=["mpeg4", "libx264"])
def damaged_video(request, tmp_path_factory):
    """60 pictures, keyframe every 12, pictures 24..29 overwritten with junk bytes."""
    codec = request.param
    packets, extradata = encode_packets(
        (pattern_frame(i) for i in range(60)), WIDTH, HEIGHT, codec=codec, gop=12, b_frames=0
    )

    def damage(packet):
        if packet.pts in BAD:
            data = bytes(packet)
            return data[:4] + b"\xff" * (len(data) - 4)
        return None

    path = tmp_path_factory.mktemp("damaged") / f"{codec}.mp4"
    muxer_codec = "h264" if codec == "libx264" else codec
    return mux_packets(path, packets, extradata, WIDTH, HEIGHT, codec=muxer_codec, replace=damage)


def test_damaged_stretch_names_the_frame(damaged_video):
    decoded = plain_decode(damaged_video, "gray")
    with VideoMedia(damaged_video) as media:
        pts = media.frame_index.pts
        missing = [i for i in range(len(media)) if int(pts[i]) not in decoded]
        assert missing[:6] == list(BAD)
        for i in range(len(media)):
            if i in missing:
                with pytest.raises(
                    FrameDecodeError, match=rf"frame {i} could not be decoded"
                ) as info:
                    media[i]
                assert info.value.frame == i
                assert damaged_video.name in str(info.value)
            else:
                np.testing.assert_array_equal(media[i], decoded[int(pts[i])], err_msg=f"frame {i}")


def test_damaged_stretch_random_access_matches_sequential_decode(damaged_video):
    decoded = plain_decode(damaged_video, "gray")
    order = [31, 27, 40, 23, 36, 24, 30, 59, 0, 35, 29, 12]
    with VideoMedia(damaged_video, read_ahead=0, cache_size=1) as media:
        pts = media.frame_index.pts
        for i in order:
            if int(pts[i]) in decoded:
                np.testing.assert_array_equal(media[i], decoded[int(pts[i])], err_msg=f"frame {i}")
            else:
                with pytest.raises(FrameDecodeError):
                    media[i]


def test_frame_decode_error_is_a_media_error():
    assert issubclass(FrameDecodeError, MediaError)


@pytest.mark.parametrize(
    ("ffmpeg_filter", "argument"),
    [
        ("transpose", "cclock_flip"),
        ("transpose", "clock"),
        ("transpose", "cclock"),
        ("transpose", "clock_flip"),
        ("hflip", None),
        ("vflip", None),
    ],
)
def test_display_operations_equal_ffmpegs_filters(ffmpeg_filter, argument):
    """Each operation autorotate may insert gives what FFmpeg's own filter gives."""
    from napari_whiskertoolbox.media.video_metadata import TRANSPOSE_OPS, DisplayTransform

    image = (np.arange(6 * 4, dtype=np.uint8) * 10).reshape(6, 4)
    graph = av.filter.Graph()
    source = graph.add_buffer(width=4, height=6, format="gray", time_base=Fraction(1, 30))
    step = graph.add(ffmpeg_filter, argument) if argument else graph.add(ffmpeg_filter)
    sink = graph.add("buffersink")
    source.link_to(step)
    step.link_to(sink)
    graph.configure()
    frame = av.VideoFrame.from_ndarray(image, format="gray")
    frame.pts = 0
    graph.push(frame)
    expected = graph.pull().to_ndarray()
    ops = TRANSPOSE_OPS[argument] if argument else (ffmpeg_filter,)
    np.testing.assert_array_equal(DisplayTransform(ops).apply(image), expected)


# --------------------------------------------------------------------------- gray or colour
def colour_frame(i: int, height: int = 48, width: int = 64) -> np.ndarray:
    """RGB frame ``i``: the gray pattern with a red right half."""
    image = np.repeat(level_frame(i, height, width)[..., None], 3, axis=2)
    image[:, width // 2 :] = (200, 30, 30)
    return image


def test_colour_video_starting_dark_stays_colour(tmp_path):
    """Lights off or a camera warming up: the first frames have no colour, the rest do."""
    frames = [np.zeros((48, 64, 3), np.uint8) if i < 2 else colour_frame(i) for i in range(12)]
    options = {"preset": "veryfast", "crf": "10", "g": "4"}
    path = write_frames(tmp_path / "dark_start.mp4", frames, "libx264", "yuv420p", "rgb24", options)
    with VideoMedia(path) as media:
        assert not media.gray
        assert media.shape == (12, 48, 64, 3)
        assert_all_frames_match(media, plain_decode_list(path, "rgb24"))


@pytest.mark.parametrize("pix_fmt", ["nv12", "yuyv422"])
def test_colour_in_any_chroma_layout_is_seen(tmp_path, pix_fmt):
    """Semi-planar and packed YUV from USB cameras: colour on the right half only."""
    path = write_frames(
        tmp_path / f"{pix_fmt}.avi",
        [colour_frame(i) for i in range(3)],
        "rawvideo",
        pix_fmt,
        "rgb24",
    )
    gray_path = write_frames(
        tmp_path / f"{pix_fmt}_gray.avi",
        [level_frame(i) for i in range(3)],
        "rawvideo",
        pix_fmt,
        "gray",
    )
    with VideoMedia(path) as media, VideoMedia(gray_path) as gray_media:
        assert not media.gray
        assert_all_frames_match(media, plain_decode_list(path, "rgb24"))
        assert gray_media.gray
        assert_all_frames_match(gray_media, plain_decode_list(gray_path, "gray"))


# --------------------------------------------------------------------------- edit list end
def trim_edit_list_end(path, keep: int) -> None:
    """Shorten the single edit of ``path`` (an MP4) to ``keep`` frames at 30 fps, in place.

    A phone's "trim" writes such an edit list: packets after its end are not shown.
    """
    data = bytearray(path.read_bytes())
    edit = data.find(b"elst")
    assert data[edit + 4] == 0  # version 0: 32-bit durations
    assert int.from_bytes(data[edit + 8 : edit + 12], "big") == 1  # one edit
    header = data.find(b"mvhd")
    timescale = int.from_bytes(data[header + 16 : header + 20], "big")
    data[edit + 12 : edit + 16] = (keep * timescale // 30).to_bytes(4, "big")
    path.write_bytes(bytes(data))


def test_video_trimmed_at_its_end_seeks_fast(tmp_path):
    packets, extradata = encode_packets(
        (pattern_frame(i) for i in range(30)), WIDTH, HEIGHT, gop=10, b_frames=2
    )
    path = mux_packets(tmp_path / "trimmed.mp4", packets, extradata, WIDTH, HEIGHT, shift=2)
    trim_edit_list_end(path, 20)
    reference = plain_decode_list(path, "gray")
    assert [read_pattern(frame) for frame in reference] == list(range(2, 22))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        media = VideoMedia(path, read_ahead=0, cache_size=1)
    with media:
        for i in [19, 0, 12, 7, 18, 8, 1]:
            np.testing.assert_array_equal(media[i], reference[i], err_msg=f"frame {i}")
        assert len(media) == 20


# --------------------------------------------------------------------------- damage leaking
def avcc_pps(extradata: bytes) -> bytes:
    """The (first) picture parameter set NAL unit of an H.264 ``avcC`` record."""
    i = 6
    for _ in range(extradata[5] & 0x1F):  # sequence parameter sets
        i += 2 + int.from_bytes(extradata[i : i + 2], "big")
    return extradata[i + 3 : i + 3 + int.from_bytes(extradata[i + 1 : i + 3], "big")]


def _with_foreign_pps(payload: bytes, pps: bytes) -> bytes:
    """The packet, its parameter set rewritten first: FFmpeg rejects the packet."""
    return len(pps).to_bytes(4, "big") + pps + payload


def _cut_with_foreign_pps(payload: bytes, pps: bytes) -> bytes:
    """Half the packet's slice, then a parameter set: the frame is concealed, not rejected."""
    half = int.from_bytes(payload[:4], "big") // 2
    return half.to_bytes(4, "big") + payload[4 : 4 + half] + len(pps).to_bytes(4, "big") + pps


@pytest.mark.parametrize(
    ("damage", "first_read"), [(_with_foreign_pps, 19), (_cut_with_foreign_pps, 17)]
)
def test_damage_does_not_change_frames_read_later(tmp_path, damage, first_read):
    """A damaged packet rewrites the decoder's parameter set; a seek back must not keep it.

    The last packet (picture 18, a B-frame) carries a foreign picture parameter set (CAVLC
    instead of CABAC, as garbage bytes or a careless concatenation leave). Matroska keeps
    parameter sets out of band and FFmpeg keeps them over a seek, so frames read after
    the damage were undecodable although FFmpeg's sequential decode gives them. Frame 19
    presents after the damaged packet is decoded; frame 17 presents before the concealed
    picture 18, which the decoder still holds when the reader seeks away.
    """
    frames = [pattern_frame(i) for i in range(20)]
    params = "keyint=10:min-keyint=10:scenecut=0:bframes=2"
    source = write_frames(
        tmp_path / "source.mkv",
        frames,
        "libx264",
        "yuv420p",
        "gray",
        {"preset": "veryfast", "x264-params": params},
    )
    foreign = write_frames(
        tmp_path / "cavlc.mkv",
        frames[:1],
        "libx264",
        "yuv420p",
        "gray",
        {"preset": "veryfast", "x264-params": params + ":cabac=0"},
    )
    with av.open(str(foreign)) as container:
        foreign_pps = avcc_pps(bytes(container.streams.video[0].codec_context.extradata or b""))
    path = tmp_path / "damaged.mkv"
    with av.open(str(source)) as source_file, av.open(str(path), "w") as out:
        stream = out.add_stream_from_template(source_file.streams.video[0])
        packets = [p for p in source_file.demux(video=0) if p.size]
        for packet in packets:
            if packet is packets[-1]:
                damaged = av.Packet(damage(bytes(packet), foreign_pps))
                damaged.pts, damaged.dts, damaged.time_base = (
                    packet.pts,
                    packet.dts,
                    packet.time_base,
                )
                packet = damaged
            packet.stream = stream
            out.mux(packet)
    decoded = plain_decode(path, "gray")
    with VideoMedia(path, read_ahead=0, cache_size=1) as media:
        pts = media.frame_index.pts
        assert read_pattern(media[first_read]) == first_read  # decodes the damaged packet
        for i in [12, 3, 0, 9, 8, 7]:  # random order, then stepping back
            np.testing.assert_array_equal(media[i], decoded[int(pts[i])], err_msg=f"frame {i}")


# --------------------------------------------------------------------------- RGB as ffmpeg converts
def colour_ramp(i: int, height: int = 32, width: int = 48) -> np.ndarray:
    """16-bit RGB frame with sharp colour edges (chroma interpolation shows on them)."""
    rows, cols = np.mgrid[0:height, 0:width]
    red = (cols * 1361 + 977 * i) % 65536
    green = np.where((rows // 3 + cols // 5 + i) % 2 == 0, 60000, 3000)
    blue = (rows * 2039 + cols * 331) % 65536
    return np.stack([red, green, blue], axis=-1).astype(np.uint16)


@pytest.mark.parametrize(
    ("name", "codec", "pix_fmt", "options"),
    [
        ("ffv1_420p10.mkv", "ffv1", "yuv420p10le", None),
        ("x264_420p10.mkv", "libx264", "yuv420p10le", X264_OPTIONS),
        ("raw_nv12.avi", "rawvideo", "nv12", None),
    ],
)
def test_rgb_values_are_ffmpegs(tmp_path, name, codec, pix_fmt, options):
    """Chroma-subsampled video in RGB: FFmpeg's scaler flags and chroma siting, not PyAV's.

    ``to_ndarray(format="rgb24")`` interpolates chroma bilinearly without the frame's chroma
    siting; ``ffmpeg -pix_fmt rgb24`` (and ``rgb48le``) does not.
    """
    frames = [colour_ramp(i) for i in range(4)]
    path = write_frames(tmp_path / name, frames, codec, pix_fmt, "rgb48le", options)
    deep = pix_fmt != "nv12"
    fmt = "rgb48le" if deep else "rgb24"
    with av.open(str(path)) as container:
        first = next(container.decode(video=0))
        pyav_default = first.to_ndarray(format=fmt)
    reference = plain_decode_list(path, fmt)
    assert not np.array_equal(pyav_default, reference[0])  # the two conversions differ here
    with VideoMedia(path, gray=False) as media:
        assert media.dtype == (np.uint16 if deep else np.uint8)
        assert_all_frames_match(media, reference)


# --------------------------------------------------------------------------- cut mid-GOP
@pytest.mark.parametrize("suffix", ["mkv", "ts", "mp4", "avi"])
def test_file_starting_mid_gop_counts_from_the_first_presented_frame(tmp_path, suffix):
    """A capture or ``-c copy`` cut that begins inside a GOP: FFmpeg presents nothing before
    the first keyframe, and FFmpeg, OpenCV, DeepLabCut and SLEAP count frames from there.

    AVI: the demuxer refuses to seek to the first packet (no keyframe at or before it),
    and frames are counted (decode-order timestamps) from the first keyframe's place.
    """
    packets, extradata = encode_packets(
        (pattern_frame(i) for i in range(30)), WIDTH, HEIGHT, gop=10, b_frames=2
    )
    path = mux_packets(tmp_path / f"mid_gop.{suffix}", packets[4:], extradata, WIDTH, HEIGHT)
    reference = plain_decode_list(path, "gray")
    assert [read_pattern(frame) for frame in reference] == list(range(10, 30))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # fast seeking is kept
        media = VideoMedia(path)
    with media:
        assert len(media) == 20
        if suffix != "avi":  # AVI's decode-order timestamps give no frame times
            assert media.frame_times is not None
            np.testing.assert_allclose(media.frame_times, np.arange(20) / 30, atol=1e-3)
        assert_all_frames_match(media, reference)
    with VideoMedia(path, read_ahead=0, cache_size=1) as media:
        for i in [19, 0, 10, 9, 11, 1, 0]:
            np.testing.assert_array_equal(media[i], reference[i], err_msg=f"frame {i}")


# --------------------------------------------------------------------------- resolution change
def test_frames_after_a_resolution_change_keep_the_first_size(tmp_path):
    """A stream whose resolution changes (an MPEG-TS recording whose camera was reset):
    ``ffmpeg`` scales every frame to the first frame's size (``-autoscale``, on by
    default); frames must keep the shape the video reports."""

    def encode(width: int, height: int, start: int) -> list[av.Packet]:
        encoder = av.CodecContext.create("libx264", "w")
        encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
        encoder.time_base, encoder.framerate = Fraction(1, 30), Fraction(30)
        encoder.options = {"preset": "veryfast", "x264-params": "keyint=5:bframes=0"}
        packets: list[av.Packet] = []
        for i in range(start, start + 10):
            frame = av.VideoFrame.from_ndarray(level_frame(i, height, width), format="gray")
            frame.pts = i
            packets += encoder.encode(frame)
        return packets + encoder.encode(None)

    path = tmp_path / "resized.ts"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("h264", rate=30)
        stream.width, stream.height, stream.time_base = 64, 48, Fraction(1, 30)
        for packet in encode(64, 48, 0) + encode(96, 64, 10):
            packet.stream, packet.time_base = stream, Fraction(1, 30)
            out.mux(packet)
    decoded = decoded_frames(path)
    assert [(f.width, f.height) for f in decoded[9:11]] == [(64, 48), (96, 64)]
    graph = av.filter.Graph()
    source = graph.add_buffer(width=96, height=64, format="yuv420p", time_base=Fraction(1, 30))
    scale, gray, sink = (
        graph.add("scale", "64:48"),
        graph.add("format", "gray"),
        graph.add("buffersink"),
    )
    source.link_to(scale)
    scale.link_to(gray)
    gray.link_to(sink)
    graph.configure()
    with VideoMedia(path) as media:
        assert media.shape == (20, 48, 64)
        for i, frame in enumerate(decoded):
            if i < 10:
                expected = ffmpeg_convert(frame, "gray")
            else:
                graph.push(frame)
                expected = graph.pull().to_ndarray()
            np.testing.assert_array_equal(media[i], expected, err_msg=f"frame {i}")
