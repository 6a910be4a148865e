"""Full-batch training against a second implementation written here from SPEC §1 alone.

With ``batch_size`` 0 and no dropout or input noise nothing random happens after
initialization, so any implementation of SPEC must reach the same weights. This one
is deliberately written differently from the engine (batch norm backward through
∂J/∂σ² and ∂J/∂μ, softmax through its explicit Jacobian, optimizers as plain dicts).
"""

import numpy as np
import pytest

from nnplay.core import Experiment
from nnplay.core.config import BatchNormConfig, DataConfig, DenseConfig

from .helpers import config

EPS_BN = 1e-5


def _sig(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # σ(z) = (1 + tanh(z/2)) / 2: no overflow either


F = {
    "identity": (lambda z: z, lambda z: np.ones_like(z)),
    "relu": (lambda z: np.where(z > 0, z, 0.0), lambda z: (z > 0) * 1.0),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01)),
    "sigmoid": (_sig, lambda z: _sig(z) * (1 - _sig(z))),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "softplus": (lambda z: np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0), _sig),
    "hard_tanh": (lambda z: np.minimum(1.0, np.maximum(-1.0, z)), lambda z: ((z > -1) & (z < 1)) * 1.0),
    "abs": (np.abs, np.sign),
}


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _forward(layers, P, x, training):
    caches = []
    for spec, p in zip(layers, P):
        if spec[0] == "dense":
            z = x @ p["W"] + p["b"]
            a = _softmax(z) if spec[2] == "softmax" else F[spec[2]][0](z)
            caches.append((x, z, a))
            x = a
        else:  # batchnorm
            if training:
                mu, var = x.mean(axis=0), x.var(axis=0)
                p["running_mean"] = 0.9 * p["running_mean"] + 0.1 * mu
                p["running_var"] = 0.9 * p["running_var"] + 0.1 * x.var(axis=0, ddof=1)
                caches.append((x, mu, var))
                x = p["gamma"] * (x - mu) / np.sqrt(var + EPS_BN) + p["beta"]
            else:
                x = p["gamma"] * (x - p["running_mean"]) / np.sqrt(p["running_var"] + EPS_BN) + p["beta"]
    return x, caches


def _gradients(layers, P, x, y, loss, l1, l2):
    out, caches = _forward(layers, P, x, True)
    n = len(x)
    G = [{} for _ in P]
    last = layers[-1][2]
    if (loss, last) in (("nll", "sigmoid"), ("nllm", "softmax")):
        dz = (out - y) / n
        da = None
    else:
        da = {
            "squared": lambda: 2 * (out - y),
            "mae": lambda: np.sign(out - y),
            "hinge": lambda: np.where(1 - (2 * y - 1) * out > 0, -(2 * y - 1), 0.0),
            "nll": lambda: -y / out + (1 - y) / (1 - out),
            "nllm": lambda: -y / out,
        }[loss]() / n
    for i in range(len(layers) - 1, -1, -1):
        spec, p, cache = layers[i], P[i], caches[i]
        if spec[0] == "dense":
            xin, z, a = cache
            if da is not None:
                if spec[2] == "softmax":  # J = diag(a) - a aᵀ per row
                    jac = np.einsum("ij,jk->ijk", a, np.eye(a.shape[1])) - np.einsum("ij,ik->ijk", a, a)
                    dz = np.einsum("ijk,ik->ij", jac, da)
                else:
                    dz = da * F[spec[2]][1](z)
            G[i]["W"] = xin.T @ dz + 2 * l2 * p["W"] + l1 * np.sign(p["W"])
            G[i]["b"] = dz.sum(axis=0)
            da = dz @ p["W"].T
        else:
            xin, mu, var = cache
            std = np.sqrt(var + EPS_BN)
            xhat = (xin - mu) / std
            G[i]["gamma"] = (da * xhat).sum(axis=0)
            G[i]["beta"] = da.sum(axis=0)
            dxhat = da * p["gamma"]
            dvar = (dxhat * (xin - mu)).sum(axis=0) * -0.5 * (var + EPS_BN) ** -1.5
            dmu = -(dxhat / std).sum(axis=0) + dvar * (-2 * (xin - mu)).mean(axis=0)
            da = dxhat / std + dvar * 2 * (xin - mu) / n + dmu / n
    return G


def _step(name, h, state, t, key, w, g, lr):
    s = state.setdefault(key, {})
    z = np.zeros_like(w)
    if name == "sgd":
        return w - lr * g
    if name == "momentum":
        s["v"] = h["gamma"] * s.get("v", z) + lr * g
        return w - s["v"]
    if name == "nesterov":
        s["v"] = h["gamma"] * s.get("v", z) + g
        return w - lr * (g + h["gamma"] * s["v"])
    if name == "adagrad":
        s["G"] = s.get("G", z) + g ** 2
        return w - lr * g / (np.sqrt(s["G"]) + h["eps"])
    if name == "rmsprop":
        s["G"] = h["rho"] * s.get("G", z) + (1 - h["rho"]) * g ** 2
        return w - lr * g / (np.sqrt(s["G"]) + h["eps"])
    if name == "adadelta":
        s["Eg"] = h["rho"] * s.get("Eg", z) + (1 - h["rho"]) * g ** 2
        delta = np.sqrt(s.get("Ed", z) + h["eps"]) / np.sqrt(s["Eg"] + h["eps"]) * g
        s["Ed"] = h["rho"] * s.get("Ed", z) + (1 - h["rho"]) * delta ** 2
        return w - lr * delta
    if name == "adam":
        s["m"] = h["beta1"] * s.get("m", z) + (1 - h["beta1"]) * g
        s["v"] = h["beta2"] * s.get("v", z) + (1 - h["beta2"]) * g ** 2
        m_hat, v_hat = s["m"] / (1 - h["beta1"] ** t), s["v"] / (1 - h["beta2"] ** t)
        return w - lr * m_hat / (np.sqrt(v_hat) + h["eps"])
    raise KeyError(name)


