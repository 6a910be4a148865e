"""Fixtures for the Race and Search windows: a main window holding a tiny network (a
few epochs take a blink), the two windows opened from its Training menu as a user
would, and error boxes recorded instead of shown."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from nnplay.io.schema import parse_network
from tests.sweeps.helpers import base_network

#: ms; a race or a search of a few tiny runs takes a second or two here, more on a loaded machine
WAIT = 60_000


@pytest.fixture
def boxes(monkeypatch):
    """Every error box the windows show, as (title, text, text format); questions go on to
    whatever answers them (the ``dialogs`` fixture)."""
    record = []
    answer = QMessageBox.exec

    def exec_(box):
        if box.icon() == QMessageBox.Icon.Question:
            return answer(box)
        record.append((box.windowTitle(), box.text(), box.textFormat()))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return record


@pytest.fixture
def tiny_window(make_window):
    """The main window with a 2-4-1 tanh net on 40 XOR points, batches of 8."""
    window = make_window()
    window.document.replace(parse_network(base_network(name="tiny")), None)
    return window


@pytest.fixture
def race_window(qtbot, tiny_window, boxes):
    tiny_window.compare.race_action.trigger()
    window = tiny_window.compare.race_window
    assert window.isVisible()
    yield window
    window.close()
    assert window.race is None


@pytest.fixture
def search_window(qtbot, tiny_window, boxes):
    tiny_window.compare.search_action.trigger()
    window = tiny_window.compare.search_window
    assert window.isVisible()
    yield window
    window.close()
    assert window.runner is None
