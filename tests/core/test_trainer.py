"""The training loop: batches, history, schedules, input noise, early stopping,
divergence and the stop flag."""

import math

import numpy as np
import pytest

from nnplay.core import Experiment, StopReason, Trainer
from nnplay.core.config import (
    BatchNormConfig, DataConfig, DenseConfig, DropoutConfig, EarlyStoppingConfig, TrainingConfig,
)
from nnplay.core.history import COLUMNS
from nnplay.core.network import Network
from nnplay.core.optimizers import make_optimizer
from nnplay.core.schedules import make_schedule
from nnplay.core.trainer import TrainingData

from .helpers import all_arrays, config

N_TRAIN = 45  # xor, n = 60, validation_fraction 0.25


def _record_training_batches(experiment):
    """Wrap the network's forward to keep every training batch's inputs."""
    batches, evaluations = [], []
    original = experiment.network.forward

    def forward(x, training=False, rng=None):
        (batches if training else evaluations).append(np.array(x))
        return original(x, training, rng)

    experiment.network.forward = forward
    return batches, evaluations


@pytest.mark.parametrize("batch_size, sizes", [
    (1, [1] * N_TRAIN),  # stochastic: one example per update
    (16, [16, 16, 13]),  # mini-batches, the last one short
    (0, [N_TRAIN]),  # the whole training set per update
    (1000, [N_TRAIN]),  # larger than the set: one full batch
])
def test_batch_modes_and_epochs_cover_every_point_once(batch_size, sizes):
    exp = Experiment(config(batch_size=batch_size))
    assert len(exp.trainer.data.x_train) == N_TRAIN
    batches, _ = _record_training_batches(exp)
    updates = []
    exp.trainer.run(2, on_update=lambda t: updates.append((t.epoch, t.update_in_epoch)))
    assert updates == [(e, k) for e in (0, 1) for k in range(1, len(sizes) + 1)]
    assert [len(b) for b in batches] == sizes * 2
    x = exp.trainer.data.x_train
    for epoch in (0, 1):
        seen = np.concatenate(batches[epoch * len(sizes):(epoch + 1) * len(sizes)])
        assert np.array_equal(np.sort(seen, axis=0), np.sort(x, axis=0))
    if len(sizes) > 1:  # a fresh random order each epoch
        first, second = (np.concatenate(batches[i * len(sizes):(i + 1) * len(sizes)]) for i in (0, 1))
        assert not np.array_equal(first, second)
        assert not np.array_equal(first, x)


def test_history_columns_after_training():
    exp = Experiment(config(batch_size=8, schedule=("exponential", {"k": 0.5}),
                            optimizer=("sgd", {"lr": 0.2})))
    reason = exp.trainer.run(3)
    assert reason == StopReason.FINISHED and exp.trainer.epoch == 3
    h = exp.trainer.history
    assert set(h.columns) == set(COLUMNS) == {"epoch", "train_loss", "val_loss", "train_accuracy",
                                                "val_accuracy", "lr"}
    assert set(h.to_dict()) == set(COLUMNS) | {"initial"}
    assert h["epoch"] == [1, 2, 3]
    # η(e) with 0-based e: the first epoch trains with η itself
    assert h["lr"] == [0.2, 0.1, 0.05]
    for name in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
        assert len(h[name]) == 3 and all(isinstance(v, float) and math.isfinite(v) for v in h[name])
    assert all(0.0 <= v <= 1.0 for v in h["train_accuracy"] + h["val_accuracy"])
    # the recorded losses are the evaluation-mode losses at the end of the epoch
    last = exp.trainer.evaluate()
    assert h.last("train_loss") == last["train_loss"] and h.last("val_loss") == last["val_loss"]


def test_history_without_validation_and_for_regression():
    data = DataConfig(name="sine", n=30, noise=0.05, seed=3, validation_fraction=0.0)
    exp = Experiment(config([DenseConfig(4, "tanh"), DenseConfig(1, "identity")], task="regression",
                            loss="squared", data=data, features=("x1",), batch_size=10))
    exp.trainer.run(2)
    h = exp.trainer.history
    assert h["val_loss"] == [None, None] and h["val_accuracy"] == [None, None]
    assert h["train_accuracy"] == [None, None]
    assert all(math.isfinite(v) for v in h["train_loss"])


