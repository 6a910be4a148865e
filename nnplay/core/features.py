"""Input feature transforms (SPEC §2): the network sees these columns, not the raw points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Feature:
    name: str  #: the name in a network file
    label: str  #: how the app writes it
    help: str
    column: Callable[[np.ndarray], np.ndarray]  #: raw points ``(n, 1 or 2)`` → one column ``(n,)``
    #: the values it takes, ``(low, high)``, None where unbounded (as ``Activation.value_range``)
    value_range: tuple[float | None, float | None] = (None, None)

    @property
    def uses_x2(self) -> bool:
        return "x2" in self.name


_LIST = (
    Feature("x1", "x₁", "The first coordinate of the point, as it is.", lambda x: x[:, 0]),
    Feature("x2", "x₂", "The second coordinate of the point, as it is.", lambda x: x[:, 1]),
    Feature("x1^2", "x₁²", "x₁ squared: with x₂² a linear unit can draw circles and ellipses (feature "
            "engineering instead of hidden layers).", lambda x: x[:, 0] ** 2, (0.0, None)),
    Feature("x2^2", "x₂²", "x₂ squared: with x₁² a linear unit can draw circles and ellipses.",
            lambda x: x[:, 1] ** 2, (0.0, None)),
    Feature("x1*x2", "x₁x₂", "The product x₁·x₂: its sign alone solves XOR.", lambda x: x[:, 0] * x[:, 1]),
    Feature("sin(x1)", "sin x₁", "sin x₁: a periodic feature, handy for spirals and ripples.",
            lambda x: np.sin(x[:, 0]), (-1.0, 1.0)),
    Feature("sin(x2)", "sin x₂", "sin x₂: a periodic feature, handy for spirals and ripples.",
            lambda x: np.sin(x[:, 1]), (-1.0, 1.0)),
)

#: every feature by name, in the order the file format lists them
FEATURE_TABLE: dict[str, Feature] = {f.name: f for f in _LIST}
FEATURES = tuple(FEATURE_TABLE)
LABELS = {f.name: f.label for f in _LIST}


def raw_inputs_needed(features: list[str]) -> int:
    """How many raw coordinates the features read (1 when only x1 is used)."""
    return 2 if any(FEATURE_TABLE[f].uses_x2 for f in features) else 1


def fit_features(features: list[str], dims: int) -> list[str]:
    """The features kept on data with ``dims`` inputs: on 1-D data only those of x₁ (x₁ at
    least); back on 2-D data with only x₁-features, x₂ returns beside x₁."""
    if dims == 1:
        return [f for f in features if not FEATURE_TABLE[f].uses_x2] or ["x1"]
    if raw_inputs_needed(features) == 1 and "x2" not in features:
        wanted = set(features) | {"x1", "x2"}
        return [f for f in FEATURES if f in wanted]
    return list(features)


def transform(features: list[str], x: np.ndarray) -> np.ndarray:
    """Raw points ``(n, d)`` → feature matrix ``(n, len(features))`` in float64."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    return np.stack([FEATURE_TABLE[f].column(x) for f in features], axis=1)
