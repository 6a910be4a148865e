"""Batch normalization over the features of the layer's input."""

from __future__ import annotations

import numpy as np

from nnplay.core.layers.base import Layer


class BatchNorm(Layer):
    """Training: ẑ = γ (z - μ) / sqrt(σ² + ε) + β with the batch mean μ and biased
    variance σ²; running averages r ← (1 - m) r + m · batch_stat (the running variance
    takes the unbiased batch variance). Evaluation uses the running mean and variance.

    Backward (training mode), with x̂ = (z - μ)/s, s = sqrt(σ² + ε), N = batch:
    ∂J/∂γ = Σ dẑ ⊙ x̂,  ∂J/∂β = Σ dẑ,
    ∂J/∂z = γ/(N s) · (N dẑ - Σ dẑ - x̂ Σ (dẑ ⊙ x̂)).
    """

    type = "batchnorm"
    eps = 1e-5
    momentum = 0.1

    def __init__(self, n_inputs: int):
        super().__init__(n_inputs)
        self.params = {"gamma": np.ones(n_inputs), "beta": np.zeros(n_inputs)}
        self.grads = {"gamma": np.zeros(n_inputs), "beta": np.zeros(n_inputs)}
        self.running_mean = np.zeros(n_inputs)
        self.running_var = np.ones(n_inputs)
        self._xhat = self._std = None

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
        self._xhat, self._std = xhat, std
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

    def weights(self):
        return {**super().weights(), "running_mean": self.running_mean.copy(), "running_var": self.running_var.copy()}

    def load_weights(self, weights):
        super().load_weights(weights)
        for name, arr in (("running_mean", self.running_mean), ("running_var", self.running_var)):
            value = np.asarray(weights[name], dtype=np.float64)
            if value.shape != arr.shape:
                raise ValueError(f"{name} has shape {value.shape}, expected {arr.shape}")
            arr[...] = value
