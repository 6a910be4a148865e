"""Fully connected layer: Z = A W + b, A' = f(Z)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from nnplay.core.activations import ACTIVATIONS, get_activation
from nnplay.core.initializers import INITIALIZERS, get_initializer
from nnplay.core.layers.base import LAYERS, Layer, layer_dict
from nnplay.core.limits import MAX_UNITS
from nnplay.core.settings import REQUIRED, Setting, setting


@dataclass
class DenseConfig:
    type: ClassVar[str] = "dense"
    units: int = setting(Setting(
        "units", "Units", REQUIRED, "int", low=1, high=MAX_UNITS, control=(1, 256),
        help="How many units (neurons) this layer has. More units can draw a more complex boundary. "
             "Changing it starts the weights afresh."))
    activation: str = setting(Setting(
        "activation", "Activation", "tanh", "choice", choices=ACTIVATIONS,
        help="The activation f applied to each unit's weighted sum z. Hover an entry for what it does."))
    init: str = setting(Setting(
        "init", "Initialization", "xavier_uniform", "choice", choices=INITIALIZERS,
        help="How this layer's weights start (biases start at 0). The chapters: start from small "
             "random values, so units differ and gradients are not zero."))

    def to_dict(self):
        return layer_dict(self)


@LAYERS.register("dense")
class Dense(Layer):
    """``W`` is ``(inputs, units)``, ``b`` is ``(units,)``.

    Backward, given dA' = ∂J/∂A' of shape ``(batch, units)``:
    dZ = f'(Z) ⊙ dA',  ∂J/∂W = Aᵀ dZ,  ∂J/∂b = Σ_batch dZ,  ∂J/∂A = dZ Wᵀ.
    """

    title = "Dense"
    formula = "Z = A·W + b,  A' = f(Z)"
    backward_formula = ("δ = ∂J/∂Z = f′(Z) ⊙ ∂J/∂A′;  ∂J/∂W = Aᵀ δ;  ∂J/∂b = Σ<sub>batch</sub> δ;  "
                        "∂J/∂A = δ Wᵀ")
    help = ("A fully connected layer: Z = A·W + b, then A' = f(Z) with the activation f. "
            "Units = how many neurons; each has one weight per input and a bias.")
    config = DenseConfig
    arrays = trainable = ("W", "b")

    def __init__(self, n_inputs: int, units: int, activation: str = "identity", init: str = "xavier_uniform"):
        super().__init__(n_inputs)
        self.n_outputs = units
        self.activation_name = activation
        self.activation = get_activation(activation)
        self.init_name = init
        self.params = {"W": np.zeros((n_inputs, units)), "b": np.zeros(units)}
        self.grads = {"W": np.zeros((n_inputs, units)), "b": np.zeros(units)}
        self._x = self._z = self._a = None

    @classmethod
    def from_config(cls, config: DenseConfig, n_inputs: int) -> "Dense":
        return cls(n_inputs, config.units, config.activation, config.init)

    @classmethod
    def new_config(cls, hidden: list) -> DenseConfig:
        """Like the last hidden dense layer (8 tanh units when there is none)."""
        like = [layer for layer in hidden if isinstance(layer, DenseConfig)]
        last = like[-1] if like else DenseConfig(8, "tanh", "xavier_uniform")
        return DenseConfig(last.units, last.activation, last.init)

    @classmethod
    def output_width(cls, config: DenseConfig, n_inputs: int) -> int:
        return config.units

    @classmethod
    def array_shapes(cls, config: DenseConfig, n_inputs: int):
        return {"W": (n_inputs, config.units), "b": (config.units,)}

    @classmethod
    def summary(cls, config: DenseConfig) -> str:
        return f"{config.units} {ACTIVATIONS.canonical(config.activation)}"

    @classmethod
    def info_columns(cls, config: DenseConfig) -> tuple[str, str]:
        return config.activation, config.init

    @classmethod
    def to_onnx(cls, graph, a, config, weights, index):
        W = graph.const(weights["W"], f"layer{index}.W")
        b = graph.const(weights["b"], f"layer{index}.b")
        z = graph.op("Gemm", [a, W, b], f"layer{index}.z")
        return get_activation(config.activation).to_onnx(graph, z)

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

    def trace_values(self):
        return {"z": self._z, "a": self._a}

    def backward_from_z(self, dz: np.ndarray) -> np.ndarray:
        """Backward when ∂J/∂Z is already known (a loss computed from the logits)."""
        self.grads["W"] = self._x.T @ dz
        self.grads["b"] = dz.sum(axis=0)
        return dz @ self.params["W"].T

    @property
    def logits(self) -> np.ndarray:
        return self._z
