"""``training.pretraining``, ``history.pretraining`` and ``resume.pretraining`` in the
network file: defaults, round trips, and one line for each thing wrong."""

import copy

import numpy as np
import pytest

from nnplay.core import Experiment
from nnplay.core.config import PretrainingConfig
from nnplay.io import NetworkFileError, dumps_network, loads_network, network_to_dict, parse_network

from test_schema import SPEC_EXAMPLE, example

DEFAULTS = {"epochs": 50, "decoder": "tied", "decoder_activation": "identity", "noise": 0.0}


def _with_pretraining(value):
    obj = example()
    obj["training"] = {**obj["training"], "pretraining": value}
    return obj


def test_off_by_default_and_left_out_of_the_file_while_off():
    cfg = parse_network(example())
    assert cfg.training.pretraining is None
    assert "pretraining" not in network_to_dict(cfg)["training"]
    assert parse_network(_with_pretraining(None)).training.pretraining is None
    # every setting has a path when asked for (the sweeps set values there)
    assert network_to_dict(cfg, complete=True)["training"]["pretraining"] is None


def test_an_empty_section_means_spec_defaults():
    cfg = parse_network(_with_pretraining({}))
    assert cfg.training.pretraining == PretrainingConfig()
    assert network_to_dict(cfg)["training"]["pretraining"] == DEFAULTS


def test_settings_round_trip():
    value = {"epochs": 7, "decoder": "untied", "decoder_activation": "linear", "noise": 0.25}
    cfg = parse_network(_with_pretraining(value))
    assert network_to_dict(cfg)["training"]["pretraining"] == value  # the alias kept as written
    assert loads_network(dumps_network(cfg)) == cfg


@pytest.mark.parametrize("value, message", [
    ({"epochs": -1}, "training.pretraining.epochs: must be a whole number from 0 to 10,000,000, got -1"),
    ({"epochs": "50"}, 'training.pretraining.epochs: must be a whole number from 0 to 10,000,000, got "50"'),
    ({"decoder": "shared"}, "training.pretraining.decoder: must be one of 'tied', 'untied', got \"shared\""),
    ({"decoder_activation": "gelu"}, "training.pretraining.decoder_activation: must be one of 'identity', 'relu'"),
    ({"noise": -0.1}, "training.pretraining.noise: must be a number ≥ 0 and < 100, got -0.1"),
    ({"noise": None}, "training.pretraining.noise: must be a number ≥ 0 and < 100, got null"),
    (True, "training.pretraining: must be an object {...}, got true"),
    ([50], "training.pretraining: must be an object {...}, got [50]"),
])
def test_a_bad_section_is_one_line(value, message):
    with pytest.raises(NetworkFileError) as error:
        parse_network(_with_pretraining(value))
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


# ---------------------------------------------------------------- state written during pre-training
def _paused_in_pretraining(decoder="untied", updates=8):
    obj = _with_pretraining({"epochs": 2, "decoder": decoder, "noise": 0.1})
    obj["layers"] = [{"type": "dense", "units": 3, "activation": "sigmoid"}, *SPEC_EXAMPLE["layers"]]
    obj["data"] = {**obj["data"], "n": 60}  # 48 training points
    obj["training"]["batch_size"] = 8  # 6 updates per epoch
    exp = Experiment(parse_network(obj))
    count = [0]

    def stop(trainer):
        count[0] += 1
        if count[0] == updates:
            trainer.request_stop()

    exp.trainer.run(1, on_update=stop)
    return network_to_dict(exp.to_config())


def test_a_file_paused_in_pretraining_round_trips_exactly():
    obj = _paused_in_pretraining()
    assert obj["resume"]["pretraining"]["layer"] == 0 and obj["resume"]["pretraining"]["update_in_epoch"] == 2
    assert obj["history"]["pretraining"]["epoch"] == [1]
    text = dumps_network(parse_network(obj))
    assert dumps_network(loads_network(text)) == text


def _broken(change):
    obj = copy.deepcopy(_paused_in_pretraining())
    change(obj)
    with pytest.raises(NetworkFileError) as error:
        parse_network(obj)
    assert "\n" not in str(error.value)
    return str(error.value)


