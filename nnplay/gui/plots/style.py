"""How every plot's axes and captions look: one place, so the app's plots read alike."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem, QLabel, QSizePolicy

AXIS_PEN, AXIS_TEXT = "#444", "#222"


def style_axes(plot: pg.PlotItem, cached: bool = True) -> None:
    """Dark grey axes with plain numbers (no SI prefix); ``cached``: each axis is drawn
    once into a pixmap until its ticks change (text is slow to draw, and a live plot
    repaints often)."""
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setPen(AXIS_PEN)
        axis.setTextPen(AXIS_TEXT)
        axis.enableAutoSIPrefix(False)
        if cached:
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def wrapped_label(name: str) -> QLabel:
    """A caption beside a plot: its text wraps to the plot's width and never widens it."""
    label = QLabel(objectName=name)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label
