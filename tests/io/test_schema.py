"""parse_network ⇄ network_to_dict: exact round trips, and one clear error per problem."""

import copy
import json

import numpy as np
import pytest

from io_helpers import assert_bits_equal, small_config
from nnplay.core import DenseConfig, Experiment
from nnplay.io import NetworkFileError, dumps_network, loads_network, network_to_dict, parse_network

SPEC_EXAMPLE = {
    "format": "nnplay-network",
    "version": 1,
    "name": "XOR",
    "task": "binary",
    "features": ["x1", "x2"],
    "layers": [
        {"type": "dense", "units": 4, "activation": "tanh", "init": "xavier_uniform"},
        {"type": "dropout", "rate": 0.2},
        {"type": "batchnorm"},
        {"type": "dense", "units": 1, "activation": "sigmoid", "init": "xavier_uniform"},
    ],
    "loss": "nll",
    "optimizer": {"name": "adam", "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "schedule": {"name": "constant"},
    "training": {"batch_size": 32, "epochs": 500, "seed": 0, "l1": 0.0, "l2": 0.0, "input_noise": 0.0,
                 "early_stopping": None},
    "data": {"source": "generated", "name": "xor", "n": 400, "noise": 0.1, "seed": 1,
             "validation_fraction": 0.2},
    "weights": None,
}


def example(**changes):
    obj = copy.deepcopy(SPEC_EXAMPLE)
    obj.update(changes)
    return obj


def test_spec_example_parses_and_writes_back_unchanged():
    cfg = parse_network(example())
    assert [layer.type for layer in cfg.layers] == ["dense", "dropout", "batchnorm", "dense"]
    assert network_to_dict(cfg) == {**SPEC_EXAMPLE, "epoch": 0}


def test_full_file_round_trips_bit_for_bit(full):
    text = dumps_network(full)
    again = loads_network(text)
    assert dumps_network(again) == text
    assert_bits_equal(network_to_dict(full), network_to_dict(again))
    assert_bits_equal(full.weights, again.weights)
    assert_bits_equal(full.optimizer_state, again.optimizer_state)
    assert again.resume["rng"] == full.resume["rng"]  # 128-bit ints survive JSON
    assert again.history == full.history
    assert again.extra == full.extra


def test_awkward_floats_keep_their_bits(config):
    exp = Experiment(config)
    weights = exp.network.get_weights()
    odd = np.array([5e-324, -0.0, 1.7976931348623157e308, 0.1 + 0.2, np.nextafter(1.0, 2.0), -1 / 3])
    weights[0]["b"] = odd
    config.weights = weights
    again = loads_network(dumps_network(config))
    assert np.array_equal(again.weights[0]["b"].view(np.int64), odd.view(np.int64))


def test_nan_in_history_is_written_as_null_and_never_as_nan(full):
    full.history["val_loss"][0] = float("nan")
    text = dumps_network(full)
    assert "NaN" not in text and "Infinity" not in text
    assert loads_network(text).history["val_loss"][0] is None


def test_nan_weights_are_refused_when_writing(full):
    full.weights[0]["W"][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        dumps_network(full)


def test_unknown_top_level_keys_survive_and_nested_ones_are_ignored():
    obj = example(gui={"splitter": [1, 2]}, comment="hi")
    obj["training"]["someday"] = 3
    cfg = parse_network(obj)
    out = network_to_dict(cfg)
    assert out["gui"] == {"splitter": [1, 2]} and out["comment"] == "hi"
    assert "someday" not in out["training"]


def test_optimizer_aliases_become_the_file_names():
    cfg = parse_network(example(optimizer={"name": "momentum", "momentum": 0.5}))
    assert cfg.optimizer.settings == {"gamma": 0.5}


def test_defaults_fill_in_for_missing_optional_keys():
    obj = example()
    del obj["schedule"], obj["weights"], obj["name"]
    obj["training"] = {}
    cfg = parse_network(obj)
    assert cfg.schedule.name == "constant" and cfg.weights is None and cfg.training.epochs == 500


def _set(path, value):
    """A change to the example: set the value at a dotted path (``layers.0.units``)."""
    def change(obj):
        *parents, last = path.split(".")
        for key in parents:
            obj = obj[int(key)] if isinstance(obj, list) else obj[key]
        if value is _DELETE:
            del obj[last]
        elif isinstance(obj, list):
            obj[int(last)] = value
        else:
            obj[last] = value
    return change


_DELETE = object()

BAD = [
    (_set("format", "something"), 'format: must be "nnplay-network"'),
    (_set("version", 2), "version: written by a newer nnplay (version 2); this one reads version 1"),
    (_set("version", "1"), 'version: must be a whole number ≥ 1, got "1"'),
    (_set("version", _DELETE), "version: missing"),
    (_set("task", "ranking"), "task: must be one of 'binary', 'multiclass', 'regression', got \"ranking\""),
    (_set("features", []), "features: must name at least one input feature"),
    (_set("features", ["x1", "x3"]), "features[1]: must be one of 'x1', 'x2'"),
    (_set("features", ["x1", "x1"]), "features[1]: 'x1' is listed twice"),
    (_set("features", "x1"), 'features: must be a list [...], got "x1"'),
    (_set("layers.0.units", -3), "layers[0].units: must be a whole number from 1 to 4,096, got -3"),
    (_set("layers.0.units", True), "layers[0].units: must be a whole number from 1 to 4,096, got true"),
    (_set("layers.0.units", 2.5), "layers[0].units: must be a whole number from 1 to 4,096, got 2.5"),
    (_set("layers.0.units", "4"), 'layers[0].units: must be a whole number from 1 to 4,096, got "4"'),
    (_set("layers.0.units", 5000), "layers[0].units: must be a whole number from 1 to 4,096, got 5000"),
    (_set("layers.0.units", _DELETE), "layers[0].units: missing"),
    (_set("layers.0.activation", "gelu"), "layers[0].activation: must be one of 'identity', 'relu'"),
    (_set("layers.0.init", "orthogonal"), "layers[0].init: must be one of"),
    (_set("layers.0.type", "conv"), "layers[0].type: must be one of 'dense', 'dropout', 'batchnorm'"),
    (_set("layers.0", [4]), "layers[0]: must be an object {...}, got [4]"),
    (_set("layers.1.rate", 1.0), "layers[1].rate: must be a number ≥ 0 and < 1, got 1.0"),
    (_set("layers.1.rate", -0.1), "layers[1].rate: must be a number ≥ 0 and < 1, got -0.1"),
    (_set("layers", []), "layers: must hold at least one layer"),
    (_set("layers", [{"type": "dense", "units": 1}] * 65), "layers: may hold at most 64 layers, got 65"),
    (_set("layers.3", {"type": "batchnorm"}), "layers[3].type: the last layer must be a dense layer"),
    (_set("layers.3.units", 2), "layers[3].units: the output layer of a binary network has 1 unit, got 2"),
    (_set("layers.3.activation", "identity"),
     "loss: 'nll' needs a 'sigmoid' output layer; the last layer has 'identity' — set its activation to "
     "sigmoid, or pick the 'squared' or 'hinge' loss"),
    (_set("loss", "nllm"), "loss: 'nllm' is for multiclass tasks, and this network's task is binary; "
                           "pick 'squared' or 'hinge' or 'nll'"),
    (_set("loss", "mse"), "loss: must be one of 'squared', 'mae', 'hinge', 'nll', 'nllm', got \"mse\""),
    (_set("optimizer.name", "lbfgs"), "optimizer.name: must be one of 'sgd', 'momentum'"),
    (_set("optimizer.gamma", 0.9), "optimizer.gamma: 'adam' has no setting 'gamma'; its settings are lr, beta1"),
    (_set("optimizer.lr", 0), "optimizer.lr: must be a number > 0, got 0"),
    (_set("optimizer.lr", "fast"), 'optimizer.lr: must be a number > 0, got "fast"'),
    (_set("optimizer.beta1", 1.0), "optimizer.beta1: must be a number ≥ 0 and < 1, got 1.0"),
    (_set("optimizer.eps", -1e-8), "optimizer.eps: must be a number > 0, got -1e-08"),
    (_set("optimizer", {"name": "momentum", "gamma": 0.9, "momentum": 0.8}),
     "optimizer.momentum: sets 'gamma' a second time (as 'momentum')"),
    (_set("schedule", {"name": "step", "every": 0}), "schedule.every: must be a whole number from 1 to"),
    (_set("schedule", {"name": "step", "k": 1}), "schedule.k: 'step' has no setting 'k'; its settings are drop, every"),
    (_set("schedule", {"name": "constant", "k": 1}), "schedule.k: 'constant' has no setting 'k'; its settings are none"),
    (_set("schedule", {"name": "exponential", "k": 0}), "schedule.k: must be a number > 0, got 0"),
    (_set("training.batch_size", -1), "training.batch_size: must be a whole number from 0 to 100,000, got -1"),
    (_set("training.epochs", 10**8), "training.epochs: must be a whole number from 0 to 10,000,000"),
    (_set("training.seed", -5), "training.seed: must be a whole number from 0 to"),
    (_set("training.l2", -1), "training.l2: must be a number ≥ 0, got -1"),
    (_set("training.input_noise", None), "training.input_noise: must be a number ≥ 0 and < 100, got null"),
    (_set("training.early_stopping", {"patience": 0}),
     "training.early_stopping.patience: must be a whole number from 1 to"),
    (_set("training.early_stopping", {"patience": 5, "restore_best": 1}),
     "training.early_stopping.restore_best: must be true or false, got 1"),
    (_set("training", []), "training: must be an object {...}, got []"),
    (_set("data.source", "url"), "data.source: must be one of 'generated', 'inline', got \"url\""),
    (_set("data.name", "mnist"), "data.name: must be one of 'xor', 'circles'"),
    (_set("data.name", "plane"), "data.name: 'plane' is a regression data set, and this network's task is binary"),
    (_set("data.n", 0), "data.n: must be a whole number from 1 to 100,000, got 0"),
    (_set("data.n", 10**6), "data.n: must be a whole number from 1 to 100,000"),
    (_set("data.noise", -0.1), "data.noise: must be a number ≥ 0 and < 100, got -0.1"),
    (_set("data.classes", 4), "data.classes: only the 'blobs' data set has a number of classes, got 4"),
    (_set("data.validation_fraction", 1), "data.validation_fraction: must be a number ≥ 0 and < 1, got 1"),
    (_set("weights", []), "weights: must hold one entry per layer (4), got 0"),
    (_set("weights", [{}, {}, {}, {}]), "weights[0].W: missing"),
    (_set("weights", [{"W": [[1, 2, 3, 4]], "b": [0, 0, 0, 0]}, {}, {}, {}]),
     "weights[0].W: must be a 2 × 4 array (2 rows of 4 numbers), got 1 row"),
    (_set("weights", [{"W": [[1, 2, 3, 4], [1, 2, "3", 4]], "b": [0, 0, 0, 0]}, {}, {}, {}]),
     'weights[0].W[1][2]: must be a finite number, got "3"'),
    (_set("weights", [{"W": [[1, 2, 3, 4], [1, 2, 3, 4]], "b": [0, 0, 0, True]}, {}, {}, {}]),
     "weights[0].b[3]: must be a finite number, got true"),
    (_set("weights", [{"W": [[1, 2, 3, 4], [1, 2, 3, 4]], "b": [0, 0, 0, 10**400]}, {}, {}, {}]),
     "weights[0].b[3]: must be a finite number"),
    (_set("epoch", -1), "epoch: must be a whole number from 0 to"),
    (_set("history", {"epoch": [1, 2], "train_loss": [0.5]}),
     "history.train_loss: must have as many entries as the other columns (2), got 1"),
    (_set("history", {"epoch": [1], "train_loss": ["low"]}), 'history.train_loss[0]: must be a number, got "low"'),
    (_set("history", {"epoch": [1], "initial": [0.7]}), "history.initial: must be an object {...}, got [0.7]"),
    (_set("history", {"epoch": [1], "initial": {"val_loss": "high"}}),
     'history.initial.val_loss: must be a number, got "high"'),
    (_set("resume", {"update_in_epoch": 2}), "resume.rng: missing"),
    (_set("resume", {"best": {"loss": 0.1}}), "resume.best.epoch: missing"),
]


@pytest.mark.parametrize("change, message", BAD, ids=[m[:50] for _, m in BAD])
def test_each_problem_gets_one_clear_message(change, message):
    obj = example()
    change(obj)
    with pytest.raises(NetworkFileError) as info:
        parse_network(obj)
    text = str(info.value)
    assert message in text
    assert "\n" not in text


def test_not_an_object():
    with pytest.raises(NetworkFileError, match="the file holds a list, not a network object"):
        parse_network([1, 2])


def test_one_dimensional_data_only_feeds_x1_features():
    obj = example(task="regression", loss="squared")
    obj["data"]["name"] = "sine"
    obj["layers"][3]["activation"] = "identity"
    obj["features"] = ["x1", "sin(x1)", "x1^2"]
    parse_network(obj)
    obj["features"] = ["x1", "x1*x2"]
    with pytest.raises(NetworkFileError, match=r"features\[1\]: the data set has one input \(x1\), so no "
                                                r"feature may use x2, got \"x1\*x2\""):
        parse_network(obj)


def test_multiclass_output_must_match_the_number_of_classes():
    obj = example(task="multiclass", loss="nllm")
    obj["data"].update(name="blobs", classes=5)
    obj["layers"][3].update(units=5, activation="softmax")
    assert parse_network(obj).data.classes == 5
    obj["layers"][3]["units"] = 4
    with pytest.raises(NetworkFileError, match=r"layers\[3\]\.units: the output layer needs 5 units, one per "
                                                r"class of the blobs data set, got 4"):
        parse_network(obj)
    obj["data"]["classes"] = 7
    with pytest.raises(NetworkFileError, match="data.classes: must be a whole number from 3 to 6, got 7"):
        parse_network(obj)


def test_nllm_needs_softmax():
    obj = example(task="multiclass", loss="nllm")
    obj["data"].update(name="blobs")
    obj["layers"][3].update(units=4, activation="sigmoid")
    with pytest.raises(NetworkFileError, match="loss: 'nllm' needs a 'softmax' output layer; the last layer has "
                                                "'sigmoid' — set its activation to softmax, or pick the 'squared' loss"):
        parse_network(obj)


INLINE = {"source": "inline", "x": [[0, 1], [1, 0], [0.5, 0.5], [2, 2]], "y": [0, 1, 1, 0],
          "validation_fraction": 0.25}


@pytest.mark.parametrize("change, message", [
    ({"y": [0, 1, 2, 0]}, "data.y[2]: must be a class label 0 or 1, got 2"),
    ({"y": [0, 1, 1]}, "data.y: must hold one value per point of data.x (4), got 3"),
    ({"x": [[0, 1], [1], [0.5, 0.5], [2, 2]]}, "data.x[1]: must be a point [x1, x2], got 1 entry"),
    ({"x": [[0, 1], [1, "a"], [0.5, 0.5], [2, 2]]}, 'data.x[1][1]: must be a finite number, got "a"'),
    ({"x": []}, "data.x: must hold at least one point"),
    ({"x": [[0, 1]] * 100_001, "y": [0] * 100_001}, "data.x: may hold at most 100,000 entries"),
    ({"validation_fraction": 0.9, "x": [[0, 1]], "y": [1]},
     "data.validation_fraction: leaves no training points out of 1, got 0.9"),
    ({"validation": [1, 4]}, "data.validation[1]: must be the index of a point of data.x, a whole number "
                             "from 0 to 3, got 4"),
    ({"validation": [2, 1]}, "data.validation[1]: must be larger than the index before it (2): the indices are "
                             "listed in increasing order, each once, got 1"),
    ({"validation": [1, 1]}, "data.validation[1]: must be larger than the index before it (1)"),
    ({"validation": [0.5]}, "data.validation[0]: must be the index of a point of data.x"),
    ({"validation": [True]}, "data.validation[0]: must be the index of a point of data.x"),
    ({"validation": "0"}, 'data.validation: must be a list [...], got "0"'),
    ({"validation": [0, 1, 2, 3]}, "data.validation: holds out every point (all 4); at least one must train"),
])
def test_inline_points_are_checked(change, message):
    obj = example(data={**INLINE, **change})
    with pytest.raises(NetworkFileError) as info:
        parse_network(obj)
    assert message in str(info.value)


def test_inline_points_may_name_their_validation_points_and_keep_them_on_a_round_trip():
    cfg = parse_network(example(data={**INLINE, "validation": [0, 2.0]}))
    assert cfg.data.validation == [0, 2]
    split = Experiment(cfg).split
    assert split.held_out.tolist() == [0, 2] and split.validation.x.tolist() == [[0, 1], [0.5, 0.5]]
    assert network_to_dict(cfg)["data"]["validation"] == [0, 2]
    assert parse_network(example(data={**INLINE, "validation": None})).data.validation is None
    # a generated set ignores the key, as any other unknown key of a section
    assert parse_network(example(data={**SPEC_EXAMPLE["data"], "validation": [1]})).data.validation is None


def test_inline_multiclass_labels_fit_the_output_layer():
    obj = example(task="multiclass", loss="nllm", data={**INLINE, "y": [0, 1, 2, 1]})
    obj["layers"][3].update(units=3, activation="softmax")
    cfg = parse_network(obj)
    assert Experiment(cfg).dataset.n_classes == 3
    obj["data"]["y"] = [0, 1, 3, 1]
    with pytest.raises(NetworkFileError, match=r"data.y\[2\]: must be a class label from 0 to 2 \(the output "
                                                r"layer has 3 units\), got 3"):
        parse_network(obj)


def test_size_bounds():
    obj = example()
    obj["layers"] = [{"type": "dense", "units": 4096}] * 3 + [obj["layers"][3]]
    with pytest.raises(NetworkFileError, match="layers: the network has 33,579,009 parameters; the limit is 1,000,000"):
        parse_network(obj)
    obj = example()
    obj["layers"][0]["units"] = 4096
    obj["data"]["n"] = 100_000
    with pytest.raises(NetworkFileError, match="need 409,600,000 numbers at once"):
        parse_network(obj)


def test_weights_of_the_wrong_shape_name_the_layer(full):
    obj = network_to_dict(full)
    obj["weights"][2]["running_var"] = [1.0, 1.0]
    with pytest.raises(NetworkFileError, match=r"weights\[2\]\.running_var: must be a list of 6 numbers, got 2"):
        parse_network(obj)
    obj = network_to_dict(full)
    obj["weights"][2]["running_var"][1] = -1.0
    with pytest.raises(NetworkFileError, match=r"weights\[2\]\.running_var\[1\]: must be a finite number ≥ 0"):
        parse_network(obj)


def test_optimizer_state_is_checked_against_the_network(full):
    obj = network_to_dict(full)
    obj["optimizer_state"]["slots"]["layer9.W"] = obj["optimizer_state"]["slots"].pop("layer0.W")
    with pytest.raises(NetworkFileError, match="optimizer_state.slots: 'layer9.W' is not a parameter of this network"):
        parse_network(obj)
    obj = network_to_dict(full)
    obj["optimizer_state"]["slots"]["layer0.b"] = {"m": [0.0] * 6}
    with pytest.raises(NetworkFileError, match="optimizer_state.slots.layer0.b: must hold exactly the adam slots m, v"):
        parse_network(obj)
    obj = network_to_dict(full)
    obj["optimizer_state"]["slots"]["layer3.b"]["v"] = [-1.0]
    with pytest.raises(NetworkFileError, match=r"optimizer_state.slots.layer3.b.v\[0\]: must be a finite number ≥ 0"):
        parse_network(obj)
    obj = network_to_dict(full)
    obj["optimizer_state"]["t"] = 1.5
    with pytest.raises(NetworkFileError, match="optimizer_state.t: must be a whole number"):
        parse_network(obj)


def test_resume_state_is_checked(full):
    obj = network_to_dict(full)
    obj["resume"]["rng"]["bit_generator"] = "MT19937"
    with pytest.raises(NetworkFileError, match='resume.rng.bit_generator: must be "PCG64", got "MT19937"'):
        parse_network(obj)
    obj = network_to_dict(full)
    obj["resume"]["rng"]["state"]["state"] = 2**130
    with pytest.raises(NetworkFileError, match="resume.rng.state.state: must be a whole number from 0 to"):
        parse_network(obj)
    obj = network_to_dict(full)
    obj["resume"]["update_in_epoch"] = 0.5
    with pytest.raises(NetworkFileError, match="resume.update_in_epoch: must be a whole number from 1 to 100,000"):
        parse_network(obj)


def test_a_batch_size_changed_while_paused_still_loads_and_trains(full):
    """90 training points in batches of 16 make 6 updates an epoch; paused after 2, then batches of 45."""
    full.training.batch_size = 45
    cfg = loads_network(dumps_network(full))
    exp = Experiment(cfg)
    exp.trainer.run(cfg.epoch + 2)
    assert exp.trainer.epoch == cfg.epoch + 2


def test_best_loss_that_is_not_finite_is_written_as_null(full):
    full.resume["best"]["loss"] = float("inf")
    again = loads_network(dumps_network(full))
    assert again.resume["best"]["loss"] == float("inf")


def test_dumped_text_is_indented_with_compact_arrays(full):
    text = dumps_network(full)
    assert '\n  "training": {\n    "batch_size": 16,' in text
    assert '{"type": "dense", "units": 6, "activation": "relu", "init": "he_normal"}' in text
    assert json.loads(text)["format"] == "nnplay-network"
    assert "ünïcode ✓" in text  # ensure_ascii=False


def test_parse_never_mutates_its_input():
    obj = example(optimizer={"name": "momentum", "momentum": 0.5})
    before = copy.deepcopy(obj)
    parse_network(obj)
    assert obj == before


def test_config_built_in_code_round_trips():
    cfg = small_config(layers=[DenseConfig(3, "linear"), DenseConfig(1, "sigmoid")])
    again = loads_network(dumps_network(cfg))
    assert again.layers[0].activation == "linear"
    assert dumps_network(again) == dumps_network(cfg)


def test_inline_points_all_train_unless_the_file_holds_some_out():
    data = {key: value for key, value in INLINE.items() if key != "validation_fraction"}
    assert parse_network(example(data=data)).data.validation_fraction == 0.0
    generated = {key: value for key, value in SPEC_EXAMPLE["data"].items() if key != "validation_fraction"}
    assert parse_network(example(data=generated)).data.validation_fraction == 0.2
