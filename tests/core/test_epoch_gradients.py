"""Each epoch's RMS of ∂J/∂W per dense layer (``EpochGradients``): the gradient of J by
finite differences for a full batch, the mean over an epoch's updates for mini-batches,
pre-training's updates left out, nothing changed in what the run computes."""

import math

import numpy as np
import pytest

from nnplay.core import Experiment
from nnplay.core.config import DenseConfig, PretrainingConfig
from nnplay.core.epoch_gradients import EpochGradients
from nnplay.core.gradcheck import centred_difference
from nnplay.core.snapshot import dense_gradient_rms

from .helpers import assert_bit_identical, config

DEEP = [DenseConfig(4, "sigmoid"), DenseConfig(3, "sigmoid"), DenseConfig(1, "sigmoid")]


def run_with_meter(cfg, epochs: int) -> tuple[Experiment, dict]:
    exp = Experiment(cfg)
    meter = EpochGradients(exp.trainer)
    exp.trainer.run(epochs, on_update=meter.on_update, on_epoch=meter.on_epoch)
    return exp, meter.take()


def numeric_rms(exp: Experiment, layer) -> float:
    """RMS over W's entries of (J(w + h) − J(w − h)) / 2h on the whole training set."""
    x, y = exp.trainer.data.x_train, exp.trainer.data.y_train
    network = exp.network

    def objective() -> float:
        network.forward(x, training=True, rng=np.random.default_rng(0))
        return network.objective(y)

    flat = layer.params["W"].reshape(-1)
    numeric = np.array([centred_difference(objective, flat, i) for i in range(flat.size)])
    return math.sqrt(np.mean(numeric ** 2))


def test_a_full_batch_epoch_gives_the_rms_of_the_gradient_of_j_by_finite_differences():
    cfg = config(DEEP, batch_size=0, l2=0.01, optimizer=("sgd", {"lr": 0.5}))
    _, rows = run_with_meter(cfg, 3)
    assert rows["epoch"] == [1, 2, 3] and list(rows) == ["epoch", "dense1", "dense2", "dense3"]
    for epoch in (1, 2, 3):
        start = Experiment(cfg)  # the weights epoch `epoch` starts from: one update per epoch
        start.trainer.run(epoch - 1)
        for number, layer in enumerate(start.network.dense, start=1):
            assert rows[f"dense{number}"][epoch - 1] == pytest.approx(numeric_rms(start, layer), rel=1e-6)


def test_a_mini_batch_epoch_averages_the_squares_of_its_updates():
    cfg = config(DEEP, batch_size=7)
    exp = Experiment(cfg)
    meter = EpochGradients(exp.trainer)
    squares: list[np.ndarray] = []  # per update: mean of (∂J/∂W)² per dense layer

    def on_update(trainer):
        meter.on_update(trainer)
        squares.append(dense_gradient_rms(trainer.network) ** 2)

    exp.trainer.run(2, on_update=on_update, on_epoch=meter.on_epoch)
    rows = meter.take()
    per_epoch = exp.trainer.updates_per_epoch
    assert per_epoch > 1 and len(squares) == 2 * per_epoch
    for e in range(2):
        expected = np.sqrt(np.mean(squares[e * per_epoch:(e + 1) * per_epoch], axis=0))
        got = [rows[f"dense{i}"][e] for i in (1, 2, 3)]
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_rows_are_handed_out_once_and_an_unfinished_epoch_makes_none():
    exp = Experiment(config(DEEP, batch_size=7))
    meter = EpochGradients(exp.trainer)
    updates = 0

    def on_update(trainer):
        nonlocal updates
        meter.on_update(trainer)
        updates += 1
        if updates == exp.trainer.updates_per_epoch + 2:  # two updates into epoch 2
            trainer.request_stop()

    exp.trainer.run(5, on_update=on_update, on_epoch=meter.on_epoch)
    assert meter.take()["epoch"] == [1]
    assert meter.take() == {"epoch": [], "dense1": [], "dense2": [], "dense3": []}
    exp.trainer.run(3, on_update=meter.on_update, on_epoch=meter.on_epoch)  # epoch 2 goes on where it stopped
    assert meter.take()["epoch"] == [2, 3]


def test_pretraining_updates_do_not_count_and_the_run_is_unchanged():
    cfg = config(DEEP, batch_size=7, pretraining=PretrainingConfig(epochs=3))
    metered, rows = run_with_meter(cfg, 2)
    assert rows["epoch"] == [1, 2]

    plain = Experiment(cfg)
    plain.trainer.run(0)  # pre-training alone
    assert plain.trainer.pretraining.finished and plain.trainer.epoch == 0
    meter = EpochGradients(plain.trainer)
    plain.trainer.run(2, on_update=meter.on_update, on_epoch=meter.on_epoch)
    assert meter.take() == rows
    assert_bit_identical(metered.network, plain.network)
    unmetered = Experiment(cfg)
    unmetered.trainer.run(2)
    assert_bit_identical(metered.network, unmetered.network)
