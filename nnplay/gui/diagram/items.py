"""The diagram's graphics items, each created once per layout and updated in place:

- ``NodeItem``: a unit's map (an RGBA image, or with one input its curve), its border
  (hovered, pinned) and its bias as a small square on its lower left;
- ``LinksItem``: every shown link between two columns, drawn as one path per colour and
  width (a few paths, whatever the number of links), rebuilt only when a link changes
  its step of width;
- ``BandItem``: a batch-norm or dropout layer, a thin band in its gap;
- ``MoreItem``: "+48 more" under a collapsed column, or "show fewer";
- ``HoverCard``: the live tooltip of the link, bias or node under the mouse.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from nnplay.gui.diagram.feed import LINK_LEVELS
from nnplay.gui.plots.colors import NEGATIVE_COLOR, POSITIVE_COLOR

NODE = 36.0  #: a node's side, px
BIAS = 6.0  #: a bias square's side
LINK_SAMPLES = 12  #: points along each link's curve
BORDER = QColor("#8a8a8a")
HOVER_BORDER = QColor("#222")
PIN_BORDER = QColor("#000")


def sign_color(sign: float, strength: float) -> QColor:
    """A weight's colour: its sign's hue, from light grey at 0 to full at the scale's end."""
    end = QColor(POSITIVE_COLOR if sign >= 0 else NEGATIVE_COLOR)
    t = float(np.clip(strength, 0.0, 1.0))
    grey = 215
    return QColor(round(grey + t * (end.red() - grey)), round(grey + t * (end.green() - grey)),
                  round(grey + t * (end.blue() - grey)))


class NodeItem(QGraphicsItem):
    def __init__(self, column: int, unit: int, has_bias: bool):
        super().__init__()
        self.column, self.unit, self.has_bias = column, unit, has_bias
        self.image: QImage | None = None
        self._buffer: np.ndarray | None = None  # keeps the image's pixels alive
        self.curve: QPainterPath | None = None
        self.zero_line: float | None = None  # 1-D: where 0 is, 0..1 from the bottom
        self.bias_color = QColor("#ddd")
        self.hovered = self.pinned = False
        self.setAcceptHoverEvents(False)  # the view hit-tests itself (one pass over the links too)

    def boundingRect(self) -> QRectF:
        return QRectF(-BIAS - 3, -2, NODE + BIAS + 5, NODE + 4)

    def node_rect(self) -> QRectF:
        return QRectF(0, 0, NODE, NODE)

    def bias_rect(self) -> QRectF:
        return QRectF(-BIAS - 2, NODE - BIAS, BIAS, BIAS)

    def set_image(self, rgba: np.ndarray) -> None:
        """``(h, w, 4)`` uint8 RGBA, C-contiguous, shared with no other thread."""
        self._buffer = rgba
        h, w = rgba.shape[:2]
        self.image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
        self.update()

    def set_curve(self, points: np.ndarray, zero: float | None) -> None:
        """``(samples, 2)`` points in 0..1 of the box (y up)."""
        x = points[:, 0] * NODE
        y = (1.0 - points[:, 1]) * NODE
        self.curve = pg.arrayToQPath(x, y)
        self.zero_line = zero
        self.update()

    def set_bias(self, bias: float, scale: float) -> None:
        self.bias_color = sign_color(bias, abs(bias) / scale if scale else 0.0)
        self.update()

    def set_state(self, hovered: bool, pinned: bool) -> None:
        if (hovered, pinned) != (self.hovered, self.pinned):
            self.hovered, self.pinned = hovered, pinned
            self.update()

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        rect = self.node_rect()
        if self.image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(rect, self.image)
        else:
            painter.fillRect(rect, QColor("white"))
            if self.curve is not None:
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                if self.zero_line is not None:
                    painter.setPen(QPen(QColor("#ccc"), 0.8))
                    y = (1.0 - self.zero_line) * NODE
                    painter.drawLine(QPointF(0, y), QPointF(NODE, y))
                painter.setPen(QPen(QColor("#333"), 1.4))
                painter.drawPath(self.curve)
        if self.pinned:
            pen = QPen(PIN_BORDER, 2.6)
        elif self.hovered:
            pen = QPen(HOVER_BORDER, 2.0)
        else:
            pen = QPen(BORDER, 1.0)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        if self.has_bias:
            painter.setPen(QPen(QColor("#666"), 0.8))
            painter.setBrush(QBrush(self.bias_color))
            painter.drawRect(self.bias_rect())


