"""Annotation-workflow actions on a :class:`ViewerSession` (what the keybindings call).

Each action takes the session, acts on its DataManager / current frame and reports
problems through napari notifications, never by raising into Qt's key handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from napari.utils.notifications import show_error, show_info, show_warning

from napari_whiskertoolbox.core.counted import counted
from napari_whiskertoolbox.core.kinds import RAGGED_KINDS, kind_info
from napari_whiskertoolbox.io.dlc import other_folders_image
from napari_whiskertoolbox.io.pose import PoseSet, pose_sets
from napari_whiskertoolbox.layers import history_keys
from napari_whiskertoolbox.workflow import navigation
from napari_whiskertoolbox.workflow.save_folder import folder_name, session_folder_in
from napari_whiskertoolbox.workflow.save_target import save_after_labels, saved_message
from napari_whiskertoolbox.workflow.start_folder import remember_folder, source_file, start_folder

if TYPE_CHECKING:
    from napari_whiskertoolbox.layers.session import ViewerSession

__all__ = [
    "copy_previous_annotations",
    "display_frame_count",
    "display_frames_with_data",
    "go_to_empty_frame",
    "go_to_frame_with_data",
    "key_label",
    "merge_previous_annotations",
    "redo",
    "save",
    "save_as",
    "step",
    "undo",
]

NAVIGABLE_KINDS = (*RAGGED_KINDS, "digital_event")
SAVE_AS_DIALOG = "session folder"
"""The save-as folder dialog, as :func:`.start_folder.start_folder` remembers its folder."""


def display_frame_count(session: ViewerSession) -> int:
    """Return the number of frames of the display clock (the frame slider's range)."""
    return len(session.dm.get_time(session.display_clock))


def _to_display_frames(session: ViewerSession, key: str, times: np.ndarray) -> np.ndarray:
    dm = session.dm
    times = np.asarray(times, dtype=np.int64)
    if dm.time_key(key) == session.display_clock or times.size == 0:
        return times
    display = dm.get_time(session.display_clock)
    return np.unique(np.asarray(dm.clock_of(key).convert_index(times, to=display), np.int64))


def display_frames_with_data(session: ViewerSession, key: str) -> np.ndarray:
    """Sorted display-clock frames on which ``key`` has data.

    Raises
    ------
    ValueError
        If ``key`` holds a type without per-frame objects (analog, intervals, media...).
    """
    dm = session.dm
    data_type = dm.data_type(key)
    data = dm.get_data(key)
    if data_type in RAGGED_KINDS:
        times = data.times_with_data()
    elif data_type == "digital_event":
        times = data.times
    else:
        raise ValueError(
            f"key {key!r} holds {data_type!r} data; frame navigation needs one of "
            f"{', '.join(NAVIGABLE_KINDS)}"
        )
    return _to_display_frames(session, key, times)


def _active_key(session: ViewerSession) -> str | None:
    key = session.active_key
    if key is None:
        show_info("No active key: select a WhiskerToolbox layer first.")
    return key


def _active_pose(session: ViewerSession) -> PoseSet | None:
    """Return the active pose set (its keypoints layer selected last), or None."""
    name = session.active_pose
    return None if name is None else pose_sets(session.dm).get(name)


def _pose_keys(session: ViewerSession, pose: PoseSet) -> list[str]:
    return [key for key in pose.all_keys() if key in session.dm]


def _pose_frames(session: ViewerSession, pose: PoseSet) -> np.ndarray:
    """Sorted display frames on which any keypoint of ``pose`` is placed."""
    frames = [display_frames_with_data(session, key) for key in _pose_keys(session, pose)]
    return np.unique(np.concatenate(frames)) if frames else np.empty(0, np.int64)


def step(session: ViewerSession, delta: int) -> int:
    """Move ``delta`` frames (clamped); return the new frame."""
    frame = navigation.step_frame(session.current_frame, delta, display_frame_count(session))
    session.set_frame(frame)
    return frame


def _active_key_frames(session: ViewerSession) -> tuple[str, np.ndarray] | None:
    """Return the active key and its display frames with data, or ``None`` (reported).

    With a pose set active: its name and the frames with any of its keypoints.
    """
    pose = _active_pose(session)
    if pose is not None:
        return pose.name, _pose_frames(session, pose)
    key = _active_key(session)
    if key is None:
        return None
    try:
        return key, display_frames_with_data(session, key)
    except ValueError as error:
        show_warning(str(error))
        return None


def go_to_frame_with_data(session: ViewerSession, direction: int = 1) -> int | None:
    """Jump to the next (``direction > 0``) or previous frame where the active key has data."""
    found = _active_key_frames(session)
    if found is None:
        return None
    key, times = found
    find = navigation.next_frame_with_data if direction > 0 else navigation.previous_frame_with_data
    frame = find(times, session.current_frame)
    if frame is None:
        show_info(f"No {'later' if direction > 0 else 'earlier'} frame with data in {key!r}.")
        return None
    session.set_frame(frame)
    return frame


def go_to_empty_frame(session: ViewerSession) -> int | None:
    """Jump to the next frame where the active key has no data."""
    found = _active_key_frames(session)
    if found is None:
        return None
    key, times = found
    frame = navigation.next_frame_without_data(
        times, session.current_frame, display_frame_count(session)
    )
    if frame is None:
        show_info(f"Every later frame has data in {key!r}.")
        return None
    session.set_frame(frame)
    return frame


def key_label(key: str) -> str:
    """Return a napari key name as users read it: ``"Control-Shift-D"`` → ``"Ctrl+Shift+D"``.

    ``"Escape"`` reads ``"Esc"``.
    """
    short = {"Control": "Ctrl", "Escape": "Esc"}
    return "+".join(short.get(part, part) for part in key.split("-"))


def _copied(objects: Any) -> Any:
    if isinstance(objects, np.ndarray):
        return np.array(objects)
    return [np.array(obj) for obj in objects]


def _joined(kept: Any, added: Any) -> Any:
    if isinstance(kept, np.ndarray):
        return np.concatenate([np.asarray(kept).reshape(-1, 2), added.reshape(-1, 2)], axis=0)
    return [*_copied(kept), *added]


def _count(n: int, data_type: str) -> str:
    label = kind_info(data_type).label  # plural noun: "points", "lines", "masks"
    return f"{n} {label if n != 1 else label.removesuffix('s')}"


def copy_previous_annotations(session: ViewerSession, merge: bool = False) -> int | None:
    """Copy the objects of the nearest earlier annotated frame of the active key here.

    By default the copies *replace* what this frame had; with ``merge`` they are added to
    it. The copies get new entity ids; the whole edit is one undo step. A notification
    says what happened (counts, source frame, how to undo).

    With a pose set active (:attr:`ViewerSession.active_pose`), the frame copied is the
    nearest earlier one with any of its keypoints, every body part of every individual at
    once (:func:`_copy_previous_pose`).

    Returns
    -------
    int or None
        The source frame (in the key's clock; a display frame for a pose set), or ``None``
        when nothing was copied.
    """
    pose = _active_pose(session)
    if pose is not None:
        return _copy_previous_pose(session, pose, merge)
    key = _active_key(session)
    if key is None:
        return None
    dm = session.dm
    data_type = dm.data_type(key)
    if data_type not in RAGGED_KINDS:
        show_warning(f"Copying frames needs a points, line or mask key; {key!r} is not one.")
        return None
    data = dm.get_data(key)
    target = int(session.from_display(key, session.current_frame))
    source = navigation.previous_frame_with_data(data.times_with_data(), target)
    if source is None:
        show_info(f"No earlier frame with data in {key!r} to copy from.")
        return None
    copies = _copied(data.at(source))
    n_copied, n_before = len(copies), data.count_at(target)
    undo_key = key_label(history_keys.HISTORY_KEYS["undo"][0][0])
    if merge:
        kept_ids = np.asarray(data.ids_at(target), dtype=np.uint64)
        ids = np.concatenate([kept_ids, np.zeros(n_copied, dtype=np.uint64)])
        data.set_frame(target, _joined(data.at(target), copies), ids=ids)
        outcome = (
            f"added to the {_count(n_before, data_type)} already there"
            if n_before
            else "to an empty frame"
        )
    else:
        data.set_frame(target, copies)
        outcome = f"replacing {_count(n_before, data_type)}" if n_before else "to an empty frame"
    show_info(
        f"{key}: copied {_count(n_copied, data_type)} from frame {source} to frame {target}, "
        f"{outcome}. {undo_key} undoes it."
    )
    return source


def _copy_previous_pose(session: ViewerSession, pose: PoseSet, merge: bool) -> int | None:
    """Copy the keypoints of ``pose``'s nearest earlier frame with any, as one undo step.

    Each key holds one point a frame: by default this frame's keypoints become the earlier
    frame's (a body part absent there is cleared here); with ``merge`` only the body parts
    this frame lacks are filled in. A point keeps the entity id its key had here.
    """
    dm = session.dm
    target = int(session.current_frame)
    keys = _pose_keys(session, pose)
    refusal = (
        other_folders_image(
            pose, int(session.from_display(keys[0], target)), pose_sets(dm).values()
        )
        if keys
        else ""
    )
    if refusal:
        show_warning(f"Nothing copied: {refusal}.")
        return None
    source = navigation.previous_frame_with_data(_pose_frames(session, pose), target)
    if source is None:
        show_info(f"No earlier frame with keypoints of {pose.name!r} to copy from.")
        return None
    copied = replaced = kept = 0
    with dm.history.group(f"copy {pose.name} keypoints from frame {source} to frame {target}"):
        for key in keys:
            points = dm.get_data(key)
            here = int(session.from_display(key, target))
            there = points.at(int(session.from_display(key, source)))
            placed = points.count_at(here) > 0
            if merge and placed:
                kept += 1
                continue
            if len(there):
                ids = [int(i) for i in points.ids_at(here)[:1]] or [0]
                points.set_frame(here, np.array(there[:1], np.float32), ids)
                copied += 1
            elif placed:
                points.clear_at(here)
            replaced += placed
    if not copied:  # merge, nothing missing here: no undo step was recorded
        show_info(
            f"{pose.name}: nothing copied from frame {source} to frame {target}: every body "
            f"part frame {source} has is placed here already ({kept} kept)."
        )
        return None
    undo_key = key_label(history_keys.HISTORY_KEYS["undo"][0][0])
    if merge:
        outcome = (
            f"filling the body parts missing here, {kept} kept" if kept else "to an empty frame"
        )
    else:
        outcome = f"replacing {counted(replaced, 'keypoint')}" if replaced else "to an empty frame"
    show_info(
        f"{pose.name}: copied {counted(copied, 'keypoint')} from frame {source} to frame {target}, "
        f"{outcome}. {undo_key} undoes it."
    )
    return source


def merge_previous_annotations(session: ViewerSession) -> int | None:
    """Add the objects of the nearest earlier annotated frame to this frame (keep its own)."""
    return copy_previous_annotations(session, merge=True)


def undo(session: ViewerSession) -> bool:
    """Undo the last DataManager edit; ``False`` (and a notice) when there is nothing to undo.

    An edit of one frame other than the shown one is shown: the viewer moves to its frame.
    """
    return history_keys.undo(session.dm, session)


def redo(session: ViewerSession) -> bool:
    """Redo the last undone DataManager edit; ``False`` when there is nothing to redo.

    The viewer moves to the frame of a one-frame edit, as :func:`undo` does.
    """
    return history_keys.redo(session.dm, session)


def save(session: ViewerSession) -> bool:
    """Save the session where it came from, asking for a folder the first time.

    A session opened from a config asks, on its first save, whether to save the session
    folder beside the config or into the config's own files (:mod:`.save_target`). A
    session opened from DeepLabCut labelled data, whose edits are all keypoints, writes
    them back into its ``CollectedData_*`` files (:mod:`.labelled_data_save`); with other
    edits too, the keypoints go back and the session is saved in the folder asked for
    (:mod:`.labels_back`). Returns ``False`` when the user cancels.

    A save that fails (a key that would not read back from its file, a full disk) says
    why in an error notice and returns ``False``: nothing escapes to the key handler.
    """
    return _told_if_failed(_save, session)


def _told_if_failed(save_: Any, session: ViewerSession) -> bool:
    """Run ``save_(session)``; a refusal or disk error becomes an error notice (``False``)."""
    try:
        return bool(save_(session))
    except (OSError, ValueError) as error:
        show_error(f"Could not save the WhiskerToolbox session: {error}")
        return False


def _save(session: ViewerSession) -> bool:
    from napari_whiskertoolbox.workflow.registry import workflow_of

    session.flush_pending_edits()  # save what the user sees, e.g. a line being drawn
    workflow = workflow_of(session)
    if session.path is None:
        target = workflow.save_target if workflow is not None else None
        saved = target.save_labelled_data() if target is not None else None
        if saved is None:
            return save_as(session)
        (show_warning if target is not None and target.last_save_warns else show_info)(saved)
        return True
    if workflow is None:
        session.save()
        show_info(saved_message(session.path))
        return True
    message = workflow.save_target.save(workflow.ask)
    if message is None:
        return False
    (show_warning if workflow.save_target.last_save_warns else show_info)(message)
    return True


def save_as(session: ViewerSession) -> bool:
    """Ask for a folder and save the session in it (the session folder becomes its folder).

    The folder is asked through the workflow's :class:`~.ask.Ask` (a hidden viewer has
    nobody to ask: nothing is saved), starting beside the session's folder or config,
    else in the folder of its data, else the last folder picked, else the home folder.
    A folder that is empty or a session folder is saved into; any other gets a new
    session folder inside, named after the session (:mod:`.save_folder`), and the
    notice says so. Returns ``False`` when no folder was chosen.

    Keypoints edited since the last save go back into the DeepLabCut ``CollectedData_*``
    (or SLEAP ``.slp``) files they were read from first, as Ctrl+S writes them
    (:meth:`~.save_target.SaveTarget.labels_back`; not in a session opened from a config,
    whose first save asks where edits go); then the session folder is saved, newer than
    the labels, so opening the project offers it (:mod:`.opening`). One notice names both.
    A save that fails says why in an error notice and returns ``False``.
    """
    return _told_if_failed(_save_as, session)


def _save_as(session: ViewerSession) -> bool:
    from napari_whiskertoolbox.workflow.ask import DialogAsk
    from napari_whiskertoolbox.workflow.modified_state import session_label
    from napari_whiskertoolbox.workflow.registry import workflow_of

    session.flush_pending_edits()
    workflow = workflow_of(session)
    ask = workflow.ask if workflow is not None else DialogAsk(lambda: None)
    if session.path is not None:
        start = session.path.parent
    else:
        start = start_folder(SAVE_AS_DIALOG, None, source_file(session.dm))
    chosen = ask.folder("Save the WhiskerToolbox session in", start)
    if chosen is None:
        if workflow is None or (isinstance(ask, DialogAsk) and ask.visible_window() is None):
            show_info("Not saved: this session has no folder yet; save it with session.save(path).")
        return False
    title = workflow.title if workflow is not None else None
    label = title.label if title is not None else session_label(session)
    name = folder_name(label)
    folder = session_folder_in(chosen, name, session.path)
    target = workflow.save_target if workflow is not None else None
    back = target.labels_back() if target is not None and target.config() is None else None
    save_after_labels(session, back, folder)
    remember_folder(SAVE_AS_DIALOG, chosen)
    if back is not None:
        where = folder.name if folder == chosen else f"{chosen.name}/{folder.name}"
        (show_warning if back.warns else show_info)(back.notice(folder, where))
        return True
    if folder == chosen:
        show_info(saved_message(folder))
        return True
    why = f"{chosen.name} holds other files"
    if folder.name != f"{name}{folder.suffix}":
        why += f", {name}{folder.suffix} among them"
    # napari's toast shows the first ~40 characters: the picked folder first
    show_info(
        f"Saved {chosen.name}/{folder.name} in {chosen.parent}: a new session folder, as {why}"
    )
    return True
