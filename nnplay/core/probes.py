"""What the app's views compute from a snapshot, beside the training.

A view names what it needs (``GRID``, ``DATA``, ``GRADIENTS``, ``WEIGHTS``, ``DISTRIBUTIONS``,
``PREDICTIONS``); a ``Probe`` computes
each need at most once per frame, only the needs of views that are on screen, and every
view that asked reads the same result. A probe works on a snapshot's copies and on a
private network of the same shape, never on the engine, so it can run in another thread
while the engine trains (the engine's layers keep caches for their backward pass).

``GRID`` is one batched evaluation-mode pass over the plot's grid that keeps every
layer's output: the boundary plot shows the last one; per-unit maps of a network
diagram or a hidden layer's view read the others, with no second pass. It computes in
float32, which a picture cannot tell from float64 and which halves the pass's time
(the engine itself always trains in float64).

``DATA`` is the same over the data set's points (training, then validation): every
layer's output for each point, for a hidden layer's view of the data.

``DISTRIBUTIONS`` is an evaluation-mode pass over the training set's features that
histograms every dense layer (``distributions.training_set_distributions``), and
``PREDICTIONS`` the network's evaluation-mode outputs on the training and the
validation set. Both run in float64 on a second private network: the histograms'
counts must be those of the network's own outputs (a value on a bin's edge or a
saturation bound falls where float64 puts it), and the metrics computed from the
predictions (a confusion matrix) must agree with the engine's accuracy to the point.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nnplay.core.distributions import training_set_distributions
from nnplay.core.features import transform
from nnplay.core.network import Network

GRID = "grid"  #: a ``GridPass`` over the grid the view asked for
GRADIENTS = "gradients"  #: RMS of ∂J/∂W per dense layer (``Snapshot.gradient_rms``)
WEIGHTS = "weights"  #: copies of every layer's stored arrays (``Snapshot.weights``)
DATA = "data"  #: a ``DataPass``: every layer's output on the data set's points
#: every dense layer's histograms over the training set (``TrainingSetDistributions``)
DISTRIBUTIONS = "distributions"
#: a ``Predictions`` on the training and validation sets
PREDICTIONS = "predictions"
NEEDS = (GRID, GRADIENTS, WEIGHTS, DATA, DISTRIBUTIONS, PREDICTIONS)
#: needs that the snapshot must carry the weights for
NEEDS_WEIGHTS = frozenset({GRID, WEIGHTS, DATA, DISTRIBUTIONS, PREDICTIONS})
#: the most data points a ``DataPass`` evaluates (an even sample of larger sets): a
#: picture of a few thousand points shows as much, at a bounded cost per frame
DATA_PASS_POINTS = 2000


@dataclass(frozen=True)
class GridPass:
    """The network evaluated on grid points: each layer's output, first to last."""

    points: np.ndarray  #: ``(n, 1 or 2)`` raw input points
    shape: tuple[int, ...]  #: how the points are laid out, ``(ny, nx)``
    layers: list[np.ndarray]  #: ``(n, width)`` per layer; a dropout layer's is its input
    inputs: np.ndarray | None = None  #: ``(n, features)``: what the first layer is given

    @property
    def output(self) -> np.ndarray:
        return self.layers[-1]


@dataclass(frozen=True)
class DataPass:
    """The network evaluated on the data set's points: training points first."""

    points: np.ndarray  #: ``(n, 1 or 2)`` raw points
    labels: np.ndarray  #: ``(n,)`` their classes or values
    train: int  #: how many of them are training points (the rest are validation points)
    layers: list[np.ndarray]  #: ``(n, width)`` per layer, as ``GridPass.layers``
    total: int  #: how many points the data set has (more than ``n`` where it was sampled)


@dataclass(frozen=True)
class Predictions:
    """Evaluation-mode outputs ``(n, outputs)`` on the training and validation sets."""

    train: np.ndarray
    val: np.ndarray


