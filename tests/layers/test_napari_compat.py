"""Private napari access in layers/_napari_compat.py: fails loudly when napari changes."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pytest
from napari.layers import Labels, Points
from qtpy.QtCore import QEvent, QObject, Qt
from qtpy.QtWidgets import QMainWindow, QWidget

from napari_whiskertoolbox.layers import _napari_compat
from napari_whiskertoolbox.layers._napari_compat import (
    add_prepared_paths,
    add_shapes_at_current_width,
    block_refresh,
    call_before_paint,
    clear_paint_history,
    console_dock,
    console_if_created,
    finish_labels_polygon,
    fit_axis_labels,
    forget_vetoed_quit,
    keep_mesh_shaders,
    keep_shapes_shaders,
    layer_list_dock,
    main_window,
    move_paths,
    move_points,
    move_points_on_canvas,
    on_console_shown,
    outline_text,
    prepare_paths,
    quit_requested,
    repaint_only_changed_rows,
    route_layer_history,
    set_napari_close_questions,
    shape_objects,
    skip_unchanged_transforms,
    tolerate_status_races,
    unroute_layer_history,
    viewer_widget,
    vispy_layer,
    window_closed,
    write_to_console,
)

pytestmark = pytest.mark.gui


# --------------------------------------------------------------------------- closed window
def test_window_closed_tells_a_closed_viewer_from_an_open_one(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    assert not window_closed(viewer)
    viewer.layers.clear()  # a viewer without layers is still open
    assert not window_closed(viewer)
    viewer.close()
    assert window_closed(viewer)


@pytest.mark.parametrize("probe", ["window_closed", "window_deleted"])
def test_window_probes_raise_when_napari_moves_the_window(
    make_napari_viewer: Any, probe: str
) -> None:
    from napari_whiskertoolbox.layers import _napari_compat

    viewer = make_napari_viewer()
    window = viewer.window
    real = window._qt_window
    window._qt_window = object()
    try:
        with pytest.raises(RuntimeError, match=rf"_napari_compat.{probe}"):
            getattr(_napari_compat, probe)(viewer)
    finally:
        window._qt_window = real  # the fixture closes the real one


# --------------------------------------------------------------------------- main window
def test_main_window_is_the_viewer_qmainwindow(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    window = main_window(viewer)
    assert isinstance(window, QMainWindow)
    dock = viewer.window.add_dock_widget(QWidget(), name="probe")
    assert dock.window() is window  # the public route, once something is docked


def test_main_window_raises_when_napari_moves_it(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer()
    window = viewer.window
    real = window._qt_window
    window._qt_window = object()
    try:
        with pytest.raises(RuntimeError, match=r"_napari_compat.main_window"):
            main_window(viewer)
    finally:
        window._qt_window = real  # the fixture closes the real one


# --------------------------------------------------------------------------- close requests
class CloseRecorder(QObject):
    """Records the Close events of the watched widgets; optionally vetoes them."""

    def __init__(self, names: dict[QObject, str], veto: bool = False) -> None:
        super().__init__()
        self.names, self.veto, self.closed = names, veto, []
        for widget in names:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self.closed.append(self.names[watched])
            if self.veto:
                event.ignore()
                return True
        return False


def test_viewer_close_closes_the_viewer_widget_before_the_main_window(
    make_napari_viewer: Any,
) -> None:
    viewer = make_napari_viewer()
    window, widget = main_window(viewer), viewer_widget(viewer)
    assert window.isAncestorOf(widget)
    recorder = CloseRecorder({window: "window", widget: "viewer widget"})
    viewer.close()
    assert recorder.closed == ["viewer widget", "window"]


def test_viewer_widget_raises_when_napari_moves_it(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer()
    with monkeypatch.context() as patch:  # undone before the fixture closes the viewer
        patch.setattr(type(viewer.window), "_qt_viewer", property(lambda window: None))
        with pytest.raises(RuntimeError, match=r"_napari_compat.viewer_widget"):
            viewer_widget(viewer)


def test_a_vetoed_exit_leaves_a_quit_flag_that_forget_vetoed_quit_clears(
    make_napari_viewer: Any,
) -> None:
    viewer = make_napari_viewer()
    window = main_window(viewer)
    recorder = CloseRecorder({window: "window"}, veto=True)
    window.close(quit_app=True)  # what File > Exit runs (after napari's own confirmation)
    assert recorder.closed == ["window"]
    assert window._quit_app is True  # the next close would quit the application
    forget_vetoed_quit(window)
    assert window._quit_app is False
    window.removeEventFilter(recorder)


def test_forget_vetoed_quit_raises_when_napari_drops_the_flag() -> None:
    window = QMainWindow()
    try:
        with pytest.raises(RuntimeError, match=r"_napari_compat.forget_vetoed_quit"):
            forget_vetoed_quit(window)
    finally:
        window.deleteLater()


# --------------------------------------------------------------------------- block_refresh
def test_block_refresh_suppresses_and_restores_refresh(make_napari_viewer: Any) -> None:
    import numpy as np

    viewer = make_napari_viewer()
    layer = viewer.add_points(np.zeros((1, 2)))
    refreshed: list[object] = []
    layer.events.set_data.connect(refreshed.append)
    with block_refresh(layer):
        layer.refresh()
        layer.data = np.ones((3, 2))  # napari refreshes inside the setter
    assert refreshed == []
    layer.refresh()
    assert len(refreshed) == 1
    assert len(layer._view_data) == 3  # re-sliced by the one refresh


def test_block_refresh_raises_when_napari_drops_it(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeLayer:
        pass

    with (
        pytest.raises(RuntimeError, match=r"_napari_compat.block_refresh"),
        block_refresh(FakeLayer()),
    ):
        pass


# --------------------------------------------------------------------------- points moves
def _styled_points() -> Points:
    return Points(
        np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=np.float32),
        features={"kind": ["a", "b", "c"]},
        size=[4, 6, 8],
        face_color=["red", "green", "blue"],
        border_color="black",
        symbol=["o", "square", "x"],
        text="{kind}",
    )


def test_move_points_leaves_the_layer_as_the_data_setter_does(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    moved, set_ = viewer.add_layer(_styled_points()), viewer.add_layer(_styled_points())
    before = moved.data
    coords = np.array([[10.0, 20.0], [30.0, 40.0], [50.0, 60.0]], dtype=np.float32)
    with block_refresh(moved):
        assert move_points(moved, coords.copy())
    moved.refresh()
    set_.data = coords.copy()
    np.testing.assert_array_equal(moved.data, set_.data)
    assert moved.data.dtype == set_.data.dtype
    np.testing.assert_array_equal(before, [[1, 2], [3, 4], [5, 6]])  # not written to
    assert moved.features.equals(set_.features)
    for name in ("size", "face_color", "border_color", "border_width", "symbol", "shown"):
        np.testing.assert_array_equal(getattr(moved, name), getattr(set_, name), err_msg=name)
    np.testing.assert_array_equal(moved._view_data, set_._view_data)  # re-sliced
    np.testing.assert_array_equal(moved.text.values, set_.text.values)
    np.testing.assert_allclose(moved.extent.data, set_.extent.data)


def test_move_points_declines_another_count_or_an_empty_layer() -> None:
    layer = _styled_points()
    assert not move_points(layer, np.zeros((2, 2), np.float32))
    assert not move_points(layer, np.zeros((3, 3), np.float32))
    empty = Points(np.empty((0, 2), np.float32))
    assert not move_points(empty, np.empty((0, 2), np.float32))
    np.testing.assert_array_equal(layer.data, [[1, 2], [3, 4], [5, 6]])


def test_move_points_raises_when_napari_moves_the_coordinates() -> None:
    class FakePoints:
        data = np.zeros((1, 2))

    with pytest.raises(RuntimeError, match=r"_napari_compat.move_points"):
        move_points(FakePoints(), np.ones((1, 2)))


def _plain_points(viewer: Any) -> Points:
    return viewer.add_points(
        np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=np.float32),
        size=[4, 6, 8],
        face_color=["red", "green", "blue"],
        border_color="black",
        symbol=["o", "square", "x"],
    )


def test_move_points_on_canvas_leaves_layer_and_markers_as_napari_refresh_does(
    make_napari_viewer: Any,
) -> None:
    viewer = make_napari_viewer()
    layer = _plain_points(viewer)
    markers = vispy_layer(viewer, layer).node.points_markers
    coords = np.array([[10.0, 20.0], [30.0, 45.0], [50.0, 61.0]], dtype=np.float32)
    assert move_points_on_canvas(viewer, layer, coords)
    np.testing.assert_array_equal(layer.data, coords)
    np.testing.assert_array_equal(layer._view_data, coords)
    moved = markers._data.copy()
    vispy_layer(viewer, layer)._on_data_change()  # napari's own full rebuild of the markers
    assert moved.dtype == markers._data.dtype
    for name in moved.dtype.names:
        np.testing.assert_array_equal(moved[name], markers._data[name], err_msg=name)
    np.testing.assert_array_equal(moved["a_position"][:, :2], coords[:, ::-1])


def test_move_points_on_canvas_declines_what_needs_napari(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    layer = _plain_points(viewer)
    before = layer.data.copy()
    three = np.zeros((3, 2), np.float32)
    assert not move_points_on_canvas(viewer, layer, np.zeros((2, 2), np.float32))
    layer.selected_data = {1}
    assert not move_points_on_canvas(viewer, layer, three)
    layer.selected_data = set()
    layer.text = "x"
    assert not move_points_on_canvas(viewer, layer, three)
    layer.text = None
    layer.visible = False
    assert not move_points_on_canvas(viewer, layer, three)
    layer.visible = True
    layer._highlight_index = [0]
    assert not move_points_on_canvas(viewer, layer, three)
    layer._highlight_index = []
    np.testing.assert_array_equal(layer.data, before)
    assert move_points_on_canvas(viewer, layer, three)  # and now it may


def test_move_points_on_canvas_raises_when_napari_or_vispy_change(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer()
    layer = _plain_points(viewer)

    class Node:
        points_markers = object()  # no _data / _vbo

    class Visual:
        node = Node()

    monkeypatch.setattr(_napari_compat, "vispy_layer", lambda viewer, layer: Visual())
    with pytest.raises(RuntimeError, match=r"_napari_compat.move_points_on_canvas"):
        move_points_on_canvas(viewer, layer, np.zeros((3, 2), np.float32))


# --------------------------------------------------------------------------- status thread
def test_a_status_computed_mid_update_is_retried_not_reported(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race a user met stepping frames over keypoints, made deterministic: napari's
    status thread computes while the main thread holds a Points layer between its new,
    shorter data and the re-slice (IndexError, shown as an error notification)."""
    import threading

    import napari._qt.threads.status_checker as status_checker

    from napari_whiskertoolbox.layers import _napari_compat
    from napari_whiskertoolbox.layers.quiet import quiet_update

    viewer = make_napari_viewer()
    points = viewer.add_points(np.array([[10.0, 10.0], [20.0, 20.0], [30.0, 30.0]]))
    viewer.cursor.position = (20.0, 20.0)
    viewer.mouse_over_canvas = True
    reported: list[object] = []
    monkeypatch.setattr(status_checker.notification_manager, "dispatch", reported.append)
    monkeypatch.setattr(_napari_compat, "STATUS_RETRY_DELAY_S", 0.5)
    tolerate_status_races(viewer)
    tolerate_status_races(viewer)  # once per window
    outcomes: list[str] = []
    first_try = threading.Event()
    compute = type(viewer)._calc_status_from_cursor

    def counted(model: Any) -> Any:
        try:
            status = compute(model)
        except IndexError:
            outcomes.append("IndexError")
            raise
        finally:
            first_try.set()
        outcomes.append("status")
        return status

    monkeypatch.setattr(type(viewer), "_calc_status_from_cursor", counted)
    thread = main_window(viewer).status_thread
    with quiet_update(points):
        points.data = np.array([[10.0, 10.0]])
        worker = threading.Thread(target=thread.calculate_status)
        worker.start()
        assert first_try.wait(10)
    worker.join(10)
    assert outcomes == ["IndexError", "status"]
    assert reported == []


