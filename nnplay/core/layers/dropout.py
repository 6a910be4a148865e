"""Inverted dropout: randomly zero units while training, identity at evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from nnplay.core.errors import ConfigError
from nnplay.core.layers.base import LAYERS, Layer, layer_dict
from nnplay.core.settings import Setting, setting


@dataclass
class DropoutConfig:
    type: ClassVar[str] = "dropout"
    rate: float = setting(Setting(
        "rate", "Rate p", 0.2, "float", symbol="p", low=0.0, high=1.0, high_open=True, control=(0.0, 0.95),
        step=0.05, help="p, the probability that a unit is dropped on a training step. "
                        "The chapters: 0.5 is common; 0 turns dropout off."))

    def to_dict(self):
        return layer_dict(self)


@LAYERS.register("dropout")
class Dropout(Layer):
    """``rate`` p is the probability of dropping a unit.

    Training: a · d / (1 - p) with d ~ Bernoulli(1 - p), a fresh mask per batch;
    backward multiplies by the same d / (1 - p). Evaluation: identity. (The chapters
    scale by 1 - p at test time instead; the expected activation is the same.)
    """

    title = "Dropout"
    formula = "a · d / (1 − p),  d ~ Bernoulli(1 − p)"
    backward_formula = "∂J/∂a = ∂J/∂out · d / (1 − p)  (the same mask d)"
    help = ("Dropout (the chapters, 6.8.2): on each training step every unit of the layer before "
            "it is switched off with probability p, so no unit can rely on a few others and the "
            "network becomes more robust. At evaluation nothing is dropped. "
            "(nnplay scales by 1/(1−p) during training instead of by p at test time: same expectation.)")
    config = DropoutConfig
    note = "Dropout, p = chance to drop"

    def __init__(self, n_inputs: int, rate: float):
        super().__init__(n_inputs)
        if not 0.0 <= rate < 1.0:
            # p = 1 would drop every unit and divide by 1 - p = 0
            raise ConfigError(f"dropout rate must be in [0, 1), got {rate}")
        self.rate = rate
        self._scale = None

    @classmethod
    def from_config(cls, config: DropoutConfig, n_inputs: int) -> "Dropout":
        return cls(n_inputs, config.rate)

    @classmethod
    def summary(cls, config: DropoutConfig) -> str:
        return f"dropout {config.rate:g}"

    @classmethod
    def info_columns(cls, config: DropoutConfig) -> tuple[str, str]:
        return f"rate {config.rate:<5g}", ""

    @classmethod
    def to_onnx(cls, graph, a, config, weights, index):
        return a  # identity at evaluation

    def forward(self, x, training, rng):
        if not training or self.rate == 0.0:
            self._scale = None
            return x
        keep = 1.0 - self.rate
        self._scale = (rng.random(x.shape) < keep) / keep
        return x * self._scale

    def backward(self, dout):
        return dout if self._scale is None else dout * self._scale

    def trace_values(self):
        """``scale``: d / (1 − p) per entry (0 where dropped); none when nothing was dropped."""
        return {} if self._scale is None else {"scale": self._scale}
