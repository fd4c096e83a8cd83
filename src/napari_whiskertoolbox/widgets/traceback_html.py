"""A traceback as rich text for a tooltip: the ``^^^`` lines turned into marked characters."""

from __future__ import annotations

import html

from napari_whiskertoolbox.scripting.tracebacks import lift_caret_lines

__all__ = ["traceback_html"]


def traceback_html(text: str) -> str:
    """Return ``text`` as preformatted HTML, its traceback caret lines lifted.

    The characters Python 3.11+ marks with ``^`` are bold and underlined, those marked
    with ``~`` underlined (as the script runner's output pane shows them); the marker
    lines themselves are left out.

    Parameters
    ----------
    text : str
        Plain text holding tracebacks (or none: it is escaped and shown as it is).

    Returns
    -------
    str
        Rich text for ``QWidget.setToolTip`` / ``QTableWidgetItem.setToolTip``; ``""``
        for an empty ``text``.
    """
    if not text:
        return ""
    plain, spans = lift_caret_lines(text)
    parts: list[str] = []
    done = 0
    for span in spans:
        parts.append(html.escape(plain[done : span.start], quote=False))
        marked = html.escape(plain[span.start : span.end], quote=False)
        parts.append(f"<b><u>{marked}</u></b>" if span.primary else f"<u>{marked}</u>")
        done = span.end
    parts.append(html.escape(plain[done:], quote=False))
    return f"<pre>{''.join(parts)}</pre>"
