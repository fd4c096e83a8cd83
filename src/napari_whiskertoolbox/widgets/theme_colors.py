"""Colours that keep our docks readable on every napari theme.

napari's stylesheet styles ``QCheckBox`` indicators but not the check boxes Qt draws inside
item views (a table's checkable cells): those fall back to Qt's own drawing, a box whose
border nearly vanishes on napari's dark theme. :func:`item_indicator_style` draws them like
napari's check boxes, with a border that stands out from the table. Colours come from
:func:`napari.utils.theme.get_theme`; :func:`follow_theme` re-applies them on
``viewer.events.theme``.

Every fixed colour of our docks (an error red, a lane's colour, syntax colours) is drawn
through one of :func:`readable_on`, :func:`readable_text_color` or :func:`readable_mark_color`:
the preferred colour when it reads on the background it is drawn on, else its mix towards
the theme's text colour that reaches WCAG 2.1's minimum (4.5:1 for text, 3:1 for marks).
Message colours are named once in :data:`MESSAGE_COLORS`. Dialogs that do not know the
viewer use :func:`palette_colors` (the colours napari's stylesheet gave them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from napari.utils.theme import get_theme

from napari_whiskertoolbox.layers.label_contrast import LUMINANCE_WEIGHTS, srgb_to_linear
from napari_whiskertoolbox.layers.label_contrast import contrast_ratio as luminance_contrast

if TYPE_CHECKING:
    from collections.abc import Callable

    from qtpy.QtWidgets import QWidget

__all__ = [
    "MESSAGE_COLORS",
    "MIN_CONTROL_CONTRAST",
    "MIN_TEXT_CONTRAST",
    "contrast_ratio",
    "follow_palette",
    "follow_theme",
    "hint_color",
    "item_indicator_style",
    "message_style",
    "mix",
    "palette_colors",
    "readable_fill",
    "readable_mark_color",
    "readable_on",
    "readable_text_color",
    "selection_style",
    "theme_hex",
]

MIN_CONTROL_CONTRAST = 3.0
"""WCAG 2.1 minimum contrast of a control's outline against what surrounds it (1.4.11)."""
MIN_TEXT_CONTRAST = 4.5
"""WCAG 2.1 minimum contrast of text against its background (1.4.3)."""

MESSAGE_COLORS = {"error": "#e06c6c", "warning": "#e0b050"}
"""Preferred colours of error and warning messages; drawn through :func:`readable_on`
(on napari's light theme the error red becomes ``#9c5152``, 4.6:1 instead of 2.6:1)."""


def theme_hex(theme_name: str, part: str) -> str:
    """Return the ``#rrggbb`` colour ``part`` (``"background"``, ``"text"``...) of a theme.

    Raises
    ------
    ValueError
        When napari has no theme ``theme_name``.
    """
    red, green, blue = getattr(get_theme(theme_name), part).as_rgb_tuple()[:3]
    return f"#{red:02x}{green:02x}{blue:02x}"


def _rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    if len(color) == 3:
        color = "".join(c * 2 for c in color)
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def mix(a: str, b: str, weight: float) -> str:
    """Return ``weight`` of colour ``a`` and ``1 - weight`` of colour ``b`` (``#rrggbb``)."""
    ca, cb = _rgb(a), _rgb(b)
    return "#" + "".join(f"{round(weight * x + (1 - weight) * y):02x}" for x, y in zip(ca, cb))


def _luminance(color: str | tuple[int, int, int]) -> float:
    rgb = _rgb(color) if isinstance(color, str) else color
    return float(srgb_to_linear(np.asarray(rgb) / 255) @ LUMINANCE_WEIGHTS)


def contrast_ratio(a: str | tuple[int, int, int], b: str | tuple[int, int, int]) -> float:
    """Return the WCAG contrast ratio (1 to 21) of two colours (``#rrggbb`` or RGB tuples)."""
    return luminance_contrast(_luminance(a), _luminance(b))


