"""The network diagram (TensorFlow Playground's best-loved view, issue 9): columns of
nodes, the input features, every hidden unit and the outputs, each a small live map of
what the unit computes over the input plane; links coloured by the weight's sign and
as wide as its size; biases on their nodes; batch-norm and dropout layers as bands.

- Hover a link or a bias: a card with its value, live. Click it: type a new value (an
  undoable edit, ``Document.set_parameter``; training resumes from it).
- Hover a node: the boundary plot shows that unit's map (``focusChanged``) until the
  mouse leaves; a click pins it there (and another click unpins it).
- A column wider than the view shows what fits and "+48 more", which expands it (the
  view then scrolls); deep nets scroll sideways.

Items are made once per layout (a new network, a resize that changes what fits, a
column expanded) and updated in place from the pictures ``DiagramFeed`` prepares.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter
from PySide6.QtWidgets import (QGraphicsItem, QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView, QLineEdit, QVBoxLayout,
                               QWidget)

from nnplay.core.diagram import INPUT, Diagram, diagram_of, shown_units
from nnplay.core.errors import ConfigError
from nnplay.core.unit_maps import number
from nnplay.core.weight_edits import BIAS, WEIGHT, parameter_name, parse_value
from nnplay.gui.diagram.feed import DiagramFeed, DiagramPicture, FocusFeed, Luts, Plan, focus_for, picture_for
from nnplay.gui.diagram.items import (NODE, BandItem, HighlightItem, HoverCard, LinksItem,
                                      MoreItem, NodeItem)
from nnplay.gui.diagram.legend import LinkLegend
from nnplay.gui.plots.colors import CLASS_COLORS, diverging_lut, sequential_lut

TOP = 38.0  #: room for the column titles
LEFT = 50.0  #: room for the input labels
RIGHT = 16.0
BOTTOM = 8.0
ROW = NODE + 10.0  #: from one node to the next in a column
MORE_HEIGHT = 18.0
MIN_ROWS = 3
#: the horizontal distance between columns: at least room for the links, at most this
MIN_PITCH, MAX_PITCH = 100.0, 230.0
#: how near a link the mouse must be to pick it, px
LINK_REACH = 4.0


@dataclass(frozen=True)
class Target:
    """What is under the mouse: a ``node``, a ``bias``, a ``link`` (into ``column``,
    from unit ``source`` to ``unit``), a ``band`` or a column's ``more`` item."""

    kind: str
    column: int
    unit: int = 0
    source: int = 0
    band: int = 0


class DiagramView(QGraphicsView):
    """The scene's view. Its paint runs under one hold of the interpreter lock (see
    ``boundary.PlotView``) and reports its cost to the window's frame budget."""

    resized = Signal()

    def __init__(self, scene: QGraphicsScene, parent: QWidget | None = None):
        super().__init__(scene, parent)
        self.paint_cost: Callable[[float], None] | None = None
        self.setObjectName("networkDiagramView")
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.setBackgroundBrush(QColor("white"))

    def paintEvent(self, event):
        started = time.thread_time()
        super().paintEvent(event)
        if self.paint_cost is not None:
            self.paint_cost(time.thread_time() - started)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.resized.emit()


