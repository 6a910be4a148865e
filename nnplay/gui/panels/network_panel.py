"""Network settings panel (work in progress)."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget


class NetworkPanel(QWidget):
    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("networkPanel")
        self.document = document
        box = QGroupBox("Network", self)
        QVBoxLayout(box).addWidget(QLabel("…", box))
        QVBoxLayout(self).addWidget(box)