def readable_on(
    background: str | tuple[str, ...],
    color: str,
    text: str,
    minimum: float = MIN_CONTROL_CONTRAST,
    alpha: float = 1.0,
) -> str:
    """Return ``color``, or its mix towards ``text`` that reaches ``minimum`` contrast.

    Parameters
    ----------
    background : str or tuple of str
        What the colour is drawn on (``#rrggbb``); with several, it must reach ``minimum``
        on each.
    color : str
        The preferred colour.
    text : str
        A colour of high contrast with the backgrounds (the theme's text colour).
    minimum : float
        Contrast ratio to reach.
    alpha : float
        Opacity (0 to 1) the colour is drawn with: what must reach ``minimum`` is the colour
        blended over each background.
    """
    backgrounds = (background,) if isinstance(background, str) else background
    for step in range(21):
        candidate = mix(text, color, step / 20)
        if min(contrast_ratio(mix(candidate, b, alpha), b) for b in backgrounds) >= minimum:
            return candidate
    return text


def _backgrounds(theme_name: str, on: str | tuple[str, ...]) -> tuple[str, ...]:
    parts = (on,) if isinstance(on, str) else on
    return tuple(p if p.startswith("#") else theme_hex(theme_name, p) for p in parts)


def readable_text_color(
    theme_name: str, color: str, on: str | tuple[str, ...] = "background"
) -> str:
    """Return ``color`` (an error red, a warning amber...) readable on a theme's background.

    The colour is mixed towards the theme's text colour until it reaches
    :data:`MIN_TEXT_CONTRAST` on each of ``on``: theme colour names (``"background"``,
    ``"foreground"``...) or ``#rrggbb`` colours.

    Raises
    ------
    ValueError
        When napari has no theme ``theme_name``.
    """
    return readable_on(
        _backgrounds(theme_name, on), color, theme_hex(theme_name, "text"), MIN_TEXT_CONTRAST
    )


def readable_mark_color(
    theme_name: str, color: str, on: str | tuple[str, ...] = "canvas", alpha: float = 1.0
) -> str:
    """Return ``color`` for a non-text mark (a curve, a bar) that shows on ``on`` at 3:1.

    As :func:`readable_text_color` with :data:`MIN_CONTROL_CONTRAST`; ``alpha`` is the
    opacity the mark is drawn with. The default background is the theme's ``canvas`` (the
    timeline's plot).
    """
    return readable_on(
        _backgrounds(theme_name, on),
        color,
        theme_hex(theme_name, "text"),
        MIN_CONTROL_CONTRAST,
        alpha,
    )


def readable_fill(
    background: str, color: str, text: str, alpha: float, minimum: float = MIN_CONTROL_CONTRAST
) -> tuple[str, float]:
    """Return ``(color, opacity)`` of a translucent fill that shows at ``minimum`` on ``background``.

    A fill (an interval bar) keeps its hue: its opacity rises from ``alpha`` towards 1 first,
    and only when even opaque it does not reach ``minimum`` is its colour mixed towards
    ``text`` (:func:`readable_on`).
    """
    for step in range(11):
        opacity = alpha + (1 - alpha) * step / 10
        if contrast_ratio(mix(color, background, opacity), background) >= minimum:
            return color, opacity
    return readable_on(background, color, text, minimum), 1.0


def palette_colors(widget: QWidget) -> tuple[str, str]:
    """Return ``(background, text)`` (``#rrggbb``) a widget is drawn with.

    For widgets that do not know the viewer (dialogs): napari's stylesheet, inherited from
    the window the widget belongs to, sets its palette (``Window`` and ``WindowText``).
    """
    from qtpy.QtGui import QPalette

    widget.ensurePolished()
    palette = widget.palette()
    return (
        palette.color(QPalette.ColorRole.Window).name(),
        palette.color(QPalette.ColorRole.WindowText).name(),
    )


def message_style(widget: QWidget, kind: str) -> str:
    """Stylesheet colouring a message label of ``kind`` (a :data:`MESSAGE_COLORS` key).

    The colour reads at :data:`MIN_TEXT_CONTRAST` on ``widget``'s background
    (:func:`palette_colors`, so on any napari theme the dialog is shown in).

    Raises
    ------
    KeyError
        When ``kind`` is not a :data:`MESSAGE_COLORS` key.
    """
    background, text = palette_colors(widget)
    color = readable_on(background, MESSAGE_COLORS[kind], text, MIN_TEXT_CONTRAST)
    return f"color: {color};"


