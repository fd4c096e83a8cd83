"""A deterministic synthetic "whisker session" for demos, tests and tutorials (Qt-free).

The session imitates a head-fixed rodent filmed from above: a textured face on the left
with a whisker pad, four whiskers drawn as bright curves sweeping back and forth
(whisking), and a thin pole the whiskers touch at full protraction. Everything stored in
the :class:`~napari_whiskertoolbox.core.DataManager` is computed from the same geometry
used to draw the video, so the traced whiskers lie exactly on the drawn ones, the points
sit on the nose and pad, and the contacts match the whisker angle. The video is a
:class:`SampleVideo`, which renders a frame when it is read: a 200 000-frame session holds
its annotations in memory, not 15 GB of frames.

Clocks follow WhiskerToolbox: a master clock ``"time"`` ticking :data:`MASTER_RATE` times
per second (the analog angle, contact events and intervals are bound to it) and a
``"camera"`` clock whose values are the master ticks at which each video frame was taken
(the video, whiskers, points and mask are bound to it).
"""

from __future__ import annotations

import threading

import numpy as np

from napari_whiskertoolbox.core import (
    AnalogTimeSeries,
    DataManager,
    DigitalEventSeries,
    DigitalIntervalSeries,
    ImageSize,
    LineData,
    MaskData,
    PointData,
    TimeFrame,
)
from napari_whiskertoolbox.core.media import MediaData
from napari_whiskertoolbox.media.frame_cache import FrameCache
from napari_whiskertoolbox.transforms.units import DEGREES

__all__ = [
    "CAMERA_RATE",
    "CONTACT_THRESHOLD_DEG",
    "IMAGE_SIZE",
    "MASTER_RATE",
    "TICKS_PER_FRAME",
    "SampleVideo",
    "make_sample_session",
    "whisker_angle_deg",
]

CAMERA_RATE = 500.0
"""Video frames per second."""
TICKS_PER_FRAME = 10
"""Master-clock ticks between two video frames."""
MASTER_RATE = CAMERA_RATE * TICKS_PER_FRAME
"""Ticks per second of the master ``"time"`` clock."""
IMAGE_SIZE = ImageSize(width=320, height=240)
CONTACT_THRESHOLD_DEG = 14.0
"""Whisker angle (degrees) above which the whiskers touch the pole."""

WHISKING_HZ = 8.0
N_POINTS_PER_WHISKER = 30
_WHISKER_OFFSETS_DEG = np.array([24.0, 8.0, -8.0, -24.0])  # top whiskers point up
_WHISKER_LENGTHS = np.array([118.0, 128.0, 124.0, 112.0])
_WHISKER_CURVATURE = 0.0025  # radians per pixel of arc length: whiskers bend backward gently
_PAD_CENTER = np.array([110.0, 120.0])  # (x, y) at rest
_PAD_RADII = (16.0, 34.0)
_FACE_CENTER = np.array([55.0, 120.0])
_FACE_RADII = (90.0, 62.0)
_NOSE = np.array([143.0, 120.0])
_WHISKER_BASE_X = 118.0
_WHISKER_BASE_Y = np.array([-24.0, -8.0, 8.0, 24.0])
_POLE_RADIUS = 3.0
_NOISE_BANK_SIZE = 8
_CHUNK_FRAMES = 4096  # frames per block when building the annotation arrays


def whisker_angle_deg(seconds: np.ndarray) -> np.ndarray:
    """Return the mean whisker angle (degrees, positive = protraction) at times in seconds."""
    t = np.asarray(seconds, dtype=np.float64)
    return 18.0 * np.sin(2 * np.pi * WHISKING_HZ * t) + 5.0 * np.sin(2 * np.pi * 1.3 * t + 0.4)


