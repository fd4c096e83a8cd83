"""Qt-free choices behind the Transforms dock: which transforms, keys, names and clocks.

Everything derives from the registry (:mod:`napari_whiskertoolbox.transforms.registry`) and
the kinds table (:mod:`napari_whiskertoolbox.core.kinds`); the dock only displays it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from napari_whiskertoolbox.core.free_names import first_free
from napari_whiskertoolbox.core.kinds import DATA_KINDS, kind_info
from napari_whiskertoolbox.transforms.output_clock import natural_clock_of
from napari_whiskertoolbox.transforms.registry import REGISTRY
from napari_whiskertoolbox.transforms.v1_names import V1_TO_V2
from napari_whiskertoolbox.widgets.transforms.search_words import alternatives

if TYPE_CHECKING:
    from napari_whiskertoolbox.core.data_manager import DataManager
    from napari_whiskertoolbox.transforms.registry import TransformSpec

__all__ = [
    "INPUT_CLOCK",
    "group_label",
    "grouped_transforms",
    "keys_of_kinds",
    "output_clock_of",
    "output_suffix",
    "search_v1_names",
    "suggest_output_key",
    "visible_specs",
]

INPUT_CLOCK = "(input's clock)"
"""Output-clock choice meaning "the clock WhiskerToolbox puts the result on"."""

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_VERBS = ("Calculate", "Extract", "Analog")


def visible_specs(show_legacy: bool = False) -> list[TransformSpec]:
    """Return the transforms the dock lists, in registration order.

    TransformsV2 transforms and registered Python functions always; the V1 operations
    (under their display names) and the ``…WithContext`` twins (same results as their
    base transform) only with ``show_legacy``.
    """
    return [
        spec
        for spec in REGISTRY.specs()
        if show_legacy or (spec.engine != "v1" and not spec.name.endswith("WithContext"))
    ]


def group_label(kind: str) -> str:
    """Return the tree heading of an input kind, e.g. ``"lines"``."""
    return kind_info(kind).label


_MIN_STEM = 4
"""Shortest word of a transform's text that a longer query word may extend ("extraction"
finds "Extract Point from Line", "lines" finds "line")."""

_MAX_ENDING = 4
"""Most letters a query word may add to such a word: an ending ("-ion", "-s", "-ing"), not
another word ("AnalogEventThreshold" typed whole extends "analog" and listed every analog
transform, and Enter chose AnalogDifference)."""


def _extends(word: str, stem: str) -> bool:
    return word.startswith(stem) and len(word) - len(stem) <= _MAX_ENDING


def _matches(spec: TransformSpec, words: list[str]) -> bool:
    text = " ".join((spec.name, spec.category, spec.description, spec.engine)).lower()
    stems = [t for t in re.findall(r"[a-z0-9]+", text) if len(t) >= _MIN_STEM]
    return all(
        any(alt in text or any(_extends(alt, t) for t in stems) for alt in alternatives(word))
        for word in words
    )


def search_v1_names(query: str) -> tuple[dict[str, list[str]], list[str]]:
    """Return the hidden V1 operations the search ``query`` matches (V1 names not shown).

    Returns
    -------
    twins : dict
        TransformsV2 name → the matching V1 display names it stands for
        (``"ExtractLinePoint"`` → ``["Extract Point from Line"]``): the dock lists the twin.
    without_twin : list of str
        Matching V1 names with no TransformsV2 twin: found only with *V1 names* ticked.
        Both are empty for an empty query and for a listed transform's whole name.
    """
    words = query.lower().split()
    twins: dict[str, list[str]] = {}
    alone: list[str] = []
    if not words:
        return twins, alone
    shown = {spec.name for spec in visible_specs(False)}
    if query.strip().lower() in {name.lower() for name in shown}:
        return twins, alone  # a name typed whole lists that transform alone
    for spec in REGISTRY.specs():
        if spec.name in shown or not _matches(spec, words):
            continue
        twin = V1_TO_V2.get(spec.name)
        if twin in shown:
            twins.setdefault(twin, []).append(spec.name)
        elif spec.engine == "v1":
            alone.append(spec.name)
    return twins, alone


def grouped_transforms(
    query: str = "", show_legacy: bool = False
) -> dict[str, list[TransformSpec]]:
    """Group the visible transforms by the kinds their (first) input accepts.

    Parameters
    ----------
    query : str
        Space-separated words that must all appear in the name, category, description
        or engine (case-insensitive); a word also matches a word of 4 or more letters it
        starts with ("extraction" finds "Extract Point from Line"), and so does a synonym
        of it (:data:`~.search_words.SYNONYMS`: "whisker angle" finds CalculateLineAngle).
    show_legacy : bool
        Also list V1 operations and ``…WithContext`` twins. Without it a query matching a
        V1 operation lists its TransformsV2 twin (:func:`search_v1_names`).

    A listed transform's whole name (case-insensitive; a V1 display name with
    ``show_legacy``) lists that transform alone: "SkeletonizeMask" listed MaskToLine,
    whose V1 name's help mentions skeletons, first.

    A V1 display name typed whole (case-insensitive, whether or not V1 names are shown)
    lists the transform it names first; then transforms whose own name or V1 name holds
    the query's words; then those found by their help text ("skeleton" lists
    SkeletonizeMask before MaskToLine, whose V1 name's help mentions skeletons).

    Returns
    -------
    dict
        Input kind → transforms, best match first, then by name; the kind of the best match
        first, then kinds in :data:`~napari_whiskertoolbox.core.kinds.DATA_KINDS` order;
        empty groups left out. A transform accepting several kinds is listed under each.
    """
    words = query.lower().split()
    groups: dict[str, list[TransformSpec]] = {kind: [] for kind in DATA_KINDS}
    specs = visible_specs(show_legacy)
    exact = [spec for spec in specs if spec.name.lower() == query.strip().lower()]
    via_v1 = set() if show_legacy or exact else set(search_v1_names(query)[0])
    ranks = {spec.name: _rank(spec, query, words) for spec in specs}
    for spec in exact or specs:
        found = _matches(spec, words) or spec.name in via_v1 or ranks[spec.name] < _BY_OTHER_TEXT
        if not exact and not found:
            continue
        for kind in spec.input_kinds(0):
            groups[kind].append(spec)
    ranked = {
        kind: sorted(specs, key=lambda s: (ranks[s.name], s.name.lower()))
        for kind, specs in groups.items()
        if specs
    }
    order = sorted(ranked, key=lambda kind: ranks[ranked[kind][0].name])  # stable: kinds order
    return {kind: ranked[kind] for kind in order}


_BY_NAME_TYPED_WHOLE, _BY_NAME, _BY_OTHER_TEXT = range(3)
"""How a transform matched a search, best first: its name or a V1 display name it stands for
typed whole (case-insensitive), a name containing the query's words, its help text."""


