"""Adding and removing data points by clicking the plot, as in ConvNetJS.

Either edit turns the data into inline points (the current ones, plus or minus one):
each function returns the undo text and the change for ``Document.edit``, so it is one
undoable step that keeps the weights, or raises ``ConfigError`` saying why not.

Editing never reshuffles the validation split. The edited points record which of them
are held out (``data.validation``, their indices): every point keeps the role it had,
and a new point is held out when the validation set, counting it, would otherwise hold
fewer than round(n · share) of the n points (``new_point_held_out``), so the share stays
as near the Validation setting as one point allows. Changing the share or the data seed
draws the split afresh from the seed (``with_validation_share``, ``with_data_seed``).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from nnplay.core.config import NetworkConfig
from nnplay.core.datasets import Dataset, validation_size
from nnplay.core.errors import ConfigError
from nnplay.core.limits import MAX_CLASSES

#: a right click removes the nearest point only within this share of the plot's width
REMOVE_RADIUS = 0.05

Edit = tuple[str, Callable[[NetworkConfig], None]]


def new_point_held_out(held_out: int, n: int, share: float) -> bool:
    """Whether a point added to ``n`` points, ``held_out`` of them validation points, is held
    out: when without it the validation set would hold fewer than round((n + 1) · share)."""
    return held_out < validation_size(n + 1, share)


def _inline(task: str, x: np.ndarray, y: np.ndarray, held_out, text: str) -> Edit:
    def change(config: NetworkConfig) -> None:
        config.data.source = "inline"
        config.data.x = [[float(v) for v in row] for row in x]
        config.data.y = [float(v) for v in y] if task == "regression" else [int(v) for v in y]
        config.data.validation = [int(i) for i in held_out] if len(held_out) else None

    return text, change


def with_validation_share(config: NetworkConfig, share: float) -> None:
    """Another validation share: the split is drawn afresh from the seed (the roles kept
    while editing points were for the old share)."""
    config.data.validation_fraction = share
    config.data.validation = None


def with_data_seed(config: NetworkConfig, seed: int) -> None:
    """Another data seed: new points for a generated set; for inline points, a new split."""
    config.data.seed = seed
    config.data.validation = None


def add_point(dataset: Dataset, task: str, x: float, y: float, label, *, held_out=(), share: float = 0.0) -> Edit:
    """Add the point (x, y) — or, on 1-D data, the point x with target y — of class or
    value ``label``. ``held_out``: the indices of the validation points now (they stay
    so); ``share``: the Validation setting, which decides the new point's role."""
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
    held = list(held_out)
    if new_point_held_out(len(held), len(dataset), share):
        held.append(len(dataset))
    return _inline(task, xs, ys, held, "Add point")


def remove_nearest_point(dataset: Dataset, task: str, x: float, y: float, radius: float | None = None, *,
                         held_out=()) -> Edit:
    """Remove the point nearest (x, y), if one is within ``radius`` (in input units);
    the others keep their roles (``held_out``: the indices of the validation points)."""
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
    held = [int(i) - (i > nearest) for i in held_out if i != nearest]
    if len(held) >= len(dataset) - 1:
        raise ConfigError("That is the last training point; remove a validation point instead.")
    return _inline(task, dataset.x[keep], dataset.y[keep], held, "Remove point")
