"""The sweep file (SPEC §4): what it accepts, and one line naming the field for what it refuses."""

from __future__ import annotations

import pytest

from nnplay.io.networkfile import dumps
from nnplay.sweeps import Parameter, SweepFileError, parse_sweep, read_sweep, sweep_to_dict
from tests.sweeps.helpers import base_network, sweep_obj, write_json


def test_a_grid_with_an_inline_base():
    sweep = parse_sweep(sweep_obj({"optimizer.name": {"values": ["sgd", "adam"]},
                                   "optimizer.lr": {"values": [0.01, 0.1, 1.0]}}, epochs=7, metric="train_loss"))
    assert sweep.search == "grid" and sweep.epochs == 7 and sweep.metric == "train_loss"
    assert sweep.paths == ["optimizer.name", "optimizer.lr"]
    assert sweep.run_count() == 6
    assert sweep.base_file is None
    # the base as the validator gives it back, with no weights, state or history
    assert sweep.base["weights"] is None and sweep.base["epoch"] == 0 and "history" not in sweep.base


def test_defaults_metric_val_loss_and_the_bases_epochs():
    sweep = parse_sweep(sweep_obj({"training.l2": {"values": [0, 0.01]}}))
    assert sweep.metric == "val_loss" and sweep.epochs is None


def test_a_random_search(tmp_path):
    sweep = parse_sweep(sweep_obj({"optimizer.lr": {"log_uniform": [1e-4, 1e-1]},
                                   "training.batch_size": {"int_uniform": [1, 64]},
                                   "training.l2": {"uniform": [0, 0.01]},
                                   "optimizer.name": {"values": ["sgd", "momentum"]}},
                                  search="random", runs=12, seed=7))
    assert sweep.run_count() == 12 and sweep.seed == 7
    assert [p.kind for p in sweep.parameters] == ["log_uniform", "int_uniform", "uniform", "values"]
    assert sweep.parameters[1] == Parameter("training.batch_size", "int_uniform", low=1, high=64)


def test_base_path_is_relative_to_the_sweep_file(tmp_path):
    (tmp_path / "nets").mkdir()
    write_json(tmp_path / "nets" / "base.nnp", base_network(name="on disk"))
    sweep_file = write_json(tmp_path / "nets" / "s.json", sweep_obj({"loss": {"values": ["nll"]}}, base="base.nnp"))
    sweep = read_sweep(sweep_file)
    assert sweep.base["name"] == "on disk" and sweep.base_file == "base.nnp"


def test_weights_state_and_history_of_the_base_are_dropped(tmp_path):
    from nnplay.cli import main

    path = write_json(tmp_path / "base.nnp", base_network())
    assert main(["train", str(path), "--epochs", "2"]) == 0
    sweep = read_sweep(write_json(tmp_path / "s.json", sweep_obj({"loss": {"values": ["nll"]}}, base="base.nnp")))
    assert sweep.base["weights"] is None and sweep.base["epoch"] == 0
    assert not {"optimizer_state", "history", "resume"} & set(sweep.base)


def test_round_trip_through_sweep_to_dict(tmp_path):
    write_json(tmp_path / "base.nnp", base_network())
    obj = sweep_obj({"optimizer.lr": {"log_uniform": [0.001, 0.1]}, "layers[0].units": {"values": [2, 8]}},
                    base="base.nnp", search="random", runs=5, seed=2, epochs=3, metric="val_accuracy")
    sweep = parse_sweep(obj, tmp_path)
    assert sweep_to_dict(sweep) == obj
    inline = sweep_to_dict(sweep, inline_base=True)
    assert inline["base"] == sweep.base
    assert parse_sweep(inline).base == sweep.base


