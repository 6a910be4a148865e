"""Losses: per-example loss summed over output units, then the mean over the batch (SPEC §1).

Targets ``y`` are always 2-D ``(batch, outputs)``: 0/1 in one column for binary
tasks, one-hot rows for multi-class, values for regression.
"""

from __future__ import annotations

import numpy as np

from nnplay.core.registry import Entry, Registry


def _mean(values: np.ndarray) -> float:
    """Mean of a 1-D array: the bits of ``values.mean()``, without its Python-level wrapper
    (which costs as much as the loss itself on a playground batch)."""
    return float(values.sum() / len(values))


class Loss(Entry):
    """Besides the math, a subclass declares its ``title``, ``formula`` and ``help``, the
    output activation it pairs with (and why), the tasks it suits, and how a plot reads
    a binary output (``threshold``, ``plot_half_range``, ``plot_label``)."""

    #: the output activation the chapters pair with this loss
    output = "identity"
    #: the derivative ``grad`` computes, per example, before the mean's 1/N (rich text)
    gradient = ""
    #: for a loss ``from_logits``: its derivative with respect to the output layer's z
    logit_gradient = ""
    #: why it wants that output, in the chapters' words (rich text): the pairing advice
    why_output = ""
    #: tasks this loss makes sense for
    tasks: tuple[str, ...] = ()
    #: tasks for which it is the chapters' loss, the one a new network of that task gets
    default_for: tuple[str, ...] = ()
    #: when True the network computes value and gradient from the logits z of the
    #: output layer (log-sum-exp), so they are finite for any finite z and dJ/dz = (a - y) / batch
    from_logits = False
    #: binary outputs above this are class 1
    threshold = 0.5
    #: a binary output plot spans threshold ± this
    plot_half_range = 0.5
    #: what a binary output plot's colour bar says it shows ("" : the raw output)
    plot_label = ""

    def per_example(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Loss of each example, shape ``(batch,)``."""
        raise NotImplementedError

    def value(self, a: np.ndarray, y: np.ndarray) -> float:
        return _mean(self.per_example(a, y))

    def grad(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """d(mean loss)/da, shape ``(batch, outputs)``."""
        raise NotImplementedError

    def per_example_from_logits(self, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Loss of each example from the output layer's z, shape ``(batch,)`` (``from_logits`` losses)."""
        raise NotImplementedError

    def value_from_logits(self, z: np.ndarray, y: np.ndarray) -> float:
        return _mean(self.per_example_from_logits(z, y))


LOSSES: Registry[Loss] = Registry("loss")


@LOSSES.register("squared")
class Squared(Loss):
    """L = Σ_k (a_k - y_k)², dL/da = 2 (a - y)."""

    title = "squared error"
    formula = "L = Σ<sub>k</sub> (a<sub>k</sub> − y<sub>k</sub>)²"
    gradient = "∂L/∂a<sub>k</sub> = 2 (a<sub>k</sub> − y<sub>k</sub>)"
    tasks = ("regression", "binary", "multiclass")
    default_for = ("regression",)
    why_output = ("a regression target can be any number, so squared loss wants a linear "
                  "(<b>identity</b>) output")
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

    title = "absolute error (mae)"
    formula = "L = Σ<sub>k</sub> |a<sub>k</sub> − y<sub>k</sub>|"
    gradient = "∂L/∂a<sub>k</sub> = sign(a<sub>k</sub> − y<sub>k</sub>)"
    tasks = ("regression",)
    why_output = ("mae measures |a − y| for targets that can be any number, so it wants a linear "
                  "(<b>identity</b>) output")
    help = "Absolute error Σ |a - y|: like squared loss for regression, but less swayed by outliers."

    def per_example(self, a, y):
        return np.abs(a - y).sum(axis=1)

    def grad(self, a, y):
        return np.sign(a - y) / len(a)


@LOSSES.register("hinge")
class Hinge(Loss):
    """L = max(0, 1 - ŷ a) with ŷ = 2y - 1 ∈ {-1, +1}; dL/da = -ŷ where the margin is violated."""

    title = "hinge"
    formula = "L = max(0, 1 − ŷ a),  ŷ = 2y − 1 = ±1"
    gradient = "∂L/∂a = −ŷ if ŷ a < 1, else 0"
    tasks = ("binary",)
    why_output = ("hinge compares the raw score a with the margin ±1, so it wants a linear "
                  "(<b>identity</b>) output; a squashed output cannot get past the margin")
    threshold = 0.0  # the sign of the score
    plot_half_range = 1.5  # the margin ±1 and a little beyond
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

    title = "nll (log loss)"
    formula = "L = −(y log a + (1 − y) log(1 − a))"
    gradient = "∂L/∂a = (a − y) / (a (1 − a))"
    logit_gradient = "∂L/∂z = σ(z) − y = a − y"
    output = "sigmoid"
    tasks = ("binary",)
    default_for = ("binary",)
    why_output = ("nll reads the output a as the probability of class 1 and takes log a and log(1 − a), "
                  "so a must lie between 0 and 1: the chapters pair it with a <b>sigmoid</b> output unit")
    plot_label = "P(class 1)"
    help = ("Negative log likelihood -(y log a + (1 - y) log(1 - a)) of a sigmoid output, "
            "for binary classification.")
    from_logits = True

    def per_example(self, a, y):
        return -(y * np.log(a) + (1.0 - y) * np.log1p(-a)).sum(axis=1)

    def grad(self, a, y):
        return (a - y) / (a * (1.0 - a)) / len(a)

    def per_example_from_logits(self, z, y):
        return (np.logaddexp(0.0, z) - y * z).sum(axis=1)


@LOSSES.register("nllm")
class MulticlassNegativeLogLikelihood(Loss):
    """L = -Σ_k y_k log a_k with a = softmax(z), y one-hot.

    From the logits: L = logsumexp(z) - Σ_k y_k z_k, and dL/dz = a - y.
    """

    title = "nllm (multi-class log loss)"
    formula = "L = −Σ<sub>k</sub> y<sub>k</sub> log a<sub>k</sub>"
    gradient = "∂L/∂a<sub>k</sub> = −y<sub>k</sub> / a<sub>k</sub>"
    logit_gradient = "∂L/∂z<sub>k</sub> = softmax(z)<sub>k</sub> − y<sub>k</sub> = a<sub>k</sub> − y<sub>k</sub>"
    output = "softmax"
    tasks = ("multiclass",)
    default_for = ("multiclass",)
    why_output = ("nllm reads the K outputs as class probabilities that sum to 1 and takes log a<sub>k</sub>: "
                  "the chapters pair it with a <b>softmax</b> output layer")
    help = "Negative log likelihood multiclass -Σ y_k log a_k of a softmax output, with y one-hot."
    from_logits = True

    def per_example(self, a, y):
        return -(y * np.log(a)).sum(axis=1)

    def grad(self, a, y):
        return -y / a / len(a)

    def per_example_from_logits(self, z, y):
        m = z.max(axis=1, keepdims=True)
        logsumexp = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
        return logsumexp - (y * z).sum(axis=1)


def get_loss(name: str) -> Loss:
    return LOSSES.get(name)()


def default_loss(task: str) -> str:
    """The chapters' loss for ``task``: the one a new network of that task gets."""
    return next(loss.name for loss in LOSSES.entries() if task in loss.default_for)
