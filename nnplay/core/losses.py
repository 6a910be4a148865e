"""Losses: per-example loss summed over output units, then the mean over the batch (SPEC §1).

Targets ``y`` are always 2-D ``(batch, outputs)``: 0/1 in one column for binary
tasks, one-hot rows for multi-class, values for regression.
"""

from __future__ import annotations

import numpy as np

from nnplay.core.activations import sigmoid, softmax
from nnplay.core.registry import Registry


def _mean(values: np.ndarray) -> float:
    """Mean of a 1-D array: the bits of ``values.mean()``, without its Python-level wrapper
    (which costs as much as the loss itself on a playground batch)."""
    return float(values.sum() / len(values))


class Loss:
    name = ""
    #: one or two sentences the app shows as a tooltip
    help = ""
    #: the output activation the chapters pair with this loss
    output = "identity"
    #: tasks this loss makes sense for
    tasks: tuple[str, ...] = ()
    #: when True the network computes value and gradient from the logits z of the
    #: output layer (log-sum-exp), so they are finite for any finite z and dJ/dz = (a - y) / batch
    from_logits = False

    def per_example(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Loss of each example, shape ``(batch,)``."""
        raise NotImplementedError

    def value(self, a: np.ndarray, y: np.ndarray) -> float:
        return _mean(self.per_example(a, y))

    def grad(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """d(mean loss)/da, shape ``(batch, outputs)``."""
        raise NotImplementedError

    def value_from_logits(self, z: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError


LOSSES: Registry[Loss] = Registry("loss")


@LOSSES.register("squared")
class Squared(Loss):
    """L = Σ_k (a_k - y_k)², dL/da = 2 (a - y)."""

    tasks = ("regression", "binary", "multiclass")
    help = ("Squared error Σ (a - y)², averaged over the batch; for regression with a linear output, "
            "and usable for classification (as in the XOR example).")

    def per_example(self, a, y):
        d = a - y
        return (d * d).sum(axis=1)

    def grad(self, a, y):
        return (2.0 / len(a)) * (a - y)


@LOSSES.register("mae")
class MeanAbsolute(Loss):
    """L = Σ_k |a_k - y_k|, dL/da = sign(a - y)."""

    tasks = ("regression",)
    help = "Absolute error Σ |a - y|: like squared loss for regression, but less swayed by outliers."

    def per_example(self, a, y):
        return np.abs(a - y).sum(axis=1)

    def grad(self, a, y):
        return np.sign(a - y) / len(a)


@LOSSES.register("hinge")
class Hinge(Loss):
    """L = max(0, 1 - ŷ a) with ŷ = 2y - 1 ∈ {-1, +1}; dL/da = -ŷ where the margin is violated."""

    tasks = ("binary",)
    help = ("max(0, 1 - ŷ a) with ŷ = ±1: penalizes points that are wrong or inside the margin, "
            "for binary classification with a linear output.")

    def per_example(self, a, y):
        return np.maximum(0.0, 1.0 - (2.0 * y - 1.0) * a).sum(axis=1)

    def grad(self, a, y):
        signed = 2.0 * y - 1.0
        return np.where(1.0 - signed * a > 0, -signed, 0.0) / len(a)


@LOSSES.register("nll")
class NegativeLogLikelihood(Loss):
    """L = -(y log a + (1 - y) log(1 - a)) with a = σ(z).

    From the logits: L = softplus(z) - y z, and dL/dz = σ(z) - y = a - y.
    """

    output = "sigmoid"
    tasks = ("binary",)
    help = ("Negative log likelihood -(y log a + (1 - y) log(1 - a)) of a sigmoid output, "
            "for binary classification.")
    from_logits = True

    def per_example(self, a, y):
        return -(y * np.log(a) + (1.0 - y) * np.log1p(-a)).sum(axis=1)

    def grad(self, a, y):
        return (a - y) / (a * (1.0 - a)) / len(a)

    def value_from_logits(self, z, y):
        return _mean((np.logaddexp(0.0, z) - y * z).sum(axis=1))

    @staticmethod
    def output_from_logits(z):
        return sigmoid(z)


@LOSSES.register("nllm")
class MulticlassNegativeLogLikelihood(Loss):
    """L = -Σ_k y_k log a_k with a = softmax(z), y one-hot.

    From the logits: L = logsumexp(z) - Σ_k y_k z_k, and dL/dz = a - y.
    """

    output = "softmax"
    tasks = ("multiclass",)
    help = "Negative log likelihood multiclass -Σ y_k log a_k of a softmax output, with y one-hot."
    from_logits = True

    def per_example(self, a, y):
        return -(y * np.log(a)).sum(axis=1)

    def grad(self, a, y):
        return -y / a / len(a)

    def value_from_logits(self, z, y):
        m = z.max(axis=1, keepdims=True)
        logsumexp = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
        return _mean(logsumexp - (y * z).sum(axis=1))

    @staticmethod
    def output_from_logits(z):
        return softmax(z)


def get_loss(name: str) -> Loss:
    return LOSSES.get(name)()
