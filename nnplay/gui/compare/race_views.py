"""What the Race window shows of its runs: a small boundary map per run (the main
window's ``BoundaryPlot``, so the colours are the same), their curves overlaid in one
plot with a legend (``RaceCurves``; the gradients' curves are ``race_gradients``), and
their numbers in a table.

Each view is built once per race and updated in place from the runs' newest
snapshots (``RunView``), which the window hands over on a timer.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QFrame, QGraphicsItem, QHBoxLayout, QHeaderView, QLabel,
    QSizePolicy, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from nnplay.core.epoch_gradients import HELP as GRADIENTS_HELP, column_name
from nnplay.gui.messages import plain_label as plain, tooltip
from nnplay.gui.plots.boundary import BoundaryPlot
from nnplay.gui.plots.style import style_axes

#: one colour per run, told apart by readers with common colour blindness (Tol's "muted"
#: and "bright" palettes), none of them the class colours of the boundary maps
RUN_COLORS = ("#332288", "#CC6677", "#117733", "#882255", "#44AA99", "#999933", "#AA4499", "#DDCC77",
              "#88CCEE", "#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB")
METRICS = {"train_loss": "Training loss", "val_loss": "Validation loss",
           "train_accuracy": "Training accuracy", "val_accuracy": "Validation accuracy"}
STATUS_WORDS = {"finished": "finished", "early_stopped": "stopped early", "diverged": "diverged",
                "interrupted": "stopped", "failed": "failed"}


class _History:
    """A run's history columns in NumPy buffers that double when full."""

    def __init__(self):
        self.n = 0
        self.data: dict[str, np.ndarray] = {}
        self.high: dict[str, float] = {}  #: each column's largest finite value so far
        self.low: dict[str, float] = {}  #: … and its smallest positive one (a log axis's bottom)

    def extend(self, start: int, rows: dict[str, list]) -> None:
        count = len(rows.get("epoch", []))
        if not count:
            return
        self.n = min(self.n, start)
        need = self.n + count
        for name, values in rows.items():
            column = self.data.get(name)
            if column is None or len(column) < need:
                grown = np.full(max(need, 2 * (0 if column is None else len(column)), 256), np.nan)
                if column is not None:
                    grown[: self.n] = column[: self.n]
                self.data[name] = column = grown
            column[self.n:need] = [np.nan if v is None else v for v in values]
            new = column[self.n:need]
            finite = new[np.isfinite(new)]
            if len(finite):
                self.high[name] = max(self.high.get(name, -np.inf), float(finite.max()))
                positive = finite[finite > 0]
                if len(positive):
                    self.low[name] = min(self.low.get(name, np.inf), float(positive.min()))
        self.n = need

    def column(self, name: str) -> np.ndarray:
        column = self.data.get(name)
        return np.empty(0) if column is None else column[: self.n]

    def last(self, name: str) -> float | None:
        values = self.column(name)
        return float(values[-1]) if len(values) and math.isfinite(values[-1]) else None


@dataclass
class RunView:
    """One run as the window knows it: its label and colour, and its newest snapshot's numbers."""

    run: int
    label: str
    color: str
    history: _History = field(default_factory=_History)
    #: each finished epoch's RMS of ∂J/∂W per dense layer (``core.epoch_gradients`` columns)
    gradients: _History = field(default_factory=_History)
    grid: np.ndarray | None = None  #: the newest outputs on the tile's grid
    epoch: int = 0
    updates: int = 0
    seconds: float = 0.0
    paused: bool = False
    status: str | None = None  #: how it ended (``RunOutcome.status``), None while it trains
    error: str | None = None
    started: bool = False

    def take(self, snapshot) -> None:
        """A snapshot: its history rows always (each carries only new ones), the rest newest-wins."""
        self.history.extend(snapshot.history_from, snapshot.history)
        self.gradients.extend(self.gradients.n, snapshot.gradients)  # each row comes once, in order
        if snapshot.grid is not None:
            self.grid = snapshot.grid
        self.epoch, self.updates, self.seconds = snapshot.epoch, snapshot.updates, snapshot.seconds
        self.paused = snapshot.paused
        self.started = True

    @property
    def state(self) -> str:
        if self.status is not None:
            return STATUS_WORDS.get(self.status, self.status)
        if not self.started:
            return "starting"
        return "paused" if self.paused else "training"


class _DoubleClicks(QObject):
    """Tells when a tile's plot is clicked or double-clicked (the plot takes the mouse events)."""

    def __init__(self, tile: "RaceTile"):
        super().__init__(tile)
        self.tile = tile

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.MouseButtonDblClick:
            self.tile.activated.emit(self.tile.run)
            return True
        if event.type() == QEvent.Type.MouseButtonPress:
            self.tile.selected.emit(self.tile.run)
        return False


