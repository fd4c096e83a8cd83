"""V1 ``Track Points Through Masks (Particle Filter)``: fill the frames between labelled points.

A port of WhiskerToolbox's ``transforms/Points/Point_Particle_Filter/point_particle_filter.cpp``
and ``StateEstimation/MaskParticleFilter.cpp`` (``MaskPointTracker``), vectorised over the
particles with numpy. Between every two consecutive labelled frames of a track:

* every frame's mask is the concatenation of all masks of that frame (pixels in stored
  order; empty = no constraint that frame);
* **initialisation**: ``num_particles`` particles drawn uniformly from the first frame's mask
  pixels within ``transition_radius`` of the start label (log weight ``-distance / radius``),
  or all on the nearest mask pixel (log weight 0); velocity = (end - start) / frames plus
  Gaussian noise (``velocity_noise_std``) when ``use_velocity_model``;
* **prediction** on each later frame (frames without mask pixels leave the particles alone):

  - velocity model: predicted = round(position + velocity), moved to the nearest mask pixel
    (first in pixel order on ties; log weight ``-= deviation / radius``); velocity += noise;
    with probability ``random_walk_prob / 10`` a jump to a uniformly drawn mask pixel (log
    weight ``-= 2``);
  - position model: with probability ``random_walk_prob`` a jump to a uniformly drawn mask
    pixel (``-= distance / (2 radius)``); else a uniformly drawn mask pixel within
    ``transition_radius`` (``-= distance / (10 radius)``), or the nearest mask pixel when
    there is none (``-= distance / radius``);

* **systematic resampling** after every prediction (weights ``exp(w - max)``, one uniform
  offset). As in WhiskerToolbox, resampled particles keep only their position: velocity
  and log weight restart at 0, so after the first frame the velocity model predicts each
  particle's own position;
* **backward smoothing**: the labels are kept at both ends; going backwards, each frame
  takes the particle with the best ``weight - distance to the next frame's choice / radius``
  (minus ``|velocity - next velocity| / velocity_noise_std`` with the velocity model).

Tracked positions are mask pixels, so every filled-in point lies on the frame's mask (when
it has one). Labels are scaled into the mask's image size when both image sizes are known
and differ, and the results scaled back.

Differences from WhiskerToolbox, and why:

* Tracks: WhiskerToolbox tracks each entity group of the points (transforms here do not see
  entity groups); here the ``k``-th point of every frame forms track ``k`` -- with one
  point per frame, the whole series is one track (WhiskerToolbox with all labels in one
  group). A track with fewer than 2 labels is copied unchanged, as WhiskerToolbox does.
* Randomness: WhiskerToolbox seeds ``std::mt19937`` from ``std::random_device`` (a new
  result every run) and registers no JSON setters for this operation; here numpy's
  generator is seeded with :data:`DEFAULT_SEED` (``seed`` in :func:`track_points`), so runs
  are reproducible, and the parameters use the names of WhiskerToolbox's parameter struct.
  Draws differ from WhiskerToolbox's, so results agree in distribution, not bit for bit.
* Clocks: WhiskerToolbox reads the masks at the points' frame indices; here, when points
  and masks are on different clocks, each point frame reads the mask frame nearest its time
  (the same clock, or no clock: the indices as they are).
* A negative predicted coordinate becomes 0 (WhiskerToolbox casts it to ``uint32``, which
  is undefined behaviour in C++). Output points get fresh entity ids (WhiskerToolbox
  reuses one id of the group for all of them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from napari_whiskertoolbox.core.points import PointData
from napari_whiskertoolbox.transforms.registry import container_transform
from napari_whiskertoolbox.transforms.schema import p_bool, p_float, p_int, p_key

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from napari_whiskertoolbox.core.masks import MaskData
    from napari_whiskertoolbox.core.timeframe import TimeFrame
    from napari_whiskertoolbox.transforms.context import TransformContext
    from napari_whiskertoolbox.transforms.lift import Bound
    from napari_whiskertoolbox.transforms.schema import Params

__all__ = ["DEFAULT_SEED", "MaskPointTracker", "track_points"]


_CHUNK = 2_000_000  # candidate pixels examined at once when drawing neighbours

DEFAULT_SEED = 20240917
"""Seed of the random generator of every run of the registered operation."""


def _round(x: np.ndarray) -> np.ndarray:
    """Round halves away from zero (C++ ``std::round``)."""
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    return np.sqrt((d * d).sum(axis=-1))


def nearest_pixels(targets: np.ndarray, pixels: np.ndarray, tree: Any = None) -> np.ndarray:
    """Return the mask pixel nearest each target (the first in ``pixels`` order on ties).

    Parameters
    ----------
    targets : (K, 2) int64 array
    pixels : (M, 2) int64 array
        Empty: the targets are returned.
    tree : scipy.spatial.cKDTree, optional
        A tree of ``pixels`` already built.
    """
    if pixels.shape[0] == 0:
        return targets.copy()
    if tree is None:
        from scipy.spatial import cKDTree

        tree = cKDTree(pixels)
    uniq, inv = np.unique(targets, axis=0, return_inverse=True)
    dist, _ = tree.query(uniq)
    # every pixel at the nearest distance (integer squared distances: a tiny tolerance
    # cannot reach the next one), then the first of them in pixel order
    ties = tree.query_ball_point(uniq, dist + 1e-6)
    best = np.fromiter((min(t) for t in ties), np.int64, count=len(ties))
    return pixels[best][inv.ravel()]


class _Frame:
    """One frame's mask pixels with a KD-tree built on first use."""

    def __init__(self, pixels: np.ndarray) -> None:
        self.pixels = pixels
        self._tree: Any = None
        self._counts: tuple[np.ndarray, int, int] | None = None

    @property
    def empty(self) -> bool:
        return self.pixels.shape[0] == 0

    @property
    def tree(self) -> Any:
        if self._tree is None:
            from scipy.spatial import cKDTree

            self._tree = cKDTree(self.pixels)
        return self._tree

    def nearest(self, targets: np.ndarray) -> np.ndarray:
        return nearest_pixels(targets, self.pixels, self.tree if not self.empty else None)

    def sample_near(
        self, centres: np.ndarray, which: np.ndarray, radius: float, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw, for each ``centres[which[j]]``, a uniform mask pixel within ``radius``.

        The draw is uniform over the frame's pixel list (a pixel listed twice, by two
        overlapping masks, counts twice), as WhiskerToolbox's draw from its neighbour list.

        Returns
        -------
        (J, 2) int64 array, (J,) bool array
            The pixels drawn, and whether the centre had any pixel within ``radius`` (where
            it had none the row is meaningless).
        """
        r = int(np.floor(radius))
        r2 = np.float32(radius) * np.float32(radius)
        dy, dx = np.mgrid[-r : r + 1, -r : r + 1]
        keep = (dx * dx + dy * dy).astype(np.float32).ravel() <= r2
        offsets = np.column_stack((dx.ravel()[keep], dy.ravel()[keep]))  # (K, 2)
        # candidates per centre: the disk's offsets, or every listed pixel when fewer
        by_pixel = self.pixels.shape[0] <= offsets.shape[0]
        width = self.pixels.shape[0] if by_pixel else offsets.shape[0]
        picked = np.zeros((which.size, 2), np.int64)
        found = np.zeros(which.size, bool)
        step = max(1, _CHUNK // max(width, 1))
        for lo in range(0, centres.shape[0], step):
            c = centres[lo : lo + step]
            if by_pixel:
                d = self.pixels[None, :, :] - c[:, None, :]
                mult = ((d * d).sum(axis=-1).astype(np.float32) <= r2).astype(np.int64)
            else:
                mult = self._multiplicity(c[:, None, :] + offsets[None, :, :])
            sel = np.flatnonzero((which >= lo) & (which < lo + c.shape[0]))
            row = which[sel] - lo
            cum = np.cumsum(mult.ravel())
            base = np.concatenate([[0], cum[width - 1 :: width][:-1]])
            n = mult.sum(axis=1)[row]
            draw = rng.integers(0, np.maximum(n, 1))
            flat = np.minimum(np.searchsorted(cum, base[row] + draw, side="right"), cum.size - 1)
            col = flat % width
            picked[sel] = self.pixels[col] if by_pixel else c[flat // width] + offsets[col]
            found[sel] = n > 0
        return picked, found

    def _multiplicity(self, cand: np.ndarray) -> np.ndarray:
        """How many times each candidate pixel ``(..., 2)`` is listed in the frame."""
        counts, x0, y0 = self._raster()
        h, w = counts.shape
        cx, cy = cand[..., 0] - x0, cand[..., 1] - y0
        inside = (cx >= 0) & (cx < w) & (cy >= 0) & (cy < h)
        return np.where(inside, counts[np.where(inside, cy, 0), np.where(inside, cx, 0)], 0)

    def _raster(self) -> tuple[np.ndarray, int, int]:
        if self._counts is None:
            lo = self.pixels.min(axis=0)
            span = self.pixels.max(axis=0) - lo + 1
            lin = (self.pixels[:, 1] - lo[1]) * span[0] + (self.pixels[:, 0] - lo[0])
            counts = np.bincount(lin, minlength=int(span[0] * span[1]))
            self._counts = (counts.reshape(int(span[1]), int(span[0])), int(lo[0]), int(lo[1]))
        return self._counts


@dataclass
class _Particles:
    pos: np.ndarray  # (N, 2) int64 pixels
    vel: np.ndarray  # (N, 2) float64, pixels per frame
    w: np.ndarray  # (N,) float64 log weights


class MaskPointTracker:
    """Discrete particle filter of one point constrained to mask pixels (WhiskerToolbox's).

    Parameters
    ----------
    num_particles : int
        Particles (>= 1).
    transition_radius : float
        Largest move per frame, pixels (> 0).
    random_walk_prob : float
        Probability of a jump to any mask pixel (a tenth of it with the velocity model).
    use_velocity_model : bool
        Constant-velocity prediction instead of a local random walk.
    velocity_noise_std : float
        Standard deviation of the velocity noise, pixels per frame.
    rng : numpy.random.Generator
        Source of every random draw.
    """

    def __init__(
        self,
        num_particles: int,
        transition_radius: float,
        random_walk_prob: float,
        use_velocity_model: bool,
        velocity_noise_std: float,
        rng: np.random.Generator,
    ) -> None:
        self.n = int(num_particles)
        self.radius = float(transition_radius)
        self.p_walk = float(random_walk_prob)
        self.velocity = bool(use_velocity_model)
        self.noise = float(velocity_noise_std)
        self.rng = rng

    def track(self, start: np.ndarray, end: np.ndarray, masks: Sequence[np.ndarray]) -> np.ndarray:
        """Return positions ``(len(masks), 2)`` int64 from ``start`` (first mask) to ``end``.

        ``start`` and ``end`` are integer pixels; ``masks`` holds each frame's ``(M, 2)``
        int64 pixels. The first and last rows are ``start`` and ``end``.
        """
        start = np.asarray(start, np.int64)
        end = np.asarray(end, np.int64)
        v0 = np.zeros(2)
        if self.velocity and len(masks) > 1:
            v0 = (end - start).astype(np.float64) / (len(masks) - 1)
        history = [self._initial(start, _Frame(masks[0]), v0)]
        for mask in masks[1:]:
            history.append(self._resample(self._predict(history[-1], _Frame(mask))))
        return self._smooth(history, start, end)

    def _velocity_noise(self) -> np.ndarray:
        if not self.velocity:
            return np.zeros((self.n, 2))
        return self.rng.normal(0.0, self.noise, (self.n, 2))

    def _initial(self, start: np.ndarray, frame: _Frame, v0: np.ndarray) -> _Particles:
        near = np.zeros(1, bool)
        if not frame.empty:
            pos, near = frame.sample_near(
                start[None], np.zeros(self.n, np.int64), self.radius, self.rng
            )
        if not near[0]:
            pos = np.repeat(frame.nearest(start[None]), self.n, axis=0)
            w = np.zeros(self.n)
        else:
            w = -_dist(pos, start) / self.radius
        return _Particles(pos, v0 + self._velocity_noise(), w)

    def _jump(self, pos: np.ndarray, which: np.ndarray, frame: _Frame) -> None:
        pos[which] = frame.pixels[self.rng.integers(0, frame.pixels.shape[0], which.size)]

    def _predict(self, p: _Particles, frame: _Frame) -> _Particles:
        if frame.empty:
            return p
        w = p.w.copy()
        if self.velocity:
            predicted = np.maximum(_round(p.pos + p.vel), 0).astype(np.int64)
            pos = frame.nearest(predicted)
            vel = p.vel + self._velocity_noise()
            w -= _dist(predicted, pos) / self.radius
            jump = np.flatnonzero(self.rng.random(self.n) < self.p_walk * 0.1)
            self._jump(pos, jump, frame)
            w[jump] -= 2.0
            return _Particles(pos, vel, w)
        pos = p.pos.copy()
        walk = self.rng.random(self.n) < self.p_walk
        jump = np.flatnonzero(walk)
        self._jump(pos, jump, frame)
        w[jump] -= _dist(p.pos[jump], pos[jump]) / (2.0 * self.radius)
        local = np.flatnonzero(~walk)
        if local.size:
            self._local_step(p.pos, pos, w, local, frame)
        return _Particles(pos, p.vel, w)

    def _local_step(
        self, old: np.ndarray, pos: np.ndarray, w: np.ndarray, local: np.ndarray, frame: _Frame
    ) -> None:
        """Move ``local`` particles to a random mask pixel within the radius (else the nearest)."""
        uniq, inv = np.unique(old[local], axis=0, return_inverse=True)
        picked, has = frame.sample_near(uniq, inv.ravel(), self.radius, self.rng)
        moved, lost = local[has], local[~has]
        pos[moved] = picked[has]
        w[moved] -= _dist(old[moved], pos[moved]) / (10.0 * self.radius)
        if lost.size:
            pos[lost] = frame.nearest(old[lost])
            w[lost] -= _dist(old[lost], pos[lost]) / self.radius

    def _resample(self, p: _Particles) -> _Particles:
        weights = np.exp(p.w - p.w.max())
        cumulative = np.cumsum(weights / weights.sum())
        u = self.rng.uniform(0.0, 1.0 / self.n) + np.arange(self.n) / self.n
        idx = np.minimum(np.searchsorted(cumulative, u, side="left"), self.n - 1)
        return _Particles(p.pos[idx], np.zeros((self.n, 2)), np.zeros(self.n))

    def _smooth(self, history: list[_Particles], start: np.ndarray, end: np.ndarray) -> np.ndarray:
        n = len(history)
        path = np.zeros((n, 2), np.int64)
        path[0], path[-1] = start, end
        chosen_vel = np.zeros(2)
        if self.velocity:
            chosen_vel = history[-1].vel[np.argmin(_dist(history[-1].pos, end))]
        for t in range(n - 1, 1, -1):
            p = history[t - 1]
            score = p.w - _dist(p.pos, path[t]) / self.radius
            if self.velocity:
                with np.errstate(divide="ignore", invalid="ignore"):
                    score = score - _dist(p.vel, chosen_vel) / self.noise
            path[t - 1] = p.pos[int(np.argmax(score))]
            if self.velocity:
                first = np.flatnonzero(np.all(p.pos == path[t - 1], axis=1))[0]
                chosen_vel = p.vel[first]
        return path


def _mask_frames(masks: MaskData) -> Callable[[int], np.ndarray]:
    """Return a lookup of the concatenated ``(M, 2)`` int64 pixels of all masks of a frame."""
    flat = masks.to_flat()
    o = flat.offsets
    assert o is not None
    times, first = np.unique(flat.times, return_index=True)
    last = np.r_[first[1:], flat.times.size]
    coords = flat.coords.astype(np.int64)
    empty = np.empty((0, 2), np.int64)

    def at(frame: int) -> np.ndarray:
        k = int(np.searchsorted(times, frame))
        if k == times.size or times[k] != frame:
            return empty
        return coords[o[first[k]] : o[last[k]]]

    return at


def _scale(points: PointData, masks: MaskData) -> np.ndarray:
    sp, sm = points.image_size, masks.image_size
    if sp is None or sm is None or tuple(sp) == tuple(sm):
        return np.ones(2)
    return np.array([sm.width / sp.width, sm.height / sp.height])


def track_points(
    points: PointData,
    masks: MaskData,
    *,
    num_particles: int = 1000,
    transition_radius: float = 5.0,
    random_walk_prob: float = 0.01,
    use_velocity_model: bool = True,
    velocity_noise_std: float = 1.0,
    seed: int | np.random.Generator = DEFAULT_SEED,
    point_clock: TimeFrame | None = None,
    mask_clock: TimeFrame | None = None,
    tick: Callable[[int, int], None] | None = None,
) -> PointData:
    """Fill the frames between labelled points by tracking through masks (module docstring).

    Parameters
    ----------
    points : PointData
        Labelled points; the ``k``-th point of each frame belongs to track ``k``.
    masks : MaskData
        Allowed pixels per frame.
    num_particles, transition_radius, random_walk_prob, use_velocity_model, velocity_noise_std
        Filter settings (WhiskerToolbox's defaults).
    seed : int or numpy.random.Generator
        Seed (or generator) of the random draws; the same seed gives the same result.
    point_clock, mask_clock : TimeFrame, optional
        The clocks of both; when both are given and differ, each point frame reads the mask
        frame nearest its time. Otherwise frame indices are used as they are.
    tick : callable, optional
        ``tick(done, total)`` progress callback (frames).

    Returns
    -------
    PointData
        Every track's labels, and one point per frame strictly between consecutive labels
        (on a mask pixel, in the points' image size); the points' image size.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    tracker = MaskPointTracker(
        num_particles,
        transition_radius,
        random_walk_prob,
        use_velocity_model,
        velocity_noise_std,
        rng,
    )
    mask_at = _mask_frames(masks)
    scale = _scale(points, masks)
    flat = points.to_flat()
    times = np.asarray(flat.times, np.int64)
    xy = np.asarray(flat.coords, np.float64)
    frame_start = np.searchsorted(times, times, side="left")
    rank = np.arange(times.size) - frame_start

    def mask_frame(t: np.ndarray) -> np.ndarray:
        if point_clock is None or mask_clock is None or point_clock is mask_clock:
            return t
        return mask_clock.indices_at_times(point_clock.times_at_indices(t), preceding=True)

    out_t: list[np.ndarray] = [times]
    out_xy: list[np.ndarray] = [xy]
    out_rank: list[np.ndarray] = [rank]
    segments = []
    for k in range(int(rank.max()) + 1 if rank.size else 0):
        sel = np.flatnonzero(rank == k)
        segments += [(k, sel[i], sel[i + 1]) for i in range(sel.size - 1)]
    total = int(sum(times[b] - times[a] + 1 for _, a, b in segments))
    done = 0
    for k, a, b in segments:
        frames = np.arange(times[a], times[b] + 1)
        if tick is not None:
            tick(done, total)
        done += frames.size
        if frames.size < 3:
            continue
        masks_seq = [mask_at(int(f)) for f in mask_frame(frames)]
        ends = [np.maximum(_round(xy[i] * scale), 0).astype(np.int64) for i in (a, b)]
        path = tracker.track(ends[0], ends[1], masks_seq)
        out_t.append(frames[1:-1])
        out_xy.append(path[1:-1] / scale)
        out_rank.append(np.full(frames.size - 2, k))
    all_t = np.concatenate(out_t)
    order = np.lexsort((np.concatenate(out_rank), all_t))
    return PointData.from_flat(
        all_t[order],
        np.concatenate(out_xy)[order].astype(np.float32),
        image_size=points.image_size,
    )


@container_transform(
    "Track Points Through Masks (Particle Filter)",
    ("points",),
    "points",
    (
        p_key("mask_data", ("mask",), "key of the masks the points must stay on"),
        p_int("num_particles", 1000, "particles per track", minimum=1),
        p_float(
            "transition_radius",
            5.0,
            "largest move per frame, pixels",
            minimum=0.0,
            exclusive_minimum=True,
        ),
        p_float(
            "random_walk_prob",
            0.01,
            "probability of a jump anywhere on the mask",
            minimum=0.0,
            maximum=1.0,
        ),
        p_bool("use_velocity_model", True, "constant-velocity prediction"),
        p_float("velocity_noise_std", 1.0, "velocity noise SD, pixels per frame", minimum=0.0),
    ),
    engine="v1",
    category="V1 operations",
    description="Fill the frames between labelled points with a particle filter on the masks.",
    source="WhiskerToolbox transforms/Points/Point_Particle_Filter/point_particle_filter.cpp",
)
def particle_filter(inputs: Sequence[Bound], p: Params, ctx: TransformContext) -> Any:
    """Track the labelled points through ``mask_data`` (seeded with :data:`DEFAULT_SEED`)."""
    mask_bound: Bound = p.mask_data
    return track_points(
        inputs[0].data,
        mask_bound.data,
        num_particles=p.num_particles,
        transition_radius=p.transition_radius,
        random_walk_prob=p.random_walk_prob,
        use_velocity_model=p.use_velocity_model,
        velocity_noise_std=p.velocity_noise_std,
        point_clock=inputs[0].clock,
        mask_clock=mask_bound.clock,
        tick=ctx.tick,
    )
