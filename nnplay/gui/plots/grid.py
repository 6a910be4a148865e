"""Where the network's output is drawn: a regular grid over the data's range.

The worker evaluates the network on ``Grid.points``; the boundary plot shows the
result as one image over the grid's ranges. Rows run along x1 with x2 fixed, from the
lowest x2 up, which is pyqtgraph's row-major image order with the y axis pointing up.

A 2-D grid covers the data's square (the data's range with a margin, the longer side
on both axes: the plot keeps x1 and x2 to one scale), extended along the plot's longer
side to the plot's shape (``aspect``), so the picture fills the plot at any window
shape instead of leaving bare bands beside the square. Its cells stay square: the
shorter side has the resolution, the longer proportionally more, up to
``MAX_POINTS_FACTOR`` times as many points in all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: samples per axis of the 2-D grid (the issue asks for at least 100 × 100)
RESOLUTION_2D = 100
#: samples along x1 for the fitted curve of a 1-D regression
RESOLUTION_1D = 400
#: share of the data's span added on each side, so edge points are not on the border
MARGIN = 0.1
#: the most points a 2-D grid stretched to a long plot has, in squares of its resolution
#: (the cells grow instead: the cost of a grid pass stays bounded at any window shape)
MAX_POINTS_FACTOR = 3.0


@dataclass(frozen=True)
class Grid:
    x_range: tuple[float, float]
    y_range: tuple[float, float] | None  #: None for 1-D inputs
    nx: int
    ny: int  #: 1 for 1-D inputs
    points: np.ndarray  #: ``(ny * nx, dims)`` raw input points, row after row
    #: the side of the data's square (2-D) or the data's range with its margin (1-D)
    span: float = 1.0

    @property
    def dims(self) -> int:
        return self.points.shape[1]

    @property
    def shape(self) -> tuple[int, int]:
        return (self.ny, self.nx)

    @property
    def xs(self) -> np.ndarray:
        return self.points[: self.nx, 0]


def _span(values: np.ndarray) -> tuple[float, float]:
    if len(values) == 0:
        return (-1.0, 1.0)
    lo, hi = float(np.min(values)), float(np.max(values))
    if not hi - lo > 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    pad = MARGIN * (hi - lo)
    return (lo - pad, hi + pad)


def grid_for(x: np.ndarray, resolution: int | None = None, aspect: float = 1.0) -> Grid:
    """The grid over the range of raw points ``x`` ``(n, 1 or 2)``, with a margin; a 2-D
    one shaped to a plot ``aspect`` times as wide as high (see the module's docstring)."""
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    x_range = _span(x[:, 0])
    if x.shape[1] == 1:
        nx = resolution or RESOLUTION_1D
        xs = np.linspace(*x_range, nx)
        return Grid(x_range, None, nx, 1, xs[:, None], x_range[1] - x_range[0])
    y_range = _span(x[:, 1])
    side = max(x_range[1] - x_range[0], y_range[1] - y_range[0])
    aspect = aspect if np.isfinite(aspect) and aspect > 0 else 1.0
    n = resolution or RESOLUTION_2D
    longer = max(aspect, 1.0 / aspect)
    short = min(n, int(n * np.sqrt(MAX_POINTS_FACTOR / longer))) if longer > MAX_POINTS_FACTOR else n
    nx, ny = (int(np.ceil(short * aspect)), short) if aspect >= 1 else (short, int(np.ceil(short / aspect)))
    # the cells stay square: the ranges grow to whole cells, past the plot by a part of one
    cell = side / short
    width, height = nx * cell, ny * cell
    x_mid, y_mid = sum(x_range) / 2, sum(y_range) / 2
    x_range, y_range = (x_mid - width / 2, x_mid + width / 2), (y_mid - height / 2, y_mid + height / 2)
    # pixel centres, so the image's edges are exactly the ranges
    xs = x_range[0] + (np.arange(nx) + 0.5) * cell
    ys = y_range[0] + (np.arange(ny) + 0.5) * cell
    gx, gy = np.meshgrid(xs, ys)
    return Grid(x_range, y_range, nx, ny, np.column_stack([gx.ravel(), gy.ravel()]), side)


def grid_extent(points: np.ndarray, shape: tuple[int, ...]) -> tuple[float, float, float, float]:
    """``(x0, y0, width, height)`` of the image whose pixel centres are a 2-D grid's
    ``points`` laid out as ``shape`` ``(ny, nx)``: where a picture made on it goes."""
    ny, nx = shape
    xs, ys = points[:nx, 0], points[::nx, 1]
    dx = (xs[-1] - xs[0]) / (nx - 1) if nx > 1 else 1.0
    dy = (ys[-1] - ys[0]) / (ny - 1) if ny > 1 else 1.0
    return float(xs[0] - dx / 2), float(ys[0] - dy / 2), float(nx * dx), float(ny * dy)
