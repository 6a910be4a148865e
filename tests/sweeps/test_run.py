"""One run, as a worker trains it, in this process: what ``nnplay train`` gives."""

from __future__ import annotations

from nnplay.cli import main
from nnplay.io.networkfile import dumps, loads_network
from nnplay.sweeps import RunPlan, run_plan
from tests.sweeps.helpers import base_network, raise_in_run_1


def train_with_cli(tmp_path, network: dict) -> str:
    path = tmp_path / "net.nnp"
    path.write_text(dumps(network))
    main(["train", str(path), "-o", str(tmp_path / "out.nnp")])
    return (tmp_path / "out.nnp").read_text()


def test_a_run_writes_what_nnplay_train_writes(tmp_path, capsys):
    network = base_network(optimizer={"name": "momentum", "lr": 0.1})
    outcome = run_plan(RunPlan(0, network))
    assert outcome.status == "finished" and outcome.epochs == 6 and outcome.error is None
    assert outcome.network == train_with_cli(tmp_path, network)  # byte for byte
    history = loads_network(outcome.network).history
    assert outcome.metrics == {m: history[m][-1] for m in ("train_loss", "val_loss", "train_accuracy", "val_accuracy")}
    assert outcome.seconds > 0 and "pid" in outcome.worker and outcome.versions["nnplay"]


def test_a_diverged_run_keeps_its_last_finite_epoch(tmp_path, capsys):
    # full batch at η = 1: epoch 1 ends at 188, epoch 2 past 100 times that (the divergence rule)
    network = base_network(optimizer={"name": "sgd", "lr": 1.0}, loss="squared",
                           training={**base_network()["training"], "batch_size": 0},
                           layers=[{"type": "dense", "units": 8, "activation": "relu"},
                                   {"type": "dense", "units": 1, "activation": "identity"}])
    outcome = run_plan(RunPlan(0, network))
    assert outcome.status == "diverged"
    assert outcome.network == train_with_cli(tmp_path, network)
    history = loads_network(outcome.network).history
    assert outcome.epochs == len(history["epoch"]) == 1  # it blew up in epoch 2
    assert outcome.metrics == {m: history[m][-1] for m in outcome.metrics}
    assert outcome.metrics["train_loss"] is not None


def test_early_stopping_reports_the_restored_epoch(tmp_path, capsys):
    network = base_network(training={**base_network()["training"], "epochs": 200,
                                     "early_stopping": {"patience": 3, "restore_best": True}},
                           optimizer={"name": "sgd", "lr": 3.0})
    outcome = run_plan(RunPlan(0, network))
    assert outcome.status == "early_stopped"
    cfg = loads_network(outcome.network)
    restored = cfg.resume["restored_epoch"]
    assert restored < outcome.epochs == cfg.epoch
    row = cfg.history["epoch"].index(restored)
    assert outcome.metrics["val_loss"] == cfg.history["val_loss"][row] == min(cfg.history["val_loss"])
    assert outcome.network == train_with_cli(tmp_path, network)


def test_a_run_that_raises_is_a_failed_outcome():
    outcome = raise_in_run_1(RunPlan(1, base_network()))
    assert outcome.status == "failed" and outcome.network is None
    assert outcome.error == "RuntimeError: boom in the trainer"
    assert "Traceback" in outcome.details and outcome.metrics["val_loss"] is None


def test_a_run_of_no_epochs_has_no_metrics(tmp_path, capsys):
    network = base_network(training={**base_network()["training"], "epochs": 0})
    outcome = run_plan(RunPlan(0, network))
    assert outcome.status == "finished" and outcome.epochs == 0
    assert outcome.metrics == dict.fromkeys(("train_loss", "val_loss", "train_accuracy", "val_accuracy"))
    assert outcome.network == train_with_cli(tmp_path, network)
