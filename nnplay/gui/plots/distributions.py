"""What the network's numbers look like over the training set, one dense layer at a time:
saturation and sparsity made visible.

A layer picker on top; below it three histograms of that layer, each over the training
set in evaluation mode (``core.distributions``):

- the pre-activations z = xW + b;
- the activations a = f(z), with the saturated bands shaded where f has them (sigmoid's
  and tanh's outputs near their bounds, where f′ has all but vanished);
- the weights W, with a line at 0: L1 piles weights up on it, L2 squeezes them towards it.

The numbers under them (the saturated and dead shares, the weights exactly 0) and their
wording come from core. The worker computes the histograms in its views thread, a few
times a second (``DistributionsFeed.every_s``), only while the dock is on screen; the
plots are created once and updated in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from nnplay.core.distributions import LayerDistribution, TrainingSetDistributions, histogram_titles, summary_lines
from nnplay.core.probes import DISTRIBUTIONS
from nnplay.gui.plots.boundary import PlotView
from nnplay.gui.plots.curves import _nice
from nnplay.gui.plots.style import style_axes, wrapped_label

Z_COLOR, A_COLOR, W_COLOR = "#0072B2", "#D55E00", "#009E73"
SATURATED_BRUSH = pg.mkBrush(120, 120, 120, 50)
#: the histograms stand side by side, not stacked, where their area is lower than this,
#: px (stacked, each plot would keep too little height once its title and axis are
#: drawn: a short dock, as below another or at the window's bottom), or this many times
#: wider than high …
SIDE_BY_SIDE_BELOW_HEIGHT, SIDE_BY_SIDE_ASPECT = 380, 1.6
#: … and at least this wide, px: narrower, three plots with their axes and titles would not fit
SIDE_BY_SIDE_MIN_WIDTH = 420
#: the least height of the histograms' area, px, stacked and side by side: a short dock
#: (below another) takes this much room from its neighbours rather than squash three plots
MIN_HEIGHT_STACKED, MIN_HEIGHT_SIDE_BY_SIDE = 270, 150


#: the room left beside the bars when a histogram's axis is fitted, as a share of their span
X_MARGIN = 0.05


def _still_fits(shown: tuple[float, float], lo: float, hi: float) -> bool:
    """Whether bars from ``lo`` to ``hi`` still read well on an axis showing ``shown``:
    inside it and over half its width. An axis refitted to every picture (the values'
    span changes with each) redrew its text every time: 5-8 ms an axis, three axes a
    picture, in the window's turn."""
    width = shown[1] - shown[0]
    return shown[0] <= lo and hi <= shown[1] and (hi - lo) >= 0.5 * width


@dataclass(frozen=True)
class DistributionsPicture:
    """What the view shows: the distributions and each layer's sentences."""

    distributions: TrainingSetDistributions
    lines: list[list[str]]  #: ``summary_lines`` per dense layer
    titles: list[tuple[tuple[str, str], ...]]  #: ``histogram_titles`` per dense layer


class DistributionsFeed:
    """The Distributions view as the worker sees it (``worker.LiveView``)."""

    name = "distributions"
    needs = frozenset({DISTRIBUTIONS})
    every_s = 0.25  # a pass over the whole training set: a few times a second is plenty to read

    def __init__(self, plot: "DistributionsPlot"):
        self.plot = plot

    def prepare(self, results: dict[str, Any], _snapshot) -> DistributionsPicture:
        found = results[DISTRIBUTIONS]
        return DistributionsPicture(found, [summary_lines(layer, found.points) for layer in found.layers],
                                    [histogram_titles(layer) for layer in found.layers])

    def show(self, picture: DistributionsPicture) -> None:
        self.plot.show_picture(picture)


