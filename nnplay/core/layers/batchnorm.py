"""Batch normalization over the features of the layer's input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from nnplay.core.layers.base import LAYERS, Layer, load_array, layer_dict


@dataclass
class BatchNormConfig:
    type: ClassVar[str] = "batchnorm"

    def to_dict(self):
        return layer_dict(self)


@LAYERS.register("batchnorm")
class BatchNorm(Layer):
    """Training: ẑ = γ (z - μ) / sqrt(σ² + ε) + β with the batch mean μ and biased
    variance σ²; running averages r ← (1 - m) r + m · batch_stat (the running variance
    takes the unbiased batch variance). Evaluation uses the running mean and variance.

    Backward (training mode), with x̂ = (z - μ)/s, s = sqrt(σ² + ε), N = batch:
    ∂J/∂γ = Σ dẑ ⊙ x̂,  ∂J/∂β = Σ dẑ,
    ∂J/∂z = γ/(N s) · (N dẑ - Σ dẑ - x̂ Σ (dẑ ⊙ x̂)).
    """

    title = "BatchNorm"
    formula = "ẑ = γ (z − μ) / √(σ² + ε) + β"
    backward_formula = ("∂J/∂γ = Σ ∂J/∂ẑ ⊙ x̂;  ∂J/∂β = Σ ∂J/∂ẑ;  "
                        "∂J/∂z = γ / (N s) · (N ∂J/∂ẑ − Σ ∂J/∂ẑ − x̂ Σ (∂J/∂ẑ ⊙ x̂)),  s = √(σ² + ε)")
    help = ("Batch normalization (the chapters, 6.8.3): standardizes each of its inputs over the "
            "mini-batch (subtract the mean, divide by the standard deviation), then scales by a "
            "learned γ and shifts by a learned β. The scale of what the next layer sees then stays "
            "the same while earlier weights change, and the batch-to-batch jitter regularizes a "
            "little. Put it between a dense layer and the next; at evaluation it uses running averages.")
    config = BatchNormConfig
    note = "BatchNorm: standardize over the batch"
    arrays = ("gamma", "beta", "running_mean", "running_var")
    trainable = ("gamma", "beta")
    nonnegative_arrays = ("running_var",)
    eps = 1e-5
    momentum = 0.1

    def __init__(self, n_inputs: int):
        super().__init__(n_inputs)
        self.params = {"gamma": np.ones(n_inputs), "beta": np.zeros(n_inputs)}
        self.grads = {"gamma": np.zeros(n_inputs), "beta": np.zeros(n_inputs)}
        self.running_mean = np.zeros(n_inputs)
        self.running_var = np.ones(n_inputs)
        self._xhat = self._std = self._mu = self._var = None

    @classmethod
    def from_config(cls, config: BatchNormConfig, n_inputs: int) -> "BatchNorm":
        return cls(n_inputs)

    @classmethod
    def to_onnx(cls, graph, a, config, weights, index):
        # γ (x - μ) / sqrt(σ² + ε) + β with the running statistics, in forward's order
        std = np.sqrt(np.asarray(weights["running_var"], dtype=np.float64) + cls.eps)
        centred = graph.op("Sub", [a, graph.const(weights["running_mean"], f"layer{index}.running_mean")])
        scaled = graph.op("Mul", [graph.const(weights["gamma"], f"layer{index}.gamma"), centred])
        normed = graph.op("Div", [scaled, graph.const(std, f"layer{index}.std")])
        return graph.op("Add", [normed, graph.const(weights["beta"], f"layer{index}.beta")], f"layer{index}.out")

    def initialize(self, rng: np.random.Generator) -> None:
        self.params["gamma"][...] = 1.0
        self.params["beta"][...] = 0.0
        self.running_mean[...] = 0.0
        self.running_var[...] = 1.0

    def forward(self, x, training, rng):
        gamma, beta = self.params["gamma"], self.params["beta"]
        if not training:
            return gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps) + beta
        n = x.shape[0]
        mu = x.mean(axis=0)
        centred = x - mu
        var = (centred * centred).mean(axis=0)
        std = np.sqrt(var + self.eps)
        xhat = centred / std
        self._xhat, self._std, self._mu, self._var = xhat, std, mu, var
        m = self.momentum
        self.running_mean[...] = (1.0 - m) * self.running_mean + m * mu
        # one example has no spread to estimate (n - 1 = 0): the running variance keeps its
        # value rather than decaying towards 0, which would blow up evaluation by 1/sqrt(ε)
        if n > 1:
            self.running_var[...] = (1.0 - m) * self.running_var + m * (var * (n / (n - 1)))
        return gamma * xhat + beta

    def backward(self, dout):
        xhat, n = self._xhat, dout.shape[0]
        self.grads["gamma"] = (dout * xhat).sum(axis=0)
        self.grads["beta"] = dout.sum(axis=0)
        gamma = self.params["gamma"]
        return (gamma / (n * self._std)) * (
            n * dout - self.grads["beta"] - xhat * self.grads["gamma"]
        )

    def trace_values(self):
        if self._xhat is None:
            return {}
        return {"mu": self._mu, "var": self._var, "std": self._std, "xhat": self._xhat}

    def weights(self):
        return {**super().weights(), "running_mean": self.running_mean.copy(), "running_var": self.running_var.copy()}

    def load_weights(self, weights):
        super().load_weights(weights)
        load_array(self.running_mean, weights, "running_mean")
        load_array(self.running_var, weights, "running_var")
