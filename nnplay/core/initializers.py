"""Weight initializers (SPEC §1); biases start at 0."""

from __future__ import annotations

import numpy as np

from nnplay.core.registry import Entry, Registry


class Initializer(Entry):
    """Draws a layer's starting weights; declares its ``title``, ``formula`` and ``help``."""

    def __call__(self, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
        """A weight matrix of shape ``(fan_in, fan_out)``."""
        raise NotImplementedError


INITIALIZERS: Registry[Initializer] = Registry("initializer")


@INITIALIZERS.register("normal_fan_in")
class NormalFanIn(Initializer):
    """W ~ N(0, 1/fan_in): the chapters' Gaussian(0, 1/m)."""

    title = "N(0, 1/m)"
    formula = "W ~ N(0, 1/m)"
    help = "Weights from a Gaussian with mean 0 and variance 1/m, m the number of inputs to the layer."

    def __call__(self, fan_in, fan_out, rng):
        return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out))


@INITIALIZERS.register("xavier_uniform")
class XavierUniform(Initializer):
    """W ~ U[-b, b] with b = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""

    title = "Xavier"
    formula = "W ~ U[−b, b],  b = √(6 / (m + n))"
    help = "Xavier: uniform on [-b, b], b = sqrt(6 / (inputs + units)), keeping signals of similar size in both directions."

    def __call__(self, fan_in, fan_out, rng):
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-bound, bound, size=(fan_in, fan_out))


@INITIALIZERS.register("he_normal")
class HeNormal(Initializer):
    """W ~ N(0, 2/fan_in), suited to ReLU units (He et al., 2015)."""

    title = "He"
    formula = "W ~ N(0, 2/m)"
    help = "He: Gaussian with variance 2/m, making up for the half of its inputs a ReLU switches off."

    def __call__(self, fan_in, fan_out, rng):
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


@INITIALIZERS.register("zeros")
class Zeros(Initializer):
    """W = 0: every unit of a layer then computes the same thing and gets the same
    gradient, so the symmetry is never broken."""

    title = "zeros"
    formula = "W = 0"
    help = "All weights 0: every unit in a layer computes the same and learns the same, so symmetry is never broken."

    def __call__(self, fan_in, fan_out, rng):
        return np.zeros((fan_in, fan_out))


def get_initializer(name: str) -> Initializer:
    return INITIALIZERS.get(name)()