class HistogramPlot:
    """One histogram plot: a filled step curve, its ranges moved only when they must."""

    def __init__(self, plot: pg.PlotItem, color: str):
        self.plot = plot
        fill = pg.mkColor(color)
        fill.setAlpha(110)
        self.curve = plot.plot(stepMode="center", fillLevel=0, pen=pg.mkPen(color, width=1), brush=pg.mkBrush(fill))
        self._x_range: tuple[float, float] | None = None
        self._top = 0.0
        self._title = ""

    def set_title(self, title: tuple[str, str], wrapped: bool = False) -> None:
        """``title``: (what, detail), on one line, or on two (``wrapped``) where the plot is narrow."""
        what, detail = title
        shown = what if not detail else f"{what}<br>{detail}" if wrapped else f"{what} · {detail}"
        if shown != self._title:  # a new title relayouts the plot: only when it changes
            self._title = shown
            self.plot.setTitle(shown, color="#222", size="8pt" if wrapped else "9pt")

    def set_counts(self, edges: np.ndarray, counts: np.ndarray) -> None:
        self.curve.setData(edges, counts.astype(float))
        lo, hi = float(edges[0]), float(edges[-1])
        if self._x_range is None or not _still_fits(self._x_range, lo, hi):
            margin = X_MARGIN * (hi - lo)
            self._x_range = (lo - margin, hi + margin)
            self.plot.setXRange(*self._x_range, padding=0)
        peak = float(counts.max()) if counts.size else 0.0
        if peak > self._top or peak < 0.4 * self._top:  # a new top only when the bars outgrow or shrink far below it
            self._top = _nice(max(1.0, 1.2 * peak))
            self.plot.setYRange(0, self._top, padding=0)

    @property
    def counts(self) -> np.ndarray:
        _x, y = self.curve.getData()
        return np.zeros(0) if y is None else np.asarray(y)


class DistributionsPlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("distributionsPlot")
        self.picture: DistributionsPicture | None = None
        self.side_by_side = False  #: the histograms in a row (a wide, short dock), not stacked
        self._texts: tuple[str, str] = ("", "")  # the source and summary shown
        #: how many times the plots were redrawn (tests read it)
        self.draws = 0
        self.feed = DistributionsFeed(self)

        self.picker = QComboBox(objectName="distributionsLayerPicker")
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.picker.setToolTip("The dense layer whose pre-activations, activations and weights are shown.")
        self.picker.currentIndexChanged.connect(self._redraw)
        picker_label = QLabel("&Layer:")
        picker_label.setBuddy(self.picker)
        self.source = wrapped_label("distributionsSource")
        top = QHBoxLayout()
        top.setContentsMargins(4, 2, 4, 0)
        top.addWidget(picker_label)
        top.addWidget(self.picker)
        top.addWidget(self.source, 1)

        self.graphics = PlotView()
        self.graphics.setObjectName("distributionsGraphics")
        self.graphics.setBackground("w")
        self.graphics.setAntialiasing(False)
        self.graphics.setMinimumHeight(MIN_HEIGHT_STACKED)
        self.z = HistogramPlot(self._make_plot(0, "Pre-activations z = xW + b"), Z_COLOR)
        self.a = HistogramPlot(self._make_plot(1, "Activations a = f(z)"), A_COLOR)
        self.w = HistogramPlot(self._make_plot(2, "Weights W"), W_COLOR)
        self.z.plot.setToolTip(
            "How many of the layer's z values (every training point × every unit) fall in each bin. "
            "Far out on either side, a sigmoid or tanh unit saturates.")
        self.a.plot.setToolTip(
            "The layer's outputs over the training set. The grey bands are where f is saturated: "
            "there f′(z) is all but 0, so little gradient flows back through those units.")
        self.w.plot.setToolTip(
            "The layer's weights. L1 (λ₁ Σ|w|) pulls each weight towards 0 by the same step and piles "
            "them up on 0; L2 (λ₂ Σw²) shrinks every weight in proportion, so the whole histogram narrows.")
        self.saturated_bands = [pg.LinearRegionItem(movable=False, brush=SATURATED_BRUSH, pen=pg.mkPen(None))
                                for _ in range(2)]
        for band in self.saturated_bands:
            band.setZValue(-10)
            self.a.plot.addItem(band)
        self.w.plot.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen("#444", width=1, style=Qt.PenStyle.DashLine)))

        self.summary = wrapped_label("distributionsSummary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.summary)

    def _make_plot(self, row: int, title: str) -> pg.PlotItem:
        plot = self.graphics.addPlot(row=row, col=0)
        plot.setTitle(title, color="#222", size="9pt")  # it names the axis: no label below, the height is dear
        plot.setLabel("left", "count")
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(False, False)
        style_axes(plot)
        plot.disableAutoRange()  # ranges move with the bins and by nice steps, not every frame
        return plot

    # ---- every frame
    def show_picture(self, picture: DistributionsPicture) -> None:
        """New distributions: the layer list follows the network, the chosen layer stays."""
        self.picture = picture
        titles = [layer.title for layer in picture.distributions.layers]
        if titles != [self.picker.itemText(i) for i in range(self.picker.count())]:
            keep = self.picker.currentIndex()
            with QSignalBlocker(self.picker):
                self.picker.clear()
                self.picker.addItems(titles)
                self.picker.setCurrentIndex(min(max(keep, 0), len(titles) - 1))
        self._redraw()

    @property
    def layer(self) -> LayerDistribution | None:
        """The chosen layer's distributions, as last shown."""
        index = self.picker.currentIndex()
        if self.picture is None or not 0 <= index < len(self.picture.distributions.layers):
            return None
        return self.picture.distributions.layers[index]

    def _redraw(self) -> None:
        layer = self.layer
        if layer is None:
            return
        index = self.picker.currentIndex()
        self.z.set_counts(layer.z.edges, layer.z.counts)
        self.a.set_counts(layer.a.edges, layer.a.counts)
        self.w.set_counts(layer.weights.edges, layer.weights.counts)
        self._show_titles()
        self._show_saturation(layer)
        source = f"{self.picture.distributions.source[0].upper()}{self.picture.distributions.source[1:]}."
        texts = (source, "\n".join(self.picture.lines[index]))
        if texts != self._texts:  # a new text relayouts the dock: only when it changes
            self._texts = texts
            self.source.setText(texts[0])
            self.summary.setText(texts[1])
        self.draws += 1

    def _show_titles(self) -> None:
        if self.layer is None:
            return
        for histogram, title in zip((self.z, self.a, self.w), self.picture.titles[self.picker.currentIndex()]):
            histogram.set_title(title, wrapped=self.side_by_side)

    # ---- layout
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """Stacked in a tall dock, side by side in a wide and short one."""
        width, height = self.graphics.width(), self.graphics.height()
        side_by_side = width >= SIDE_BY_SIDE_MIN_WIDTH and (height < SIDE_BY_SIDE_BELOW_HEIGHT
                                                            or width >= SIDE_BY_SIDE_ASPECT * height)
        if side_by_side == self.side_by_side:
            return
        self.side_by_side = side_by_side
        self.graphics.setMinimumHeight(MIN_HEIGHT_SIDE_BY_SIDE if side_by_side else MIN_HEIGHT_STACKED)
        layout = self.graphics.ci
        for i, histogram in enumerate((self.z, self.a, self.w)):
            layout.removeItem(histogram.plot)
            layout.addItem(histogram.plot, row=0 if side_by_side else i, col=i if side_by_side else 0)
            histogram.plot.getAxis("left").showLabel(not side_by_side)  # in a row, width is dear ("count": the tooltips)
        self._show_titles()

    def _show_saturation(self, layer: LayerDistribution) -> None:
        bounds = layer.saturation_bounds
        if bounds is None:
            for band in self.saturated_bands:
                band.hide()
            return
        low, high = float(layer.a.edges[0]), float(layer.a.edges[-1])
        for band, region in zip(self.saturated_bands, ((low, bounds[0]), (bounds[1], high))):
            band.setRegion(region)
            band.setVisible(region[1] > region[0])  # hard tanh's bands are its bounds alone: nothing to shade

    def export_item(self):
        return self.graphics.ci
