"""Push buttons of one row at one height, enabled or not.

napari's stylesheet draws a disabled ``QPushButton`` with a 1-pixel border inside the
4-pixel padding of an enabled one: the disabled Cancel beside Run stood 2 pixels taller
(26 against 24 at napari's default font size) and lost a pixel of its text's room on each
side. A dock sets :data:`DISABLED_KEEPS_ITS_SIZE` as its stylesheet: a disabled button is
padded 3 pixels, 4 with its border, as an enabled one.
"""

from __future__ import annotations

__all__ = ["DISABLED_KEEPS_ITS_SIZE"]

DISABLED_KEEPS_ITS_SIZE = "QPushButton:disabled { padding: 3px; }"
"""Stylesheet keeping a disabled push button the size of an enabled one under napari's."""
