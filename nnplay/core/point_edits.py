"""Adding and removing data points by clicking the plot, as in ConvNetJS.

Either edit turns the data into inline points (the current ones, plus or minus one):
each function returns the undo text and the change for ``Document.edit``, so it is one
undoable step that keeps the weights, or raises ``ConfigError`` saying why not.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from nnplay.core.config import NetworkConfig
from nnplay.core.datasets import Dataset
from nnplay.core.errors import ConfigError
from nnplay.core.limits import MAX_CLASSES

#: a right click removes the nearest point only within this share of the plot's width
REMOVE_RADIUS = 0.05

Edit = tuple[str, Callable[[NetworkConfig], None]]


def _inline(task: str, x: np.ndarray, y: np.ndarray, text: str) -> Edit:
    def change(config: NetworkConfig) -> None:
        config.data.source = "inline"
        config.data.x = [[float(v) for v in row] for row in x]
        config.data.y = [float(v) for v in y] if task == "regression" else [int(v) for v in y]

    return text, change


def add_point(dataset: Dataset, task: str, x: float, y: float, label) -> Edit:
    """Add the point (x, y) — or, on 1-D data, the point x with target y — of class or
    value ``label``."""
    if dataset.dims == 1:
        point, label = [x], y
    else:
        point = [x, y]
        if task != "regression":
            label = int(label)
            classes = dataset.n_classes or 2
            if not 0 <= label < classes:
                raise ConfigError(f"This data has classes 0 to {classes - 1}; pick one of them before clicking "
                                  f"(the network's output would need {label + 1} units for class {label}).")
            if label >= MAX_CLASSES:
                raise ConfigError(f"nnplay takes up to {MAX_CLASSES} classes.")
    xs = np.vstack([dataset.x, np.asarray([point], dtype=np.float64)])
    ys = np.append(dataset.y, label)
    return _inline(task, xs, ys, "Add point")


def remove_nearest_point(dataset: Dataset, task: str, x: float, y: float, radius: float | None = None) -> Edit:
    """Remove the point nearest (x, y), if one is within ``radius`` (in input units)."""
    if len(dataset) == 0:
        raise ConfigError("There are no points to remove.")
    if dataset.dims == 1:
        span_x = np.ptp(dataset.x[:, 0]) or 1.0
        span_y = np.ptp(dataset.y) or 1.0
        # compare in units of the plot's width and height, so both axes count alike
        distance = np.hypot((dataset.x[:, 0] - x) / span_x, (dataset.y - y) / span_y)
        limit = REMOVE_RADIUS * 1.5
    else:
        distance = np.hypot(dataset.x[:, 0] - x, dataset.x[:, 1] - y)
        limit = radius if radius is not None else REMOVE_RADIUS * (np.ptp(dataset.x[:, 0]) or 1.0)
    nearest = int(np.argmin(distance))
    if distance[nearest] > limit:
        raise ConfigError("No point near the click to remove (right-click on a point).")
    if len(dataset) <= 2:
        raise ConfigError("The data needs at least two points.")
    keep = np.arange(len(dataset)) != nearest
    return _inline(task, dataset.x[keep], dataset.y[keep], "Remove point")
