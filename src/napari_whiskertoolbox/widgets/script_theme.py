"""Colours of the script runner, taken from napari's current theme.

The gutter, the namespace table and the output pane use the theme's own colours
(:func:`napari.utils.theme.get_theme`); syntax highlighting and the output streams use the
Pygments style the theme names (``theme.syntax_style``), the one napari's console uses,
each mixed towards the theme's text colour where needed to read at 4.5:1 on what it is drawn
on (:func:`~napari_whiskertoolbox.widgets.theme_colors.readable_on`): the editor and output
pane's background, and a cell title's shading. The dock re-applies them on
``viewer.events.theme``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from napari.utils.theme import get_theme
from pygments.styles import get_style_by_name
from pygments.token import Token, _TokenType
from pygments.util import ClassNotFound

from napari_whiskertoolbox.widgets.theme_colors import MIN_TEXT_CONTRAST, mix, readable_on

__all__ = ["CELL_TITLE_ALPHA", "SYNTAX_TOKENS", "ScriptTheme", "TextStyle", "script_theme"]

CELL_TITLE_ALPHA = 60
"""Opacity (0-255) of the ``highlight`` shading behind a ``# %%`` cell title line."""


@dataclass(frozen=True)
class TextStyle:
    """Colour (``#rrggbb``, or ``""`` for the text colour) and weight of a piece of text."""

    color: str
    bold: bool = False
    italic: bool = False


SYNTAX_TOKENS: dict[str, _TokenType] = {
    "keyword": Token.Keyword,
    "builtin": Token.Name.Builtin,
    "number": Token.Literal.Number,
    "string": Token.Literal.String,
    "comment": Token.Comment,
    "decorator": Token.Name.Decorator,
    "definition": Token.Name.Function,
}
"""Highlighter style names → the Pygments token each takes its style from."""

_STREAM_TOKENS: dict[str, _TokenType] = {
    "stderr": Token.Generic.Error,
    "info": Token.Comment,
    "value": Token.Name.Function,
}


@dataclass(frozen=True)
class ScriptTheme:
    """The colours the script runner's widgets use (``#rrggbb`` strings).

    Attributes
    ----------
    name : str
        napari theme id (``"dark"``, ``"light"``, ...).
    background, foreground, text, secondary, highlight : str
        The theme's colours of the same names.
    gutter_text : str
        Line numbers (between ``text`` and ``foreground``).
    cell_title : str
        A cell title line's background (``highlight`` at :data:`CELL_TITLE_ALPHA` over
        ``background``).
    syntax : dict of str to TextStyle
        Highlighter styles (:data:`SYNTAX_TOKENS`).
    streams : dict of str to TextStyle
        Output pane styles of ``stdout``, ``stderr``, ``info`` and ``value``.
    """

    name: str
    background: str
    foreground: str
    text: str
    secondary: str
    highlight: str
    gutter_text: str
    cell_title: str
    syntax: dict[str, TextStyle] = field(default_factory=dict)
    streams: dict[str, TextStyle] = field(default_factory=dict)


def _pygments_style(
    name: str, token: _TokenType, fallback: str, on: tuple[str, ...], text: str
) -> TextStyle:
    try:
        style = get_style_by_name(name)
    except ClassNotFound:
        style = get_style_by_name("default")
    spec = style.style_for_token(token)
    color = f"#{spec['color']}" if spec["color"] else fallback
    color = readable_on(on, color.lower(), text, MIN_TEXT_CONTRAST)
    return TextStyle(color, bool(spec["bold"]), bool(spec["italic"]))


def script_theme(theme_name: str) -> ScriptTheme:
    """Return the script runner's colours for napari's theme ``theme_name`` (``viewer.theme``)."""
    theme = get_theme(theme_name)
    colors = {
        part: getattr(theme, part).as_hex()
        for part in ("background", "foreground", "text", "secondary", "highlight")
    }
    syntax_style = str(theme.syntax_style)
    text, background = colors["text"], colors["background"]
    cell_title = mix(colors["highlight"], background, CELL_TITLE_ALPHA / 255)
    syntax = {
        name: _pygments_style(syntax_style, token, text, (background, cell_title), text)
        for name, token in SYNTAX_TOKENS.items()
    }
    streams = {"stdout": TextStyle("")}
    for stream, token in _STREAM_TOKENS.items():
        style = _pygments_style(syntax_style, token, text, (background,), text)
        streams[stream] = TextStyle(style.color)  # output is read, not emphasised
    return ScriptTheme(
        name=str(theme.id),
        gutter_text=mix(colors["text"], colors["foreground"], 0.6),
        cell_title=cell_title,
        syntax=syntax,
        streams=streams,
        **colors,
    )
