"""Element-wise activation functions f(z) with their derivatives (SPEC §1)."""

from __future__ import annotations

import numpy as np

from nnplay.core.registry import Entry, Registry


class Activation(Entry):
    """``forward(z) -> a`` and ``backward(z, a, da) -> dz``, both ``(batch, units)``.

    ``backward`` receives the cached pre-activation ``z`` and output ``a`` so that
    each derivative can use whichever is cheaper (tanh' = 1 - a²).

    Besides the math, a subclass declares its ``title``, ``formula`` and ``help`` (the
    app's lists and tooltips), ``output_range`` (what an output unit with it can
    produce, for the pairing advice) and ``to_onnx`` (its ONNX form).
    """

    #: what values an output unit with this activation can produce, in words
    output_range = "any number"
    #: the same as numbers, ``(low, high)``, None where unbounded: a picture of a unit's
    #: output takes its colour scale from it (fixed where both ends are finite; white
    #: at the low end where only that one is, as for a ReLU unit that is off)
    value_range: tuple[float | None, float | None] = (None, None)
    #: True when the derivative is zero almost everywhere, so gradient descent cannot learn.
    untrainable = False
    #: f′(z) as the app shows it (rich text): the back-propagation dialog's δ = f′(z) ⊙ ∂J/∂a
    derivative = ""
    #: False when an output depends on the other units' z too (softmax): δ is then a
    #: Jacobian product, not f′(z) entry by entry
    elementwise = True
    #: a unit is saturated where its output is ≤ the first or ≥ the second, so close to an
    #: end of ``value_range`` that its gradient has all but vanished; None for activations that do not saturate
    saturation: tuple[float, float] | None = None
    #: a unit whose output is exactly this for every example is dead: no gradient reaches
    #: its weights again (ReLU's 0); None where a unit cannot die
    dead_output: float | None = None

    def forward(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, z: np.ndarray, a: np.ndarray, da: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def to_onnx(self, graph, z: str) -> str:
        """Add the ONNX nodes computing f(z) to ``graph`` and return their output's name.

        ``graph.op(op_type, inputs, hint, **attributes)`` adds a node (DOUBLE tensors,
        opset 17, element type ``graph.DOUBLE``) and ``graph.const(value, hint)`` a
        constant; both return the name of the tensor made. The result must equal
        ``forward`` to ~1e-12 in onnxruntime."""
        raise NotImplementedError


ACTIVATIONS: Registry[Activation] = Registry("activation")


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^-z), evaluated with e^-|z| so that it never overflows."""
    e = np.exp(-np.abs(z))
    d = 1.0 + e
    return np.where(z >= 0, 1.0 / d, e / d)


def softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + e^z) = max(z, 0) + log1p(e^-|z|), without overflow."""
    return np.logaddexp(0.0, z)


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise exp(z - max z) / Σ exp(z - max z)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@ACTIVATIONS.register("identity", "linear")
class Identity(Activation):
    """f(z) = z, f'(z) = 1."""

    title = "identity"
    formula = "f(z) = z"
    derivative = "f′(z) = 1"
    help = "Passes z through unchanged (also called linear): the output unit for regression and the hinge loss."

    def forward(self, z):
        return z

    def backward(self, z, a, da):
        return da

    def to_onnx(self, graph, z):
        return z


@ACTIVATIONS.register("relu")
class ReLU(Activation):
    """f(z) = max(0, z), f'(z) = 1 if z > 0 else 0."""

    title = "ReLU"
    formula = "f(z) = max(0, z)"
    output_range = "only numbers ≥ 0"
    derivative = "f′(z) = 1 if z > 0, else 0"
    dead_output = 0.0
    value_range = (0.0, None)
    help = ("Rectified linear unit: max(0, z). Cheap, and its gradient does not shrink for positive z; "
            "the usual choice for hidden units.")

    def forward(self, z):
        return np.maximum(z, 0.0)

    def backward(self, z, a, da):
        return da * (z > 0)

    def to_onnx(self, graph, z):
        return graph.op("Relu", [z])


