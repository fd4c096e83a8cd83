"""A one-line message under a dock's Run button is readable, not scrolled out of its area."""

from __future__ import annotations

from typing import Any

from qtpy.QtWidgets import QLabel, QVBoxLayout, QWidget

from napari_whiskertoolbox.layers._napari_compat import main_window
from napari_whiskertoolbox.sample import make_sample_session
from napari_whiskertoolbox.widgets.vertical_scroll import CappedScrollArea, capped


def _line_in_view(area: Any, label: QLabel) -> bool:
    """The label's text at the area's width fits its viewport: no scroll bar, nothing cut."""
    viewport = area.viewport()
    return (
        not area.verticalScrollBar().isVisible()
        and viewport.height() >= label.heightForWidth(viewport.width())
        and label.height() <= viewport.height()
    )


def _shown_capped_message(qtbot: Any) -> tuple[QWidget, CappedScrollArea, QLabel]:
    """A one-line result in a capped area with napari's 1-px scroll-area border, shown.

    Returns the window too: the caller keeps it alive.
    """
    host = QWidget()
    host.setStyleSheet("QScrollArea { border: 1px solid gray; }")
    layout = QVBoxLayout(host)
    label = QLabel("CalculateLineAngle → whiskers_line_angle in 0.08 s")
    label.setWordWrap(True)
    area = capped(label, 4 * label.fontMetrics().lineSpacing() + 4)
    layout.addWidget(area)
    layout.addStretch(1)
    host.resize(383, 400)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    qtbot.wait(50)
    return host, area, label


def test_a_capped_area_with_a_frame_shows_a_one_line_message_whole(qtbot: Any) -> None:
    """napari's style sheet gives scroll areas a 1-px border: the area asked for the text's
    height only, its viewport was 2 px short, and the label, grown to its 66-px size hint
    behind a scroll bar, showed blank (its line was centred below the 16 visible pixels)."""
    _host, area, label = _shown_capped_message(qtbot)
    assert area.frameWidth() == 1
    assert _line_in_view(area, label)


def test_the_transforms_dock_shows_its_run_message(make_napari_viewer: Any, qtbot: Any) -> None:
    """After Run, the Transforms dock's one-line result ("… → key in 0.08 s") is readable."""
    from napari_whiskertoolbox import show_data_manager
    from napari_whiskertoolbox.widgets.transforms import TransformsWidget

    viewer = make_napari_viewer(show=True)
    main_window(viewer).resize(1400, 900)
    dm = make_sample_session(n_frames=20)
    show_data_manager(viewer, dm)
    dock = TransformsWidget(viewer)
    viewer.window.add_dock_widget(dock, name="Transforms", area="right")
    dock.select_transform("CalculateLineAngle")
    qtbot.wait(50)
    dock.report("CalculateLineAngle → whiskers_line_angle in 0.08 s", False)
    qtbot.wait(100)
    assert dock.status_area.isVisible()
    assert _line_in_view(dock.status_area, dock.status.native)


def test_a_longer_message_replacing_a_short_one_gets_its_lines(qtbot: Any) -> None:
    """A label's new text asks its parent (the viewport) for a layout, not the label: a
    three-line error replacing a one-line result stayed one line tall behind a scroll bar
    (the Transforms dock at 1268x800 with the Timeline, new-user trial)."""
    _host, area, label = _shown_capped_message(qtbot)
    assert _line_in_view(area, label)
    one_line = area.height()
    label.setText(
        "CalculateLineAngle: output key 'whiskers' already exists with a different data "
        "type (line; the result is analog), choose another output key"
    )
    qtbot.waitUntil(lambda: _line_in_view(area, label), timeout=2000)
    assert area.height() > one_line