def make_sample_session(n_frames: int = 300, seed: int = 0) -> DataManager:
    """Build the synthetic whisker session.

    Parameters
    ----------
    n_frames : int
        Number of video frames (the master clock has ``n_frames * TICKS_PER_FRAME`` ticks).
    seed : int
        Seed of the textures and noise; equal arguments give equal data (entity ids aside,
        which are unique per process).

    Returns
    -------
    DataManager
        Keys: ``"media"`` (gray video, ``(n_frames, 240, 320)`` uint8, a
        :class:`SampleVideo` rendering each frame when read), ``"whiskers"``
        (LineData, 4 whiskers × 30 points per frame), ``"nose"`` and ``"pad"`` (PointData,
        one point per frame), ``"pad_mask"`` (MaskData, the whisker pad), all on the
        ``"camera"`` clock; ``"whisker_angle"`` (AnalogTimeSeries, unit ``"degrees"``), ``"contact"``
        (DigitalIntervalSeries, angle above :data:`CONTACT_THRESHOLD_DEG`) and
        ``"contact_events"`` (DigitalEventSeries, contact onsets) on the ``"time"`` clock.
        The session starts unmodified with an empty undo history.
    """
    if n_frames < 1:
        raise ValueError(f"n_frames must be >= 1, got {n_frames}")
    frame_ticks = np.arange(n_frames, dtype=np.int64) * TICKS_PER_FRAME
    master_ticks = np.arange(n_frames * TICKS_PER_FRAME, dtype=np.int64)
    head = _head_shift(frame_ticks / MASTER_RATE)
    pole = _pole_position()
    video = SampleVideo(n_frames, seed)

    master_angle = whisker_angle_deg(master_ticks / MASTER_RATE).astype(np.float32)
    contact_pairs = _runs_above(master_angle, CONTACT_THRESHOLD_DEG)

    dm = DataManager()
    dm.set_time("time", TimeFrame(master_ticks, sampling_rate=MASTER_RATE))
    # a clock's sampling_rate is ticks of its time values per second: the camera's values
    # are master ticks, so seconds come out right on both clocks
    dm.set_time("camera", TimeFrame(frame_ticks, sampling_rate=MASTER_RATE))
    dm.set_data("media", video, "camera")
    dm.set_data("whiskers", _line_data(frame_ticks), "camera")
    dm.set_data("nose", _point_data(_NOSE + head), "camera")
    dm.set_data("pad", _point_data(_PAD_CENTER + head), "camera")
    dm.set_data("pad_mask", _pad_mask(head), "camera")
    dm.set_data("whisker_angle", AnalogTimeSeries(master_angle, unit=DEGREES), "time")
    dm.set_data("contact", DigitalIntervalSeries(contact_pairs), "time")
    dm.set_data("contact_events", DigitalEventSeries(contact_pairs[:, 0]), "time")
    dm.metadata["sample"] = {
        "description": "synthetic whisker session",
        "n_frames": int(n_frames),
        "seed": int(seed),
        "camera_rate": CAMERA_RATE,
        "master_rate": MASTER_RATE,
        "contact_threshold_deg": CONTACT_THRESHOLD_DEG,
        "pole_xy": [float(pole[0]), float(pole[1])],
    }
    dm.history.clear()
    dm.mark_saved()
    return dm


# ---------------------------------------------------------------------- geometry
def _head_shift(seconds: np.ndarray) -> np.ndarray:
    """Whole-pixel head motion ``(n, 2)`` as (dx, dy): slow drift of a few pixels."""
    dx = np.rint(4.0 * np.sin(2 * np.pi * 0.9 * seconds))
    dy = np.rint(3.0 * np.sin(2 * np.pi * 0.6 * seconds + 1.0))
    return np.column_stack((dx, dy))


def _whisker_curves(angles_deg: np.ndarray, head: np.ndarray, n_samples: int) -> np.ndarray:
    """Points along each whisker, ``(n_frames, n_whiskers, n_samples, 2)`` float64 (x, y).

    Each whisker is an arc of constant curvature leaving its base on the pad at the frame's
    angle plus the whisker's own offset; positive angles sweep the whiskers forward (up).
    """
    s = np.linspace(0.0, 1.0, n_samples)[None, None, :] * _WHISKER_LENGTHS[None, :, None]
    start = np.deg2rad(angles_deg[:, None, None] + _WHISKER_OFFSETS_DEG[None, :, None])
    phi = -start + _WHISKER_CURVATURE * s  # image y points down: forward (up) is negative
    k = _WHISKER_CURVATURE
    x = (np.sin(phi) - np.sin(-start)) / k
    y = -(np.cos(phi) - np.cos(-start)) / k
    base_x = _WHISKER_BASE_X + head[:, 0, None, None]
    base_y = _PAD_CENTER[1] + _WHISKER_BASE_Y[None, :, None] + head[:, 1, None, None]
    return np.stack((base_x + x, base_y + y), axis=-1)