def hint_color(widget: QWidget) -> str:
    """Return the colour (``#rrggbb``) of hint text drawn on ``widget``: dimmer than its text.

    Qt draws placeholder text as the text colour at half opacity, but napari's stylesheet
    sets a widget's ``PlaceholderText`` (and disabled) palette colours to its text colour: the
    hint is that half-way mix of ``widget``'s text and background (:func:`palette_colors`),
    mixed back towards the text until it reads at :data:`MIN_TEXT_CONTRAST`.
    """
    background, text = palette_colors(widget)
    return readable_on(background, mix(text, background, 0.5), text, MIN_TEXT_CONTRAST)


def item_indicator_style(theme_name: str) -> str:
    """Stylesheet drawing item-view check boxes like napari's, readable on ``theme_name``.

    The box is the theme's ``background`` colour with an outline of at least
    :data:`MIN_CONTROL_CONTRAST` against what napari draws item views on (tables in
    ``foreground``, lists in ``background``, hovered rows in ``primary``); a ticked box is
    ``current`` with napari's own check mark. 11 pixels and the outline fit a list's rows.
    """
    under = tuple(theme_hex(theme_name, part) for part in ("foreground", "background", "primary"))
    outline = readable_on(under, theme_hex(theme_name, "secondary"), theme_hex(theme_name, "text"))
    return (
        "QAbstractItemView::indicator {"
        f" width: 11px; height: 11px; border: 1px solid {outline}; border-radius: 2px;"
        f" background-color: {theme_hex(theme_name, 'background')}; }}\n"
        "QAbstractItemView::indicator:unchecked { image: none; }\n"
        "QAbstractItemView::indicator:checked {"
        f' image: url("theme_{theme_name}:/check.svg");'
        f" background-color: {theme_hex(theme_name, 'current')}; }}\n"
    )


def selection_style(theme_name: str) -> str:
    """Stylesheet drawing an item view's selected rows as napari's layer list does.

    napari's stylesheet selects rows in its ``highlight`` grey (the palette's ``Highlight``
    for trees, an item rule for lists): a chosen row read as pale text on grey, unlike the
    selected layer (``current``). This draws them in the theme's ``current`` with its
    ``text`` colour.

    Raises
    ------
    ValueError
        When napari has no theme ``theme_name``.
    """
    current, text = theme_hex(theme_name, "current"), theme_hex(theme_name, "text")
    return (
        f"QAbstractItemView {{ selection-background-color: {current}; selection-color: {text}; }}\n"
        f"QListView::item:selected {{ background-color: {current}; color: {text}; }}\n"
    )


def follow_theme(widget: QWidget, viewer: Any, apply: Callable[[str], None]) -> None:
    """Call ``apply(viewer.theme)`` now and on every theme change until ``widget`` is destroyed.

    Parameters
    ----------
    widget : QWidget
        The dock (or part of it) whose colours ``apply`` sets.
    viewer : napari.Viewer
        The viewer whose ``theme`` is followed (``viewer.events.theme``).
    apply : callable
        Called with napari's theme id (``"dark"``, ``"light"``...).
    """

    def on_theme(*_: object) -> None:
        apply(str(viewer.theme))

    viewer.events.theme.connect(on_theme)
    widget.destroyed.connect(lambda *_: viewer.events.theme.disconnect(on_theme))
    on_theme()


def follow_palette(widget: QWidget, apply: Callable[[], None]) -> None:
    """Call ``apply()`` now and whenever ``widget``'s style, palette or parent changes.

    For widgets that do not know the viewer: when napari's theme changes, napari restyles its
    window and every widget in it (dialogs included) gets a style change; ``apply`` then reads
    the new colours with :func:`palette_colors` (a widget put into a dock later takes its
    colours from its new parent).
    """
    from qtpy.QtCore import QEvent, QObject

    class _Watcher(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            kinds = (QEvent.Type.StyleChange, QEvent.Type.PaletteChange, QEvent.Type.ParentChange)
            if watched is widget and event.type() in kinds:
                apply()
            return False

    widget.installEventFilter(_Watcher(widget))
    apply()
