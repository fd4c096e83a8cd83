"""Open DeepLabCut files, labelled-data folders and projects as keys (and media).

- a table (``CollectedData_<scorer>.csv``/``.h5``, predictions, LightningPose CSV): its
  keypoints; labelled-image rows go on the frames of the images beside it;
- a ``labeled-data/<video>/`` folder: its images as media (by name), its
  ``CollectedData_*`` labels on their frames, and DeepLabCut's machine predictions of
  extracted outlier frames (``machinelabels-iter<N>.h5``) beside them, with their likelihoods;
- a project's ``config.yaml``, or the project folder holding it: every
  ``labeled-data/<video>/`` folder of the project. Several folders (several videos) are one
  media over all their images, folder after folder, each folder's labels on the frames of
  its own images (:func:`_project_entries`): every frame shows one image and its labels only.

Body-part order and skeleton come from the project's ``config.yaml`` when it is found.

Key naming, one rule for every entry point (:func:`dlc_key_prefix`): keys are
``<video>_<bodypart>`` (``<video>_<individual>_<bodypart>`` for several animals) and the pose
set is ``<video>``, where ``<video>`` is the video the labels belong to: the labelled-data
folder's name (for the folder, a ``CollectedData_*`` table in it, or each folder of a
project) or, for DeepLabCut's predictions ``<video>DLC_<scorer>….csv/.h5``, the text before
``DLC_``; machine labels ``labeled-data/<video>/machinelabels-iter<N>.h5`` are
``<video>_machinelabels-iter<N>`` (beside the labels of ``<video>``); any other table is named
after its file stem. A name already taken gets ``_2``, ``_3``….
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from napari_whiskertoolbox.core.free_names import free_prefix
from napari_whiskertoolbox.io.csv_tools import head_text
from napari_whiskertoolbox.io.dlc import (
    H5_SUFFIXES,
    LABELS_PREFIX,
    DLCProject,
    FrameFrom,
    dlc_to_pose,
    find_dlc_config,
    is_labels_table,
    read_dlc,
    read_dlc_config,
)
from napari_whiskertoolbox.io.dlc_twins import readable_twin, twin_note
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.report import RowSkips, log_note

if TYPE_CHECKING:
    import os

    from napari_whiskertoolbox.core.ragged import ImageSize

__all__ = [
    "default_threshold",
    "dlc_context",
    "dlc_key_prefix",
    "is_dlc_project_config",
    "is_dlc_project_folder",
    "is_labeled_data_folder",
    "is_machine_labels",
    "labels_file_of",
    "load_dlc_entries",
    "load_dlc_path",
    "machine_labels_of",
    "refine_target",
]

FRAME_FROM = ("position", "image_name")
MACHINE_PREFIX = "machinelabels"
"""DeepLabCut names the predictions of extracted outlier frames ``machinelabels-iter<N>.h5``."""


def is_machine_labels(path: str | os.PathLike[str]) -> bool:
    """Return whether ``path`` names DeepLabCut's machine labels (``machinelabels-iter<N>``)."""
    path = Path(path)
    return path.name.startswith(MACHINE_PREFIX) and path.suffix.lower() in (*H5_SUFFIXES, ".csv")


def machine_labels_of(folder: Path) -> list[Path]:
    """Return the ``machinelabels-iter<N>`` tables of a labelled-data folder, by iteration.

    The ``.h5`` DeepLabCut writes (a ``.csv`` of the same name only when there is no ``.h5``).
    """
    from napari_whiskertoolbox.media._common import natural_sort_key

    found = [p for p in folder.glob(f"{MACHINE_PREFIX}-iter*") if is_machine_labels(p)]
    stems = {p.stem for p in found if p.suffix.lower() in H5_SUFFIXES}
    chosen = [p for p in found if p.suffix.lower() in H5_SUFFIXES or p.stem not in stems]
    return sorted(chosen, key=lambda p: natural_sort_key(p.name))


def refine_target(path: str | os.PathLike[str]) -> Path | None:
    """Return the ``CollectedData_<scorer>.h5`` that refined machine labels at ``path`` go to.

    As DeepLabCut's refine step saves: the labelled-data folder's own ``CollectedData_*``
    table (merged into, see :mod:`.dlc_merge`), else ``CollectedData_<scorer>.h5`` with the
    project's ``scorer`` (``config.yaml``). None when ``path`` is no machine labels table or
    neither is known.
    """
    path = Path(path)
    if not is_machine_labels(path):
        return None
    existing = labels_file_of(path.parent)
    if existing is not None:
        return existing.with_suffix(".h5") if existing.suffix.lower() == ".csv" else existing
    config = find_dlc_config(path)
    if config is None:
        return None
    try:
        scorer = read_dlc_config(config).scorer
    except FormatError:
        return None
    return path.parent / f"{LABELS_PREFIX}{scorer}.h5" if scorer else None


