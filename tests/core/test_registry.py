"""Registries: every entry built by name, SPEC's tables, aliases, initializers."""

import numpy as np
import pytest

from nnplay.core.errors import ConfigError
from nnplay.core import ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS, SCHEDULES
from nnplay.core.activations import get_activation
from nnplay.core.initializers import get_initializer
from nnplay.core.layers import Dense
from nnplay.core.losses import get_loss
from nnplay.core.optimizers import make_optimizer
from nnplay.core.schedules import make_schedule

SPEC_ACTIVATIONS = {"identity", "relu", "leaky_relu", "sigmoid", "tanh", "softplus", "hard_tanh", "abs",
                    "step", "softmax"}


def test_spec_names():
    assert set(ACTIVATIONS.names()) == SPEC_ACTIVATIONS
    assert set(LOSSES.names()) == {"squared", "mae", "hinge", "nll", "nllm"}
    assert set(INITIALIZERS.names()) == {"normal_fan_in", "xavier_uniform", "he_normal", "zeros"}
    assert set(OPTIMIZERS.names()) == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam"}


def test_every_entry_is_constructible_by_name_and_knows_it():
    for name in ACTIVATIONS.names():
        assert get_activation(name).name == name
    for name in LOSSES.names():
        assert get_loss(name).name == name
    for name in INITIALIZERS.names():
        assert get_initializer(name).name == name
        assert INITIALIZERS.get(name).help
    for name in OPTIMIZERS.names():
        assert make_optimizer(name).name == name
    for name in SCHEDULES.names():
        assert make_schedule(name).name == name


def test_aliases_and_membership():
    assert "linear" in ACTIVATIONS and "identity" in ACTIVATIONS
    assert type(get_activation("linear")) is type(get_activation("identity"))
    assert "swish" not in ACTIVATIONS and 3 not in ACTIVATIONS
    with pytest.raises(ConfigError, match="relu"):  # the message lists the choices
        ACTIVATIONS.get("swish")


def test_a_dense_layer_accepts_the_alias():
    layer = Dense(2, 1, "linear")
    layer.params["W"][...] = [[2.0], [3.0]]
    assert layer.forward(np.array([[1.0, -1.0]]), False, None).tolist() == [[-1.0]]


@pytest.mark.parametrize("name, variance", [
    ("normal_fan_in", lambda fan_in, fan_out: 1 / fan_in),
    ("he_normal", lambda fan_in, fan_out: 2 / fan_in),
    # U[-b, b] has variance b²/3 = 2 / (fan_in + fan_out)
    ("xavier_uniform", lambda fan_in, fan_out: 2 / (fan_in + fan_out)),
])
def test_initializer_distributions(name, variance):
    fan_in, fan_out = 50, 400
    W = get_initializer(name)(fan_in, fan_out, np.random.default_rng(0))
    assert W.shape == (fan_in, fan_out)
    assert abs(W.mean()) < 0.01
    assert W.var() == pytest.approx(variance(fan_in, fan_out), rel=0.03)
    if name == "xavier_uniform":
        bound = np.sqrt(6 / (fan_in + fan_out))
        assert np.abs(W).max() <= bound and np.abs(W).max() > 0.99 * bound


def test_zeros_and_biases_start_at_zero():
    assert not get_initializer("zeros")(3, 4, np.random.default_rng(0)).any()
    layer = Dense(3, 4, "tanh", "he_normal")
    layer.params["b"][...] = 5.0
    layer.initialize(np.random.default_rng(0))
    assert not layer.params["b"].any() and layer.params["W"].any()


def test_initializers_follow_the_generator():
    a = get_initializer("he_normal")(3, 4, np.random.default_rng(1))
    b = get_initializer("he_normal")(3, 4, np.random.default_rng(1))
    c = get_initializer("he_normal")(3, 4, np.random.default_rng(2))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
