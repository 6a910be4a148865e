"""Gradient checking: back-propagation against centred finite differences.

For each parameter entry w: (J(w + h) - J(w - h)) / 2h, compared with ∂J/∂w from
``backward`` by the relative error |a - n| / max(|a|, |n|, tiny). Dropout masks are
held fixed by re-seeding the same generator for every evaluation.

The rule and its tolerance live here once: the Check Gradients dialog and the
back-propagation trace (``backprop_trace``) judge every entry by ``agrees``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from nnplay.core.network import Network

#: the step of the centred difference
H = 1e-6
#: an entry agrees when its relative error is below this …
RELATIVE_OK = 1e-5
#: … or its absolute error below this (a gradient near 0 has no useful relative error)
ABSOLUTE_OK = 1e-8
#: the smallest scale the relative error divides by
_TINY = 1e-8


@dataclass
class ArrayCheck:
    key: str  # "layer<i>.<name>"
    worst_relative_error: float
    worst_absolute_error: float
    entries: int


def centred_difference(objective: Callable[[], float], flat: np.ndarray, i: int, h: float = H) -> float:
    """(J(w + h) − J(w − h)) / 2h for entry ``i`` of ``flat`` (a view of the weights
    ``objective`` reads); the entry is put back afterwards."""
    saved = flat[i]
    flat[i] = saved + h
    plus = objective()
    flat[i] = saved - h
    minus = objective()
    flat[i] = saved
    return (plus - minus) / (2 * h)


def absolute_error(analytic: float, numeric: float) -> float:
    return abs(analytic - numeric)


def relative_error(analytic: float, numeric: float) -> float:
    """|a − n| / max(|a|, |n|, 1e-8)."""
    return abs(analytic - numeric) / max(abs(analytic), abs(numeric), _TINY)


def agrees(relative: float, absolute: float) -> bool:
    """Whether back-propagation and the finite difference agree, by the check's tolerance."""
    return relative < RELATIVE_OK or absolute < ABSOLUTE_OK


def passes(check: ArrayCheck) -> bool:
    return agrees(check.worst_relative_error, check.worst_absolute_error)


def _objective(network: Network, x, y, seed: int) -> float:
    network.forward(x, training=True, rng=np.random.default_rng(seed))
    return network.objective(y)


def check_gradients(network: Network, x: np.ndarray, y: np.ndarray, h: float = H,
                    seed: int = 0, max_entries: int | None = None) -> list[ArrayCheck]:
    """Worst errors per parameter array; at most ``max_entries`` entries per array
    (spread over the array) when given, to keep the check quick on wide nets.

    The network is left as it was found: the many training-mode passes would otherwise
    move batch norm's running statistics."""
    saved_weights = network.get_weights()
    network.forward(x, training=True, rng=np.random.default_rng(seed))
    network.backward(y)
    analytic = {key: g.copy() for key, _, g in network.parameters_and_grads()}
    results = []
    for key, w, _ in network.parameters_and_grads():
        flat = w.reshape(-1)
        indices = np.arange(flat.size)
        if max_entries is not None and flat.size > max_entries:
            indices = np.linspace(0, flat.size - 1, max_entries).astype(int)
        worst_rel = worst_abs = 0.0
        grad = analytic[key].reshape(-1)
        for i in indices:
            numeric = centred_difference(lambda: _objective(network, x, y, seed), flat, i, h)
            worst_abs = max(worst_abs, absolute_error(grad[i], numeric))
            worst_rel = max(worst_rel, relative_error(grad[i], numeric))
        results.append(ArrayCheck(key, float(worst_rel), float(worst_abs), len(indices)))
    network.set_weights(saved_weights)
    return results
