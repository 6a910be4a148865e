"""A new activation in one class, as a user would add one: swish (SiLU), f(z) = z σ(z)."""

from nnplay.core.activations import ACTIVATIONS, Activation, sigmoid


@ACTIVATIONS.register("swish")
class Swish(Activation):
    """f(z) = z σ(z), f'(z) = σ(z) (1 + z (1 - σ(z)))."""

    title = "swish"
    formula = "f(z) = z / (1 + e<sup>−z</sup>)"
    derivative = "f′(z) = σ(z) (1 + z (1 − σ(z)))"
    help = "z times its own sigmoid: like ReLU for large |z|, but smooth, and a little negative below 0."
    output_range = "numbers above about −0.28"

    def forward(self, z):
        return z * sigmoid(z)

    def backward(self, z, a, da):
        s = sigmoid(z)
        return da * s * (1.0 + z * (1.0 - s))

    def to_onnx(self, graph, z):
        return graph.op("Mul", [z, graph.op("Sigmoid", [z])], "swish")
