"""Dense, dropout and batch-norm layers: backward against finite differences, and
batch norm's values and running statistics worked by hand."""

import numpy as np
import pytest

from nnplay.core.layers import BatchNorm, Dense, Dropout

from .helpers import assert_grad_close, numeric_grad

KINKED = {"relu": [0.0], "leaky_relu": [0.0], "abs": [0.0], "hard_tanh": [-1.0, 1.0]}


def _probe(layer, x, training=True, seed=None):
    """J = Σ dout ⊙ layer(x) and its gradients from backward."""
    dout = np.random.default_rng(11).normal(size=(x.shape[0], layer.n_outputs))

    def J(_=None):
        rng = None if seed is None else np.random.default_rng(seed)
        return float(np.sum(dout * layer.forward(x, training, rng)))

    J()
    dx = layer.backward(dout)
    return J, dx, {k: g.copy() for k, g in layer.grads.items()}


@pytest.mark.parametrize("activation", ["identity", "relu", "leaky_relu", "sigmoid", "tanh",
                                        "softplus", "hard_tanh", "abs", "softmax"])
def test_dense_backward(activation):
    rng = np.random.default_rng(3)
    layer = Dense(3, 4, activation)
    layer.initialize(rng)
    layer.params["b"][...] = rng.normal(scale=0.3, size=4)
    x = rng.normal(size=(6, 3))
    z = x @ layer.params["W"] + layer.params["b"]
    for kink in KINKED.get(activation, []):
        assert np.min(np.abs(z - kink)) > 1e-3, "pick another seed: an input sits on a kink"
    J, dx, grads = _probe(layer, x)
    assert_grad_close(dx, numeric_grad(J, x))
    for name in ("W", "b"):
        assert_grad_close(grads[name], numeric_grad(J, layer.params[name]))


def test_dense_forward_is_x_w_plus_b_then_f():
    layer = Dense(2, 1, "relu")
    layer.params["W"][...] = [[2.0], [-1.0]]
    layer.params["b"][...] = [0.5]
    out = layer.forward(np.array([[1.0, 1.0], [0.0, 3.0]]), False, None)
    # 2 - 1 + 0.5 = 1.5; 0 - 3 + 0.5 = -2.5 → relu 0
    assert out.tolist() == [[1.5], [0.0]]


def test_dropout_backward_with_a_fixed_mask():
    layer = Dropout(5, 0.4)
    x = np.random.default_rng(2).normal(size=(7, 5))
    J, dx, _ = _probe(layer, x, seed=123)
    assert_grad_close(dx, numeric_grad(J, x))


def test_dropout_is_inverted_and_rate_is_the_drop_probability():
    p = 0.3
    layer = Dropout(200, p)
    x = np.ones((500, 200))
    out = layer.forward(x, True, np.random.default_rng(0))
    dropped = np.mean(out == 0.0)
    assert dropped == pytest.approx(p, abs=0.01)
    # kept units are scaled by 1 / (1 - p) so the expectation is unchanged
    assert np.allclose(out[out != 0.0], 1.0 / (1.0 - p), rtol=1e-15)
    assert out.mean() == pytest.approx(1.0, abs=0.01)
    # evaluation is the identity
    assert np.array_equal(layer.forward(x, False, None), x)


def test_dropout_masks_are_fresh_per_batch():
    layer = Dropout(50, 0.5)
    rng = np.random.default_rng(0)
    x = np.ones((4, 50))
    assert not np.array_equal(layer.forward(x, True, rng), layer.forward(x, True, rng))


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5])
def test_dropout_rejects_impossible_rates(rate):
    with pytest.raises(ValueError):
        Dropout(3, rate)


def test_batchnorm_backward_in_training_mode():
    rng = np.random.default_rng(5)
    layer = BatchNorm(3)
    layer.params["gamma"][...] = rng.uniform(0.5, 2.0, 3)
    layer.params["beta"][...] = rng.normal(size=3)
    x = rng.normal(loc=2.0, scale=3.0, size=(8, 3))
    J, dx, grads = _probe(layer, x)
    assert_grad_close(dx, numeric_grad(J, x))
    for name in ("gamma", "beta"):
        assert_grad_close(grads[name], numeric_grad(J, layer.params[name]))


