"""All keypoints of one pose set in one editable napari Points layer.

A pose set keeps one :class:`PointData` key per (individual, body part), at most one point
per frame each. One Points layer per key would cost a layer update per body part on every
frame step (10 body parts x 2 animals = 20 layers); this view shows the whole set in one
layer instead: row ``i`` is the point of key ``row_keys[i]`` on the shown frame, coloured
after its individual (after its body part for a single animal), with ``individual`` and
``bodypart`` features and a text label: the body part's name, or ``individual · bodypart``
for several animals (``mouse1 · nose``), as napari-deeplabcut shows them (Layer controls >
"display text" hides them). A SLEAP set's labels are drawn as SLEAP's GUI draws them: each
node by its name, the track told by the colour and named once, on the label of its first
node shown (``mouseA · nose``, ``left_ear``, ``right_ear``), so animals side by side do not
heap long labels on each other. Each pose set of a
session has its own marker (:func:`~.io.pose.pose_symbol`: disc, square, diamond...), so
two sets coloured alike (a DeepLabCut and a SLEAP set of the same mouse) are told apart.

A network's prediction (:mod:`~.io.pose_scores`: a SLEAP predicted instance's point, a
DeepLabCut prediction with its likelihood, still where the file put it) is drawn hollow, a
ring in the point's colour whose opacity follows its score, as SLEAP draws predicted
instances apart from user ones; a label (placed, moved or read as a label) is a filled disc
with a black border. The ``predicted`` (bool) and ``score`` (float64, NaN for a label)
features say the same. Moving a prediction makes it the user's at once (its file keeps it
as a user instance, or with likelihood 1; one moved keypoint of a SLEAP predicted instance
makes the whole instance the user's); undoing the move makes it the prediction again.

Edits go back to the keys as one undo step: a moved point updates its key (entity id kept);
a deleted point clears its key on that frame; an added point goes to the first body part,
in the project's order, that the *current individual* (the one of the last selected point,
else the first) has no point for on this frame — DeepLabCut's labelling order — or to the
body part chosen for the next point (:attr:`PosePointsView.next_bodypart`, the *Annotation
keys* dock's "Next keypoint"; placing it moves the choice on to the next body part missing
here, as DeepLabCut's sequential labelling does, so an occluded part can be skipped). When
every body part is placed, or the chosen one is, the extra point is taken back and the user
is told.
"""

from __future__ import annotations

import logging
import math
import threading
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from napari.layers import Points
from psygnal import Signal

from napari_whiskertoolbox.core.key_references import COLORS
from napari_whiskertoolbox.io.pose import SINGLE_ANIMAL, pose_symbol
from napari_whiskertoolbox.io.pose_colors import keypoint_color
from napari_whiskertoolbox.io.pose_scores import (
    SourceScores,
    may_hold_predictions,
    source_scores,
)
from napari_whiskertoolbox.io.pose_written import hiding_threshold
from napari_whiskertoolbox.layers.converters import layer_points_to_points, points_to_layer_points
from napari_whiskertoolbox.layers.main_thread import call_in_main
from napari_whiskertoolbox.layers.quiet import quiet_update
from napari_whiskertoolbox.layers.row_edits import refuse_layer_edit

if TYPE_CHECKING:
    from collections.abc import Callable

    from napari_whiskertoolbox.io.pose import PoseSet

__all__ = [
    "WTB_POSE",
    "LabelRoom",
    "PosePointsView",
    "frame_point",
    "label_color",
    "label_text",
    "row_labels",
]

LOGGER = logging.getLogger(__name__)

WTB_POSE = "wtb_pose"
"""``layer.metadata`` entry naming the pose set a keypoints layer shows."""
POINT_SIZE = 8.0
"""Keypoint diameter in image pixels when the pose set gives none (DeepLabCut's ``dotsize``)."""


