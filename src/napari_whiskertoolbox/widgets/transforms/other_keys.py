"""Choosing the second data key a transform names (other series, reference, mask…).

A transform's second input (``DigitalIntervalBoolean``'s ``other``) and a ``key`` parameter
(V1 ``other_series``, ``reference_line_data``, ``mask_data``…) both name a key besides the
input. :class:`OtherKey` fills such a combo box the same way for both: by default a key of
the right kind *different from the input*, re-chosen when the input changes unless the user
picked one; empty with a short hint when there is no such key.

Only the dock's forms do this. Pipelines and the Python API name their keys explicitly and
keep WhiskerToolbox's behaviour, where naming the input key twice is allowed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from napari_whiskertoolbox.transforms.registry import REGISTRY
from napari_whiskertoolbox.widgets.hint_text import style_as_hint
from napari_whiskertoolbox.widgets.transforms.catalogue import group_label

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from magicgui.widgets import ComboBox, Label

__all__ = ["SAME_KEY_MEANINGFUL", "OtherKey", "default_other", "is_used", "sometimes_unused"]

SAME_KEY_MEANINGFUL = frozenset({"IntervalOverlapReduction", "Clip Line by Reference Line"})
"""Transforms for which the input key as the other key gives a useful result (overlaps of a
series' intervals with each other; every line clipped by the one line of a reference frame),
so the form offers it. Elsewhere (``A AND A``, a line clipped by itself) it is not offered."""


def sometimes_unused(transform: str) -> bool:
    """Return whether ``transform`` ignores its other key for some parameter value.

    Its spec's ``other_unused_when`` (``DigitalIntervalBoolean``'s ``not``: the gaps of the
    input). Such a transform needs the other key for every other value of the parameter.
    """
    return transform in REGISTRY and REGISTRY.get(transform).other_unused_when is not None


def default_other(keys: list[str], input_key: str | None) -> str | None:
    """Return the first of ``keys`` that is not ``input_key`` (None when there is none)."""
    return next((key for key in keys if key != input_key), None)


def is_used(transform: str, values: Mapping[str, Any]) -> bool:
    """Return whether ``transform`` with form ``values`` reads its other key."""
    return transform not in REGISTRY or REGISTRY.get(transform).reads_other_key(values)


class OtherKey:
    """Keep one combo box naming a second key in step with the chosen input.

    Parameters
    ----------
    combo : magicgui.widgets.ComboBox
        The combo box (a second input, or a ``key`` parameter).
    hint : magicgui.widgets.Label
        Shows why the combo box is empty (hidden otherwise).
    transform : str
        The transform's name.
    kinds : tuple of str
        The data kinds the key may have.
    input_kinds : tuple of str
        The kinds of the input (the hint says "a second …" when they overlap ``kinds``).
    keys_of : callable
        ``keys_of(kinds) -> list[str]``: the session's keys of those kinds.
    needed : bool
        Whether a run needs the key (a second input, a required parameter, or one named in
        :func:`sometimes_unused`); an optional one may stay empty without a hint.

    Attributes
    ----------
    user_chosen : bool
        The user picked the shown key: it is kept while it stays valid.
    """

    def __init__(
        self,
        combo: ComboBox,
        hint: Label,
        transform: str,
        kinds: tuple[str, ...],
        input_kinds: tuple[str, ...],
        keys_of: Callable[[tuple[str, ...]], list[str]],
        needed: bool,
    ) -> None:
        self.combo = combo
        self.hint = hint
        self.transform = transform
        self.kinds = kinds
        self.input_kinds = input_kinds
        self.needed = needed
        self.user_chosen = False
        self._keys_of = keys_of
        self._input_key: str | None = None
        self._updating = False
        style_as_hint(hint.native)  # smaller, dimmer, wrapped under the combo box's text
        combo.changed.connect(self._edited)

    def retarget(
        self, transform: str, kinds: tuple[str, ...], input_kinds: tuple[str, ...]
    ) -> None:
        """Serve another transform's second input (the dock's one combo box); forget choices."""
        self.transform, self.kinds, self.input_kinds = transform, kinds, input_kinds
        self.user_chosen = False

    @property
    def missing_text(self) -> str:
        """The hint shown while no key can be chosen, e.g. "needs a second intervals key"."""
        label = " or ".join(group_label(kind) for kind in self.kinds) or "data"
        if set(self.kinds) & set(self.input_kinds) or not self.kinds:
            return f"needs a second {label} key"
        return f"needs {'an' if label[0] in 'aeiou' else 'a'} {label} key"

    def _edited(self, *_: Any) -> None:
        if not self._updating:
            # an optional key cleared on purpose stays cleared
            self.user_chosen = bool(self.combo.value) or not self.needed

    def _offered(self, input_key: str | None) -> list[str]:
        keys = list(self._keys_of(self.kinds))
        if self.transform in SAME_KEY_MEANINGFUL:
            return keys
        return [key for key in keys if key != input_key]

    def follow(self, input_key: str | None) -> None:
        """List the keys for input ``input_key`` and choose the default (or keep the user's)."""
        self._input_key = input_key
        keys = self._offered(input_key)
        default = default_other(keys, input_key)
        current = self.combo.value
        keep = self.user_chosen and (current in keys if current else not self.needed)
        choices = keys if default is not None and self.needed else ["", *keys]
        self._updating = True
        try:
            self.combo.choices = choices
            self.combo.value = current if keep else (default or "") if choices else None
        finally:
            self._updating = False
        if not keep:
            self.user_chosen = False
        self.show_hint(True)

    def refresh(self) -> None:
        """Re-list the keys (the session's keys changed), for the last input."""
        self.follow(self._input_key)

    def choose(self, key: str) -> None:
        """Show ``key`` as the user's choice (a pipeline step's saved parameter)."""
        if key not in self.combo.choices:
            self.combo.choices = [*self.combo.choices, key]
        self.combo.value = key
        self.user_chosen = bool(key)

    def problem(self, used: bool = True) -> str | None:
        """Return why a run cannot start (no key chosen while one is needed), else None."""
        if not self.needed or not used or self.combo.value:
            return None
        return self.missing_text

    def show_hint(self, used: bool) -> None:
        """Show the hint while the key is needed (``used``) and missing."""
        text = self.problem(used) or ""
        self.hint.value = text
        self.hint.visible = bool(text)
