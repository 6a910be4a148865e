import os

import pytest

# the GUI tests run without a display
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _no_unexpected_dialogs(monkeypatch):
    """A message box nobody expected fails the test instead of waiting forever for a click
    (tests that expect dialogs use the ``dialogs`` fixture, which records them)."""
    from PySide6.QtWidgets import QMessageBox

    def unexpected(box):
        raise AssertionError(f"unexpected dialog: {box.windowTitle()}: {box.text()}")

    monkeypatch.setattr(QMessageBox, "exec", unexpected)