LABEL_BORDER_WIDTH = 0.1
"""Border of a labelled keypoint, relative to its size (a black rim around the disc)."""
PREDICTED_BORDER_WIDTH = 0.3
"""Ring of a predicted keypoint, relative to its size (its face is transparent)."""
PREDICTED_MIN_OPACITY = 0.35
"""Opacity of a prediction's ring at score 0 (1 at score 1 and above)."""
OPACITY_STEPS = 4
"""The ring's opacity follows the score in this many steps: a frame step whose scores move
a little (a network's 0.991 then 0.987) does not recolour the layer (~1 ms each time)."""
BLACK = np.array([0.0, 0.0, 0.0, 1.0])

LABEL_COLOR = "label_color"
"""Feature column of each keypoint's text colour (napari's ``text.color`` reads it)."""
TEXT_SIZE = 8
"""Size of the keypoints' body-part labels (napari's ``text.size``: screen points)."""
LABEL_CHAR_WIDTH = 0.9 * TEXT_SIZE
"""Screen pixels a label's character takes at most (measured: 7 for napari's font at 8)."""
LABEL_HEIGHT = 1.6 * TEXT_SIZE
"""Screen pixels a label rises above its keypoint (anchor ``upper_left``: the text's
bottom-left corner is at the point)."""
LABEL_LUMINANCE = 0.179
"""Relative luminance (WCAG) of the label colours: the one with the same contrast against
white and black, ``1.05 / (L + 0.05) == (L + 0.05) / 0.05``: 4.58:1 on both."""


def text_spec(point_size: float, color: Any = "white") -> dict[str, Any]:
    """Text label of each keypoint beside the marker of ``point_size`` pixels.

    The :data:`LABEL` feature (:func:`row_labels`). A napari ``text`` spec over the layer's
    features; the offset is in image pixels, so the label stays clear of the marker at
    every zoom. ``color``: napari's text colour (a colour, or an encoding over the features
    such as ``{"feature": ..., "colormap": ...}``).
    """
    return {
        "string": "{" + LABEL + "}",
        "size": TEXT_SIZE,
        "color": color,
        "anchor": "upper_left",
        "translation": [0.0, 0.6 * point_size],
    }


MULTI_ANIMAL_TEXT = "{individual} · {bodypart}"
"""Text of a keypoint of a multi-animal pose set (napari-deeplabcut's ``{id}–{label}``)."""
LABEL = "label"
"""Feature column of each keypoint's text label (napari's ``text.string`` reads it)."""


def label_text(individual: str, bodypart: str, multi_animal: bool) -> str:
    """Return the longest text label a keypoint is drawn with (:func:`row_labels`)."""
    if multi_animal:
        return MULTI_ANIMAL_TEXT.format(individual=individual, bodypart=bodypart)
    return bodypart


def row_labels(owners: list[tuple[str, str]], multi_animal: bool, name_once: bool) -> list[str]:
    """Return the text label of each row of ``owners`` (``(individual, bodypart)``).

    The body part, or for several animals ``individual · bodypart`` (napari-deeplabcut's
    way); ``name_once`` (SLEAP's GUI's way): the individual named only on its first row,
    its other rows by their body part.
    """
    if not multi_animal:
        return [bodypart for _, bodypart in owners]
    named: set[str] = set()
    out = []
    for individual, bodypart in owners:
        first = individual not in named
        named.add(individual)
        out.append(label_text(individual, bodypart, first or not name_once))
    return out


def label_color(color: str, luminance: float = LABEL_LUMINANCE) -> str:
    """Return ``color``'s hue at relative ``luminance`` (``#rrggbb``).

    By default :data:`LABEL_LUMINANCE`, readable on white frames and on black ones alike
    (4.5:1 or more, WCAG AA); :func:`~napari_whiskertoolbox.layers.label_contrast.label_luminance`
    gives the one for a known frame brightness (:func:`~.label_contrast.at_luminance`). The
    label of a keypoint then shares its marker's hue.
    """
    from napari_whiskertoolbox.layers.label_contrast import at_luminance

    return at_luminance(color, luminance)


