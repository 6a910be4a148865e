"""An ONNX graph of a network, from raw points to its output (SPEC §3).

Input ``input`` is ``(n, 2)`` or ``(n, 1)`` raw points (float64, any n); output
``output`` is what ``Experiment.predict`` returns. The feature transforms are in
the graph (Gather a column, Mul for squares and the product, Sin, Concat), dense
layers are Gemm, batch norm is evaluation mode with the running statistics and
dropout is left out (identity at evaluation).

Everything is DOUBLE: onnxruntime's CPU kernels run every op used here in float64
(it lacks double Softplus and LeakyRelu kernels, so those two are built from
elementary ops, as the engine computes them). Opset 17.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from nnplay.core.activations import ACTIVATIONS, LeakyReLU
from nnplay.core.config import BatchNormConfig, DenseConfig, NetworkConfig
from nnplay.core.layers.batchnorm import BatchNorm
from nnplay.io.schema import input_dims

OPSET = 17
IR_VERSION = 8
DOUBLE = TensorProto.DOUBLE


class _Graph:
    """Collects nodes and constants, naming each intermediate tensor uniquely."""

    def __init__(self):
        self.nodes: list[onnx.NodeProto] = []
        self.constants: list[onnx.TensorProto] = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, value, hint: str, dtype=np.float64) -> str:
        name = self.name(hint)
        self.constants.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str | None = None, output: str | None = None, **attrs) -> str:
        out = output or self.name(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], **attrs))
        return out


def _features(g: _Graph, features: list[str], x: str) -> str:
    """Raw points → the feature matrix ``(n, len(features))``, columns in the file's order."""
    columns: dict[str, str] = {}

    def column(i: int) -> str:
        key = f"x{i + 1}"
        if key not in columns:
            columns[key] = g.op("Gather", [x, g.const([i], f"index_{key}", np.int64)], key, axis=1)
        return columns[key]

    made = []
    for f in features:
        if f in ("x1", "x2"):
            made.append(column(int(f[1]) - 1))
        elif f in ("x1^2", "x2^2"):
            c = column(int(f[1]) - 1)
            made.append(g.op("Mul", [c, c], f"sq_x{f[1]}"))
        elif f == "x1*x2":
            made.append(g.op("Mul", [column(0), column(1)], "x1x2"))
        elif f in ("sin(x1)", "sin(x2)"):
            made.append(g.op("Sin", [column(int(f[5]) - 1)], f"sin_x{f[5]}"))
        else:  # pragma: no cover - validated on read
            raise ValueError(f"unknown feature {f!r}")
    return made[0] if len(made) == 1 else g.op("Concat", made, "features", axis=1)


def _activation(g: _Graph, name: str, z: str) -> str:
    name = ACTIVATIONS.canonical(name)
    if name == "identity":
        return z
    if name in ("relu", "sigmoid", "tanh", "abs"):
        return g.op({"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "abs": "Abs"}[name], [z])
    if name == "leaky_relu":  # where(z > 0, z, 0.01 z), exactly as the engine
        zero = g.const(0.0, "zero")
        positive = g.op("Greater", [z, zero], "positive")
        scaled = g.op("Mul", [z, g.const(LeakyReLU.slope, "slope")], "leak")
        return g.op("Where", [positive, z, scaled], "leaky_relu")
    if name == "softplus":  # max(z, 0) + log(1 + e^-|z|): never overflows
        tail = g.op("Log", [g.op("Add", [g.const(1.0, "one"), g.op("Exp", [g.op("Neg", [g.op("Abs", [z])])])])])
        return g.op("Add", [g.op("Relu", [z]), tail], "softplus")
    if name == "hard_tanh":
        return g.op("Clip", [z, g.const(-1.0, "lo"), g.const(1.0, "hi")], "hard_tanh")
    if name == "step":
        ge = g.op("GreaterOrEqual", [z, g.const(0.0, "zero")], "ge")
        return g.op("Cast", [ge], "step", to=DOUBLE)
    if name == "softmax":
        return g.op("Softmax", [z], "softmax", axis=1)
    raise ValueError(f"no ONNX form for activation {name!r}")  # pragma: no cover


def build_model(cfg: NetworkConfig, weights: list[dict[str, np.ndarray]]) -> onnx.ModelProto:
    """The checked ONNX model of ``cfg`` with ``weights`` (one dict per layer)."""
    g = _Graph()
    dims = input_dims(cfg)
    a = _features(g, cfg.features, "input")
    for i, (layer, w) in enumerate(zip(cfg.layers, weights)):
        if isinstance(layer, DenseConfig):
            W = g.const(w["W"], f"layer{i}.W")
            b = g.const(w["b"], f"layer{i}.b")
            a = _activation(g, layer.activation, g.op("Gemm", [a, W, b], f"layer{i}.z"))
        elif isinstance(layer, BatchNormConfig):
            # γ (x - μ) / sqrt(σ² + ε) + β with the running statistics, in the engine's order
            std = np.sqrt(np.asarray(w["running_var"], dtype=np.float64) + BatchNorm.eps)
            centred = g.op("Sub", [a, g.const(w["running_mean"], f"layer{i}.running_mean")])
            scaled = g.op("Mul", [g.const(w["gamma"], f"layer{i}.gamma"), centred])
            normed = g.op("Div", [scaled, g.const(std, f"layer{i}.std")])
            a = g.op("Add", [normed, g.const(w["beta"], f"layer{i}.beta")], f"layer{i}.out")
        # dropout: identity at evaluation
    g.op("Identity", [a], output="output")
    n_out = cfg.layers[-1].units
    graph = helper.make_graph(
        g.nodes, cfg.name or "nnplay",
        [helper.make_tensor_value_info("input", DOUBLE, ["n", dims])],
        [helper.make_tensor_value_info("output", DOUBLE, ["n", n_out])],
        initializer=g.constants,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION,
        producer_name="nnplay", doc_string=f"{cfg.name}: {cfg.task} network with features {', '.join(cfg.features)}",
    )
    onnx.checker.check_model(model, full_check=True)
    return model
