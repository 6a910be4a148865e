"""The metrics students look for beside the loss, live.

- Classification: the confusion matrix of the training and of the validation set, each
  cell its count and its share of the true class (rows: true class, columns: the
  class the network picks; the diagonal's shares are each class's recall). Clicking a
  cell highlights its points on the boundary plot (``highlightChanged``), and follows
  them while training goes on; clicking it again, or another set's cell, changes that.
- Regression: RMSE and R² of both sets, and the predicted value against the true one
  for every point (the diagonal is a perfect fit). RMSE and R² are also shown beside
  the loss curves (``RegressionNumbersFeed``, fed while the curves are on screen).

The worker computes it (``MetricsFeed.prepare`` in the views thread: the probe's float64
predictions, then ``core.metrics``), only while the dock is on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QStackedWidget,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from nnplay.core.metrics import SetMetrics, set_metrics
from nnplay.core.probes import PREDICTIONS
from nnplay.core.report import compact_number
from nnplay.gui.plots.boundary import PlotView
from nnplay.gui.plots.colors import TRAIN_COLOR, VALIDATION_COLOR
from nnplay.gui.plots.style import Caption

SETS = ("train", "val")
SET_NAMES = {"train": "training", "val": "validation"}


@dataclass(frozen=True)
class MetricsSetup:
    """What the views thread needs to score a frame, frozen by the plot on a rebuild."""

    task: str = "binary"
    loss: str = "nll"
    n_classes: int = 2
    labels: tuple = (np.zeros(0), np.zeros(0))  #: the training and validation sets' labels


@dataclass(frozen=True)
class MetricsPicture:
    train: SetMetrics
    val: SetMetrics
    setup: MetricsSetup


class MetricsFeed:
    """The metrics as the worker sees them (``worker.LiveView``)."""

    name = "metrics"
    needs = frozenset({PREDICTIONS})
    every_s = 0.1  # ten times a second is as often as anyone reads numbers

    def __init__(self, plot: "MetricsPlot"):
        self.plot = plot
        self.setup = MetricsSetup()  #: replaced (never changed) by the plot

    def prepare(self, results: dict[str, Any], _snapshot) -> MetricsPicture:
        setup, outputs = self.setup, results[PREDICTIONS]
        train, val = (set_metrics(setup.task, setup.loss, setup.n_classes, output, labels)
                      for output, labels in zip((outputs.train, outputs.val), setup.labels))
        return MetricsPicture(train, val, setup)

    def show(self, picture: MetricsPicture) -> None:
        self.plot.show_picture(picture)


class RegressionNumbersFeed:
    """RMSE and R² of both sets for the label beside the loss curves (``worker.LiveView``);
    it asks for nothing unless the task is regression."""

    name = "regression-numbers"
    every_s = 0.2

    def __init__(self, label):
        self.label = label
        self.needs: frozenset[str] = frozenset()
        self.setup = MetricsSetup()

    def set_experiment(self, experiment) -> None:
        config, data = experiment.config, experiment.trainer.data
        self.setup = MetricsSetup(config.task, config.loss, 0, (data.labels_train, data.labels_val))
        self.needs = frozenset({PREDICTIONS}) if config.task == "regression" else frozenset()

    def prepare(self, results: dict[str, Any], _snapshot):
        setup = self.setup
        if PREDICTIONS not in results or setup.task != "regression":
            return None
        outputs = results[PREDICTIONS]
        return setup, [set_metrics("regression", setup.loss, 0, output, labels)
                       for output, labels in zip((outputs.train, outputs.val), setup.labels)]

    def show(self, picture) -> None:
        if picture is None or picture[0] is not self.setup:
            return
        train, val = picture[1]
        self.label.setText(regression_numbers_text(train, val))


def regression_numbers_text(train: SetMetrics, val: SetMetrics) -> str:
    """"RMSE a · b   R² c · d", training then validation, each in its curve's colour."""
    def pair(a, b) -> str:
        return (f"<b style='color:{TRAIN_COLOR}'>{compact_number(a)}</b> · "
                f"<b style='color:{VALIDATION_COLOR}'>{compact_number(b)}</b>")
    return f"RMSE {pair(train.rmse, val.rmse)} &nbsp; R² {pair(train.r2, val.r2)}"