class NetworkDiagram(QWidget):
    #: the unit the boundary plot should show large (a ``feed.Focus``), or None for the output
    focusChanged = Signal(object)

    def __init__(self, document, palette_source, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("networkDiagram")
        self.document = document
        self.feed = DiagramFeed(self, palette_source)
        #: the hovered or pinned unit at the boundary's cadence (the window feeds it with the plot)
        self.focus_feed = FocusFeed(self.feed, self._show_focus)
        #: asked for a frame of the idle network when the diagram has nothing to show
        self.request_frame: Callable[[], None] = lambda: None
        self.diagram: Diagram | None = None
        self.luts = Luts(diverging_lut(), sequential_lut(), tuple(sequential_lut(c) for c in CLASS_COLORS))
        self.expanded: set[int] = set()
        self.pinned: tuple[int, int] | None = None
        self.hovered: Target | None = None
        self.picture: DiagramPicture | None = None
        self.nodes: list[list[NodeItem]] = []
        self.links: list[LinksItem | None] = []
        self.more: dict[int, MoreItem] = {}
        self.bands: list[tuple[BandItem, object]] = []
        self._fits: tuple = ()
        self._mouse = None  # where the mouse is over the view (viewport coordinates), if it is
        #: how many times pictures were shown (tests read it)
        self.draws = 0

        self.scene = QGraphicsScene(self)
        self.scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.view = DiagramView(self.scene, self)
        self.view.viewport().installEventFilter(self)
        self.view.resized.connect(self._maybe_relayout)
        self.card = HoverCard()
        self.highlight = HighlightItem()
        self.legend = LinkLegend(self)
        self.editor = ValueEditor(self.view.viewport())
        self.editor.committed.connect(self._commit_edit)
        self._relayout_timer = QTimer(self, singleShot=True, interval=60)
        self._relayout_timer.timeout.connect(self._relayout_if_needed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.legend)
        layout.addWidget(self.view, 1)

    # ---- a new network
    def set_experiment(self, experiment) -> None:
        self.editor.cancel()
        network = experiment.network
        self.diagram = diagram_of(list(experiment.config.features), network.layers)
        self.one_input = experiment.dataset.dims == 1 if len(experiment.dataset) else False
        self.expanded.clear()
        self.pinned = self.hovered = None
        self.picture = None
        self.feed.latest = None
        self._relayout()
        self.focusChanged.emit(None)

    def clear_focus(self) -> None:
        """Nothing hovered or pinned: the boundary plot shows the output again."""
        self.hovered = self.pinned = None
        self.card.hide()
        self.highlight.set_curve(None, 0)
        self._set_node_states()
        self._focus_changed()

    def _rows_fit(self) -> int:
        """How many nodes fit in a column (the last row's gap is not needed)."""
        height = self.view.viewport().height() - TOP - BOTTOM + (ROW - NODE)
        return max(MIN_ROWS, int(height // ROW))

    def _pitch(self) -> float:
        columns = len(self.diagram.columns) if self.diagram else 1
        if columns < 2:
            return MIN_PITCH
        room = self.view.viewport().width() - LEFT - RIGHT - NODE
        return float(np.clip(room / (columns - 1), MIN_PITCH, MAX_PITCH))

    @property
    def settled(self) -> bool:
        """Laid out for the view's present size, its picture made for that layout."""
        return (self.diagram is not None and not self._relayout_timer.isActive()
                and (self._rows_fit(), self._pitch()) == self._fits[:2]
                and self.picture is not None and self.picture.plan.shown == self.feed.plan.shown)

    def _maybe_relayout(self) -> None:
        self._relayout_timer.start()

    def _relayout_if_needed(self) -> None:
        if self.diagram is not None and (self._rows_fit(), self._pitch()) != self._fits[:2]:
            self._relayout()

    def _relayout(self) -> None:
        """Make the items for what fits now, and freeze the plan the feed prepares from."""
        for item in self.scene.items():
            self.scene.removeItem(item)
        self.nodes, self.links, self.more, self.bands = [], [], {}, []
        self.hovered = None
        if self.diagram is None:
            return
        rows, pitch = self._rows_fit(), self._pitch()
        shown, left_out = zip(*(shown_units(column.units, rows, c in self.expanded)
                                for c, column in enumerate(self.diagram.columns)))
        self._fits = (rows, pitch, tuple(self.expanded))
        tallest = max(len(s) + (1 if (left or c in self.expanded and self.diagram.columns[c].units > rows) else 0)
                      for c, (s, left) in enumerate(zip(shown, left_out)))
        height = tallest * ROW - (ROW - NODE)
        for c, column in enumerate(self.diagram.columns):
            self._make_column(c, shown[c], left_out[c], rows, pitch, height)
        for c in range(1, len(self.diagram.columns)):
            starts = np.array([[self._x(c - 1, pitch) + NODE, n.y() + NODE / 2] for n in self.nodes[c - 1]])
            ends = np.array([[self._x(c, pitch), n.y() + NODE / 2] for n in self.nodes[c]])
            links = LinksItem(starts.reshape(-1, 2), ends.reshape(-1, 2))
            self.scene.addItem(links)
            self.links.append(links)
        self.links.insert(0, None)
        self._make_bands(pitch, height)
        for item in (self.card, self.highlight):
            self.scene.addItem(item)
            item.hide()
        width = LEFT + (len(self.diagram.columns) - 1) * pitch + NODE + RIGHT
        self.scene.setSceneRect(QRectF(0, 0, width, TOP + height + BOTTOM))
        self.feed.plan = Plan(self.diagram, tuple(shown), self.luts, self._focus_unit())
        self._refresh()
        if self._mouse is not None:  # what is under the mouse now
            self._hover(self.view.mapToScene(self._mouse))

    @staticmethod
    def _x(column: int, pitch: float) -> float:
        return LEFT + column * pitch

    def _make_column(self, c: int, shown: tuple, left_out: int, rows: int, pitch: float, height: float) -> None:
        column = self.diagram.columns[c]
        x = self._x(c, pitch)
        extra = 1 if left_out or (c in self.expanded and column.units > rows) else 0
        top = TOP + (height - ((len(shown) + extra) * ROW - (ROW - NODE))) / 2
        nodes = []
        for k, unit in enumerate(shown):
            node = NodeItem(c, unit, has_bias=column.kind != INPUT)
            node.setPos(x, top + k * ROW)
            node.set_state(False, self.pinned == (c, unit))
            self.scene.addItem(node)
            nodes.append(node)
            if column.kind == INPUT:
                self._text(column.labels[unit], x - 8, top + k * ROW + NODE / 2, align="right", size=10)
        self.nodes.append(nodes)
        if extra:
            more = MoreItem(c, f"+{left_out} more" if left_out else "fewer")
            more.setPos(x, top + len(shown) * ROW + 2)
            self.scene.addItem(more)
            self.more[c] = more
        self._text(column.title, x + NODE / 2, 4, align="centre", bold=True)
        self._text(column.subtitle, x + NODE / 2, 19, align="centre", colour="#555")

    def _make_bands(self, pitch: float, height: float) -> None:
        for c in range(len(self.diagram.columns)):
            bands = self.diagram.bands_after(c)
            for k, band in enumerate(bands):
                item = BandItem(band.label, height)
                x = self._x(c, pitch) + NODE + (pitch - NODE) / 2 + (k - (len(bands) - 1) / 2) * 20
                item.setPos(x, TOP)
                self.scene.addItem(item)
                self.bands.append((item, band))

    def _text(self, text: str, x: float, y: float, align: str, bold: bool = False, colour: str = "#222",
              size: float = 9) -> QGraphicsSimpleTextItem:
        item = QGraphicsSimpleTextItem(text)
        font = QFont()
        font.setPointSizeF(size)
        font.setBold(bold)
        item.setFont(font)
        item.setBrush(QColor(colour))
        rect = item.boundingRect()
        dx = {"right": -rect.width(), "centre": -rect.width() / 2}.get(align, 0.0)
        dy = -rect.height() / 2 if align == "right" else 0.0
        item.setPos(x + dx, y + dy)
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # text is slow to draw
        self.scene.addItem(item)
        return item

    # ---- pictures
    def _refresh(self) -> None:
        """Show the plan now, from the last grid pass the feed saw, or ask for a frame."""
        plan, latest = self.feed.plan, self.feed.latest
        if plan is None:
            return
        if latest is None:
            self.request_frame()
            return
        self.show_picture(picture_for(plan, *latest, self.feed.palette_source.palette))

    def show_picture(self, picture: DiagramPicture) -> None:
        plan = self.feed.plan
        if plan is None or picture.plan.diagram is not plan.diagram or picture.plan.shown != plan.shown:
            return  # made for a layout that is gone; the next one comes soon
        self.picture = picture
        for c, column in enumerate(picture.columns):
            nodes = self.nodes[c]
            for k, node in enumerate(nodes):
                if column.rgba is not None:
                    node.set_image(column.rgba[k])
                elif column.curves is not None:
                    scale = column.scales[k]
                    zero = -scale.lo / (scale.hi - scale.lo) if scale.lo < 0 < scale.hi else None
                    node.set_curve(column.curves[k], zero)
                if column.biases is not None:
                    node.set_bias(float(column.biases[k]), picture.link_scale)
            if picture.link_levels[c] is not None:
                self.links[c].set_levels(picture.link_levels[c])
        self.legend.set_scale(picture.link_scale)
        if self.hovered is not None:
            self._show_card(self.hovered, self.card.pos())
        self.draws += 1

    def _show_focus(self, focus) -> None:
        """A frame's map of the focused unit, if it is still the one."""
        key = (focus.column, focus.unit)
        if key == self._focus_unit():
            self.focusChanged.emit(replace(focus, pinned=key == self.pinned))

    # ---- the mouse
    def eventFilter(self, obj, event) -> bool:
        if obj is self.view.viewport():
            kind = event.type()
            if kind == event.Type.MouseMove:
                self._mouse = event.position().toPoint()
                self._hover(self.view.mapToScene(self._mouse))
            elif kind == event.Type.Leave:
                self._mouse = None
                self._hover(None)
            elif kind == event.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
                return self._click(self.view.mapToScene(event.position().toPoint()), event.position().toPoint())
        return super().eventFilter(obj, event)

    def target_at(self, point: QPointF) -> Target | None:
        """What is under ``point`` (scene coordinates): nodes and biases first, then links."""
        for c, nodes in enumerate(self.nodes):
            for node in nodes:
                local = point - node.pos()
                if node.has_bias and node.bias_rect().adjusted(-2, -2, 2, 2).contains(local):
                    return Target("bias", c, node.unit)
                if node.node_rect().contains(local):
                    return Target("node", c, node.unit)
        for c, more in self.more.items():
            if more.boundingRect().contains(point - more.pos()):
                return Target("more", c)
        for k, (item, _band) in enumerate(self.bands):
            if item.boundingRect().adjusted(-2, 0, 2, 0).contains(point - item.pos()):
                return Target("band", 0, band=k)
        for c, links in enumerate(self.links):
            hit = links.nearest(point, LINK_REACH) if links is not None else None
            if hit is not None:
                i, j = hit
                return Target("link", c, self.nodes[c][j].unit, self.nodes[c - 1][i].unit)
        return None

    def _hover(self, point: QPointF | None) -> None:
        target = self.target_at(point) if point is not None else None
        before = self.hovered
        self.hovered = target
        if target is None:
            self.card.hide()
        else:
            self._show_card(target, point + QPointF(14, 10))
        self._highlight(target)
        clickable = target is not None and target.kind in ("node", "bias", "link", "more")
        self.view.viewport().setCursor(Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor)
        was = before is not None and before.kind == "node" and (before.column, before.unit)
        now = target is not None and target.kind == "node" and (target.column, target.unit)
        if was != now:
            self._set_node_states()
            self._focus_changed()

    def _click(self, point: QPointF, where) -> bool:
        target = self.target_at(point)
        if target is None:
            return False
        if target.kind == "node":
            key = (target.column, target.unit)
            self.pinned = None if self.pinned == key else key
            self._set_node_states()
            self._focus_changed()
        elif target.kind == "more":
            self.expanded ^= {target.column}
            self._relayout()
        elif target.kind in ("link", "bias"):
            self._edit(target, where)
        else:
            return False
        return True

    def _focus_unit(self) -> tuple[int, int] | None:
        hovered = self.hovered
        if hovered is not None and hovered.kind == "node":
            return hovered.column, hovered.unit
        return self.pinned

    def _set_node_states(self) -> None:
        hovered = self.hovered if self.hovered is not None and self.hovered.kind == "node" else None
        for nodes in self.nodes:
            for node in nodes:
                key = (node.column, node.unit)
                node.set_state(hovered is not None and key == (hovered.column, hovered.unit), key == self.pinned)

    def _focus_changed(self) -> None:
        """The unit the boundary plot shows changed: freeze it for the feed and show it now."""
        plan = self.feed.plan
        if plan is None:
            return
        focus = self._focus_unit()
        self.feed.plan = plan = replace(plan, focus=focus)
        latest = self.feed.latest
        if focus is None:
            self.focusChanged.emit(None)
        elif latest is not None:
            focus_map = focus_for(plan, *latest, self.feed.palette_source.palette)
            if focus_map is not None:
                self._show_focus(focus_map)
        else:
            self.request_frame()

    # ---- the card
    def _show_card(self, target: Target, at: QPointF) -> None:
        text = self.card_text(target)
        if not text:
            self.card.hide()
            return
        self.card.set_text(text)
        rect = self.scene.sceneRect()
        x = min(at.x(), rect.right() - self.card.boundingRect().width() - 2)
        y = min(at.y(), rect.bottom() - self.card.boundingRect().height() - 2)
        self.card.setPos(max(0.0, x), max(0.0, y))
        self.card.show()

    def card_text(self, target: Target) -> str:
        """What the card says about ``target``, with the values of the last picture shown."""
        diagram = self.diagram
        if target.kind == "band":
            band = self.bands[target.band][1]
            return f"{band.label}: {band.help.split('. ')[0]}."
        if target.kind == "more":
            left = self.diagram.columns[target.column].units - len(self.nodes[target.column])
            return f"{left} more units: click to show them all" if left else "Click to show fewer units"
        column = diagram.columns[target.column]
        if target.kind == "node":
            lines = [column.unit_title(target.unit)]
            if column.layer is not None:
                lines.append(f"bias {number(self.value(column.layer, BIAS, (target.unit,)))}")
            lines.append("click to unpin it from the plot" if self.pinned == (target.column, target.unit)
                         else "shown on the plot · click to pin it there")
            return "\n".join(lines)
        where = self._parameter(target)
        name = parameter_name(diagram, *where)
        return f"{name[0].upper()}{name[1:]}: {number(self.value(*where))}\nclick to set it"

    def value(self, layer: int, name: str, index: tuple[int, ...]) -> float:
        """The value shown: the last picture's (the engine's, before any)."""
        weights = self.picture.weights if self.picture is not None else None
        if weights:
            return float(weights[layer][name][index])
        return float(self.document.experiment.network.layers[layer].params[name][index])

    def _parameter(self, target: Target) -> tuple[int, str, tuple[int, ...]]:
        layer = self.diagram.columns[target.column].layer
        if target.kind == "bias":
            return layer, BIAS, (target.unit,)
        return layer, WEIGHT, (target.source, target.unit)

    def _highlight(self, target: Target | None) -> None:
        if target is None or target.kind != "link":
            self.highlight.set_curve(None, 0)
            return
        links = self.links[target.column]
        i = next(k for k, n in enumerate(self.nodes[target.column - 1]) if n.unit == target.source)
        j = next(k for k, n in enumerate(self.nodes[target.column]) if n.unit == target.unit)
        level = int(links.levels.reshape(links.n_from, links.n_to)[i, j]) if links.levels is not None else 1
        self.highlight.set_curve(links.curve(i, j), level)

    # ---- typing a value
    def _edit(self, target: Target, where) -> None:
        layer, name, index = self._parameter(target)
        current = float(self.document.experiment.network.layers[layer].params[name][index])
        self.editor.open_at(where, (layer, name, index), f"{current:.6g}")
        self.card.hide()

    def _commit_edit(self, where: tuple, text: str) -> None:
        try:
            value = parse_value(text)
        except ConfigError as problem:
            self.editor.fail(str(problem))
            return
        self.editor.close_editor()
        layer, name, index = where
        label = parameter_name(self.diagram, layer, name, index)
        self.document.set_parameter(f"Set {label}", layer, name, index, value)


class ValueEditor(QLineEdit):
    """A one-line box where a clicked weight or bias is typed: Enter sets it, Escape or
    a click elsewhere leaves it as it was."""

    committed = Signal(object, str)  # (layer, name, index), the text typed

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("diagramValueEditor")
        self.setFixedWidth(110)
        self.setToolTip("Type the new value and press Enter (Escape leaves it as it was).")
        self.where: tuple | None = None
        self.error = ""
        self.hide()
        self.returnPressed.connect(lambda: self.committed.emit(self.where, self.text()))

    def open_at(self, point, where: tuple, text: str) -> None:
        self.where, self.error = where, ""
        self.setStyleSheet("")
        self.setText(text)
        parent = self.parentWidget()
        x = min(max(0, point.x() - 20), max(0, parent.width() - self.width()))
        y = min(max(0, point.y() - self.height() // 2), max(0, parent.height() - self.height()))
        self.move(x, y)
        self.show()
        self.raise_()
        self.setFocus()
        self.selectAll()

    def fail(self, message: str) -> None:
        self.error = message
        self.setStyleSheet("border: 1px solid #c00;")
        self.setToolTip(message)

    def cancel(self) -> None:
        self.close_editor()

    def close_editor(self) -> None:
        self.where = None
        self.hide()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.cancel()