class LabelRoom(NamedTuple):
    """The image-pixel box of one body part's markers over all frames, and its label's size.

    ``radius`` (image pixels) is the markers'; the label starts ``offset`` image pixels
    right of a point and takes ``width_px`` by ``height_px`` screen pixels, above it.
    """

    x_min: float
    y_min: float
    x_max: float
    y_max: float
    radius: float
    offset: float
    width_px: float
    height_px: float

    def box(self, zoom: float) -> tuple[float, float, float, float]:
        """Return ``(top, left, bottom, right)`` in image pixels at ``zoom`` screen px per pixel."""
        return (
            min(self.y_min - self.radius, self.y_min - self.height_px / zoom),
            self.x_min - self.radius,
            self.y_max + self.radius,
            max(self.x_max + self.radius, self.x_max + self.offset + self.width_px / zoom),
        )


def frame_point(
    dm: Any, index_of: Callable[[str, int], int], key: str, frame: int
) -> np.ndarray | None:
    """Return the ``(x, y)`` point of ``key`` on display ``frame`` (None when absent)."""
    if key not in dm:
        return None
    points = dm.get_data(key).at(index_of(key, frame))
    return points[0] if len(points) else None


def _opacity(score: float) -> float:
    """Opacity of a prediction's ring: :data:`PREDICTED_MIN_OPACITY` at 0 to 1 at 1, in steps."""
    confidence = min(max(score, 0.0), 1.0) if math.isfinite(score) else 1.0
    step = round(confidence * OPACITY_STEPS) / OPACITY_STEPS
    return PREDICTED_MIN_OPACITY + (1 - PREDICTED_MIN_OPACITY) * step


def _opacities(scores: list[float | None]) -> list[float | None]:
    """Return the ring opacity of each row (None: a label, no ring)."""
    return [None if s is None else _opacity(s) for s in scores]


