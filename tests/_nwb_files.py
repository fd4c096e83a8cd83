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