def _squashed(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _rank(spec: TransformSpec, query: str, words: list[str]) -> int:
    """Return how ``spec`` matched ``query``: one of ``_BY_NAME_TYPED_WHOLE``, ``_BY_NAME``...

    "Skeletonize Mask" (the V1 name of SkeletonizeMask) listed MaskToLine first, matched by
    its V1 twin's help text, and Enter chose it.
    """
    names = [spec.name, *(v1 for v1, twin in V1_TO_V2.items() if twin == spec.name)]
    if any(name.lower() == query.strip().lower() for name in names):
        return _BY_NAME_TYPED_WHOLE
    for name in map(_squashed, names):
        if words and all(
            any(_squashed(alt) in name for alt in alternatives(word)) for word in words
        ):
            return _BY_NAME
    return _BY_OTHER_TEXT


def keys_of_kinds(dm: DataManager, kinds: tuple[str, ...]) -> list[str]:
    """Return ``dm``'s keys whose data kind is one of ``kinds``, in ``dm`` order."""
    return [key for key in dm if dm.data_type(key) in kinds]


def output_suffix(name: str) -> str:
    """Return a snake_case key suffix for transform ``name``.

    ``"CalculateLineAngle"`` → ``"line_angle"``; ``"Calculate Area"`` → ``"area"``;
    ``"AnalogEventThreshold"`` → ``"event_threshold"``.
    """
    words = [w for w in re.split(r"[^A-Za-z0-9]+", _CAMEL.sub(" ", name)) if w]
    if len(words) > 1 and words[0] in _VERBS:
        words = words[1:]
    return "_".join(w.lower() for w in words) or "result"


def suggest_output_key(dm: DataManager, name: str, input_key: str | None) -> str:
    """Return ``<input>_<suffix>`` (``_2``, ``_3``… added until no key has that name)."""
    base = f"{input_key}_{output_suffix(name)}" if input_key else output_suffix(name)
    return first_free(base, dm.__contains__)


def output_clock_of(spec: TransformSpec, dm: DataManager, keys: list[str]) -> str:
    """Return the clock the result goes on by default (reference §1.2).

    The clock of the input the transform puts its output on (the first, the analog's for
    ``AnalogIntervalPeak``), or ``"time"`` when that input is not chosen yet.
    """
    return natural_clock_of(spec, dm, keys) or "time"
