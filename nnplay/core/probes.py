"""What the app's views compute from a snapshot, beside the training.

A view names what it needs (``GRID``, ``GRADIENTS``, ``WEIGHTS``); a ``Probe`` computes
each need at most once per frame, only the needs of views that are on screen, and every
view that asked reads the same result. A probe works on a snapshot's copies and on a
private network of the same shape, never on the engine, so it can run in another thread
while the engine trains (the engine's layers keep caches for their backward pass).

``GRID`` is one batched evaluation-mode pass over the plot's grid that keeps every
layer's output: the boundary plot shows the last one; per-unit maps of a network
diagram or a hidden layer's view read the others, with no second pass. It computes in
float32, which a picture cannot tell from float64 and which halves the pass's time
(the engine itself always trains in float64).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nnplay.core.features import transform
from nnplay.core.network import Network

GRID = "grid"  #: a ``GridPass`` over the grid the view asked for
GRADIENTS = "gradients"  #: RMS of ∂J/∂W per dense layer (``Snapshot.gradient_rms``)
WEIGHTS = "weights"  #: copies of every layer's stored arrays (``Snapshot.weights``)
NEEDS = (GRID, GRADIENTS, WEIGHTS)
#: needs that the snapshot must carry the weights for
NEEDS_WEIGHTS = frozenset({GRID, WEIGHTS})


@dataclass(frozen=True)
class GridPass:
    """The network evaluated on grid points: each layer's output, first to last."""

    points: np.ndarray  #: ``(n, 1 or 2)`` raw input points
    shape: tuple[int, ...]  #: how the points are laid out, ``(ny, nx)``
    layers: list[np.ndarray]  #: ``(n, width)`` per layer; a dropout layer's is its input

    @property
    def output(self) -> np.ndarray:
        return self.layers[-1]


class Probe:
    """Computes views' needs for one network shape, on its own copy of the network."""

    def __init__(self, experiment):
        config = experiment.config
        self.features = list(config.features)
        self.network = Network.build(len(self.features), config.layers, config.loss)
        for layer in self.network.layers:  # loading weights later casts into these arrays
            layer.params = {name: arr.astype(np.float32) for name, arr in layer.params.items()}
            for name in ("running_mean", "running_var"):
                if hasattr(layer, name):
                    setattr(layer, name, getattr(layer, name).astype(np.float32))
        self._grids: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # id → (points, features)

    @property
    def work_per_point(self) -> int:
        """Multiply-adds of the dense layers for one grid point: what a grid pass costs."""
        return sum(layer.n_inputs * layer.n_outputs for layer in self.network.dense)

    def grid_pass(self, weights: list[dict], points: np.ndarray, shape: tuple[int, ...]) -> GridPass:
        """Every layer's output on ``points`` (laid out as ``shape``) for ``weights``."""
        key = id(points)
        cached = self._grids.get(key)
        if cached is None or cached[0] is not points:
            if len(self._grids) >= 4:  # a few resolutions of one grid; a new grid replaces them
                self._grids.clear()
            cached = self._grids[key] = (points, transform(self.features, points).astype(np.float32))
        self.network.set_weights(weights)
        # a diverging net's inf is drawn as inf; NumPy's warnings would only be noise here
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            layers = self.network.outputs_by_layer(cached[1])
        return GridPass(points, tuple(shape), layers)

    def compute(self, needs: set[str], snapshot, grid: tuple[np.ndarray, tuple[int, ...]] | None) -> dict[str, Any]:
        """``{need: result}`` for each need the snapshot allows (a missing copy is skipped);
        ``grid``: the points to evaluate and their layout."""
        out: dict[str, Any] = {}
        if GRID in needs and snapshot.weights is not None and grid is not None and len(grid[0]):
            out[GRID] = self.grid_pass(snapshot.weights, *grid)
        if GRADIENTS in needs and snapshot.gradient_rms is not None:
            out[GRADIENTS] = snapshot.gradient_rms
        if WEIGHTS in needs and snapshot.weights is not None:
            out[WEIGHTS] = snapshot.weights
        return out
