"""Loss and accuracy per epoch, training and validation, as curves that grow in place.

The history is kept in NumPy buffers that double when full; each snapshot appends
its new rows and hands pyqtgraph views of the filled part (``setData``), with peak
downsampling and clipping to the view so a run of 100 000 epochs stays cheap.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

TRAIN_PEN = pg.mkPen("#0072B2", width=2)
VAL_PEN = pg.mkPen("#D55E00", width=2, style=pg.QtCore.Qt.PenStyle.DashLine)
COLUMNS = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy")


class _Buffers:
    """Growing float columns; None (a value that does not apply) becomes NaN."""

    def __init__(self):
        self.n = 0
        self.data = {name: np.empty(256) for name in COLUMNS}

    def truncate(self, n: int) -> None:
        self.n = min(self.n, n)

    def extend(self, rows: dict[str, list]) -> None:
        count = len(rows.get("epoch", []))
        if not count:
            return
        need = self.n + count
        if need > len(self.data["epoch"]):
            size = max(need, 2 * len(self.data["epoch"]))
            for name in COLUMNS:
                grown = np.empty(size)
                grown[: self.n] = self.data[name][: self.n]
                self.data[name] = grown
        for name in COLUMNS:
            column = rows.get(name) or [None] * count
            self.data[name][self.n:need] = [np.nan if v is None else v for v in column]
        self.n = need

    def column(self, name: str) -> np.ndarray:
        return self.data[name][: self.n]


class CurvesPlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("curvesPlot")
        self.buffers = _Buffers()
        #: how many times the curves were redrawn (the benchmark reads it)
        self.draws = 0

        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setObjectName("logScaleCheck")
        self.log_scale.setToolTip("Show the loss on a logarithmic axis: late, small improvements stay visible.")
        self.log_scale.toggled.connect(self._set_log)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 0, 4, 0)
        bar.addWidget(self.log_scale)
        bar.addStretch(1)

        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setObjectName("curvesGraphics")
        self.graphics.setBackground("w")
        self.loss_plot = self._make_plot(0, "Loss", "loss", (-8, 8))
        self.accuracy_plot = self._make_plot(1, "Accuracy", "accuracy", (-8, -8))
        self.accuracy_plot.setYRange(0, 1.02, padding=0)
        self.accuracy_plot.enableAutoRange(axis="y", enable=False)
        self.accuracy_plot.setXLink(self.loss_plot)
        self.curves = {
            "train_loss": self.loss_plot.plot(pen=TRAIN_PEN, name="training"),
            "val_loss": self.loss_plot.plot(pen=VAL_PEN, name="validation"),
            "train_accuracy": self.accuracy_plot.plot(pen=TRAIN_PEN, name="training"),
            "val_accuracy": self.accuracy_plot.plot(pen=VAL_PEN, name="validation"),
        }
        for curve in self.curves.values():
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)

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
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.addLegend(offset=legend_at, labelTextColor="#222", brush=pg.mkBrush(255, 255, 255, 200))
        plot.setMenuEnabled(False)
        for side in ("left", "bottom"):
            plot.getAxis(side).setPen("#444")
            plot.getAxis(side).setTextPen("#222")
            plot.getAxis(side).enableAutoSIPrefix(False)
        return plot

    def _set_log(self, on: bool) -> None:
        self.loss_plot.setLogMode(False, on)

    def set_task(self, task: str) -> None:
        """Accuracy means nothing for regression: its plot is hidden there."""
        self.accuracy_plot.setVisible(task != "regression")

    def set_history(self, history: dict[str, list]) -> None:
        """Show a whole history (after a rebuild or opening a file)."""
        self.buffers.truncate(0)
        self.buffers.extend(history)
        self._redraw()

    def append(self, history_from: int, rows: dict[str, list]) -> None:
        """Rows ``history_from`` onwards of the history, from a snapshot."""
        if not rows.get("epoch"):
            return
        self.buffers.truncate(history_from)
        self.buffers.extend(rows)
        self._redraw()

    def _redraw(self) -> None:
        epochs = self.buffers.column("epoch")
        for name, curve in self.curves.items():
            values = self.buffers.column(name)
            if len(values) and np.all(np.isnan(values)):
                curve.setData([], [])
            else:
                curve.setData(epochs, values, connect="finite")
        self.draws += 1

    def export_item(self):
        return self.graphics.ci