RESUME = "resume.pretraining"


@pytest.mark.parametrize("change, message", [
    (lambda o: o["resume"]["pretraining"].update(layer=4),
     f"{RESUME}.layer: must be the index of a hidden dense layer (0, 1), got 4"),
    (lambda o: o["resume"]["pretraining"].update(layer="0"), f'{RESUME}.layer: must be a whole number'),
    (lambda o: o["resume"]["pretraining"].update(epoch=-1), f"{RESUME}.epoch: must be a whole number from 0 to"),
    (lambda o: o["resume"]["pretraining"]["decoder"].pop("V"), f"{RESUME}.decoder.V: missing"),
    (lambda o: o["resume"]["pretraining"]["decoder"].update(c=[0]),
     f"{RESUME}.decoder.c: must be a list of 2 numbers, got 1 entry"),
    (lambda o: o["resume"]["pretraining"]["decoder"]["V"][0].__setitem__(0, None),
     f"{RESUME}.decoder.V[0][0]: must be a finite number, got null"),
    (lambda o: o["resume"]["pretraining"].pop("rng"), f"{RESUME}.rng: missing"),
    (lambda o: o["resume"]["pretraining"].pop("optimizer_state"), f"{RESUME}.optimizer_state: missing"),
    (lambda o: o["resume"]["pretraining"]["optimizer_state"]["slots"].update({"layer3.W": {}}),
     f"{RESUME}.optimizer_state.slots: 'layer3.W' is not a parameter of this network (they are layer0.W, "
     "layer0.b, layer0.c, layer0.V)"),
    (lambda o: o["resume"]["pretraining"]["optimizer_state"]["slots"]["layer0.V"].pop("m"),
     f"{RESUME}.optimizer_state.slots.layer0.V: must hold exactly the adam slots m, v"),
    (lambda o: o["resume"].update(update_in_epoch=3), "resume.update_in_epoch: must be 0 while pre-training"),
    (lambda o: o["training"].update(pretraining=None),
     f"{RESUME}: there is nothing to resume: training.pretraining is null"),
    (lambda o: o.update(epoch=3), f"{RESUME}: pre-training comes before epoch 1, and the file is at epoch 3"),
    (lambda o: o["history"]["pretraining"]["train_loss"].append(0.1),
     "history.pretraining.train_loss: must have as many entries as the other columns (1), got 2"),
    (lambda o: o["history"]["pretraining"].update(epoch=[0]), "history.pretraining.epoch[0]: must be a whole "
                                                               "number from 1 to"),
    (lambda o: o["history"]["pretraining"].update(layer=[3]),
     "history.pretraining.layer[0]: must be the index of a hidden dense layer (0, 1), got 3"),
    (lambda o: o["history"]["pretraining"].update(val_loss=["low"]),
     'history.pretraining.val_loss[0]: must be a number, got "low"'),
    (lambda o: o["history"]["pretraining"].pop("layer"), "history.pretraining.layer: missing"),
    (lambda o: o["history"].update(pretraining=[1]), "history.pretraining: must be an object {...}, got [1]"),
])
def test_bad_pretraining_state_is_one_line(change, message):
    obj = copy.deepcopy(_paused_in_pretraining())
    change(obj)
    with pytest.raises(NetworkFileError) as error:
        parse_network(obj)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_a_tied_decoder_stores_no_v():
    obj = _paused_in_pretraining("tied")
    assert set(obj["resume"]["pretraining"]["decoder"]) == {"c"}
    assert set(obj["resume"]["pretraining"]["optimizer_state"]["slots"]) == {"layer0.W", "layer0.b", "layer0.c"}
    parse_network(obj)


def test_once_done_only_the_history_remains():
    obj = _with_pretraining({"epochs": 1})
    exp = Experiment(parse_network(obj))
    exp.trainer.run(1)
    out = network_to_dict(exp.to_config())
    assert "pretraining" not in (out.get("resume") or {})
    assert out["history"]["pretraining"]["layer"] == [0]
    assert np.isfinite(out["history"]["pretraining"]["train_loss"][0])
    assert parse_network(out).history["pretraining"] == out["history"]["pretraining"]
