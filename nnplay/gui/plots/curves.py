"""Loss and accuracy per epoch, training and validation, as curves that grow in place.

The history is kept in NumPy buffers that double when full; each frame appends its
new rows and hands pyqtgraph views of the filled part (``setData``), with peak
downsampling and clipping to the view. A redraw costs the GUI thread time in
proportion to the history's length (pyqtgraph scans every point for its bounds and its
downsampling), so once a history is long the curves are redrawn less often: at most
``REDRAWN_EPOCHS_PER_S / epochs`` times a second (10 at most), which bounds that cost
whatever the length; each redraw then moves the curves by a few pixels at most.
``flush`` draws what is left.

The curves start at epoch 0, the measures before the first update
(``History.initial``), so one epoch draws a segment.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QGraphicsItem, QHBoxLayout, QVBoxLayout, QWidget

from nnplay.gui.plots.boundary import PlotView
from nnplay.gui.plots.colors import TRAIN_COLOR, VALIDATION_COLOR
from nnplay.gui.plots.style import Caption, nice_number, style_axes


# solid, one-pixel-wide, aliased lines: a dashed or antialiased wide pen costs the
# software rasterizer ~1 ms per curve and frame, time the trainer would wait for
TRAIN_PEN = pg.mkPen(TRAIN_COLOR, width=1)
VAL_PEN = pg.mkPen(VALIDATION_COLOR, width=1)
#: the line at the epoch whose weights early stopping restored
RESTORED_COLOR = "#009E73"
RESTORED_PEN = pg.mkPen(RESTORED_COLOR, width=1)
COLUMNS = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy")
#: how many history points a second the curves' redraws may scan, all redraws together
REDRAWN_EPOCHS_PER_S = 20_000
#: the most redraws a second while rows keep coming
MAX_REDRAWS_PER_S = 10.0
#: the most a pacer's interval is stretched: curves still move 4 times a second
MAX_PACE_STRETCH = 2.5


class FrameSlot:
    """Room in one frame for one costly redraw, shared by the plots that redraw on their
    own pace. In a run the slow pictures take turns (``worker.SLOW_VIEWS_PER_FRAME``): the
    window opens the slot for each frame and marks it taken when the frame brings a slow
    view's picture, and a plot whose redraw is due waits for a frame whose slot is free.
    A frame of an idle network has room for all (``shared``)."""

    def __init__(self):
        self.shared = True  #: room for every redraw (a frame of an idle network)
        self.taken = False

    def next_frame(self, shared: bool, taken: bool) -> None:
        self.shared, self.taken = shared, taken

    def take(self) -> bool:
        """Whether a redraw may happen in this frame (and then the slot is taken)."""
        if self.shared:
            return True
        if self.taken:
            return False
        self.taken = True
        return True


class RedrawPacer:
    """When a live plot redraws while data streams in: at most once every ``interval``
    seconds, ``stretch`` times longer while frames cost the training too much (the
    window sets it from the frame clock's ``view_stretch``, up to ``MAX_PACE_STRETCH``),
    and only in a frame with room for it (``slot``, if the plot shares one). What came
    since the last redraw is ``pending``, for the plot's ``flush`` at the run's end."""

    def __init__(self, slot: FrameSlot | None = None):
        self.pending = False
        self.stretch = 1.0
        self.slot = slot
        self._drawn_at = -float("inf")

    def came(self, interval: float = 1.0 / MAX_REDRAWS_PER_S) -> bool:
        """New data came: whether it is time to redraw."""
        self.pending = True
        due = time.monotonic() - self._drawn_at >= interval * min(self.stretch, MAX_PACE_STRETCH)
        return due and (self.slot is None or self.slot.take())

    def drawn(self) -> None:
        self.pending, self._drawn_at = False, time.monotonic()

    def restart(self) -> None:
        """The next data is drawn at once."""
        self._drawn_at = -float("inf")


#: a long history is drawn as the lowest and highest value of this many runs of epochs
DRAWN_BUCKETS = 1500


class _Buffers:
    """Growing float columns; None (a value that does not apply) becomes NaN. Row 0 may
    hold the measures at epoch 0 (``set_initial``), before the history's rows."""

    def __init__(self):
        self.n = 0
        self.first = 0  #: 1 when row 0 is the initial measures, 0 otherwise
        self.data = {name: np.empty(256) for name in COLUMNS}

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` rows of the history (and the initial measures)."""
        self.n = min(self.n, n + self.first)

    def set_initial(self, measures: dict | None) -> bool:
        """Row 0 becomes the measures at epoch 0 (None: no such row); whether anything changed."""
        if measures is None:
            if not self.first:
                return False
            for name in COLUMNS:
                self.data[name][: self.n - 1] = self.data[name][1: self.n]
            self.n, self.first = self.n - 1, 0
            return True
        row = {name: np.nan if measures.get(name) is None else measures[name] for name in COLUMNS}
        row["epoch"] = 0.0
        if self.first and all(self.data[name][0] == row[name] or np.isnan(row[name]) for name in COLUMNS):
            return False
        if not self.first:
            self._grow(self.n + 1)
            for name in COLUMNS:
                self.data[name][1: self.n + 1] = self.data[name][: self.n]
            self.n, self.first = self.n + 1, 1
        for name in COLUMNS:
            self.data[name][0] = row[name]
        return True

    def _grow(self, need: int) -> None:
        if need > len(self.data["epoch"]):
            size = max(need, 2 * len(self.data["epoch"]))
            for name in COLUMNS:
                grown = np.empty(size)
                grown[: self.n] = self.data[name][: self.n]
                self.data[name] = grown

    def extend(self, rows: dict[str, list]) -> None:
        count = len(rows.get("epoch", []))
        if not count:
            return
        need = self.n + count
        self._grow(need)
        for name in COLUMNS:
            column = rows.get(name) or [None] * count
            self.data[name][self.n:need] = [np.nan if v is None else v for v in column]
        self.n = need

    def column(self, name: str) -> np.ndarray:
        return self.data[name][: self.n]


def decimated(x: np.ndarray, y: np.ndarray, buckets: int = DRAWN_BUCKETS) -> tuple[np.ndarray, np.ndarray]:
    """At most ``2 * buckets`` points that draw like ``(x, y)``: each bucket of neighbouring
    points becomes its lowest and its highest value (NaN where a bucket has none), so
    no peak is lost. pyqtgraph then handles a few thousand points, not the whole history."""
    n = len(x)
    size = -(-n // buckets)  # ceil
    if size <= 1:
        return x, y
    whole = n // size * size
    blocks = y[:whole].reshape(-1, size)
    low, high = np.fmin.reduce(blocks, axis=1), np.fmax.reduce(blocks, axis=1)  # NaN only if all are
    xs = np.repeat(x[:whole:size], 2)
    ys = np.column_stack([low, high]).ravel()
    return np.concatenate([xs, x[whole:]]), np.concatenate([ys, y[whole:]])


#: the highest loss the view reaches: a history may hold any finite value (a file's 1e308),
#: and a view up to the largest float overflows pyqtgraph's range arithmetic
MAX_VIEW = 1e300


def _nice(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``value``
    (``MAX_VIEW`` at most)."""
    if not value > 0 or not np.isfinite(value):
        return 1.0
    return min(nice_number(min(value, MAX_VIEW)), MAX_VIEW)


def grown_end(end: float | None, last: float, least: float) -> float:
    """The end of an epoch axis whose data have reached ``last``: grown by half again
    before the data reach it, and started over after a reset (data far short of it), so
    the axis and its ticks change now and then, not every frame. A new end is a ``_nice``
    number, at most three times ``last``, so it does not shrink right after; ``least``
    at the least."""
    if end is None or last > 0.95 * end or last < 0.25 * end:
        return _nice(max(least, 1.5 * last))
    return end


class CurvesPlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("curvesPlot")
        self.buffers = _Buffers()
        #: how many times the curves were redrawn (the benchmark reads it)
        self.draws = 0
        self.pacer = RedrawPacer()  # pending: rows in the buffers that the curves do not show yet

        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setObjectName("logScaleCheck")
        self.log_scale.setToolTip("Show the loss on a logarithmic axis: late, small improvements stay visible.")
        self.log_scale.toggled.connect(self._set_log)
        #: regression's RMSE and R² beside the loss (``metrics.RegressionNumbersFeed``)
        self.regression_numbers = Caption("regressionNumbers", wrap=False)
        self.regression_numbers.setToolTip(
            "For the weights on screen: RMSE, the root of the mean squared error, in the data's units, "
            "and R² (1: a perfect fit, 0: no better than predicting the mean), for the training (blue) "
            "and validation (orange) sets.")
        self.regression_numbers.setTextFormat(Qt.TextFormat.RichText)
        self.regression_numbers.hide()
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 0, 4, 0)
        bar.addWidget(self.log_scale)
        bar.addStretch(1)
        bar.addWidget(self.regression_numbers)

        self.graphics = PlotView()
        self.graphics.setObjectName("curvesGraphics")
        self.graphics.setBackground("w")
        self.graphics.setAntialiasing(False)  # thin lines and cached axes: not worth its cost
        self.loss_plot = self._make_plot(0, "Loss", "loss", (-8, 8))
        self.accuracy_plot = self._make_plot(1, "Accuracy", "accuracy", (-8, -8))
        self.accuracy_plot.setYRange(0, 1.02, padding=0)
        self._x_max = self._loss_top = None
        self.accuracy_plot.setXLink(self.loss_plot)
        self.curves = {
            "train_loss": self.loss_plot.plot(pen=TRAIN_PEN, name="training"),
            "val_loss": self.loss_plot.plot(pen=VAL_PEN, name="validation"),
            "train_accuracy": self.accuracy_plot.plot(pen=TRAIN_PEN, name="training"),
            "val_accuracy": self.accuracy_plot.plot(pen=VAL_PEN, name="validation"),
        }
        for curve in self.curves.values():
            curve.setDownsampling(auto=True, method="peak")
            curve.opts["antialias"] = False
            curve.setClipToView(True)
        self.restored_epoch: int | None = None
        self.restored_lines = [self._restored_line(self.loss_plot, "weights restored"),
                               self._restored_line(self.accuracy_plot, None)]

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.graphics, 1)

    def _make_plot(self, row: int, title: str, label: str, legend_at) -> pg.PlotItem:
        plot = self.graphics.addPlot(row=row, col=0)
        plot.setTitle(title, color="#222", size="10pt")
        plot.setLabel("bottom", "epoch")
        plot.setLabel("left", label)
        # no grid: the axes are cached pixmaps, and a grid would make each one as big as the plot
        legend = plot.addLegend(offset=legend_at, labelTextColor="#222", brush=pg.mkBrush(255, 255, 255, 200))
        legend.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # text is slow to draw
        plot.setMenuEnabled(False)
        style_axes(plot)
        plot.disableAutoRange()  # ranges move in steps (``_fit_ranges``): new ticks every frame cost
        return plot

    @staticmethod
    def _restored_line(plot: pg.PlotItem, label: str | None) -> pg.InfiniteLine:
        line = pg.InfiniteLine(angle=90, movable=False, pen=RESTORED_PEN, label=label,
                               labelOpts={"position": 0.6, "color": RESTORED_COLOR, "anchors": [(0, 0.5), (0, 0.5)]})
        line.setZValue(-1)  # behind the curves
        line.setVisible(False)
        plot.addItem(line, ignoreBounds=True)
        return line

    def mark_restored(self, epoch: int | None) -> None:
        """A line at the epoch whose weights early stopping put back (None: no line)."""
        if epoch == self.restored_epoch:
            return
        self.restored_epoch = epoch
        for line in self.restored_lines:
            line.setVisible(epoch is not None)
            if epoch is not None:
                line.setPos(epoch)
        if epoch is not None and self.restored_lines[0].label is not None:
            self.restored_lines[0].label.setFormat(f"epoch {epoch:,}: weights restored")

    def _set_log(self, on: bool) -> None:
        self.loss_plot.setLogMode(False, on)
        self._loss_top = None
        self._fit_ranges()

    def _fit_ranges(self) -> None:
        """Grow the epoch axis by half again when the curves reach its end, and fit the
        loss axis to the highest loss, so the axes change now and then, not every frame."""
        n = self.buffers.n
        epochs = self.buffers.column("epoch")
        last = float(epochs[-1]) if n else 0.0
        x_max = grown_end(self._x_max, last, least=10.0)
        if x_max != self._x_max:
            self._x_max = x_max
            self.loss_plot.setXRange(0, x_max, padding=0)
        losses = np.concatenate([self.buffers.column("train_loss"), self.buffers.column("val_loss")])
        losses = losses[np.isfinite(losses)]
        if self.log_scale.isChecked():
            positive = losses[losses > 0]
            if len(positive):
                lo, hi = np.log10(positive.min()), np.log10(positive.max())
                top = (np.floor(lo), np.ceil(hi) + 0.01 if hi > lo else np.floor(lo) + 1)
                if top != self._loss_top:
                    self._loss_top = top
                    self.loss_plot.setYRange(*top, padding=0)
            return
        top = _nice(1.05 * min(float(losses.max()), MAX_VIEW)) if len(losses) else 1.0
        if top != self._loss_top:
            self._loss_top = top
            self.loss_plot.setYRange(0, top, padding=0)

    def set_task(self, task: str) -> None:
        """Accuracy means nothing for regression: its plot is hidden there, and RMSE and R²
        are shown beside the loss instead."""
        self.accuracy_plot.setVisible(task != "regression")
        self.regression_numbers.setVisible(task == "regression")
        self.regression_numbers.setText("")

    def set_history(self, history: dict[str, list], initial: dict | None = None) -> None:
        """Show a whole history (after a rebuild or opening a file), from the ``initial``
        measures at epoch 0 if there are any."""
        self.buffers.truncate(0)
        self.buffers.set_initial(initial)
        self.buffers.extend(history)
        self._redraw()

    def set_initial(self, measures: dict | None) -> None:
        """The measures at epoch 0, from a frame: the curves start there (drawn with the
        next rows, or by ``flush``)."""
        if self.buffers.set_initial(measures):
            self.pacer.pending = True

    def append(self, history_from: int, rows: dict[str, list]) -> None:
        """Rows ``history_from`` onwards of the history, from a frame."""
        if not rows.get("epoch"):
            return
        self.buffers.truncate(history_from)
        self.buffers.extend(rows)
        if self.pacer.came(max(1.0 / MAX_REDRAWS_PER_S, self.buffers.n / REDRAWN_EPOCHS_PER_S)):
            self._redraw()

    def flush(self) -> None:
        """Draw the rows that came since the last redraw (the run's end)."""
        if self.pacer.pending:
            self._redraw()

    def _redraw(self) -> None:
        self.pacer.drawn()
        epochs = self.buffers.column("epoch")
        for name, curve in self.curves.items():
            values = self.buffers.column(name)
            if len(values) and np.all(np.isnan(values)):
                curve.setData([], [])
            else:
                curve.setData(*decimated(epochs, values), connect="finite")
        self._fit_ranges()
        self.draws += 1

    def export_item(self):
        return self.graphics.ci
