"""Fixtures for tests that drive the whole window: private QSettings, dialogs that
never block (recorded instead), and a shown main window that is closed cleanly."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def settings_dir(tmp_path, qapp):
    """QSettings write into the test's own folder, never the user's."""
    from PySide6.QtCore import QSettings

    from nnplay.gui.app import make_application

    make_application()
    folder = tmp_path / "settings"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    QSettings().clear()
    # as fast as the machine goes, as a user who turned the speed up (a first launch starts at
    # a speed a newcomer can watch: tests/gui/test_first_hour.py)
    QSettings().setValue("transport/speed", "max")
    return folder


@pytest.fixture
def dialogs(monkeypatch):
    """Record every message box instead of showing it; questions get ``answers`` (Discard by default).

    ``critical`` and ``question`` hold ``(title, text)``; ``formats`` the text format of each box."""
    from PySide6.QtWidgets import QMessageBox

    record = {"critical": [], "question": [], "answers": [], "formats": []}

    def answer(title):
        if record["answers"]:
            return record["answers"].pop(0)
        return QMessageBox.StandardButton.Discard if "Unsaved" in title else QMessageBox.StandardButton.Yes

    def critical(parent, title, text, *args, **kwargs):
        record["critical"].append((title, text))
        return QMessageBox.StandardButton.Ok

    def question(parent, title, text, *args, **kwargs):
        record["question"].append((title, text))
        return answer(title)

    def exec_(box):
        record["formats"].append(box.textFormat())
        if box.icon() == QMessageBox.Icon.Question:
            record["question"].append((box.windowTitle(), box.text()))
            return answer(box.windowTitle())
        record["critical"].append((box.windowTitle(), box.text()))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", staticmethod(critical))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return record


@pytest.fixture
def make_window(qtbot, settings_dir, dialogs):
    from nnplay.gui.main_window import MainWindow

    windows = []

    def make():
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.stop_training()
        assert not window.runner.running


@pytest.fixture
def window(make_window):
    return make_window()


def boundary_settled(window) -> bool:
    """Whether the boundary's grid is shaped to its plot (as it is once the window's size
    rests) and the picture shown is on it."""
    from nnplay.gui.plots.boundary import ASPECT_TOLERANCE

    boundary, grid = window.boundary, window.boundary.grid
    if grid is None or grid.dims != 2:
        return True
    grid_aspect = (grid.x_range[1] - grid.x_range[0]) / (grid.y_range[1] - grid.y_range[0])
    image = boundary.current_image()
    return (abs(grid_aspect / boundary.aspect() - 1) <= ASPECT_TOLERANCE and image is not None
            and image.shape[:2] == grid.shape)


def button(window, name: str):
    """The transport bar's button for an action, found by its objectName as a user sees it."""
    from PySide6.QtWidgets import QToolButton

    found = window.findChild(QToolButton, name)
    assert found is not None, name
    return found


def weights_equal(a: list[dict], b: list[dict]) -> bool:
    return len(a) == len(b) and all(
        x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x) for x, y in zip(a, b)
    )