def _pole_position() -> np.ndarray:
    """(x, y) of the pole: where the second whisker's tip reaches at the contact angle."""
    curve = _whisker_curves(np.array([CONTACT_THRESHOLD_DEG]), np.zeros((1, 2)), 2)
    return curve[0, 1, -1] + np.array([-6.0, -4.0])


def _runs_above(values: np.ndarray, threshold: float) -> np.ndarray:
    """Inclusive ``[start, end]`` index pairs of the runs where ``values > threshold``."""
    above = np.concatenate(([False], values > threshold, [False]))
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    return np.column_stack((edges[0::2], edges[1::2] - 1)).astype(np.int64)


# ---------------------------------------------------------------------- data objects
def _frame_whiskers(frame_ticks: np.ndarray) -> np.ndarray:
    """Return the whisker points of the frames taken at master ``frame_ticks``.

    Returns ``(n, 4, 30, 2)`` float64 (x, y) in pixels.
    """
    seconds = frame_ticks / MASTER_RATE
    angles = whisker_angle_deg(seconds)
    return _whisker_curves(angles, _head_shift(seconds), N_POINTS_PER_WHISKER)


def _line_data(frame_ticks: np.ndarray) -> LineData:
    """Return the traced whiskers, built block by block into one float32 coordinate array."""
    n_frames, n_whiskers = len(frame_ticks), len(_WHISKER_OFFSETS_DEG)
    n_points = N_POINTS_PER_WHISKER
    per_frame = n_whiskers * n_points
    coords = np.empty((n_frames * per_frame, 2), np.float32)
    for start in range(0, n_frames, _CHUNK_FRAMES):
        stop = min(start + _CHUNK_FRAMES, n_frames)
        block = _frame_whiskers(frame_ticks[start:stop])
        coords[start * per_frame : stop * per_frame] = block.reshape(-1, 2)
    times = np.repeat(np.arange(n_frames, dtype=np.int64), n_whiskers)
    offsets = np.arange(n_frames * n_whiskers + 1, dtype=np.int64) * n_points
    return LineData.from_flat(times, coords, offsets=offsets, image_size=IMAGE_SIZE, copy=False)


def _point_data(xy: np.ndarray) -> PointData:
    times = np.arange(len(xy), dtype=np.int64)
    return PointData.from_flat(times, xy.astype(np.float32), image_size=IMAGE_SIZE, copy=False)


def _ellipse_pixels(center: np.ndarray, radii: tuple[float, float]) -> np.ndarray:
    """Integer (x, y) pixels inside an axis-aligned ellipse, ``(N, 2)`` int64."""
    rx, ry = radii
    ys, xs = np.mgrid[-int(ry) : int(ry) + 1, -int(rx) : int(rx) + 1]
    inside = (xs / rx) ** 2 + (ys / ry) ** 2 <= 1.0
    return np.column_stack((xs[inside], ys[inside])) + np.rint(center).astype(np.int64)


