"""One weight or bias set by hand, as the network diagram lets a user do (click a link
or a bias, type a number): what may be typed, what the edit is called, and the edit.

Only that one number changes: the optimizer's state, the epoch and the position in it,
the history and the random streams stay as they were, so training resumes from the
edited network exactly as it would have from a file holding it.
"""

from __future__ import annotations

import math

import numpy as np

from nnplay.core.diagram import Diagram
from nnplay.core.errors import ConfigError

WEIGHT, BIAS = "W", "b"


def parse_value(text: str) -> float:
    """The number a user typed ("0.5", "−1.2", "3e-2"), or ConfigError saying why not."""
    cleaned = text.strip().replace("−", "-")  # the minus sign the app shows numbers with
    if cleaned.count(",") == 1 and "." not in cleaned:  # a decimal comma
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise ConfigError(f"“{text.strip()}” is not a number") from None
    if not math.isfinite(value):
        raise ConfigError(f"a weight must be a finite number, got {text.strip()}")
    return value


def parameter_name(diagram: Diagram, layer: int, name: str, index: tuple[int, ...]) -> str:
    """The weight or bias in words: "the weight from x₁ to unit 3 of layer 1"."""
    column = next(c for c, col in enumerate(diagram.columns) if col.layer == layer)
    into = diagram.columns[column]
    if name == BIAS:
        return f"the bias of {into.unit_name(index[0])}"
    return f"the weight from {diagram.columns[column - 1].unit_name(index[0])} to {into.unit_name(index[1])}"


def set_parameter(network, layer: int, name: str, index: tuple[int, ...], value: float) -> float:
    """Write ``value`` into ``network.layers[layer].params[name][index]``, in place (the
    optimizer reads the arrays afresh at each step); returns the value it replaces."""
    array: np.ndarray = network.layers[layer].params[name]
    old = float(array[index])
    array[index] = value
    return old