@ACTIVATIONS.register("leaky_relu")
class LeakyReLU(Activation):
    """f(z) = z if z > 0 else 0.01 z, f'(z) = 1 or 0.01."""

    title = "leaky ReLU"
    formula = "f(z) = z if z > 0, else 0.01 z"
    derivative = "f′(z) = 1 if z > 0, else 0.01"
    output_range = "any number, but with a bend at 0"
    help = "Like ReLU, but with a small slope 0.01 for negative z, so a unit that is off still gets a gradient."

    slope = 0.01

    def forward(self, z):
        return np.where(z > 0, z, self.slope * z)

    def backward(self, z, a, da):
        return np.where(z > 0, da, self.slope * da)

    def to_onnx(self, graph, z):
        # where(z > 0, z, 0.01 z), exactly as forward (onnxruntime has no double LeakyRelu)
        positive = graph.op("Greater", [z, graph.const(0.0, "zero")], "positive")
        scaled = graph.op("Mul", [z, graph.const(self.slope, "slope")], "leak")
        return graph.op("Where", [positive, z, scaled], "leaky_relu")


@ACTIVATIONS.register("sigmoid")
class Sigmoid(Activation):
    """f(z) = 1 / (1 + e^-z), f'(z) = f (1 - f)."""

    title = "sigmoid"
    formula = "f(z) = 1 / (1 + e<sup>−z</sup>)"
    output_range = "only numbers between 0 and 1"
    derivative = "f′(z) = f(z) (1 − f(z))"
    saturation = (0.01, 0.99)  # within 1 % of the range from a bound: f′ < 0.01, against 0.25 at z = 0
    value_range = (0.0, 1.0)
    help = ("Squashes z into (0, 1), read as the probability of class 1; the output unit for nll. "
            "It saturates for large |z|, where its gradient vanishes.")

    def forward(self, z):
        return sigmoid(z)

    def backward(self, z, a, da):
        return da * a * (1.0 - a)

    def to_onnx(self, graph, z):
        return graph.op("Sigmoid", [z])


@ACTIVATIONS.register("tanh")
class Tanh(Activation):
    """f(z) = tanh z, f'(z) = 1 - f²."""

    title = "tanh"
    formula = "f(z) = tanh z"
    output_range = "only numbers between −1 and 1"
    derivative = "f′(z) = 1 − f(z)²"
    saturation = (-0.98, 0.98)  # within 1 % of the range from a bound: f′ < 0.04, against 1 at z = 0
    value_range = (-1.0, 1.0)
    help = "Squashes z into (-1, 1), centred on 0; like a shifted and scaled sigmoid, it saturates for large |z|."

    def forward(self, z):
        return np.tanh(z)

    def backward(self, z, a, da):
        return da * (1.0 - a * a)

    def to_onnx(self, graph, z):
        return graph.op("Tanh", [z])


@ACTIVATIONS.register("softplus")
class Softplus(Activation):
    """f(z) = log(1 + e^z), f'(z) = σ(z)."""

    title = "softplus"
    formula = "f(z) = log(1 + e<sup>z</sup>)"
    output_range = "only numbers > 0"
    derivative = "f′(z) = σ(z) = 1 / (1 + e<sup>−z</sup>)"
    value_range = (0.0, None)
    help = "log(1 + e^z): a smooth version of ReLU whose derivative is the sigmoid."

    def forward(self, z):
        return softplus(z)

    def backward(self, z, a, da):
        return da * sigmoid(z)

    def to_onnx(self, graph, z):
        # max(z, 0) + log(1 + e^-|z|): never overflows (onnxruntime has no double Softplus)
        one = graph.const(1.0, "one")
        e = graph.op("Exp", [graph.op("Neg", [graph.op("Abs", [z])])])
        tail = graph.op("Log", [graph.op("Add", [one, e])])
        return graph.op("Add", [graph.op("Relu", [z]), tail], "softplus")


