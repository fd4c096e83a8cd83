"""A text field for one float parameter that keeps every value exactly.

A spin box rounds what it holds to its number of decimals (0.00025 became 0.000 with 3), and
a strict bound such as ``> 0`` had to become a fudged minimum (0.01). :class:`FloatField`
instead shows the shortest text that reads back as the same float (``repr``: ``0.00025``,
``2.5e-05``, ``-7.6e-07``), accepts any number typed in plain or scientific notation, a
decimal comma too (``1,5`` is 1.5: these fields have no thousands separators; the text is
shown normalised, ``1.5``, when editing ends), and leaves every refusal to the parameter's
schema (:meth:`Param.parse <napari_whiskertoolbox.transforms.schema.Param.parse>`), which
names the parameter and what was expected: text that is no number (``abc``) stays as typed
and is refused, and so are ``nan``, ``inf`` and overflowing numbers (``1e400``), and a value
breaking a bound. Up and Down step by ``step``, like a spin box, and stop at the bounds
given: at an inclusive bound, short of a strict one (halfway to it).
"""

from __future__ import annotations

import math
from typing import Any

from magicgui.widgets import LineEdit
from qtpy.QtCore import QEvent, QObject, Qt

__all__ = ["FloatField", "float_text", "read_float"]


def read_float(text: str) -> float | None:
    """Return the float ``text`` reads as, or None when it is no number.

    A decimal comma reads as a point (``"1,5"`` is 1.5): a number field has no thousands
    separators, so one comma and no point is unambiguous; ``"1,000.5"`` is no number.
    NaN and infinities are returned as floats (the schema refuses them).
    """
    t = text.strip()
    if t.count(",") == 1 and "." not in t:
        t = t.replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


def float_text(value: Any) -> str:
    """Return the text a :class:`FloatField` shows for ``value``.

    Numbers give the shortest text that reads back as the same float (``repr``); anything
    else (text being typed) is shown as it is.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(float(value))
    return "" if value is None else str(value)


class _Stepper(QObject):
    """Up/Down keys add/subtract the field's step (as in a spin box)."""

    def __init__(self, field: FloatField) -> None:
        super().__init__(field.native)
        self._field = field

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:
        if event is not None and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self._field.step_by(1 if key == Qt.Key.Key_Up else -1)
                return True
        return False


class FloatField(LineEdit):
    """A magicgui line edit whose ``value`` is a float, shown and kept exactly.

    Parameters
    ----------
    value : float
        The value shown first.
    step : float
        What Up/Down add or subtract.
    minimum, maximum : float, optional
        Bounds Up/Down stop at (the parameter's schema refuses typed values beyond them).
    exclusive_minimum, exclusive_maximum : bool
        Whether the bounds are strict: Up/Down then never reach them (a step that would
        goes halfway to the bound instead).
    **kwargs
        Other magicgui widget options (``name``, ``label``, ``tooltip``).

    Notes
    -----
    ``value`` is the float the text reads as (:func:`read_float`); text that is not (yet) a
    number (``""``, ``"1e"``, ``"abc"``) is returned as the text, for the schema to refuse
    with a message naming the parameter.
    """

    def __init__(
        self,
        value: float = 0.0,
        step: float = 1.0,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        exclusive_minimum: bool = False,
        exclusive_maximum: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(value=float_text(value), **kwargs)
        self.step = float(step)
        self.minimum = minimum
        self.maximum = maximum
        self.exclusive_minimum = exclusive_minimum
        self.exclusive_maximum = exclusive_maximum
        self._stepper = _Stepper(self)
        self.native.installEventFilter(self._stepper)
        self.native.editingFinished.connect(self._normalise)

    def get_value(self) -> Any:
        """Return the float the text reads as, or the text when it is not a number."""
        text = str(super().get_value()).strip()
        number = read_float(text)
        return text if number is None else number

    def _normalise(self) -> None:
        """Show a finite number typed as its exact text (``1,5`` -> ``1.5``)."""
        value = self.get_value()
        finite = isinstance(value, float) and math.isfinite(value)
        if finite and self.native.text() != float_text(value):
            self.set_value(value)

    def set_value(self, value: Any) -> None:
        """Show ``value`` (a float exactly, as :func:`float_text` writes it)."""
        super().set_value(float_text(value))

    def _on_value_change(self, value: Any = None) -> None:
        super()._on_value_change(self.get_value())

    def step_by(self, steps: int) -> None:
        """Add ``steps`` times ``step`` to the value, stopping at the bounds.

        Nothing happens while the text is no finite number, or when the value is already at
        (or beyond) the bound it steps towards. An inclusive bound is stepped onto; a strict
        one never: the step goes halfway to it.
        """
        value = self.get_value()
        if not isinstance(value, float) or not math.isfinite(value):
            return
        new = value + steps * self.step
        # round away the binary noise of the sum (0.1 + 0.2), to the step's digits
        digits = max(0, -math.floor(math.log10(self.step)) + 1) if self.step > 0 else 0
        new = round(new, max(digits, _digits(value)))
        if steps < 0 and self.minimum is not None:
            new = _stop_at(value, new, self.minimum, self.exclusive_minimum, -1)
        if steps > 0 and self.maximum is not None:
            new = _stop_at(value, new, self.maximum, self.exclusive_maximum, 1)
        if math.isfinite(new) and new != value:
            self.set_value(new)


def _stop_at(value: float, new: float, bound: float, strict: bool, direction: int) -> float:
    """Return ``new`` kept within ``bound`` when stepping from ``value`` in ``direction``.

    ``direction`` is -1 for a lower bound, 1 for an upper one. Already at or past the bound:
    ``value`` (no step). A step reaching the bound: the bound when inclusive, else halfway
    from ``value`` to it (``value`` when halfway is no float between them).
    """
    past = (new - bound) * direction
    room = (bound - value) * direction
    if room < 0 or (strict and room == 0):
        return value
    if past < 0 or (past == 0 and not strict):
        return new
    if not strict:
        return bound
    half = value + (bound - value) / 2
    return half if (bound - half) * direction > 0 and half != value else value


def _digits(value: float) -> int:
    """Return the decimals ``repr(value)`` shows (0 for integral values)."""
    text = repr(float(value))
    if "e-" in text:
        mantissa, exponent = text.split("e-")
        return int(exponent) + len(mantissa.partition(".")[2])
    if "e" in text:
        return 0
    return len(text.partition(".")[2].rstrip("0"))
