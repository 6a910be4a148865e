"""What the command line and the app say about a run: one text for both."""

from __future__ import annotations

import numpy as np

from nnplay.core import Experiment
from nnplay.core.config import DataConfig, EarlyStoppingConfig
from nnplay.core.report import describe_stop, diagram
from nnplay.core.trainer import StopReason

from .helpers import config


def _diverged(optimizer, batch_size=8):
    cfg = config(task="regression", loss="squared", data=DataConfig(name="plane", n=40),
                 optimizer=optimizer, batch_size=batch_size)
    cfg.layers[0].activation, cfg.layers[-1].activation = "relu", "identity"
    exp = Experiment(cfg)
    with np.errstate(all="ignore"):  # overflowing on the way is the point
        reason = exp.trainer.run(5)
    assert reason == StopReason.DIVERGED
    return describe_stop(exp.trainer, reason, exp.config)


def test_divergence_advice_names_what_applies():
    text = _diverged(("sgd", {"lr": 1e6}))
    assert text.startswith("diverged at epoch 1: the loss became infinite or NaN; lower the learning rate (now 1e+06)")
    assert "or try adam, which scales its own steps" in text and text.endswith("the weights of epoch 0 are kept")
    assert "bigger batches than 1" in _diverged(("sgd", {"lr": 1e6}), batch_size=1)
    assert "try" not in _diverged(("adagrad", {"lr": 1e200}))  # it scales its steps already


def test_early_stopping_says_which_loss_it_watched_and_what_came_back():
    cfg = config(early_stopping=EarlyStoppingConfig(patience=1, restore_best=True), epochs=50,
                 optimizer=("sgd", {"lr": 2.0}))
    exp = Experiment(cfg)
    reason = exp.trainer.run(50)
    assert reason == StopReason.EARLY_STOPPED
    text = describe_stop(exp.trainer, reason, exp.config)
    best = exp.trainer.restored_epoch
    row = exp.trainer.history["epoch"].index(best)
    val_loss = exp.trainer.history["val_loss"][row]
    assert text.startswith(f"early stopped at epoch {exp.trainer.epoch}: no better validation loss for 1 epochs; "
                           f"best validation loss at epoch {best}, restored: train loss ")
    assert f"val loss {val_loss:.4g}" in text  # the restored epoch's numbers, not the last epoch's
    cfg.data.validation_fraction = 0.0
    exp = Experiment(cfg)
    assert "no better training loss (there is no validation set)" in describe_stop(exp.trainer, exp.trainer.run(50),
                                                                                   exp.config)


def test_a_pause_says_where_and_that_training_continues_from_there():
    exp = Experiment(config())
    exp.trainer.run(2)
    assert describe_stop(exp.trainer, StopReason.INTERRUPTED, exp.config) == (
        "paused after epoch 2; training continues exactly from here")


def test_the_diagram_reads_each_layer_type():
    from nnplay.core.config import BatchNormConfig, DenseConfig, DropoutConfig

    cfg = config(layers=[DenseConfig(8, "linear"), DropoutConfig(0.25), BatchNormConfig(), DenseConfig(1, "sigmoid")])
    assert diagram(cfg) == "2 → 8 identity → dropout 0.25 → batchnorm → 1 sigmoid"


def test_the_bars_numbers_are_compact():
    from nnplay.core.report import compact_count, compact_number, compact_percent

    assert [compact_number(v) for v in (0.69314, 12.345, 1.2345e-05, 0.0, None)] == \
        ["0.693", "12.3", "1.23e-05", "0", "–"]
    assert max(len(compact_number(v)) for v in (1.2345e-305, 9.87e+299, 123456.7)) <= 8
    assert [compact_percent(v) for v in (1.0, 0.99951, 0.9876, 0.0, None)] == ["100 %", "100 %", "98.8 %", "0.0 %", "–"]
    assert [compact_count(v) for v in (0, 999.4, 9_999, 12_345, 999_999, 12_345_678, None)] == \
        ["0", "999", "9,999", "12.3k", "1M", "12.3M", "–"]


def test_a_position_says_where_the_weights_are():
    from nnplay.core.report import describe_position

    exp = Experiment(config())
    assert describe_position(exp.trainer) == "not trained yet"
    exp.trainer.run(2)
    assert describe_position(exp.trainer) == "at epoch 2"
    exp.trainer.run(3, on_update=lambda t: t.request_stop() if t.update_in_epoch == 2 else None)
    assert describe_position(exp.trainer) == f"in epoch 3, after update 2 of {exp.trainer.updates_per_epoch}"
