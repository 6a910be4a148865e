"""Where the network's output is drawn: a regular grid over the data's range.

The worker evaluates the network on ``Grid.points``; the boundary plot shows the
result as one image over ``Grid.rect``. Rows run along x1 with x2 fixed, from the
lowest x2 up, which is pyqtgraph's row-major image order with the y axis pointing up.
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


@dataclass(frozen=True)
class Grid:
    x_range: tuple[float, float]
    y_range: tuple[float, float] | None  #: None for 1-D inputs
    nx: int
    ny: int  #: 1 for 1-D inputs
    points: np.ndarray  #: ``(ny * nx, dims)`` raw input points, row after row

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


def grid_for(x: np.ndarray, resolution: int | None = None) -> Grid:
    """The grid over the range of raw points ``x`` ``(n, 1 or 2)``, with a margin."""
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    x_range = _span(x[:, 0])
    if x.shape[1] == 1:
        nx = resolution or RESOLUTION_1D
        xs = np.linspace(*x_range, nx)
        return Grid(x_range, None, nx, 1, xs[:, None])
    y_range = _span(x[:, 1])
    # a square region: the plot keeps x1 and x2 to the same scale, so a square image
    # fills it instead of leaving bare bands above and below a flat data set
    half = max(x_range[1] - x_range[0], y_range[1] - y_range[0]) / 2
    x_mid, y_mid = sum(x_range) / 2, sum(y_range) / 2
    x_range, y_range = (x_mid - half, x_mid + half), (y_mid - half, y_mid + half)
    n = resolution or RESOLUTION_2D
    # pixel centres, so the image's edges are exactly the ranges
    xs = x_range[0] + (np.arange(n) + 0.5) * (x_range[1] - x_range[0]) / n
    ys = y_range[0] + (np.arange(n) + 0.5) * (y_range[1] - y_range[0]) / n
    gx, gy = np.meshgrid(xs, ys)
    return Grid(x_range, y_range, n, n, np.column_stack([gx.ravel(), gy.ravel()]))