def labels_file_of(folder: Path) -> Path | None:
    """Return the ``CollectedData_*`` table of a labelled-data folder (``.h5`` preferred)."""
    found = sorted(folder.glob(f"{LABELS_PREFIX}*"))
    for suffixes in (H5_SUFFIXES, (".csv",)):
        for path in found:
            if path.suffix.lower() in suffixes:
                return path
    return None


def is_labeled_data_folder(path: str | os.PathLike[str]) -> bool:
    """Return whether ``path`` is a folder of a ``CollectedData_*`` or ``machinelabels-iter*`` table."""
    path = Path(path)
    return path.is_dir() and (labels_file_of(path) is not None or bool(machine_labels_of(path)))


def is_dlc_project_config(path: str | os.PathLike[str]) -> bool:
    """Return whether ``path`` is a DeepLabCut project's ``config.yaml``."""
    path = Path(path)
    if path.name.lower() not in ("config.yaml", "config.yml") or not path.is_file():
        return False
    try:
        head = head_text(path, 20000)
    except (OSError, FormatError):
        return False
    return "bodyparts" in head and ("labeled-data" in head or "Task" in head or "scorer" in head)


def project_config_of(folder: Path) -> Path | None:
    """Return the ``config.yaml`` of a DeepLabCut project folder (None when it is not one)."""
    for name in ("config.yaml", "config.yml"):
        candidate = folder / name
        if is_dlc_project_config(candidate):
            return candidate
    return None


def is_dlc_project_folder(path: str | os.PathLike[str]) -> bool:
    """Return whether ``path`` is a DeepLabCut project folder (``config.yaml``, ``labeled-data/``)."""
    path = Path(path)
    return (
        path.is_dir() and (path / "labeled-data").is_dir() and project_config_of(path) is not None
    )


PREDICTIONS_MARK = "DLC_"
"""DeepLabCut names its predictions ``<video>DLC_<network>_<task><date>shuffle<n>_<iteration>``."""


def dlc_key_prefix(path: str | os.PathLike[str]) -> str:
    """Return the key prefix (and pose-set name) of a DeepLabCut table or labelled-data folder.

    The video the labels belong to: a labelled-data folder's name, the folder name of a
    ``CollectedData_*`` table, the part before ``DLC_`` of a predictions file name, else the
    file stem. See the module docstring.

    Examples
    --------
    ``labeled-data/reachingvideo1/`` and ``labeled-data/reachingvideo1/CollectedData_M.h5``
    → ``reachingvideo1``; ``reachingvideo1DLC_resnet50_ReachingAug30shuffle1_1030000.csv``
    → ``reachingvideo1``; ``lightning_preds.csv`` → ``lightning_preds``.
    """
    path = Path(path)
    if path.is_dir():
        return path.name
    if is_labels_table(path) and path.parent.name:
        return path.parent.name
    if is_machine_labels(path) and path.parent.name:
        return f"{path.parent.name}_{path.stem}"
    video = path.stem.split(PREDICTIONS_MARK, 1)[0]
    return video or path.stem


def load_dlc_entries(
    path: Path,
    name: str,
    *,
    likelihood_threshold: float | None = None,
    config: Path | None = None,
    frame_from: str = "position",
    images: Path | None = None,
    image_size: ImageSize | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    frame_offset: int | None = None,
) -> list[tuple[str, Any]]:
    """Read one DeepLabCut table into ``[(key, PointData), ..., (name, PoseSet)]``.

    Parameters
    ----------
    path : Path
        The CSV or ``.h5`` table.
    name : str
        Key prefix.
    likelihood_threshold : float, optional
        Predictions below it are hidden (not loaded; written back unchanged). Default: the
        project's ``pcutoff`` (``config.yaml``), as DeepLabCut draws only predictions at or
        above it; 0 without a project or ``pcutoff``.
    config : Path, optional
        The project's ``config.yaml``; found beside the file or two folders up otherwise.
    frame_from : {"position", "image_name"}
        For labelled-image rows: the image's position among the images of ``images`` (or of
        the file's folder), or the number in its name (frames of the source video).
    images : Path, optional
        Folder of the labelled images (default: the table's folder).
    image_size : ImageSize, optional
        Size of the images the points annotate.
    delimiter, decimal : str, optional
        CSV field delimiter and decimal mark (detected when absent, see :func:`.dlc.read_dlc`).
    frame_offset : int, optional
        The frame of the first of ``images`` when the media shows other images too (one
        folder of a project of several videos), see :func:`.dlc.dlc_to_pose`.
    """
    if frame_from not in FRAME_FROM:
        raise FormatError(f"expected frame_from to be one of {FRAME_FROM}, got {frame_from!r}")
    try:
        table = read_dlc(path, delimiter=delimiter, decimal=decimal)
    except FormatError:
        twin = readable_twin(path)
        if twin is None:
            raise
        # a labels .h5 damaged beside its intact .csv: read that (the note says so, and
        # saving rewrites both, keeping the damaged file as a .bak copy)
        path, table = twin
    if (note := twin_note(path, table)) is not None:
        log_note(note)
    project, names = dlc_context(path, config, images)
    unscored = RowSkips()
    entries, pose = dlc_to_pose(
        table,
        name,
        source=path,
        project=project,
        likelihood_threshold=default_threshold(project)
        if likelihood_threshold is None
        else likelihood_threshold,
        images=names,
        frame_from=cast("FrameFrom", frame_from),
        image_size=image_size,
        unscored=unscored,
        frame_offset=frame_offset,
    )
    for note in unscored.notes(str(path), path, kind="info", verb="kept"):
        log_note(note)
    return [*entries, (name, pose)] if pose is not None else list(entries)


