"""An ONNX graph of a network, from raw points to its output (SPEC §3).

Input ``input`` is ``(n, 2)`` or ``(n, 1)`` raw points (float64, any n); output
``output`` is what ``Experiment.predict`` returns. The feature transforms are in
the graph (Gather a column, Mul for squares and the product, Sin, Concat); each layer
type and each activation adds its own nodes (``Layer.to_onnx``, ``Activation.to_onnx``):
dense layers are Gemm, batch norm is evaluation mode with the running statistics and
dropout is left out (identity at evaluation).

Everything is DOUBLE: onnxruntime's CPU kernels run every op used here in float64
(it lacks double Softplus and LeakyRelu kernels, so those two are built from
elementary ops, as the engine computes them). Opset 17.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from nnplay.core.config import NetworkConfig
from nnplay.core.datasets import input_dims
from nnplay.core.layers import LAYERS

OPSET = 17
IR_VERSION = 8
DOUBLE = TensorProto.DOUBLE


class _Graph:
    """Collects nodes and constants, naming each intermediate tensor uniquely; the
    ``to_onnx`` methods of layer types and activations build through it."""

    DOUBLE = DOUBLE  #: the element type of every tensor, for a Cast

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


def build_model(cfg: NetworkConfig, weights: list[dict[str, np.ndarray]]) -> onnx.ModelProto:
    """The checked ONNX model of ``cfg`` with ``weights`` (one dict per layer)."""
    g = _Graph()
    dims = input_dims(cfg.data)
    a = _features(g, cfg.features, "input")
    for i, (layer, w) in enumerate(zip(cfg.layers, weights)):
        a = LAYERS.get(layer.type).to_onnx(g, a, layer, w, i)
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
