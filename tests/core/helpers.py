"""Finite differences and small builders shared by the engine tests."""

from __future__ import annotations

import numpy as np

from nnplay.core.config import (
    DataConfig, DenseConfig, NetworkConfig, OptimizerConfig, ScheduleConfig, TrainingConfig,
)


def numeric_grad(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Centred differences (f(x + h e_i) - f(x - h e_i)) / 2h of a scalar f, entry by entry."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros_like(x)
    flat, gflat = x.reshape(-1), out.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + h
        plus = f(x)
        flat[i] = saved - h
        minus = f(x)
        flat[i] = saved
        gflat[i] = (plus - minus) / (2 * h)
    return out


def assert_grad_close(analytic, numeric, atol=1e-7, rtol=1e-5):
    """Entry-wise |a - n| <= atol + rtol |n|: relative where gradients are large,
    absolute where they are (exactly) about zero."""
    np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol)


def gradcheck_ok(checks, atol=1e-7, rtol=1e-5) -> list[str]:
    """Arrays of ``check_gradients`` that fail both the absolute and the relative test."""
    return [
        f"{c.key}: abs {c.worst_absolute_error:.2e} rel {c.worst_relative_error:.2e}"
        for c in checks
        if not (c.worst_absolute_error <= atol or c.worst_relative_error <= rtol)
    ]


def config(layers=None, *, task="binary", loss="nll", data=None, optimizer=("adam", {"lr": 0.01}),
           schedule=("constant", {}), features=("x1", "x2"), **training) -> NetworkConfig:
    """A small network file's settings; ``training`` overrides TrainingConfig fields."""
    training.setdefault("epochs", 10)
    return NetworkConfig(
        name="test",
        task=task,
        features=list(features),
        layers=layers if layers is not None else [DenseConfig(4, "tanh"), DenseConfig(1, "sigmoid")],
        loss=loss,
        optimizer=OptimizerConfig(optimizer[0], dict(optimizer[1])),
        schedule=ScheduleConfig(schedule[0], dict(schedule[1])),
        training=TrainingConfig(**training),
        data=data if data is not None else DataConfig(name="xor", n=60, noise=0.1, seed=1,
                                                       validation_fraction=0.25),
    )


def all_arrays(network) -> list[np.ndarray]:
    """Every stored array of a network (weights and running statistics), in order."""
    return [arr for layer in network.get_weights() for _, arr in sorted(layer.items())]


def assert_bit_identical(net_a, net_b):
    arrays_a, arrays_b = all_arrays(net_a), all_arrays(net_b)
    assert len(arrays_a) == len(arrays_b)
    for a, b in zip(arrays_a, arrays_b):
        assert a.shape == b.shape
        assert np.array_equal(a, b), np.max(np.abs(a - b))
