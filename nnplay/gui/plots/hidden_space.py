"""The hidden space (ConvNetJS's picture): the data as a layer sees it, with the input
grid's lines warped into that layer's space, live.

A slider (and a list) walks from the input plane through each hidden layer, so a
student sees the layers untangle the spiral. A layer of two units is drawn on its two
units; a wider one on two chosen units or on the first two principal components of its
activations over the data, and the caption says which. Where a last hidden layer of two
units feeds a single output, the output's decision is drawn there: a straight line.

The numbers come from ``core.hidden_space``; the grid's lines from the grid pass the
boundary uses, the data's activations from the probes' ``DATA`` pass. Items are made
once and updated in place; nothing is computed while the dock is hidden.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QComboBox, QGraphicsItem, QHBoxLayout, QLabel, QSlider, QSpinBox, QVBoxLayout, QWidget

from nnplay.core.diagram import Diagram, diagram_of
from nnplay.core.hidden_space import PCA, UNITS, Axes, decision_line, grid_lines, pca_axes, polylines, unit_axes
from nnplay.core.losses import LOSSES
from nnplay.core.probes import DATA, GRID
from nnplay.gui.plots.boundary import PlotView
from nnplay.gui.plots.colors import CLASS_COLORS, value_map
from nnplay.gui.plots.style import wrapped_label

NAME = "hidden-space"
#: how often the picture is redrawn at most while training
EVERY_S = 0.1
LINE_PEN = pg.mkPen(120, 120, 130, 110, width=1)
DECISION_PEN = pg.mkPen("#222", width=2, style=Qt.PenStyle.DashLine)
#: how many colours a regression target's points are drawn in: pyqtgraph renders each
#: distinct brush's symbol once, and 500 points of 500 colours took 40-50 ms a picture
VALUE_LEVELS = 64


def move_points(item: pg.ScatterPlotItem, pos: np.ndarray) -> bool:
    """Move a scatter's points to ``pos`` in place, with their brushes, sizes and symbols
    kept: ``setData`` builds every point afresh (1 ms for 480 points, at each frame of
    the hidden space). False, and nothing moved, if the number of points differs."""
    data = item.data
    if len(data) != len(pos):
        return False
    if not len(pos):
        return True
    data["x"], data["y"] = pos[:, 0], pos[:, 1]
    item.prepareGeometryChange()
    item.informViewBoundsChanged()
    item.bounds = [None, None]  # pyqtgraph's cache of the data's bounds
    item.invalidate()
    return True


@dataclass(frozen=True)
class Stage:
    title: str  #: "Input", "Layer 2"
    subtitle: str  #: "x₁, x₂", "8 tanh"
    layer: int | None  #: its dense layer in ``Network.layers`` (None: the input plane)
    units: int


@dataclass(frozen=True)
class SpacePlan:
    """What the view shows, frozen for the thread that prepares its pictures."""

    stages: tuple[Stage, ...]
    stage: int
    axes: str  #: ``PCA`` or ``UNITS`` (for layers of more than two units)
    units: tuple[int, int]  #: the two units of ``UNITS``, 0-based
    layers: tuple  #: the network's layers (types and activations: the decision line reads them)
    threshold: float | None  #: the binary output's threshold (None: no decision line)


@dataclass(frozen=True)
class SpacePicture:
    plan: SpacePlan
    points: np.ndarray  #: ``(n, 2)``: training points first
    train: int
    labels: np.ndarray
    total: int  #: points in the data set (more than ``n`` when sampled)
    lines: tuple[np.ndarray, np.ndarray, np.ndarray]  #: x, y, connect of the grid's lines
    decision: np.ndarray | None  #: (a, b, c) with a·x + b·y = c
    axes: Axes


def stages_of(diagram: Diagram) -> tuple[Stage, ...]:
    """The input plane, then each hidden layer."""
    stages = [Stage("Input", "x₁, x₂", None, 2)]  # the raw plane, whatever the features
    for c in diagram.hidden:
        column = diagram.columns[c]
        stages.append(Stage(column.title, column.subtitle, column.layer, column.units))
    return tuple(stages)


class HiddenSpaceFeed:
    """The view's ``LiveView``; ``plan`` is replaced (never changed) by the view."""

    name = NAME
    needs = frozenset({GRID, DATA})
    every_s = EVERY_S

    def __init__(self, view: "HiddenSpaceView"):
        self.view = view
        self.plan: SpacePlan | None = None
        self._previous: dict[int, Axes] = {}  # each stage's last principal axes (their signs)

    def prepare(self, results: dict[str, Any], snapshot) -> SpacePicture | None:
        plan = self.plan
        if plan is None or snapshot.weights is None:
            return None
        grid, data = results[GRID], results[DATA]
        stage = plan.stages[plan.stage]
        if stage.layer is None:
            width = data.points.shape[1]
            activations, grid_values = data.points, grid.points
        else:
            width = stage.units
            activations, grid_values = data.layers[stage.layer], grid.layers[stage.layer]
        axes = self._axes(plan, width, activations)
        lines = axes.project(grid_lines(grid_values, grid.shape))
        decision = None
        if stage.layer is not None and width == 2 and plan.threshold is not None:
            decision = decision_line(list(plan.layers), snapshot.weights, stage.layer, plan.threshold)
        return SpacePicture(plan, axes.project(activations), data.train, data.labels, data.total, polylines(lines),
                            decision, axes)

    def _axes(self, plan: SpacePlan, width: int, activations: np.ndarray) -> Axes:
        if width <= 2 or plan.axes == UNITS:
            first, second = plan.units if width > 2 else (0, 1)
            return unit_axes(width, first, second)
        axes = pca_axes(activations, self._previous.get(plan.stage))
        self._previous[plan.stage] = axes
        return axes

    def show(self, picture: SpacePicture | None) -> None:
        if picture is not None:
            self.view.show_picture(picture)


