"""npe2 writers: save the WhiskerToolbox key a layer is bound to, in WhiskerToolbox's format.

A synced layer only shows the current frame; the writer saves the key's *whole* series
from the session's DataManager (``layer.metadata["wtb_key"]``), not the layer's slice:
points → ``frame x y`` CSV, lines → ``Frame,X,Y`` CSV, masks → run-length ``Frame,RLE`` CSV.

Every refusal (bad layer, bad data, a file that must not be replaced) is raised as a
``RuntimeError``: napari's ``layer.save`` / ``viewer.layers.save`` catch a writer's
``ValueError`` and only warn that the plugin "is not a valid writer", hiding the reason.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [
    "write_deeplabcut",
    "write_lines",
    "write_mask",
    "write_nwb",
    "write_points",
    "write_sleap",
]

_Writer = TypeVar("_Writer", bound="Callable[..., list[str]]")


def _refusals_reach_the_user(writer: _Writer) -> _Writer:
    """Re-raise a writer's ``ValueError`` (``FormatError`` included) as a ``RuntimeError``."""

    @functools.wraps(writer)
    def wrapped(*args: Any, **kwargs: Any) -> list[str]:
        try:
            return writer(*args, **kwargs)
        except ValueError as exc:
            raise RuntimeError(str(exc)) from exc

    return wrapped  # type: ignore[return-value]


def _bound_key(path: str, attributes: Mapping[str, Any]) -> str:
    key = (attributes.get("metadata") or {}).get("wtb_key")
    if not key:
        raise ValueError(
            f"cannot write {path}: layer {attributes.get('name')!r} is not bound to a "
            "WhiskerToolbox key (expected layer.metadata['wtb_key'])"
        )
    return str(key)


def _session(path: str) -> Any:
    from napari_whiskertoolbox.workflow.registry import calling_viewer, get_session

    viewer = calling_viewer()
    if viewer is None:
        raise RuntimeError(f"cannot write {path}: there is no napari viewer")
    return get_session(viewer)


def _session_dm(path: str) -> Any:
    return _session(path).dm


def _written_key(path: str, attributes: Mapping[str, Any], *, read_back: bool = False) -> list[str]:
    """Tell the session the layer's key went to ``path`` (its own file: saved); return it.

    ``read_back``: the write already checked that ``path`` gives the key back.
    """
    from napari_whiskertoolbox.workflow.layer_saves import note_key_written

    note_key_written(_session(path), _bound_key(path, attributes), path, read_back=read_back)
    return [str(Path(path))]


def _written_pose_set(path: str, pose: Any, fmt: str, written: list[Path]) -> list[str]:
    """Tell the session the pose set went to ``written`` as ``fmt``; return the files."""
    from napari_whiskertoolbox.workflow.layer_saves import note_pose_set_written

    note_pose_set_written(_session(path), pose, fmt, written)
    return [str(p) for p in written]


def _container(path: str, attributes: Mapping[str, Any], expected_type: str) -> Any:
    key = _bound_key(path, attributes)
    dm = _session_dm(path)
    if key not in dm:
        raise KeyError(f"cannot write {path}: key {key!r} is not in the session's DataManager")
    data_type = dm.data_type(key)
    if data_type != expected_type:
        raise ValueError(
            f"cannot write {path}: key {key!r} holds {data_type!r} data, expected {expected_type!r}"
        )
    return dm.get_data(key)


def _write_key(
    path: str, attributes: Mapping[str, Any], expected_type: str, write: Callable[[Any], None]
) -> list[str]:
    """Write the layer's key to ``path``: ``write(flat)`` in this writer's format, or home.

    The file the key was read from is written as saving into a config's files writes it:
    in its own format and options, and refused when that would drop what its loader leaves
    out (a points CSV's ``Probability`` column): never rewritten with a loss.
    """
    from napari_whiskertoolbox.io.errors import FormatError
    from napari_whiskertoolbox.io.write_back import is_own_file, write_key_home

    container = _container(path, attributes, expected_type)
    key = _bound_key(path, attributes)
    dm = _session_dm(path)
    if Path(path).is_file() and is_own_file(dm, key, path):
        try:
            write_key_home(dm, key)  # read back before it replaced the file
        except FormatError as exc:
            raise ValueError(
                f"cannot write {path}: {exc.reason}; it is unchanged. Save the layer to "
                "another file, or the session (Ctrl+S)"
            ) from exc
        return _written_key(path, attributes, read_back=True)
    from napari_whiskertoolbox.io.file_clocks import record_written_to

    write(container.to_flat())
    record_written_to(dm, key, path)  # opened again, it goes back on the key's clock
    return _written_key(path, attributes)