BAD = [
    ([], "the file holds no sweep object {...}"),
    ({**sweep_obj({}), "format": "nnplay-network"}, 'format: must be "nnplay-sweep"'),
    ({**sweep_obj({"loss": {"values": ["nll"]}}), "version": 2}, "version: written by a newer nnplay (version 2)"),
    ({**sweep_obj({"loss": {"values": ["nll"]}}), "version": "1"}, "version: must be a whole number"),
    (sweep_obj({"loss": {"values": ["nll"]}}, search="bayes"), 'search: must be "grid" or "random", got "bayes"'),
    ({k: v for k, v in sweep_obj({"loss": {"values": ["nll"]}}).items() if k != "base"}, "base: missing"),
    (sweep_obj({"loss": {"values": ["nll"]}}, base=3), "base: must be a network file's path or a network object"),
    (sweep_obj({"loss": {"values": ["nll"]}}, base=base_network(task="tabular")), "base: task: must be one of"),
    (sweep_obj({}), "parameters: must be an object naming at least one parameter"),
    (sweep_obj({"optimizer..lr": {"values": [1]}}), "parameters: 'optimizer..lr' is not a dotted path"),
    (sweep_obj({"optimizer.lr": [0.1, 0.2]}), "parameters: optimizer.lr: must be an object with exactly one of \"values\""),
    (sweep_obj({"optimizer.lr": {"values": []}}), "parameters: optimizer.lr: values must be a non-empty list, got []"),
    (sweep_obj({"optimizer.lr": {"uniform": [0, 1]}}),
     'parameters: optimizer.lr: a grid search lists "values"; uniform is for a random search'),
    (sweep_obj({"optimizer.lr": {"values": [1], "uniform": [0, 1]}}, search="random", runs=2),
     "must be an object with exactly one of"),
    (sweep_obj({"optimizer.lr": {"log_uniform": [0, 1]}}, search="random", runs=2),
     "parameters: optimizer.lr: log_uniform bounds must be > 0, got [0, 1]"),
    (sweep_obj({"optimizer.lr": {"uniform": [1, 0.5]}}, search="random", runs=2),
     "parameters: optimizer.lr: uniform needs low ≤ high, got [1, 0.5]"),
    (sweep_obj({"optimizer.lr": {"uniform": [0, "1"]}}, search="random", runs=2),
     "parameters: optimizer.lr: uniform must be [low, high], two numbers"),
    (sweep_obj({"layers[0].units": {"int_uniform": [1, 2.5]}}, search="random", runs=2),
     "int_uniform bounds must be whole numbers"),
    (sweep_obj({"optimizer.lr": {"uniform": [0, 1]}}, search="random"), 'runs: a random search needs "runs"'),
    (sweep_obj({"optimizer.lr": {"uniform": [0, 1]}}, search="random", runs=0), "runs: must be a whole number from 1"),
    (sweep_obj({"optimizer.lr": {"uniform": [0, 1]}}, search="random", runs=2, seed=-1), "seed: must be a whole number from 0"),
    (sweep_obj({"loss": {"values": ["nll"]}}, epochs=-5), "epochs: must be a whole number from 0 to"),
    (sweep_obj({"loss": {"values": ["nll"]}}, metric="accuracy"), "metric: must be one of val_loss, train_loss"),
    (sweep_obj({f"layers[{i}].units": {"values": list(range(1, 12))} for i in range(1)}
               | {"optimizer.lr": {"values": list(range(1, 101))}, "training.seed": {"values": list(range(100))}}),
     "parameters: the grid has 110,000 runs; the limit is 100,000"),
]


@pytest.mark.parametrize("obj, message", BAD, ids=range(len(BAD)))
def test_bad_sweeps_say_what_is_wrong(obj, message):
    with pytest.raises(SweepFileError) as info:
        parse_sweep(obj)
    text = str(info.value)
    assert message in text and "\n" not in text


def test_missing_base_file_and_bad_json(tmp_path):
    with pytest.raises(SweepFileError, match=r"^base nothere.nnp: no such file$"):
        read_sweep(write_json(tmp_path / "s.json", sweep_obj({"loss": {"values": ["nll"]}}, base="nothere.nnp")))
    (tmp_path / "broken.json").write_text('{"format": "nnplay-sweep",')
    with pytest.raises(SweepFileError, match="not valid JSON"):
        read_sweep(tmp_path / "broken.json")
    with pytest.raises(SweepFileError, match="no such file"):
        read_sweep(tmp_path / "missing.json")
    (tmp_path / "bad-base.nnp").write_text(dumps(base_network(layers=[])))
    with pytest.raises(SweepFileError, match=r"^base bad-base.nnp: layers: must hold at least one layer"):
        read_sweep(write_json(tmp_path / "s2.json", sweep_obj({"loss": {"values": ["nll"]}}, base="bad-base.nnp")))