class PosePointsView:
    """The Points layer of one pose set, and the write-back of its edits.

    Parameters
    ----------
    pose : PoseSet
        The pose set shown.
    dm : DataManager
        Holds its keys.
    index_of : callable
        ``(key, display frame) -> index on the key's clock``.
    notify : callable
        ``message -> None``, tells the user why an edit was refused.

    Signals
    -------
    next_changed()
        :attr:`next_bodypart` or :attr:`current_individual` changed: the body part (of
        which individual) an added point goes to.
    hidden_changed()
        :attr:`hidden` changed without a frame step (the source's predictions were read).
    """

    next_changed = Signal()
    hidden_changed = Signal()

    def __init__(
        self,
        pose: PoseSet,
        dm: Any,
        index_of: Callable[[str, int], int],
        notify: Callable[[str], None],
    ) -> None:
        self._pose = pose
        self.dm = dm
        self.index_of = index_of
        self.notify = notify
        self.frame: int | None = None
        self.row_keys: list[str] = []
        self.pushing = False
        self._current_individual = pose.individuals[0]
        self._next_bodypart: str | None = None
        self._colors: dict[str, np.ndarray] = {}  # key -> RGBA, parsed once
        self._label_colors: dict[str, str] = {}  # key -> its label's colour
        self._label_luminance = LABEL_LUMINANCE
        self._feature_keys: list[str] = []  # the keys whose features the layer's rows hold
        self._scores: SourceScores | None = None
        self._scores_token: object | None = None  # the read under way, if any
        self._scores_source: Any = ()  # the pose.source _scores were read for (read lazily)
        self._shown_scores: list[float | None] = []  # the score each row is drawn with
        self.hidden = 0
        """How many of the set's keypoints on the frame drawn the likelihood threshold hides."""
        size = pose.point_size or POINT_SIZE
        self.layer = Points(
            np.empty((0, 2), np.float32),
            ndim=2,
            name=pose.name,
            size=size,
            symbol=pose_symbol(dm, pose.name),
            border_color="black",
            border_width=LABEL_BORDER_WIDTH,
            features=self.features_of([]),
            text=text_spec(size, {"feature": LABEL_COLOR}),
            metadata={WTB_POSE: pose.name},
        )
        self.layer.events.data.connect(self._on_layer_data)
        self.layer.selected_data.events.items_changed.connect(self._on_selection)

    def close(self) -> None:
        """Disconnect from the layer (a source still being read is then dropped)."""
        self._scores_token = None
        self.layer.events.data.disconnect(self._on_layer_data)
        self.layer.selected_data.events.items_changed.disconnect(self._on_selection)

    @property
    def pose(self) -> PoseSet:
        """The pose set shown."""
        return self._pose

    @pose.setter
    def pose(self, pose: PoseSet) -> None:
        renamed = pose.keys != self._pose.keys
        self._pose = pose
        if renamed:  # a key renamed: what was cached by key is read again for the new keys
            self._colors.clear()
            self._label_colors.clear()
            self._scores_source = ()

    # ---------------------------------------------------------------- drawing
    def color_of(self, key: str) -> str:
        """Display colour of ``key``: ``dm.metadata["colors"][key]``, the set's colour table.

        The table :func:`~napari_whiskertoolbox.io.pose.record_pose` wrote and an NWB export
        stores; a key it lacks: its individual's colour, or its body part's for one animal.
        """
        colors = self.dm.metadata.get(COLORS) if isinstance(self.dm.metadata, dict) else None
        if isinstance(colors, dict) and isinstance(colors.get(key), str):
            return str(colors[key])
        individual, bodypart = self.owner(key)
        return keypoint_color(self.pose, individual, bodypart)

    def label_room(self) -> list[LabelRoom]:
        """Where the set's markers and labels reach, over every frame: one per body part.

        Empty when the layer or its labels are hidden.
        """
        layer = self.layer
        if not layer.visible:
            return []
        text_shown = bool(layer.text.visible)
        radius = (
            float(np.max(layer.size)) / 2
            if len(layer.size)
            else (self.pose.point_size or POINT_SIZE) / 2
        )
        offset = 0.6 * (self.pose.point_size or POINT_SIZE)
        out = []
        multi = self.pose.multi_animal
        for bodypart in self.pose.bodyparts:
            owners = [
                (individual, key)
                for individual in self.pose.individuals
                if (key := self.pose.key(individual, bodypart)) is not None and key in self.dm
            ]
            coords = [self.dm.get_data(key).to_flat().coords for _, key in owners]
            xy = np.concatenate(coords) if coords else np.empty((0, 2))
            if not len(xy):
                continue
            chars = max(len(label_text(individual, bodypart, multi)) for individual, _ in owners)
            (x_min, y_min), (x_max, y_max) = xy.min(axis=0), xy.max(axis=0)
            out.append(
                LabelRoom(
                    float(x_min), float(y_min), float(x_max), float(y_max), radius,
                    offset if text_shown else 0.0,
                    LABEL_CHAR_WIDTH * chars if text_shown else 0.0,
                    LABEL_HEIGHT if text_shown else 0.0,
                )
            )  # fmt: skip
        return out

    def owner(self, key: str) -> tuple[str, str]:
        """Return ``(individual, bodypart)`` of ``key``."""
        for individual, parts in self.pose.keys.items():
            for bodypart, k in parts.items():
                if k == key:
                    return individual, bodypart
        raise KeyError(f"key {key!r} is not in pose set {self.pose.name!r}")

    def point_at(self, key: str, frame: int) -> np.ndarray | None:
        """Return the ``(x, y)`` point of ``key`` on display ``frame`` (None when absent)."""
        return frame_point(self.dm, self.index_of, key, frame)

    def draw(self, frame: int) -> None:
        """Show the set's points on display ``frame``: O(keys of the set)."""
        self.frame = frame
        keys: list[str] = []
        xy: list[np.ndarray] = []
        for key in self.pose.all_keys():
            point = self.point_at(key, frame)
            if point is not None:
                keys.append(key)
                xy.append(point)
        self.count_hidden(frame, keys)
        layer = self.layer
        if not keys and not len(layer.data):
            self.row_keys = []
            return
        data = points_to_layer_points(np.asarray(xy, np.float32).reshape(-1, 2))
        same_rows = keys == self.row_keys
        with quiet_update(layer):
            if layer.selected_data:
                layer.selected_data = set()
            layer.data = data
        self._restyle(keys, xy, frame, same_rows)
        self.row_keys = keys

    def _restyle(
        self, keys: list[str], xy: list[np.ndarray], frame: int, same_rows: bool = True
    ) -> None:
        """Give rows ``keys`` (points ``xy`` on ``frame``) their features, colours and rims.

        ``same_rows``: the layer's rows were these keys already (napari kept their colours);
        then only rows whose prediction score changed are restyled. O(rows).
        """
        layer = self.layer
        scores = [self.score_of(k, p, frame) for k, p in zip(keys, xy)]
        if self._scores is not None:
            t = self.index_of(keys[0], frame) if keys else None
            scores = self._scores.per_instance(keys, scores, t)
        shown = self._shown_scores
        kinds_changed = [s is None for s in scores] != [s is None for s in shown]
        with layer.events.data.blocker():  # after the refresh: the view matches the data
            if kinds_changed or keys != self._feature_keys or len(layer.features) != len(keys):
                # ~9 ms: the text labels are refreshed
                layer.features = self.features_of(keys, scores)
                self._feature_keys = keys
            elif scores != shown:  # a prediction's next frame: only its score changed
                self._set_scores(keys, scores)
            if keys and (kinds_changed or not same_rows):  # else napari kept the rows' colours
                face, border, width = self.style_of(keys, scores)
                layer.face_color = face
                layer.border_color = border
                layer.border_width = width
            elif keys and _opacities(scores) != _opacities(shown):
                layer.border_color = self.style_of(keys, scores)[1]
        self._shown_scores = scores

    def _set_scores(self, keys: list[str], scores: list[float | None]) -> None:
        """Write the ``score`` feature of the rows in place (the text labels stay as they are)."""
        layer = self.layer
        values = np.array([np.nan if s is None else s for s in scores], np.float64)
        layer.features.loc[:, "score"] = values  # napari hands out its own table
        if not np.array_equal(layer.features["score"].to_numpy(), values, equal_nan=True):
            layer.features = self.features_of(keys, scores)  # it handed out a copy

    def score_of(self, key: str, point: np.ndarray, frame: int) -> float | None:
        """Return the prediction score of ``key``'s ``point`` on display ``frame`` (None: a label)."""
        scores = self._source_scores()
        if scores is None:
            return None
        return scores.score(key, self.index_of(key, frame), point)

    def _source_scores(self) -> SourceScores | None:
        """Return the source's predictions (None until read; a read starts when the source changed)."""
        source = self.pose.source
        if source is not self._scores_source and source != self._scores_source:
            self._read_scores()
        self._scores_source = source
        return self._scores

    def count_hidden(self, frame: int, shown: list[str]) -> None:
        """Set :attr:`hidden` for display ``frame``, whose points are those of keys ``shown``.

        A key counts when it holds no point there and the source's prediction there scores
        under the threshold reading applied (:func:`~.io.pose_written.hiding_threshold`).
        O(keys of the set); nothing for a set whose reading hid nothing.
        """
        threshold = hiding_threshold(self.pose.source)
        scores = None if threshold is None else self._source_scores()
        hidden = 0
        if scores is not None and threshold is not None:
            drawn = set(shown)
            hidden = sum(
                1
                for key in self.pose.all_keys()
                if key not in drawn
                and key in self.dm
                and scores.below(key, self.index_of(key, frame), threshold)
            )
        self.hidden = hidden

    def hidden_message(self) -> str | None:
        """Say how many keypoints the threshold hides on the frame drawn (None: none)."""
        threshold = hiding_threshold(self.pose.source)
        if not self.hidden or threshold is None:
            return None
        total = sum(1 for key in self.pose.all_keys() if key in self.dm)
        what = "keypoints" if self.pose.multi_animal else "body parts"
        return (
            f"{self.pose.name}: {self.hidden} of {total} {what} below pcutoff {threshold:g} "
            "on this frame (not drawn)"
        )

    def _read_scores(self) -> None:
        """Read the pose set's source file for its predictions, in a worker thread.

        Reading a long DeepLabCut CSV again takes as long as opening it did (seconds for
        100k frames): the points are drawn as labels until it is read, then restyled.
        """
        self._scores = None
        if not may_hold_predictions(self.pose):
            self._scores_token = None
            return
        token = self._scores_token = object()
        pose = self.pose

        def read() -> None:
            try:
                scores = source_scores(pose)
            except Exception:  # a bad file must not take the thread down silently
                LOGGER.exception("pose set %r: its predictions could not be read", pose.name)
                scores = None
            call_in_main(self._scores_read, token, scores)

        threading.Thread(target=read, name=f"{pose.name} predictions", daemon=True).start()

    def _scores_read(self, token: object, scores: SourceScores | None) -> None:
        """Take the predictions read for ``token`` (dropped when a newer read or close came)."""
        if token is not self._scores_token:
            return
        self._scores_token = None
        self._scores = scores
        if self.frame is not None:
            before = self.hidden
            self.count_hidden(self.frame, self.row_keys)
            if self.hidden != before:
                self.hidden_changed.emit()
        if scores is not None and self.frame is not None:
            rows = layer_points_to_points(self.layer.data)
            if len(rows) == len(self.row_keys):
                self._restyle(list(self.row_keys), list(rows), self.frame)

    @property
    def reading_scores(self) -> bool:
        """Whether the source file's predictions are still being read."""
        return self._scores_token is not None

    def style_of(
        self, keys: list[str], scores: list[float | None]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return face colours, border colours (RGBA ``(n, 4)``) and relative border widths.

        A label is filled in its colour with a thin black rim; a prediction is a ring in its
        colour, transparent inside, more opaque the higher its score.
        """
        n = len(keys)
        face = np.empty((n, 4))
        border = np.empty((n, 4))
        width = np.full(n, LABEL_BORDER_WIDTH)
        for i, (key, score) in enumerate(zip(keys, scores)):
            color = self.rgba(key)
            face[i] = color
            if score is None:
                border[i] = BLACK
                continue
            face[i, 3] = 0.0
            border[i] = color
            border[i, 3] = _opacity(score)
            width[i] = PREDICTED_BORDER_WIDTH
        return face, border, width

    def features_of(
        self, keys: list[str], scores: list[float | None] | None = None
    ) -> dict[str, np.ndarray]:
        """Return the feature columns of rows ``keys``.

        ``individual``, ``bodypart``, the text label (:data:`LABEL`, :func:`row_labels`;
        a SLEAP set names each individual once), ``predicted`` (bool), ``score`` (float64: the
        prediction's score, NaN for a label; ``scores`` gives them, None: all labels) and
        the label colour (:data:`LABEL_COLOR`): the point's colour at :func:`label_color`'s
        luminance, the text's colour, readable on white and on black.
        """
        owners = [self.owner(k) for k in keys]
        shown = scores if scores is not None else [None] * len(keys)
        name_once = self.pose.source.get("format") == "sleap"
        return {
            "individual": np.array([o[0] for o in owners], dtype=object),
            "bodypart": np.array([o[1] for o in owners], dtype=object),
            LABEL: np.array(row_labels(owners, self.pose.multi_animal, name_once), dtype=object),
            "predicted": np.array([s is not None for s in shown], dtype=bool),
            "score": np.array([np.nan if s is None else s for s in shown], dtype=np.float64),
            LABEL_COLOR: np.array([self.label_color_of(k) for k in keys], dtype=object),
        }

    def label_color_of(self, key: str) -> str:
        """Return the ``#rrggbb`` colour of ``key``'s text label (parsed once)."""
        color = self._label_colors.get(key)
        if color is None:
            color = label_color(self.color_of(key), self._label_luminance)
            self._label_colors[key] = color
        return color

    @property
    def label_luminance(self) -> float:
        """Relative luminance of the labels (:data:`LABEL_LUMINANCE` until a frame's is known)."""
        return self._label_luminance

    def set_background(self, luminance: float) -> None:
        """Colour the labels to read on frames of relative ``luminance`` (0 black, 1 white)."""
        from napari_whiskertoolbox.layers.label_contrast import label_luminance

        wanted = label_luminance(luminance)
        if wanted == self._label_luminance:
            return
        self._label_luminance = wanted
        self._label_colors.clear()
        if self.frame is not None:
            self.row_keys = []  # restyle every row, text labels included
            self._feature_keys = []
            self.draw(self.frame)

    def rgba(self, key: str) -> np.ndarray:
        """Return the RGBA float colour of ``key`` (parsed once)."""
        color = self._colors.get(key)
        if color is None:
            from napari.utils.colormaps.standardize_color import transform_color

            color = self._colors[key] = transform_color(self.color_of(key))[0]
        return color

    # ---------------------------------------------------------------- edits
    @property
    def current_individual(self) -> str:
        """The individual an added point goes to (the one of the last selected point)."""
        return self._current_individual

    @current_individual.setter
    def current_individual(self, individual: str) -> None:
        if individual not in self.pose.individuals:
            raise ValueError(
                f"pose set {self.pose.name!r} has no individual {individual!r}; "
                f"individuals: {self.pose.individuals}"
            )
        if individual != self._current_individual:
            self._current_individual = individual
            self.next_changed.emit()

    @property
    def next_bodypart(self) -> str | None:
        """The body part the next added point goes to; None: the first one missing here."""
        return self._next_bodypart

    @next_bodypart.setter
    def next_bodypart(self, bodypart: str | None) -> None:
        if bodypart is not None and bodypart not in self.pose.bodyparts:
            raise ValueError(
                f"pose set {self.pose.name!r} has no body part {bodypart!r}; "
                f"body parts: {self.pose.bodyparts}"
            )
        if bodypart != self._next_bodypart:
            self._next_bodypart = bodypart
            self.next_changed.emit()

    def _on_selection(self, event: Any = None) -> None:
        selected = sorted(self.layer.selected_data)
        if selected and selected[-1] < len(self.row_keys):
            self.current_individual = self.owner(self.row_keys[selected[-1]])[0]

    def _on_layer_data(self, event: Any) -> None:
        action = str(getattr(event, "action", "changed"))
        if action not in ("added", "removed", "changed") or self.frame is None:
            return
        gone_keys = [k for k in self.row_keys if k not in self.dm]
        if gone_keys:  # never stored into a key that is gone: show what the keys hold
            self.notify(
                f"{self.pose.name}: key {gone_keys[0]!r} is no longer in the session; the "
                f"edit was not stored and the keypoints are shown again as stored"
            )
            self.row_keys = self._feature_keys = []
            self._shown_scores = []
            self.draw(self.frame)
            return
        indices = [i for i in (getattr(event, "data_indices", ()) or ()) if i is not None]
        try:
            rows = layer_points_to_points(self.layer.data)
        except (ValueError, TypeError, OverflowError) as exc:
            self.refuse_edit(str(exc))  # a value too large for float32, rows not numbers
            return
        keys = list(self.row_keys)
        writes: dict[str, np.ndarray | None] = {}
        gone: set[int] = set()
        if action == "removed":
            gone = {i if i >= 0 else i + len(keys) for i in indices}
            for i in sorted(gone):
                if 0 <= i < len(keys):
                    writes[keys[i]] = None
            keys = [k for i, k in enumerate(keys) if i not in gone]
        elif action == "added":
            for i in range(len(keys), len(rows)):
                refusal = self._other_folders_frame()
                key, refusal = self._next_free_key(set(keys)) if not refusal else (None, refusal)
                if key is None:
                    self.notify(refusal)
                    self.draw(self.frame)
                    return
                keys.append(key)
                writes[key] = rows[i]
        else:
            for i in indices or range(len(keys)):
                if 0 <= i < len(keys):
                    writes[keys[i]] = rows[i]
        try:
            self._write(writes)
        except (ValueError, TypeError, OverflowError) as exc:
            self.refuse_edit(str(exc))
            return
        self.row_keys = keys
        if action == "removed":  # the shown scores are the rows' own, row for row
            self._shown_scores = [s for i, s in enumerate(self._shown_scores) if i not in gone]
            self._feature_keys = keys  # napari dropped the removed rows' features itself
            if self._labels_out_of_date(keys):  # a SLEAP track was named on the row removed
                self._feature_keys = self.row_keys = []
                self._shown_scores = []
                self.draw(self.frame)
        elif action == "added":
            # napari gave the new row default features and the current colour: redraw the
            # frame in key order with every row's body part, individual and colour
            self._feature_keys = self.row_keys = []
            self._shown_scores = []
            self.draw(self.frame)
        else:  # a moved prediction is the user's now (and one moved back is the prediction)
            self._restyle(keys, list(rows), self.frame)

    def refuse_edit(self, reason: str) -> None:
        """Block an edit the DataManager refused, as every layer does (:func:`.refuse_layer_edit`).

        One warning names the pose set, the frame and ``reason``; nothing is stored; the
        stored keypoints are shown again.
        """
        refuse_layer_edit(
            self.pose.name, self.frame, reason, self.layer, self._show_stored, self.notify
        )

    def _show_stored(self) -> None:
        """Draw the shown frame's stored keypoints again, every row restyled."""
        if self.frame is not None:
            self.row_keys = self._feature_keys = []
            self._shown_scores = []
            self.draw(self.frame)

    def _labels_out_of_date(self, keys: list[str]) -> bool:
        """Whether the text labels of the layer's rows (``keys``) differ from :func:`row_labels`.

        A SLEAP set names each individual on its first row only: removing that row leaves
        the individual's other rows unnamed until they are labelled again.
        """
        if self.pose.source.get("format") != "sleap" or not self.pose.multi_animal:
            return False
        owners = [self.owner(k) for k in keys]
        wanted = row_labels(owners, multi_animal=True, name_once=True)
        return [str(v) for v in self.layer.features[LABEL]] != wanted

    def _other_folders_frame(self) -> str:
        """Why no point of the pose set can go on this frame ("" when it can).

        A project of several videos shows every labelled-data folder's images, one folder
        after another; each folder's pose set labels only its own images' frames
        (:func:`~napari_whiskertoolbox.io.dlc.other_folders_image`).
        """
        from napari_whiskertoolbox.io.dlc import other_folders_image
        from napari_whiskertoolbox.io.pose import pose_sets

        keys = self.pose.all_keys()
        if self.frame is None or not keys:
            return ""
        frame = int(self.index_of(keys[0], self.frame))
        return other_folders_image(self.pose, frame, pose_sets(self.dm).values())

    def _next_free_key(self, taken: set[str]) -> tuple[str | None, str]:
        """Return the key an added point goes to, or None and why it is refused.

        The chosen :attr:`next_bodypart` of the current individual (the choice then moves
        on to the next body part, in the project's order, without a point here; None when
        none is left), else the first body part without a point here.
        """
        individual = self.current_individual
        if individual not in self.pose.individuals:
            individual = self.pose.individuals[0] if self.pose.individuals else SINGLE_ANIMAL
        who = individual or "the animal"
        free = [
            bodypart
            for bodypart in self.pose.bodyparts
            if (key := self.pose.key(individual, bodypart)) is not None
            and key in self.dm
            and key not in taken
        ]
        chosen = self.next_bodypart
        if chosen is None:
            if not free:
                return None, (
                    f"every body part of {who} already has a point on this frame; move one instead"
                )
            return self.pose.key(individual, free[0]), ""
        if chosen not in free:
            return None, (
                f"{chosen} of {who} already has a point on this frame (or no key); move it, "
                f"or choose another body part for the next point"
            )
        order = self.pose.bodyparts
        after = [b for b in free if order.index(b) > order.index(chosen)]
        before = [b for b in free if order.index(b) < order.index(chosen)]
        following = (after or before or [None])[0]
        self.next_bodypart = following
        return self.pose.key(individual, chosen), ""

    def _write(self, writes: dict[str, np.ndarray | None]) -> None:
        """Store the edited points, one undo step for the whole edit."""
        if not writes or self.frame is None:
            return
        frame = self.frame
        self.pushing = True
        try:
            with self.dm.history.group(f"edit {self.pose.name} keypoints on frame {frame}"):
                for key, point in writes.items():
                    points = self.dm.get_data(key)
                    t = self.index_of(key, frame)
                    if point is None:
                        points.clear_at(t)
                    else:
                        ids = [int(i) for i in points.ids_at(t)[:1]] or [0]
                        points.set_frame(t, np.asarray(point, np.float32).reshape(1, 2), ids)
        finally:
            self.pushing = False
