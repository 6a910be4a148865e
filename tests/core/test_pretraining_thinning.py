"""The pre-training table is bounded like the epochs' rows (history thinning), every
layer's last row kept; a run resumed from a file thins it exactly as one never stopped."""

from nnplay.core import Experiment
from nnplay.core.config import DenseConfig, PretrainingConfig
from nnplay.core.history import History, pretraining_rows_to_keep
from nnplay.io.networkfile import dumps_network, loads_network

from .helpers import config


def test_every_layers_last_row_is_kept():
    layers = [0] * 30 + [2] * 30 + [3] * 30
    keep = pretraining_rows_to_keep(layers, 10)
    assert {29, 59, 89} <= set(keep) and 0 in keep and len(keep) <= 13


def test_the_table_thins_past_max_rows(monkeypatch):
    monkeypatch.setattr(History, "max_rows", 20)
    history = History()
    for layer in (0, 2):
        for epoch in range(1, 16):
            history.append_pretraining(layer=layer, epoch=epoch, train_loss=1.0 / epoch, val_loss=None)
    table = history.pretraining
    assert len(table["layer"]) <= 20 and history.thinnings == 1
    assert (table["layer"][-1], table["epoch"][-1]) == (2, 15)
    last_of_0 = max(i for i, layer in enumerate(table["layer"]) if layer == 0)
    assert table["epoch"][last_of_0] == 15


def test_a_resumed_run_thins_the_same(monkeypatch):
    monkeypatch.setattr(History, "max_rows", 12)
    cfg = config([DenseConfig(4, "sigmoid"), DenseConfig(3, "sigmoid"), DenseConfig(1, "sigmoid")], batch_size=16)
    cfg.training.pretraining = PretrainingConfig(epochs=15)
    whole = Experiment(cfg)
    whole.trainer.run(1)
    paused = Experiment(cfg)
    count = [0]

    def stop(trainer):
        count[0] += 1
        if count[0] == 50:
            trainer.request_stop()

    paused.trainer.run(1, on_update=stop)
    resumed = Experiment(loads_network(dumps_network(paused.to_config())))
    resumed.trainer.run(1)
    assert resumed.trainer.history.pretraining == whole.trainer.history.pretraining
    assert len(whole.trainer.history.pretraining["layer"]) <= 12
