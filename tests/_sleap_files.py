"""SLEAP projects written with sleap-io itself, for the io tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from pathlib import Path

TWO_FRAMES = (1, 4)
"""The frames :func:`write_two_frame_slp` labels."""


def write_two_frame_slp(path: Path, video: str | Any) -> Path:
    """Write a ``.slp`` with sleap-io: skeleton ``a``-``b``, one user instance on frames 1 and 4.

    Parameters
    ----------
    path : Path
        The ``.slp`` to write.
    video : str or sleap_io.Video
        The video labelled: a sleap-io ``Video``, or a file name (a ``Video`` not opened, as
        a project refers to a video it can no longer find).

    Returns
    -------
    Path
        ``path``. The instance on frame ``t`` has ``a`` at ``(1 + t, 2)`` and ``b`` at
        ``(3, 4)``.
    """
    import sleap_io as sio

    skeleton = sio.Skeleton(nodes=["a", "b"], edges=[["a", "b"]])
    if isinstance(video, str):
        video = sio.Video(filename=video, open_backend=False)
    frames = [
        sio.LabeledFrame(
            video=video,
            frame_idx=t,
            instances=[sio.Instance.from_numpy(np.array([[1.0 + t, 2.0], [3.0, 4.0]]), skeleton=skeleton)],
        )
        for t in TWO_FRAMES
    ]  # fmt: skip
    sio.save_slp(sio.Labels(labeled_frames=frames, videos=[video], skeletons=[skeleton]), str(path))
    return path