def test_tolerate_status_races_raises_when_napari_moves_the_thread(qtbot: Any) -> None:
    from types import SimpleNamespace

    window = QMainWindow()  # a window without napari's status thread
    qtbot.addWidget(window)
    viewer = SimpleNamespace(window=SimpleNamespace(_qt_window=window))
    with pytest.raises(RuntimeError, match=r"_napari_compat.tolerate_status_races"):
        tolerate_status_races(viewer)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- console banner
def test_console_dock_is_the_docked_console_and_fails_loudly(make_napari_viewer: Any) -> None:
    from qtpy.QtWidgets import QDockWidget

    viewer = make_napari_viewer()
    dock = console_dock(viewer)
    assert isinstance(dock, QDockWidget)
    assert dock.parentWidget() is main_window(viewer)
    qt_viewer = viewer_widget(viewer)
    real = qt_viewer.dockConsole
    qt_viewer._dockConsole = object()  # napari's property creates it into _dockConsole
    try:
        with pytest.raises(RuntimeError, match=r"_napari_compat.console_dock"):
            console_dock(viewer)
    finally:
        qt_viewer._dockConsole = real


@pytest.mark.enable_console
def test_console_is_found_once_opened_and_takes_lines_above_its_prompt(
    qtbot, make_napari_viewer: Any
) -> None:
    viewer = make_napari_viewer(show=True)  # the console dock reports visibility on screen
    assert console_if_created(viewer) is None
    shown: list[object] = []
    on_console_shown(viewer, shown.append)
    viewer_widget(viewer).toggle_console_visibility()  # what the console button does
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    console = console_if_created(viewer)
    assert shown[0] is console
    write_to_console(console, "probe line from the compat test")  # may still be starting
    qtbot.waitUntil(lambda: "probe line" in console._control.toPlainText(), timeout=20_000)
    qtbot.wait(500)
    text = console._control.toPlainText()
    assert "probe line from the compat test\n" in text
    assert text.index("probe line") < text.rindex("In [")  # above the prompt


