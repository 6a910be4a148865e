"""Every ready network file in resources/examples parses, trains with its own
settings and fixed seeds through ``Experiment`` (the path the CLI takes), and
reaches the result its description promises. Failure demos are checked to fail
the way their description says."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from nnplay.cli import main as cli_main
from nnplay.core.config import DenseConfig, NetworkConfig
from nnplay.core.epoch_gradients import EpochGradients
from nnplay.core.experiment import Experiment
from nnplay.core.trainer import StopReason
from nnplay.io.networkfile import read_network, write_network

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
FILES = sorted(p.name for p in EXAMPLES.glob("*.nnp"))


def load(name: str) -> NetworkConfig:
    return read_network(EXAMPLES / name)


@dataclass
class Run:
    experiment: Experiment
    reason: StopReason
    metrics: dict  # evaluation after training (after restoring the best weights, if early stopping did)

    @property
    def trainer(self):
        return self.experiment.trainer


_RUNS: dict[str, Run] = {}


def train(name: str) -> Run:
    """The example trained with its own settings for its own epochs (once per test session)."""
    if name not in _RUNS:
        config = load(name)
        experiment = Experiment(config)
        reason = experiment.trainer.run(config.training.epochs)
        _RUNS[name] = Run(experiment, reason, experiment.trainer.evaluate())
    return _RUNS[name]


# ---- what each example promises ------------------------------------------------------------

def _xor(run: Run):
    assert run.reason is StopReason.FINISHED
    assert run.metrics["train_accuracy"] == 1.0
    assert run.metrics["train_loss"] < 1e-3
    assert run.metrics["val_accuracy"] is None  # validation_fraction 0: every point trains
    outputs = run.experiment.predict(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float))[:, 0]
    np.testing.assert_allclose(outputs, [0, 1, 1, 0], atol=0.05)


def _xor_stuck(run: Run):
    # the documented failure: both ReLUs are off at (0,0) and (1,0), which then share one output
    assert run.reason is StopReason.FINISHED
    assert run.metrics["train_accuracy"] == 0.75
    assert run.metrics["train_loss"] > 0.1
    hidden = run.experiment.network.layers[0]
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    off = np.all(x @ hidden.params["W"] + hidden.params["b"] <= 0, axis=1)
    assert off.tolist() == [True, False, True, False]
    outputs = run.experiment.predict(x)[:, 0]
    assert outputs[0] == pytest.approx(0.5, abs=1e-3) and outputs[2] == pytest.approx(0.5, abs=1e-3)


def _val_accuracy(at_least: float) -> Callable[[Run], None]:
    def check(run: Run):
        assert run.reason is StopReason.FINISHED
        assert run.metrics["val_accuracy"] >= at_least
    return check


def _val_mse(below: float) -> Callable[[Run], None]:
    def check(run: Run):
        assert run.reason is StopReason.FINISHED
        assert run.metrics["val_accuracy"] is None
        assert run.metrics["val_loss"] < below  # squared loss, one output: the MSE
    return check


def _abs_two_relus(run: Run):
    _val_mse(0.01)(run)
    hidden, output = run.experiment.network.layers[0], run.experiment.network.layers[-1]
    w, b, v = hidden.params["W"][0], hidden.params["b"], output.params["W"][:, 0]
    np.testing.assert_allclose(sorted(w * v), [-1, 1], atol=0.1)  # one unit per side of |x|
    assert np.all(np.abs(-b / w) < 0.15)  # each unit's kink is near 0


def _zeros_init(run: Run):
    # the documented failure: hidden units stay identical, the net cannot learn XOR
    assert run.reason is StopReason.FINISHED
    w = run.experiment.network.layers[0].params["W"]
    assert np.abs(w).max() > 0, "the hidden weights should move (together)"
    np.testing.assert_array_equal(w, np.repeat(w[:, :1], w.shape[1], axis=1))
    # one effective hidden unit carves one straight cut: at most three quadrants of four
    assert run.metrics["val_accuracy"] <= 0.75
    assert run.metrics["train_loss"] > 0.45  # broken symmetry reaches ~0.11 (test below)


def _checkerboard(run: Run):
    assert run.reason is StopReason.EARLY_STOPPED
    assert run.trainer.epoch < run.experiment.config.training.epochs
    assert run.metrics["val_accuracy"] >= 0.9
    best = min(run.trainer.history["val_loss"])
    assert math.isclose(run.metrics["val_loss"], best, rel_tol=1e-9)  # best weights restored


def _deep_sigmoid_pretraining(run: Run):
    _val_accuracy(0.95)(run)
    table = run.trainer.history.pretraining
    assert table["layer"] == [i for i in range(5) for _ in range(50)]  # each hidden layer, 50 epochs
    for layer in range(5):  # each learned to reproduce its input
        losses = [v for i, v in zip(table["layer"], table["train_loss"]) if i == layer]
        assert losses[-1] < 0.5 * losses[0]


TARGETS: dict[str, Callable[[Run], None]] = {
    "xor.nnp": _xor,
    "xor_stuck.nnp": _xor_stuck,
    "spiral.nnp": _val_accuracy(0.95),
    "blobs4.nnp": _val_accuracy(0.90),
    "sine.nnp": _val_mse(0.05),
    "moons_dropout_batchnorm.nnp": _val_accuracy(0.90),
    "circles_features.nnp": _val_accuracy(0.98),
    "quadrants_momentum.nnp": _val_accuracy(0.95),
    "zeros_init.nnp": _zeros_init,
    "checkerboard_early_stopping.nnp": _checkerboard,
    "abs_two_relus.nnp": _abs_two_relus,
    "gaussians_hinge.nnp": _val_accuracy(0.95),
    "ripple_rmsprop.nnp": _val_mse(0.05),
    "deep_sigmoid_pretraining.nnp": _deep_sigmoid_pretraining,
}


def test_every_example_file_has_a_target():
    assert FILES, f"no examples found in {EXAMPLES}"
    assert sorted(TARGETS) == FILES


@pytest.mark.parametrize("name", FILES)
def test_example_is_a_settings_only_network_file(name):
    raw = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    assert raw["format"] == "nnplay-network"
    assert raw["version"] == 1
    assert raw["weights"] is None
    assert not {"optimizer_state", "epoch", "history"} & set(raw)
    description = raw.get("description")
    assert isinstance(description, str) and 40 <= len(description.strip()) <= 300  # one or two sentences
    assert isinstance(raw["name"], str) and raw["name"].strip()
    config = load(name)
    assert config.extra.get("description") == description  # the reader keeps it


@pytest.mark.parametrize("name", FILES)
def test_example_trains_to_its_target(name):
    TARGETS[name](train(name))


def test_xor_is_the_textbook_setup():
    config = load("xor.nnp")
    assert config.data.source == "inline"
    assert config.data.x == [[0, 0], [0, 1], [1, 0], [1, 1]] and config.data.y == [0, 1, 1, 0]
    assert config.data.validation_fraction == 0
    assert config.features == ["x1", "x2"]
    assert [(l.units, l.activation) for l in config.layers] == [(2, "relu"), (1, "identity")]
    assert (config.loss, config.task) == ("squared", "binary")


def test_xor_stuck_is_xor_with_another_seed():
    stuck, good = load("xor_stuck.nnp"), load("xor.nnp")
    assert stuck.training.seed != good.training.seed
    stuck.training.seed = good.training.seed
    for field in ("task", "features", "layers", "loss", "optimizer", "schedule", "training", "data", "weights"):
        assert getattr(stuck, field) == getattr(good, field), field
    assert f"seed to {good.training.seed}" in stuck.extra["description"]


def test_failure_demos_say_so():
    for name in ("xor_stuck.nnp", "zeros_init.nnp"):
        assert "failure" in load(name).extra["description"].lower()


def test_zeros_init_learns_once_symmetry_is_broken():
    config = load("zeros_init.nnp")
    for layer in config.layers:
        layer.init = "xavier_uniform"
    experiment = Experiment(config)
    experiment.trainer.run(config.training.epochs)
    assert experiment.trainer.evaluate()["val_accuracy"] >= 0.9


def test_without_pretraining_the_deep_sigmoid_net_stays_stuck():
    """The description's other half: switched off, the same net from the same weights sits at
    chance — even given as many extra epochs as pre-training made passes (5 layers × 50)."""
    config = load("deep_sigmoid_pretraining.nnp")
    config.training.pretraining = None
    experiment = Experiment(config)
    experiment.trainer.run(config.training.epochs + 250)
    metrics = experiment.trainer.evaluate()
    assert metrics["train_loss"] > 0.69 and metrics["val_accuracy"] < 0.6
    losses = experiment.trainer.history["train_loss"]
    assert min(losses) > 0.69  # never left the plateau


def test_pretraining_gives_the_deep_sigmoid_nets_first_layer_larger_gradients():
    """What the README says of the race of this example without and with pre-training:
    without, the first hidden layer's gradient RMS stays about 5·10⁻⁵ to 10⁻⁴ and the
    loss at chance; with, from about epoch 30 on, that gradient is typically 10 to 250
    times larger (about 25 at the median) and the loss falls to about 0.0015."""
    runs = {}
    for name, pretraining in (("without", None), ("with", load("deep_sigmoid_pretraining.nnp").training.pretraining)):
        config = load("deep_sigmoid_pretraining.nnp")
        config.training.pretraining = pretraining
        experiment = Experiment(config)
        meter = EpochGradients(experiment.trainer)
        experiment.trainer.run(config.training.epochs, on_update=meter.on_update, on_epoch=meter.on_epoch)
        runs[name] = (np.array(meter.take()["dense1"]), experiment.trainer.history.last("train_loss"))
    (without, stuck), (with_, learned) = runs["without"], runs["with"]
    assert len(without) == len(with_) == 200
    assert 4.5e-5 < without.min() and without.max() < 1.2e-4 and stuck > 0.69
    ratio = with_[30:] / without[30:]
    assert np.mean(ratio > 10) > 0.9 and 20 < np.median(ratio) < 30 and ratio.max() < 300
    assert learned < 0.002


def test_moons_regularizers_lower_the_validation_loss():
    regularized = train("moons_dropout_batchnorm.nnp").metrics
    config = load("moons_dropout_batchnorm.nnp")
    config.layers = [layer for layer in config.layers if isinstance(layer, DenseConfig)]
    plain = Experiment(config)
    plain.trainer.run(config.training.epochs)
    assert regularized["val_loss"] < 0.5 * plain.trainer.evaluate()["val_loss"]


@pytest.mark.parametrize("name", FILES)
def test_example_survives_a_round_trip(name, tmp_path):
    config = load(name)
    write_network(config, tmp_path / name)
    again = read_network(tmp_path / name)
    assert again == config
    assert again.extra["description"] == config.extra["description"]


@pytest.mark.parametrize("name", FILES)
def test_example_trains_the_same_through_the_cli(name, tmp_path, capsys):
    out = tmp_path / name
    assert cli_main(["train", str(EXAMPLES / name), "-o", str(out)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == f"wrote {out}"
    trained = read_network(out)
    run = train(name)
    assert trained.epoch == run.trainer.epoch
    assert trained.history == run.trainer.history.to_dict()
    for ours, theirs in zip(run.experiment.network.get_weights(), trained.weights):
        for key in ours:
            np.testing.assert_array_equal(ours[key], theirs[key])


def _shape(config: NetworkConfig) -> list:
    return [(l.type, getattr(l, "units", None), getattr(l, "activation", None)) for l in config.layers]


def test_examples_use_what_they_teach():
    spiral = load("spiral.nnp")
    assert spiral.features == ["x1", "x2"]  # depth, not hand-made features
    assert _shape(spiral) == [("dense", 16, "tanh")] * 3 + [("dense", 1, "sigmoid")]
    assert (spiral.loss, spiral.data.name) == ("nll", "spiral")

    blobs = load("blobs4.nnp")
    assert (blobs.task, blobs.loss, blobs.data.name) == ("multiclass", "nllm", "blobs")
    assert _shape(blobs)[-1] == ("dense", 4, "softmax")

    sine = load("sine.nnp")
    assert (sine.features, sine.task, sine.loss, sine.data.name) == (["x1"], "regression", "squared", "sine")
    assert _shape(sine)[-1] == ("dense", 1, "identity")

    moons = load("moons_dropout_batchnorm.nnp")
    assert {"dropout", "batchnorm"} <= {layer.type for layer in moons.layers}

    circles = load("circles_features.nnp")
    assert circles.features == ["x1^2", "x2^2"]

    deep = load("deep_sigmoid_pretraining.nnp")  # deep and narrow, sigmoid, plain SGD: the slides' hard case
    assert _shape(deep) == [("dense", 4, "sigmoid")] * 5 + [("dense", 1, "sigmoid")]
    assert deep.optimizer.name == "sgd" and deep.training.pretraining is not None
    assert _shape(circles) == [("dense", 1, "sigmoid")]  # no hidden layer

    assert load("checkerboard_early_stopping.nnp").training.early_stopping is not None
    assert load("quadrants_momentum.nnp").optimizer.name == "momentum"
    assert load("ripple_rmsprop.nnp").optimizer.name == "rmsprop"
    assert load("gaussians_hinge.nnp").loss == "hinge"
    assert {layer.init for layer in load("zeros_init.nnp").layers} == {"zeros"}


def test_momentum_beats_plain_sgd_on_the_quadrants():
    momentum = train("quadrants_momentum.nnp").metrics
    config = load("quadrants_momentum.nnp")
    config.optimizer.name, config.optimizer.settings = "sgd", {"lr": config.optimizer.settings["lr"]}
    plain = Experiment(config)
    plain.trainer.run(config.training.epochs)
    assert momentum["train_loss"] < 0.5 * plain.trainer.evaluate()["train_loss"]
