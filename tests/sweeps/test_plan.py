"""From a sweep to its runs: the order of a grid, the draws of a random search, the
values set at their paths, and every run's network checked before anything runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnplay.core.optimizers import OPTIMIZERS
from nnplay.sweeps import SweepFileError, parse_sweep, plan_runs, run_values
from tests.sweeps.helpers import base_network, sweep_obj


def plan(parameters, **extra):
    return plan_runs(parse_sweep(sweep_obj(parameters, **extra)))


def test_grid_runs_every_combination_first_key_slowest():
    runs = plan({"optimizer.name": {"values": ["sgd", "adam"]}, "optimizer.lr": {"values": [0.1, 0.2, 0.3]}})
    assert [r.index for r in runs] == list(range(6))
    assert [(r.values["optimizer.name"], r.values["optimizer.lr"]) for r in runs] == [
        ("sgd", 0.1), ("sgd", 0.2), ("sgd", 0.3), ("adam", 0.1), ("adam", 0.2), ("adam", 0.3)]
    assert runs[4].network["optimizer"] == {"name": "adam", "lr": 0.2, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


def test_random_run_k_draws_in_key_order_from_its_own_generator():
    params = {"optimizer.lr": {"log_uniform": [1e-4, 1e-1]}, "optimizer.name": {"values": ["sgd", "momentum", "adam"]},
              "training.batch_size": {"int_uniform": [1, 64]}, "training.l2": {"uniform": [0, 0.01]}}
    sweep = parse_sweep(sweep_obj(params, search="random", runs=20, seed=11))
    values = list(run_values(sweep))
    for k, got in enumerate(values):
        rng = np.random.default_rng([11, k])  # SPEC §4, written out
        lr = float(np.exp(rng.uniform(np.log(1e-4), np.log(1e-1))))
        name = ["sgd", "momentum", "adam"][rng.integers(3)]
        batch = int(rng.integers(1, 65))
        l2 = float(rng.uniform(0, 0.01))
        assert got == {"optimizer.lr": lr, "optimizer.name": name, "training.batch_size": batch, "training.l2": l2}
        assert type(got["training.batch_size"]) is int and type(got["optimizer.lr"]) is float
    assert len({v["optimizer.name"] for v in values}) == 3 and 1e-4 <= min(v["optimizer.lr"] for v in values)
    # run k does not depend on how many runs the sweep has
    fewer = parse_sweep(sweep_obj(params, search="random", runs=5, seed=11))
    assert list(run_values(fewer)) == values[:5]
    other_seed = parse_sweep(sweep_obj(params, search="random", runs=5, seed=12))
    assert list(run_values(other_seed)) != values[:5]


def test_int_uniform_includes_both_bounds():
    sweep = parse_sweep(sweep_obj({"layers[0].units": {"int_uniform": [2, 3]}}, search="random", runs=40))
    assert {v["layers[0].units"] for v in run_values(sweep)} == {2, 3}


def test_values_land_at_their_paths_and_epochs_override():
    runs = plan({"training.batch_size": {"values": [0]}, "layers[0].units": {"values": [7]},
                 "layers[0].activation": {"values": ["relu"]}, "loss": {"values": ["squared"]},
                 "data.noise": {"values": [0.3]}, "training.early_stopping": {"values": [{"patience": 3}]}},
                epochs=9)
    net = runs[0].network
    assert net["training"]["batch_size"] == 0 and net["training"]["epochs"] == 9
    assert net["layers"][0] == {"type": "dense", "units": 7, "activation": "relu", "init": "xavier_uniform"}
    assert net["loss"] == "squared" and net["data"]["noise"] == 0.3
    assert net["training"]["early_stopping"] == {"patience": 3, "restore_best": True}
    assert net["weights"] is None and net["epoch"] == 0


def test_optimizer_name_resets_the_other_settings_to_its_defaults():
    base = base_network(optimizer={"name": "momentum", "lr": 0.5, "gamma": 0.5})
    runs = plan({"optimizer.name": {"values": ["adam", "sgd", "momentum"]}}, base=base)
    for run in runs:
        name = run.values["optimizer.name"]
        assert run.network["optimizer"] == {"name": name, **OPTIMIZERS.get(name).defaults}
    # unless the sweep sets them too, by name or by alias
    runs = plan({"optimizer.name": {"values": ["nesterov"]}, "optimizer.lr": {"values": [0.2]},
                 "optimizer.momentum": {"values": [0.7]}}, base=base)
    assert runs[0].network["optimizer"] == {"name": "nesterov", "lr": 0.2, "gamma": 0.7}


def test_without_optimizer_name_the_bases_other_settings_stay():
    base = base_network(optimizer={"name": "adam", "lr": 0.05, "beta1": 0.8})
    runs = plan({"optimizer.lr": {"values": [0.01]}}, base=base)
    assert runs[0].network["optimizer"] == {"name": "adam", "lr": 0.01, "beta1": 0.8}


def test_schedule_name_resets_its_settings_too():
    base = base_network(schedule={"name": "step", "drop": 0.5, "every": 10})
    runs = plan({"schedule.name": {"values": ["constant", "exponential"]}}, base=base)
    assert [r.network["schedule"] for r in runs] == [{"name": "constant"}, {"name": "exponential", "k": 0.99}]


PATH_ERRORS = [
    ({"training.batchsize": {"values": [4]}},
     "parameters: training.batchsize: the network file has no such setting; did you mean training.batch_size?"),
    ({"optimiser.lr": {"values": [0.1]}}, "parameters: optimiser.lr: the network file has no optimiser; did you mean optimizer?"),
    ({"colour": {"values": ["red"]}}, "parameters: colour: the network file has no 'colour'"),
    ({"layers[5].units": {"values": [3]}},
     "parameters: layers[5].units: layers has 2 entries in the base network (layers[0] to layers[1])"),
    ({"layers[0].rate": {"values": [0.5]}}, "parameters: layers[0].rate: the network file has no such setting"),
    ({"training.early_stopping.patience": {"values": [3]}},
     "parameters: training.early_stopping.patience: training.early_stopping is null in the base network, so it has "
     "no patience; set training.early_stopping as a whole"),
    ({"layers.units": {"values": [3]}}, "parameters: layers.units: layers is a list; give an index like [0]"),
    ({"optimizer[0]": {"values": [3]}}, "parameters: optimizer[0]: optimizer is not a list"),
]


@pytest.mark.parametrize("parameters, message", PATH_ERRORS, ids=range(len(PATH_ERRORS)))
def test_a_path_the_network_file_does_not_have(parameters, message):
    with pytest.raises(SweepFileError) as info:
        plan(parameters)
    assert str(info.value) == message


VALUE_ERRORS = [
    ({"optimizer.lr": {"values": [0.1, -1]}}, "run 1 (optimizer.lr -1): optimizer.lr: must be a number > 0, got -1"),
    ({"optimizer.name": {"values": ["sgd", "adamw"]}}, "run 1 (optimizer.name adamw): optimizer.name: must be one of"),
    ({"optimizer.name": {"values": ["adam", "sgd"]}, "optimizer.beta1": {"values": [0.8]}},
     "run 1 (optimizer.name sgd, optimizer.beta1 0.8): optimizer.beta1: 'sgd' has no setting 'beta1'"),
    ({"layers[1].units": {"values": [1, 2]}},
     "run 1 (layers[1].units 2): layers[1].units: the output layer of a binary network has 1 unit, got 2"),
    ({"loss": {"values": ["nllm"]}}, "run 0 (loss nllm): loss: 'nllm' is for multiclass tasks"),
    ({"training.batch_size": {"values": ["all"]}}, "run 0 (training.batch_size all): training.batch_size: must be a whole number"),
]


@pytest.mark.parametrize("parameters, message", VALUE_ERRORS, ids=range(len(VALUE_ERRORS)))
def test_a_value_the_network_files_checks_refuse(parameters, message):
    with pytest.raises(SweepFileError) as info:
        plan(parameters)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_metrics_that_do_not_apply_are_refused():
    no_validation = base_network(data={**base_network()["data"], "validation_fraction": 0})
    with pytest.raises(SweepFileError, match=r"^metric: val_loss needs validation points, and run 0 \(loss nll\) has "
                                             r"none \(data.validation_fraction 0\); rank by train_loss$"):
        plan({"loss": {"values": ["nll"]}}, base=no_validation)
    assert len(plan({"loss": {"values": ["nll"]}}, base=no_validation, metric="train_loss")) == 1
    regression = base_network(task="regression", loss="squared", data={"source": "generated", "name": "plane"},
                              layers=[{"type": "dense", "units": 1, "activation": "identity"}])
    with pytest.raises(SweepFileError, match="^metric: a regression network has no accuracy; rank by val_loss$"):
        plan({"loss": {"values": ["squared"]}}, base=regression, metric="val_accuracy")


def test_log_uniform_stays_inside_its_bounds():
    sweep = parse_sweep(sweep_obj({"optimizer.lr": {"log_uniform": [0.001, 0.001]}}, search="random", runs=3))
    assert all(math.isclose(v["optimizer.lr"], 0.001) for v in run_values(sweep))
