"""Gradient checking: back-propagation against centred finite differences.

For each parameter entry w: (J(w + h) - J(w - h)) / 2h, compared with ∂J/∂w from
``backward`` by the relative error |a - n| / max(|a|, |n|, tiny). Dropout masks are
held fixed by re-seeding the same generator for every evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnplay.core.network import Network


@dataclass
class ArrayCheck:
    key: str  # "layer<i>.<name>"
    worst_relative_error: float
    worst_absolute_error: float
    entries: int


def _objective(network: Network, x, y, seed: int) -> float:
    network.forward(x, training=True, rng=np.random.default_rng(seed))
    return network.objective(y)


def check_gradients(network: Network, x: np.ndarray, y: np.ndarray, h: float = 1e-6,
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
            saved = flat[i]
            flat[i] = saved + h
            plus = _objective(network, x, y, seed)
            flat[i] = saved - h
            minus = _objective(network, x, y, seed)
            flat[i] = saved
            numeric = (plus - minus) / (2 * h)
            diff = abs(grad[i] - numeric)
            scale = max(abs(grad[i]), abs(numeric), 1e-8)
            worst_abs = max(worst_abs, diff)
            worst_rel = max(worst_rel, diff / scale)
        results.append(ArrayCheck(key, float(worst_rel), float(worst_abs), len(indices)))
    network.set_weights(saved_weights)
    return results