def _eta(schedule, settings, lr, e):
    if schedule == "constant":
        return lr
    if schedule == "step":
        return lr * settings["drop"] ** (e // settings["every"])
    if schedule == "inverse_time":
        return lr / (1 + settings["k"] * e)
    return lr * settings["k"] ** e  # exponential


SPEC_DEFAULTS = {
    "sgd": {"lr": 0.03}, "momentum": {"lr": 0.03, "gamma": 0.9}, "nesterov": {"lr": 0.03, "gamma": 0.9},
    "adagrad": {"lr": 0.01, "eps": 1e-10}, "rmsprop": {"lr": 0.001, "rho": 0.9, "eps": 1e-8},
    "adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6},
    "adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}

CASES = [
    # (layers, loss, task, data, optimizer, lr or None for SPEC's, schedule, l1, l2)
    ([("dense", 5, "tanh"), ("dense", 1, "sigmoid")], "nll", "binary", "xor", "sgd", 0.5,
     ("constant", {}), 0.0, 0.0),
    ([("dense", 4, "relu"), ("batchnorm",), ("dense", 1, "sigmoid")], "nll", "binary", "circles",
     "momentum", 0.1, ("step", {"drop": 0.5, "every": 2}), 0.0, 0.01),
    ([("dense", 6, "leaky_relu"), ("dense", 4, "softmax")], "nllm", "multiclass", "blobs", "adam", 0.05,
     ("exponential", {"k": 0.9}), 0.001, 0.001),
    ([("dense", 3, "softplus"), ("batchnorm",), ("dense", 3, "hard_tanh"), ("dense", 4, "softmax")],
     "squared", "multiclass", "blobs", "nesterov", 0.05, ("inverse_time", {"k": 0.5}), 0.0, 0.0),
    ([("dense", 4, "abs"), ("dense", 1, "identity")], "hinge", "binary", "moons", "adagrad", None,
     ("constant", {}), 0.01, 0.0),
    ([("dense", 5, "sigmoid"), ("dense", 1, "identity")], "squared", "regression", "sine", "rmsprop", 0.01,
     ("constant", {}), 0.0, 0.0),
    ([("batchnorm",), ("dense", 4, "tanh"), ("dense", 1, "identity")], "mae", "regression", "plane",
     "adadelta", None, ("constant", {}), 0.0, 0.02),
    ([("dense", 3, "tanh"), ("dense", 1, "sigmoid")], "squared", "binary", "xor", "adam", None,
     ("step", {"drop": 0.1, "every": 3}), 0.0, 0.0),
    ([("dense", 1, "sigmoid")], "nll", "binary", "gaussians", "adadelta", 0.5, ("constant", {}), 0.0, 0.0),
]


def reference_config(case: int):
    """The network file of reference case ``case`` (full batch, no dropout or noise)."""
    layers, loss, task, data_name, opt, lr, (sched, sched_settings), l1, l2 = CASES[case]
    dims = 1 if data_name == "sine" else 2
    layer_configs = [DenseConfig(s[1], s[2], "he_normal") if s[0] == "dense" else BatchNormConfig()
                     for s in layers]
    settings = {} if lr is None else {"lr": lr}
    return config(layer_configs, task=task, loss=loss,
                  data=DataConfig(name=data_name, n=40, noise=0.1, seed=3, validation_fraction=0.0,
                                  classes=4 if data_name == "blobs" else None),
                  optimizer=(opt, settings), schedule=(sched, sched_settings),
                  features=("x1",) if dims == 1 else ("x1", "x2"), batch_size=0, l1=l1, l2=l2, seed=case)


@pytest.mark.parametrize("case", range(len(CASES)))
def test_full_batch_training_matches_the_reference(case):
    layers, loss, task, data_name, opt, lr, (sched, sched_settings), l1, l2 = CASES[case]
    settings = {} if lr is None else {"lr": lr}
    exp = Experiment(reference_config(case))
    P = [{k: np.array(v, dtype=float) for k, v in w.items()} for w in exp.network.get_weights()]
    x, y = exp.trainer.data.x_train, exp.trainer.data.y_train

    epochs = 6
    exp.trainer.run(epochs)

    hyper = {**SPEC_DEFAULTS[opt], **settings}
    state = {}
    for e in range(epochs):
        G = _gradients(layers, P, x, y, loss, l1, l2)
        eta = _eta(sched, sched_settings, hyper["lr"], e)
        for i, (p, g) in enumerate(zip(P, G)):
            for name in g:
                p[name] = _step(opt, hyper, state, e + 1, f"{i}.{name}", p[name], g[name], eta)

    for i, (engine, ref) in enumerate(zip(exp.network.get_weights(), P)):
        assert set(engine) == set(ref)
        for name in engine:
            np.testing.assert_allclose(engine[name], ref[name], rtol=1e-9, atol=1e-12,
                                       err_msg=f"layer {i} {name}")
    # and the evaluation-mode outputs agree
    out_ref, _ = _forward(layers, P, x, False)
    np.testing.assert_allclose(exp.network.predict(x), out_ref, rtol=1e-9, atol=1e-12)
    # the history records the data loss of those outputs
    assert np.isfinite(exp.trainer.history.last("train_loss"))
