"""Pre-training against a second implementation written here from SPEC §1 alone.

The reference below reads the procedure off the SPEC's words and nothing of the
engine: H as a plain evaluation-mode pass over the layers below, the tied decoder as
the formula R = g(f(H W + b) Wᵀ + c) differentiated as one expression (the engine
adds Vᵀ's gradient to W's), softmax through its explicit Jacobian, the optimizers of
``test_reference`` (plain dicts). With ``batch_size`` 0 and no noise nothing random
happens, so any implementation of SPEC must reach the same weights and reconstruction
losses; the mini-batch cases with noise follow the stream docs/file-format.md fixes
(``default_rng([seed, i, e, 1])``: the epoch's permutation, then each batch's noise).
"""

import numpy as np
import pytest

from nnplay.core import Experiment
from nnplay.core.config import (
    BatchNormConfig, DataConfig, DenseConfig, DropoutConfig, PretrainingConfig,
)

from .helpers import config
from .test_reference import EPS_BN, F, SPEC_DEFAULTS, _step


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _act(name, z):
    return _softmax(z) if name == "softmax" else F[name][0](z) if name != "step" else (z >= 0) * 1.0


def _act_vjp(name, z, upstream):
    """∂/∂z of Σ upstream ⊙ act(z)."""
    if name == "softmax":
        a = _softmax(z)
        jac = np.einsum("ij,jk->ijk", a, np.eye(a.shape[1])) - np.einsum("ij,ik->ijk", a, a)
        return np.einsum("ijk,ij->ik", jac, upstream)
    if name == "step":
        return np.zeros_like(z)
    return upstream * F[name][1](z)


def _eval_pass(specs, P, x):
    """The network's first layers in evaluation mode: dropout is the identity, batch norm
    uses its running statistics."""
    for spec, p in zip(specs, P):
        if spec[0] == "dense":
            x = _act(spec[2], x @ p["W"] + p["b"])
        elif spec[0] == "batchnorm":
            x = p["gamma"] * (x - p["running_mean"]) / np.sqrt(p["running_var"] + EPS_BN) + p["beta"]
    return x


def _objective_and_grads(f, g, tied, W, b, V, c, h_noisy, h_clean):
    n = len(h_clean)
    z = h_noisy @ W + b
    code = _act(f, z)
    dec = W.T if tied else V
    y = code @ dec + c
    r = _act(g, y)
    e = ((r - h_clean) ** 2).sum() / n
    dy = _act_vjp(g, y, 2 * (r - h_clean) / n)
    dz = _act_vjp(f, z, dy @ dec.T)
    grads = {"b": dz.sum(axis=0), "c": dy.sum(axis=0)}
    if tied:  # W appears twice in R = g(f(H W + b) Wᵀ + c): the product rule
        grads["W"] = h_noisy.T @ dz + (code.T @ dy).T
    else:
        grads["W"] = h_noisy.T @ dz
        grads["V"] = code.T @ dy
    return e, grads


def reference_pretraining(specs, P, x_train, x_val, settings, opt, hyper, seed, batch_size):
    """Pre-train a copy of ``P``; returns it and the rows (layer, epoch, train E, val E)."""
    P = [{k: v.copy() for k, v in p.items()} for p in P]
    rows = []
    dense_at = [i for i, s in enumerate(specs) if s[0] == "dense"]
    g, tied, sigma = settings.decoder_activation, settings.decoder == "tied", settings.noise
    for i in dense_at[:-1]:
        f = specs[i][2]
        H, H_val = _eval_pass(specs[:i], P[:i], x_train), _eval_pass(specs[:i], P[:i], x_val)
        arrays = {"W": P[i]["W"], "b": P[i]["b"], "c": np.zeros(H.shape[1])}
        if not tied:
            arrays["V"] = P[i]["W"].T.copy()
        state, t = {}, 0
        n = len(H)
        size = n if batch_size <= 0 or batch_size >= n else batch_size
        for e in range(settings.epochs):
            rng = np.random.default_rng([seed, i, e, 1])
            order = np.arange(n) if size >= n else rng.permutation(n)
            for start in range(0, n, size):
                clean = H[order[start:start + size]]
                noisy = clean + rng.normal(0.0, sigma, clean.shape) if sigma > 0 else clean
                _, grads = _objective_and_grads(f, g, tied, arrays["W"], arrays["b"], arrays.get("V"),
                                                arrays["c"], noisy, clean)
                t += 1
                for name in grads:
                    arrays[name] = _step(opt, hyper, state, t, name, arrays[name], grads[name], hyper["lr"])
            losses = [_objective_and_grads(f, g, tied, arrays["W"], arrays["b"], arrays.get("V"), arrays["c"],
                                           h, h)[0] if len(h) else None for h in (H, H_val)]
            rows.append((i, e + 1, *losses))
        P[i]["W"], P[i]["b"] = arrays["W"], arrays["b"]
    return P, rows