def default_threshold(project: DLCProject | None) -> float:
    """Return the likelihood threshold of a project's tables: its ``pcutoff``, else 0."""
    return 0.0 if project is None or project.pcutoff is None else project.pcutoff


def dlc_context(
    path: Path, config: Path | None, images: Path | None
) -> tuple[DLCProject | None, list[str] | None]:
    """Return what a table's keys need besides the table: its project and its images.

    Parameters
    ----------
    path : Path
        The table.
    config : Path, optional
        The project's ``config.yaml``; found beside the table or two folders up otherwise.
    images : Path, optional
        Folder of the labelled images (default: the table's folder).

    Returns
    -------
    project, images
        The :class:`~.dlc.DLCProject` (None without a ``config.yaml``) and the image file
        names in frame order (None when the folder holds no image).
    """
    config = config if config is not None else find_dlc_config(path)
    try:
        project = read_dlc_config(config) if config is not None else None
    except FormatError as exc:
        raise FormatError(
            f"{exc.reason} (this DeepLabCut project config was read for {path.name}: its "
            "body parts, skeleton and pcutoff; fix it, or open the table from a folder "
            "without it)",
            path=exc.path,
            line=exc.line,
        ) from exc
    names = _image_names(images if images is not None else path.parent)
    return project, names or None


def _image_names(folder: Path) -> list[str]:
    from napari_whiskertoolbox.media._common import natural_sort_key
    from napari_whiskertoolbox.media.suffixes import IMAGE_SUFFIXES

    if not folder.is_dir():
        return []
    suffixes = {s.lower() for s in IMAGE_SUFFIXES}
    files = [p.name for p in folder.iterdir() if p.is_file() and p.suffix.lower() in suffixes]
    return sorted(files, key=natural_sort_key)


def load_dlc_path(
    path: Path, taken: set[str], *, with_images: bool = True
) -> list[tuple[str, Any]]:
    """Return the entries of a DeepLabCut table, labelled-data folder or project config.

    Parameters
    ----------
    path : Path
        What the user opened: a table, a labelled-data folder, a project's ``config.yaml``
        or its project folder. Keys follow :func:`dlc_key_prefix`.
    taken : set of str
        Keys already in the DataManager (new keys avoid them).
    with_images : bool
        Whether a ``CollectedData_*`` table among images (a labelled-data folder's) brings
        those images as media, as opening its folder does (that table's labels, and the
        folder's machine labels); False: the table alone (a session that already shows
        media).
    """
    if path.is_dir() and (config := project_config_of(path)) is not None:
        path = config
    if path.is_file() and is_dlc_project_config(path):
        root = path.parent / "labeled-data"
        folders = (
            sorted(p for p in root.glob("*") if is_labeled_data_folder(p)) if root.is_dir() else []
        )
        if not folders:
            raise FormatError(
                "expected labelled data: no labeled-data/<video>/ folder with a "
                "CollectedData_* file beside this config.yaml",
                path=path,
            )
        if len(folders) > 1:
            return _project_entries(root, folders, taken, config=path)
        return _folder_entries(folders[0], taken, config=path)
    if path.is_dir():
        return _folder_entries(path, taken, config=None)
    if with_images and is_labels_table(path):
        if _image_names(path.parent):
            return _folder_entries(path.parent, taken, config=None, labels=path)
        entries = load_dlc_entries(path, free_prefix(dlc_key_prefix(path), taken))
        _note_no_images(path)  # after the read: a bad table fails with its own error
        return entries
    return load_dlc_entries(path, free_prefix(dlc_key_prefix(path), taken))


