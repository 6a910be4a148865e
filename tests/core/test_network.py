"""Whole networks: hand-worked forward values, the objective with its penalties, and
back-propagation against finite differences on random architectures."""

import numpy as np
import pytest

from nnplay.core.config import BatchNormConfig, DenseConfig, DropoutConfig
from nnplay.core.gradcheck import check_gradients
from nnplay.core.network import Network

from .helpers import gradcheck_ok

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def _net(layers, loss, l1=0.0, l2=0.0, n_inputs=2):
    return Network.build(n_inputs, layers, loss, l1, l2)


def test_textbook_xor_solution():
    # the chapter's solution: W = [[1, 1], [1, 1]], c = [0, -1], relu, w = [1, -2], b = 0
    net = _net([DenseConfig(2, "relu"), DenseConfig(1, "identity")], "squared")
    net.set_weights([{"W": [[1.0, 1.0], [1.0, 1.0]], "b": [0.0, -1.0]}, {"W": [[1.0], [-2.0]], "b": [0.0]}])
    assert net.predict(XOR_X).tolist() == [[0.0], [1.0], [1.0], [0.0]]
    assert net.objective(XOR_Y) == 0.0


def test_2_2_1_tanh_sigmoid_network_on_xor_points_worked_by_hand():
    net = _net([DenseConfig(2, "tanh"), DenseConfig(1, "sigmoid")], "nll")
    net.set_weights([{"W": [[0.5, -1.0], [1.5, 2.0]], "b": [0.1, -0.2]}, {"W": [[1.0], [-2.0]], "b": [0.3]}])
    out = net.predict(XOR_X)
    # point (0,1): z = [0 + 1.5 + 0.1, 0 + 2 - 0.2] = [1.6, 1.8]; h = tanh z = [0.92166855, 0.94680601]
    # z_out = 0.92166855 - 2 · 0.94680601 + 0.3 = -0.67194347; a = σ(z_out)
    # the other points the same way, in plain floats with math.tanh and math.exp:
    expected = [0.6887793088915882, 0.33806180174823885, 0.9244468223746044, 0.4855985834899703]
    np.testing.assert_allclose(out[:, 0], expected, rtol=1e-14)
    # nll per point: -log a for y=1, -log(1-a) for y=0, then the mean
    expected_loss = (1.1672530007505688 + 1.084526554804312 + 0.07855975022618936 + 0.6647513523493974) / 4
    assert net.objective(XOR_Y) == pytest.approx(expected_loss, rel=1e-13)
    assert expected_loss == pytest.approx(0.7487726645326169, rel=1e-15)


