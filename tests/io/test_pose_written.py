"""Every pose writer writes the predictions the project's pcutoff hid (it decides what is drawn)."""

from __future__ import annotations

import shutil

import h5py
import numpy as np
import pandas as pd
import pytest

from _dlc_tables import PCUTOFF, PREDICTIONS, write_project_predictions
from _nwb_files import START
from napari_whiskertoolbox.io.dlc import write_dlc
from napari_whiskertoolbox.io.nwb_export import export_nwb
from napari_whiskertoolbox.io.pose import pose_sets
from napari_whiskertoolbox.io.routing import open_path
from napari_whiskertoolbox.io.sleap import write_sleap_analysis, write_slp

XY = {bp: np.array([v[:2] for v in values]) for bp, values in PREDICTIONS.items()}
LIKELIHOOD = {bp: np.array([v[2] for v in values]) for bp, values in PREDICTIONS.items()}
SHOWN = {bp: np.flatnonzero(LIKELIHOOD[bp] >= PCUTOFF) for bp in PREDICTIONS}


def _nwb_series(path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{node: (data, confidence)}`` of an NWB file's pose series, read by pynwb."""
    from pynwb import NWBHDF5IO

    out = {}
    with NWBHDF5IO(str(path), "r", load_namespaces=True) as io:
        behavior = io.read().processing["behavior"]
        for estimation in behavior.data_interfaces.values():
            if type(estimation).__name__ == "PoseEstimation":
                for node, s in estimation.pose_estimation_series.items():
                    out[node] = (np.asarray(s.data[:]), np.asarray(s.confidence[:]))
    return out


@pytest.fixture
def opened(tmp_path):
    """The predictions opened as a user opens them: only those at or above pcutoff shown."""
    path = write_project_predictions(tmp_path / "proj")
    dm = open_path(path).dm
    for bp in PREDICTIONS:
        np.testing.assert_array_equal(dm.get_data(f"vid_{bp}").times_with_data(), SHOWN[bp])
    return path, dm, pose_sets(dm)["vid"]


def test_the_nwb_export_holds_every_prediction_with_its_likelihood(opened, tmp_path) -> None:
    """Were: the predictions below pcutoff were NaN rows (595 of 999 kept), no warning."""
    _, dm, _ = opened
    series = _nwb_series(
        export_nwb(dm, tmp_path / "out.nwb", session_start_time=START, sampling_rate=25.0)
    )
    for bp in PREDICTIONS:
        data, confidence = series[bp]
        np.testing.assert_allclose(data, XY[bp], rtol=1e-6)
        np.testing.assert_array_equal(confidence, LIKELIHOOD[bp])


def test_the_slp_export_holds_every_prediction_with_its_score(opened, tmp_path) -> None:
    import sleap_io as sio

    _, dm, pose = opened
    labels = sio.load_slp(str(write_slp(dm, pose, tmp_path / "out.slp")), open_videos=False)
    assert [lf.frame_idx for lf in labels.labeled_frames] == [0, 1, 2, 3]
    for lf in labels.labeled_frames:
        (instance,) = lf.instances
        assert type(instance) is sio.PredictedInstance  # not training labels
        f = lf.frame_idx
        np.testing.assert_allclose(
            instance.numpy(scores=True),
            [[*XY[bp][f], LIKELIHOOD[bp][f]] for bp in PREDICTIONS],
            rtol=1e-6,
        )


def test_the_analysis_export_holds_every_prediction_with_its_score(opened, tmp_path) -> None:
    _, dm, pose = opened
    with h5py.File(write_sleap_analysis(dm, pose, tmp_path / "out.analysis.h5")) as f:
        tracks = f["tracks"][()]  # (track, xy, node, frame)
        scores = f["point_scores"][()]  # (track, node, frame)
    for n, bp in enumerate(PREDICTIONS):
        np.testing.assert_allclose(tracks[0, :, n, :].T, XY[bp], rtol=1e-6)
        np.testing.assert_array_equal(scores[0, n], LIKELIHOOD[bp])


def test_a_point_placed_where_a_prediction_was_hidden_replaces_it(opened, tmp_path) -> None:
    _, dm, _ = opened
    dm.get_data("vid_Tongue").set_frame(0, np.array([[5, 6]], np.float32), [0])
    data, confidence = _nwb_series(
        export_nwb(dm, tmp_path / "out.nwb", session_start_time=START, sampling_rate=25.0)
    )["Tongue"]
    np.testing.assert_array_equal(data[0], [5, 6])
    assert confidence[0] == 1.0  # placed by hand
    np.testing.assert_array_equal(confidence[1:], LIKELIHOOD["Tongue"][1:])


def test_an_nwb_export_read_back_shows_what_was_shown_and_keeps_the_rest(opened, tmp_path) -> None:
    """The export read back alone (its DeepLabCut table gone) shows the same points, and a
    DeepLabCut table written from it holds every prediction again."""
    path, dm, _ = opened
    exported = export_nwb(dm, tmp_path / "out.nwb", session_start_time=START, sampling_rate=25.0)
    shutil.rmtree(path.parent.parent)  # only the NWB file travels
    back = open_path(exported).dm
    for bp in PREDICTIONS:
        np.testing.assert_array_equal(back.get_data(f"vid_{bp}").times_with_data(), SHOWN[bp])
    table = pd.read_csv(
        write_dlc(back, pose_sets(back)["vid"], tmp_path / "again.csv"),
        header=[0, 1, 2],
        index_col=0,
    )
    scorer = table.columns[0][0]
    for bp in PREDICTIONS:
        xy = table[[(scorer, bp, "x"), (scorer, bp, "y")]].to_numpy()
        np.testing.assert_allclose(xy, XY[bp], rtol=1e-6)
        np.testing.assert_array_equal(table[(scorer, bp, "likelihood")], LIKELIHOOD[bp])


def test_a_nan_likelihood_stays_hidden_through_an_nwb_export(tmp_path) -> None:
    """A CSV likelihood saying ``nan`` fails the threshold on reading (hidden), an empty one is a
    score not given (shown). Were: the export dropped the hidden NaN prediction (its NWB row
    NaN), and would have shown a NaN confidence read back (``NaN < threshold`` is False)."""
    h5 = write_project_predictions(tmp_path / "proj")
    csv = h5.with_suffix(".csv")
    table = pd.read_hdf(h5)
    table.iloc[1, 2] = np.nan  # Hand, frame 1: "nan"
    text = table.to_csv(na_rep="nan").splitlines()
    cells = text[3 + 2].split(",")
    cells[3] = ""  # Hand, frame 2: an empty likelihood cell
    text[3 + 2] = ",".join(cells)
    csv.write_text("\n".join(text) + "\n")
    h5.unlink()
    dm = open_path(csv).dm
    np.testing.assert_array_equal(dm.get_data("vid_Hand").times_with_data(), [0, 2])
    exported = export_nwb(dm, tmp_path / "out.nwb", session_start_time=START, sampling_rate=25.0)
    data, confidence = _nwb_series(exported)["Hand"]
    np.testing.assert_allclose(data, XY["Hand"], rtol=1e-6)  # the hidden one kept too
    np.testing.assert_array_equal(confidence, [0.9, np.nan, np.nan, 0.1])
    shutil.rmtree(tmp_path / "proj")  # only the NWB file travels
    back = open_path(exported).dm
    np.testing.assert_array_equal(back.get_data("vid_Hand").times_with_data(), [0, 2])
    np.testing.assert_array_equal(back.get_data("vid_Tongue").times_with_data(), SHOWN["Tongue"])
