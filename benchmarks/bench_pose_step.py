"""Frame-step cost of a multi-animal pose set (its keypoints layer + the skeleton layer).

Run under a virtual display::

    xvfb-run -a .venv/bin/python benchmarks/bench_pose_step.py [--steps 30] [--rounds 3] [--sizes 1000 200000]

Three viewers share one lazy 640x480 media: the Image layer alone; the media and a pose set
of 2 individuals x 5 body parts (10 keys, one point each per frame, shown in one Points
layer) without a skeleton; and the same with a 4-edge skeleton per individual (one Vectors
layer). They take
turns (as in ``bench_frame_step.py``, whose timing helpers this script reuses) and the
medians of *ready* (wall time until every layer holds the frame) are printed with the
ratios to the Image-only step. The budget (design.md section 5): the whole step <= 2x the
Image-only step, flat from 1k to 200k frames.
"""

from __future__ import annotations

import argparse
import gc

import numpy as np

from bench_frame_step import WARM_STEPS, LoopMedia, settle, time_steps
from napari_whiskertoolbox.core import DataManager, PointData
from napari_whiskertoolbox.io.contributions import commit
from napari_whiskertoolbox.io.pose import PoseSet, pose_key

BODYPARTS = ["nose", "ear_l", "ear_r", "neck", "tail"]
SKELETON = [("nose", "ear_l"), ("nose", "ear_r"), ("nose", "neck"), ("neck", "tail")]
INDIVIDUALS = ["mouse1", "mouse2"]


def pose_entries(n_frames: int, skeleton: bool) -> list[tuple[str, object]]:
    """Keys of a 2-animal pose set with a point on every frame, and its PoseSet."""
    frames = np.arange(n_frames, dtype=np.int64)
    wobble = (frames % 40).astype(np.float32)
    entries: list[tuple[str, object]] = []
    keys: dict[str, dict[str, str]] = {}
    for m, mouse in enumerate(INDIVIDUALS):
        for b, part in enumerate(BODYPARTS):
            xy = np.empty((n_frames, 2), np.float32)
            xy[:, 0] = 100 + 250 * m + 30 * b + wobble
            xy[:, 1] = 150 + 20 * b + wobble
            key = pose_key("mice", mouse, part)
            entries.append((key, PointData.from_flat(frames, xy, image_size=(640, 480))))
            keys.setdefault(mouse, {})[part] = key
    pose = PoseSet("mice", BODYPARTS, INDIVIDUALS, SKELETON if skeleton else [], keys)
    return [*entries, ("mice", pose)]


def run(n_frames: int, n_steps: int, rounds: int) -> dict[str, np.ndarray]:
    import napari
    from qtpy.QtWidgets import QApplication

    from napari_whiskertoolbox.layers.session import ViewerSession

    media = LoopMedia(n_frames)
    variants = {"image": None, "points": False, "points+skeleton": True}
    sessions = {}
    for name, skeleton in variants.items():
        dm = DataManager()
        dm.set_data("media", media)
        if skeleton is not None:
            commit(dm, pose_entries(n_frames, skeleton))
        sessions[name] = ViewerSession(napari.Viewer(show=False), dm)
    assert len(sessions["points+skeleton"].viewer.layers) == 1 + 1 + 1  # media, keypoints, skeleton
    app = QApplication.instance()
    timings: dict[str, list[np.ndarray]] = {name: [] for name in variants}
    stride = WARM_STEPS + n_steps + 10
    frame = max(0, (n_frames - len(variants) * rounds * stride) // 2)
    for _ in range(rounds):
        for name, session in sessions.items():
            session.set_frame(frame)
            settle(app)
            time_steps(session, app, frame, WARM_STEPS)
            timings[name].append(time_steps(session, app, frame + WARM_STEPS, n_steps))
            frame += stride
    skeleton = sessions["points+skeleton"].viewer.layers["mice skeleton"]
    assert len(skeleton.data) == 2 * len(SKELETON)
    for session in sessions.values():
        viewer = session.viewer
        session.close()
        viewer.close()
    gc.collect()
    return {name: np.median(np.concatenate(t), axis=0) * 1e3 for name, t in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 200_000])
    args = parser.parse_args()
    print("frame step (ready, wall, ms, median), 640x480 lazy media, hidden viewers")
    print(f"{'frames':>8} {'image':>8} {'points':>8} {'ratio':>6} {'+skeleton':>10} {'ratio':>6}")
    for n in args.sizes:
        t = run(n, args.steps, args.rounds)
        image, points, full = t["image"][0], t["points"][0], t["points+skeleton"][0]
        print(
            f"{n:>8} {image:>8.2f} {points:>8.2f} {points / image:>6.2f} {full:>10.2f} {full / image:>6.2f}"
        )


if __name__ == "__main__":
    main()
