"""Text that came from a file or the user, shown as text and never as HTML.

Qt guesses whether a string is rich text (``Qt.mightBeRichText``) in labels,
tooltips and message boxes. A network file whose description is
``<img src='/dev/zero'>`` would then be rendered as HTML and its "image" read:
memory until the app aborts, a FIFO that freezes it, any local file opened. So
every dialog here is plain text, and every tooltip or title made from such text
goes through ``tooltip`` or ``window_title``.
"""

from __future__ import annotations

import html

from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

Button = QMessageBox.StandardButton


def tooltip(text: str) -> str:
    """``text`` as a tooltip that shows it literally: escaped where Qt would take it for HTML."""
    if not QtGui.Qt.mightBeRichText(text):
        return text
    return "<p style='white-space:pre-wrap'>" + html.escape(text, quote=False) + "</p>"


def menu_text(text: str) -> str:
    """A menu entry that shows ``text`` as it is: ``&`` would underline the next letter."""
    return text.replace("&", "&&")


def window_title(text: str) -> str:
    """``text`` inside a window title: Qt reads ``[*]`` as the unsaved-changes mark."""
    return text.replace("[*]", "[*][*]")


def plain_label(label: QLabel) -> QLabel:
    """Make ``label`` show its text as plain text whatever it looks like."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _ask(icon: QMessageBox.Icon, parent: QWidget | None, title: str, text: str,
         buttons: Button = Button.Ok, default: Button = Button.NoButton) -> Button:
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if default != Button.NoButton:
        box.setDefaultButton(default)
    return Button(box.exec())


def critical(parent: QWidget | None, title: str, text: str) -> None:
    """An error the user must acknowledge, as plain text."""
    _ask(QMessageBox.Icon.Critical, parent, title, text)


def warning(parent: QWidget | None, title: str, text: str) -> None:
    _ask(QMessageBox.Icon.Warning, parent, title, text)


def question(parent: QWidget | None, title: str, text: str, buttons: Button, default: Button) -> Button:
    """The button the user pressed."""
    return _ask(QMessageBox.Icon.Question, parent, title, text, buttons, default)
