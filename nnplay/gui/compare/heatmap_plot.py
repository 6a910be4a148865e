"""The Search window's heatmap: the sweep's metric over two numeric parameters.

A grid search colours one cell per pair of values with the best run in it (over the
other parameters); a random search bins its samples and draws each sample as a point
over the bins, in the same colours. Crosses mark diverged (orange) and failed (red)
runs, a star the best run. Brighter is better: a loss's map runs the other way from
an accuracy's. An axis whose values are log-spaced is logarithmic. Double-clicking a
cell or a point opens that run (``runActivated``). The numbers come from
``nnplay.sweeps.heatmap``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from nnplay.gui.messages import plain_label as plain
from nnplay.gui.plots.style import style_axes, wrapped_label
from nnplay.sweeps.heatmap import Heatmap, heatmap, numeric_paths
from nnplay.sweeps.results import ResultRow, lower_is_better
from nnplay.sweeps.sweepfile import Sweep

METRIC_WORDS = {"train_loss": "training loss", "val_loss": "validation loss",
                "train_accuracy": "training accuracy", "val_accuracy": "validation accuracy"}
MARK_COLORS = {"diverged": "#d55e00", "failed": "#b00020"}
#: how close (in pixels) a double-click must be to a random sample to pick it
PICK_PIXELS = 12


def metric_map(metric: str) -> pg.ColorMap:
    """Viridis, brighter for better: reversed for a loss (a copy: pyqtgraph shares its maps)."""
    positions, colors = pg.colormap.get("viridis").getStops(mode="byte")
    cmap = pg.ColorMap(positions, colors)
    if lower_is_better(metric):
        cmap.reverse()
    return cmap


class HeatmapPlot(QWidget):
    runActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("heatmapPlot")
        self.sweep: Sweep | None = None
        self.rows: list[ResultRow] = []
        self.map: Heatmap | None = None
        self.x_combo, self.y_combo = QComboBox(), QComboBox()
        self.x_combo.setObjectName("heatmapXCombo")
        self.y_combo.setObjectName("heatmapYCombo")
        for combo in (self.x_combo, self.y_combo):
            combo.setToolTip("The parameter along this axis (two numeric parameters of the search).")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self.redraw)
        self.caption = plain(QLabel())
        self.caption.setObjectName("heatmapCaption")
        self.caption.setWordWrap(True)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 0, 4, 0)
        bar.addWidget(QLabel("x"))
        bar.addWidget(self.x_combo)
        bar.addWidget(QLabel("y"))
        bar.addWidget(self.y_combo)
        bar.addStretch(1)

        self._build_plot()
        self.empty = plain(wrapped_label("heatmapEmpty"))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.caption)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.empty, 1)
        self.set_sweep(None, [])

    def _build_plot(self) -> None:
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.graphics.setObjectName("heatmapGraphics")
        self.graphics.setToolTip("Double-click a cell or a point to open that run in the main window.")
        self.plot: pg.PlotItem = self.graphics.addPlot(row=0, col=0)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(False, False)
        style_axes(self.plot, cached=False)
        self.mesh = pg.PColorMeshItem(enableAutoLevels=False)
        self.marks = pg.ScatterPlotItem(symbol="x", size=14, pen=None)
        self.points = pg.ScatterPlotItem(size=9, pen=pg.mkPen("#222", width=1))
        self.star = pg.ScatterPlotItem(symbol="star", size=20, pen=pg.mkPen("#111", width=1.2), brush="w")
        for z, item in enumerate((self.mesh, self.points, self.marks, self.star)):
            item.setZValue(z)
            self.plot.addItem(item)
        self.color_bar = pg.ColorBarItem(values=(0, 1), interactive=False, width=14)
        self.color_bar.axis.enableAutoSIPrefix(False)
        self.graphics.addItem(self.color_bar, row=0, col=1)
        self.graphics.scene().sigMouseClicked.connect(self._clicked)

    # ---- data
    def set_sweep(self, sweep: Sweep | None, rows: list[ResultRow]) -> None:
        """A new search: its numeric parameters fill the axis lists (the first two are shown)."""
        self.sweep, self.rows = sweep, rows
        paths = numeric_paths(sweep) if sweep is not None else []
        for combo, default in ((self.x_combo, 0), (self.y_combo, 1)):
            combo.blockSignals(True)
            combo.clear()
            for path in paths:
                combo.addItem(path, path)
            combo.setCurrentIndex(min(default, len(paths) - 1))
            combo.blockSignals(False)
        self.redraw()

    def set_rows(self, rows: list[ResultRow]) -> None:
        self.rows = rows
        self.redraw()

    def redraw(self, *_args) -> None:
        sweep = self.sweep
        x_path, y_path = self.x_combo.currentData(), self.y_combo.currentData()
        usable = sweep is not None and x_path is not None and y_path is not None and x_path != y_path
        self.graphics.setVisible(usable)
        self.empty.setVisible(not usable)
        self.x_combo.setEnabled(usable)
        self.y_combo.setEnabled(usable)
        if not usable:
            self.map = None
            self.caption.setText("")
            self.empty.setText(self._why_empty(sweep, x_path, y_path))
            return
        self.map = heatmap(sweep, self.rows, x_path, y_path)
        self._draw(self.map)

    def _why_empty(self, sweep, x_path, y_path) -> str:
        if sweep is None:
            return "The heatmap appears when a search has two numeric parameters."
        if self.x_combo.count() >= 2:
            return "Pick two different parameters for the axes."
        return ("The heatmap needs two numeric parameters (a learning rate, a number of units, a penalty, …); "
                "this search has " + (f"only {x_path}." if x_path else "none."))

    def _draw(self, hm: Heatmap) -> None:
        cmap = metric_map(hm.metric)
        known = [v for v in (*hm.z[np.isfinite(hm.z)].ravel(),
                             *(p.metric for p in hm.points if p.metric is not None and p.status not in
                               ("diverged", "failed"))) if np.isfinite(v)]
        lo, hi = (min(known), max(known)) if known else (0.0, 1.0)
        if not hi > lo:
            lo, hi = lo - 0.5, hi + 0.5
        xs, ys = np.meshgrid(hm.x.edges, hm.y.edges)
        self.mesh.setData(xs, ys, hm.z, autoLevels=False)
        self.mesh.setLevels((lo, hi))
        self.mesh.setColorMap(cmap)
        self.color_bar.setColorMap(cmap)
        self.color_bar.setLevels((lo, hi))
        self.color_bar.axis.setLabel(METRIC_WORDS[hm.metric])
        self._draw_marks(hm, cmap, lo, hi)
        for side, axis in (("bottom", hm.x), ("left", hm.y)):
            item = self.plot.getAxis(side)
            if axis.values is not None:  # a grid: each cell's value under it
                item.setLogMode(False)
                centres = (axis.edges[:-1] + axis.edges[1:]) / 2
                item.setTicks([[(c, f"{v:g}") for c, v in zip(centres, axis.values)]])
            else:  # random samples: a continuous axis, in decades where logarithmic
                item.setTicks(None)
                item.setLogMode(axis.log)
            self.plot.setLabel(side, axis.path + ("  (log scale)" if axis.log else ""))
        self.plot.setRange(xRange=(hm.x.edges[0], hm.x.edges[-1]), yRange=(hm.y.edges[0], hm.y.edges[-1]),
                           padding=0.02)
        random = self.sweep.search == "random"
        what = "each cell the best run in it" + (" over the other parameters" if len(self.sweep.parameters) > 2
                                                   else "")
        if random:
            what = "the samples as points, over cells with the best sample in each"
        self.caption.setText(f"{METRIC_WORDS[hm.metric].capitalize()} (brighter is better): {what}. "
                             "× diverged or failed; ★ the best run. Double-click to open a run.")

    def _draw_marks(self, hm: Heatmap, cmap: pg.ColorMap, lo: float, hi: float) -> None:
        centre_x = (hm.x.edges[:-1] + hm.x.edges[1:]) / 2
        centre_y = (hm.y.edges[:-1] + hm.y.edges[1:]) / 2
        random = self.sweep.search == "random"
        spots = []
        if random:
            bad = [p for p in hm.points if p.status in MARK_COLORS]
            spots = [{"pos": (p.x, p.y), "pen": pg.mkPen(MARK_COLORS[p.status], width=2.5)} for p in bad]
            good = [p for p in hm.points if p.status not in MARK_COLORS and p.metric is not None]
            brushes = [pg.mkBrush(cmap.map((p.metric - lo) / (hi - lo), mode="qcolor")) for p in good]
            self.points.setData([p.x for p in good], [p.y for p in good], brush=brushes, data=[p.run for p in good])
        else:
            self.points.setData([], [])
            for row, col in zip(*np.nonzero(hm.marked)):
                status = self._status(int(hm.runs[row, col]))
                spots.append({"pos": (centre_x[col], centre_y[row]),
                              "pen": pg.mkPen(MARK_COLORS.get(status, MARK_COLORS["diverged"]), width=2.5)})
        self.marks.setData(spots)
        best = self._best_point(hm, centre_x, centre_y)
        self.star.setData([best[0]] if best else [], [best[1]] if best else [])

    def _status(self, run: int) -> str | None:
        return self.rows[run].status if 0 <= run < len(self.rows) else None

    def _best_point(self, hm: Heatmap, centre_x, centre_y) -> tuple[float, float] | None:
        if not np.isfinite(hm.z).any():
            return None
        sign = 1 if lower_is_better(hm.metric) else -1
        row, col = np.unravel_index(np.nanargmin(sign * hm.z), hm.z.shape)
        if self.sweep.search == "random":
            run = int(hm.runs[row, col])
            point = next((p for p in hm.points if p.run == run), None)
            return (point.x, point.y) if point else None
        return centre_x[col], centre_y[row]

    # ---- double-click
    def _clicked(self, event) -> None:
        if not event.double() or self.map is None:
            return
        view = self.plot.getViewBox()
        if not view.sceneBoundingRect().contains(event.scenePos()):
            return
        position = view.mapSceneToView(event.scenePos())
        run = self.run_at(position.x(), position.y(), view)
        if run is not None:
            event.accept()
            self.runActivated.emit(run)

    def run_at(self, x: float, y: float, view=None) -> int | None:
        """The run at axis coordinates (x, y): the nearest sample of a random search
        within a few pixels, else the best run of the cell there."""
        hm = self.map
        if hm is None:
            return None
        if self.sweep.search == "random" and hm.points and view is not None:
            here = view.mapViewToScene(pg.Point(x, y))
            nearest = min(hm.points, key=lambda p: (view.mapViewToScene(pg.Point(p.x, p.y)) - here).manhattanLength())
            if (view.mapViewToScene(pg.Point(nearest.x, nearest.y)) - here).manhattanLength() <= PICK_PIXELS:
                return nearest.run
        cell = hm.cell_at(x, y)
        if cell is None or hm.runs[cell] < 0:
            return None
        return int(hm.runs[cell])