def _note_no_images(path: Path) -> None:
    """Say that a ``CollectedData_*`` table opened without the images it labels."""
    from napari_whiskertoolbox.io.report import LoadNote, log_note

    log_note(
        LoadNote(
            str(path),
            "media",
            f"no labelled image beside the labels in '{path.parent}': the keypoints open "
            "without them, one frame per labelled image in the table's order; to label on "
            "the images, open the table where DeepLabCut keeps it, in labeled-data/<video>/ "
            "with its images",
            path=str(path),
        )
    )


def _project_entries(
    root: Path, folders: list[Path], taken: set[str], config: Path
) -> list[tuple[str, Any]]:
    """Return the entries of a project of several labelled-data folders, one after another.

    One media shows every folder's images (``labeled-data/<video>/<image>``, folder by folder
    in name order, each folder's images in natural order), so that each image is one frame;
    each folder's labels and machine labels go on the frames of its own images: the folder
    whose images come first has frames ``0..n-1``, the next ``n..``. At any frame exactly one
    folder's image and keypoints are shown. Images of different sizes (videos of different
    sizes) are each at their own pixel coordinates, top-left on a canvas of the largest
    size, as in one folder (:class:`~napari_whiskertoolbox.media.ImageFolderMedia`).
    """
    from napari_whiskertoolbox.media import ImageFolderMedia

    names = [_image_names(folder) for folder in folders]
    for folder, own in zip(folders, names):
        if not own:
            raise FormatError(
                "expected the labelled images beside the labels: the folder holds no image",
                path=folder,
            )
    files = [f"{folder.name}/{name}" for folder, own in zip(folders, names) for name in own]
    media = ImageFolderMedia(root, files=files)
    media_key = free_prefix("media", taken)
    entries: list[tuple[str, Any]] = [(media_key, media)]
    sizes = media.image_sizes
    offset = 0
    for folder, own in zip(folders, names):
        size = _largest(sizes[offset : offset + len(own)])
        used = taken | {key for key, _ in entries}
        entries += _folder_labels(folder, used, config, size, frame_offset=offset)
        offset += len(own)
    return entries


def _largest(sizes: list[tuple[int, int]]) -> ImageSize | None:
    """Return the ``ImageSize`` holding every ``(height, width)`` of ``sizes`` (None: none)."""
    from napari_whiskertoolbox.core.ragged import ImageSize

    if not sizes:
        return None
    return ImageSize(max(w for _, w in sizes), max(h for h, _ in sizes))


def _folder_entries(
    folder: Path, taken: set[str], config: Path | None, labels: Path | None = None
) -> list[tuple[str, Any]]:
    """Return a labelled-data folder's images (its own media) and its labels on their frames.

    ``labels``: the ``CollectedData_*`` table to read (default: the folder's, ``.h5`` first).
    """
    from napari_whiskertoolbox.core.ragged import ImageSize
    from napari_whiskertoolbox.media import open_media

    _check_has_labels(folder)
    media = open_media(folder)
    media_key = free_prefix("media", taken | {free_prefix(dlc_key_prefix(folder), taken)})
    height, width = media.shape[1:3]
    size = ImageSize(int(width), int(height))
    entries: list[tuple[str, Any]] = [(media_key, media)]
    return entries + _folder_labels(folder, taken | {media_key}, config, size, labels=labels)


def _check_has_labels(folder: Path) -> None:
    if labels_file_of(folder) is None and not machine_labels_of(folder):
        raise FormatError(
            "expected a CollectedData_*.h5 or .csv file (or DeepLabCut's "
            "machinelabels-iter<N>.h5) in the folder",
            path=folder,
        )


def _folder_labels(
    folder: Path,
    taken: set[str],
    config: Path | None,
    size: ImageSize | None,
    frame_offset: int | None = None,
    labels: Path | None = None,
) -> list[tuple[str, Any]]:
    """Return a labelled-data folder's labels and machine labels (keys and pose sets).

    ``frame_offset``: the frame of the folder's first image when the media shows other
    folders' images too (see :func:`.dlc.dlc_to_pose`). The folder holds labels or machine
    labels (checked by the caller: :func:`_check_has_labels`, or a project's
    :func:`is_labeled_data_folder`). ``labels``: its ``CollectedData_*`` table (default:
    :func:`labels_file_of`).
    """
    labels = labels if labels is not None else labels_file_of(folder)
    name = free_prefix(dlc_key_prefix(folder), taken)
    entries: list[tuple[str, Any]] = []
    if labels is not None:
        entries += load_dlc_entries(
            labels, name, config=config, images=folder, image_size=size, frame_offset=frame_offset
        )
    for table in machine_labels_of(folder):  # outlier predictions, above the project's pcutoff
        used = taken | {name} | {key for key, _ in entries}
        prefix = free_prefix(dlc_key_prefix(table), used)
        entries += load_dlc_entries(
            table, prefix, config=config, images=folder, image_size=size, frame_offset=frame_offset
        )
    return entries
