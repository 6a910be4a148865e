"""Every registry entry survives the file: name + settings → config → file → config → object."""

import pytest

from io_helpers import small_config
from nnplay.core import (
    ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS, SCHEDULES, DataConfig, DenseConfig, Experiment, OptimizerConfig,
    ScheduleConfig,
)
from nnplay.core.optimizers import make_optimizer
from nnplay.core.schedules import make_schedule
from nnplay.io import dumps_network, loads_network


def _round_trip(cfg):
    return loads_network(dumps_network(cfg))


def _odd_settings(defaults: dict) -> dict:
    """Every setting moved off its default, so a dropped or renamed key shows."""
    return {k: (v * 0.5 if isinstance(v, float) else v + 3) for k, v in defaults.items()}


@pytest.mark.parametrize("name", OPTIMIZERS.names())
def test_optimizer(name):
    settings = _odd_settings(OPTIMIZERS.get(name).defaults)
    again = _round_trip(small_config(optimizer=OptimizerConfig(name, settings)))
    assert again.optimizer.name == name
    built = make_optimizer(again.optimizer.name, again.optimizer.settings)
    assert type(built) is OPTIMIZERS.get(name)
    assert built.hyper == make_optimizer(name, settings).hyper == {**OPTIMIZERS.get(name).defaults, **settings}


@pytest.mark.parametrize("name, alias", [(n, a) for n in OPTIMIZERS.names() for a in OPTIMIZERS.get(n).aliases])
def test_optimizer_alias(name, alias):
    again = _round_trip(small_config(optimizer=OptimizerConfig(name, {alias: 0.25})))
    canonical = OPTIMIZERS.get(name).aliases[alias]
    assert again.optimizer.settings == {canonical: 0.25}
    assert make_optimizer(name, again.optimizer.settings).hyper[canonical] == 0.25


@pytest.mark.parametrize("name", SCHEDULES.names())
def test_schedule(name):
    settings = _odd_settings(SCHEDULES.get(name).defaults)
    again = _round_trip(small_config(schedule=ScheduleConfig(name, settings)))
    built = make_schedule(again.schedule.name, again.schedule.settings)
    assert type(built) is SCHEDULES.get(name)
    assert built.settings == make_schedule(name, settings).settings
    assert [built(0.1, e) for e in range(20)] == [make_schedule(name, settings)(0.1, e) for e in range(20)]


@pytest.mark.parametrize("name", ACTIVATIONS.names() + ["linear"])
def test_activation(name):
    cfg = small_config(layers=[DenseConfig(3, name), DenseConfig(1, "sigmoid")])
    again = _round_trip(cfg)
    assert again.layers[0].activation == name
    assert type(Experiment(again).network.layers[0].activation) is ACTIVATIONS.get(name)


@pytest.mark.parametrize("name", INITIALIZERS.names())
def test_initializer(name):
    cfg = small_config(layers=[DenseConfig(3, "tanh", name), DenseConfig(1, "sigmoid", name)])
    again = _round_trip(cfg)
    assert [layer.init for layer in again.layers] == [name, name]
    assert dumps_network(Experiment(again).to_config()) == dumps_network(Experiment(cfg).to_config())


_LOSS_SETUPS = {
    "squared": ("regression", "plane", "identity", 1, None),
    "mae": ("regression", "ripple", "identity", 1, None),
    "hinge": ("binary", "moons", "identity", 1, None),
    "nll": ("binary", "circles", "sigmoid", 1, None),
    "nllm": ("multiclass", "blobs", "softmax", 3, 3),
}


@pytest.mark.parametrize("name", LOSSES.names())
def test_loss(name):
    task, data, output, units, classes = _LOSS_SETUPS[name]
    cfg = small_config(task=task, loss=name, layers=[DenseConfig(4), DenseConfig(units, output)],
                       data=DataConfig("generated", data, n=60, classes=classes))
    again = _round_trip(cfg)
    assert (again.loss, again.task) == (name, task)
    exp = Experiment(again)
    assert exp.network.loss.name == name
    exp.trainer.run(1)
    assert exp.trainer.history.last("train_loss") is not None


def test_every_loss_has_a_setup():
    assert sorted(_LOSS_SETUPS) == sorted(LOSSES.names())
