"""``nnplay`` and ``nnplay FILE.nnp``: the application, its window, and the file to open."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

APP_NAME = "nnplay"
ORGANIZATION = "nnplay"


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the names QSettings files its settings under."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationDisplayName("nnplay")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    import pyqtgraph as pg

    pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")
    return app


def open_window(path: str | None = None):
    """Show the main window with the default network, then open ``path`` in it; a broken
    file is a dialog that says what is wrong, and the default network stays."""
    from nnplay.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    if path:
        # after the window is on screen, so a slow or broken file never delays it
        QTimer.singleShot(0, lambda: window.file_actions.open_path(path, ask=False))
    return window


def missing_display() -> str | None:
    """Why no window can open here, or None. Qt itself would abort the process with a
    screenful about platform plugins."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return ("no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); "
            "the headless commands work without one (nnplay --help), or run the app under xvfb-run")


def run(path: str | None = None) -> int:
    """Run the app until its window closes; returns the exit status."""
    problem = missing_display()
    if problem:
        print(f"nnplay: {problem}", file=sys.stderr)
        return 1
    app = make_application()
    window = open_window(path)
    status = app.exec()
    del window
    from nnplay.gui.background import finish_abandoned

    finish_abandoned()
    return status


if __name__ == "__main__":
    sys.exit(run(sys.argv[1] if len(sys.argv) > 1 else None))