class LinksItem(QGraphicsItem):
    """The links from the shown units of one column to those of the next."""

    def __init__(self, starts: np.ndarray, ends: np.ndarray):
        """``starts`` ``(n_from, 2)`` and ``ends`` ``(n_to, 2)``: where links leave and arrive."""
        super().__init__()
        self.n_from, self.n_to = len(starts), len(ends)
        self.curves = link_curves(starts, ends)  # (n_from * n_to, LINK_SAMPLES, 2), from-major
        self.levels: np.ndarray | None = None
        self._paths: list[tuple[QPen, QPainterPath]] = []
        if len(self.curves):
            lo, hi = self.curves.reshape(-1, 2).min(axis=0), self.curves.reshape(-1, 2).max(axis=0)
            self._bounds = QRectF(lo[0] - 6, lo[1] - 6, hi[0] - lo[0] + 12, hi[1] - lo[1] + 12)
        else:
            self._bounds = QRectF()
        self.setZValue(-1)
        # painted again only when a link changes its width or colour (a few times a second
        # early in training, seldom later): otherwise a frame blits the pixmap
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def set_levels(self, levels: np.ndarray) -> None:
        """``(n_from, n_to)`` ±level by sign and size (``feed.link_levels``)."""
        flat = np.asarray(levels, dtype=np.int8).reshape(-1)
        if self.levels is not None and np.array_equal(flat, self.levels):
            return
        self.levels = flat
        self._paths = []
        top = int(np.abs(flat).max()) if flat.size else 0
        for level in range(-top, top + 1):
            members = np.flatnonzero(flat == level)
            if level == 0 or not len(members):
                continue
            self._paths.append((link_pen(level), _polylines_path(self.curves[members])))
        self.update()

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for pen, path in self._paths:
            painter.setPen(pen)
            painter.drawPath(path)

    def nearest(self, point: QPointF, within: float) -> tuple[int, int] | None:
        """The (from, to) link nearest ``point`` (scene coordinates) within ``within`` px."""
        if not len(self.curves) or not self._bounds.contains(point):
            return None
        p = np.array([point.x(), point.y()])
        a, b = self.curves[:, :-1], self.curves[:, 1:]
        d = b - a
        t = np.clip(np.einsum("lsk,lsk->ls", p - a, d) / np.maximum(np.einsum("lsk,lsk->ls", d, d), 1e-9), 0, 1)
        distance = np.linalg.norm(a + t[..., None] * d - p, axis=2).min(axis=1)
        best = int(np.argmin(distance))
        return divmod(best, self.n_to) if distance[best] <= within else None

    def curve(self, i: int, j: int) -> np.ndarray:
        return self.curves[i * self.n_to + j]


def link_pen(level: int) -> QPen:
    """A link's pen for ±level: its sign's colour, wider and stronger with its size."""
    size = abs(level) / LINK_LEVELS
    pen = QPen(sign_color(level, 0.35 + 0.65 * size), 0.6 + 4.4 * size)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


