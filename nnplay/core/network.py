"""A sequential network of layers (dense, dropout, batch norm, …) with its objective.

J = mean over the batch of the loss + λ₂ Σ‖W‖² + λ₁ Σ|W|, the penalties on dense
weights only (SPEC §1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnplay.core.config import LayerConfig
from nnplay.core.errors import ConfigError
from nnplay.core.layers import LAYERS, Dense, Layer
from nnplay.core.losses import Loss, get_loss


class Network:
    """Layers in order, the loss, and the penalties.

    ``forward(x)`` maps ``(batch, features)`` to ``(batch, outputs)``;
    ``backward(y)`` back-propagates ∂J/∂output for targets ``y`` and fills every
    layer's ``grads`` (penalty gradients included).
    """

    def __init__(self, layers: list[Layer], loss: Loss, l1: float = 0.0, l2: float = 0.0):
        self.layers = layers
        self.loss = loss
        self.l1 = l1
        self.l2 = l2
        last = layers[-1] if layers else None
        # log-sum-exp path: the loss reads the output layer's logits, and ∂J/∂z = (a - y)/batch
        self._fused = (
            loss.from_logits and isinstance(last, Dense) and last.activation_name == loss.output
        )
        self.dense = [layer for layer in layers if isinstance(layer, Dense)]
        self.param_keys = [
            (f"layer{i}.{name}", layer, name) for i, layer in enumerate(layers) for name in layer.params
        ]
        self._output = None

    # ---- construction
    @classmethod
    def build(cls, n_inputs: int, layers: list[LayerConfig], loss: str, l1=0.0, l2=0.0) -> "Network":
        built: list[Layer] = []
        width = n_inputs
        for spec in layers:
            layer = LAYERS.get(spec.type).from_config(spec, width)
            built.append(layer)
            width = layer.n_outputs
        return cls(built, get_loss(loss), l1, l2)

    def initialize(self, rng: np.random.Generator) -> None:
        for layer in self.layers:
            if hasattr(layer, "initialize"):
                layer.initialize(rng)

    @property
    def n_inputs(self) -> int:
        return self.layers[0].n_inputs

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].n_outputs

    @property
    def parameter_count(self) -> int:
        return sum(layer.parameter_count for layer in self.layers)

    # ---- the math
    def forward(self, x: np.ndarray, training: bool = False, rng: np.random.Generator | None = None,
                outputs: list[np.ndarray] | None = None) -> np.ndarray:
        """The output for ``x``; ``outputs``, when given, receives each layer's output in order."""
        for layer in self.layers:
            x = layer.forward(x, training, rng)
            if outputs is not None:
                outputs.append(x)
        self._output = x
        return x

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Evaluation-mode output (dropout off, batch norm on running statistics)."""
        return self.forward(x, training=False)

    def outputs_by_layer(self, x: np.ndarray) -> list[np.ndarray]:
        """Every layer's evaluation-mode output for ``x``, first to last: one pass, the
        last entry being ``predict(x)`` (a dropout layer's entry is its input itself)."""
        outputs = []
        for layer in self.layers:
            x = layer.forward(x, False, None)
            outputs.append(x)
        self._output = x
        return outputs

    def data_loss(self, y: np.ndarray) -> float:
        """Mean loss of the last forward pass against targets ``y``."""
        if self._fused:
            return self.loss.value_from_logits(self.layers[-1].logits, y)
        return self.loss.value(self._output, y)

    def penalty(self) -> float:
        total = 0.0
        if self.l2:
            total += self.l2 * sum(float(np.sum(d.params["W"] ** 2)) for d in self.dense)
        if self.l1:
            total += self.l1 * sum(float(np.sum(np.abs(d.params["W"]))) for d in self.dense)
        return total

    def objective(self, y: np.ndarray) -> float:
        """J of the last forward pass: data loss plus penalties."""
        return self.data_loss(y) + self.penalty()

    def backward(self, y: np.ndarray) -> None:
        layers = self.layers
        if self._fused:
            grad = layers[-1].backward_from_z((self._output - y) / len(y))
            rest = layers[-2::-1]
        else:
            grad = self.loss.grad(self._output, y)
            rest = layers[::-1]
        for layer in rest:
            grad = layer.backward(grad)
        if self.l1 or self.l2:
            self.add_penalty_gradients()

    @property
    def from_logits(self) -> bool:
        """Whether the loss reads the output layer's z, so that backward starts from
        ∂J/∂z = (a − y) / batch rather than from ∂J/∂a."""
        return self._fused

    def add_penalty_gradients(self) -> None:
        """∂/∂W of the penalties, added to each dense layer's gradient: 2λ₂W, then λ₁ sign(W)."""
        for dense in self.dense:
            W = dense.params["W"]
            if self.l2:
                dense.grads["W"] = dense.grads["W"] + 2.0 * self.l2 * W
            if self.l1:
                dense.grads["W"] = dense.grads["W"] + self.l1 * np.sign(W)

    def parameters_and_grads(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``(key, w, ∂J/∂w)`` for every trainable array, after ``backward``."""
        return [(key, layer.params[name], layer.grads[name]) for key, layer, name in self.param_keys]

    # ---- weights as the network file stores them
    def get_weights(self) -> list[dict[str, Any]]:
        return [layer.weights() for layer in self.layers]

    def set_weights(self, weights: list[dict[str, Any]]) -> None:
        if len(weights) != len(self.layers):
            raise ConfigError(f"weights list {len(weights)} layers, the network has {len(self.layers)}")
        for i, (layer, w) in enumerate(zip(self.layers, weights)):
            try:
                layer.load_weights(w)
            except (KeyError, ValueError) as exc:
                raise ConfigError(f"weights of layer {i + 1} ({layer.type}, weights[{i}]): {exc}") from exc
