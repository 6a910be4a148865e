"""How every plot's axes and captions look: one place, so the app's plots read alike."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QGraphicsItem, QLabel, QSizePolicy, QWidget

AXIS_PEN, AXIS_TEXT = "#444", "#222"
#: the least room between two numbers of a vertical axis: a line of tick text and a gap
MIN_LABEL_GAP_PX = 22


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
    _space_for_text(plot.getAxis("left"))


#: the multiples of a power of ten an axis's range ends on, and its ticks are spaced by
RANGE_STEPS, TICK_STEPS = (1.0, 2.0, 2.5, 5.0), (1.0, 2.0, 5.0)


def nice_number(value: float, steps: tuple[float, ...] = RANGE_STEPS) -> float:
    """The smallest of ``steps`` times a power of ten that is at least ``value`` (> 0, finite;
    infinity for a value too small for its power of ten to be a float)."""
    power = 10.0 ** math.floor(math.log10(value))
    return next((step * power for step in (*steps, 10.0) if step * power >= value * (1 - 1e-12)), math.inf)


def _space_for_text(axis: pg.AxisItem) -> None:
    """Numbers on a short vertical axis that do not run into each other. pyqtgraph puts at
    least two and a quarter intervals on any axis and always writes its major ticks' numbers:
    on the 70 pixels a docked loss plot has in a 1024×700 window, five numbers written over
    each other. Here the major ticks are spaced ``MIN_LABEL_GAP_PX`` apart at least, and
    pyqtgraph's major ticks become minor ones (unnumbered, as they do not fit)."""
    spacing = axis.tickSpacing

    def spaced(low: float, high: float, size: float):
        levels = spacing(low, high, size)
        span = abs(high - low)
        if not levels or size <= 0 or span == 0 or axis._tickSpacing is not None:  # none, or set by hand
            return levels
        least = span * MIN_LABEL_GAP_PX / size
        major = levels[0][0]
        return levels if major >= least else [(nice_number(least, TICK_STEPS), 0), (major, 0)]

    axis.tickSpacing = spaced


class Caption(QWidget):
    """Text beside a plot that changes with its pictures, without relayouting the window.

    A ``QLabel`` asks its layout again at every new text, whether its size changes or
    not, and the request climbs to the main window: with every dock open, the captions
    that change with each picture (Metrics, Gradients, Distributions, hidden space, the
    regression numbers) relayouted the whole window about 7 times a second, and each
    relayout repainted every dock's frame. Here the label is the child of a widget with
    no layout, which asks for a new layout only when a text needs another size. Reads
    like a ``QLabel``: ``text``/``setText``; the label's other methods are passed on."""

    def __init__(self, name: str, wrap: bool = True):
        super().__init__(objectName=name)
        self.label = QLabel(self, objectName=f"{name}Text")
        self.setWordWrap(wrap)

    def setWordWrap(self, wrap: bool) -> None:
        """Wrapped text takes the plot's width and never widens it; unwrapped, its own."""
        self.label.setWordWrap(wrap)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored if wrap else QSizePolicy.Policy.Preferred,
                             QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(wrap)
        self.setSizePolicy(policy)
        self.updateGeometry()

    def text(self) -> str:
        return self.label.text()

    def setText(self, text: str) -> None:
        if text == self.label.text():
            return
        before = self._size_needed()
        self.label.setText(text)
        if self._size_needed() != before:
            self.updateGeometry()

    def _size_needed(self):
        if self.label.wordWrap():
            return self.label.heightForWidth(max(self.label.width(), 1))
        return self.label.sizeHint()

    def __getattr__(self, name: str):  # setTextFormat, setAlignment, …: the label's
        if name == "label":
            raise AttributeError(name)
        return getattr(self.label, name)

    # the label's size and the margins around it, as the layout around asks for them
    def sizeHint(self) -> QSize:
        return self.label.sizeHint().grownBy(self.contentsMargins())

    def minimumSizeHint(self) -> QSize:
        return self.label.minimumSizeHint().grownBy(self.contentsMargins())

    def hasHeightForWidth(self) -> bool:
        return self.label.wordWrap()

    def heightForWidth(self, width: int) -> int:
        margins = self.contentsMargins()
        return (self.label.heightForWidth(width - margins.left() - margins.right())
                + margins.top() + margins.bottom())

    def resizeEvent(self, event) -> None:
        self.label.setGeometry(self.contentsRect())


def wrapped_label(name: str) -> Caption:
    """A caption beside a plot: its text wraps to the plot's width and never widens it."""
    return Caption(name)