def test_softmax_nllm_network_on_a_known_row():
    net = _net([DenseConfig(3, "softmax")], "nllm", n_inputs=3)
    net.set_weights([{"W": np.eye(3), "b": np.zeros(3)}])
    out = net.predict(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(out, [[0.09003057317038046, 0.24472847105479764, 0.6652409557748218]], rtol=1e-14)
    assert net.objective(np.array([[0.0, 0.0, 1.0]])) == pytest.approx(0.40760596444438046, rel=1e-14)


@pytest.mark.parametrize("z", [1000.0, -1000.0])
def test_nll_and_nllm_networks_stay_finite_for_huge_logits(z):
    binary = _net([DenseConfig(1, "sigmoid")], "nll", n_inputs=1)
    binary.set_weights([{"W": [[z]], "b": [0.0]}])
    x, y = np.array([[1.0], [1.0]]), np.array([[0.0], [1.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        binary.forward(x, training=True)
        value = binary.objective(y)
        binary.backward(y)
    assert value == pytest.approx(500.0, rel=1e-12)
    assert np.all(np.isfinite(binary.layers[0].grads["W"]))
    # dJ/dW = mean of (a - y) x = ((a - 0) + (a - 1)) / 2 with a = 0 or 1
    assert binary.layers[0].grads["W"][0, 0] == pytest.approx(0.5 if z > 0 else -0.5)

    multi = _net([DenseConfig(3, "softmax")], "nllm", n_inputs=1)
    multi.set_weights([{"W": [[z, 0.0, -z]], "b": [0.0, 0.0, 0.0]}])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        multi.forward(np.array([[1.0]]), training=True)
        value = multi.objective(np.array([[0.0, 1.0, 0.0]]))
        multi.backward(np.array([[0.0, 1.0, 0.0]]))
    assert value == pytest.approx(1000.0, rel=1e-12)
    assert np.all(np.isfinite(multi.layers[0].grads["W"]))


def test_penalties_apply_to_dense_weights_only():
    net = _net([DenseConfig(2, "tanh"), BatchNormConfig(), DenseConfig(1, "identity")], "squared",
               l1=0.1, l2=0.01)
    net.set_weights([
        {"W": [[1.0, -2.0], [0.5, 0.0]], "b": [3.0, 3.0]},
        {"gamma": [5.0, 5.0], "beta": [7.0, 7.0], "running_mean": [0.0, 0.0], "running_var": [1.0, 1.0]},
        {"W": [[-1.0], [4.0]], "b": [9.0]},
    ])
    # λ₂ Σ W² = 0.01 (1 + 4 + 0.25 + 0 + 1 + 16) = 0.2225; λ₁ Σ |W| = 0.1 (1 + 2 + 0.5 + 1 + 4) = 0.85
    assert net.penalty() == pytest.approx(0.2225 + 0.85, rel=1e-14)
    x, y = np.array([[0.3, -0.4], [1.0, 2.0]]), np.array([[0.5], [-1.0]])
    net.forward(x, training=True)
    assert net.objective(y) == pytest.approx(net.data_loss(y) + 1.0725, rel=1e-14)
    # penalty gradients: 2 λ₂ W + λ₁ sign W on W, nothing on b, γ, β
    bare = _net([DenseConfig(2, "tanh"), BatchNormConfig(), DenseConfig(1, "identity")], "squared")
    bare.set_weights(net.get_weights())
    for n in (net, bare):
        n.forward(x, training=True)
        n.backward(y)
    W = np.array([[1.0, -2.0], [0.5, 0.0]])
    np.testing.assert_allclose(net.layers[0].grads["W"] - bare.layers[0].grads["W"],
                               2 * 0.01 * W + 0.1 * np.sign(W), rtol=1e-12, atol=1e-15)
    for i, name in ((0, "b"), (1, "gamma"), (1, "beta"), (2, "b")):
        assert np.array_equal(net.layers[i].grads[name], bare.layers[i].grads[name])


@pytest.mark.parametrize("l1, l2", [(0.0, 0.3), (0.2, 0.0), (0.05, 0.1)])
def test_regularizer_gradients_by_finite_differences(l1, l2):
    net = _net([DenseConfig(3, "tanh"), DenseConfig(1, "identity")], "squared", l1=l1, l2=l2)
    net.initialize(np.random.default_rng(0))
    x = np.random.default_rng(1).normal(size=(5, 2))
    y = np.random.default_rng(2).normal(size=(5, 1))
    assert np.min(np.abs(net.layers[0].params["W"])) > 1e-3  # |W| has a kink at 0
    failures = gradcheck_ok(check_gradients(net, x, y))
    assert not failures, failures


# ---- random networks

TASKS = {
    # task: [(loss, output activation)], with the non-fused softmax Jacobian and sigmoid
    # outputs under squared loss among them
    "regression": [("squared", "identity"), ("mae", "identity"), ("squared", "tanh")],
    "binary": [("nll", "sigmoid"), ("hinge", "identity"), ("squared", "sigmoid")],
    "multiclass": [("nllm", "softmax"), ("squared", "softmax")],
}
HIDDEN = ["identity", "relu", "leaky_relu", "sigmoid", "tanh", "softplus", "hard_tanh", "abs"]
KINKS = {"relu": (0.0,), "leaky_relu": (0.0,), "abs": (0.0,), "hard_tanh": (-1.0, 1.0)}


def _random_case(seed):
    rng = np.random.default_rng(seed)
    task = ["regression", "binary", "multiclass"][seed % 3]
    loss, output = TASKS[task][rng.integers(len(TASKS[task]))]
    n_in = int(rng.integers(1, 5))
    layers = []
    for _ in range(int(rng.integers(0, 4))):
        layers.append(DenseConfig(int(rng.integers(1, 6)), HIDDEN[rng.integers(len(HIDDEN))],
                                  ["normal_fan_in", "xavier_uniform", "he_normal"][rng.integers(3)]))
        if rng.random() < 0.35:
            layers.append(DropoutConfig(float(rng.choice([0.2, 0.5]))))
        if rng.random() < 0.35:
            layers.append(BatchNormConfig())
    k = int(rng.integers(3, 6)) if task == "multiclass" else 1
    if task == "regression" and rng.random() < 0.5:
        k = 2
    layers.append(DenseConfig(k, output))
    l1 = float(rng.choice([0.0, 0.01]))
    l2 = float(rng.choice([0.0, 0.02]))
    net = Network.build(n_in, layers, loss, l1, l2)
    net.initialize(rng)
    for layer in net.layers:  # non-trivial biases and batch-norm parameters
        for name, arr in layer.params.items():
            if name in ("b", "beta"):
                arr[...] = rng.normal(scale=0.2, size=arr.shape)
            elif name == "gamma":
                arr[...] = rng.uniform(0.5, 1.5, size=arr.shape)
    batch = int(rng.integers(3, 9))
    x = rng.normal(size=(batch, n_in))
    if task == "regression":
        y = rng.normal(size=(batch, k))
    elif task == "binary":
        y = rng.integers(0, 2, size=(batch, 1)).astype(float)
    else:
        y = np.eye(k)[rng.integers(0, k, size=batch)]
    return net, x, y


def _away_from_kinks(net, x, y, seed) -> bool:
    """True when no pre-activation, |W| (for l1), output margin or error sits near a kink."""
    net.forward(x, training=True, rng=np.random.default_rng(seed))
    for layer in net.dense:
        for kink in KINKS.get(layer.activation_name, ()):
            if np.min(np.abs(layer.logits - kink)) < 1e-4:
                return False
        if net.l1 and np.min(np.abs(layer.params["W"])) < 1e-4:
            return False
    a = net._output
    if net.loss.name == "mae" and np.min(np.abs(a - y)) < 1e-4:
        return False
    if net.loss.name == "hinge" and np.min(np.abs(1 - (2 * y - 1) * a)) < 1e-4:
        return False
    return True


@pytest.mark.parametrize("seed", range(36))
def test_random_network_gradients(seed):
    net, x, y = _random_case(seed)
    assert _away_from_kinks(net, x, y, seed=0), "this seed puts a value on a kink; choose another"
    failures = gradcheck_ok(check_gradients(net, x, y, seed=0))
    assert not failures, (failures, [type(layer).__name__ for layer in net.layers], net.loss.name)


def test_random_networks_cover_every_layer_loss_and_penalty():
    """The seeds above exercise dropout, batch norm, both penalties and every loss."""
    seen = set()
    for seed in range(36):
        net, _, _ = _random_case(seed)
        seen |= {type(layer).__name__ for layer in net.layers}
        seen |= {net.loss.name}
        seen |= {layer.activation_name for layer in net.dense}
        seen |= {"l1"} if net.l1 else set()
        seen |= {"l2"} if net.l2 else set()
        seen |= {"fused"} if net._fused else set()
    assert {"Dense", "Dropout", "BatchNorm", "l1", "l2", "fused", "squared", "mae", "hinge", "nll",
            "nllm", *HIDDEN} <= seen


def test_gradcheck_catches_a_wrong_gradient():
    net, x, y = _random_case(1)
    checks = check_gradients(net, x, y)
    assert not gradcheck_ok(checks)
    original = net.backward

    def broken(yy):
        original(yy)
        net.layers[0].grads["W"] = net.layers[0].grads["W"] * 1.01

    net.backward = broken
    assert gradcheck_ok(check_gradients(net, x, y))


def test_gradcheck_leaves_weights_and_running_statistics_alone():
    net = Network.build(2, [DenseConfig(3, "tanh"), BatchNormConfig(), DenseConfig(1, "sigmoid")], "nll")
    net.initialize(np.random.default_rng(0))
    before = net.get_weights()
    x = np.random.default_rng(1).normal(loc=2.0, size=(6, 2))
    check_gradients(net, x, np.array([[0.0], [1.0]] * 3))
    for a, b in zip(net.get_weights(), before):
        for name in a:
            assert np.array_equal(a[name], b[name]), name
