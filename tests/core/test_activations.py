"""Each activation against SPEC §1: values, derivatives by finite differences, no overflow."""

import math

import numpy as np
import pytest

from nnplay.core.activations import ACTIVATIONS, get_activation, sigmoid, softmax, softplus

from .helpers import assert_grad_close, numeric_grad

SMOOTH_OR_PIECEWISE = ["identity", "relu", "leaky_relu", "sigmoid", "tanh", "softplus",
                       "hard_tanh", "abs", "softmax"]


def _z(seed=0, shape=(5, 4)):
    """Pre-activations kept away from the kinks at 0 and ±1."""
    z = np.random.default_rng(seed).uniform(-3, 3, shape)
    for kink in (-1.0, 0.0, 1.0):
        near = np.abs(z - kink) < 0.05
        z[near] += 0.1
    return z


@pytest.mark.parametrize("name", SMOOTH_OR_PIECEWISE)
def test_backward_matches_finite_differences(name):
    act = get_activation(name)
    z = _z()
    da = np.random.default_rng(1).normal(size=z.shape)
    a = act.forward(z)
    analytic = act.backward(z, a, da)
    # d/dz of Σ da ⊙ f(z) is the vector-Jacobian product backward must return
    numeric = numeric_grad(lambda zz: float(np.sum(da * act.forward(zz))), z.copy())
    assert_grad_close(analytic, numeric)


def test_step_has_zero_derivative_and_is_0_below_1_from_0():
    act = get_activation("step")
    z = np.array([[-2.0, -1e-12, 0.0, 1e-12, 5.0]])
    assert act.forward(z).tolist() == [[0.0, 0.0, 1.0, 1.0, 1.0]]
    assert np.all(act.backward(z, act.forward(z), np.ones_like(z)) == 0.0)
    assert act.untrainable


@pytest.mark.parametrize("name, z, f, df", [
    # f and f' from SPEC's table, worked at a few points
    ("identity", [-2.0, 0.5], [-2.0, 0.5], [1.0, 1.0]),
    ("relu", [-2.0, 0.5], [0.0, 0.5], [0.0, 1.0]),
    ("leaky_relu", [-2.0, 0.5], [-0.02, 0.5], [0.01, 1.0]),
    ("sigmoid", [0.0, 2.0], [0.5, 1 / (1 + math.exp(-2))],
     [0.25, (1 / (1 + math.exp(-2))) * (1 - 1 / (1 + math.exp(-2)))]),
    ("tanh", [0.0, 1.0], [0.0, math.tanh(1)], [1.0, 1 - math.tanh(1) ** 2]),
    ("softplus", [0.0, 1.0], [math.log(2), math.log(1 + math.e)], [0.5, 1 / (1 + math.exp(-1))]),
    ("hard_tanh", [-3.0, 0.5, 2.0], [-1.0, 0.5, 1.0], [0.0, 1.0, 0.0]),
    ("abs", [-3.0, 0.5], [3.0, 0.5], [-1.0, 1.0]),
])
def test_values_and_derivatives_at_points(name, z, f, df):
    act = get_activation(name)
    z = np.array([z])
    a = act.forward(z)
    np.testing.assert_allclose(a[0], f, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(act.backward(z, a, np.ones_like(z))[0], df, rtol=1e-14, atol=1e-15)


def test_linear_is_an_alias_of_identity():
    assert ACTIVATIONS.get("linear") is ACTIVATIONS.get("identity")
    assert ACTIVATIONS.canonical("linear") == "identity"


def test_softmax_known_row_is_row_wise():
    z = np.array([[1.0, 2.0, 3.0], [1001.0, 1002.0, 1003.0], [-5.0, -5.0, -5.0]])
    # e^{z_k - 3} / Σ: [e^-2, e^-1, 1] / (e^-2 + e^-1 + 1), worked in plain floats
    expected = [0.09003057317038046, 0.24472847105479764, 0.6652409557748218]
    out = softmax(z)
    np.testing.assert_allclose(out[0], expected, rtol=1e-14)
    np.testing.assert_allclose(out[1], expected, rtol=1e-12)  # shift invariance, no overflow
    np.testing.assert_allclose(out[2], [1 / 3] * 3, rtol=1e-14)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-15)


def test_sigmoid_and_softplus_never_overflow():
    z = np.array([-1000.0, -745.0, -50.0, 0.0, 50.0, 745.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = sigmoid(z)
        sp = softplus(z)
        d_sp = get_activation("softplus").backward(z, sp, np.ones_like(z))
        d_s = get_activation("sigmoid").backward(z, s, np.ones_like(z))
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(sp))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert sp[-1] == 1000.0 and sp[0] == 0.0
    np.testing.assert_allclose(sp[2], math.exp(-50), rtol=1e-12)
    assert np.all(np.isfinite(d_sp)) and np.all(np.isfinite(d_s))


def test_sigmoid_is_accurate_in_both_tails():
    z = np.array([-30.0, 30.0])
    np.testing.assert_allclose(sigmoid(z), [1 / (1 + math.exp(30)), 1 / (1 + math.exp(-30))], rtol=1e-14)


def test_every_activation_has_help_text():
    for name in ACTIVATIONS.names():
        assert len(ACTIVATIONS.get(name).help) > 20, name
