"""Determinism and exact resume: the same file and seed give the same weights to the
bit, and a run split anywhere (between epochs or inside one) continues bit for bit."""

import copy

import numpy as np
import pytest

from nnplay.core import Experiment, StopReason
from nnplay.core.config import (
    BatchNormConfig, DataConfig, DenseConfig, DropoutConfig, EarlyStoppingConfig,
)

from .helpers import all_arrays, assert_bit_identical, config


def _rich_config(**overrides):
    """Dropout, batch norm, input noise, shuffled mini-batches, adam, a schedule, early stopping."""
    settings = dict(
        batch_size=8, seed=5, input_noise=0.1, l2=1e-3, l1=1e-4,
        early_stopping=EarlyStoppingConfig(patience=50, restore_best=True),
    )
    settings.update(overrides)
    return config(
        [DenseConfig(6, "relu", "he_normal"), DropoutConfig(0.3), BatchNormConfig(),
         DenseConfig(4, "tanh"), DenseConfig(3, "softmax")],
        task="multiclass", loss="nllm",
        data=DataConfig(name="blobs", n=64, noise=0.2, seed=2, classes=3, validation_fraction=0.25),
        optimizer=("adam", {"lr": 0.01}), schedule=("exponential", {"k": 0.95}),
        **settings,
    )


def test_same_config_and_seed_give_identical_weights():
    a, b = Experiment(_rich_config()), Experiment(_rich_config())
    assert_bit_identical(a.network, b.network)
    a.trainer.run(4)
    b.trainer.run(4)
    assert_bit_identical(a.network, b.network)
    assert a.trainer.history.to_dict() == b.trainer.history.to_dict()


def test_different_seed_gives_different_weights():
    a, b = Experiment(_rich_config(seed=5)), Experiment(_rich_config(seed=6))
    a.trainer.run(2)
    b.trainer.run(2)
    assert any(not np.array_equal(x, y) for x, y in zip(all_arrays(a.network), all_arrays(b.network)))


def test_same_initial_weights_different_training_seed_only_changes_the_run():
    """The training randomness (order, masks, noise) comes from the seed too."""
    a = Experiment(_rich_config(seed=5))
    cfg = _rich_config(seed=9)
    cfg.weights = a.network.get_weights()
    b = Experiment(cfg)
    assert_bit_identical(a.network, b.network)
    a.trainer.run(1)
    b.trainer.run(1)
    assert any(not np.array_equal(x, y) for x, y in zip(all_arrays(a.network), all_arrays(b.network)))


@pytest.mark.parametrize("batch_size", [8, 1, 0])
def test_resume_between_epochs_is_bit_identical(batch_size):
    whole = Experiment(_rich_config(batch_size=batch_size))
    whole.trainer.run(6)

    first = Experiment(_rich_config(batch_size=batch_size))
    first.trainer.run(3)
    saved = first.to_config()
    assert saved.epoch == 3 and saved.weights is not None and saved.optimizer_state["t"] > 0
    resumed = Experiment(copy.deepcopy(saved))
    assert resumed.trainer.epoch == 3
    resumed.trainer.run(6)

    assert_bit_identical(whole.network, resumed.network)
    assert whole.trainer.history.to_dict() == resumed.trainer.history.to_dict()
    assert whole.optimizer.t == resumed.optimizer.t


def test_train_10_equals_5_then_5_more():
    whole = Experiment(_rich_config())
    whole.trainer.run(10)
    half = Experiment(_rich_config())
    half.trainer.run(5)
    resumed = Experiment(half.to_config())
    resumed.trainer.run(10)
    assert_bit_identical(whole.network, resumed.network)
    assert whole.trainer.history.to_dict() == resumed.trainer.history.to_dict()


@pytest.mark.parametrize("pause_after", [1, 5, 13, 20])
def test_pause_inside_an_epoch_then_resume_from_the_config(pause_after):
    whole = Experiment(_rich_config())  # 48 training points, batch 8: 6 updates per epoch
    whole.trainer.run(4)

    paused = Experiment(_rich_config())
    count = []

    def hook(trainer):
        count.append(1)
        if len(count) == pause_after:
            trainer.request_stop()

    paused.trainer.run(4, on_update=hook)
    assert len(count) == pause_after
    assert (paused.trainer.epoch, paused.trainer.update_in_epoch) == divmod(pause_after, 6)
    saved = paused.to_config()
    resumed = Experiment(saved)
    assert resumed.trainer.update_in_epoch == pause_after % 6
    resumed.trainer.run(4)

    assert_bit_identical(whole.network, resumed.network)
    assert whole.trainer.history.to_dict() == resumed.trainer.history.to_dict()


def test_resume_keeps_the_early_stopping_best():
    cfg = _rich_config(early_stopping=EarlyStoppingConfig(patience=2, restore_best=True), batch_size=16)
    cfg.optimizer.settings = {"lr": 0.3}  # noisy enough to stop early
    whole = Experiment(cfg)
    reason_whole = whole.trainer.run(60)

    # the best epoch is 5 and the run stops at 7: pause in between, at 6
    assert (reason_whole, whole.trainer.epoch) == (StopReason.EARLY_STOPPED, 7)
    part = Experiment(cfg)
    part.trainer.run(6)
    resumed = Experiment(part.to_config())
    reason_resumed = resumed.trainer.run(60)
    assert reason_whole == reason_resumed
    assert whole.trainer.epoch == resumed.trainer.epoch
    assert_bit_identical(whole.network, resumed.network)


def test_to_config_records_settings_and_state():
    exp = Experiment(_rich_config())
    exp.trainer.run(2)
    out = exp.to_config()
    assert out.optimizer.settings == {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert out.history["epoch"] == [1, 2]
    assert set(out.optimizer_state["slots"]) == {
        "layer0.W", "layer0.b", "layer2.gamma", "layer2.beta", "layer3.W", "layer3.b", "layer4.W", "layer4.b"}
    assert len(out.weights) == 5 and out.weights[1] == {}
    assert set(out.weights[2]) == {"gamma", "beta", "running_mean", "running_var"}
    # to_config is a snapshot: training on does not change it
    before = copy.deepcopy(out.weights)
    exp.trainer.run(3)
    for a, b in zip(out.weights, before):
        for name in a:
            assert np.array_equal(a[name], b[name])


def test_predict_uses_features_and_evaluation_mode():
    exp = Experiment(config([DenseConfig(1, "sigmoid")], features=("x1", "x1*x2")))
    exp.network.set_weights([{"W": [[0.0], [1.0]], "b": [0.0]}])
    out = exp.predict(np.array([[2.0, 3.0], [-1.0, 4.0]]))
    # z = x1·x2: 6 and -4
    np.testing.assert_allclose(out[:, 0], [1 / (1 + np.exp(-6.0)), 1 / (1 + np.exp(4.0))], rtol=1e-14)
