"""The window's layout can always be recovered: View ▸ Reset Layout, dock toggles that
work, and plots that no saved layout, drag or small window can squeeze out of use."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from nnplay.gui.window_layout import MIN_PLOT_HEIGHT, MIN_PLOT_WIDTH

WAIT = 5_000


def _shown(qtbot, window, width=1500, height=900):
    window.resize(width, height)
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.width() >= min(width, window.minimumWidth()) and window.curves_dock.width() > 0,
                    timeout=WAIT)


def _usable(window) -> bool:
    return all(widget.width() >= MIN_PLOT_WIDTH and widget.height() >= MIN_PLOT_HEIGHT
               for widget in (window.boundary, window.curves))


def test_the_view_menus_dock_toggles_work_and_reset_layout_brings_everything_back(qtbot, window):
    _shown(qtbot, window)
    menu = window.findChild(QMenu, "viewMenu")
    toggles = [action for action in menu.actions() if action.objectName().endswith("ToggleAction")]
    assert len(toggles) >= 5 and all(action.isEnabled() for action in toggles)  # were greyed out
    toggle = window.curves_dock.toggleViewAction()
    toggle.trigger()
    assert window.curves_dock.isHidden()
    toggle.trigger()
    assert not window.curves_dock.isHidden()

    # what a user can do to a layout: hide the settings and the bar, float a tab, drag a dock away
    window.panels_dock.toggleViewAction().trigger()
    window.transport.toggleViewAction().trigger()
    window.gradients_dock.setFloating(True)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, window.pretraining_dock)
    assert window.panels_dock.isHidden() and window.transport.isHidden()

    reset = next(action for action in menu.actions() if action.objectName() == "resetLayoutAction")
    reset.trigger()
    qtbot.waitUntil(lambda: window.dock_on_screen(window.curves_dock), timeout=WAIT)
    assert not window.panels_dock.isHidden() and not window.transport.isHidden()
    assert window.dockWidgetArea(window.panels_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    for dock in (window.curves_dock, window.gradients_dock, window.pretraining_dock):
        assert not dock.isFloating() and not dock.isHidden()
        assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert set(window.tabifiedDockWidgets(window.curves_dock)) >= {window.gradients_dock, window.pretraining_dock}
    assert "layout" in window.status_label.text()


def test_shrinking_the_window_and_growing_it_back_keeps_the_plot_column(qtbot, window):
    _shown(qtbot, window)
    column = window.curves_dock.width()
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() < 1000, timeout=WAIT)
    qtbot.wait(20)  # the column's share is applied after the window's layout has had the new size
    assert _usable(window)  # the window stops shrinking before the plots do
    window.resize(1500, 900)
    qtbot.waitUntil(lambda: window.width() == 1500, timeout=WAIT)
    qtbot.waitUntil(lambda: window.curves_dock.width() >= 0.9 * column, timeout=WAIT)  # was left at ~130 px


def test_a_saved_layout_cannot_make_the_plots_unusable(qtbot, make_window):
    first = make_window()
    _shown(qtbot, first)
    for widget in (first.boundary, *(dock.widget() for dock in first.plot_docks)):
        widget.setMinimumSize(0, 0)  # what an older nnplay allowed
    for dock in (first.inside.network_dock, first.inside.hidden_space_dock):
        dock.hide()  # an older nnplay had no such docks below the curves to hold the column open
    first.resizeDocks([first.curves_dock], [100], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: first.curves_dock.width() < MIN_PLOT_WIDTH - 80, timeout=WAIT)
    assert first.close()
    again = make_window()
    _shown(qtbot, again, again.width(), again.height())
    qtbot.waitUntil(lambda: _usable(again), timeout=WAIT)


@pytest.mark.parametrize("size", [(1024, 700), (1500, 900), (1920, 1080)])
def test_the_bars_numbers_fit_keep_their_place_and_the_hint_is_whole(qtbot, window, size):
    from PySide6.QtWidgets import QToolButton

    _shown(qtbot, window, *size)
    bar = window.transport
    labels = [bar.epoch_label, bar.loss_label, bar.accuracy_label, bar.rate_label]
    bar.show_numbers(0, 0, {}, None)
    qtbot.wait(10)
    widths = [label.width() for label in labels]
    widest = {"train_loss": 1.2345e-05, "val_loss": 0.123456, "train_accuracy": 0.9876, "val_accuracy": 1.0}
    bar.show_numbers(1_234_567, 0, widest, 123_456.0)
    qtbot.wait(10)
    assert [label.width() for label in labels] == widths  # no jumping as digits change
    overflow = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert overflow is None or not overflow.isVisible()  # nothing behind "»"
    for widget in labels + [bar.widgetForAction(a) for a in (bar.play_action, bar.step_action, bar.reset_action)]:
        assert widget.isVisible() and bar.rect().contains(widget.geometry())
    hint = window.boundary.hint
    assert hint.isVisible() and hint.heightForWidth(hint.width()) <= hint.height()  # the whole line, wrapped if need be
