"""Picks become race variants and sweep files: every combination in order, labels a
person reads, layer types switched after a layer's own settings, bad text refused
with one line naming the path."""

from __future__ import annotations

import pytest

from nnplay.sweeps import parse_sweep, plan_runs, race_plans, shared_start
from nnplay.sweeps.catalog import any_choice, choices_for
from nnplay.sweeps.picks import (
    Pick, PickError, format_values, parse_bound, parse_values, race_variants, sweep_object, sweep_parameters,
)
from tests.sweeps.helpers import base_network


@pytest.fixture
def choices():
    return {choice.key: choice for choice in choices_for(base_network())}


def test_parse_values_by_kind(choices):
    assert parse_values("0.001, 0.01 0.1", choices["optimizer.lr"]) == (0.001, 0.01, 0.1)
    assert parse_values("4;8", choices["layers[0].units"]) == (4, 8)
    assert parse_values("10 %, 0.3", choices["data.validation_fraction"]) == (0.1, 0.3)
    with pytest.raises(PickError, match=r"^layers\[0\].units: '4.5' is not a whole number$"):
        parse_values("4.5", choices["layers[0].units"])
    with pytest.raises(PickError, match=r"^optimizer.lr: '0.0x' is not a number$"):
        parse_values("0.01, 0.0x", choices["optimizer.lr"])
    with pytest.raises(PickError, match=r"^optimizer.lr: give at least one value$"):
        parse_values("  ", choices["optimizer.lr"])
    typed = any_choice("layers[0].activation", base_network())
    assert typed.current == "tanh"
    assert parse_values("relu, tanh", typed) == ("relu", "tanh")
    assert parse_values('null, {"patience": 3}', any_choice("training.early_stopping")) == (None, {"patience": 3})
    assert parse_bound("1e-4", choices["optimizer.lr"], "low") == 1e-4
    for values, choice in (((0.003, 1e-05), choices["optimizer.lr"]), (("relu", None), typed)):
        assert parse_values(format_values(values, choice), choice) == values


def test_race_variants_are_every_combination_first_slowest_with_labels(choices):
    picks = [Pick(choices["optimizer.name"], ("sgd", "adam")), Pick(choices["optimizer.lr"], (0.01, 0.1))]
    variants = race_variants(picks, base_network())
    assert [values for values, _ in variants] == [
        {"optimizer.name": "sgd", "optimizer.lr": 0.01}, {"optimizer.name": "sgd", "optimizer.lr": 0.1},
        {"optimizer.name": "adam", "optimizer.lr": 0.01}, {"optimizer.name": "adam", "optimizer.lr": 0.1}]
    assert [label for _, label in variants] == ["SGD, η 0.01", "SGD, η 0.1", "Adam, η 0.01", "Adam, η 0.1"]
    plans = race_plans(base_network(), [values for values, _ in variants])
    assert shared_start(plans) == (True, True)


def test_layer_types_switch_after_the_layers_own_settings(choices):
    base = base_network()
    picks = [Pick(choices["layers:dropout"], (False, True)), Pick(choices["layers[1].activation"], ("sigmoid",)),
             Pick(choices["layers[0].units"], (3,)), Pick(choices["training.l2"], (0.0,))]
    variants = race_variants(picks, base)
    without, with_dropout = (values for values, _ in variants)
    assert list(with_dropout) == ["layers", "training.l2"]
    assert [(l["type"], l.get("units")) for l in with_dropout["layers"]] == [("dense", 3), ("dropout", None),
                                                                         ("dense", 1)]
    assert [l["type"] for l in without["layers"]] == ["dense", "dense"]
    assert variants[1][1] == "with Dropout, output layer activation sigmoid, layer 1 units 3, λ₂ 0"
    race_plans(base, [values for values, _ in variants])  # both pass the file checks

    params = sweep_parameters(picks, "grid", base)
    assert list(params) == ["layers", "training.l2"]
    assert params["layers"]["values"] == [without["layers"], with_dropout["layers"]]


def test_a_sweep_object_is_a_sweep_file_nnplay_sweep_runs(choices):
    base = base_network()
    picks = [Pick(choices["optimizer.lr"], (0.01,), "log_uniform", 0.001, 0.1),
             Pick(choices["layers[0].units"], (2, 4), "int_uniform", 2, 6),
             Pick(choices["optimizer.name"], ("sgd", "adam"))]
    obj = sweep_object(base, picks, "random", epochs=3, metric="train_loss", runs=5, seed=7)
    assert obj["parameters"] == {"optimizer.lr": {"log_uniform": [0.001, 0.1]},
                                 "layers[0].units": {"int_uniform": [2, 6]},
                                 "optimizer.name": {"values": ["sgd", "adam"]}}
    sweep = parse_sweep(obj)
    assert sweep.run_count() == 5 and sweep.epochs == 3 and sweep.seed == 7
    assert len(plan_runs(sweep)) == 5
    grid = parse_sweep(sweep_object(base, picks, "grid", epochs=3, metric="val_loss"))
    assert grid.run_count() == 1 * 2 * 2


def test_picks_that_make_no_race(choices):
    with pytest.raises(PickError, match=r"^optimizer.name: pick at least one value$"):
        race_variants([Pick(choices["optimizer.name"], ())], base_network())
    with pytest.raises(PickError, match=r"^optimizer.lr: picked twice"):
        race_variants([Pick(choices["optimizer.lr"], (0.1,)), Pick(any_choice("optimizer.lr"), (0.2,))],
                      base_network())
    with pytest.raises(PickError, match=r"^layers\[5\].units: layers has 2 entries"):
        race_variants([Pick(choices["layers:batchnorm"], (True,)), Pick(any_choice("layers[5].units"), (3,))],
                      base_network())
    with pytest.raises(PickError, match=r"^layers\[0\].units: with layers switched on and off"):
        sweep_parameters([Pick(choices["layers:dropout"], (False, True)),
                          Pick(choices["layers[0].units"], (), "int_uniform", 2, 4)], "random", base_network())
