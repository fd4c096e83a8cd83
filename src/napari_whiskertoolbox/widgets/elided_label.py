"""A one-line label that elides its text to the room it gets, the whole text in its tooltip."""

from __future__ import annotations

from qtpy.QtCore import QSize, Qt
from qtpy.QtWidgets import QLabel, QSizePolicy, QWidget

__all__ = ["ElidedLabel"]


class ElidedLabel(QLabel):
    """A label showing as much of its text as fits, all of it on hover.

    A plain ``QLabel`` asks for its whole text's width, so a long file name or environment
    path widened the dock (or, squeezed, was cut at the edge). This one asks for
    ``min_chars`` characters at least and its whole text at best.

    Parameters
    ----------
    text : str
        The text.
    min_chars : int
        Characters the label keeps room for however narrow the dock.
    mode : Qt.TextElideMode
        Where the ``…`` goes (the middle keeps a file name's start and extension).
    parent : QWidget, optional
        Parent widget.
    keep : str
        A start of the text never elided (the Python version of "Python 3.11 · analysis":
        eliding the middle showed "Python 3.1…: analysis"); the rest is elided at its end.
        The label's minimum width is then this start and an ellipsis.

    Attributes
    ----------
    value : str
        The whole text (what the label shows, before eliding).
    tooltip : str or None
        A tooltip of its own (shown with the whole text when that is elided).
    """

    def __init__(
        self,
        text: str = "",
        min_chars: int = 8,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle,
        parent: QWidget | None = None,
        *,
        keep: str = "",
    ) -> None:
        super().__init__(parent)
        self._full = ""
        self._keep = keep
        self._tip: str | None = None
        self._min_chars = min_chars
        self._mode = mode
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.value = text

    @property
    def value(self) -> str:
        """The whole text."""
        return self._full

    @value.setter
    def value(self, text: str) -> None:
        self._full = str(text)
        self.updateGeometry()
        self._refresh()

    @property
    def keep(self) -> str:
        """The start of the text never elided."""
        return self._keep

    @keep.setter
    def keep(self, start: str) -> None:
        self._keep = start
        self.updateGeometry()
        self._refresh()

    @property
    def tooltip(self) -> str | None:
        """The label's own tooltip (without the whole text)."""
        return self._tip

    @tooltip.setter
    def tooltip(self, tip: str | None) -> None:
        self._tip = tip
        self._refresh()

    @property
    def elided(self) -> bool:
        """Whether the label shows less than its whole text."""
        return self.text() != self._full

    def sizeHint(self) -> QSize:
        """Ask for the whole text's width."""
        hint = super().sizeHint()
        width = self.fontMetrics().horizontalAdvance(self._full) + 2 * self.margin() + 4
        return QSize(width, hint.height())

    def minimumSizeHint(self) -> QSize:
        """Ask for at least ``min_chars`` characters' width."""
        hint = super().minimumSizeHint()
        # the same whatever the text: a dock's narrowest width must not follow a note's text
        least = f"{self._keep}…" if self._keep else "n" * self._min_chars
        width = self.fontMetrics().horizontalAdvance(least) + 2 * self.margin()
        return QSize(width, hint.height())

    def resizeEvent(self, event: object) -> None:
        """Elide again for the new width."""
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._refresh()

    def _refresh(self) -> None:
        room = max(self.width() - 2 * self.margin(), 0)
        metrics = self.fontMetrics()
        if self._keep and self._full.startswith(self._keep):
            rest = self._full[len(self._keep) :]
            room -= metrics.horizontalAdvance(self._keep)
            elided = metrics.elidedText(rest, Qt.TextElideMode.ElideRight, max(room, 0))
            shown = self._keep + (elided or ("…" if rest else ""))
        else:
            shown = metrics.elidedText(self._full, self._mode, room)
        super().setText(shown)
        tips = [self._full] if shown != self._full else []
        if self._tip and self._tip != self._full:
            tips.append(self._tip)
        self.setToolTip("\n".join(tips))
