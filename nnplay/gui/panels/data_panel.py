"""Data settings panel (work in progress)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget


class DataPanel(QWidget):
    #: the class a click on the boundary plot adds
    currentClassChanged = Signal(int)

    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dataPanel")
        self.document = document
        self.current_class = 0
        #: the target value a click adds on regression data
        self.current_value = 0.0
        box = QGroupBox("Data", self)
        QVBoxLayout(box).addWidget(QLabel("…", box))
        QVBoxLayout(self).addWidget(box)
