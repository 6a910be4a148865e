"""Adding and removing data points by clicking the boundary plot, as in ConvNetJS.

Either edit turns the data into inline points (the current ones, plus or minus one)
through ``Document.edit``, so it is one undoable step and keeps the weights.
"""

from __future__ import annotations

import numpy as np

from nnplay.core.datasets import MAX_CLASSES
from nnplay.gui.document import Document

#: a right click removes the nearest point only within this share of the plot's width
REMOVE_RADIUS = 0.05


def _inline(document: Document, x: np.ndarray, y: np.ndarray, text: str) -> bool:
    task = document.experiment.config.task

    def change(config):
        config.data.source = "inline"
        config.data.x = [[float(v) for v in row] for row in x]
        config.data.y = [float(v) for v in y] if task == "regression" else [int(v) for v in y]

    return document.edit(text, change)


def add_point(document: Document, x: float, y: float, label) -> str | None:
    """Add the point (x, y) — or, on 1-D data, the point x with target y — of class or
    value ``label``. Returns why not, or None when added."""
    experiment = document.experiment
    dataset, task = experiment.dataset, experiment.config.task
    if dataset.dims == 1:
        point, label = [x], y
    else:
        point = [x, y]
        if task != "regression":
            label = int(label)
            classes = dataset.n_classes or 2
            if not 0 <= label < classes:
                return (f"This data has classes 0 to {classes - 1}; pick one of them before clicking "
                        f"(the network's output would need {label + 1} units for class {label}).")
            if label >= MAX_CLASSES:
                return f"nnplay takes up to {MAX_CLASSES} classes."
    xs = np.vstack([dataset.x, np.asarray([point], dtype=np.float64)])
    ys = np.append(dataset.y, label)
    try:
        _inline(document, xs, ys, "Add point")
    except ValueError as exc:  # one point more than training can afford
        return str(exc)
    return None


def remove_nearest_point(document: Document, x: float, y: float, radius: float | None = None) -> str | None:
    """Remove the point nearest (x, y), if one is within ``radius`` (in input units).
    Returns why not, or None when removed."""
    experiment = document.experiment
    dataset = experiment.dataset
    if len(dataset) == 0:
        return "There are no points to remove."
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
        return "No point near the click to remove (right-click on a point)."
    if len(dataset) <= 2:
        return "The data needs at least two points."
    keep = np.arange(len(dataset)) != nearest
    _inline(document, dataset.x[keep], dataset.y[keep], "Remove point")
    return None
