"""Hint lines under a field ("needs a second intervals key") that read as hints.

A hint in the field's own text colour and size looked like one more field's value.
:func:`style_as_hint` makes a label smaller than the text around it, dimmer
(:func:`~napari_whiskertoolbox.widgets.theme_colors.hint_color`, still 4.5:1 on the
background) and word-wrapped within its column; it follows napari's theme (the colours
and font are read again from the label's parent whenever the label is restyled).
"""

from __future__ import annotations

from qtpy.QtCore import Qt
from qtpy.QtWidgets import QLabel, QSizePolicy

from napari_whiskertoolbox.widgets.theme_colors import follow_palette, hint_color

__all__ = ["HINT_FONT_SCALE", "hint_style", "style_as_hint"]

HINT_FONT_SCALE = 0.9
"""Size of hint text relative to the text around it."""
_MIN_POINTS = 7.0


def hint_style(label: QLabel) -> str:
    """Return the stylesheet of hint ``label``: its parent's dimmed colour and smaller font.

    Read from the parent (the label's own palette and font carry the hint style once set).
    """
    source = label.parentWidget() or label
    points = max(source.font().pointSizeF() * HINT_FONT_SCALE, _MIN_POINTS)
    return f"color: {hint_color(source)}; font-size: {points:.1f}pt;"


def style_as_hint(label: QLabel) -> None:
    """Draw ``label`` as a hint: smaller, dimmer text, word-wrapped, left-aligned.

    Parameters
    ----------
    label : QLabel
        The hint (a magicgui ``Label``'s ``native``).
    """
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    # magicgui's Label is fixed-size: wrapped, it would keep the width of its first text
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def apply() -> None:
        style = hint_style(label)
        if label.styleSheet() != style:  # setting it sends a StyleChange: no loop
            label.setStyleSheet(style)

    follow_palette(label, apply)
