"""The network drawn with back-propagation's numbers on it.

Columns of units — the features, then each dense layer — with dropout and batch norm
as thin bands after the layer they work on, and the loss at the right. A small network
shows every number: on each unit a (x for the inputs), beneath it z, ∂J/∂a and δ,
above it b and ∂J/∂b; on each link w and ∂J/∂w; after the update, the new w and b
beside the old. A larger one shows the units and faint links, and the numbers of the
unit the user follows: its incoming links, its z, a, δ, its outgoing links. A number
appears once the step that computes it has been reached (a small network shows its
slot with "?" before); the ones the current step just filled in are red.

Clicking a unit follows it (``unitClicked``); clicking a link follows both its ends
(``linkClicked``). Hovering shows a unit's or a link's numbers with every digit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from nnplay.core.backprop.notation import INPUTS, Column, number
from nnplay.core.backprop.step import Focus

POSITIVE, NEGATIVE = QColor("#0072B2"), QColor("#E69F00")
NEW, OLD, PENDING, HEADER = QColor("#C0392B"), QColor("#222222"), QColor("#B0B0B0"), QColor("#444444")
FOCUS_FILL, UNIT_FILL, BAND_FILL = QColor("#FFF1C2"), QColor("#FFFFFF"), QColor("#EEEEEE")
LABEL_BACKGROUND = QColor(255, 255, 255, 225)

MARGIN = 40.0  #: left and right of the drawing
TOP, BOTTOM = 80.0, 100.0  #: above the top units (headers, b) and below the bottom ones (z, δ, the legend)
LOSS_SPACE = 160.0  #: right of the output column, for the loss
#: a small network's columns and rows are spread over the space there is, within these
SMALL_GAPS = ((160.0, 330.0), (120.0, 200.0))
#: a large one's never closer than these (it scrolls beyond)
LARGE_GAPS = ((150.0, 300.0), (24.0, 48.0))
#: links drawn faintly at most, on a large network (beyond: only the followed unit's)
MAX_FAINT_LINKS = 4000
#: a followed unit's links whose numbers are written out at most (beyond: the chosen link's)
MAX_LABELLED_LINKS = 12
#: where along a link its label may sit, tried in this order, and how far up or down
LABEL_POSITIONS = tuple(0.5 + sign * step / 40 for step in range(0, 14) for sign in ((1,) if step == 0 else (-1, 1)))
LABEL_NUDGES = (0.0, -9.0, 9.0)
LEGEND = ("inside a unit: its activation a (x for an input) · above: b, ∂J/∂b · below: z, ∂J/∂a, δ",
          "on a link: w, ∂J/∂w · blue w > 0, orange w < 0, thicker = larger · red: just computed · "
          "→ the value after the update")
LEGEND_LARGE = ("click a unit to follow its path: its links' w and ∂J/∂w, its z, a, ∂J/∂a, δ · hover for every digit",
                "blue w > 0, orange w < 0, thicker = larger · red: just computed · → the value after the update")

Line = tuple[str, QColor]
#: which way the numbers flow in each phase of the steps
PHASE_ARROWS = {"forward": "forward pass →  from the input x to the output aᴸ",
                "loss": "the loss J: how far the output aᴸ is from the target y",
                "backward": "←  backward pass: from the loss back down to layer 1",
                "update": "the update: each weight takes a step against its gradient"}


@dataclass
class Box:
    lines: list[Line]
    rect: QRectF


class NetworkDiagram(QWidget):
    unitClicked = Signal(int, int)  #: column (a dense layer's index, or INPUTS), unit
    linkClicked = Signal(int, int, int)  #: dense layer index, input unit, unit

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("backpropDiagram")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.trace = None
        self.values: dict = {}
        self.columns: list[Column] = []
        self.layers: list = []
        self.features: list[str] = []
        self.small = True
        self.revealed: set[str] = set()
        self.current: set[str] = set()
        self.phase = ""
        self.focus = Focus()
        self._centres: dict[tuple[int, int], QPointF] = {}
        self._links: list[tuple[int, int, int, QPointF, QPointF]] = []
        self._radius = 22.0
        self._font = QFont(self.font())
        self._font.setPointSizeF(max(7.5, self._font.pointSizeF() - 1.0))
        self._metrics = QFontMetricsF(self._font)

    # ---- what to draw
    def set_trace(self, trace, columns: list[Column], features: list[str], small: bool) -> None:
        self.trace = trace
        self.values = trace.values
        self.layers = trace.network.layers
        self.columns = columns
        self.features = features
        self.small = small
        self._radius = 24.0 if small else 8.0
        self._font = QFont(self.font())  # a small network has room for the dialog's own size
        if not small:
            self._font.setPointSizeF(max(7.5, self._font.pointSizeF() - 1.0))
        self._metrics = QFontMetricsF(self._font)
        self.setMinimumSize(self._least_size())
        self._layout()
        self.update()

    def set_view(self, revealed: set[str], current: set[str], focus: Focus, phase: str = "") -> None:
        self.revealed, self.current, self.focus, self.phase = revealed, current, focus, phase
        self.update()

    def _least_size(self) -> QSize:
        (column_gap, _), (row_gap, _) = SMALL_GAPS if self.small else LARGE_GAPS
        rows = max((c.width for c in self.columns), default=1)
        return QSize(int(2 * MARGIN + LOSS_SPACE + column_gap * max(len(self.columns) - 1, 1)),
                     int(TOP + BOTTOM + row_gap * max(rows - 1, 1)))

    def sizeHint(self) -> QSize:
        return self._least_size()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._layout()

    # ---- geometry
    def _layout(self) -> None:
        self._centres, self._links = {}, []
        if not self.columns:
            return
        (least_column, most_column), (least_row, most_row) = SMALL_GAPS if self.small else LARGE_GAPS
        across = self.width() - 2 * MARGIN - LOSS_SPACE
        column_gap = min(most_column, max(least_column, across / max(len(self.columns) - 1, 1)))
        left = MARGIN + max(0.0, (across - column_gap * (len(self.columns) - 1)) / 2)
        usable = self.height() - TOP - BOTTOM
        widest = max(c.width for c in self.columns)
        row_gap = min(most_row, max(least_row, usable / max(widest - 1, 1)))
        for c, column in enumerate(self.columns):
            height = row_gap * (column.width - 1)
            top = TOP + max(0.0, (usable - height) / 2)
            for j in range(column.width):
                self._centres[(column.layer, j)] = QPointF(left + c * column_gap, top + j * row_gap)
        for c in range(1, len(self.columns)):
            below, column = self.columns[c - 1], self.columns[c]
            for j in range(column.width):
                end = self._centres[(column.layer, j)] - QPointF(self._radius, 0)
                for k in range(below.width):
                    self._links.append((column.layer, k, j, self._link_start(below, k), end))

    def _band_x(self, column: Column, position: int) -> float:
        """The x of the ``position``-th module band after ``column``."""
        return self._centres[(column.layer, 0)].x() + self._radius + 22 + 30 * position

    def _link_start(self, column: Column, k: int) -> QPointF:
        centre = self._centres[(column.layer, k)]
        if column.modules:
            return QPointF(self._band_x(column, len(column.modules) - 1) + 5, centre.y())
        return QPointF(centre.x() + self._radius, centre.y())

    def _column(self, layer: int) -> Column:
        return next(c for c in self.columns if c.layer == layer)

    def _below(self, layer: int) -> Column:
        return self.columns[self.columns.index(self._column(layer)) - 1]

    def _chosen(self, layer: int) -> int:
        """The chosen unit of ``layer``'s column."""
        return self.focus.unit(layer, self._column(layer).width)

    @property
    def followed(self) -> tuple[int, int]:
        """(column, unit) of the unit whose path the diagram follows."""
        layers = [c.layer for c in self.columns]
        column = self.focus.column if self.focus.column in layers else layers[min(1, len(layers) - 1)]
        return column, self._chosen(column)

    def _on_path(self, layer: int, k: int, j: int) -> bool:
        """Whether the link from input k to unit j of ``layer`` goes into or out of the followed unit."""
        column, unit = self.followed
        return (layer == column and j == unit) or (self._below(layer).layer == column and k == unit)

    def _is_chosen_link(self, layer: int, k: int, j: int) -> bool:
        return j == self._chosen(layer) and k == self._chosen(self._below(layer).layer)

    # ---- painting
    def paintEvent(self, event) -> None:
        if not self.columns:
            return
        painter = QPainter(self)
        try:  # a painter left open when drawing fails would take the process down with it
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.fillRect(self.rect(), QColor("white"))
            painter.setFont(self._font)
            labelled = self._paint_links(painter)
            boxes: list[Box] = []
            for column in self.columns:
                self._paint_modules(painter, column)
                for j in range(column.width):
                    boxes += self._paint_unit(painter, column, j)
            boxes.append(self._loss_box(painter))
            for layer, k, j, start, end in labelled:
                boxes.append(self._place_link_label(layer, k, j, start, end, boxes))
            for box in boxes:
                self._paint_box(painter, box)
            self._paint_headers(painter)
            self._paint_legend(painter)
        finally:
            painter.end()

    def _paint_links(self, painter: QPainter) -> list:
        """Draw the links; return those whose numbers are written out."""
        biggest = max((float(np.nanmax(np.abs(self.values[f"layer{c.layer}.W"]), initial=0.0))
                       for c in self.columns if c.layer != INPUTS), default=1.0)
        biggest = biggest if np.isfinite(biggest) and biggest > 0 else 1.0
        faint = self.small or len(self._links) <= MAX_FAINT_LINKS
        labelled = []
        for layer, k, j, start, end in self._links:
            path = self._on_path(layer, k, j)
            if not (faint or path):
                continue
            w = float(self.values[f"layer{layer}.W"][k, j])
            color = QColor(POSITIVE if w >= 0 else NEGATIVE)
            if not (self.small or path):
                color.setAlpha(40)
            size = min(abs(w) / biggest, 1.0) if np.isfinite(w) else 1.0
            if self._is_chosen_link(layer, k, j) and (path or self.small):
                painter.setPen(QPen(QColor("#F5D76E"), 7.0 + 3.3 * size))  # the worked lines' link, underlined
                painter.drawLine(start, end)
            painter.setPen(QPen(color, 0.7 + 3.3 * size))
            painter.drawLine(start, end)
            if self.small or (path and self._labels_link(layer, k, j)):
                labelled.append((layer, k, j, start, end))
        return labelled

    def _labels_link(self, layer: int, k: int, j: int) -> bool:
        """On a large network: the followed unit's links when few, else its chosen link."""
        column, _ = self.followed
        others = self._below(layer).width if layer == column else self._column(layer).width
        return others <= MAX_LABELLED_LINKS or self._is_chosen_link(layer, k, j)

    def _place_link_label(self, layer, k, j, start: QPointF, end: QPointF, taken: list[Box]) -> Box:
        lines = [line for line in (self._changed(f"layer{layer}.W", (k, j), "w"),
                                   self._text(f"layer{layer}.dW", (k, j), "∂J/∂w")) if line is not None]
        size = self._box_size(lines)
        best, best_overlap = None, None
        units = [self._unit_rect(centre) for centre in self._centres.values()]
        for nudge in LABEL_NUDGES:
            for t in LABEL_POSITIONS:
                at = start + (end - start) * t
                rect = QRectF(at.x() - size.width() / 2, at.y() + nudge - size.height() / 2, size.width(),
                              size.height())
                overlap = (sum(_area(rect.intersected(box.rect)) for box in taken)
                           + sum(_area(rect.intersected(unit)) for unit in units))
                if best is None or overlap < best_overlap:
                    best, best_overlap = rect, overlap
                if overlap == 0:
                    return Box(lines, best)
        return Box(lines, best)

    def _unit_rect(self, centre: QPointF) -> QRectF:
        r = self._radius
        return QRectF(centre.x() - r, centre.y() - r, 2 * r, 2 * r)

    def _paint_modules(self, painter: QPainter, column: Column) -> None:
        if not column.modules:
            return
        ys = [self._centres[(column.layer, j)].y() for j in range(column.width)]
        for position, m in enumerate(column.modules):
            x = self._band_x(column, position)
            rect = QRectF(x - 5, min(ys) - 14, 10, max(ys) - min(ys) + 28)
            painter.setPen(QPen(QColor("#888888"), 1))
            painter.setBrush(BAND_FILL)
            painter.drawRoundedRect(rect, 4, 4)
            layer = self.layers[m]
            name = {"dropout": f"dropout p = {getattr(layer, 'rate', 0):g}", "batchnorm": "batch norm"}.get(
                layer.type, layer.type)
            painter.save()  # the band's name runs down beside it
            painter.translate(x + 14, rect.top())
            painter.rotate(90)
            painter.setPen(HEADER)
            painter.drawText(QRectF(0, 0, rect.height(), 14), Qt.AlignmentFlag.AlignCenter, name)
            painter.restore()
            key = f"layer{m}.scale"
            scale = self.values.get(key)
            if scale is None or key not in self.revealed:
                continue
            n = self._example(scale)
            painter.setPen(QPen(NEW if key in self.current else OLD, 2))
            for j, y in enumerate(ys):
                if scale[n, j] == 0:  # dropped
                    painter.drawLine(QPointF(x - 5, y - 5), QPointF(x + 5, y + 5))
                    painter.drawLine(QPointF(x - 5, y + 5), QPointF(x + 5, y - 5))

    def _example(self, array) -> int:
        return min(max(self.focus.example, 0), len(array) - 1)

    def _paint_unit(self, painter: QPainter, column: Column, j: int) -> list[Box]:
        """Draw unit j of ``column``; return the boxes of numbers that go beside it."""
        centre = self._centres[(column.layer, j)]
        r = self._radius
        followed = (column.layer, j) == self.followed
        chosen = j == self._chosen(column.layer)
        painter.setPen(QPen(QColor("#333333"), 2.4 if followed else 1.2))
        painter.setBrush(FOCUS_FILL if chosen else UNIT_FILL)
        painter.drawEllipse(centre, r, r)
        inputs = column.layer == INPUTS
        if not (self.small or followed or inputs):
            return []
        inside, above, below = self._unit_lines(column, j)
        if self.small and inside is not None:
            painter.setPen(inside[1])
            painter.drawText(self._unit_rect(centre), Qt.AlignmentFlag.AlignCenter, inside[0])
        elif inside is not None:
            below = [(f"{'x' if inputs else 'a'} = {inside[0]}", inside[1])] + below
        boxes = []
        if above:
            size = self._box_size(above)
            boxes.append(Box(above, QRectF(centre.x() - size.width() / 2, centre.y() - r - 3 - size.height(),
                                           size.width(), size.height())))
        if below:
            size = self._box_size(below)
            boxes.append(Box(below, QRectF(centre.x() - size.width() / 2, centre.y() + r + 3, size.width(),
                                           size.height())))
        return boxes

    def _unit_lines(self, column: Column, j: int) -> tuple[Line | None, list[Line], list[Line]]:
        """What goes inside unit j, above it and below it."""
        n = self.focus.example
        if column.layer == INPUTS:
            name = self.features[j] if j < len(self.features) else f"x{j + 1}"
            return self._text("layer0.in", (n, j), None), [(name, HEADER)], []
        i = column.layer
        above = [self._changed(f"layer{i}.b", (j,), "b"), self._text(f"layer{i}.db", (j,), "∂J/∂b")]
        below = [self._text(f"layer{i}.z", (n, j), "z"), self._text(f"layer{i}.dout", (n, j), "∂J/∂a"),
                 self._text(f"layer{i}.delta", (n, j), "δ")]
        return (self._text(f"layer{i}.a", (n, j), None), [line for line in above if line is not None],
                [line for line in below if line is not None])

    def _text(self, key: str, index: tuple, name: str | None) -> Line | None:
        """``name = value`` in its colour: red if the current step filled it in; "?" before
        (on a small network); None when the trace has no such number."""
        value = self.values.get(key)
        if value is None:
            return None
        if key not in self.revealed:
            return (f"{name} = ?" if name else "?", PENDING) if self.small else None
        value = np.asarray(value)
        if _per_example(key):
            index = (self._example(value),) + tuple(index[1:])
        text = number(value[index], self.focus.precise)
        return (f"{name} = {text}" if name else text), (NEW if key in self.current else OLD)

    def _changed(self, key: str, index: tuple, name: str) -> Line | None:
        """``w = old`` and, once the update is reached, ``→ new``."""
        old = self._text(key, index, name)
        new_key = key + ".new"
        if old is None or new_key not in self.revealed:
            return old
        new = number(np.asarray(self.values[new_key])[index], self.focus.precise)
        return f"{old[0]} → {new}", (NEW if new_key in self.current else OLD)

    def _box_size(self, lines: list[Line]) -> QSize:
        width = max((self._metrics.horizontalAdvance(text) for text, _ in lines), default=0.0) + 8
        return QSize(int(width), int(self._metrics.height() * len(lines) + 2))

    def _paint_box(self, painter: QPainter, box: Box) -> None:
        if not box.lines:
            return
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(LABEL_BACKGROUND)
        painter.drawRoundedRect(box.rect, 3, 3)
        height = self._metrics.height()
        for row, (text, color) in enumerate(box.lines):
            painter.setPen(color)
            painter.drawText(QRectF(box.rect.left(), box.rect.top() + 1 + row * height, box.rect.width(), height),
                             Qt.AlignmentFlag.AlignCenter, text)

    def _loss_box(self, painter: QPainter) -> Box:
        last = self.columns[-1]
        ys = [self._centres[(last.layer, j)].y() for j in range(last.width)]
        x = self._centres[(last.layer, 0)].x() + self._radius + 40 + 30 * len(last.modules)
        y = sum(ys) / len(ys)
        n = self.focus.example
        lines = [self._text("loss.y", (n, k), "y" if last.width == 1 else f"y{k + 1}")
                 for k in range(min(last.width, 3))]
        lines += [self._text("loss.per_example", (n,), "L"), self._text("loss.J", (), "J")]
        lines = [line for line in lines if line is not None] or [("loss J", PENDING)]
        painter.setPen(QPen(QColor("#999999"), 1, Qt.PenStyle.DashLine))
        start = self._link_start(last, 0).x() if last.modules else x - 40 + self._radius
        for yy in ys:
            painter.drawLine(QPointF(start, yy), QPointF(x, y))
        size = self._box_size(lines)
        return Box(lines, QRectF(x, y - size.height() / 2, size.width(), size.height()))

    def _paint_headers(self, painter: QPainter) -> None:
        direction = PHASE_ARROWS.get(self.phase)
        if direction:
            bold = QFont(self._font)
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(NEW)
            painter.drawText(QRectF(0, 28, self.width(), 18), Qt.AlignmentFlag.AlignCenter, direction)
            painter.setFont(self._font)
        painter.setPen(HEADER)
        for column in self.columns:
            centre = self._centres[(column.layer, 0)]
            if column.layer == INPUTS:
                title = "inputs x = a⁰"
            else:
                layer = self.layers[column.layer]
                title = f"layer {column.number}: {layer.n_outputs} {layer.activation_name}"
            painter.drawText(QRectF(centre.x() - 90, 8, 180, 18), Qt.AlignmentFlag.AlignCenter, title)

    def _paint_legend(self, painter: QPainter) -> None:
        painter.setPen(QColor("#666666"))
        height = self._metrics.height()
        for row, text in enumerate(LEGEND if self.small else LEGEND_LARGE):
            painter.drawText(QRectF(8, self.height() - 8 - height * (2 - row), self.width() - 16, height),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    # ---- the mouse
    def hit(self, pos: QPointF):
        """("unit", column, j), ("link", layer, k, j), or None: what is under ``pos``."""
        for (column, j), centre in self._centres.items():
            if float(np.hypot(*(centre - pos).toTuple())) <= self._radius + 4:
                return ("unit", column, j)
        best, found = 5.0, None
        faint = self.small or len(self._links) <= MAX_FAINT_LINKS
        for layer, k, j, start, end in self._links:
            if faint or self._on_path(layer, k, j):
                d = _distance_to_segment(pos, start, end)
                if d < best:
                    best, found = d, ("link", layer, k, j)
        return found

    def unit_centre(self, column: int, j: int) -> QPointF:
        """Where unit j of ``column`` is drawn (tests click it)."""
        return self._centres[(column, j)]

    def mousePressEvent(self, event) -> None:
        found = self.hit(event.position())
        if found is None:
            return super().mousePressEvent(event)
        if found[0] == "unit":
            self.unitClicked.emit(found[1], found[2])
        else:
            self.linkClicked.emit(*found[1:])
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        cursor = Qt.CursorShape.PointingHandCursor if self.hit(event.position()) else Qt.CursorShape.ArrowCursor
        self.setCursor(cursor)

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip:
            found = self.hit(QPointF(event.pos()))
            if found:
                QToolTip.showText(event.globalPos(), self.tooltip_for(found), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def tooltip_for(self, found) -> str:
        """Every revealed number of a unit or a link, with every digit (plain text)."""
        n = self.focus.example
        if found[0] == "link":
            _, layer, k, j = found
            title = f"link from input {k + 1} to unit {j + 1} of layer {self._column(layer).number}"
            keys = [(f"layer{layer}.{name}", (k, j), label) for name, label in
                    (("W", "w"), ("dW", "∂J/∂w"), ("W.new", "new w"))]
        elif found[1] == INPUTS:
            j = found[2]
            title = self.features[j] if j < len(self.features) else f"input {j + 1}"
            keys = [("layer0.in", (n, j), "x")]
        else:
            _, layer, j = found
            title = f"layer {self._column(layer).number}, unit {j + 1}"
            keys = [(f"layer{layer}.{name}", index, label) for name, index, label in (
                ("z", (n, j), "z"), ("a", (n, j), "a"), ("dout", (n, j), "∂J/∂a"), ("delta", (n, j), "δ"),
                ("b", (j,), "b"), ("db", (j,), "∂J/∂b"), ("b.new", (j,), "new b"))]
        lines = [title]
        for key, index, label in keys:
            value = self.values.get(key)
            if value is not None and key in self.revealed:
                if _per_example(key):
                    index = (self._example(value),) + tuple(index[1:])
                lines.append(f"{label} = {number(np.asarray(value)[index], precise=True)}")
        if found[0] == "link" and f"layer{found[1]}.dW" in self.revealed:
            _, layer, k, j = found
            check = self.trace.finite_difference(f"layer{layer}.W", k * self._column(layer).width + j)
            lines.append(f"finite difference = {number(check.numeric, precise=True)} (relative error "
                         f"{check.relative_error:.1e}, {'agrees' if check.agrees else 'differs'})")
        return "\n".join(lines)


#: the trace's arrays with a row per example of the batch
_PER_EXAMPLE = {"in", "out", "z", "a", "dout", "delta", "din", "scale", "xhat", "y", "per_example"}


def _per_example(key: str) -> bool:
    return key.rsplit(".", 1)[-1] in _PER_EXAMPLE


def _area(rect: QRectF) -> float:
    return max(rect.width(), 0.0) * max(rect.height(), 0.0) if rect.isValid() else 0.0


def _distance_to_segment(p: QPointF, a: QPointF, b: QPointF) -> float:
    ab = b - a
    length = QPointF.dotProduct(ab, ab)
    t = 0.0 if length == 0 else max(0.0, min(1.0, QPointF.dotProduct(p - a, ab) / length))
    return float(np.hypot(*(p - (a + ab * t)).toTuple()))
