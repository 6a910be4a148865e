"""One unit shown large on the boundary plot, while the network diagram asks for it (a
node hovered or pinned): its map over the whole plane with the points on top, its
colour scale on the colour bar and a caption saying whose map it is; with one input,
its curve; for a 1-D output, its parts v_j·h_j(x) stacked on its bias, adding up to the
fit (the universal-approximation picture).

Items on top of the boundary's own, made once (the parts' as many as needed, kept for
the next time); the boundary's image goes on being updated underneath, and shows again
when the overlay is taken away.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QLabel

#: the parts' fill colours, in turn (translucent, so the points show through)
PART_COLORS = ("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442", "#999999")


class UnitOverlay:
    def __init__(self, boundary):
        self.boundary = boundary
        self.focus = None
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(2)  # above the boundary's image, below its curve and points
        self.curve = pg.PlotDataItem(pen=pg.mkPen("#222", width=2.5), antialias=True)
        self.curve.setZValue(7)
        self.bias_line = pg.PlotDataItem(pen=pg.mkPen("#444", width=1.5, style=Qt.PenStyle.DashLine))
        self.bias_line.setZValue(6)
        self.edges: list[pg.PlotDataItem] = []
        self.fills: list[pg.FillBetweenItem] = []
        for item in (self.image, self.curve, self.bias_line):
            item.hide()
            boundary.plot.addItem(item)
        self.caption = QLabel(boundary.graphics)
        self.caption.setObjectName("unitCaption")
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setStyleSheet("background: rgba(255, 255, 255, 225); border: 1px solid #999; "
                                   "padding: 2px 6px; color: #111;")
        self.caption.hide()
        self._saved = None  # the boundary's colour bar and range, to give back
        self._placed = None

    @property
    def shown(self) -> bool:
        return self.focus is not None

    def show_focus(self, focus) -> None:
        """Show ``focus`` (``diagram.feed.Focus``), or give the plot back (None)."""
        boundary = self.boundary
        if focus is None or boundary.grid is None:
            self._clear()
            return
        if self._saved is None:
            self._save()
        self.focus = focus
        if focus.rgba is not None:
            self._show_map(focus)
        else:
            self._show_curve(focus)
        self._set_caption(self._caption_text(focus))
        self.caption.move(66, 6)
        self.caption.show()
        self.caption.raise_()

    def _show_map(self, focus) -> None:
        grid = self.boundary.grid
        self.image.setImage(focus.rgba, autoLevels=False)
        placed = (grid, focus.rgba.shape)
        if self._placed != placed:
            self.image.setRect(QRectF(grid.x_range[0], grid.y_range[0], grid.x_range[1] - grid.x_range[0],
                                      grid.y_range[1] - grid.y_range[0]))
            self._placed = placed
        self.image.show()
        bar = self.boundary.color_bar
        bar.setColorMap(_colour_map(focus.lut))
        bar.setLevels((focus.scale.lo, focus.scale.hi))
        bar.axis.setLabel(focus.title)
        bar.setVisible(True)

    def _show_curve(self, focus) -> None:
        xs = focus.xs
        if focus.parts is None:
            self.curve.setData(xs, focus.values)
            self.curve.show()
            self._show_parts(None, xs)
            self._fit_y(focus.values)
            return
        self.curve.setData(xs, focus.parts[:, -1])
        self.curve.show()
        self._show_parts(focus.parts, xs)
        self._fit_y(focus.parts)

    def _show_parts(self, parts: np.ndarray | None, xs: np.ndarray) -> None:
        k = 0 if parts is None else parts.shape[1] - 1
        plot = self.boundary.plot
        while len(self.edges) < k + 1:  # made once, kept for the next time
            edge = pg.PlotDataItem(pen=pg.mkPen(90, 90, 90, 120, width=0.8))
            edge.setZValue(4)
            plot.addItem(edge)
            self.edges.append(edge)
        while len(self.fills) < k:
            n = len(self.fills)
            color = pg.mkColor(PART_COLORS[n % len(PART_COLORS)])
            color.setAlpha(70)
            fill = pg.FillBetweenItem(self.edges[n], self.edges[n + 1], brush=pg.mkBrush(color))
            fill.setZValue(3)
            plot.addItem(fill)
            self.fills.append(fill)
        for i, edge in enumerate(self.edges):
            if i <= k and parts is not None:
                edge.setData(xs, parts[:, i])
            edge.setVisible(parts is not None and i <= k)
        for i, fill in enumerate(self.fills):
            fill.setVisible(parts is not None and i < k)
        if parts is not None:
            self.bias_line.setData(xs[[0, -1]], parts[[0, -1], 0])
        self.bias_line.setVisible(parts is not None)

    def _fit_y(self, values: np.ndarray) -> None:
        """Widen the plot's y range to the overlay's values (narrowed back when it goes)."""
        finite = np.asarray(values)[np.isfinite(values)]
        if not finite.size:
            return
        (_x0, _x1), (y0, y1) = self.boundary.view.viewRange()
        lo, hi = min(y0, float(finite.min())), max(y1, float(finite.max()))
        if lo < y0 or hi > y1:
            pad = 0.05 * (hi - lo)
            self.boundary.view.setYRange(lo - (pad if lo < y0 else 0), hi + (pad if hi > y1 else 0), padding=0)

    def _set_caption(self, text: str) -> None:
        """One line where it fits the plot, else wrapped to the plot's width."""
        caption = self.caption
        if text == caption.text():
            return
        caption.setText(text)
        room = max(200, self.boundary.graphics.width() - 90)
        caption.setWordWrap(False)
        caption.setMinimumWidth(0)
        caption.setMaximumWidth(16777215)
        wide = caption.sizeHint().width()
        caption.setWordWrap(wide > room)
        caption.setFixedWidth(min(wide, room))
        caption.adjustSize()

    @staticmethod
    def _caption_text(focus) -> str:
        if focus.parts is not None:
            text = (f"<b>{focus.title}</b>: z = b + Σ v<sub>j</sub>·h<sub>j</sub>(x), the bias (dashed) with each "
                    f"hidden unit's part stacked on it, adding up to z (black)")
        else:
            what = focus.scale.describe() if focus.rgba is not None else "its output against x₁"
            text = f"<b>{focus.title}</b> · {what}"
        return text + (" · pinned: click its node again to let go" if focus.pinned else "")

    def _save(self) -> None:
        boundary = self.boundary
        bar = boundary.color_bar
        self._saved = (boundary.grid, bar.colorMap(), bar.levels(), bar.axis.labelText, bar.isVisible(),
                       boundary.view.viewRange())

    def _clear(self) -> None:
        self.focus = None
        for item in (self.image, self.curve, self.bias_line, *self.edges, *self.fills):
            item.hide()
        self.caption.hide()
        saved, self._saved = self._saved, None
        if saved is None:
            return
        grid, cmap, levels, label, visible, view_range = saved
        if grid is not self.boundary.grid:  # the plot was set up afresh meanwhile: keep that
            return
        bar = self.boundary.color_bar
        bar.setColorMap(cmap)
        bar.setLevels(levels)
        bar.axis.setLabel(label)
        bar.setVisible(visible)
        if grid.dims == 1:
            self.boundary.view.setYRange(*view_range[1], padding=0)


_MAPS: dict[int, tuple[np.ndarray, pg.ColorMap]] = {}


def _colour_map(lut: np.ndarray) -> pg.ColorMap:
    """The colour bar's map for a colour table (kept by table: there are a few in all)."""
    cached = _MAPS.get(id(lut))
    if cached is None or cached[0] is not lut:
        cached = _MAPS[id(lut)] = (lut, pg.ColorMap(np.linspace(0.0, 1.0, len(lut)), lut))
    return cached[1]
