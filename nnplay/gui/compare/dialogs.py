"""Text in the Race and Search windows, always shown as text: a parameter path, a
sweep file's field or an error echoes what a file or the user wrote, and Qt renders
text that looks like HTML (``<img src=…>`` reads a file) in labels, tooltips and
message boxes."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QMessageBox, QWidget


def error(parent: QWidget | None, title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def plain(widget):
    """A label that shows its text as it is."""
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


def tooltip(text: str) -> str:
    """``text`` as a tooltip that shows it literally."""
    if not GuiQt.mightBeRichText(text):
        return text
    return "<p style='white-space:pre-wrap'>" + html.escape(text, quote=False) + "</p>"


def menu_text(text: str) -> str:
    """A menu entry showing ``text`` as it is (``&`` would underline the next letter)."""
    return text.replace("&", "&&")