class HiddenSpaceView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("hiddenSpace")
        self.feed = HiddenSpaceFeed(self)
        self.request_frame = lambda: None  #: asked for a frame of the idle network after a change
        self.stages: tuple[Stage, ...] = ()
        self.picture: SpacePicture | None = None
        self._brushes: tuple = (None, None, None)  # the labels they were made for, and the brushes
        self._range = None
        self._labels = ("", "")
        self.draws = 0
        self._build_controls()
        self._build_plot()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        layout.addLayout(self._layer_row)
        layout.addLayout(self._axes_row)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.caption)

    def _build_controls(self) -> None:
        self.layer_combo = QComboBox(objectName="hiddenLayerCombo")
        self.layer_combo.setToolTip("The layer whose space is drawn: the input plane, or a hidden layer.")
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName="hiddenLayerSlider")
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setPageStep(1)
        self.slider.setToolTip("Walk from the input plane through each hidden layer: watch the layers pull "
                               "the classes apart until a straight line can split them.")
        self.axes_combo = QComboBox(objectName="hiddenAxesCombo")
        self.axes_combo.addItem("First two principal components", PCA)
        self.axes_combo.addItem("Two units", UNITS)
        self.axes_combo.setToolTip(
            "A layer of more than two units is drawn on two of its directions: the two along which its "
            "activations over the data vary most (principal components), or two of its units as they are.")
        self.unit_x = QSpinBox(objectName="hiddenUnitX")
        self.unit_y = QSpinBox(objectName="hiddenUnitY")
        for box, axis in ((self.unit_x, "across"), (self.unit_y, "up")):
            box.setPrefix("unit ")
            box.setMinimum(1)
            box.setToolTip(f"The unit drawn {axis}.")
            box.valueChanged.connect(self._controls_changed)
        for combo in (self.layer_combo, self.axes_combo):  # long entries must not widen the window
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
        self.layer_combo.currentIndexChanged.connect(self._stage_picked)
        self.slider.valueChanged.connect(self._stage_picked)
        self.axes_combo.currentIndexChanged.connect(self._controls_changed)
        self._layer_row = QHBoxLayout()
        self._layer_row.addWidget(QLabel("Layer"))
        self._layer_row.addWidget(self.layer_combo)
        self._layer_row.addWidget(self.slider, 1)
        self._axes_row = QHBoxLayout()
        self._axes_row.addWidget(QLabel("Axes"))
        self._axes_row.addWidget(self.axes_combo)
        self._axes_row.addWidget(self.unit_x)
        self._axes_row.addWidget(self.unit_y)
        self._axes_row.addStretch(1)
        self.caption = wrapped_label("hiddenSpaceCaption")

    def _build_plot(self) -> None:
        self.graphics = PlotView()
        self.graphics.setObjectName("hiddenSpaceGraphics")
        self.graphics.setBackground("w")
        self.plot: pg.PlotItem = self.graphics.addPlot()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(False, False)
        self.plot.setAspectLocked(True)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setPen("#444")
            self.plot.getAxis(side).setTextPen("#222")
            self.plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.lines = pg.PlotDataItem(pen=LINE_PEN)
        self.train_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("w", width=1))
        self.val_points = pg.ScatterPlotItem(size=8, symbol="d", pen=pg.mkPen("#111", width=1.2))
        self.decision = pg.InfiniteLine(pen=DECISION_PEN)
        for z, item in enumerate((self.lines, self.decision, self.train_points, self.val_points)):
            item.setZValue(z)
            self.plot.addItem(item)
        self.decision.hide()

    # ---- a new network
    def set_experiment(self, experiment) -> None:
        config = experiment.config
        diagram = diagram_of(list(config.features), experiment.network.layers)
        self.stages = stages_of(diagram)
        if len(experiment.dataset) and experiment.dataset.dims == 1:
            self.stages = (replace(self.stages[0], subtitle="x₁", units=1),) + self.stages[1:]
        stage = min(self.slider.value(), len(self.stages) - 1) if self.picture is not None else 0
        with QSignalBlocker(self.layer_combo), QSignalBlocker(self.slider):
            self.layer_combo.clear()
            for s in self.stages:
                self.layer_combo.addItem(f"{s.title} · {s.subtitle}")
            self.slider.setRange(0, len(self.stages) - 1)
            self.slider.setValue(stage)
            self.layer_combo.setCurrentIndex(stage)
        loss = LOSSES.get(config.loss)
        threshold = loss.threshold if config.task == "binary" else None
        self._layers, self._threshold = tuple(experiment.network.layers), threshold
        self.picture = None
        self._range = None
        self._set_plan(stage)

    def _stage_picked(self, index: int) -> None:
        if index < 0 or not self.stages:
            return
        with QSignalBlocker(self.layer_combo), QSignalBlocker(self.slider):
            self.layer_combo.setCurrentIndex(index)
            self.slider.setValue(index)
        self._range = None
        self._set_plan(index)
        self.request_frame()

    def _controls_changed(self, *_args) -> None:
        if self.feed.plan is not None:
            self._set_plan(self.feed.plan.stage)
            self.request_frame()

    def _set_plan(self, stage: int) -> None:
        width = self.stages[stage].units
        wide = width > 2
        self.axes_combo.setEnabled(wide)
        chosen = self.axes_combo.currentData() == UNITS
        for box in (self.unit_x, self.unit_y):
            box.setEnabled(wide and chosen)
            with QSignalBlocker(box):
                box.setMaximum(max(1, width))
        if self.unit_x.value() == self.unit_y.value() and width > 1:  # two different units by default
            with QSignalBlocker(self.unit_y):
                self.unit_y.setValue(2 if self.unit_x.value() == 1 else 1)
        units = (self.unit_x.value() - 1, self.unit_y.value() - 1)
        self.feed.plan = SpacePlan(self.stages, stage, UNITS if chosen else PCA, units, self._layers, self._threshold)

    # ---- every frame
    def show_picture(self, picture: SpacePicture) -> None:
        plan = self.feed.plan
        if plan is None or picture.plan != plan:
            return  # made for another layer or axes; the next frame shows the new ones
        self.picture = picture
        x, y, connect = picture.lines
        self.lines.setData(x, y, connect=connect)
        train, val = picture.points[:picture.train], picture.points[picture.train:]
        known = self._known(picture.labels)
        if not (known and move_points(self.train_points, train) and move_points(self.val_points, val)):
            brushes = self._brushes[1] if known else self._point_brushes(picture.labels)
            self.train_points.setData(pos=train, brush=brushes[:picture.train])
            self.val_points.setData(pos=val, brush=brushes[picture.train:])
        self._show_decision(picture.decision)
        self._fit_range(picture)
        text, labels = self.caption_text(picture)
        self.caption.setText(text)
        if labels != self._labels:  # an axis label laid out afresh every frame would cost
            self._labels = labels
            self.plot.setLabel("bottom", labels[0])
            self.plot.setLabel("left", labels[1])
        self.draws += 1

    def _known(self, labels: np.ndarray) -> bool:
        """Whether the points' brushes were made for these labels: the same array, or the
        same values (each run's frames bring arrays of their own; the new array is kept,
        so the run's next pictures match it at once)."""
        known = self._brushes[0]
        if known is labels:
            return True
        if known is None or not np.array_equal(known, labels):
            return False
        self._brushes = (labels, *self._brushes[1:])
        return True

    def _point_brushes(self, labels: np.ndarray) -> list:
        """Brushes for points of these labels (kept with them, for ``_known``)."""
        if labels.dtype.kind in "iu":
            palette = [pg.mkBrush(c) for c in CLASS_COLORS]
            brushes = [palette[int(k) % len(palette)] for k in labels]
        else:
            lo, hi = (float(labels.min()), float(labels.max())) if len(labels) else (0.0, 1.0)
            palette = [pg.mkBrush(c) for c in value_map().map(np.linspace(0, 1, VALUE_LEVELS), mode="qcolor")]
            levels = np.rint(np.clip((labels - lo) / max(hi - lo, 1e-12), 0, 1) * (VALUE_LEVELS - 1)).astype(int)
            brushes = [palette[k] for k in levels]
        self._brushes = (labels, brushes, None)
        return brushes

    def _show_decision(self, line: np.ndarray | None) -> None:
        if line is None:
            self.decision.hide()
            return
        a, b, c = (float(v) for v in line)
        norm = a * a + b * b
        self.decision.setPos((a * c / norm, b * c / norm))
        self.decision.setAngle(math.degrees(math.atan2(-a, b)))
        self.decision.show()

    def _fit_range(self, picture: SpacePicture) -> None:
        """Frame the data (the grid's lines may run far beyond it: they are cut). The
        range changes only when the points leave it or shrink to a small part of it: a
        range chasing every frame would jitter."""
        points = picture.points[np.all(np.isfinite(picture.points), axis=1)]
        if not len(points):
            return
        lo, hi = points.min(axis=0), points.max(axis=0)
        span = np.maximum(hi - lo, 1e-6)
        if self._range is not None:
            old_lo, old_hi = self._range
            inside = np.all(lo >= old_lo) and np.all(hi <= old_hi)
            if inside and np.all(span >= 0.6 * (old_hi - old_lo)):
                return
        self._range = (lo - 0.1 * span, hi + 0.1 * span)
        self.plot.setRange(xRange=(self._range[0][0], self._range[1][0]),
                           yRange=(self._range[0][1], self._range[1][1]), padding=0)

    @staticmethod
    def caption_text(picture: SpacePicture) -> tuple[str, tuple[str, str]]:
        """What the picture shows, in words, and the axes' labels."""
        plan, axes = picture.plan, picture.axes
        stage = plan.stages[plan.stage]
        if stage.layer is None:
            text = "The input plane, with the data and a grid of lines x₁ = const and x₂ = const"
            labels = ("x₁", "x₂" if stage.units > 1 else "")
        else:
            name = f"{stage.title} ({stage.subtitle})"
            if stage.units == 1:
                text, labels = f"{name}: its one unit, across", ("h₁", "")
            elif stage.units == 2:
                text, labels = f"{name}: its two units", ("h₁", "h₂")
            elif axes.kind == PCA:
                shares = " and ".join(f"{100 * share:.0f} %" for share in axes.explained if math.isfinite(share))
                text = (f"{name}: the first two principal components of its activations over the data"
                        + (f" ({shares} of their variance)" if shares else " (they do not vary)"))
                labels = ("PC 1", "PC 2")
            else:
                i, j = axes.units
                text = f"{name}: units {i + 1} and {j + 1} of {stage.units}"
                labels = (f"h{_sub(i + 1)}", f"h{_sub(j + 1)}")
            text += ", with the input grid's lines carried through the layers"
        if picture.decision is not None:
            text += ". The dashed line is the output's decision: a straight line here"
        if picture.total > len(picture.points):
            text += f" ({len(picture.points):,} of the {picture.total:,} points)"
        return text + ".", labels

def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
