"""Inverted dropout: randomly zero units while training, identity at evaluation."""

from __future__ import annotations

from nnplay.core.layers.base import Layer


class Dropout(Layer):
    """``rate`` p is the probability of dropping a unit.

    Training: a · d / (1 - p) with d ~ Bernoulli(1 - p), a fresh mask per batch;
    backward multiplies by the same d / (1 - p). Evaluation: identity. (The chapters
    scale by 1 - p at test time instead; the expected activation is the same.)
    """

    type = "dropout"

    def __init__(self, n_inputs: int, rate: float):
        super().__init__(n_inputs)
        if not 0.0 <= rate < 1.0:
            # p = 1 would drop every unit and divide by 1 - p = 0
            raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
        self.rate = rate
        self._scale = None

    def forward(self, x, training, rng):
        if not training or self.rate == 0.0:
            self._scale = None
            return x
        keep = 1.0 - self.rate
        self._scale = (rng.random(x.shape) < keep) / keep
        return x * self._scale

    def backward(self, dout):
        return dout if self._scale is None else dout * self._scale
