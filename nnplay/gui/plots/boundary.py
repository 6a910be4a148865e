"""The decision-boundary plot: the network's output over the input plane, with the data.

Built once; a frame changes one image, a rebuild the points and the mode
(``set_experiment``). While training, the worker's views thread colours the network's
output into an RGBA image (``BoundaryFeed.prepare``, with the ``Palette`` the plot froze
for it), so the GUI thread only hands the image over (``show_picture``). Modes, by task
and input width:

- ``binary``: a diverging map of the output, class 0 blue → white → class 1 orange,
  centred on the decision threshold (a probability for ``nll``, the raw output for
  ``hinge`` and ``squared``);
- ``classes`` (3 to 6 classes): each class's colour blended by its probability;
- ``value`` (2-D regression): a heat map of the predicted value;
- ``curve`` (1-D inputs): the fitted curve over the points.

The picture fills the plot: the window gives it a grid shaped to the plot
(``grid.grid_for``'s ``aspect``), asked for again through ``shapeChanged`` when the
plot's shape changes; each picture goes where the grid it was made on lies, so a
frame made before a resize is never stretched.

A left click asks to add a point there and a right click to remove the nearest one
(``addPointRequested``/``removePointRequested``); the window turns them into edits.
While ``picking`` (Step Through Backprop is choosing a point) a left click asks for the
training point there instead (``pickRequested``); ``mark_points`` rings the points
being traced.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QGraphicsItem, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from nnplay.core.losses import LOSSES
from nnplay.core.probes import GRID
from nnplay.gui.plots.colors import CLASS_COLORS, binary_map, blend_classes, class_rgb, value_map
from nnplay.gui.plots.grid import Grid, grid_extent
from nnplay.gui.plots.style import wrapped_label

#: bands a discretized regression heat map is cut into
VALUE_BANDS = 10
#: how far (as a share) the plot's shape may drift from its grid's before a new grid is asked for
ASPECT_TOLERANCE = 0.01


@dataclass(frozen=True)
class Palette:
    """How outputs become colours: what the views thread needs to colour a frame,
    frozen so it never sees a half-changed plot."""

    mode: str = "binary"
    levels: tuple[float, float] = (0.0, 1.0)
    threshold: float = 0.5
    lut: np.ndarray | None = None  #: ``(256, 4)`` uint8 RGBA
    discrete: bool = False
    class_rgb: np.ndarray | None = None  #: ``(6, 3)`` class colours in 0..1


@dataclass(frozen=True)
class Picture:
    """The network's output on a grid, and its colours (None for the 1-D curve)."""

    values: np.ndarray  #: ``(n, outputs)`` float32
    shape: tuple[int, ...]  #: the grid's ``(ny, nx)``
    xs: np.ndarray  #: the grid's x1 values along a row
    rgba: np.ndarray | None
    palette: Palette
    #: ``(x0, y0, width, height)`` in data units: where the image goes (None for the curve)
    extent: tuple[float, float, float, float] | None = None


def colour(values: np.ndarray, shape: tuple[int, ...], palette: Palette) -> np.ndarray | None:
    """``(ny, nx, 4)`` uint8 RGBA for outputs ``values`` on a grid; None in curve mode.
    NumPy only: the views thread calls it while training."""
    if palette.mode == "curve":
        return None
    if palette.mode == "classes":
        probs = values.reshape(*shape, -1)
        if palette.discrete:
            probs = np.eye(probs.shape[-1], dtype=np.float32)[probs.argmax(axis=-1)]
        return blend_classes(probs, palette.class_rgb)
    image = values[:, 0].reshape(shape)
    lo, hi = palette.levels
    if palette.discrete and palette.mode == "binary":
        image = np.where(image > palette.threshold, hi, lo)
    elif palette.discrete:
        step = (hi - lo) / VALUE_BANDS
        image = lo + step * (np.floor((image - lo) / step) + 0.5)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = np.nan_to_num((image - lo) * (255.0 / (hi - lo)), nan=0.0, posinf=255.0, neginf=0.0)
    return palette.lut[np.clip(scaled, 0, 255).astype(np.uint8)]


def picture_of(values: np.ndarray, shape: tuple[int, ...], xs: np.ndarray, palette: Palette,
               extent: tuple[float, float, float, float] | None = None) -> Picture:
    values = np.asarray(values, dtype=np.float32)  # a new array: shared with no other thread
    return Picture(values, tuple(shape), xs, colour(values, shape, palette), palette, extent)


