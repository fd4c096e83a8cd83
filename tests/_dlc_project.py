"""The Reaching DeepLabCut project subset of ``tests/data`` (4 images, both label files).

And DeepLabCut's machine labels of outlier frames written into it with pandas, as
DeepLabCut writes them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

REACHING = Path(__file__).resolve().parent / "data" / "deeplabcut" / "reaching"
"""The project folder: config.yaml and labeled-data/reachingvideo1/."""


def copy_reaching(tmp_path: Path) -> Path:
    """Return a writable copy of the Reaching project made in ``tmp_path``."""
    target = tmp_path / "reaching"
    shutil.copytree(REACHING, target)
    for path in target.rglob("*"):
        path.chmod(0o644 if path.is_file() else 0o755)
    return target


MACHINE_SCORER = "DLC_resnet50_ReachingAug30shuffle1_1030000"
"""The network that predicted the Reaching example's outlier frames (a scorer as DeepLabCut names it)."""


def write_machine_labels(
    folder: Path,
    images: list[str],
    rows: list[list[float]],
    bodyparts: list[str],
    iteration: int = 0,
) -> Path:
    """Write ``machinelabels-iter<iteration>.h5`` as DeepLabCut's ``extract_outlier_frames`` does.

    Index: DeepLabCut's three columns ``("labeled-data", <video>, <image>)``; columns
    ``(scorer, bodyparts, coords)`` with ``x, y, likelihood``; key ``df_with_missing``. Each
    row holds ``3 * len(bodyparts)`` values.
    """
    columns = pd.MultiIndex.from_product(
        [[MACHINE_SCORER], bodyparts, ["x", "y", "likelihood"]],
        names=["scorer", "bodyparts", "coords"],
    )
    index = pd.MultiIndex.from_tuples([("labeled-data", folder.name, image) for image in images])
    path = folder / f"machinelabels-iter{iteration}.h5"
    pd.DataFrame(rows, index=index, columns=columns).to_hdf(path, key="df_with_missing", mode="w")
    return path


REACHING_BODYPARTS = ["Hand", "Finger1", "Tongue", "Joystick1", "Joystick2"]


def add_outlier_frames(folder: Path, bodyparts: list[str] = REACHING_BODYPARTS) -> Path:
    """Give a Reaching labelled-data folder an outlier frame and its machine labels.

    ``img250.png`` (a copy of ``img142.png``) is extracted into ``folder``; its
    ``machinelabels-iter0.h5`` predicts ``img033.png`` (labelled already) at
    ``(100 + k, 200 + k)``, likelihood 0.9, and ``img250.png`` at ``(300 + k, 400 + k)``,
    0.95, for body part ``k`` — except body part 2 (Tongue) of ``img250.png``, at 0.1, below
    the project's pcutoff (0.4).
    """
    shutil.copyfile(folder / "img142.png", folder / "img250.png")
    n = len(bodyparts)
    rows = [
        [v for k in range(n) for v in (100.0 + k, 200.0 + k, 0.9)],
        [v for k in range(n) for v in (300.0 + k, 400.0 + k, 0.1 if k == 2 else 0.95)],
    ]
    return write_machine_labels(folder, ["img033.png", "img250.png"], rows, bodyparts)


SECOND_VIDEO = "reachingvideo2"
"""The second video's labelled-data folder of :func:`two_video_project`."""
SECOND_IMAGES = ["img005.png", "img038.png", "img142.png"]
"""The images of :data:`SECOND_VIDEO` (the first video has img005, img033, img038, img142)."""


def two_video_project(tmp_path: Path, scale: float = 1.0) -> Path:
    """Return a copy of the Reaching project labelling two videos: ``reachingvideo1`` and ``2``.

    ``labeled-data/reachingvideo2/`` holds three of the first video's images
    (:data:`SECOND_IMAGES`) and its ``CollectedData_Mackenzie`` pair, as DeepLabCut writes
    it: rows ``labeled-data/reachingvideo2/<image>`` (the first video's 55 rows renamed)
    and every coordinate of the first video's table plus 10. With ``scale`` (say 0.5) the
    second video's images are resized by that factor (scikit-image) and its coordinates
    multiplied by it: a smaller video.
    """
    import imageio.v3 as iio
    import numpy as np
    from skimage.transform import rescale

    project = copy_reaching(tmp_path)
    first = project / "labeled-data" / "reachingvideo1"
    second = project / "labeled-data" / SECOND_VIDEO
    second.mkdir()
    for name in SECOND_IMAGES:
        image = iio.imread(first / name)
        if scale != 1.0:
            image = rescale(image, scale, channel_axis=-1, preserve_range=True, anti_aliasing=True)
            image = np.round(image).astype(np.uint8)
        iio.imwrite(second / name, image)
    table = pd.read_hdf(first / "CollectedData_Mackenzie.h5", "df_with_missing")
    table.index = [row.replace("reachingvideo1", SECOND_VIDEO) for row in table.index]
    table = (table + 10.0) * scale
    table.to_hdf(second / "CollectedData_Mackenzie.h5", key="df_with_missing", mode="w",
                 format="table")  # fmt: skip
    table.to_csv(second / "CollectedData_Mackenzie.csv")
    return project


IMG005 = "labeled-data/reachingvideo1/img005.png"
"""The Reaching example's first labelled image: no Tongue label in either file."""


def tongue_in_h5(folder: Path) -> None:
    """Put a Tongue label (555.5, 333.25) on img005 into the folder's ``.h5`` only."""
    path = folder / "CollectedData_Mackenzie.h5"
    frame = pd.read_hdf(path)
    frame.loc[IMG005, ("Mackenzie", "Tongue", "x")] = 555.5
    frame.loc[IMG005, ("Mackenzie", "Tongue", "y")] = 333.25
    frame.to_hdf(path, key="df_with_missing", mode="w", format="table")


def tongue_in_csv(folder: Path) -> None:
    """Type a Tongue label (555.5, 333.25) on img005 into the ``.csv`` only, as a spreadsheet edit does."""
    csv = folder / "CollectedData_Mackenzie.csv"
    lines = csv.read_text().split("\n")
    assert lines[3].startswith(f"{IMG005},")
    assert ",,," in lines[3]
    lines[3] = lines[3].replace(",,,", ",555.5,333.25,", 1)
    csv.write_text("\n".join(lines))


def tongue(frame: pd.DataFrame) -> tuple[float, float]:
    """Tongue's ``(x, y)`` on img005 in a Reaching labels table (NaN: no label)."""
    return frame.loc[IMG005, ("Mackenzie", "Tongue", "x")], frame.loc[
        IMG005, ("Mackenzie", "Tongue", "y")
    ]