class RaceTile(QFrame):
    """A run's boundary map with its label; double-click opens the run in the main window."""

    activated = Signal(int)
    selected = Signal(int)

    def __init__(self, view: RunView, experiment, grid, parent: QWidget | None = None):
        super().__init__(parent)
        self.run = view.run
        self.setObjectName(f"raceTile{view.run}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumSize(170, 190)
        self.caption = plain(QLabel(view.label))
        self.caption.setObjectName("tileCaption")
        self.caption.setStyleSheet("font-weight: bold;")
        self.caption.setToolTip(tooltip(view.label))
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # cut, not widen
        swatch = QFrame()
        swatch.setFixedSize(12, 12)
        swatch.setStyleSheet(f"background: {view.color}; border: none;")
        title = QHBoxLayout()
        title.setContentsMargins(2, 0, 2, 0)
        title.addWidget(swatch)
        title.addWidget(self.caption, 1)
        self.numbers = plain(QLabel("starting…"))
        self.numbers.setObjectName("tileNumbers")
        self.numbers.setStyleSheet("color: #444;")
        self.plot = BoundaryPlot(self)
        self.plot.set_experiment(experiment, grid)
        self._make_compact()
        clicks = _DoubleClicks(self)
        self.plot.graphics.viewport().installEventFilter(clicks)
        self.setToolTip("Double-click to open this run in the main window.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(3, 3, 3, 3)
        layout.setSpacing(1)
        layout.addLayout(title)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.numbers)

    def _make_compact(self) -> None:
        """The map alone: no check boxes, hint, colour bar, legend or axes (the main window has those)."""
        plot = self.plot
        for widget in (plot.discretize, plot.show_validation, plot.hint):
            widget.hide()
        plot.color_bar.setVisible(False)
        plot.legend.setVisible(False)
        plot.plot.hideAxis("left")
        plot.plot.hideAxis("bottom")
        for points in (plot.train_points, plot.val_points):  # they never move: drawn once, then blitted
            points.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def show_output(self, values: np.ndarray) -> None:
        self.plot.show_output(values)

    def set_selected(self, selected: bool) -> None:
        self.setStyleSheet("#%s { border: 2px solid #0072B2; }" % self.objectName() if selected else "")


class RaceCurves(QWidget):
    """Every run's curve of one metric, overlaid, in the run's colour, with a legend.

    The curves are columns of each run's ``source`` (``RunView.history``, or another
    ``_History`` of per-epoch rows), ``metrics`` naming them."""

    source = "history"

    def __init__(self, parent: QWidget | None = None, metrics: dict[str, str] = METRICS):
        super().__init__(parent)
        self.setObjectName("raceCurves")
        self.metrics = dict(metrics)
        self.metric_combo = QComboBox()
        self.metric_combo.setObjectName("raceMetricCombo")
        for key, text in self.metrics.items():
            self.metric_combo.addItem(text, key)
        self.metric_combo.setToolTip("Which number the curves show, per epoch.")
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setObjectName("raceLogScaleCheck")
        self.log_scale.setToolTip("Show the loss on a logarithmic axis: late, small improvements stay visible.")
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 0, 4, 0)
        bar.addWidget(self.metric_combo)
        bar.addWidget(self.log_scale)
        bar.addStretch(1)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.graphics.setObjectName("raceCurvesGraphics")
        self.plot: pg.PlotItem = self.graphics.addPlot(row=0, col=0)
        self.plot.setMenuEnabled(False)
        self.plot.setLabel("bottom", "epoch")
        style_axes(self.plot)
        # beside the plot, not over the curves: a race has up to 16 of them
        self.legend = pg.LegendItem(labelTextColor="#222")
        self.legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.graphics.addItem(self.legend, row=0, col=1)
        self.graphics.ci.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignTop)
        self.curves: dict[int, pg.PlotDataItem] = {}
        self.views: dict[int, RunView] = {}
        self._x_max: float | None = None
        self._y_range: tuple | None = None
        self.plot.disableAutoRange()
        self.metric_combo.currentIndexChanged.connect(self._metric_changed)
        self.log_scale.toggled.connect(self._log_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.graphics, 1)

    def set_runs(self, views: list[RunView], metric: str, regression: bool = False) -> None:
        for i in range(self.metric_combo.count()):  # a regression has no accuracy
            self.metric_combo.model().item(i).setEnabled(not (regression and "accuracy" in self.metric_combo.itemData(i)))
        self.plot.clear()
        self.legend.clear()
        self.curves, self.views = {}, {view.run: view for view in views}
        self._x_max = self._y_range = None
        for view in views:
            curve = self.plot.plot(pen=pg.mkPen(view.color, width=2))
            self.legend.addItem(curve, html.escape(_short(view.label, 28)))  # pyqtgraph's labels are HTML
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            self.curves[view.run] = curve
        index = self.metric_combo.findData(metric)
        if index != self.metric_combo.currentIndex():
            self.metric_combo.setCurrentIndex(index)  # redraws
        else:
            self.redraw(self.views)

    def redraw(self, runs) -> None:
        name = self.metric_combo.currentData()
        self._draw_curves(runs, name)
        self._fit_ranges(name)

    def rows(self, view: RunView) -> _History:
        return getattr(view, self.source)

    def _fit_ranges(self, name: str) -> None:
        """Move the axes in steps (when the curves reach an end), not every frame: new
        ticks on every frame would redraw the axes each time."""
        tables = [self.rows(view) for view in self.views.values()]
        last = max((rows.last("epoch") or 0 for rows in tables), default=0)
        if self._x_max is None or last > 0.95 * self._x_max or last < 0.25 * self._x_max:
            self._x_max = _nice_above(max(10.0, 1.5 * last))
            self.plot.setXRange(0, self._x_max, padding=0)
        highs = [rows.high[name] for rows in tables if name in rows.high]
        if not self._scaled(name):
            y = (0.0, 1.02)
        elif self.log_scale.isChecked():
            lows = [rows.low[name] for rows in tables if name in rows.low]
            y = (math.floor(math.log10(min(lows))), math.ceil(math.log10(max(highs))) + 0.01) if lows else (-2, 0)
        else:
            y = (0.0, _nice_above(1.05 * max(highs)) if highs else 1.0)
        if y != self._y_range:
            self._y_range = y
            self.plot.setYRange(*y, padding=0)

    @staticmethod
    def _scaled(name: str) -> bool:
        """Whether the metric's axis follows its values (a loss), or is a share's 0 to 1."""
        return name.endswith("loss")

    def _draw_curves(self, runs, name: str) -> None:
        for run in runs:
            view = self.views[run] if not isinstance(run, RunView) else run
            history = self.rows(view)
            values = history.column(name)
            if self.log_scale.isChecked():
                values = np.where(values > 0, values, np.nan)
            if len(values) and not np.all(np.isnan(values)):
                self.curves[view.run].setData(history.column("epoch"), values, connect="finite")
            else:
                self.curves[view.run].setData([], [])

    def _metric_changed(self, _index: int) -> None:
        name = self.metric_combo.currentData()
        self._y_range = None
        self.plot.setLabel("left", self.metrics[name].lower())
        self.log_scale.setEnabled(self._scaled(name))
        if not self._scaled(name) and self.log_scale.isChecked():
            self.log_scale.setChecked(False)
        self.redraw(self.views)

    def _log_changed(self, on: bool) -> None:
        self.plot.setLogMode(False, on)
        self._y_range = None
        self.redraw(self.views)


