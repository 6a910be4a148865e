"""Training settings panel (work in progress)."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget


class TrainingPanel(QWidget):
    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.document = document
        box = QGroupBox("Training", self)
        QVBoxLayout(box).addWidget(QLabel("…", box))
        QVBoxLayout(self).addWidget(box)
