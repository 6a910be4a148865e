"""The module API of the chapters: forward, backward, parameter gradients."""

from __future__ import annotations

from typing import Any

import numpy as np


class Layer:
    """A layer maps ``(batch, inputs)`` to ``(batch, outputs)``.

    ``forward`` caches what ``backward`` needs; ``backward(dout)`` stores
    ∂J/∂param in ``grads`` (same keys as ``params``) and returns ∂J/∂input.
    """

    type = ""

    def __init__(self, n_inputs: int):
        self.n_inputs = n_inputs
        self.n_outputs = n_inputs
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray, training: bool, rng: np.random.Generator | None) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def weights(self) -> dict[str, Any]:
        """The arrays a network file stores for this layer (copies)."""
        return {name: arr.copy() for name, arr in self.params.items()}

    def load_weights(self, weights: dict[str, Any]) -> None:
        for name, arr in self.params.items():
            value = np.asarray(weights[name], dtype=np.float64)
            if value.shape != arr.shape:
                raise ValueError(f"{name} has shape {value.shape}, expected {arr.shape}")
            arr[...] = value

    @property
    def parameter_count(self) -> int:
        return sum(a.size for a in self.params.values())
