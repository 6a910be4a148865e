"""The diagram's legend: the scale of its links (a weight's sign is its colour, its size
the width, up to the legend's round number), and what a node's colours mean."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from nnplay.core.unit_maps import number
from nnplay.gui.diagram.feed import LINK_LEVELS
from nnplay.gui.diagram.items import link_pen
from nnplay.gui.plots.colors import diverging_lut

SAMPLE = 20.0  #: a sample link's length, px


class LinkLegend(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("diagramLegend")
        self.scale = 1.0
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.font = QFont()
        self.font.setPointSizeF(8.5)
        self.setToolTip(
            "Links: a weight's colour is its sign (orange positive, blue negative) and its width its size, "
            "widest at the size shown at the right end and beyond. A bias is the small square on its node's "
            "lower left, coloured the same way.\n"
            "Nodes: each unit's output over the input plane, in the boundary plot's colours: blue low, white in "
            "the middle, orange high, over the range its activation can produce (tanh −1 to 1, sigmoid 0 to 1); "
            "ReLU-like units from white (off) to orange at their highest; units with no bounds (linear) "
            "symmetric about 0 to their largest size. Output nodes are coloured as the boundary plot is.\n"
            "Hover a node to see it large on the plot, click it to pin it there. Hover a link or a bias for its "
            "value; click it to type a new one (Undo takes it back).")

    def sizeHint(self) -> QSize:
        return QSize(400, 24)

    def set_scale(self, scale: float) -> None:
        if scale != self.scale:
            self.scale = scale
            self.update()

    def text(self) -> str:
        """The legend as words (tests and the accessible name read it)."""
        s = self.scale
        return f"weights −{number(s)} … {number(s)}"

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setFont(self.font)
        mid = self.height() / 2
        x = 6.0
        painter.setPen(QColor("#333"))
        x = self._label(painter, x, mid, "weights")
        s = self.scale
        for value, level in ((-s, -LINK_LEVELS), (-s / 2, -LINK_LEVELS // 2), (s / 2, LINK_LEVELS // 2),
                             (s, LINK_LEVELS)):
            painter.setPen(link_pen(level))
            painter.drawLine(QPointF(x, mid), QPointF(x + SAMPLE, mid))
            painter.setPen(QColor("#333"))
            x = self._label(painter, x + SAMPLE + 3, mid, ("+" if value > 0 else "") + number(value))
        x += 10
        x = self._label(painter, x, mid, "units  low")
        gradient = QLinearGradient(x, 0, x + 60, 0)
        lut = diverging_lut()
        for t in (0.0, 0.5, 1.0):
            r, g, b, _a = lut[min(255, int(t * 255))]
            gradient.setColorAt(t, QColor(int(r), int(g), int(b)))
        painter.setPen(QPen(QColor("#999"), 0.8))
        painter.setBrush(gradient)
        painter.drawRect(QRectF(x, mid - 5, 60, 10))
        painter.setPen(QColor("#333"))
        self._label(painter, x + 64, mid, "high")
        painter.end()

    def _label(self, painter: QPainter, x: float, mid: float, text: str) -> float:
        width = painter.fontMetrics().horizontalAdvance(text)
        painter.drawText(QRectF(x, 0, width + 2, self.height()), Qt.AlignmentFlag.AlignVCenter, text)
        return x + width + 6
