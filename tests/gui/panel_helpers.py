"""Driving panels like a user: pick combo items by their text, type into spin boxes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget


def child(panel: QWidget, cls, name: str):
    widget = panel.findChild(cls, name)
    assert widget is not None, f"no {cls.__name__} named {name!r}"
    return widget


def pick(combo: QComboBox, text: str) -> None:
    """Choose the item whose visible text contains ``text`` (as a user reading the list)."""
    matches = [i for i in range(combo.count()) if text in combo.itemText(i)]
    assert matches, f"{text!r} not among {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(matches[0])


def items(combo: QComboBox) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def type_into(qtbot, spin: QAbstractSpinBox, text: str) -> None:
    """Select the spin box's text, type ``text`` and press Enter."""
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key_Return)


def shown(widget: QWidget) -> bool:
    """Visible once its window is shown (tests do not show windows)."""
    return not widget.isHidden() and widget.isVisibleTo(widget.window())