def test_batchnorm_starts_at_gamma_1_beta_0_and_unit_running_stats():
    layer = BatchNorm(4)
    layer.initialize(np.random.default_rng(0))
    assert layer.params["gamma"].tolist() == [1.0] * 4
    assert layer.params["beta"].tolist() == [0.0] * 4
    assert layer.running_mean.tolist() == [0.0] * 4
    assert layer.running_var.tolist() == [1.0] * 4
    assert layer.eps == 1e-5 and layer.momentum == 0.1


def test_batchnorm_training_and_evaluation_worked_by_hand():
    layer = BatchNorm(2)
    # batch 1: feature 0 = [1, 3]: μ = 2, biased σ² = 1, unbiased 2
    #          feature 1 = [-2, 2]: μ = 0, biased σ² = 4, unbiased 8
    out1 = layer.forward(np.array([[1.0, -2.0], [3.0, 2.0]]), True, None)
    # (x - μ) / sqrt(σ² + 1e-5): ±1/sqrt(1.00001), ±2/sqrt(4.00001)
    np.testing.assert_allclose(out1, [[-0.9999950000374997, -0.9999987500023437],
                                      [0.9999950000374997, 0.9999987500023437]], rtol=1e-14)
    # r ← 0.9 r + 0.1 stat: mean 0.9·0 + 0.1·[2, 0]; var 0.9·1 + 0.1·[2, 8]
    np.testing.assert_allclose(layer.running_mean, [0.2, 0.0], rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(layer.running_var, [1.1, 1.7], rtol=1e-15)

    # batch 2: feature 0 = [0, 4, 8]: μ = 4, biased 32/3, unbiased 16
    #          feature 1 = [10, 10, 13]: μ = 11, biased 2, unbiased 3
    out2 = layer.forward(np.array([[0.0, 10.0], [4.0, 10.0], [8.0, 13.0]]), True, None)
    np.testing.assert_allclose(out2, [[-1.2247442972928344, -0.7071050134262237],
                                      [0.0, -0.7071050134262237],
                                      [1.2247442972928344, 1.4142100268524473]], rtol=1e-14)
    # mean: 0.9·0.2 + 0.1·4 = 0.58, 0.9·0 + 0.1·11 = 1.1
    # var: 0.9·1.1 + 0.1·16 = 2.59, 0.9·1.7 + 0.1·3 = 1.83
    np.testing.assert_allclose(layer.running_mean, [0.58, 1.1], rtol=1e-14)
    np.testing.assert_allclose(layer.running_var, [2.59, 1.83], rtol=1e-14)

    # evaluation uses the running statistics, then γ and β
    layer.params["gamma"][...] = [2.0, 1.0]
    layer.params["beta"][...] = [0.5, -1.0]
    mean_before = layer.running_mean.copy()
    out = layer.forward(np.array([[1.58, 3.0]]), False, None)
    # 2 (1.58 - 0.58) / sqrt(2.59 + 1e-5) + 0.5;  (3 - 1.1) / sqrt(1.83 + 1e-5) - 1
    np.testing.assert_allclose(out, [[1.7427371328982815, 0.40451657734194324]], rtol=1e-14)
    assert np.array_equal(layer.running_mean, mean_before)  # evaluation leaves them alone


def test_batchnorm_weights_round_trip_running_stats():
    a, b = BatchNorm(2), BatchNorm(2)
    a.forward(np.array([[1.0, 2.0], [3.0, 5.0]]), True, None)
    b.load_weights(a.weights())
    assert np.array_equal(b.running_mean, a.running_mean)
    assert np.array_equal(b.running_var, a.running_var)


def test_batchnorm_on_a_single_example_leaves_the_running_variance():
    layer = BatchNorm(2)
    layer.running_var[...] = [2.0, 3.0]
    out = layer.forward(np.array([[5.0, -1.0]]), True, None)
    assert out.tolist() == [[0.0, 0.0]]  # x - μ = 0: only β remains
    # the mean still moves: 0.9 · 0 + 0.1 · x
    np.testing.assert_allclose(layer.running_mean, [0.5, -0.1], rtol=1e-15)
    assert layer.running_var.tolist() == [2.0, 3.0]
