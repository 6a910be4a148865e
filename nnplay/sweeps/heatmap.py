"""A sweep's metric over two numeric parameters: the numbers the Search window's
heatmap draws.

A grid search gets one cell per pair of values; a random search, cells that bin its
samples, and the samples themselves as points. A cell holds the best run in it by
the sweep's metric (the best over the other parameters, when there are others);
one whose every run diverged or failed is marked instead. An axis is logarithmic
where its values are: a log-uniform parameter, or values more evenly spaced by
ratio than by difference (0.001, 0.01, 0.1; 4, 8, 16). Coordinates are the values,
or their base-10 logarithms on a log axis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnplay.sweeps.results import RANKED, ResultRow, lower_is_better
from nnplay.sweeps.sweepfile import Parameter, Sweep

#: statuses a heatmap marks as a cross: no number to colour
MARKED = ("diverged", "failed")


@dataclass(frozen=True)
class Axis:
    path: str
    log: bool
    edges: np.ndarray  #: cell boundaries, in axis coordinates
    values: tuple | None = None  #: a grid's value of each cell

    def coordinate(self, value: float) -> float:
        return math.log10(value) if self.log else float(value)


@dataclass(frozen=True)
class Point:
    """One run, where its values put it."""

    run: int
    x: float
    y: float
    status: str | None
    metric: float | None


@dataclass(frozen=True)
class Heatmap:
    x: Axis
    y: Axis
    metric: str
    z: np.ndarray  #: ``(ny, nx)`` the best metric of each cell; NaN where none
    runs: np.ndarray  #: ``(ny, nx)`` the run a cell shows (its best, else its first); -1 when empty
    marked: np.ndarray  #: ``(ny, nx)`` every run of the cell diverged or failed
    points: tuple[Point, ...]  #: every run with a status (a random search draws them)

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """The (row, column) of the cell at axis coordinates (x, y), or None outside."""
        col = _bin(self.x.edges, x)
        row = _bin(self.y.edges, y)
        return None if col is None or row is None else (row, col)


def numeric_paths(sweep: Sweep) -> list[str]:
    """The parameters whose values are all numbers (true and false are not)."""
    return [p.path for p in sweep.parameters if _numeric(p)]


def _numeric(parameter: Parameter) -> bool:
    if parameter.kind != "values":
        return True
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
               for v in parameter.values)


def log_spaced(values) -> bool:
    """Whether positive ``values`` are spread by ratio rather than by difference."""
    distinct = sorted(set(float(v) for v in values))
    if len(distinct) < 2 or distinct[0] <= 0:
        return False
    if len(distinct) == 2:
        return distinct[1] / distinct[0] >= 10
    linear = np.diff(distinct)
    ratios = np.diff(np.log(distinct))
    return ratios.max() / ratios.min() < linear.max() / linear.min()


def heatmap(sweep: Sweep, rows: list[ResultRow], x_path: str, y_path: str) -> Heatmap:
    parameters = {p.path: p for p in sweep.parameters}
    if sweep.search == "grid":
        x, y = (_grid_axis(parameters[path]) for path in (x_path, y_path))
    else:
        count = max(3, min(10, round(math.sqrt(max(1, len(rows))))))
        x, y = (_binned_axis(parameters[path], count) for path in (x_path, y_path))
    shape = (len(y.edges) - 1, len(x.edges) - 1)
    z = np.full(shape, np.nan)
    runs = np.full(shape, -1, dtype=int)
    counted = np.zeros(shape, dtype=int)
    troubled = np.zeros(shape, dtype=int)
    sign = 1.0 if lower_is_better(sweep.metric) else -1.0
    points = []
    for row in rows:
        px, py = x.coordinate(row.values[x_path]), y.coordinate(row.values[y_path])
        metric = row.metric(sweep.metric)
        if row.status is not None:
            points.append(Point(row.run, px, py, row.status, metric))
        cell = (_bin(y.edges, py), _bin(x.edges, px))
        if row.status is None or None in cell:
            continue
        counted[cell] += 1
        troubled[cell] += row.status in MARKED
        if runs[cell] < 0:
            runs[cell] = row.run
        if row.status in RANKED and metric is not None and (np.isnan(z[cell]) or sign * metric < sign * z[cell]):
            z[cell], runs[cell] = metric, row.run
    marked = (counted > 0) & (troubled == counted)
    return Heatmap(x, y, sweep.metric, z, runs, marked, tuple(points))


def _grid_axis(parameter: Parameter) -> Axis:
    values = sorted(set(parameter.values))
    log = log_spaced(values)
    centres = np.array([math.log10(v) if log else float(v) for v in values])
    return Axis(parameter.path, log, _edges(centres, log), tuple(values))


def _binned_axis(parameter: Parameter, count: int) -> Axis:
    if parameter.kind == "values":
        low, high = min(parameter.values), max(parameter.values)
        log = log_spaced(parameter.values)
    else:
        low, high = parameter.low, parameter.high
        log = parameter.kind == "log_uniform"
        if parameter.kind == "int_uniform":  # whole numbers: a bin ends half-way between two
            low, high = low - 0.5, high + 0.5
            count = min(count, int(high - low))
    lo, hi = (math.log10(low), math.log10(high)) if log else (float(low), float(high))
    if not hi > lo:
        lo, hi = lo - 0.5, hi + 0.5
    return Axis(parameter.path, log, np.linspace(lo, hi, count + 1))


def _edges(centres: np.ndarray, log: bool) -> np.ndarray:
    """Boundaries half-way between neighbouring cells; the outer cells as wide as their neighbour."""
    if len(centres) == 1:
        half = 0.5 if log else max(abs(centres[0]) * 0.1, 0.5)
        return np.array([centres[0] - half, centres[0] + half])
    middles = (centres[1:] + centres[:-1]) / 2
    first = centres[0] - (middles[0] - centres[0])
    last = centres[-1] + (centres[-1] - middles[-1])
    return np.concatenate([[first], middles, [last]])


def _bin(edges: np.ndarray, value: float) -> int | None:
    if not edges[0] <= value <= edges[-1]:
        return None
    return int(min(np.searchsorted(edges, value, side="right") - 1, len(edges) - 2))