class Probe:
    """Computes views' needs for one network shape, on its own copy of the network."""

    def __init__(self, experiment):
        config = experiment.config
        self.features = list(config.features)
        self.config = config
        #: the training set's features: the engine's array, which training reads and never writes
        self.x_train = experiment.trainer.data.x_train
        self._network64: Network | None = None  # built when distributions or predictions are first asked for
        self.network = Network.build(len(self.features), config.layers, config.loss)
        for layer in self.network.layers:  # loading weights later casts into these arrays
            layer.params = {name: arr.astype(np.float32) for name, arr in layer.params.items()}
            for name in ("running_mean", "running_var"):
                if hasattr(layer, name):
                    setattr(layer, name, getattr(layer, name).astype(np.float32))
        self._grids: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # id → (points, features)
        self._data = _data_sample(experiment.split)
        self._data_inputs = transform(self.features, self._data[0]).astype(np.float32)
        self.x_val = experiment.trainer.data.x_val

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
        return GridPass(points, tuple(shape), layers, cached[1])

    def data_pass(self, weights: list[dict]) -> DataPass:
        """Every layer's output on the data set's points for ``weights``."""
        self.network.set_weights(weights)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            layers = self.network.outputs_by_layer(self._data_inputs)
        points, labels, train, total = self._data
        return DataPass(points, labels, train, layers, total)

    def _exact(self, weights: list[dict]) -> Network:
        """The float64 copy of the network, holding ``weights``."""
        if self._network64 is None:
            self._network64 = Network.build(len(self.features), self.config.layers, self.config.loss)
        self._network64.set_weights(weights)
        return self._network64

    def distributions(self, weights: list[dict]):
        """Every dense layer's distributions over the training set for ``weights``."""
        return training_set_distributions(self._exact(weights), self.x_train)

    def predictions(self, weights: list[dict]) -> Predictions:
        """The outputs on the training and validation sets for ``weights``, in float64."""
        network = self._exact(weights)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            train, val = (network.predict(x).copy() if len(x) else np.zeros((0, 1))
                          for x in (self.x_train, self.x_val))
        return Predictions(train, val)

    def compute(self, needs: set[str], snapshot, grid: tuple[np.ndarray, tuple[int, ...]] | None) -> dict[str, Any]:
        """``{need: result}`` for each need the snapshot allows (a missing copy is skipped);
        ``grid``: the points to evaluate and their layout."""
        out: dict[str, Any] = {}
        if GRID in needs and snapshot.weights is not None and grid is not None and len(grid[0]):
            out[GRID] = self.grid_pass(snapshot.weights, *grid)
        if DATA in needs and snapshot.weights is not None and len(self._data[0]):
            out[DATA] = self.data_pass(snapshot.weights)
        if PREDICTIONS in needs and snapshot.weights is not None:
            out[PREDICTIONS] = self.predictions(snapshot.weights)
        if GRADIENTS in needs and snapshot.gradient_rms is not None:
            out[GRADIENTS] = snapshot.gradient_rms
        if WEIGHTS in needs and snapshot.weights is not None:
            out[WEIGHTS] = snapshot.weights
        if DISTRIBUTIONS in needs and snapshot.weights is not None:
            out[DISTRIBUTIONS] = self.distributions(snapshot.weights)
        return out


def _data_sample(split) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Points, labels, the number of training points among them and the data set's size:
    every point, or an even sample of ``DATA_PASS_POINTS`` in proportion to each part."""
    parts = (split.train, split.validation)
    total = sum(len(part) for part in parts)
    keep = [len(part) if total <= DATA_PASS_POINTS else round(DATA_PASS_POINTS * len(part) / total) for part in parts]
    chosen = [np.linspace(0, len(part) - 1, k).round().astype(int) if k else np.zeros(0, int)
              for part, k in zip(parts, keep)]
    points = np.concatenate([part.x[i] for part, i in zip(parts, chosen)]).astype(np.float64)
    labels = np.concatenate([part.y[i] for part, i in zip(parts, chosen)])
    return points, labels, len(chosen[0]), total