class RaceTable(QTableWidget):
    """Each run's numbers, newest first to be read: status, epoch, losses, accuracies, the
    first hidden layer's gradient RMS of the last epoch, speed."""

    COLUMNS = ("Run", "Status", "Epoch", "Train loss", "Val loss", "Train acc.", "Val acc.", "RMS ∂J/∂W₁",
               "Updates/s")
    HEADER_TIPS = {"RMS ∂J/∂W₁": "The last epoch's RMS of ∂J/∂W of dense layer 1, the first hidden layer "
                                 "(the gradient curves show every epoch).\n\n" + GRADIENTS_HELP}

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(self.COLUMNS), parent)
        self.setObjectName("raceTable")
        self.setHorizontalHeaderLabels(self.COLUMNS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        # fixed widths: fitting columns to their contents measures every cell on each change
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((170, 78, 64, 78, 78, 78, 78, 90, 80)):
            header.resizeSection(column, width)
        for column, name in enumerate(self.COLUMNS):
            if name in self.HEADER_TIPS:
                self.horizontalHeaderItem(column).setToolTip(tooltip(self.HEADER_TIPS[name]))
        self.setToolTip("Double-click a run to open it in the main window.")

    def set_runs(self, views: list[RunView]) -> None:
        self.setRowCount(len(views))
        for row, view in enumerate(views):
            item = QTableWidgetItem(view.label)
            item.setData(Qt.ItemDataRole.DecorationRole, QColor(view.color))  # a swatch of its curve's colour
            item.setToolTip(tooltip(view.label))
            item.setData(Qt.ItemDataRole.UserRole, view.run)
            self.setItem(row, 0, item)
            for col in range(1, len(self.COLUMNS)):
                cell = QTableWidgetItem("")
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(row, col, cell)
        self.show_numbers(views)

    def show_numbers(self, views: list[RunView]) -> None:
        for row, view in enumerate(views):
            rate = view.updates / view.seconds if view.seconds > 0 else None
            history = view.history
            cells = (view.state, str(view.epoch), _number(history.last("train_loss")),
                     _number(history.last("val_loss")), _number(history.last("train_accuracy")),
                     _number(history.last("val_accuracy")), _number(view.gradients.last(column_name(1))),
                     "" if rate is None else f"{rate:,.0f}")
            for col, text in enumerate(cells, start=1):
                if self.item(row, col).text() != text:
                    self.item(row, col).setText(text)

    def run_at(self, row: int) -> int | None:
        item = self.item(row, 0)
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)


def _nice_above(value: float) -> float:
    """The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least ``value``."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= value * (1 - 1e-12))


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"
