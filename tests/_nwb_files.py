"""NWB files written with pynwb and ndx-pose themselves, for the tests."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from pathlib import Path

START = dt.datetime(2024, 5, 6, 12, 0, tzinfo=dt.UTC)
"""The session start time of the files written here."""


def write_generic_pose(path: Path) -> Path:
    """Write a pose estimation as DeepLabCut-to-NWB converters write it.

    Parameters
    ----------
    path : Path
        The ``.nwb`` to write.

    Returns
    -------
    Path
        ``path``: the signal ``emg`` (5 samples, 'V', 10 Hz) and the ``PoseEstimation``
        ``pose`` (nodes ``nose`` and ``ear``, 3 frames, confidence, unit 'mm').
    """
    from ndx_pose import PoseEstimation, PoseEstimationSeries
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries

    nwbfile = NWBFile(session_description="pose", identifier="p1", session_start_time=START)
    nwbfile.add_acquisition(TimeSeries(name="emg", data=np.arange(5.0), unit="V", rate=10.0))
    series = [
        PoseEstimationSeries(
            name=n, data=np.array([[1.5, 2.0], [3.0, 4.0], [5.0, 6.0]]) + k, unit="mm",
            reference_frame="top-left", timestamps=np.arange(3) / 10.0,
            confidence=np.array([0.25, 1.0, 0.75]) - k / 10, description=n,
        )
        for k, n in enumerate(["nose", "ear"])
    ]  # fmt: skip
    behavior = nwbfile.create_processing_module(name="behavior", description="b")
    behavior.add(PoseEstimation(name="pose", pose_estimation_series=series, description="p"))
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    return path


def write_pose_on_camera_video(folder: Path, video: Path) -> Path:
    """Write ``folder/pose.nwb`` with pynwb and ndx-pose, as ndx-pose's README does.

    Parameters
    ----------
    folder : Path
        Where ``pose.nwb`` and ``clip.mp4`` (a copy of ``video``) go.
    video : Path
        The camera's video.

    Returns
    -------
    Path
        The file: camera ``camera1`` ("side camera"), its external ImageSeries ``video1``
        naming ``clip.mp4`` at 25 fps, and a PoseEstimation of that camera, nodes ``left`` and
        ``right`` on 8 frames from 0.4 s (video frames 10..17), confidence "softmax",
        reference frame "(0,0) is top left".
    """
    import shutil

    from ndx_pose import PoseEstimation, PoseEstimationSeries, Skeleton, Skeletons
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.image import ImageSeries

    shutil.copy(video, folder / "clip.mp4")
    nwbfile = NWBFile(session_description="pose", identifier="p1", session_start_time=START)
    camera = nwbfile.create_device(name="camera1", description="side camera")
    nwbfile.add_acquisition(
        ImageSeries(name="video1", external_file=["clip.mp4"], format="external",
                    starting_frame=[0], rate=25.0, device=camera, num_samples=1000)
    )  # fmt: skip
    skeleton = Skeleton(name="paws", nodes=["left", "right"], edges=np.array([[0, 1]], "uint8"))
    series = [
        PoseEstimationSeries(
            name=node, description=node, unit="pixels", reference_frame="(0,0) is top left",
            data=np.column_stack([10.0 * (k + 1) + np.arange(8), np.full(8, 50.0)]),
            confidence=np.full(8, 0.25 * (k + 1)), confidence_definition="softmax",
            rate=25.0, starting_time=0.4,
        )
        for k, node in enumerate(["left", "right"])
    ]  # fmt: skip
    module = nwbfile.create_processing_module(name="behavior", description="behavior")
    module.add(Skeletons(skeletons=[skeleton]))
    module.add(
        PoseEstimation(name="PoseEstimation", pose_estimation_series=series, skeleton=skeleton,
                       device=camera, source_software="DeepLabCut")
    )  # fmt: skip
    with NWBHDF5IO(str(folder / "pose.nwb"), "w") as io:
        io.write(nwbfile)
    return folder / "pose.nwb"