def test_first_epoch_uses_eta_and_the_schedule_moves_by_epoch():
    """Full-batch sgd: epoch e makes exactly one step w ← w - η(e) ∇J."""
    exp = Experiment(config([DenseConfig(1, "sigmoid")], batch_size=0, optimizer=("sgd", {"lr": 0.5}),
                            schedule=("inverse_time", {"k": 1.0})))
    x, y = exp.trainer.data.x_train, exp.trainer.data.y_train
    probe = Network.build(2, [DenseConfig(1, "sigmoid")], "nll")
    probe.set_weights(exp.network.get_weights())
    for epoch in range(3):
        probe.forward(x, training=True)
        probe.backward(y)
        lr = 0.5 / (1.0 + epoch)  # η / (1 + k e)
        for _, w, g in probe.parameters_and_grads():
            w -= lr * g
    exp.trainer.run(3)
    for a, b in zip(all_arrays(exp.network), all_arrays(probe)):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-16)


def test_input_noise_is_fresh_per_training_batch_and_absent_in_evaluation():
    sigma = 0.3
    exp = Experiment(config(batch_size=0, input_noise=sigma))
    batches, evaluations = _record_training_batches(exp)
    exp.trainer.run(3)
    x = exp.trainer.data.x_train
    noise = [b - x for b in batches]  # full batch: no shuffle, so rows line up
    assert len(noise) == 3
    all_noise = np.concatenate(noise).ravel()
    assert abs(all_noise.mean()) < 0.06
    assert all_noise.std() == pytest.approx(sigma, rel=0.15)
    assert not np.array_equal(noise[0], noise[1])
    # evaluation sees the clean training and validation inputs
    assert evaluations and all(
        np.array_equal(e, x) or np.array_equal(e, exp.trainer.data.x_val) for e in evaluations
    )


def test_no_input_noise_means_clean_batches():
    exp = Experiment(config(batch_size=0, input_noise=0.0))
    batches, _ = _record_training_batches(exp)
    exp.trainer.run(1)
    assert np.array_equal(batches[0], exp.trainer.data.x_train)


# ---- early stopping

def _early_stopping_trainer(restore_best, patience=3):
    """One linear weight learning y = 2x while the validation set wants y = 0.5x: the
    validation loss falls until w passes 0.5, then rises."""
    x = np.linspace(-1, 1, 9)[:, None]
    data = TrainingData(x, 2 * x, np.zeros(9), x, 0.5 * x, np.zeros(9))
    net = Network.build(1, [DenseConfig(1, "identity")], "squared")
    net.set_weights([{"W": [[0.0]], "b": [0.0]}])
    training = TrainingConfig(batch_size=0, seed=0,
                              early_stopping=EarlyStoppingConfig(patience=patience, restore_best=restore_best))
    return Trainer(net, make_optimizer("sgd", {"lr": 0.1}), make_schedule("constant"), training, data,
                   "regression", "squared")


@pytest.mark.parametrize("restore_best", [True, False])
def test_early_stopping_on_validation_loss(restore_best):
    trainer = _early_stopping_trainer(restore_best)
    snapshots = []
    # full batch: one update per epoch, so these are the weights each epoch ends with
    reason = trainer.run(1000, on_update=lambda t: snapshots.append(t.network.get_weights()[0]["W"][0, 0]))
    assert reason == StopReason.EARLY_STOPPED
    val = trainer.history["val_loss"]
    best = int(np.argmin(val))  # 0-based index of the best epoch
    assert 1 <= best < len(val) - 1  # it did improve, then get worse
    assert len(val) == best + 1 + 3  # patience 3 epochs without improvement
    w = trainer.network.get_weights()[0]["W"][0, 0]
    assert w == (snapshots[best] if restore_best else snapshots[-1])
    assert snapshots[best] != snapshots[-1]


def test_early_stopping_waits_while_the_loss_improves():
    trainer = _early_stopping_trainer(True, patience=3)
    assert trainer.run(2) == StopReason.FINISHED
    assert trainer.run(1000) == StopReason.EARLY_STOPPED


# ---- divergence

