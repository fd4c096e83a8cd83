"""A text field for one float parameter that keeps every value exactly.

A spin box rounds what it holds to its number of decimals (0.00025 became 0.000 with 3), and
a strict bound such as ``> 0`` had to become a fudged minimum (0.01). :class:`FloatField`
instead shows the shortest text that reads back as the same float (``repr``: ``0.00025``,
``2.5e-05``, ``-7.6e-07``), accepts any number typed in plain or scientific notation, and
leaves the bounds to the parameter's schema (:meth:`Param.parse
<napari_whiskertoolbox.transforms.schema.Param.parse>`), which names the parameter and the
allowed range when a value breaks them. Up and Down step by ``step``, like a spin box.
"""

from __future__ import annotations

import math
from typing import Any

from magicgui.widgets import LineEdit
from qtpy.QtCore import QEvent, QObject, QRegularExpression, Qt
from qtpy.QtGui import QRegularExpressionValidator

__all__ = ["FLOAT_PATTERN", "FloatField", "float_text"]

FLOAT_PATTERN = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"
"""What the field accepts (a prefix of it while typing): a decimal or scientific number."""


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
    **kwargs
        Other magicgui widget options (``name``, ``label``, ``tooltip``).

    Notes
    -----
    ``value`` is the float the text reads as; text that is not (yet) a number (``""``,
    ``"1e"``) is returned as the text, for the schema to refuse with a message naming the
    parameter.
    """

    def __init__(self, value: float = 0.0, step: float = 1.0, **kwargs: Any) -> None:
        super().__init__(value=float_text(value), **kwargs)
        self.step = float(step)
        self.native.setValidator(
            QRegularExpressionValidator(QRegularExpression(FLOAT_PATTERN), self.native)
        )
        self._stepper = _Stepper(self)
        self.native.installEventFilter(self._stepper)

    def get_value(self) -> Any:
        """Return the float the text reads as, or the text when it is not a number."""
        text = str(super().get_value()).strip()
        try:
            return float(text)
        except ValueError:
            return text

    def set_value(self, value: Any) -> None:
        """Show ``value`` (a float exactly, as :func:`float_text` writes it)."""
        super().set_value(float_text(value))

    def _on_value_change(self, value: Any = None) -> None:
        super()._on_value_change(self.get_value())

    def step_by(self, steps: int) -> None:
        """Add ``steps`` times ``step`` to the value (nothing while the text is no number)."""
        value = self.get_value()
        if isinstance(value, float) and math.isfinite(value):
            new = value + steps * self.step
            # round away the binary noise of the sum (0.1 + 0.2), to the step's digits
            digits = max(0, -math.floor(math.log10(self.step)) + 1) if self.step > 0 else 0
            self.set_value(round(new, max(digits, _digits(value))))


def _digits(value: float) -> int:
    """Return the decimals ``repr(value)`` shows (0 for integral values)."""
    text = repr(float(value))
    if "e-" in text:
        mantissa, exponent = text.split("e-")
        return int(exponent) + len(mantissa.partition(".")[2])
    if "e" in text:
        return 0
    return len(text.partition(".")[2].rstrip("0"))
