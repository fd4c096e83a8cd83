"""Where Ctrl+S saves a session, said (and asked) the first time.

A session opened from a WhiskerToolbox config ``exp.json`` is saved, by default, as the
session folder ``exp.session/`` beside it: the config and its files are never changed
behind the user's back, and opening ``exp.json`` later offers the newer session
(:mod:`.opening`). The first save says so, and offers the other choice: writing the
changed keys back into the config's own files in their WhiskerToolbox formats
(:mod:`napari_whiskertoolbox.io.write_back`), possible only when every change fits them.
Keys the config does not hold are added to it as new items, their files beside it.
The answer holds for the rest of the session. Sessions opened from a session folder (or
saved once) are saved there without asking. A session opened from DeepLabCut labelled
data whose edits are all keypoints goes back into its ``CollectedData_*`` files
(:meth:`SaveTarget.save_labelled_data`); with other edits too, the keypoints still go back
and the session goes to a session folder (:meth:`SaveTarget.labels_back`), as it does on
every later save there.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.core.default_clock import DEFAULT_CLOCK
from napari_whiskertoolbox.io.config_additions import loader_drops
from napari_whiskertoolbox.io.errors import FormatError
from napari_whiskertoolbox.io.keys import source_of
from napari_whiskertoolbox.io.pose import pose_of_key
from napari_whiskertoolbox.io.routing import session_folder_for
from napari_whiskertoolbox.io.session import SESSION_FILE
from napari_whiskertoolbox.io.write_back import WriteBackPlan, plan_write_back, write_back
from napari_whiskertoolbox.workflow.ask import Choice, Question
from napari_whiskertoolbox.workflow.labelled_data_save import (
    labelled_data_targets,
    save_labelled_data,
)
from napari_whiskertoolbox.workflow.labels_back import LabelsBack, write_labels_back

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from napari_whiskertoolbox.core import DataManager, TimeFrame
    from napari_whiskertoolbox.layers.session import ViewerSession
    from napari_whiskertoolbox.workflow.ask import Ask

__all__ = ["CONFIG_FILES", "FIRST_SAVE_QUESTION", "SESSION_FOLDER", "SaveTarget", "saved_message"]

FIRST_SAVE_QUESTION = "first_save"
"""Id of the question the first save of a config's session asks."""
SESSION_FOLDER = "session_folder"
"""Answer: save everything as the session folder beside the config."""
CONFIG_FILES = "config_files"
"""Answer: write changed keys back into the config's own files."""