@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("loss, output, data", [
    ("squared", "identity", DataConfig(name="plane", n=60, noise=0.1, seed=1)),
    ("nll", "sigmoid", DataConfig(name="xor", n=60, noise=0.1, seed=1)),
])
def test_divergence_stops_keeps_finite_weights_and_reports_the_epoch(loss, output, data):
    task = "regression" if loss == "squared" else "binary"
    exp = Experiment(config([DenseConfig(8, "relu" if task == "regression" else "tanh"), DenseConfig(1, output)],
                            task=task, loss=loss, data=data, batch_size=4,
                            optimizer=("sgd", {"lr": 1e307 if loss == "nll" else 10.0})))
    ends = [all_arrays(exp.network)]  # the weights at the start, then after each epoch
    reason = exp.trainer.run(50, on_epoch=lambda t: ends.append(all_arrays(t.network)))
    assert reason == StopReason.DIVERGED == exp.trainer.stop_reason
    assert exp.trainer.diverged_at == exp.trainer.epoch + 1  # 1-based, the epoch that failed
    assert all(np.all(np.isfinite(a)) for a in all_arrays(exp.network))
    # back to where the failing epoch began, which the last history row describes
    for a, b in zip(all_arrays(exp.network), ends[exp.trainer.epoch]):
        assert np.array_equal(a, b)
    h = exp.trainer.history
    assert len(h) == exp.trainer.epoch
    assert all(v is None or math.isfinite(v) for name in h.columns for v in h[name])


def test_divergence_after_some_good_epochs():
    exp = Experiment(config([DenseConfig(4, "relu"), DenseConfig(1, "identity")], task="regression",
                            loss="squared", data=DataConfig(name="plane", n=40, noise=0.1, seed=1),
                            batch_size=0, optimizer=("sgd", {"lr": 0.01})))
    assert exp.trainer.run(3) == StopReason.FINISHED
    exp.optimizer.hyper["lr"] = 1e200  # the app lets the rate change mid-run
    with np.errstate(all="ignore"):
        reason = exp.trainer.run(20)
    assert reason == StopReason.DIVERGED
    assert exp.trainer.diverged_at in (4, 5, 6)
    assert all(np.all(np.isfinite(a)) for a in all_arrays(exp.network))
    # a calmer rate trains on from the kept weights, and the report is about that run
    exp.optimizer.hyper["lr"] = 0.001
    assert exp.trainer.run(exp.trainer.epoch + 2) == StopReason.FINISHED
    assert exp.trainer.diverged_at is None


def test_infinite_weights_behind_a_finite_loss_count_as_divergence():
    """tanh(±inf) = ±1 keeps the loss finite; the epoch end still catches the weights."""
    exp = Experiment(config([DenseConfig(3, "tanh"), DenseConfig(1, "sigmoid")], batch_size=0))
    start = exp.network.get_weights()

    def poison(trainer):
        trainer.network.layers[0].params["W"][0, 0] = np.inf

    with np.errstate(all="ignore"):
        reason = exp.trainer.run(5, on_update=poison)
    assert reason == StopReason.DIVERGED and exp.trainer.diverged_at == 1
    # the last finite weights: those at the start of the failing epoch
    for a, b in zip(exp.network.get_weights(), start):
        for name in a:
            assert np.array_equal(a[name], b[name])


# ---- the stop flag

def test_request_stop_from_a_hook_stops_between_updates():
    exp = Experiment(config(batch_size=4))  # 12 updates per epoch
    count = []

    def hook(trainer):
        count.append(1)
        if len(count) == 17:
            trainer.request_stop()

    reason = exp.trainer.run(10, on_update=hook)
    assert reason == StopReason.INTERRUPTED == exp.trainer.stop_reason
    assert len(count) == 17
    assert (exp.trainer.epoch, exp.trainer.update_in_epoch) == (1, 5)
    assert len(exp.trainer.history) == 1
    # running again continues where it stopped
    exp.trainer.run(2, on_update=hook)
    assert len(count) == 24 and exp.trainer.epoch == 2


def test_request_stop_at_an_epoch_end():
    exp = Experiment(config(batch_size=16))
    reason = exp.trainer.run(10, on_epoch=lambda t: t.request_stop() if t.epoch == 2 else None)
    assert reason == StopReason.INTERRUPTED
    assert exp.trainer.epoch == 2 and exp.trainer.update_in_epoch == 0


def test_a_stop_before_the_evaluation_waits_for_nothing_and_changes_nothing():
    """A full-batch epoch on a big data set is one long update and one long evaluation:
    a stop after the update ends the run there; running on evaluates and goes on with
    the same bits, in memory and from the saved state."""
    layers = [DenseConfig(6, "tanh"), DropoutConfig(0.2), DenseConfig(1, "sigmoid")]
    straight = Experiment(config(layers, batch_size=0))
    straight.trainer.run(4)
    stopped = Experiment(config(layers, batch_size=0))
    reason = stopped.trainer.run(4, on_update=lambda t: t.request_stop() if t.epoch == 1 else None)
    assert reason == StopReason.INTERRUPTED
    assert (stopped.trainer.epoch, stopped.trainer.update_in_epoch) == (1, 1)  # updated, not evaluated
    assert len(stopped.trainer.history) == 1
    resumed = Experiment(stopped.to_config())
    for exp in (stopped, resumed):
        assert exp.trainer.run(4) == StopReason.FINISHED
        assert exp.trainer.history.to_dict() == straight.trainer.history.to_dict()
        assert all(np.array_equal(a, b) for a, b in zip(all_arrays(exp.network), all_arrays(straight.network)))


