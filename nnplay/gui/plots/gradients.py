"""How big the weight gradients are in each dense layer: vanishing and exploding
gradients made visible.

Each snapshot brings RMS(∂J/∂W) = sqrt(mean of the squared entries) per dense layer,
first to output, on the batch trained last (``worker.dense_gradient_rms``). One batch
is noisy, so the plot smooths the log of it over the last few snapshots
(``SMOOTHING``) and shows it twice, on a log axis:

- bars, one per layer, as it is now: through saturated sigmoid or tanh layers the
  first layers' bars sink decades below the output layer's (each saturated unit
  multiplies the back-propagated gradient by f'(z) ≈ 0);
- curves of the same values over the epochs, in the bars' colours.

Both plots share one y axis (pyqtgraph's log mode puts log10 of the data in view
coordinates, so the bars are drawn at log10 heights by hand). Nothing is drawn while
the plot is hidden (its dock closed or behind another tab); it catches up when shown.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from nnplay.core.gradient_sizes import dense_layer_labels, dense_layer_numbers, gradient_summary
from nnplay.gui.plots.boundary import PlotView
from nnplay.gui.plots.curves import RedrawPacer, grown_end
from nnplay.gui.plots.style import style_axes, wrapped_label

#: weight of the newest snapshot in the running mean of log10 RMS (about the last 5)
SMOOTHING = 0.2
#: the smallest RMS drawn: a zero gradient (a dead ReLU layer) sits on this floor
FLOOR = 1e-16


def layer_colors(n: int) -> list:
    """First layer dark blue through green to the output layer's yellow-green (viridis)."""
    cmap = pg.colormap.get("viridis")
    return [cmap.map(t, mode="qcolor") for t in np.linspace(0.0, 0.8, max(n, 1))][:n]


class GradientsPlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("gradientsPlot")
        self.labels: list[str] = []
        self._numbers: list[int] = []  # the dense layers' numbers as users read them
        self.activations: list[str] = []
        self.smoothed: np.ndarray | None = None  #: log10 RMS per layer, smoothed; NaN before data
        self._updates_per_epoch = 1
        self._n = 0
        self._x = np.empty(256)
        self._y = np.empty((256, 0))
        self._x_max = self._y_range = None
        self._ratio_text = ""
        self._shown = False  # on screen (not behind another dock's tab): set by the window
        #: how many times the plots were redrawn (tests read it)
        self.draws = 0
        self.pacer = RedrawPacer()  # as often as the loss curves at most: a frame's other pictures come first

        self.summary = wrapped_label("gradientsSummary")
        self.summary.setToolTip(
            "How the first dense layer's gradient compares with the output layer's. Many "
            "decades apart: the first layers barely move (vanishing gradients); try tanh or "
            "ReLU instead of sigmoid, fewer layers, or batch norm.")
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 0, 4, 0)
        bar.addWidget(self.summary, 1)

        self.graphics = PlotView()
        self.graphics.setObjectName("gradientsGraphics")
        self.graphics.setBackground("w")
        self.graphics.setAntialiasing(False)
        self.graphics.setToolTip(
            "RMS of ∂J/∂W, the gradient of the loss with respect to each dense layer's weights, "
            "on the latest batch (smoothed), on a log axis. Backpropagation multiplies the "
            "gradient by f'(z) at every layer it passes through; saturated sigmoid or tanh "
            "units have f'(z) ≈ 0, so the layers far from the output get a vanishing gradient.")
        self.bar_plot = self._make_plot(0, "RMS of ∂J/∂W per dense layer, now", "dense layer")
        self.curve_plot = self._make_plot(1, "… over the epochs (same colours)", "epoch")
        self.curve_plot.setLogMode(False, True)
        self.curve_plot.setYLink(self.bar_plot)
        self.bar_plot.getAxis("left").setLogMode(False, True)
        self.bars = pg.BarGraphItem(x=[], y0=[], y1=[], width=0.6)
        self.bar_plot.addItem(self.bars)
        self.curves: list[pg.PlotDataItem] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.graphics, 1)

    def _make_plot(self, row: int, title: str, bottom: str) -> pg.PlotItem:
        plot = self.graphics.addPlot(row=row, col=0)
        plot.setTitle(title, color="#222", size="10pt")
        plot.setLabel("bottom", bottom)
        plot.setLabel("left", "RMS ∂J/∂W")
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(False, False)
        style_axes(plot)
        plot.disableAutoRange()  # ranges move in whole decades and nice epochs, not every frame
        return plot

    # ---- a new network
    def set_network(self, activations: list[str], updates_per_epoch: int,
                    layer_types: list[str] | None = None) -> None:
        """One bar and one curve per dense layer (``activations`` first to output); clears.
        ``layer_types``: every layer's type, so the bars carry the layers' own numbers."""
        n = len(activations)
        layer_types = layer_types if layer_types is not None else ["dense"] * n
        # numbers only: "6 sigmoid" under each of 7 bars would run into each other
        self.labels = dense_layer_labels(layer_types)
        self._numbers = dense_layer_numbers(layer_types)
        self.activations = list(activations)
        self._updates_per_epoch = max(1, updates_per_epoch)
        self.smoothed = np.full(n, np.nan)
        self._n = 0
        self._y = np.empty((len(self._x), n))
        self._x_max = self._y_range = None
        colors = layer_colors(n)
        self._brushes = [pg.mkBrush(c) for c in colors]
        for curve in self.curves:
            self.curve_plot.removeItem(curve)
        self.curves = []
        for color in colors:
            curve = self.curve_plot.plot(pen=pg.mkPen(color, width=1))
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            self.curves.append(curve)
        self.bar_plot.getAxis("bottom").setTicks([list(enumerate(self.labels))])
        kinds = sorted(set(activations[:-1]))
        hidden = f"hidden {', '.join(kinds)}" if kinds else "no hidden layer"
        self.bar_plot.setLabel("bottom", f"dense layer, input → output ({hidden})")
        self.bar_plot.setXRange(-0.6, n - 0.4, padding=0)
        self._ratio_text = ""
        self.summary.setText("Press play: each dense layer's gradient size appears here.")
        self._redraw()
        self.pacer.restart()  # the first values show at once

    # ---- every snapshot
    def add(self, epoch: int, update_in_epoch: int, rms: np.ndarray | None) -> None:
        """The RMS gradients of one snapshot, taken ``update_in_epoch`` updates into ``epoch + 1``."""
        if rms is None or self.smoothed is None or len(rms) != len(self.smoothed):
            return
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.log10(np.maximum(rms, FLOOR))
        fresh = np.isnan(self.smoothed)
        logs = np.where(np.isfinite(logs), logs, self.smoothed)  # inf/NaN (diverging): keep the last
        self.smoothed = np.where(fresh, logs, self.smoothed + SMOOTHING * (logs - self.smoothed))
        if self._n == len(self._x):
            self._x = np.concatenate([self._x, np.empty(len(self._x))])
            self._y = np.concatenate([self._y, np.empty(self._y.shape)])
        self._x[self._n] = epoch + update_in_epoch / self._updates_per_epoch
        self._y[self._n] = 10.0 ** self.smoothed
        self._n += 1
        if not (self._shown and self.isVisible()):
            self.pacer.pending = True  # drawn when shown (``set_shown``)
        elif self.pacer.came():
            self._redraw()

    def flush(self) -> None:
        """Draw the values that came since the last redraw (the run's end)."""
        if self.pacer.pending and self._shown and self.isVisible():
            self._redraw()

    def set_shown(self, shown: bool) -> None:
        """Whether the plot is on screen (its dock's ``visibilityChanged``, which follows tabs)."""
        self._shown = shown
        if shown:
            self._redraw()  # it skipped the snapshots that came while hidden

    def _redraw(self) -> None:
        values = self.smoothed
        if values is None:
            return
        self.pacer.drawn()
        known = values[np.isfinite(values)]
        if len(known):
            lo, hi = math.floor(known.min()) - 1, math.ceil(known.max() + 0.01)
            if self._y_range is None or lo < self._y_range[0] or hi > self._y_range[1] \
                    or lo > self._y_range[0] + 2 or hi < self._y_range[1] - 2:
                self._y_range = (lo, hi)
                self.bar_plot.setYRange(lo, hi, padding=0)
            base = self._y_range[0]
            shown = np.isfinite(values)
            self.bars.setOpts(x=np.flatnonzero(shown), y0=base, y1=values[shown], width=0.6,
                              brushes=[b for b, s in zip(self._brushes, shown) if s], pen=pg.mkPen("#444"))
            self._summarize(values)
        else:
            self.bars.setOpts(x=[], y0=[], y1=[])
        xs = self._x[: self._n]
        for i, curve in enumerate(self.curves):
            curve.setData(xs, self._y[: self._n, i])
        last = float(xs[-1]) if self._n else 0.0
        x_max = grown_end(self._x_max, last, least=1.0)
        if x_max != self._x_max:
            self._x_max = x_max
            self.curve_plot.setXRange(0, x_max, padding=0)
        self.draws += 1

    def _summarize(self, values: np.ndarray) -> None:
        text = gradient_summary(values, self._numbers)  # the rule is core's
        if text != self._ratio_text:  # a new text relayouts the dock: only when it changes
            self._ratio_text = text
            self.summary.setText(text)

    def current_rms(self) -> np.ndarray | None:
        """The bars' values as RMS (a copy), first layer to output; NaN where none yet."""
        return None if self.smoothed is None else 10.0 ** self.smoothed
