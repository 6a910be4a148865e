"""Pre-training made visible: each hidden layer's reconstruction loss, and what the first
layer's autoencoder does to the data.

- Top: the reconstruction loss Σ_j (R_j − H_j)² over the training set after each
  pre-training epoch, one curve per hidden layer (in the gradient plot's colours), x the
  layer's own pre-training epoch, on a log axis: each layer's curve falls on its own.
- Bottom, on 2-D data: every training point H (the first layer's input), the point the
  layer is given (H itself, or H plus noise when denoising) and its reconstruction R,
  joined by a short line. Before pre-training it shows the decoder the layer starts from
  (V = Wᵀ); while the first layer pre-trains the lines shrink as it learns to reproduce
  its input; with noise, each line runs from a shaken point back towards the data. After
  the first layer, the picture stays as that layer left it (its decoder is then gone).

The data come with the window's snapshots (``core.pretraining_progress.snapshot``);
everything is created once and updated in place. The picture is drawn while the tab
is on screen; behind another tab the newest one waits for it.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from nnplay.core.history import PRETRAINING_COLUMNS
from nnplay.gui.plots.boundary import PlotView
from nnplay.gui.plots.gradients import layer_colors
from nnplay.gui.plots.style import style_axes, wrapped_label

CLEAN_BRUSH = pg.mkBrush(150, 150, 150, 140)
GIVEN_PEN = pg.mkPen("#0072B2", width=1)
OUTPUT_BRUSH = pg.mkBrush("#D55E00")
LINE_PEN = pg.mkPen(90, 90, 90, 160, width=1)


class PretrainingPlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pretrainingPlot")
        self.layers: list[int] = []  #: indices in ``layers`` of the hidden layers, in order
        self.rows: dict[str, list] = {name: [] for name in PRETRAINING_COLUMNS}
        self.picture_layer: int | None = None  #: the layer the reconstruction picture shows
        #: whether the tab is on screen (the window says): off screen, the newest picture
        #: waits in ``_waiting`` and is drawn when the tab comes (drawing one costs ~2 ms)
        self.on_screen = True
        self._waiting = None
        #: how many times the plots were redrawn (tests read it)
        self.draws = 0

        self.summary = wrapped_label("pretrainingSummary")
        self.graphics = PlotView()
        self.graphics.setObjectName("pretrainingGraphics")
        self.graphics.setBackground("w")
        self.graphics.setAntialiasing(False)
        self.loss_plot = self._make_plot(0, "Reconstruction loss per hidden layer", "pre-training epoch of the layer",
                                         "Σ (R − H)²")
        self.loss_plot.setLogMode(False, True)
        self.legend = self.loss_plot.addLegend(offset=(-4, 4), labelTextColor="#222",
                                               brush=pg.mkBrush(255, 255, 255, 200))
        self.curves: list[pg.PlotDataItem] = []
        self.view_plot = self._make_plot(1, "First hidden layer: point → reconstruction", "h₁", "h₂")
        self.view_plot.setAspectLocked(True)
        self.lines = pg.PlotDataItem(pen=LINE_PEN, connect="pairs")
        self.clean = pg.ScatterPlotItem(size=4, pen=None, brush=CLEAN_BRUSH)
        self.given = pg.ScatterPlotItem(size=6, pen=GIVEN_PEN, brush=None)
        self.output = pg.ScatterPlotItem(size=5, pen=None, brush=OUTPUT_BRUSH)
        for item in (self.lines, self.clean, self.given, self.output):
            self.view_plot.addItem(item)
        self.view_plot.setToolTip(
            "The first hidden layer as an autoencoder, on the training points: hollow blue, what the layer "
            "is given (with denoising, the point plus noise); orange, its reconstruction R = g(C·V + c); "
            "grey, the clean point it must reproduce. Short lines: a layer that has learned the data.")
        self.caption = wrapped_label("reconstructionCaption")
        self.caption.setTextFormat(Qt.TextFormat.RichText)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(2)
        layout.addWidget(self.summary)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.caption)

    def _make_plot(self, row: int, title: str, bottom: str, left: str) -> pg.PlotItem:
        plot = self.graphics.addPlot(row=row, col=0)
        plot.setTitle(title, color="#222", size="10pt")
        plot.setLabel("bottom", bottom)
        plot.setLabel("left", left)
        plot.setMenuEnabled(False)
        style_axes(plot)
        return plot

    # ---- a new network
    def set_network(self, layers: list[int], labels: list[str]) -> None:
        """One curve per hidden layer (``layers`` their indices, ``labels`` how they read)."""
        self.layers = list(layers)
        for curve in self.curves:
            self.loss_plot.removeItem(curve)
        self.legend.clear()
        self.curves = []
        for index, label, color in zip(layers, labels, layer_colors(len(layers) + 1)):
            curve = self.loss_plot.plot(pen=pg.mkPen(color, width=2), name=f"layers[{index}]: {label}")
            self.curves.append(curve)
        self.rows = {name: [] for name in PRETRAINING_COLUMNS}
        self._clear_picture()
        self._redraw_curves()

    def show_text(self, text: str) -> None:
        self.summary.setText(text)

    # ---- every snapshot
    def update_from(self, snap) -> None:
        """A ``PretrainingSnapshot``: new loss rows, and the first layer's picture if it has one."""
        if snap is None:
            return
        if snap.rows.get("layer"):
            for name in PRETRAINING_COLUMNS:
                self.rows[name] = self.rows[name][:snap.rows_from] + list(snap.rows[name])
            self._redraw_curves()
        if snap.reconstruction is not None:
            self._waiting = snap.reconstruction
            if self.on_screen:
                self.draw_waiting()

    def set_on_screen(self, shown: bool) -> None:
        self.on_screen = shown
        if shown:
            self.draw_waiting()

    def draw_waiting(self) -> None:
        """Draw the newest picture that came while the tab was off screen, if any."""
        rec, self._waiting = self._waiting, None
        if rec is not None:
            self._show_picture(rec)

    def set_rows(self, table: dict[str, list] | None) -> None:
        """A whole history's table (after opening a file or a rebuild)."""
        self.rows = {name: list((table or {}).get(name, [])) for name in PRETRAINING_COLUMNS}
        self._redraw_curves()

    def _redraw_curves(self) -> None:
        layer_of = self.rows["layer"]
        for index, curve in zip(self.layers, self.curves):
            picked = [i for i, layer in enumerate(layer_of) if layer == index]
            epochs = np.array([self.rows["epoch"][i] for i in picked], dtype=float)
            losses = np.array([np.nan if self.rows["train_loss"][i] is None else self.rows["train_loss"][i]
                               for i in picked], dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                losses = np.where(losses > 0, losses, np.nan)  # a log axis has no 0
            curve.setData(epochs, losses, connect="finite")
        self.draws += 1

    def _show_picture(self, rec) -> None:
        self.picture_layer = rec.layer
        n = len(rec.given)
        pairs = np.empty((2 * n, 2), dtype=np.float32)
        pairs[0::2], pairs[1::2] = rec.given, rec.output
        finite = np.isfinite(pairs).all(axis=1)
        pairs[~finite] = np.nan
        self.lines.setData(pairs[:, 0], pairs[:, 1], connect="pairs")
        if rec.noise > 0:  # the clean points differ from the given ones only with noise
            self.clean.setData(rec.clean[:, 0], rec.clean[:, 1])
        else:
            self.clean.setData([], [])
        self.given.setData(*rec.given.T)
        self.output.setData(*np.where(np.isfinite(rec.output), rec.output, np.nan).T)
        self.view_plot.setTitle(f"layers[{rec.layer}]: point → reconstruction", color="#222", size="10pt")
        given = f"H plus noise σ = {rec.noise:g}" if rec.noise > 0 else "H"
        clean = ", <span style='color:#969696'>●</span> the clean H it must give back" if rec.noise > 0 else ""
        self.caption.setText(f"<span style='color:#0072B2'>○</span> what the layer is given ({given}), "
                             f"<span style='color:#D55E00'>●</span> its reconstruction R{clean}; "
                             f"loss Σ(R − H)² {_number(rec.loss)} on these points.")
        self._fit_picture(rec)
        self.draws += 1

    def _fit_picture(self, rec) -> None:
        points = np.concatenate([rec.clean, rec.given]).astype(np.float64)  # pyqtgraph's limits overflow float32
        points = points[np.isfinite(points).all(axis=1)]
        if len(points):
            (x0, y0), (x1, y1) = points.min(axis=0).tolist(), points.max(axis=0).tolist()
            pad = 0.1 * max(x1 - x0, y1 - y0, 1e-3)
            self.view_plot.setRange(xRange=(x0 - pad, x1 + pad), yRange=(y0 - pad, y1 + pad), padding=0)

    def _clear_picture(self, why: str = "") -> None:
        self.picture_layer = None
        self._waiting = None
        for item in (self.lines, self.clean, self.given, self.output):
            item.setData([], [])
        self.view_plot.setTitle("First hidden layer: point → reconstruction", color="#222", size="10pt")
        self.caption.setText(why)

    def explain_no_picture(self, why: str) -> None:
        """Say why there is no reconstruction picture (a first layer with other than 2 inputs)."""
        self._clear_picture(why)

    def export_item(self):
        return self.graphics.ci


def _number(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else "—"
