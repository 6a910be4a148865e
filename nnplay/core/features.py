"""Input feature transforms (SPEC §2): the network sees these columns, not the raw points."""

from __future__ import annotations

import numpy as np

from nnplay.core.config import FEATURES

# each transform maps the raw points (n, 1 or 2) to one column
_TRANSFORMS = {
    "x1": lambda x: x[:, 0],
    "x2": lambda x: x[:, 1],
    "x1^2": lambda x: x[:, 0] ** 2,
    "x2^2": lambda x: x[:, 1] ** 2,
    "x1*x2": lambda x: x[:, 0] * x[:, 1],
    "sin(x1)": lambda x: np.sin(x[:, 0]),
    "sin(x2)": lambda x: np.sin(x[:, 1]),
}

LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂",
          "sin(x1)": "sin x₁", "sin(x2)": "sin x₂"}

assert tuple(_TRANSFORMS) == FEATURES


def raw_inputs_needed(features: list[str]) -> int:
    """How many raw coordinates the features read (1 when only x1 is used)."""
    return 2 if any("x2" in f for f in features) else 1


def transform(features: list[str], x: np.ndarray) -> np.ndarray:
    """Raw points ``(n, d)`` → feature matrix ``(n, len(features))`` in float64."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    return np.stack([_TRANSFORMS[f](x) for f in features], axis=1)