@ACTIVATIONS.register("hard_tanh")
class HardTanh(Activation):
    """f(z) = clip(z, -1, 1), f'(z) = 1 inside (-1, 1), else 0."""

    title = "hard tanh"
    formula = "f(z) = max(−1, min(1, z))"
    output_range = "only numbers between −1 and 1"
    derivative = "f′(z) = 1 if −1 < z < 1, else 0"
    saturation = (-1.0, 1.0)  # on a bound its gradient is exactly 0
    value_range = (-1.0, 1.0)
    help = "max(-1, min(1, z)): shaped like tanh but piecewise linear; no gradient outside (-1, 1)."

    def forward(self, z):
        return np.clip(z, -1.0, 1.0)

    def backward(self, z, a, da):
        return da * ((z > -1.0) & (z < 1.0))

    def to_onnx(self, graph, z):
        return graph.op("Clip", [z, graph.const(-1.0, "lo"), graph.const(1.0, "hi")], "hard_tanh")


@ACTIVATIONS.register("abs")
class Abs(Activation):
    """f(z) = |z|, f'(z) = sign(z)."""

    title = "abs"
    formula = "f(z) = |z|"
    output_range = "only numbers ≥ 0"
    derivative = "f′(z) = sign(z)"
    value_range = (0.0, None)
    help = "Absolute value rectification |z|: responds the same to z and -z, so units mirror the input."

    def forward(self, z):
        return np.abs(z)

    def backward(self, z, a, da):
        return da * np.sign(z)

    def to_onnx(self, graph, z):
        return graph.op("Abs", [z])


@ACTIVATIONS.register("step")
class Step(Activation):
    """f(z) = 0 if z < 0 else 1, f'(z) = 0: no gradient flows, which is why it cannot be trained."""

    title = "step"
    formula = "f(z) = 1 if z ≥ 0, else 0"
    output_range = "only 0 or 1"
    derivative = "f′(z) = 0"
    saturation = (0.0, 1.0)  # its gradient is 0 everywhere: always on a bound
    value_range = (0.0, 1.0)
    help = ("The original neuron: 1 if z ≥ 0, else 0. Its derivative is 0 everywhere (undefined at 0), "
            "so gradient descent cannot train the weights before it.")
    untrainable = True

    def forward(self, z):
        return (z >= 0).astype(np.float64)

    def backward(self, z, a, da):
        return np.zeros_like(da)

    def to_onnx(self, graph, z):
        ge = graph.op("GreaterOrEqual", [z, graph.const(0.0, "zero")], "ge")
        return graph.op("Cast", [ge], "step", to=graph.DOUBLE)


@ACTIVATIONS.register("softmax")
class Softmax(Activation):
    """f(z)_k = e^{z_k} / Σ_j e^{z_j} per row; its Jacobian is diag(a) - a aᵀ.

    The vector-Jacobian product is dz = a ⊙ (da - Σ_k da_k a_k).
    """

    title = "softmax"
    formula = "f(z)<sub>k</sub> = e<sup>z<sub>k</sub></sup> / Σ<sub>j</sub> e<sup>z<sub>j</sub></sup>"
    output_range = "only probabilities that sum to 1"
    derivative = "∂a<sub>k</sub>/∂z<sub>j</sub> = a<sub>k</sub> (1[k = j] − a<sub>j</sub>)"
    elementwise = False
    saturation = (0.01, 0.99)
    value_range = (0.0, 1.0)
    help = ("Turns the K outputs of a row into probabilities that sum to 1: e^{z_k} / Σ_j e^{z_j}. "
            "The output unit for nllm (multi-class).")

    def forward(self, z):
        return softmax(z)

    def backward(self, z, a, da):
        return a * (da - (da * a).sum(axis=1, keepdims=True))

    def to_onnx(self, graph, z):
        return graph.op("Softmax", [z], "softmax", axis=1)


def get_activation(name: str) -> Activation:
    return ACTIVATIONS.get(name)()