def link_curves(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """An S-shaped cubic from each start to each end (flat where it leaves and arrives):
    ``(len(starts) * len(ends), LINK_SAMPLES, 2)``, from-major."""
    if not len(starts) or not len(ends):
        return np.zeros((0, LINK_SAMPLES, 2))
    p0 = np.repeat(starts, len(ends), axis=0)
    p3 = np.tile(ends, (len(starts), 1))
    middle = (p0[:, 0] + p3[:, 0]) / 2
    p1 = np.column_stack([middle, p0[:, 1]])
    p2 = np.column_stack([middle, p3[:, 1]])
    t = np.linspace(0.0, 1.0, LINK_SAMPLES)[None, :, None]
    u = 1 - t
    return (u ** 3 * p0[:, None] + 3 * u * u * t * p1[:, None] + 3 * u * t * t * p2[:, None]
            + t ** 3 * p3[:, None])


def _polylines_path(curves: np.ndarray) -> QPainterPath:
    n, m = curves.shape[:2]
    connect = np.ones(n * m, dtype=np.int32)
    connect[m - 1::m] = 0
    return pg.arrayToQPath(curves[..., 0].reshape(-1), curves[..., 1].reshape(-1), connect=connect,
                           finiteCheck=False)


class BandItem(QGraphicsItem):
    """A batch-norm or dropout layer between two columns: a thin band, its name along it."""

    WIDTH = 13.0

    def __init__(self, label: str, height: float):
        super().__init__()
        self.label, self.height = label, height
        self.font = QFont()
        self.font.setPointSizeF(7.5)
        self.setZValue(1)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:
        return QRectF(-self.WIDTH / 2 - 1, -1, self.WIDTH + 2, self.height + 2)

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(QColor(120, 120, 140, 180), 0.8))
        painter.setBrush(QBrush(QColor(215, 215, 232, 200)))
        painter.drawRoundedRect(QRectF(-self.WIDTH / 2, 0, self.WIDTH, self.height), 3, 3)
        painter.save()
        painter.translate(0, self.height / 2)
        painter.rotate(-90)
        painter.setFont(self.font)
        painter.setPen(QColor("#334"))
        painter.drawText(QRectF(-self.height / 2, -self.WIDTH / 2, self.height, self.WIDTH),
                         Qt.AlignmentFlag.AlignCenter, self.label)
        painter.restore()


class MoreItem(QGraphicsItem):
    """A collapsed column's "+48 more" (or an expanded one's "show fewer")."""

    def __init__(self, column: int, text: str):
        super().__init__()
        self.column, self.text = column, text
        self.font = QFont()
        self.font.setPointSizeF(8.5)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:
        return QRectF(-14, 0, NODE + 28, 18)

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(QColor("#999"), 0.8))
        painter.setBrush(QBrush(QColor("#f2f2f2")))
        painter.drawRoundedRect(self.boundingRect().adjusted(0.5, 0.5, -0.5, -0.5), 8, 8)
        painter.setFont(self.font)
        painter.setPen(QColor("#333"))
        painter.drawText(self.boundingRect(), Qt.AlignmentFlag.AlignCenter, self.text)


class HoverCard(QGraphicsItem):
    """The live tooltip: a few lines of text on a card, above everything."""

    def __init__(self):
        super().__init__()
        self.text = ""
        self.font = QFont()
        self.font.setPointSizeF(8.5)
        self._rect = QRectF()
        self.setZValue(100)
        self.hide()

    def set_text(self, text: str) -> None:
        if text == self.text:
            return
        self.prepareGeometryChange()
        self.text = text
        metrics = QFontMetricsF(self.font)
        lines = text.split("\n")
        width = max(metrics.horizontalAdvance(line) for line in lines)
        self._rect = QRectF(0, 0, width + 12, metrics.lineSpacing() * len(lines) + 8)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(QColor("#777"), 0.8))
        painter.setBrush(QBrush(QColor(255, 255, 240, 240)))
        painter.drawRoundedRect(self._rect, 4, 4)
        painter.setFont(self.font)
        painter.setPen(QColor("#111"))
        painter.drawText(self._rect.adjusted(6, 4, -6, -4), Qt.AlignmentFlag.AlignLeft, self.text)


class HighlightItem(QGraphicsItem):
    """The link under the mouse, drawn over the others."""

    def __init__(self):
        super().__init__()
        self.path = QPainterPath()
        self.pen = QPen(QColor("#111"), 2)
        self.setZValue(2)
        self.hide()

    def set_curve(self, curve: np.ndarray | None, level: int) -> None:
        self.prepareGeometryChange()
        if curve is None:
            self.hide()
            return
        self.path = pg.arrayToQPath(curve[:, 0], curve[:, 1])
        width = link_pen(level or 1).widthF()
        self.pen = QPen(QColor(20, 20, 20, 200), width + 2.5)
        self.show()
        self.update()

    def boundingRect(self) -> QRectF:
        return self.path.boundingRect().adjusted(-6, -6, 6, 6)

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(self.pen)
        painter.drawPath(self.path)
