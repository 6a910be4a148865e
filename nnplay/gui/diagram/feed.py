"""The network diagram as the worker sees it (``worker.LiveView``): from the grid pass
that keeps every layer's output, each shown unit's map coloured into RGBA (or, with one
input, its curve scaled into its box), the shown weights and biases, and the map of the
unit the boundary plot shows large. NumPy only: ``prepare`` runs in the views thread
(or the training thread, for a small net), on the ``Plan`` the diagram froze for it.

Only what is shown is computed: the units of collapsed columns that are out of sight
cost nothing, and nothing at all while the dock is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnplay.core.diagram import OUTPUT, Diagram
from nnplay.core.probes import GRID, GridPass
from nnplay.core.unit_maps import (DIVERGING, SEQUENTIAL, VALUE, UnitScale, curve_points, curve_scale, lut_indices,
                                   left_to_right, lut_indices_many, nice_ceiling, output_parts, scale_for, scales_for, stacked, stride_for)

NAME = "network-diagram"
#: how often the maps are redrawn at most while training: dozens of small pictures, for
#: which ten a second is smooth enough, at a third of the boundary's rate of frames
EVERY_S = 0.1
#: the most samples a side of a node's map takes from the grid (a node is about 40 px)
MAP_PIXELS = 34
#: samples of a 1-D unit's curve in its node
CURVE_SAMPLES = 48
#: link widths: |w| from 0 to the legend's scale in this many steps
LINK_LEVELS = 6
#: the names of the class colours (``colors.CLASS_COLORS``), for captions
CLASS_NAMES = ("blue", "orange", "green", "pink", "yellow", "sky blue")


@dataclass(frozen=True)
class Luts:
    """The colour tables the maps are painted with, ``(256, 4)`` uint8 each."""

    diverging: np.ndarray
    sequential: np.ndarray
    classes: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class Plan:
    """What the diagram shows, frozen for the thread that prepares its pictures."""

    diagram: Diagram
    shown: tuple[tuple[int, ...], ...]  #: per column, the units on screen
    luts: Luts
    focus: tuple[int, int] | None = None  #: (column, unit) the boundary plot shows large


@dataclass(frozen=True)
class ColumnPicture:
    """The shown units of one column."""

    values: np.ndarray  #: ``(shown, h, w)`` the sampled values (1-D: ``(shown, n)``), float32
    scales: tuple[UnitScale, ...]
    rgba: np.ndarray | None  #: ``(shown, h, w, 4)`` uint8 (2-D)
    curves: np.ndarray | None  #: ``(shown, samples, 2)`` in 0..1 of the node's box (1-D)
    biases: np.ndarray | None  #: ``(shown,)`` (None for the input)


@dataclass(frozen=True)
class Focus:
    """One unit's map at the grid's full resolution, for the boundary plot."""

    column: int
    unit: int
    title: str
    scale: UnitScale
    rgba: np.ndarray | None = None  #: 2-D: ``(ny, nx, 4)``
    lut: np.ndarray | None = None  #: 2-D: the colour table it was painted with
    xs: np.ndarray | None = None  #: 1-D: the grid's x
    values: np.ndarray | None = None  #: 1-D: the unit's curve
    #: 1-D output: the bias, then each unit's part v_j·h_j(x) added on, ``(n, k + 1)``; the last is z
    parts: np.ndarray | None = None
    pinned: bool = False  #: shown because it is pinned (not only hovered)


@dataclass(frozen=True)
class DiagramPicture:
    plan: Plan
    columns: tuple[ColumnPicture, ...]
    links: tuple[np.ndarray | None, ...]  #: per column, the shown part of the W into it
    link_levels: tuple[np.ndarray | None, ...]  #: the same as ±(1 … LINK_LEVELS) by sign and size, int8
    link_scale: float  #: |w| from which a link is drawn widest (a round number)
    weights: list[dict] = field(repr=False, default_factory=list)  #: every layer's arrays (copies)


class DiagramFeed:
    """The diagram's ``LiveView``: ``plan`` is replaced (never changed) by the diagram in
    the GUI thread; ``palette_source`` is the boundary's feed, whose palette the output
    nodes share."""

    name = NAME
    needs = frozenset({GRID})
    every_s = EVERY_S

    def __init__(self, diagram_view, palette_source):
        self.view = diagram_view
        self.palette_source = palette_source
        self.plan: Plan | None = None
        #: the last grid pass and weights prepared from, for a unit shown large on hover
        #: while nothing trains (a reference swap: safe to read from the GUI thread)
        self.latest: tuple[GridPass, list[dict]] | None = None

    def prepare(self, results: dict[str, Any], snapshot) -> DiagramPicture | None:
        plan, grid = self.plan, results[GRID]
        if plan is None or snapshot.weights is None or len(grid.layers) != len(snapshot.weights):
            return None
        self.latest = (grid, snapshot.weights)
        return picture_for(plan, grid, snapshot.weights, self.palette_source.palette)

    def show(self, picture: DiagramPicture | None) -> None:
        if picture is not None:
            self.view.show_picture(picture)


class FocusFeed:
    """The unit the boundary plot shows large, as a ``LiveView`` of its own: at every
    frame (the boundary's cadence, so it never lags the plot it covers), and nothing
    but a check while no unit is hovered or pinned."""

    name = "unit-focus"
    needs = frozenset({GRID})
    every_s = 0.0

    def __init__(self, diagram_feed: DiagramFeed, show):
        self.diagram_feed = diagram_feed
        self._show = show

    def prepare(self, results: dict[str, Any], snapshot) -> Focus | None:
        feed = self.diagram_feed
        plan, grid = feed.plan, results[GRID]
        if plan is None or plan.focus is None or snapshot.weights is None or len(grid.layers) != len(snapshot.weights):
            return None
        feed.latest = (grid, snapshot.weights)
        return focus_for(plan, grid, snapshot.weights, feed.palette_source.palette)

    def show(self, focus: Focus | None) -> None:
        if focus is not None:
            self._show(focus)


def picture_for(plan: Plan, grid: GridPass, weights: list[dict], palette) -> DiagramPicture:
    """Everything the diagram shows of ``plan`` for one grid pass and its ``weights``."""
    diagram = plan.diagram
    columns, links, levels, sizes = [], [], [], []
    for c, column in enumerate(diagram.columns):
        shown = np.asarray(plan.shown[c], dtype=int)
        columns.append(_column_picture(plan, c, grid, weights, palette, shown))
        if column.layer is None:
            links.append(None)
            continue
        into = np.asarray(weights[column.layer]["W"], dtype=np.float64)[np.ix_(np.asarray(plan.shown[c - 1], int),
                                                                                  shown)]
        links.append(into)
        sizes.append(np.abs(into).ravel())
    scale = link_scale(np.concatenate(sizes) if sizes else np.zeros(0))
    levels = [None if w is None else link_levels(w, scale) for w in links]
    return DiagramPicture(plan, tuple(columns), tuple(links), tuple(levels), scale, weights)


def link_scale(sizes: np.ndarray) -> float:
    """The size of weight drawn widest: a round number at or above the 95th percentile of
    ``sizes`` (the shown links' |w|), so that a few large weights do not make all the
    others hairlines; larger ones are drawn as wide."""
    finite = sizes[np.isfinite(sizes)]
    return nice_ceiling(float(np.percentile(finite, 95)) if finite.size else 0.0)


def link_levels(w: np.ndarray, scale: float) -> np.ndarray:
    """Each weight as ±level, 1 … ``LINK_LEVELS`` by its size against ``scale`` (sign:
    the weight's; 0 counts as positive), int8 of the same shape."""
    with np.errstate(invalid="ignore"):
        size = np.nan_to_num(np.abs(w) / scale, nan=1.0, posinf=1.0)
    level = np.clip(np.ceil(size * LINK_LEVELS), 1, LINK_LEVELS).astype(np.int8)
    return np.where(w < 0, -level, level).astype(np.int8)


def unit_values(diagram: Diagram, grid: GridPass, column: int) -> np.ndarray:
    """``(n, units)``: the column's outputs on the grid (the features for the input)."""
    layer = diagram.columns[column].layer
    return grid.inputs if layer is None else grid.layers[layer]


def _column_picture(plan: Plan, c: int, grid: GridPass, weights, palette, shown: np.ndarray) -> ColumnPicture:
    column = plan.diagram.columns[c]
    values = unit_values(plan.diagram, grid, c)[:, shown]  # (n, shown)
    biases = None if column.layer is None else np.asarray(weights[column.layer]["b"], dtype=np.float64)[shown]
    if grid.shape[0] == 1:  # one input: curves
        scales = tuple(curve_scale(column.value_ranges[j], values[:, k]) for k, j in enumerate(shown))
        curves = np.stack([curve_points(values[:, k], s, CURVE_SAMPLES) for k, s in enumerate(scales)]) \
            if len(shown) else np.zeros((0, CURVE_SAMPLES, 2))
        return ColumnPicture(np.ascontiguousarray(values.T), scales, None, curves, biases)
    stride = stride_for(grid.shape, MAP_PIXELS)
    ny, nx = grid.shape
    # (units, h, w): one strided view of the grid per unit, copied once
    images = np.ascontiguousarray(values.reshape(ny, nx, -1)[::stride, ::stride].transpose(2, 0, 1))
    if column.kind == OUTPUT:
        scales, luts = zip(*(_scale_and_lut(plan, c, int(j), images[k], palette) for k, j in enumerate(shown))) \
            if len(shown) else ((), ())
    else:
        scales = scales_for([column.value_ranges[j] for j in shown], images.reshape(len(shown), -1))
        luts = [plan.luts.diverging if s.kind == DIVERGING else plan.luts.sequential for s in scales]
    indices = lut_indices_many(images, list(scales)) if len(shown) else np.zeros(images.shape, np.uint8)
    rgba = np.empty(images.shape + (4,), dtype=np.uint8)
    for lut in {id(lut): lut for lut in luts}.values():  # one gather per colour table
        units = [k for k, other in enumerate(luts) if other is lut]
        rgba[units] = lut[indices[units]]
    return ColumnPicture(images, tuple(scales), rgba, None, biases)


def _scale_and_lut(plan: Plan, c: int, unit: int, values: np.ndarray, palette) -> tuple[UnitScale, np.ndarray]:
    """A unit's colour scale and table: the boundary's own for the output (so the output
    node is the boundary plot in small), else from what the unit can produce."""
    column, luts = plan.diagram.columns[c], plan.luts
    if column.kind == OUTPUT and palette.mode == "binary":
        return UnitScale(*palette.levels, DIVERGING, True), palette.lut
    if column.kind == OUTPUT and palette.mode == "value":
        return UnitScale(*palette.levels, VALUE, True), palette.lut
    if column.kind == OUTPUT and palette.mode == "classes":
        k = unit % len(luts.classes)
        return UnitScale(0.0, 1.0, SEQUENTIAL, True, ("white", CLASS_NAMES[k])), luts.classes[k]
    scale = scale_for(column.value_ranges[unit], values)
    return scale, luts.diverging if scale.kind == DIVERGING else luts.sequential


def focus_for(plan: Plan, grid: GridPass, weights: list[dict], palette) -> Focus | None:
    """The focused unit at the grid's full resolution: its map (2-D), its curve (1-D), or
    for a 1-D output its parts stacked on its bias (the universal-approximation picture)."""
    c, unit = plan.focus
    diagram = plan.diagram
    if c >= len(diagram.columns) or unit >= diagram.columns[c].units:
        return None
    column = diagram.columns[c]
    values = unit_values(diagram, grid, c)[:, unit]
    title = column.unit_title(unit)
    if grid.shape[0] != 1:
        scale, lut = _scale_and_lut(plan, c, unit, values, palette)
        rgba = lut[lut_indices(values.reshape(grid.shape), scale)]
        return Focus(c, unit, title, scale, rgba=rgba, lut=lut)
    xs = np.asarray(grid.points[:, 0], dtype=np.float64)
    scale = curve_scale(column.value_ranges[unit], values)
    parts = None
    if column.kind == OUTPUT and column.units == 1:
        layer = column.layer
        feeding = grid.inputs if layer == 0 else grid.layers[layer - 1]
        w, b = weights[layer]["W"], weights[layer]["b"]
        each = output_parts(feeding, np.asarray(w, dtype=np.float64)[:, 0])
        parts = stacked(each[:, left_to_right(each)], float(b[0]))
    return Focus(c, unit, title, scale, xs=xs, values=np.asarray(values, np.float64),
                 parts=parts)

