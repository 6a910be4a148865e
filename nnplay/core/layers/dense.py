"""Fully connected layer: Z = A W + b, A' = f(Z)."""

from __future__ import annotations

import numpy as np

from nnplay.core.activations import get_activation
from nnplay.core.initializers import get_initializer
from nnplay.core.layers.base import Layer


class Dense(Layer):
    """``W`` is ``(inputs, units)``, ``b`` is ``(units,)``.

    Backward, given dA' = ∂J/∂A' of shape ``(batch, units)``:
    dZ = f'(Z) ⊙ dA',  ∂J/∂W = Aᵀ dZ,  ∂J/∂b = Σ_batch dZ,  ∂J/∂A = dZ Wᵀ.
    """

    type = "dense"

    def __init__(self, n_inputs: int, units: int, activation: str = "identity", init: str = "xavier_uniform"):
        super().__init__(n_inputs)
        self.n_outputs = units
        self.activation_name = activation
        self.activation = get_activation(activation)
        self.init_name = init
        self.params = {"W": np.zeros((n_inputs, units)), "b": np.zeros(units)}
        self.grads = {"W": np.zeros((n_inputs, units)), "b": np.zeros(units)}
        self._x = self._z = self._a = None

    def initialize(self, rng: np.random.Generator) -> None:
        self.params["W"][...] = get_initializer(self.init_name)(self.n_inputs, self.n_outputs, rng)
        self.params["b"][...] = 0.0

    def forward(self, x, training, rng):
        z = x @ self.params["W"]
        z += self.params["b"]  # in place: a second (batch, units) array costs page faults on big batches
        a = self.activation.forward(z)
        self._x, self._z, self._a = x, z, a
        return a

    def backward(self, dout):
        return self.backward_from_z(self.activation.backward(self._z, self._a, dout))

    def backward_from_z(self, dz: np.ndarray) -> np.ndarray:
        """Backward when ∂J/∂Z is already known (a loss computed from the logits)."""
        self.grads["W"] = self._x.T @ dz
        self.grads["b"] = dz.sum(axis=0)
        return dz @ self.params["W"].T

    @property
    def logits(self) -> np.ndarray:
        return self._z