def _rate_text(rate: float) -> str:
    return "–" if not np.isfinite(rate) else f"{100 * rate:.0f}%"


class MetricsPlot(QWidget):
    #: raw input points ``(n, dims)`` to highlight on the boundary plot (empty: none), and
    #: what they are (for the status line)
    highlightChanged = Signal(object, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("metricsPlot")
        self.feed = MetricsFeed(self)
        self.picture: MetricsPicture | None = None
        self.selected: tuple[str, int, int] | None = None  #: (set, true class, predicted class)
        self._x: dict[str, np.ndarray] = {name: np.zeros((0, 2)) for name in SETS}  # raw points per set
        self._y: dict[str, np.ndarray] = {name: np.zeros(0) for name in SETS}
        self.summary = Caption("metricsSummary")
        self.summary.setText("Train to see the metrics.")
        self.tables = {name: self._table(name) for name in SETS}
        tables = QWidget()
        tables_layout = QVBoxLayout(tables)
        tables_layout.setContentsMargins(0, 0, 0, 0)
        for name in SETS:
            title = QLabel(f"<b>{SET_NAMES[name].capitalize()} set</b>: rows are the true class, columns "
                           "the class the network picks; each cell: points (share of the row)")
            title.setWordWrap(True)
            tables_layout.addWidget(title)
            tables_layout.addWidget(self.tables[name], 1)
        self.hint = QLabel("Click a cell to mark its points on the boundary plot; click it again to clear.")
        self.hint.setStyleSheet("color: #555;")
        self.hint.setWordWrap(True)
        tables_layout.addWidget(self.hint)
        self.scatter_view = PlotView()
        self.scatter_view.setObjectName("predictedAgainstTrue")
        self.scatter_view.setBackground("w")
        self.scatter_plot = self.scatter_view.addPlot()
        self.scatter_plot.setMenuEnabled(False)
        self.scatter_plot.setLabel("bottom", "true value")
        self.scatter_plot.setLabel("left", "predicted value")
        self.scatter_plot.addLegend(offset=(8, 8), labelTextColor="#222")
        self.diagonal = self.scatter_plot.plot(pen=pg.mkPen("#888", width=1, style=Qt.PenStyle.DashLine),
                                               name="perfect fit")
        self.scatters = {name: self.scatter_plot.plot(pen=None, symbol="o" if name == "train" else "d",
                                                      symbolSize=6, symbolPen=None,
                                                      symbolBrush=TRAIN_COLOR if name == "train" else VALIDATION_COLOR,
                                                      name=SET_NAMES[name])
                         for name in SETS}
        self.stack = QStackedWidget()
        self.stack.addWidget(tables)
        self.stack.addWidget(self.scatter_view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

    def _table(self, name: str) -> QTableWidget:
        table = QTableWidget()
        table.setObjectName(f"{name}ConfusionTable")
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.cellClicked.connect(lambda row, column, name=name: self.select(name, row, column))
        return table

    # ---- a new network or data
    def set_experiment(self, experiment) -> None:
        config, split = experiment.config, experiment.split
        data = experiment.trainer.data
        n_classes = experiment.dataset.n_classes if config.task != "regression" else 0
        self.feed.setup = MetricsSetup(config.task, config.loss, n_classes, (data.labels_train, data.labels_val))
        self._x = {"train": split.train.x, "val": split.validation.x}
        self._y = {"train": split.train.y, "val": split.validation.y}
        self.picture = None
        regression = config.task == "regression"
        self.stack.setCurrentIndex(1 if regression else 0)
        for table in self.tables.values():
            table.clearContents()
            table.setRowCount(n_classes)
            table.setColumnCount(n_classes)
            table.setHorizontalHeaderLabels([f"→ {k}" for k in range(n_classes)])
            table.setVerticalHeaderLabels([f"true {k}" for k in range(n_classes)])
        for scatter in self.scatters.values():
            scatter.setData([], [])
        self.summary.setText("Train (or press Step) to see the metrics.")
        self._set_selected(None)

    # ---- every frame
    def show_picture(self, picture: MetricsPicture) -> None:
        if picture.setup is not self.feed.setup:
            return  # made for the network before a rebuild
        self.picture = picture
        if picture.setup.task == "regression":
            self._show_regression(picture)
        else:
            self._show_classification(picture)
        if self.selected is not None:
            self._emit_highlight()

    def _show_classification(self, picture: MetricsPicture) -> None:
        parts = []
        for name in SETS:
            metrics: SetMetrics = getattr(picture, name)
            table = self.tables[name]
            table.setEnabled(metrics.n > 0)
            for i in range(metrics.counts.shape[0]):
                for j in range(metrics.counts.shape[1]):
                    item = QTableWidgetItem(f"{metrics.counts[i, j]:,} ({_rate_text(metrics.rates[i, j])})")
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    if i == j:
                        item.setBackground(QColor("#e3f1e0"))
                    if self.selected == (name, i, j):
                        item.setBackground(QColor("#ffd54f"))
                    table.setItem(i, j, item)
            if metrics.n:
                parts.append(f"{SET_NAMES[name]}: accuracy {100 * metrics.accuracy:.1f}% of {metrics.n:,} points")
            else:
                parts.append(f"no {SET_NAMES[name]} points")
        self.summary.setText("; ".join(parts))

    def _show_regression(self, picture: MetricsPicture) -> None:
        parts, lo, hi = [], np.inf, -np.inf
        for name in SETS:
            metrics: SetMetrics = getattr(picture, name)
            true = self._y[name]
            self.scatters[name].setData(true, metrics.predicted)
            if metrics.n:
                parts.append(f"{SET_NAMES[name]}: RMSE {compact_number(metrics.rmse)}, "
                             f"R² {'–' if metrics.r2 is None else compact_number(metrics.r2)}")
                lo, hi = min(lo, float(true.min())), max(hi, float(true.max()))
        if np.isfinite(lo):
            self.diagonal.setData([lo, hi], [lo, hi])
        # the new range now, not when the plot paints: found then, it changes the axes during
        # the paint and costs a second one (measured: two paints per update)
        self.scatter_plot.getViewBox().updateAutoRange()
        self.summary.setText("; ".join(parts) if parts else "No points.")

    # ---- clicking a cell
    def select(self, which: str, true_class: int, predicted_class: int) -> None:
        """Highlight the points of ``which`` set in that cell (again: clear)."""
        cell = (which, true_class, predicted_class)
        self._set_selected(None if self.selected == cell else cell)
        if self.picture is not None:
            self._show_classification(self.picture)

    def _set_selected(self, cell) -> None:
        self.selected = cell
        if cell is None:
            self.highlightChanged.emit(np.zeros((0, 2)), "")
        else:
            self._emit_highlight()

    def highlighted_mask(self) -> np.ndarray | None:
        """Which points of the selected cell's set are in it, for the latest frame."""
        if self.selected is None or self.picture is None:
            return None
        which, true_class, predicted_class = self.selected
        metrics: SetMetrics = getattr(self.picture, which)
        return (np.asarray(self._y[which]) == true_class) & (metrics.predicted == predicted_class)

    def _emit_highlight(self) -> None:
        mask = self.highlighted_mask()
        if mask is None:
            return
        which, true_class, predicted_class = self.selected
        points = self._x[which][mask]
        verdict = "classified right" if true_class == predicted_class else f"taken for class {predicted_class}"
        self.highlightChanged.emit(points, f"{len(points):,} {SET_NAMES[which]} points of class {true_class}, "
                                           f"{verdict}, are ringed on the plot.")