class BoundaryFeed:
    """The boundary plot as the worker sees it (``worker.LiveView``)."""

    name = "boundary"
    needs = frozenset({GRID})
    every_s = 0.0

    def __init__(self, plot: "BoundaryPlot"):
        self.plot = plot
        self.palette = Palette()  #: replaced by the plot (GUI thread), read here (views thread)

    def prepare(self, results: dict[str, Any], _snapshot) -> Picture:
        grid = results[GRID]
        xs = grid.points[: grid.shape[-1], 0]
        extent = grid_extent(grid.points, grid.shape) if grid.points.shape[1] == 2 else None
        return picture_of(grid.output, grid.shape, xs, self.palette, extent)

    def show(self, picture: Picture) -> None:
        self.plot.show_picture(picture)


class PlotView(pg.GraphicsLayoutWidget):
    """A pyqtgraph view that reports what its paints cost and paints in the window's turn.

    ``paint_cost`` is told the CPU seconds of each paint (the window counts them
    against the frame budget); ``turn`` (``worker.WindowTurn``) is held while it paints,
    so a training loop that is nearly all Python steps aside instead of taking the
    interpreter lock back between each of the paint's calls into Python."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.paint_cost: Callable[[float], None] | None = None
        self.turn = None

    def paintEvent(self, event):
        started = time.thread_time()
        with self.turn.held() if self.turn is not None else contextlib.nullcontext():
            super().paintEvent(event)
        if self.paint_cost is not None:
            self.paint_cost(time.thread_time() - started)


def _ring(item: pg.ScatterPlotItem, xs, ys) -> None:
    """Set the points a ring layer circles, hidden while there are none: an empty
    pyqtgraph item still runs its Python ``paint`` every time the plot repaints."""
    item.setData(xs, ys)
    item.setVisible(len(xs) > 0)


def _same_image(shown: np.ndarray | None, rgba: np.ndarray) -> bool:
    return shown is not None and shown.shape == rgba.shape and np.array_equal(shown, rgba)


def _mode(task: str, dims: int) -> str:
    if dims == 1:
        return "curve"
    return {"binary": "binary", "multiclass": "classes"}.get(task, "value")


class BoundaryPlot(QWidget):
    addPointRequested = Signal(float, float)
    removePointRequested = Signal(float, float)
    #: a left click while ``picking``: the place clicked
    pickRequested = Signal(float, float)
    #: the plot's shape changed: a grid shaped to ``aspect()`` would fill it (2-D only)
    shapeChanged = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("boundaryPlot")
        self.mode = "binary"
        self.grid: Grid | None = None
        self._picture: Picture | None = None
        self._threshold, self._levels = 0.5, (0.0, 1.0)
        self._rect = None  # where the image goes; set after each new image size
        self.feed = BoundaryFeed(self)
        #: how many times the image was replaced (tests and the benchmark read it)
        self.draws = 0
        #: a left click picks a point (``pickRequested``) instead of adding one
        self.picking = False
        self._hint = ""

        self.discretize = QCheckBox("Discretize output")
        self.discretize.setObjectName("discretizeCheck")
        self.discretize.setToolTip(
            "Show only the decision: each point of the plane in the colour of the class the "
            "network picks, instead of shading by how sure it is.")
        self.discretize.toggled.connect(self._redraw)
        self.show_validation = QCheckBox("Show validation points")
        self.show_validation.setObjectName("showValidationCheck")
        self.show_validation.setChecked(True)
        self.show_validation.setToolTip(
            "Draw the held-out validation points (diamonds with a dark outline). The network "
            "never trains on them; they show how well it generalizes.")
        self.show_validation.toggled.connect(self._set_validation_visible)
        # a line of its own under the check boxes, wrapped when the plot is narrow: never cut,
        # and it never widens the plot
        self.hint = wrapped_label("boundaryHint")
        self.hint.setStyleSheet("color: #555;")
        self.hint.setContentsMargins(4, 0, 4, 0)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 0, 4, 0)
        bar.addWidget(self.discretize)
        bar.addWidget(self.show_validation)
        bar.addStretch(1)

        self.graphics = PlotView()
        self.graphics.setObjectName("boundaryGraphics")
        self.graphics.setBackground("w")
        # the image and the cached axes need no antialiasing (it slows scaling the image);
        # the points are pre-drawn antialiased sprites and the 1-D curve asks for it itself
        self.graphics.setAntialiasing(False)
        self.graphics.setToolTip(
            "The network's output over the input plane, with the data on top. Circles train, "
            "diamonds are held out for validation.")
        self.plot: pg.PlotItem = self.graphics.addPlot(row=0, col=0)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(False, False)
        self.plot.showGrid(False, False)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setPen("#444")
            self.plot.getAxis(side).setTextPen("#222")
            # an axis repaints its text on every frame otherwise; as a pixmap it is a blit
            self.plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.view: pg.ViewBox = self.plot.getViewBox()
        self.view.setMenuEnabled(False)
        self.view.sigResized.connect(self._on_view_resized)

        # One RGBA pixel per grid point, coloured here: Qt scales a 32-bit image to the
        # screen about 5 times faster than the 8-bit indexed one a colour map would give.
        self.image = pg.ImageItem(axisOrder="row-major")
        self._lut = binary_map().getLookupTable(nPts=256, alpha=True)
        self.curve = pg.PlotDataItem(pen=pg.mkPen(CLASS_COLORS[0], width=3), antialias=True)
        self.curve.setZValue(5)
        self.train_points = pg.ScatterPlotItem(size=8, pen=pg.mkPen("w", width=1.2))
        self.train_points.setZValue(10)
        self.val_points = pg.ScatterPlotItem(size=10, symbol="d", pen=pg.mkPen("#111", width=1.5))
        self.val_points.setZValue(11)
        # rings around the points Step Through Backprop traces
        self.marks = pg.ScatterPlotItem(size=20, symbol="o", pen=pg.mkPen("#C0392B", width=2.5), brush=None)
        self.marks.setZValue(12)
        #: rings around points the metrics tab picked (a confusion-matrix cell)
        self.highlighted = pg.ScatterPlotItem(size=18, symbol="o", brush=None, pen=pg.mkPen("#d50000", width=2.5))
        self.highlighted.setZValue(12)
        for item in (self.image, self.curve, self.train_points, self.val_points, self.marks, self.highlighted):
            self.plot.addItem(item)
        for item in (self.train_points, self.val_points):
            # drawn once into a pixmap until the points or the view change: the image under
            # them changes every frame, and each repaint of the points ran pyqtgraph's
            # Python paint (measured: a third of the plot's calls into Python a frame)
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

        self.color_bar = pg.ColorBarItem(values=(0, 1), colorMap=binary_map(), interactive=False, width=14)
        self.graphics.addItem(self.color_bar, row=0, col=1)
        self.color_bar.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.color_bar.axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        # beside the plot, where the colour bar of the other modes goes: inside the view
        # it would hide the points in its corner
        self.legend = pg.LegendItem(labelTextColor="#222")
        # its own size at the top, not stretched to the plot's height
        self.legend.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.graphics.addItem(self.legend, row=0, col=2)
        self.graphics.ci.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignTop)
        self.legend.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

        self.graphics.scene().sigMouseClicked.connect(self._on_click)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.hint)
        layout.addWidget(self.graphics, 1)

    # ---- a new data set or network
    def set_experiment(self, experiment, grid: Grid) -> None:
        """Points, mode, levels and axes for ``experiment``; the image waits for ``show_output``."""
        config = experiment.config
        self.grid = grid
        self.mode = _mode(config.task, grid.dims)
        self._picture = None
        dataset, split = experiment.dataset, experiment.split
        self.legend.clear()
        self.legend.setVisible(self.mode == "classes")
        self.image.setVisible(self.mode != "curve")
        self.curve.setVisible(self.mode == "curve")
        self.color_bar.setVisible(self.mode in ("binary", "value"))
        self.discretize.setEnabled(self.mode != "curve")

        if self.mode == "binary":
            loss = LOSSES.get(config.loss)
            self._threshold, half = loss.threshold, loss.plot_half_range
            self._levels = (self._threshold - half, self._threshold + half)
            self._set_map(binary_map(), loss.plot_label or f"output (class 1 above {self._threshold:g})")
        elif self.mode == "value":
            lo, hi = (float(dataset.y.min()), float(dataset.y.max())) if len(dataset) else (0.0, 1.0)
            if not hi - lo > 1e-9:
                lo, hi = lo - 1, hi + 1
            self._levels = (lo, hi)
            self._set_map(value_map(), "predicted value")
        elif self.mode == "classes":
            for k in range(dataset.n_classes):
                sample = pg.ScatterPlotItem(symbol="s", size=12, brush=pg.mkBrush(CLASS_COLORS[k % 6]), pen="#444")
                self.legend.addItem(sample, f"class {k}")

        self._freeze_palette()
        self.highlight(np.zeros((0, 2)))
        self._set_points(self.train_points, split.train)
        self._set_points(self.val_points, split.validation)
        _ring(self.marks, [], [])  # the points they ringed may be gone
        self._set_validation_visible(self.show_validation.isChecked())

        self.plot.setLabel("bottom", "x1")
        if grid.dims == 1:
            self.plot.setLabel("left", "y")
            self.view.setAspectLocked(False)
            ys = dataset.y if len(dataset) else np.array([-1.0, 1.0])
            lo, hi = float(np.min(ys)), float(np.max(ys))
            pad = 0.15 * max(hi - lo, 1e-3)
            self.view.setRange(xRange=grid.x_range, yRange=(lo - pad, hi + pad), padding=0)
            self._set_hint("click: add a point · right-click: remove the nearest")
        else:
            self.plot.setLabel("left", "x2")
            self.view.setAspectLocked(True)
            self.set_grid(grid)
            what = "of the class chosen in Data" if self.mode != "value" else "with the value set in Data"
            self._set_hint(f"click: add a point {what} · right-click: remove the nearest")

    def _set_hint(self, text: str) -> None:
        self._hint = text
        self.hint.setText("click a training point to trace it" if self.picking else text)

    def set_picking(self, picking: bool) -> None:
        """Left clicks pick a training point (``pickRequested``) while ``picking``."""
        self.picking = picking
        self._set_hint(self._hint)

    def mark_points(self, points: np.ndarray | None, targets: np.ndarray | None = None) -> None:
        """Ring raw ``points`` (with their ``targets``, which a 1-D plot draws them at); None: no rings."""
        if points is None or len(points) == 0:
            _ring(self.marks, [], [])
        elif self.mode == "curve":
            _ring(self.marks, points[:, 0], targets)
        else:
            _ring(self.marks, points[:, 0], points[:, 1])

    def set_grid(self, grid: Grid) -> None:
        """Show ``grid``'s region (a 2-D grid of the same data, reshaped to the plot)."""
        self.grid = grid
        if grid.dims != 2:
            return
        rect = pg.QtCore.QRectF(grid.x_range[0], grid.y_range[0],
                                grid.x_range[1] - grid.x_range[0], grid.y_range[1] - grid.y_range[0])
        self._rect = rect  # where a picture without an extent goes
        # the grid's region overshoots the plot by part of a cell: the view shows its middle,
        # the data's square whole, and no band
        view_aspect = self.aspect()
        if rect.width() / rect.height() > view_aspect:
            shown = QRectF(0, 0, rect.height() * view_aspect, rect.height())
        else:
            shown = QRectF(0, 0, rect.width(), rect.width() / view_aspect)
        shown.moveCenter(rect.center())
        self.view.setRange(shown, padding=0)

    def aspect(self) -> float:
        """The plot area's width over its height, in pixels (1 before it has a size)."""
        width, height = self.view.width(), self.view.height()
        return width / height if width > 1 and height > 1 else 1.0

    def _on_view_resized(self, *_args) -> None:
        grid = self.grid
        if grid is None or grid.dims != 2:
            return
        grid_aspect = (grid.x_range[1] - grid.x_range[0]) / (grid.y_range[1] - grid.y_range[0])
        if abs(grid_aspect / self.aspect() - 1) > ASPECT_TOLERANCE:
            self.shapeChanged.emit()
        else:
            self.set_grid(grid)  # the same grid, centred again

    def _freeze_palette(self) -> None:
        self.feed.palette = Palette(self.mode, self._levels, self._threshold, self._lut,
                                    self.discretize.isChecked(), class_rgb())

    def _set_map(self, cmap: pg.ColorMap, label: str) -> None:
        self._lut = cmap.getLookupTable(nPts=256, alpha=True)
        self.color_bar.setColorMap(cmap)
        self.color_bar.setLevels(self._levels)
        self.color_bar.axis.setLabel(label)

    def _set_points(self, item: pg.ScatterPlotItem, data) -> None:
        if len(data) == 0:
            item.setData([], [])
            return
        x = data.x
        if self.mode == "curve":
            item.setData(x[:, 0], data.y, brush=pg.mkBrush(CLASS_COLORS[1]))
        elif self.mode == "value":
            lo, hi = self._levels
            colors = value_map().map(np.clip((data.y - lo) / (hi - lo), 0, 1), mode="qcolor")
            item.setData(x[:, 0], x[:, 1], brush=[pg.mkBrush(c) for c in colors])
        else:
            brushes = [pg.mkBrush(c) for c in CLASS_COLORS]
            item.setData(x[:, 0], x[:, 1], brush=[brushes[int(k) % 6] for k in data.y])

    def highlight(self, points: np.ndarray) -> None:
        """Ring raw input points ``(n, 1 or 2)`` (none: clear); 1-D points sit at y = 0."""
        points = np.asarray(points, dtype=np.float64)
        if len(points) == 0:
            _ring(self.highlighted, [], [])
            return
        points = points.reshape(len(points), -1)
        if points.shape[1] == 1:
            _ring(self.highlighted, points[:, 0], np.zeros(len(points)))
        else:
            _ring(self.highlighted, points[:, 0], points[:, 1])

    def _set_validation_visible(self, visible: bool) -> None:
        self.val_points.setVisible(visible)

    # ---- every frame
    def show_output(self, values: np.ndarray | None, shape: tuple[int, ...] | None = None,
                    xs: np.ndarray | None = None) -> None:
        """The network's outputs on the grid, ``(ny * nx, outputs)``, coloured here."""
        grid = self.grid
        if values is None or grid is None:
            return
        shape, xs = shape or grid.shape, grid.xs if xs is None else xs
        if len(values) != int(np.prod(shape)):
            return
        extent = grid_extent(grid.points, shape) if grid.dims == 2 and tuple(shape) == grid.shape else None
        self.show_picture(picture_of(values, shape, xs, self.feed.palette, extent))

    def show_picture(self, picture: Picture) -> None:
        """A picture the worker prepared; coloured again if the palette changed since."""
        if self.grid is None or picture.palette.mode != self.mode:
            return
        if picture.palette is not self.feed.palette:
            picture = replace(picture, rgba=colour(picture.values, picture.shape, self.feed.palette),
                              palette=self.feed.palette)
        previous, self._picture = self._picture, picture
        # a picture that changes no pixel is not handed to pyqtgraph: no paint (a run that
        # has settled sends many); it counts as drawn, the screen shows it
        if self.mode == "curve":
            if previous is None or not np.array_equal(previous.values, picture.values):
                self.curve.setData(picture.xs, picture.values[:, 0])
        elif not _same_image(self.image.image, picture.rgba):
            self.image.setImage(picture.rgba, autoLevels=False)
            self._place(self.image, picture.shape, picture.extent)
        self.draws += 1

    def _redraw(self, *_args) -> None:
        """The settings changed (discretize): colour the last output again."""
        self._freeze_palette()
        if self._picture is not None:
            self.show_picture(self._picture)

    def _place(self, item: pg.ImageItem, shape: tuple[int, ...], extent=None) -> None:
        """Over the grid the picture was made on (``extent``), else over the plot's grid."""
        rect = QRectF(*extent) if extent is not None else self._rect
        placed = (None if rect is None else rect.getRect(), shape)
        if rect is not None and getattr(item, "_placed", None) != placed:
            item.setRect(rect)
            item._placed = placed

    def current_image(self) -> np.ndarray | None:
        """What the plot shows now (a copy): the image, or the curve's values."""
        if self.mode == "curve":
            y = self.curve.yData
            return None if y is None else np.array(y)
        return None if self.image.image is None else np.array(self.image.image)

    # ---- clicks
    def _on_click(self, event) -> None:
        if event.double() or self.grid is None:
            return
        scene_pos = event.scenePos()
        if not self.view.sceneBoundingRect().contains(scene_pos):
            return
        point: QPointF = self.view.mapSceneToView(scene_pos)
        if event.button() == Qt.MouseButton.LeftButton:
            (self.pickRequested if self.picking else self.addPointRequested).emit(point.x(), point.y())
            event.accept()
        elif event.button() == Qt.MouseButton.RightButton:
            self.removePointRequested.emit(point.x(), point.y())
            event.accept()

    def export_item(self):
        """The graphics item File ▸ Export Plot writes: the plot with its colour bar."""
        return self.graphics.ci
