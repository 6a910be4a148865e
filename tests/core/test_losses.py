"""Losses of SPEC §1: per example summed over outputs, mean over the batch; nll and
nllm from the logits."""

import math

import numpy as np
import pytest

from nnplay.core.activations import sigmoid, softmax
from nnplay.core.losses import LOSSES, get_loss

from .helpers import assert_grad_close, numeric_grad

RNG = np.random.default_rng(7)


def _case(name):
    """(a, y) away from the kinks of mae and hinge."""
    if name in ("squared", "mae"):
        y = RNG.normal(size=(6, 3))
        a = y + RNG.choice([-1, 1], size=y.shape) * RNG.uniform(0.1, 1.0, size=y.shape)
    elif name == "hinge":
        y = RNG.integers(0, 2, size=(8, 1)).astype(float)
        a = RNG.uniform(-2, 2, size=(8, 1))
        margin = 1 - (2 * y - 1) * a
        a[np.abs(margin) < 0.1] += 0.3
    elif name == "nll":
        y = RNG.integers(0, 2, size=(6, 1)).astype(float)
        a = RNG.uniform(0.05, 0.95, size=(6, 1))
    else:  # nllm
        y = np.eye(4)[RNG.integers(0, 4, size=6)]
        a = softmax(RNG.normal(size=(6, 4)))
    return a, y


@pytest.mark.parametrize("name", ["squared", "mae", "hinge", "nll", "nllm"])
def test_grad_matches_finite_differences_of_the_mean_loss(name):
    loss = get_loss(name)
    a, y = _case(name)
    numeric = numeric_grad(lambda aa: loss.value(aa, y), a.copy())
    assert_grad_close(loss.grad(a, y), numeric)


@pytest.mark.parametrize("name", ["nll", "nllm"])
def test_fused_gradient_wrt_logits_is_a_minus_y_over_batch(name):
    loss = get_loss(name)
    if name == "nll":
        z = RNG.normal(scale=3, size=(5, 1))
        y = RNG.integers(0, 2, size=(5, 1)).astype(float)
        a = sigmoid(z)
    else:
        z = RNG.normal(scale=3, size=(5, 3))
        y = np.eye(3)[RNG.integers(0, 3, size=5)]
        a = softmax(z)
    numeric = numeric_grad(lambda zz: loss.value_from_logits(zz, y), z.copy())
    assert_grad_close((a - y) / len(z), numeric)
    # and the logit form equals the textbook form where the latter is finite
    assert loss.value_from_logits(z, y) == pytest.approx(loss.value(a, y), rel=1e-12)


def test_values_worked_by_hand():
    a = np.array([[1.0, 2.0], [0.0, -1.0]])
    y = np.array([[0.5, 0.0], [1.0, 1.0]])
    # squared: ((0.5² + 2²) + (1² + 2²)) / 2 = (4.25 + 5) / 2
    assert get_loss("squared").value(a, y) == pytest.approx(4.625, rel=1e-15)
    # mae: ((0.5 + 2) + (1 + 2)) / 2
    assert get_loss("mae").value(a, y) == pytest.approx(2.75, rel=1e-15)
    # hinge with ŷ = 2y - 1: y=1, a=0.3 → 0.7; y=0, a=0.3 → 1.3; y=1, a=2 → 0; y=0, a=-4 → 0
    h = get_loss("hinge").value(np.array([[0.3], [0.3], [2.0], [-4.0]]), np.array([[1.0], [0.0], [1.0], [0.0]]))
    assert h == pytest.approx((0.7 + 1.3) / 4, rel=1e-15)
    # nll: a = 0.8 with y = 1 → -log 0.8; a = 0.8 with y = 0 → -log 0.2
    n = get_loss("nll").value(np.array([[0.8], [0.8]]), np.array([[1.0], [0.0]]))
    assert n == pytest.approx((-math.log(0.8) - math.log(0.2)) / 2, rel=1e-14)


def test_nllm_on_a_known_row():
    z = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    y = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    # -log softmax: log(e^-2 + e^-1 + 1) = 0.40760596444438046, and + 2 for the first class
    expected = (0.40760596444438046 + 2.40760596444438) / 2
    nllm = get_loss("nllm")
    assert nllm.value_from_logits(z, y) == pytest.approx(expected, rel=1e-14)
    assert nllm.value(softmax(z), y) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("z", [1000.0, -1000.0, 800.0, -800.0])
def test_nll_from_logits_is_finite_for_huge_logits(z):
    nll = get_loss("nll")
    zz = np.array([[z], [z]])
    y = np.array([[1.0], [0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = nll.value_from_logits(zz, y)
    # softplus(z) - y z: one of the two points is right by |z|, the other wrong by |z|
    assert value == pytest.approx(abs(z) / 2, rel=1e-12)


@pytest.mark.parametrize("z", [1000.0, -1000.0])
def test_nllm_from_logits_is_finite_for_huge_logits(z):
    nllm = get_loss("nllm")
    zz = np.array([[z, 0.0, -z], [z, 0.0, -z]])
    y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = nllm.value_from_logits(zz, y)
    # logsumexp ≈ |z|; the losses are |z| - z and |z| + z
    assert value == pytest.approx(abs(z), rel=1e-12)


def test_loss_table_of_spec():
    expected = {"squared": "identity", "mae": "identity", "hinge": "identity",
                "nll": "sigmoid", "nllm": "softmax"}
    assert set(LOSSES.names()) == set(expected)
    for name, output in expected.items():
        cls = LOSSES.get(name)
        assert cls.output == output
        assert len(cls.help) > 20
    assert LOSSES.get("nll").from_logits and LOSSES.get("nllm").from_logits
    assert not LOSSES.get("squared").from_logits