def test_console_helpers_raise_when_napari_changes(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer()
    qt_viewer = viewer_widget(viewer)
    with monkeypatch.context() as patch:
        patch.delattr(qt_viewer, "_console")
        with pytest.raises(RuntimeError, match=r"_napari_compat.console_if_created"):
            console_if_created(viewer)
    with monkeypatch.context() as patch:
        patch.setattr(type(qt_viewer), "dockConsole", property(lambda self: None))
        with pytest.raises(RuntimeError, match=r"_napari_compat.on_console_shown"):
            on_console_shown(viewer, print)
    with pytest.raises(RuntimeError, match=r"_napari_compat.write_to_console"):
        write_to_console(object(), "text")


def test_plugin_proxies_of_the_viewer_reach_the_real_viewer_without_warnings(
    make_napari_viewer: Any,
) -> None:
    import warnings

    from napari.utils._proxies import PublicOnlyProxy

    from napari_whiskertoolbox.layers._napari_compat import real_viewer
    from napari_whiskertoolbox.workflow.registry import get_session

    viewer = make_napari_viewer()
    proxy = PublicOnlyProxy(viewer)  # what napari hands a plugin dock widget
    assert real_viewer(proxy) is viewer
    assert real_viewer(viewer) is viewer
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # napari warns on private access through a proxy
        session = get_session(proxy)
        assert main_window(proxy) is main_window(viewer)
    assert session is get_session(viewer)
    assert session.viewer is viewer  # not the short-lived proxy


# --------------------------------------------------------------------------- exit flag
def test_quit_requested_reads_the_flag_file_exit_sets(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    window = main_window(viewer)
    recorder = CloseRecorder({window: "window"}, veto=True)
    assert quit_requested(window) is False
    window.close(quit_app=True)
    assert quit_requested(window) is True
    forget_vetoed_quit(window)
    window.removeEventFilter(recorder)


def test_quit_requested_raises_when_napari_drops_the_flag() -> None:
    window = QMainWindow()
    try:
        with pytest.raises(RuntimeError, match=r"_napari_compat.quit_requested"):
            quit_requested(window)
    finally:
        window.deleteLater()


# --------------------------------------------------------------------------- napari's question
def test_napari_close_questions_are_switched_off_and_on(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from napari._qt.dialogs.confirm_close_dialog import ConfirmCloseDialog
    from napari.settings import get_settings
    from qtpy.QtWidgets import QDialog

    viewer = make_napari_viewer()
    viewer.add_points()  # napari only asks when the window has layers
    window = main_window(viewer)
    asked: list[bool] = []
    monkeypatch.setattr(
        ConfirmCloseDialog, "exec_", lambda dialog: asked.append(True) or QDialog.Rejected
    )
    monkeypatch.setattr(get_settings().application, "confirm_close_window", True)
    set_napari_close_questions(window, close=False, quit=False)
    recorder = CloseRecorder({window: "window"}, veto=True)
    window.close(quit_app=False, confirm_need=True)  # what File > Close Window runs
    assert asked == []
    assert recorder.closed == ["window"]
    set_napari_close_questions(window, close=True, quit=True)
    window.close(quit_app=False, confirm_need=True)
    assert asked == [True]
    window.removeEventFilter(recorder)


def test_napari_close_questions_raise_when_napari_drops_the_flags() -> None:
    window = QMainWindow()
    try:
        with pytest.raises(RuntimeError, match=r"_napari_compat.set_napari_close_questions"):
            set_napari_close_questions(window, close=False, quit=False)
    finally:
        window.deleteLater()


# --------------------------------------------------------------------------- Labels history
def test_clear_paint_history_leaves_napari_undo_nothing(make_napari_viewer: Any) -> None:
    import numpy as np

    viewer = make_napari_viewer()
    layer = viewer.add_labels(np.zeros((8, 8), np.uint8))
    layer.paint((2, 2), 3)
    clear_paint_history(layer)
    layer.undo()
    assert layer.data[2, 2] == 3


def test_clear_paint_history_raises_when_napari_drops_it() -> None:
    class FakeLabels:
        pass

    with pytest.raises(RuntimeError, match=r"_napari_compat.clear_paint_history"):
        clear_paint_history(FakeLabels())


def test_route_layer_history_reaches_napari_s_own_undo_callers() -> None:
    """napari's Ctrl+Z / Ctrl+Shift+Z Labels bindings call the routed instance methods."""
    import numpy as np
    from napari.layers.labels import _labels_key_bindings

    layer = Labels(np.zeros((8, 8), np.uint8))
    calls: list[str] = []
    route_layer_history(layer, undo=lambda: calls.append("undo"), redo=lambda: calls.append("redo"))
    layer.paint((2, 2), 3)
    _labels_key_bindings.undo(layer)
    _labels_key_bindings.redo(layer)
    layer.undo()
    assert calls == ["undo", "redo", "undo"]
    assert layer.data[2, 2] == 3, "napari's own paint history was not replayed"
    other = Labels(np.zeros((8, 8), np.uint8))
    other.paint((2, 2), 3)
    other.undo()
    assert other.data[2, 2] == 0, "other layers keep napari's own undo"
    unroute_layer_history(layer)
    layer.undo()
    assert calls == ["undo", "redo", "undo"]
    assert layer.data[2, 2] == 0, "unrouted: napari's own undo again"


def test_route_layer_history_raises_when_napari_drops_the_methods() -> None:
    class FakeLabels:
        pass

    with pytest.raises(RuntimeError, match=r"_napari_compat.route_layer_history"):
        route_layer_history(FakeLabels(), undo=lambda: None, redo=lambda: None)


def _step_faces(layer: Any, shift: float) -> None:
    """Give a Shapes layer a new frame's paths (what a frame step does)."""
    paths = [np.array([[10.0 + shift, 10.0], [40.0, 60.0 + shift], [70.0, 20.0]])] * 3
    layer.data = (paths, ["path"] * len(paths))


def _rebuilds_after_step(mesh: Any, layer: Any, shift: float) -> tuple[bool, Any]:
    """Step the layer, run vispy's pre-draw update; return (program rebuild due, LUT)."""
    _step_faces(layer, shift)
    mesh._update_data()  # what vispy runs before the first draw after set_data
    programs = list(mesh.shared_program._programs.values())  # one per view (canvas)
    assert programs, "vispy's MultiProgram no longer keeps its programs in _programs"
    rebuild = any(program._need_build for program in programs)
    for program in programs:
        program.build_if_needed()
    return rebuild, mesh.shared_program._set_items.get("texture2D_LUT")


def test_vispy_rebuilds_the_shapes_mesh_program_on_every_step_without_the_workaround(
    make_napari_viewer: Any,
) -> None:
    """If this fails, vispy keeps mesh shaders itself: keep_mesh_shaders can go."""
    viewer = make_napari_viewer()
    layer = viewer.add_shapes(ndim=2, shape_type="path", edge_color="red")
    mesh = vispy_layer(viewer, layer).node.shape_faces
    _rebuilds_after_step(mesh, layer, 0.0)
    rebuilds = [_rebuilds_after_step(mesh, layer, float(k))[0] for k in range(1, 4)]
    assert rebuilds == [True, True, True]


def test_keep_shapes_shaders_keeps_the_program_and_draws_each_new_frame(
    make_napari_viewer: Any,
) -> None:
    viewer = make_napari_viewer()
    layer = viewer.add_shapes(ndim=2, shape_type="path", edge_color="red")
    keep_shapes_shaders(viewer, layer)
    keep_shapes_shaders(viewer, layer)  # idempotent
    mesh = vispy_layer(viewer, layer).node.shape_faces
    _, first_lut = _rebuilds_after_step(mesh, layer, 0.0)
    for k in range(1, 4):
        rebuild, lut = _rebuilds_after_step(mesh, layer, float(k))
        assert not rebuild
        assert lut is first_lut
        # the new frame's vertices did reach the mesh (napari's triangulated paths)
        drawn = mesh.mesh_data.get_vertices()
        expected = layer._data_view._mesh.vertices[:, ::-1]
        np.testing.assert_allclose(drawn[:, :2], expected)


def test_keep_mesh_shaders_still_follows_colormapped_values() -> None:
    from vispy.scene.visuals import Mesh

    mesh = Mesh()
    keep_mesh_shaders(mesh)
    values = np.array([[0.0], [1.0], [2.0]], dtype=np.float32)
    first = mesh._build_color_transform(values)
    assert mesh._build_color_transform(values) is not first  # limits may change: rebuilt
    plain = np.ones((3, 4), dtype=np.float32)
    assert mesh._build_color_transform(plain) is mesh._build_color_transform(plain)


def test_mesh_and_vispy_layer_helpers_raise_when_internals_change(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vispy.scene.visuals import Mesh
    from vispy.visuals.mesh import MeshVisual

    with monkeypatch.context() as patch:
        patch.delattr(MeshVisual, "_build_color_transform")
        with pytest.raises(RuntimeError, match="keep_mesh_shaders"):
            keep_mesh_shaders(Mesh())
    viewer = make_napari_viewer()
    layer = viewer.add_shapes(ndim=2)
    canvas = viewer_widget(viewer).canvas
    with monkeypatch.context() as patch:
        patch.delattr(canvas, "layer_to_visual")
        with pytest.raises(RuntimeError, match="vispy_layer"):
            vispy_layer(viewer, layer)
    with monkeypatch.context() as patch:
        patch.setattr(vispy_layer(viewer, layer), "node", object())
        with pytest.raises(RuntimeError, match="keep_shapes_shaders"):
            keep_shapes_shaders(viewer, layer)


# --------------------------------------------------------------------------- transform re-sends
def _matrix_sends(monkeypatch: pytest.MonkeyPatch, visual: Any) -> list[int]:
    """Count the calls of the vispy layer class's ``_on_matrix_change`` (the real one)."""
    from napari._vispy.layers.base import VispyBaseLayer

    sends: list[int] = []
    real = VispyBaseLayer._on_matrix_change

    def counting(self: Any) -> None:
        sends.append(1)
        real(self)

    monkeypatch.setattr(VispyBaseLayer, "_on_matrix_change", counting)
    return sends


def _add(viewer: Any, kind: str) -> Any:
    if kind == "labels":
        return viewer.add_labels(np.zeros((30, 40), np.uint8))
    return viewer.add_points(ndim=2) if kind == "points" else viewer.add_shapes(ndim=2)


def _new_frame(layer: Any, k: float) -> None:
    if isinstance(layer, Points):
        layer.data = np.array([[1.0 + k, 2.0], [3.0, 4.0 + k]])
    elif isinstance(layer, Labels):
        image = np.zeros((30, 40), np.uint8)
        image[int(k) : int(k) + 3, 5:9] = 1
        layer.data = image  # a full refresh, as a hidden viewer's label swap
    else:
        layer.data = [np.array([[1.0, 1.0 + k], [10.0, 2.0 + k], [20.0, 4.0]])]


@pytest.mark.parametrize("kind", ["points", "shapes", "labels"])
def test_napari_resends_the_transform_on_every_data_change_without_the_workaround(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """If this fails, napari no longer re-sends it: skip_unchanged_transforms can go."""
    viewer = make_napari_viewer()
    layer = _add(viewer, kind)
    sends = _matrix_sends(monkeypatch, vispy_layer(viewer, layer))
    for k in range(3):
        _new_frame(layer, float(k))
    assert len(sends) >= 3


@pytest.mark.parametrize("kind", ["points", "shapes", "labels"])
def test_skip_unchanged_transforms_still_draws_data_and_follows_transform_changes(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    viewer = make_napari_viewer()
    layer = _add(viewer, kind)
    skip_unchanged_transforms(viewer, layer)
    skip_unchanged_transforms(viewer, layer)  # idempotent
    visual = vispy_layer(viewer, layer)
    _new_frame(layer, 0.0)  # the first data change sends the transform
    sends = _matrix_sends(monkeypatch, visual)
    for k in range(1, 4):
        _new_frame(layer, float(k))
        if kind == "points":  # the new frame's points reached the markers (x, y order)
            drawn = visual.node.points_markers._data["a_position"][:, :2]
            np.testing.assert_allclose(drawn, layer.data[:, ::-1])
        elif kind == "labels":  # the new frame's label image reached the texture's data
            np.testing.assert_array_equal(np.asarray(visual.node._data) != 0, layer.data != 0)
        else:
            drawn = visual.node.shape_faces.mesh_data.get_vertices()
            np.testing.assert_allclose(drawn[:, :2], layer._data_view._mesh.vertices[:, ::-1])
    assert sends == []  # nothing that places the layer changed
    origin = np.asarray(visual.node.transform.map([0.0, 0.0])[:2])
    layer.translate = (5.0, 7.0)  # napari's own event still moves it
    assert len(sends) == 1
    np.testing.assert_allclose(
        visual.node.transform.map([0.0, 0.0])[:2], origin + np.array([7.0, 5.0])
    )
    _new_frame(layer, 5.0)
    np.testing.assert_allclose(
        visual.node.transform.map([0.0, 0.0])[:2], origin + np.array([7.0, 5.0])
    )


def test_skip_unchanged_transforms_raises_when_napari_changes(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer()
    layer = viewer.add_points(ndim=2)
    monkeypatch.setattr(
        "napari_whiskertoolbox.layers._napari_compat.vispy_layer", lambda v, lay: object()
    )
    with pytest.raises(RuntimeError, match=r"_napari_compat.skip_unchanged_transforms"):
        skip_unchanged_transforms(viewer, layer)


@pytest.mark.parametrize("kind", ["points", "shapes"])
def test_napari_rewrites_the_placeholder_text_on_every_data_change_without_the_workaround(
    make_napari_viewer: Any, kind: str
) -> None:
    """If this fails, napari no longer re-sets it: the text part of the workaround can go."""
    viewer = make_napari_viewer()
    layer = _add(viewer, kind)
    node = vispy_layer(viewer, layer).node.text
    held = [node.text]  # kept alive: a new array each time is a rewrite
    for k in range(3):
        _new_frame(layer, float(k))
        assert node.text is not held[-1]
        held.append(node.text)


@pytest.mark.parametrize("kind", ["points", "shapes"])
def test_skip_unchanged_transforms_keeps_the_placeholder_text_and_still_draws_text(
    make_napari_viewer: Any, kind: str
) -> None:
    viewer = make_napari_viewer()
    layer = _add(viewer, kind)
    skip_unchanged_transforms(viewer, layer)
    node = vispy_layer(viewer, layer).node.text
    _new_frame(layer, 0.0)
    placeholder = node.text
    for k in range(1, 4):  # no text: napari's placeholder is not written again
        _new_frame(layer, float(k))
        assert node.text is placeholder
    layer.text = {"string": {"constant": "x"}}  # napari's own text event draws it
    assert list(node.text) == ["x"] * len(layer.data)
    _new_frame(layer, 7.0)  # and data changes move it with the data
    assert list(node.text) == ["x"] * len(layer.data)
    if kind == "points":
        np.testing.assert_allclose(node.pos[:, :2], layer.data[:, ::-1])
    layer.text.visible = False
    _new_frame(layer, 8.0)
    assert not any(np.atleast_1d(np.asarray(node.text, dtype=object)))


def test_skip_unchanged_transforms_still_draws_points_highlight_and_size_limits(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from napari._vispy.layers.points import VispyPointsLayer

    viewer = make_napari_viewer()
    layer = _add(viewer, "points")
    skip_unchanged_transforms(viewer, layer)
    visual = vispy_layer(viewer, layer)
    markers = visual.node.points_markers
    _new_frame(layer, 0.0)
    assert tuple(markers.canvas_size_limits) == tuple(layer.canvas_size_limits)
    calls: list[int] = []
    real = VispyPointsLayer._on_highlight_change

    def counting(self: Any) -> None:
        calls.append(1)
        real(self)

    def swap(k: float) -> None:  # as the bindings swap a frame: no highlight event
        with layer.events.highlight.blocker():
            _new_frame(layer, k)

    swap(1.0)  # napari's highlight event of the plain data change above: drawn once more
    monkeypatch.setattr(VispyPointsLayer, "_on_highlight_change", counting)
    swap(2.0)
    swap(2.5)
    assert calls == []  # nothing highlighted before or after: not redrawn
    layer.selected_data = {1}
    swap(3.0)  # the highlight follows the selected point
    assert calls
    drawn = visual.node.selection_markers._data["a_position"][:, :2]
    np.testing.assert_allclose(drawn, layer.data[[1], ::-1])
    layer.selected_data = set()
    cleared = visual.node.selection_markers._data
    assert cleared is None or len(cleared) == 0
    layer.data = np.empty((0, 2))  # an empty layer: no size limits
    assert tuple(markers.canvas_size_limits) == (0, 0)
    _new_frame(layer, 4.0)
    assert tuple(markers.canvas_size_limits) == tuple(layer.canvas_size_limits)


def test_skip_unchanged_transforms_raises_when_napari_drops_its_visible_text_test(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer()
    layer = viewer.add_shapes(ndim=2)
    monkeypatch.delattr("napari._vispy.utils.text._has_visible_text")
    with pytest.raises(RuntimeError, match=r"_napari_compat.skip_unchanged_transforms"):
        skip_unchanged_transforms(viewer, layer)


def test_bound_annotation_layers_skip_unchanged_transforms_and_the_media_does_not(
    make_napari_viewer: Any,
) -> None:
    from _bindings_support import make_session

    viewer = make_napari_viewer()
    make_session(viewer)
    skipping = {
        layer.name: getattr(vispy_layer(viewer, layer)._on_data_change, "_wtb_skips", False)
        for layer in viewer.layers
        if "wtb_key" in layer.metadata
    }
    assert skipping == {"media": False, "pad": True, "whiskers": True, "nose": True, "tips": True}


# --------------------------------------------------------------------------- Labels polygon
def test_finish_labels_polygon_paints_the_vertices_drawn(make_napari_viewer: Any) -> None:
    import numpy as np

    viewer = make_napari_viewer()
    layer = viewer.add_labels(np.zeros((2, 10, 10), np.uint8))
    layer.mode = "polygon"
    layer.selected_label = 3
    assert not finish_labels_polygon(layer)
    overlay = layer._overlays["polygon"]  # what napari's polygon tool fills while drawing
    overlay.points = [[1, 1.5, 1.5], [1, 1.5, 8.5], [1, 8.5, 8.5], [1, 9.0, 1.0]]
    assert finish_labels_polygon(layer)
    assert overlay.points == []
    assert layer.data[1, 5, 6] == 3  # inside the three clicked vertices
    assert layer.data[1, 7, 2] == 0  # inside only with the vertex following the mouse
    assert not layer.data[0].any()


def test_finish_labels_polygon_raises_when_napari_drops_the_overlay() -> None:
    class FakeLabels:
        def __init__(self) -> None:
            self._overlays: dict = {}  # no "polygon" overlay

    with pytest.raises(RuntimeError, match=r"_napari_compat.finish_labels_polygon"):
        finish_labels_polygon(FakeLabels())


# --------------------------------------------------------------------------- paints
class PaintRecorder:
    def __init__(self) -> None:
        self.calls = 0

    def before_paint(self, event: Any = None) -> None:
        self.calls += 1


def test_call_before_paint_runs_before_the_scene_draws(make_napari_viewer: Any, qtbot: Any) -> None:
    viewer = make_napari_viewer(show=True)
    qtbot.waitExposed(main_window(viewer))
    recorder = PaintRecorder()
    disconnect = call_before_paint(viewer, recorder.before_paint)
    canvas = viewer_widget(viewer).canvas
    order = [cb[1] if isinstance(cb, tuple) else cb for cb in canvas.events.draw.callbacks]
    assert order.index("before_paint") < order.index("on_draw")  # vispy's scene draw
    canvas.native.update()
    qtbot.waitUntil(lambda: recorder.calls > 0)
    disconnect()
    disconnect()
    calls, paints = recorder.calls, PaintRecorder()
    canvas.events.draw.connect(paints.before_paint)
    canvas.native.update()
    qtbot.waitUntil(lambda: paints.calls > 0)
    canvas.events.draw.disconnect(paints.before_paint)
    assert recorder.calls == calls


def test_call_before_paint_raises_when_napari_changes_the_canvas(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer()
    with monkeypatch.context() as patch:
        patch.setattr(viewer_widget(viewer), "canvas", object())
        with pytest.raises(RuntimeError, match=r"_napari_compat.call_before_paint"):
            call_before_paint(viewer, PaintRecorder().before_paint)


# --------------------------------------------------------------------------- layer list dock
def test_layer_list_dock_is_the_dock_listing_the_layers(make_napari_viewer: Any) -> None:
    from qtpy.QtWidgets import QAbstractItemView, QDockWidget

    viewer = make_napari_viewer()
    viewer.add_points(np.zeros((1, 2)))
    viewer.add_shapes()
    dock = layer_list_dock(viewer)
    assert isinstance(dock, QDockWidget)
    assert dock.parentWidget() is main_window(viewer)
    view = dock.findChild(QAbstractItemView)
    assert view is not None
    assert view.model().rowCount() == 2


def test_layer_list_dock_raises_when_napari_moves_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_napari_compat, "viewer_widget", lambda viewer: object())
    with pytest.raises(RuntimeError, match=r"_napari_compat.layer_list_dock"):
        layer_list_dock(object())


# --------------------------------------------------------------------------- layer list rows
class _PaintedRects(QObject):
    """Record the rectangles of the paint events a widget gets."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.rects: list[tuple[int, int, int, int]] = []
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.rect().getRect())
        return False


def _four_layer_list(make_napari_viewer: Any, qtbot: Any) -> tuple[Any, Any, _PaintedRects]:
    """A shown viewer with an image and three layers over it; its layer list view, recorder."""
    viewer = make_napari_viewer(show=True)
    viewer.add_image(np.random.default_rng(0).integers(0, 255, (3, 30, 40), dtype=np.uint8))
    viewer.add_labels(np.zeros((30, 40), np.uint8))
    viewer.add_shapes()
    viewer.add_points(np.zeros((1, 2)))
    main_window(viewer).resize(1200, 900)  # room for every row
    view = viewer_widget(viewer).layers
    qtbot.waitUntil(lambda: view.isVisible(), timeout=5_000)
    qtbot.wait(300)
    assert viewer.dims.current_step[0] == 1
    assert view.viewport().rect().contains(view.visualRect(view.model().index(3, 0)))
    return viewer, view, _PaintedRects(view.viewport())


def _settle(qtbot: Any, painted: _PaintedRects) -> None:
    """Wait until the layer list stops repainting (a loaded machine lays it out late)."""
    for _ in range(40):
        painted.rects.clear()
        qtbot.wait(150)
        if not painted.rects:
            return


def _image_row_rect(view: Any) -> tuple[int, int, int, int]:
    proxy = view.model()
    return view.visualRect(proxy.mapFromSource(proxy.sourceModel().index(0))).getRect()


def test_napari_repaints_the_whole_layer_list_per_image_slice_without_the_workaround(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    """If this fails, napari (or Qt) repaints only the changed row: the workaround can go."""
    viewer, view, painted = _four_layer_list(make_napari_viewer, qtbot)
    _settle(qtbot, painted)
    viewer.dims.set_current_step(0, 2)  # napari slices the image: three events of its row
    qtbot.waitUntil(lambda: bool(painted.rects), timeout=10_000)
    qtbot.wait(150)
    viewport = view.viewport()
    assert (0, 0, viewport.width(), viewport.height()) in painted.rects


def test_repaint_only_changed_rows_repaints_the_thumbnails_row_and_passes_the_rest(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    viewer, view, painted = _four_layer_list(make_napari_viewer, qtbot)
    assert repaint_only_changed_rows(viewer)
    assert repaint_only_changed_rows(viewer)  # idempotent
    model = view.model().sourceModel()
    changed: list[list[int]] = []
    model.dataChanged.connect(lambda first, last, roles: changed.append(list(roles)))
    _settle(qtbot, painted)
    viewer.dims.set_current_step(0, 2)  # from the middle frame, 1
    qtbot.waitUntil(lambda: bool(painted.rects), timeout=10_000)
    qtbot.wait(150)
    assert painted.rects == [_image_row_rect(view)]  # the image's row only: its thumbnail
    assert changed == []
    # everything else a row shows still goes through napari's model
    viewer.layers[0].name = "renamed"
    viewer.layers[0].visible = False
    roles = {role for emitted in changed for role in emitted}
    assert {Qt.ItemDataRole.DisplayRole.value, Qt.ItemDataRole.CheckStateRole.value} <= roles
    qtbot.wait(100)
    proxy = view.model()
    row = proxy.mapFromSource(model.index(0))
    assert proxy.data(row) == "renamed"


def test_repaint_only_changed_rows_raises_when_napari_changes(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from napari._qt.containers.qt_layer_model import QtLayerListModel

    viewer = make_napari_viewer(show=True)
    with monkeypatch.context() as patched:  # only for the call: the viewer's list still works
        patched.setattr(QtLayerListModel, "_process_event", None)
        with pytest.raises(RuntimeError, match=r"_napari_compat.repaint_only_changed_rows"):
            repaint_only_changed_rows(viewer)


# --------------------------------------------------------------------------- shapes widths
def _paths(n: int, shift: float = 0.0) -> tuple[list[np.ndarray], list[str]]:
    return [np.array([[k + shift, 0.0], [k + shift, 9.0]]) for k in range(n)], ["path"] * n


def test_napari_gives_shapes_added_by_data_width_1_without_the_workaround() -> None:
    """If this fails, napari keeps the layer's width on ``data =``: the workaround can go."""
    from napari.layers import Shapes

    layer = Shapes(ndim=2, shape_type="path", edge_width=3.0)
    layer.data = _paths(1)
    layer.data = _paths(3, 0.5)
    assert layer.edge_width[1:] == [1, 1]


def test_add_shapes_at_current_width_draws_every_added_shape_at_the_layer_width() -> None:
    from napari.layers import Shapes

    layer = Shapes(ndim=2, shape_type="path", edge_width=3.0)
    add_shapes_at_current_width(layer)
    add_shapes_at_current_width(layer)  # idempotent
    layer.data = _paths(1)
    layer.data = _paths(4, 0.5)  # a frame with more lines than the last
    assert layer.edge_width == [3.0] * 4
    layer.current_edge_width = 5.0
    layer.add_paths(_paths(1, 9.0)[0], edge_width=8.0)  # one width per layer
    assert layer.edge_width[-1] == 5.0
    # napari triangulated the new frame's paths at that width: rows 0 and 1, 5 wide each
    layer.data = _paths(2)
    assert layer.edge_width == [5.0, 5.0]
    rows = layer._data_view._mesh.vertices[:, 0]
    assert rows.max() - rows.min() == pytest.approx(1 + 5.0, abs=0.01)


def test_add_shapes_at_current_width_raises_when_napari_changes() -> None:
    class FakeShapes:
        current_edge_width = 2.0

        def _add_shapes(self, data: Any) -> None:
            pass

    with pytest.raises(RuntimeError, match=r"_napari_compat.add_shapes_at_current_width"):
        add_shapes_at_current_width(FakeShapes())


# --------------------------------------------------------------------------- prepared paths
def test_add_prepared_paths_takes_matching_shapes_and_builds_anything_else() -> None:
    from napari.layers import Shapes

    rows = [np.array([[k, 0.0], [k + 1.0, 9.0], [k, 12.0]], np.float32) for k in range(3)]
    plain = Shapes(ndim=2, shape_type="path", edge_width=2.0)
    add_shapes_at_current_width(plain)
    plain.data = (rows, ["path"] * 3)
    layer = Shapes(ndim=2, shape_type="path", edge_width=2.0)
    add_shapes_at_current_width(layer)
    taken: list[Any] = []
    add_prepared_paths(layer, lambda: taken.pop() if taken else None)
    add_prepared_paths(layer, lambda: None)  # idempotent
    taken.append(prepare_paths(layer, rows))
    shapes = taken[0].shapes
    layer.data = (rows, ["path"] * 3)
    assert tuple(layer._data_view.shapes) == shapes
    assert not taken
    # the same meshes, data and widths as napari's own build
    np.testing.assert_array_equal(layer._data_view._mesh.vertices, plain._data_view._mesh.vertices)
    np.testing.assert_array_equal(
        layer._data_view._mesh.triangles, plain._data_view._mesh.triangles
    )
    for got, want in zip(layer.data, plain.data):
        np.testing.assert_array_equal(got, want)
    assert layer.edge_width == plain.edge_width
    # prepared for other vertices, or another width: napari builds the shapes itself
    taken.append(prepare_paths(layer, [row + 1 for row in rows]))
    layer.data = (rows, ["path"] * 3)
    assert not set(map(id, layer._data_view.shapes)) & set(map(id, shapes))
    np.testing.assert_array_equal(layer.data[2], rows[2])
    taken.append(prepare_paths(layer, rows))
    layer.current_edge_width = 4.0
    layer.data = (rows, ["path"] * 3)
    assert layer.edge_width == [4.0] * 3
    assert all(shape.edge_width == 4.0 for shape in layer._data_view.shapes)


def _moved_rows(shift: float) -> list[np.ndarray]:
    return [
        np.array([[1.0, 1.0], [5.0, 8.0 + shift], [9.0, 12.0], [14.0, 13.0]], np.float32),
        np.array([[20.0, 1.0], [25.0, 9.0 + shift / 2]], np.float32),
    ]


def _path_layer(viewer: Any, rows: list[np.ndarray]) -> Any:
    layer = viewer.add_shapes(rows, shape_type="path", edge_width=2, edge_color="red")
    layer.current_edge_width = 2
    return layer


def test_move_paths_leaves_layer_and_mesh_as_the_data_setter_does(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    moved = _path_layer(viewer, _moved_rows(0.0))
    rows = _moved_rows(0.5)
    prepared = prepare_paths(moved, rows)
    assert move_paths(viewer, moved, rows, prepared)
    assert shape_objects(moved) == prepared.shapes  # the paths built ahead were taken
    assert move_paths(viewer, moved, _moved_rows(0.7))  # and without
    rows = _moved_rows(0.7)
    reference = _path_layer(viewer, _moved_rows(0.0))
    reference.data = (rows, ["path"] * len(rows))
    for got, want in zip(moved.data, reference.data):
        np.testing.assert_array_equal(got, want)
    mine, theirs = moved._data_view, reference._data_view
    for name in ("vertices", "displayed_triangles", "displayed_triangles_colors"):
        np.testing.assert_array_equal(
            getattr(mine._mesh, name), getattr(theirs._mesh, name), err_msg=name
        )
    np.testing.assert_array_equal(mine.displayed_vertices, theirs.displayed_vertices)
    drawn = vispy_layer(viewer, moved).node.shape_faces.mesh_data
    want = vispy_layer(viewer, reference).node.shape_faces.mesh_data
    np.testing.assert_array_equal(drawn.get_vertices(), want.get_vertices())
    np.testing.assert_array_equal(drawn.get_faces(), want.get_faces())
    np.testing.assert_allclose(moved.extent.data, reference.extent.data)


def test_move_paths_draws_what_napari_full_mesh_update_draws(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer(show=True)
    layer = _path_layer(viewer, _moved_rows(0.0))
    faces = vispy_layer(viewer, layer).node.shape_faces
    viewer.screenshot(canvas_only=True)  # vispy's pending full update drawn
    for shift in (0.5, 3.0):
        assert move_paths(viewer, layer, _moved_rows(shift))
        assert not faces._data_changed  # only the vertices were uploaded
        moved = viewer.screenshot(canvas_only=True)
        vispy_layer(viewer, layer)._on_data_change()  # napari's full mesh update
        assert faces._data_changed
        np.testing.assert_array_equal(moved, viewer.screenshot(canvas_only=True))


def test_move_paths_declines_what_needs_the_data_setter(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer()
    layer = _path_layer(viewer, _moved_rows(0.0))
    before = [row.copy() for row in layer.data]
    rows = _moved_rows(0.5)
    assert not move_paths(viewer, layer, rows[:1])  # another count of lines
    assert not move_paths(viewer, layer, [rows[0][:3], rows[1]])  # of vertices
    layer.selected_data = {0}
    assert not move_paths(viewer, layer, rows)
    layer.selected_data = set()
    layer.visible = False
    assert not move_paths(viewer, layer, rows)
    layer.visible = True
    layer.current_edge_width = 3  # the lines would be drawn at another width
    assert not move_paths(viewer, layer, rows)
    layer.current_edge_width = 2
    sharp = [rows[0], np.array([[20.0, 1.0], [25.0, 9.0]], np.float32)]
    sharp[0] = np.array([[1.0, 1.0], [5.0, 8.0], [1.2, 1.0], [14.0, 13.0]], np.float32)
    assert not move_paths(viewer, layer, sharp)  # a bevelled join: a bigger mesh
    for got, want in zip(layer.data, before):
        np.testing.assert_array_equal(got, want)
    assert move_paths(viewer, layer, rows)  # and now it may


def test_move_paths_raises_when_napari_changes(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer()
    layer = _path_layer(viewer, _moved_rows(0.0))

    class Visual:  # no _on_data_change
        pass

    monkeypatch.setattr(_napari_compat, "vispy_layer", lambda viewer, layer: Visual())
    with pytest.raises(RuntimeError, match=r"_napari_compat.move_paths"):
        move_paths(viewer, layer, _moved_rows(0.5))


def test_shape_objects_are_the_layers_shapes_in_data_order() -> None:
    from napari.layers import Shapes

    rows = [np.array([[k, 0.0], [k + 1.0, 9.0]], np.float32) for k in range(3)]
    layer = Shapes(rows, shape_type="path")
    shapes = shape_objects(layer)
    assert len(shapes) == 3
    for shape, row in zip(shapes, rows):
        np.testing.assert_array_equal(shape.data, row)

    class FakeShapes:
        pass

    with pytest.raises(RuntimeError, match=r"_napari_compat.shape_objects"):
        shape_objects(FakeShapes())


def test_add_prepared_paths_raises_when_napari_changes() -> None:
    class FakeShapes:
        def _add_shapes_to_view(self, shapes: Any) -> None:
            pass

    with pytest.raises(RuntimeError, match=r"_napari_compat.add_prepared_paths"):
        add_prepared_paths(FakeShapes(), lambda: None)


# --------------------------------------------------------------------------- text outline
def _darkened_pixels(viewer: Any, layer: Any) -> int:
    """Canvas pixels the layer's text makes darker by more than 100 of 255 (its halo)."""
    shown = viewer.screenshot(canvas_only=True, flash=False)[..., :3].astype(int).sum(axis=2)
    layer.text.visible = False
    hidden = viewer.screenshot(canvas_only=True, flash=False)[..., :3].astype(int).sum(axis=2)
    layer.text.visible = True
    return int(np.count_nonzero(hidden - shown > 3 * 100))


def test_outline_text_draws_a_halo_around_white_text_on_white(make_napari_viewer: Any) -> None:
    viewer = make_napari_viewer(show=True)  # a hidden canvas renders nothing
    viewer.add_image(np.full((40, 80), 255, np.uint8), contrast_limits=(0, 255))
    layer = viewer.add_points(
        np.array([[20.0, 10.0]]),
        features={"name": ["Joystick1"]},
        text={"string": "{name}", "color": "white", "size": 10, "anchor": "upper_left"},
        face_color="white",
        border_width=0,
    )
    assert _darkened_pixels(viewer, layer) == 0  # napari's text: white on white, unreadable
    assert outline_text(viewer, layer)
    assert outline_text(viewer, layer)  # idempotent
    assert _darkened_pixels(viewer, layer) > 20
    layer.data = np.array([[25.0, 30.0]])  # a frame step only changes the text's vertices
    assert _darkened_pixels(viewer, layer) > 20


def test_outline_text_raises_when_napari_or_vispy_change(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    class FakeText:
        _shaders: ClassVar = {"fragment": "void main() { gl_FragColor = vec4(1.0); }"}
        shared_program = type("Program", (), {"frag": None})()

    class FakeVisual:
        node = type("Node", (), {"text": FakeText()})()

    viewer = make_napari_viewer(show=False)
    layer = viewer.add_points(np.zeros((1, 2)))
    monkeypatch.setattr(_napari_compat, "vispy_layer", lambda viewer, layer: FakeVisual())
    with pytest.raises(RuntimeError, match=r"_napari_compat.outline_text"):
        outline_text(viewer, layer)


# --------------------------------------------------------------------------- axis labels
def _frame_label_room(viewer: Any) -> tuple[str, int, int]:
    """The frame slider's label, the pixels its field shows text in and the pixels it needs."""
    field = viewer_widget(viewer).dims.slider_widgets[0].axis_label
    text = viewer.dims.axis_labels[0]
    assert field.text() == text
    margins = field.textMargins()
    # QLineEdit draws its text 2 px inside the content rectangle on each side
    room = field.contentsRect().width() - margins.left() - margins.right() - 4
    return text, room, field.fontMetrics().horizontalAdvance(text)


def _video_viewer(make_napari_viewer: Any) -> Any:
    viewer = make_napari_viewer(show=True)
    viewer.add_image(np.zeros((5, 8, 8), np.uint8))
    viewer.dims.axis_labels = ("time", "y", "x")
    return viewer


def test_napari_keeps_the_axis_label_field_of_the_old_label_without_the_workaround(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    viewer = _video_viewer(make_napari_viewer)
    qtbot.wait(10)
    viewer.dims.axis_labels = ("camera", "y", "x")
    qtbot.wait(10)
    text, room, needed = _frame_label_room(viewer)
    # napari's _pull_label blocks the textChanged that would resize the field: if this
    # fails, napari sizes it itself and fit_axis_labels can go
    assert room < needed, (text, room, needed)


def test_fit_axis_labels_sizes_the_field_to_each_new_label(
    make_napari_viewer: Any, qtbot: Any
) -> None:
    viewer = _video_viewer(make_napari_viewer)
    fit_axis_labels(viewer)
    fit_axis_labels(viewer)  # idempotent
    qtbot.wait(10)
    for label in ("camera", "whisker_cam", "t"):
        viewer.dims.axis_labels = (label, "y", "x")
        text, room, needed = _frame_label_room(viewer)
        assert room >= needed, (text, room, needed)
    from napari.components import ViewerModel

    fit_axis_labels(ViewerModel())  # type: ignore[arg-type]  # no window: nothing to do


def test_fit_axis_labels_raises_when_napari_changes(
    make_napari_viewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = make_napari_viewer()
    assert callable(viewer_widget(viewer).dims._resize_axis_labels)  # relied on
    monkeypatch.setattr(_napari_compat, "viewer_widget", lambda viewer: QWidget())
    with pytest.raises(RuntimeError, match=r"_napari_compat.fit_axis_labels"):
        fit_axis_labels(viewer)


# --------------------------------------------------------------------------- open viewers
def test_open_viewers_lists_viewers_until_closed(make_napari_viewer: Any) -> None:
    from napari_whiskertoolbox.layers._napari_compat import open_viewers

    first, second = make_napari_viewer(), make_napari_viewer()
    assert {id(first), id(second)} <= {id(v) for v in open_viewers()}
    first.close()
    assert id(first) not in {id(v) for v in open_viewers()}


def test_open_viewers_raises_when_napari_moves_its_viewers(monkeypatch: Any) -> None:
    import napari

    from napari_whiskertoolbox.layers._napari_compat import open_viewers

    monkeypatch.setattr(napari.Viewer, "_instances", [], raising=False)
    with pytest.raises(RuntimeError, match=r"_napari_compat.open_viewers"):
        open_viewers()


WINDOW_DELETED_SCRIPT = """
import napari
from qtpy.QtCore import QEvent
from qtpy.QtWidgets import QApplication
from napari_whiskertoolbox.layers._napari_compat import main_window, window_deleted

shown, hidden = napari.Viewer(show=True), napari.Viewer(show=False)
print("BEFORE", window_deleted(shown), window_deleted(hidden))
main_window(shown).close()  # the title bar's close button: napari deletes it on close
QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
print("AFTER", window_deleted(shown), window_deleted(hidden))
hidden.close()
"""


def test_window_deleted_tells_a_window_qt_deleted_from_an_open_or_hidden_one() -> None:
    """In a process of its own: the fixtures' clean-up cannot close a viewer Qt deleted."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", WINDOW_DELETED_SCRIPT], capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "BEFORE False False" in result.stdout
    assert "AFTER True False" in result.stdout
