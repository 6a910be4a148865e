"""``nnplay train`` pre-trains first and says which layer it is on; ``nnplay info``
shows the settings and each layer's last reconstruction loss; a bad section is one
line and exit 2."""

import io
import json
import os
import signal
import sys

import numpy as np

import nnplay.cli
from cli_helpers import binary_config
from nnplay.cli import main
from nnplay.core import DataConfig, DenseConfig, OptimizerConfig, TrainingConfig
from nnplay.core.config import PretrainingConfig
from nnplay.io import read_network, write_network


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _deep_config(**training):
    """Two hidden layers, 48 training points in batches of 10: 5 updates an epoch."""
    return binary_config(
        layers=[DenseConfig(5, "sigmoid"), DenseConfig(3, "sigmoid"), DenseConfig(1, "sigmoid")],
        training=TrainingConfig(batch_size=10, epochs=4, seed=4,
                                pretraining=PretrainingConfig(epochs=3, noise=0.1), **training))


def _file(tmp_path, config=None, name="deep.nnp"):
    path = tmp_path / name
    write_network(config or _deep_config(), path)
    return path


def test_train_pretrains_each_layer_then_trains(capsys, tmp_path):
    path = _file(tmp_path)
    code, out, err = run(capsys, "train", path)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [line.split(",")[0] for line in lines[:6]] == [
        f"pre-training layer {n} of 2 (layers[{i}]" for n, i in ((1, 0), (2, 1)) for _ in range(3)]
    assert lines[0].startswith("pre-training layer 1 of 2 (layers[0], 5 sigmoid): epoch 1/3, reconstruction loss ")
    assert lines[5].startswith("pre-training layer 2 of 2 (layers[1], 3 sigmoid): epoch 3/3, reconstruction loss ")
    assert lines[6].startswith("epoch 1/4: train loss ")
    assert lines[-2].startswith("finished at epoch 4: ")
    trained = read_network(path)
    assert trained.history["pretraining"]["layer"] == [0, 0, 0, 1, 1, 1]
    assert trained.resume is None


def test_on_a_terminal_each_layer_keeps_its_last_line(monkeypatch, tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    assert main(["train", str(_file(tmp_path)), "--epochs", "2"]) == 0
    rows = screen.getvalue().split("\n")
    assert "pre-training layer 1 of 2" in rows[0] and "epoch 3/3" in rows[0]
    assert "pre-training layer 2 of 2" in rows[1] and "epoch 3/3" in rows[1]
    assert "epoch 2/2" in rows[2] and rows[3].startswith("finished at epoch 2")


def test_zero_epochs_pretrains_once(capsys, tmp_path):
    path = _file(tmp_path)
    code, out, _ = run(capsys, "train", path, "--epochs", "0")
    assert code == 0
    assert "finished at epoch 0, after pre-training: reconstruction loss " in out
    assert "(layers[0])" in out and "(layers[1])" in out
    once = path.read_text()
    code, out, _ = run(capsys, "train", path, "--epochs", "0")
    assert code == 0 and "pre-training layer" not in out
    assert path.read_text() == once


def test_ctrl_c_in_pretraining_says_where_and_resumes_exactly(capsys, monkeypatch, tmp_path):
    path = _file(tmp_path)
    calls = [0]
    original = nnplay.cli.Progress.on_update

    def interrupt_after_18_updates(self, trainer):
        original(self, trainer)
        calls[0] += 1
        if calls[0] == 18:  # layer 2's first epoch, its third update
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(nnplay.cli.Progress, "on_update", interrupt_after_18_updates)
    code, out, _ = run(capsys, "train", path)
    assert code == 130
    assert ("paused in pre-training layer 2 of 2 (layers[1], 3 sigmoid): epoch 0/3 (update 3/5 of the next); "
            "training continues exactly from here") in out
    code, out, _ = run(capsys, "info", path)
    assert "pre-training: under way, layer 2 of 2 (layers[1]) after 0 of its epochs and update 3 of the next" in out

    monkeypatch.setattr(nnplay.cli.Progress, "on_update", original)
    assert run(capsys, "train", path)[0] == 0
    straight = _file(tmp_path, name="straight.nnp")
    assert run(capsys, "train", straight)[0] == 0
    a, b = json.loads(path.read_text()), json.loads(straight.read_text())
    assert a == b


def test_info_shows_the_settings_and_each_layers_last_reconstruction_loss(capsys, tmp_path):
    path = _file(tmp_path)
    _, before, _ = run(capsys, "info", path)
    assert "pre-training: 3 epochs per layer, tied decoder, decoder activation identity, noise 0.1" in before
    assert "pre-training: runs first, on 2 hidden layers, when training starts" in before
    run(capsys, "train", path)
    _, after, _ = run(capsys, "info", path)
    lines = after.splitlines()
    at = lines.index("pre-training: done")
    table = read_network(path).history["pretraining"]
    for row, layer, units, last in ((1, 0, 5, 2), (2, 1, 3, 5)):
        assert lines[at + row] == (f"  layers[{layer}] ({units} sigmoid): reconstruction loss "
                                   f"{table['train_loss'][last]:.4g} train / {table['val_loss'][last]:.4g} val "
                                   "after 3 epochs")


def test_info_without_pretraining_says_nothing_of_it(capsys, tmp_path):
    _, out, _ = run(capsys, "info", _file(tmp_path, binary_config()))
    assert "pre-training" not in out


def test_a_bad_pretraining_section_is_exit_2_and_one_line(capsys, tmp_path):
    path = _file(tmp_path)
    obj = json.loads(path.read_text())
    obj["training"]["pretraining"]["decoder"] = "mirrored"
    path.write_text(json.dumps(obj))
    code, out, err = run(capsys, "train", path)
    assert code == 2 and out == ""
    assert err == (f"nnplay: {path}: training.pretraining.decoder: must be one of 'tied', 'untied', "
                   'got "mirrored"\n')


def test_divergence_in_pretraining_is_exit_1_with_advice(capsys, tmp_path):
    path = _file(tmp_path, binary_config(
        task="regression", features=["x1", "x2"], loss="squared",
        layers=[DenseConfig(8, "identity"), DenseConfig(1, "identity")],
        optimizer=OptimizerConfig("sgd", {"lr": 2.0}),
        training=TrainingConfig(batch_size=8, epochs=5, pretraining=PretrainingConfig(epochs=20)),
        data=DataConfig("generated", "plane", n=100)))
    code, out, err = run(capsys, "train", path)
    assert code == 1 and err == ""
    assert "diverged while pre-training layer 1 of 1 (layers[0]) in its epoch 1: the reconstruction loss " \
           "became infinite or NaN; lower the learning rate (now 2)" in out
    saved = read_network(path)
    assert saved.epoch == 0 and np.isfinite(saved.weights[0]["W"]).all()