class SaveTarget:
    """Where ``session`` is saved, and which keys changed since it was last saved.

    Parameters
    ----------
    session : ViewerSession
        The session to save.
    """

    def __init__(self, session: ViewerSession) -> None:
        self._session = session
        self.mode: str | None = None
        """The answer to the first-save question (``None`` until asked)."""
        self.last_save_warns = False
        """Whether the last :meth:`save`'s notice says labels were NOT written back."""
        self.changed: set[str] = set()
        """Keys added or edited since the last save."""
        self.removed: set[str] = set()
        """Keys deleted since the last save (and not stored again)."""
        self.renamed: dict[str, str] = {}
        """Keypoint keys renamed since the last save: ``{name now: name at the last save}``.
        Their body parts stay in their pose sets, whose labels files name body parts, not
        keys: only a session folder keeps the new names."""
        self.groups_changed = False
        """Whether a group changed since the last save (a key's file does not hold groups)."""
        dm = session.dm
        self._saved_clocks = _clocks_of(dm)
        self._saved_keys: frozenset[str] = frozenset()
        """The keys at the last save (a key made since and deleted was never saved)."""
        self._config_keys: frozenset[str] = frozenset()
        """The keys the config's files held at the last save (read from or added to them)."""
        self._note_saved_keys()
        dm.groups.changed.connect(self._on_groups_changed)
        dm.data_added.connect(self._on_added)
        dm.data_changed.connect(self._on_changed)
        dm.data_removed.connect(self._on_removed)
        dm.data_renamed.connect(self._on_renamed)
        dm.modified_changed.connect(self._on_modified)
        session.path_changed.connect(self._on_path_changed)

    # ------------------------------------------------------------------ tracking
    def _on_changed(self, key: str, *_: Any) -> None:
        self.changed.add(key)

    def _on_added(self, key: str) -> None:
        # a key stored again (set_data over it emits removed, then added) is edited, not gone
        self.removed.discard(key)
        self.changed.add(key)

    def _on_removed(self, key: str) -> None:
        self.changed.discard(key)
        if key in self._saved_keys:  # a key made since the last save leaves nothing behind
            self.removed.add(key)

    def _on_renamed(self, old: str, new: str) -> None:
        if pose_of_key(self._session.dm, new) is None:
            self._on_removed(old)
            self.changed.add(new)
            self.removed.discard(new)  # renamed back to a name it had at the last save
            return
        if old in self.changed:
            self.changed.discard(old)
            self.changed.add(new)
        saved_name = self.renamed.pop(old, old)
        if saved_name != new and saved_name in self._saved_keys:
            self.renamed[new] = saved_name

    def _on_groups_changed(self, *_: Any) -> None:
        self.groups_changed = True

    def _on_modified(self, modified: Any) -> None:
        if not modified:
            self.changed.clear()
            self.removed.clear()
            self.renamed.clear()
            self.groups_changed = False
            self._saved_clocks = _clocks_of(self._session.dm)
            self._note_saved_keys()

    def _note_saved_keys(self) -> None:
        dm = self._session.dm
        self._saved_keys = frozenset(dm.keys())
        self._config_keys = frozenset(key for key in dm if (source_of(dm, key) or {}).get("config"))

    def changed_clocks(self) -> list[str]:
        """Return the clocks added, removed or changed (ticks, rate) since the last save.

        The automatic ``"time"`` clock growing with the data bound to it is a change of that
        data, not of the clock. Undoing a change back to the saved clock takes it off.
        """
        dm = self._session.dm
        now = _clocks_of(dm)
        changed = []
        for name in sorted(now.keys() | self._saved_clocks.keys()):
            before, after = self._saved_clocks.get(name), now.get(name)
            if before == after:
                continue
            grown = (
                name == DEFAULT_CLOCK
                and dm.default_clock_is_automatic
                and before is not None
                and after is not None
                and before.is_counting
                and after.is_counting
                and before.sampling_rate == after.sampling_rate
            )
            if not grown:
                changed.append(name)
        return changed

    def unsaved_besides_keys(self) -> bool:
        """Whether something a key's own file cannot hold changed since the last save.

        A deleted or renamed key, a group, or a clock (:meth:`changed_clocks`).
        """
        return bool(self.removed or self.renamed or self.groups_changed or self.changed_clocks())

    def keys_saved(self, keys: Iterable[str]) -> None:
        """Note ``keys`` written to their own files; the session is saved once nothing is left.

        Saved: no other key added, edited or deleted, no group and no clock changed since
        the last save (napari's Save Selected Layers writing each edited key to the file it
        was opened from).
        """
        self.changed.difference_update(keys)
        dm = self._session.dm
        if dm.modified and not (self.changed or self.unsaved_besides_keys()):
            dm.mark_saved()

    def _on_path_changed(self, path: Any) -> None:
        self.mode = None

    # ------------------------------------------------------------------ where
    def config(self) -> Path | None:
        """Return the WhiskerToolbox config the session was opened from (while saved by it)."""
        path = self._session.path
        if path is None or path.suffix.lower() != ".json" or path.name == SESSION_FILE:
            return None
        return path

    def plan(self) -> WriteBackPlan:
        """Where each changed key would go in the config's own files (or why it cannot).

        Only a key the config's files held at the last save (read from them, or added to
        them by a save) is refused when deleted or renamed: a key made since is new under
        whatever name it has now.
        """
        gone = (self.removed | set(self.renamed.values())) & self._config_keys
        return plan_write_back(
            self._session.dm,
            sorted(self.changed),
            sorted(gone),  # a config's item names its keys
            config=self.config(),
            clocks=self.changed_clocks(),
        )

    def question(self) -> Question:
        """Return the first-save question for the session's config."""
        config = self.config()
        if config is None:
            raise ValueError(
                "the first-save question is only asked for a session opened from a config"
            )
        folder = session_folder_for(config)
        existing = folder / SESSION_FILE
        replaces = (
            f" It replaces the session saved there on "
            f"{datetime.fromtimestamp(existing.stat().st_mtime):%Y-%m-%d %H:%M}."
            if existing.is_file()
            else ""
        )
        return Question(
            id=FIRST_SAVE_QUESTION,
            title="Where should this session be saved?",
            text=(
                f"This session was opened from the WhiskerToolbox config {config.name}. "
                "Choose where the edits go. Later saves go to the same place without asking."
            ),
            choices=(
                Choice(
                    SESSION_FOLDER,
                    f"Save the session folder {folder.name} beside the config (recommended)",
                    f"Everything — keys, clocks, groups, lane colours — goes into {folder}. "
                    f"The config's files stay as they are; opening {config.name} later "
                    f"offers this session.{replaces}",
                ),
                self._config_files_choice(config),
            ),
            default=SESSION_FOLDER,
        )

    def _config_files_choice(self, config: Path) -> Choice:
        label = "Save into the config's own files, in their WhiskerToolbox formats"
        plan = self.plan()
        if not plan.possible:
            return Choice(CONFIG_FILES, label, f"Not possible: {plan.refusals()}.", enabled=False)
        if not plan.writes and not plan.additions:
            return Choice(CONFIG_FILES, label, "No key changed since the config was loaded.")
        base = config.parent
        parts = []
        if plan.writes:
            files = ", ".join(f"{k} → {_relative(p, base)}" for k, p in plan.writes.items())
            parts.append(f"Rewrites {files}")
        if plan.additions:
            added = ", ".join(f"{k} → {_relative(a.path, base)}" for k, a in plan.additions.items())
            each = "each as a new item" if len(plan.additions) > 1 else "as a new item"
            parts.append(
                f"{'adds' if plan.writes else 'Adds'} {added} beside the config, {each} "
                f"of {config.name} (its other content kept as written)"
            )
        return Choice(
            CONFIG_FILES,
            label,
            f"{'; '.join(parts)}, so WhiskerToolbox sees the edits. Groups and lane colours "
            f"are not kept.{self._read_less(plan)}",
        )

    def _read_less(self, plan: WriteBackPlan) -> str:
        """Say which keys WhiskerToolbox will read less of than is saved (``""``: none)."""
        dm = self._session.dm
        formats = {key: (source_of(dm, key) or {}).get("format") for key in plan.writes}
        formats.update({key: added.raw["format"] for key, added in plan.additions.items()})
        drops = [
            f"{key} {drop}"
            for key, fmt in formats.items()
            if (drop := loader_drops(dm.data_type(key), fmt, dm.get_data(key))) is not None
        ]
        return f" WhiskerToolbox will read less than is saved: {'; '.join(drops)}." if drops else ""

    # ------------------------------------------------------------------ save
    def save_labelled_data(self) -> str | None:
        """Write the edits back into DeepLabCut's ``CollectedData_*`` files, if they all fit.

        Returns
        -------
        str or None
            What was written, for a notification; ``None`` (nothing written) unless every
            key changed since the last save is a keypoint of a pose set read from a
            DeepLabCut labelled-data table (:mod:`.labelled_data_save`) and no keypoint
            key was renamed (the table cannot hold a key's name: a session folder does).
        """
        targets = labelled_data_targets(self._session.dm, self.changed, self.removed)
        if targets is None or self.renamed:  # the labels files cannot hold a key's new name
            return None
        written = save_labelled_data(self._session.dm, targets)
        self.last_save_warns = bool(written.kept)
        # With the folder: a project's labelled-data folders each hold a file of that name.
        files = ", ".join(f"{p.parent.name}/{p.name}" for p in written.files)
        kept = written.kept_message()  # first: a collapsed notice shows only its first words
        return f"{kept}; saved the labels to {files}" if kept else f"Saved the labels to {files}"

    def labels_back(self) -> LabelsBack | None:
        """Write the keypoint edits back into their labels files, before a session folder save.

        Returns
        -------
        LabelsBack or None
            What went back and what could not (:func:`.labels_back.write_labels_back`);
            ``None`` when no edited key is a keypoint read from a labels file.
        """
        besides = [
            name
            for name, changed in (
                ("renamed keys", bool(self.renamed)),
                ("groups", self.groups_changed),
                ("clocks", self.changed_clocks()),
            )
            if changed
        ]
        return write_labels_back(self._session.dm, self.changed, self.removed, besides=besides)

    def save(self, ask: Ask) -> str | None:
        """Save the session where this target says, asking first if it never asked.

        Returns
        -------
        str or None
            What was saved where, for a notification; ``None`` when the user cancelled.

        Raises
        ------
        napari_whiskertoolbox.io.FormatError
            A key would not read back the same from its own file (nothing was written).
        OSError
            The disk refused the write.

        A save into the config's files that fails forgets that choice: the next save asks
        again where to save.
        """
        session = self._session
        config = self.config()
        self.last_save_warns = False
        if config is None:
            back = self.labels_back()
            save_after_labels(session, back)
            self.last_save_warns = back is not None and back.warns
            folder = session.path
            if back is None or folder is None:
                return saved_message(folder)
            return back.notice(folder, folder.name)
        if self.mode is None or (self.mode == CONFIG_FILES and not self.plan().possible):
            answer = ask.choose(self.question())
            if answer is None:
                return None
            self.mode = answer
        if self.mode == CONFIG_FILES:
            try:
                written = write_back(session.dm, self.plan())
            except (FormatError, OSError) as error:
                self.mode = None  # a choice that failed is asked again on the next save
                raise type(error)(
                    f"nothing was saved into the files of {config.name} ({error}); the next "
                    "save asks again where to save"
                ) from error
            session.dm.mark_saved()
            names = ", ".join(_relative(p, config.parent) for p in written) or "nothing changed"
            return f"Saved into the files of {config.name}: {names}"
        session.save()
        # napari's toast shows the first ~40 characters: what and where first, the path last
        folder = session.path
        name = folder.name if folder is not None else "the session"
        return (
            f"Saved {name} beside {config.name}: opening {config.name} later offers it ({folder})"
        )


def save_after_labels(
    session: ViewerSession, back: LabelsBack | None, folder: Path | None = None
) -> None:
    """Save ``session`` (in ``folder``), saying in the error what ``back`` wrote already.

    Raises
    ------
    OSError
        The session folder could not be saved after labels files were updated (the
        message names them).
    OSError or ValueError
        The session folder could not be saved (nothing was written back).
    """
    try:
        session.save(folder)
    except (OSError, ValueError) as error:
        if back is None or not back.written:
            raise
        raise OSError(
            f"{back.summary()}, but the session folder could not be saved: {error}"
        ) from error


def _clocks_of(dm: DataManager) -> dict[str, TimeFrame]:
    """Every clock of ``dm`` by name (clocks are immutable: a change stores a new one)."""
    return {name: dm.get_time(name) for name in dm.time_keys()}


def saved_message(folder: Path | None) -> str:
    """Return the notice of a session saved in ``folder``: its name first, then where.

    napari's toast shows about the first 40 characters of a message: ``Saved
    /home/me/experiments/2026/…`` named neither the folder nor its parent.
    """
    if folder is None:
        return "Saved the session"
    return f"Saved {folder.name} in {folder.parent}"


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)