@_refusals_reach_the_user
def write_points(path: str, data: Any, attributes: dict[str, Any]) -> list[str]:
    """Write the points key bound to a Points layer as a ``frame x y`` CSV.

    The keypoints layer of a whole pose set (DeepLabCut, SLEAP, NWB) holds no single key:
    it is written as DeepLabCut's CSV (:func:`write_deeplabcut`).
    """
    from napari_whiskertoolbox.io.points import write_points_csv

    if (attributes.get("metadata") or {}).get("wtb_pose"):
        return write_deeplabcut(path, data, attributes)

    return _write_key(
        path,
        attributes,
        "points",
        lambda flat: write_points_csv(path, flat.times, flat.coords),
    )


@_refusals_reach_the_user
def write_lines(path: str, data: Any, attributes: dict[str, Any]) -> list[str]:
    """Write the line key bound to a Shapes layer as a ``Frame,X,Y`` CSV."""
    from napari_whiskertoolbox.io.lines import write_lines_csv

    return _write_key(
        path,
        attributes,
        "line",
        lambda flat: write_lines_csv(path, flat.times, flat.offsets, flat.coords),
    )


@_refusals_reach_the_user
def write_mask(path: str, data: Any, attributes: dict[str, Any]) -> list[str]:
    """Write the mask key bound to a Labels layer as a run-length ``Frame,RLE`` CSV."""
    from napari_whiskertoolbox.io.masks import write_masks_csv

    return _write_key(
        path,
        attributes,
        "mask",
        lambda flat: write_masks_csv(path, flat.times, flat.offsets, flat.coords),
    )


def _pose_of_layer(path: str, attributes: Mapping[str, Any]) -> tuple[Any, Any]:
    from napari_whiskertoolbox.io.pose import pose_of_key, pose_sets

    metadata = attributes.get("metadata") or {}
    dm = _session_dm(path)
    if metadata.get("wtb_pose"):  # the keypoints layer of a whole pose set
        name = str(metadata["wtb_pose"])
        pose = pose_sets(dm).get(name)
        if pose is None:
            raise ValueError(f"cannot write {path}: pose set {name!r} is not in the session")
        return dm, pose
    key = _bound_key(path, attributes)
    pose = pose_of_key(dm, key)
    if pose is None:
        raise ValueError(
            f"cannot write {path}: key {key!r} belongs to no pose set (DeepLabCut, SLEAP or "
            "NWB keypoints); save it as WhiskerToolbox points instead"
        )
    return dm, pose


@_refusals_reach_the_user
def write_deeplabcut(path: str, data: Any, attributes: dict[str, Any]) -> list[str]:
    """Write the pose set of the layer's key as DeepLabCut's ``.h5`` or ``.csv`` (every label).

    A ``CollectedData_<scorer>`` file is written with its ``.h5``/``.csv`` twin, as
    DeepLabCut keeps them (see :func:`~napari_whiskertoolbox.io.dlc.write_dlc_pair`).
    """
    from napari_whiskertoolbox.io.dlc import write_dlc_pair

    dm, pose = _pose_of_layer(path, attributes)
    return _written_pose_set(path, pose, "deeplabcut", list(write_dlc_pair(dm, pose, path)))


@_refusals_reach_the_user
def write_sleap(path: str, data: Any, attributes: dict[str, Any]) -> list[str]:
    """Write the pose set of the layer's key as a SLEAP ``.slp`` or analysis ``.h5``."""
    from napari_whiskertoolbox.io.sleap import write_sleap_analysis, write_slp

    dm, pose = _pose_of_layer(path, attributes)
    writer = write_slp if Path(path).suffix.lower() == ".slp" else write_sleap_analysis
    return _written_pose_set(path, pose, "sleap", [writer(dm, pose, path)])


def write_nwb(path: str, layer_data: Any) -> list[str]:
    """Export the viewer's whole session (every key, not only the layers) to NWB.

    Raises
    ------
    RuntimeError
        A clock has no sampling rate (napari turns a ValueError from a writer into a
        silent "not a valid writer" warning; this one reaches the user).
    """
    from napari_whiskertoolbox.io.nwb_export import export_nwb

    try:
        return [str(export_nwb(_session_dm(path), path))]
    except ValueError as exc:
        raise RuntimeError(f"cannot export {path} to NWB: {exc}") from exc
