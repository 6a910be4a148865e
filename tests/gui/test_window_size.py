"""The window fits a 1024x700 screen with every default dock, and tearing it down
calls nothing on a window that is already gone."""

from PySide6.QtWidgets import QDockWidget


def test_the_default_window_fits_1024_by_700(qtbot, window):
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() <= 1024, timeout=5000)
    assert window.minimumSizeHint().width() <= 1024 and window.height() <= 700
    for dock in window.findChildren(QDockWidget):
        if dock.isVisible():
            assert dock.minimumSizeHint().width() < 400, dock.objectName()


def test_deleting_the_window_runs_no_handler_on_it(qtbot, settings_dir, dialogs):
    """Its docks are hidden as Qt deletes it; a handler that ran then would raise
    'Internal C++ object already deleted' (pytest-qt fails the test on it)."""
    import shiboken6

    from nnplay.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    qtbot.waitExposed(window)
    shiboken6.delete(window)