def _pad_mask(head: np.ndarray) -> MaskData:
    """Return the pad ellipse moved with the head, pixels outside the image dropped.

    Which template pixels stay inside depends only on the frame's (dx, dy), so it is worked
    out once per distinct shift; the pixels are then written block by block into one uint32
    array of the final size.
    """
    template = _ellipse_pixels(_PAD_CENTER, _PAD_RADII)
    shifts = head.astype(np.int64)
    unique_shifts, inverse = np.unique(shifts, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    size = np.array([IMAGE_SIZE.width, IMAGE_SIZE.height])
    moved = template[None, :, :] + unique_shifts[:, None, :]
    inside_by_shift = np.all((moved >= 0) & (moved < size), axis=2)  # (n_shifts, n_pixels)
    counts = inside_by_shift.sum(axis=1)[inverse]
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    coords = np.empty((int(offsets[-1]), 2), np.uint32)
    if inside_by_shift.all():
        # Every pixel stays inside: add straight into the output. uint32 arithmetic wraps,
        # so a negative shift (cast to uint32) still lands on the right, in-range pixel.
        # One axis at a time keeps numpy's inner loop long (a template row, not a pair).
        out = coords.reshape(len(shifts), len(template), 2)
        pixels, moves = template.astype(np.uint32), shifts.astype(np.uint32)
        for axis in (0, 1):
            np.add(pixels[None, :, axis], moves[:, axis, None], out=out[:, :, axis])
    else:
        for start in range(0, len(shifts), _CHUNK_FRAMES):
            stop = min(start + _CHUNK_FRAMES, len(shifts))
            block = template[None, :, :] + shifts[start:stop, None, :]
            rows = block[inside_by_shift[inverse[start:stop]]]
            coords[offsets[start] : offsets[stop]] = rows
    times = np.arange(len(head), dtype=np.int64)
    return MaskData.from_flat(times, coords, offsets=offsets, image_size=IMAGE_SIZE, copy=False)


# ---------------------------------------------------------------------- rendering
class SampleVideo(MediaData):
    """The session's gray video, each frame rendered when it is read.

    Frame ``i`` is drawn from the same geometry as the stored annotations: the textured face
    moved by the head shift, one of a few noise images, the pole, and the four whiskers at
    the angle of the frame's master tick. Only the textures, the noise images and a few
    recently read frames are held (about 5 MB whatever ``n_frames``); equal arguments give
    equal pixels, in any order of reading. Pickles as its arguments.

    Parameters
    ----------
    n_frames : int
        Number of frames (>= 1).
    seed : int
        Seed of the textures and noise.
    cache_size : int
        Rendered frames kept (least recently read dropped first); 0 disables the cache.

    Raises
    ------
    ValueError
        If ``n_frames`` < 1 or ``cache_size`` < 0.
    """

    kind = "video"

    def __init__(self, n_frames: int, seed: int = 0, cache_size: int = 16) -> None:
        if n_frames < 1:
            raise ValueError(f"n_frames must be >= 1, got {n_frames}")
        self._n_frames = int(n_frames)
        self._seed = int(seed)
        self._cache = FrameCache(cache_size)
        self._lock = threading.Lock()
        self._face, self._pole_disk, self._noise_bank = _textures(np.random.default_rng(seed))

    def __reduce__(self) -> tuple[type[SampleVideo], tuple[int, int, int]]:
        # The lock cannot travel; the textures are re-drawn from the seed.
        return (type(self), (self._n_frames, self._seed, self._cache.capacity))

    @property
    def shape(self) -> tuple[int, ...]:
        """``(n_frames, 240, 320)``."""
        return (self._n_frames, IMAGE_SIZE.height, IMAGE_SIZE.width)

    @property
    def dtype(self) -> np.dtype:
        """``uint8``."""
        return np.dtype(np.uint8)

    @property
    def seed(self) -> int:
        """Seed of the textures and noise."""
        return self._seed

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays held: textures, noise images and cached frames."""
        with self._lock:
            cached = len(self._cache) * self.height * self.width
        return self._face.nbytes + self._pole_disk.nbytes + self._noise_bank.nbytes + cached

    def frame(self, index: int) -> np.ndarray:
        """Return frame ``index`` as a read-only ``(240, 320)`` uint8 array.

        Raises
        ------
        IndexError
            If ``index`` is out of range (negative indices count back).
        """
        i = self._normalise_index(index)
        with self._lock:
            cached = self._cache.get(i)
        if cached is not None:
            return cached
        image = self._render(i)
        image.flags.writeable = False
        with self._lock:
            self._cache.put(i, image)
        return image

    def _render(self, i: int) -> np.ndarray:
        ticks = np.array([i * TICKS_PER_FRAME], dtype=np.int64)
        head = _head_shift(ticks / MASTER_RATE)
        dx, dy = int(head[0, 0]), int(head[0, 1])
        image = np.roll(self._face, (dy, dx), axis=(0, 1)) + self._noise_bank[i % _NOISE_BANK_SIZE]
        image[self._pole_disk] = 170.0
        video = np.clip(image, 0, 255).astype(np.uint8)[np.newaxis]
        _draw_whiskers(video, _frame_whiskers(ticks))
        return video[0]


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], scale: int) -> np.ndarray:
    """Blotchy texture in [0, 1]: coarse random values upsampled and box-blurred."""
    coarse = rng.random((shape[0] // scale + 2, shape[1] // scale + 2))
    fine = np.kron(coarse, np.ones((scale, scale)))[: shape[0], : shape[1]]
    return _box_blur(_box_blur(fine, scale).T, scale).T


def _box_blur(image: np.ndarray, width: int) -> np.ndarray:
    """Return the moving average along axis 1 (edges padded by reflection)."""
    pad = width // 2
    padded = np.pad(image, ((0, 0), (pad, width - pad)), mode="reflect")
    cumulative = np.cumsum(padded, axis=1)
    return (cumulative[:, width:] - cumulative[:, :-width]) / width


def _textures(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the still scene and the noise drawn from ``rng``.

    Returns
    -------
    face : (240, 320) float32
        Dark textured background, brighter furry face, pad and nose, at rest.
    pole_disk : (240, 320) bool
        Pixels of the pole (which does not move with the head).
    noise_bank : (8, 240, 320) float64
        Gaussian noise images; frame ``i`` adds image ``i % 8``.
    """
    height, width = IMAGE_SIZE.height, IMAGE_SIZE.width
    background = 22.0 + 14.0 * _smooth_noise(rng, (height, width), 16)
    fur = 60.0 + 35.0 * _smooth_noise(rng, (height, width), 4)
    ys, xs = np.mgrid[0:height, 0:width]

    def ellipse(center: np.ndarray, radii: tuple[float, float]) -> np.ndarray:
        return ((xs - center[0]) / radii[0]) ** 2 + ((ys - center[1]) / radii[1]) ** 2 <= 1.0

    face = np.where(ellipse(_FACE_CENTER, _FACE_RADII), fur, background)
    face = np.where(ellipse(_PAD_CENTER, _PAD_RADII), fur - 18.0, face)
    face = np.where(ellipse(_NOSE, (6.0, 6.0)), 120.0, face)
    pole = _pole_position()
    pole_disk = (xs - pole[0]) ** 2 + (ys - pole[1]) ** 2 <= _POLE_RADIUS**2
    noise_bank = rng.normal(0.0, 3.0, (_NOISE_BANK_SIZE, height, width))
    return face.astype(np.float32), pole_disk, noise_bank


def _draw_whiskers(video: np.ndarray, whiskers: np.ndarray) -> None:
    """Draw every whisker as a bright curve, 2 px thick near the base, fading towards the tip."""
    n_frames, _n_whiskers, n_points, _ = whiskers.shape
    density = 4  # samples per pixel of whisker length
    n_dense = int(_WHISKER_LENGTHS.max()) * density
    u = np.linspace(0.0, n_points - 1, n_dense)
    lower = np.minimum(np.floor(u).astype(int), n_points - 2)
    frac = (u - lower)[None, None, :, None]
    dense = whiskers[:, :, lower] * (1 - frac) + whiskers[:, :, lower + 1] * frac
    brightness = np.linspace(250.0, 200.0, n_dense)
    thick = u < (n_points - 1) * 0.5
    height, width = video.shape[1:]
    frames = np.broadcast_to(np.arange(n_frames)[:, None, None], dense.shape[:3])
    for dy, mask in ((0, np.ones(n_dense, bool)), (1, thick)):
        x = np.rint(dense[..., 0]).astype(np.int64)
        y = np.rint(dense[..., 1]).astype(np.int64) + dy
        value = np.broadcast_to(brightness, x.shape)
        keep = (x >= 0) & (x < width) & (y >= 0) & (y < height) & mask
        video[frames[keep], y[keep], x[keep]] = value[keep].astype(np.uint8)
