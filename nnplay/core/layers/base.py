"""The module API of the chapters: forward, backward, parameter gradients; and what a
layer type declares so that files, exports, reports and the app can use it."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from nnplay.core.registry import Entry, Registry


class Layer(Entry):
    """A layer maps ``(batch, inputs)`` to ``(batch, outputs)``.

    ``forward`` caches what ``backward`` needs; ``backward(dout)`` stores
    ∂J/∂param in ``grads`` (same keys as ``params``) and returns ∂J/∂input.

    A layer type also declares, on its class: the dataclass a network file's entry
    becomes (``config``, whose fields carry their ``Setting``), the arrays a file
    stores for it and their shapes, how it reads in a summary, and its ONNX form.
    """

    #: the dataclass of a network file's entry for this type
    config: type = object
    #: the arrays a network file stores per layer, trainable ones first
    arrays: tuple[str, ...] = ()
    #: those of ``arrays`` that training changes (the optimizer's parameters)
    trainable: tuple[str, ...] = ()
    #: those of ``arrays`` a file may not make negative
    nonnegative_arrays: tuple[str, ...] = ()
    #: a few words the app shows in the layer's row beside its settings
    note = ""
    #: its backward pass as the app shows it (rich text): what it passes down, and its
    #: parameters' gradients
    backward_formula = ""

    def __init__(self, n_inputs: int):
        self.n_inputs = n_inputs
        self.n_outputs = n_inputs
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}

    @property
    def type(self) -> str:
        return self.name

    # ---- what a type declares about a config of it
    @classmethod
    def from_config(cls, config: Any, n_inputs: int) -> "Layer":
        """The layer ``config`` describes, fed ``n_inputs`` columns."""
        raise NotImplementedError

    @classmethod
    def new_config(cls, hidden: list[Any]) -> Any:
        """The settings of a layer of this type added after the ``hidden`` ones."""
        return cls.config()

    @classmethod
    def output_width(cls, config: Any, n_inputs: int) -> int:
        return n_inputs

    @classmethod
    def array_shapes(cls, config: Any, n_inputs: int) -> dict[str, tuple[int, ...]]:
        """The shape of each of ``arrays``."""
        return {name: (n_inputs,) for name in cls.arrays}

    @classmethod
    def count_parameters(cls, config: Any, n_inputs: int) -> int:
        """How many numbers training adjusts (the ``trainable`` arrays)."""
        shapes = cls.array_shapes(config, n_inputs)
        return sum(math.prod(shapes[name]) for name in cls.trainable)

    @classmethod
    def summary(cls, config: Any) -> str:
        """The layer in a one-line diagram: ``8 tanh``, ``dropout 0.2``."""
        return cls.name

    @classmethod
    def info_columns(cls, config: Any) -> tuple[str, str]:
        """The two settings columns of ``nnplay info``'s layer table (activation, init)."""
        return "", ""

    @classmethod
    def to_onnx(cls, graph, a: str, config: Any, weights: dict[str, np.ndarray], index: int) -> str:
        """Add the ONNX nodes of this layer in evaluation mode to ``graph`` (see
        ``Activation.to_onnx`` for its two methods); ``a`` names its input, ``weights``
        are its arrays; return the name of its output."""
        raise NotImplementedError

    # ---- the arrays of one layer
    def forward(self, x: np.ndarray, training: bool, rng: np.random.Generator | None) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def trace_values(self) -> dict[str, np.ndarray]:
        """The numbers the last training-mode ``forward`` made on the way, by name (the
        back-propagation trace shows them): dense z and a, dropout's d/(1 − p), batch
        norm's μ, σ², s and x̂. The arrays are the layer's own: read, never change."""
        return {}

    def weights(self) -> dict[str, Any]:
        """The arrays a network file stores for this layer (copies)."""
        return {name: arr.copy() for name, arr in self.params.items()}

    def load_weights(self, weights: dict[str, Any]) -> None:
        for name, arr in self.params.items():
            load_array(arr, weights, name)

    @property
    def parameter_count(self) -> int:
        return sum(a.size for a in self.params.values())


def load_array(arr: np.ndarray, weights: dict[str, Any], name: str) -> None:
    """Copy ``weights[name]`` into ``arr``, which it must match in shape."""
    value = np.asarray(weights[name], dtype=np.float64)
    if value.shape != arr.shape:
        raise ValueError(f"{name} has shape {value.shape}, expected {arr.shape}")
    arr[...] = value


def layer_dict(config: Any) -> dict[str, Any]:
    """A layer config as the network file writes it: its type, then its fields in order."""
    return {"type": config.type, **{f.name: getattr(config, f.name) for f in dataclasses.fields(config)}}


LAYERS: Registry[Layer] = Registry("layer type")