CASES = [
    # (layers, loss, task, data, optimizer, lr, pretraining settings, batch_size)
    ([("dense", 5, "sigmoid"), ("dense", 1, "sigmoid")], "nll", "binary", "xor", "sgd", 0.5,
     PretrainingConfig(6, "tied", "identity"), 0),
    ([("dense", 4, "tanh"), ("batchnorm",), ("dense", 3, "relu"), ("dense", 1, "identity")], "squared",
     "regression", "plane", "adam", 0.01, PretrainingConfig(5, "untied", "sigmoid"), 0),
    ([("dense", 4, "softplus"), ("dropout", 0.5), ("dense", 4, "leaky_relu"), ("dense", 4, "softmax")], "nllm",
     "multiclass", "blobs", "momentum", 0.05, PretrainingConfig(4, "tied", "tanh"), 0),
    ([("dense", 3, "abs"), ("dense", 2, "hard_tanh"), ("dense", 1, "identity")], "mae", "regression", "sine",
     "rmsprop", 0.01, PretrainingConfig(5, "untied", "softplus"), 0),
    ([("batchnorm",), ("dense", 4, "sigmoid"), ("dense", 3, "sigmoid"), ("dense", 1, "sigmoid")], "nll",
     "binary", "moons", "nesterov", 0.1, PretrainingConfig(3, "tied", "softmax"), 0),
    ([("dense", 5, "relu"), ("dense", 1, "identity")], "hinge", "binary", "gaussians", "adagrad", None,
     PretrainingConfig(4, "untied", "relu"), 0),
    ([("dense", 3, "tanh"), ("dense", 3, "identity"), ("dense", 1, "sigmoid")], "nll", "binary", "circles",
     "adadelta", None, PretrainingConfig(3, "untied", "leaky_relu"), 0),
    ([("dense", 4, "hard_tanh"), ("dense", 1, "sigmoid")], "squared", "binary", "xor", "sgd", 0.2,
     PretrainingConfig(3, "tied", "abs"), 0),
    # mini-batches and denoising: the documented stream
    ([("dense", 4, "sigmoid"), ("dropout", 0.2), ("dense", 3, "tanh"), ("dense", 1, "sigmoid")], "nll",
     "binary", "spiral", "adam", 0.02, PretrainingConfig(3, "tied", "identity", 0.3), 7),
    ([("dense", 4, "tanh"), ("batchnorm",), ("dense", 4, "softplus"), ("dense", 1, "identity")], "squared",
     "regression", "ripple", "momentum", 0.02, PretrainingConfig(2, "untied", "hard_tanh", 0.5), 1),
]


def _random_weights(specs, n_inputs, rng):
    """Weights of every layer, batch norm's running statistics away from 0 and 1."""
    out, width = [], n_inputs
    for spec in specs:
        if spec[0] == "dense":
            out.append({"W": rng.normal(0, 0.7, (width, spec[1])), "b": rng.normal(0, 0.2, spec[1])})
            width = spec[1]
        elif spec[0] == "batchnorm":
            out.append({"gamma": rng.uniform(0.5, 1.5, width), "beta": rng.normal(0, 0.3, width),
                        "running_mean": rng.normal(0, 0.5, width), "running_var": rng.uniform(0.5, 2, width)})
        else:
            out.append({})
    return out


def _case_config(case: int):
    specs, loss, task, data_name, opt, lr, settings, batch_size = CASES[case]
    layer_configs = [DenseConfig(s[1], s[2]) if s[0] == "dense" else BatchNormConfig() if s[0] == "batchnorm"
                     else DropoutConfig(s[1]) for s in specs]
    dims = 1 if data_name == "sine" else 2
    cfg = config(layer_configs, task=task, loss=loss, optimizer=(opt, {} if lr is None else {"lr": lr}),
                 data=DataConfig(name=data_name, n=50, noise=0.1, seed=case, validation_fraction=0.2,
                                 classes=4 if data_name == "blobs" else None),
                 features=("x1",) if dims == 1 else ("x1", "x2"), batch_size=batch_size, seed=40 + case)
    cfg.training.pretraining = settings
    cfg.weights = _random_weights(specs, dims, np.random.default_rng(case))
    return cfg


@pytest.mark.parametrize("case", range(len(CASES)))
def test_pretraining_matches_the_reference(case):
    specs, _, _, _, opt, lr, settings, batch_size = CASES[case]
    cfg = _case_config(case)
    exp = Experiment(cfg)
    data = exp.trainer.data
    with np.errstate(all="ignore"):
        exp.trainer.run(0)
    hyper = {**SPEC_DEFAULTS[opt], **({} if lr is None else {"lr": lr})}
    P, rows = reference_pretraining(specs, cfg.weights, data.x_train, data.x_val, settings, opt, hyper,
                                    cfg.training.seed, batch_size)
    for i, (engine, ref) in enumerate(zip(exp.network.get_weights(), P)):
        assert set(engine) == set(ref)
        for name in engine:
            np.testing.assert_allclose(engine[name], ref[name], rtol=1e-9, atol=1e-12, err_msg=f"layer {i} {name}")
    table = exp.trainer.history.pretraining
    assert list(zip(table["layer"], table["epoch"])) == [row[:2] for row in rows]
    np.testing.assert_allclose(table["train_loss"], [row[2] for row in rows], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(table["val_loss"], [row[3] for row in rows], rtol=1e-9, atol=1e-12)


def test_the_reference_cases_cover_every_optimizer_decoder_and_batch_mode():
    from nnplay.core.optimizers import OPTIMIZERS

    assert {case[4] for case in CASES} == set(OPTIMIZERS.names())
    assert {case[6].decoder for case in CASES} == {"tied", "untied"}
    assert len({case[6].decoder_activation for case in CASES}) >= 9
    assert {case[7] for case in CASES} >= {0, 1, 7} and any(case[6].noise > 0 for case in CASES)