def test_training_with_dropout_runs_in_train_mode_only():
    exp = Experiment(config([DenseConfig(6, "relu"), DropoutConfig(0.5), DenseConfig(1, "sigmoid")]))
    exp.trainer.run(2)
    x = exp.trainer.data.x_val
    assert np.array_equal(exp.network.predict(x), exp.network.predict(x))


@pytest.mark.parametrize("restore_best", [True, False])
def test_early_stopping_records_which_epoch_the_restored_weights_are_from(restore_best):
    trainer = _early_stopping_trainer(restore_best)
    assert trainer.run(1000) == StopReason.EARLY_STOPPED
    best_epoch = trainer.history["epoch"][int(np.argmin(trainer.history["val_loss"]))]
    assert trainer.epoch == best_epoch + 3
    assert trainer.restored_epoch == (best_epoch if restore_best else None)
    assert (trainer.resume_state() or {}).get("restored_epoch") == trainer.restored_epoch
    trainer.training.early_stopping = None
    assert trainer.run(trainer.epoch + 1) == StopReason.FINISHED
    assert trainer.restored_epoch is None  # training on left the restored weights behind


def test_a_run_from_epoch_0_records_the_measures_before_its_first_update():
    """The curves start from the initial loss (epoch 0); recording it draws nothing from
    the run's generators, so the run trains the same bits, and a resumed run keeps it."""
    cfg = config([DenseConfig(8, "tanh"), DropoutConfig(0.3), BatchNormConfig(), DenseConfig(1, "sigmoid")],
                 batch_size=8)
    fresh = Experiment(cfg)
    expected = fresh.trainer.evaluate()
    weights = all_arrays(fresh.network)
    exp = Experiment(cfg)
    exp.trainer.run(2, on_update=lambda t: t.request_stop() if t.epoch == 1 and t.update_in_epoch == 2 else None)
    assert exp.trainer.history.initial == expected and len(exp.trainer.history) == 1
    assert expected["train_loss"] > exp.trainer.history["train_loss"][0]
    resumed = Experiment(exp.to_config())
    assert resumed.trainer.history.initial == expected
    resumed.trainer.run(3)
    straight = Experiment(cfg)
    straight.trainer.run(3)
    unmeasured = Experiment(cfg)
    evaluations = _record_training_batches(unmeasured)[1]
    measure, calls = unmeasured.trainer.evaluate, []

    def evaluate_after_the_first():  # the first is the measuring at epoch 0: answered without the network
        calls.append(1)
        return dict(expected) if len(calls) == 1 else measure()

    unmeasured.trainer.evaluate = evaluate_after_the_first
    unmeasured.trainer.run(3)
    from nnplay.io.networkfile import dumps_network

    assert len(evaluations) == 2 * 3  # training and validation set at each epoch's end, none before
    assert dumps_network(resumed.to_config()) == dumps_network(straight.to_config())  # to the bit
    assert dumps_network(unmeasured.to_config()) == dumps_network(straight.to_config())  # measuring drew nothing
    assert all(np.array_equal(a, b) for a, b in zip(all_arrays(fresh.network), weights))  # evaluating changed nothing
    reset = Experiment(straight.to_config())
    reset.reset_weights()
    assert reset.trainer.history.initial is None  # a fresh start measures its own


def test_a_start_from_epoch_0_measures_the_weights_on_the_points_of_now():
    """Measures from before an edit of the points (or from a file) are replaced when a run
    starts from epoch 0 again."""
    cfg = config()
    cfg.history = {"epoch": [], "initial": {"train_loss": 9.0, "val_loss": 9.0}}
    exp = Experiment(cfg)
    assert exp.trainer.history.initial["train_loss"] == 9.0
    expected = exp.trainer.evaluate()
    exp.trainer.run(1)
    assert exp.trainer.history.initial == {name: expected[name] for name in exp.trainer.history.initial}
