"""The memory a network costs to train, estimated from its settings (issue 8, item 6)."""

import tracemalloc

import numpy as np
import pytest

from nnplay.core import Experiment, cost
from nnplay.core.config import (
    BatchNormConfig, DataConfig, DenseConfig, DropoutConfig, NetworkConfig, OptimizerConfig, TrainingConfig,
)

ALL_FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]


def _config(layers, n=1500, batch=0, features=("x1", "x2"), task="binary", out=("sigmoid", "nll"), **data):
    units = data.pop("classes", 1)
    return NetworkConfig(
        name="cost", task=task, features=list(features), layers=layers + [DenseConfig(units, out[0])], loss=out[1],
        optimizer=OptimizerConfig("adam", {"lr": 0.01}),
        training=TrainingConfig(batch_size=batch, epochs=1, seed=0, input_noise=0.1),
        data=DataConfig("generated", data.pop("name", "moons"), n=n, noise=0.1, seed=1, validation_fraction=0.2,
                        classes=units if task == "multiclass" else None))


def _one_update(trainer):
    """What ``Trainer.run`` does for one update, on its first batch."""
    net, rng = trainer.network, np.random.default_rng(0)
    idx = rng.permutation(len(trainer.data.x_train))[:trainer.batch_size]
    xb, yb = trainer.data.x_train[idx], trainer.data.y_train[idx]
    xb = xb + rng.normal(0.0, 0.1, xb.shape)
    net.forward(xb, True, rng)
    net.data_loss(yb)
    net.backward(yb)
    trainer.optimizer.step(net.parameters_and_grads(), 0.01)


def _peaks(config):
    """tracemalloc's peaks above what was held before: one update, one evaluation."""
    trainer = Experiment(config).trainer
    _one_update(trainer)  # the optimizer's state and the layers' caches exist from here
    trainer._begin_epoch()  # and the copy of weights and state an epoch keeps
    tracemalloc.start()
    try:
        held = tracemalloc.get_traced_memory()[0]
        _one_update(trainer)
        step = tracemalloc.get_traced_memory()[1] - held
        tracemalloc.reset_peak()
        held = tracemalloc.get_traced_memory()[0]
        trainer.evaluate()
        evaluation = tracemalloc.get_traced_memory()[1] - held
    finally:
        tracemalloc.stop()
    return step, evaluation


@pytest.mark.parametrize("config", [
    _config([DenseConfig(120, activation)]) for activation in ("sigmoid", "softplus", "tanh", "leaky_relu")
] + [
    _config([DenseConfig(60, "tanh"), BatchNormConfig(), DropoutConfig(0.2)] * 3),
    _config([DenseConfig(60, "tanh"), BatchNormConfig(), DropoutConfig(0.2)] * 3, batch=32),
    _config([BatchNormConfig(), DropoutConfig(0.3), DenseConfig(100, "relu")], features=ALL_FEATURES),
    _config([DenseConfig(100, "tanh")], task="multiclass", out=("softmax", "nllm"), name="blobs", classes=5),
], ids=lambda c: "-".join(f"{layer.type}{getattr(layer, 'units', '')}" for layer in c.layers)
   + f"-batch{c.training.batch_size}")
def test_the_estimate_bounds_the_peaks_the_engine_reaches(config):
    step, evaluation = _peaks(config)
    estimate = cost.estimate(config)
    assert step <= estimate.step_bytes <= 3 * step + 100_000
    assert evaluation <= estimate.evaluation_bytes


def test_the_networks_of_the_issue_are_refused_naming_the_limit():
    blocks = [DenseConfig(125, "tanh"), BatchNormConfig(), DropoutConfig(0.2)] * 21
    full = _config(blocks, n=100_000)
    message = cost.problem(full)
    assert message.startswith("one training update on 80,000 points (a full batch) through these layers needs about ")
    assert "GB at once; the limit is 2 GB — use smaller batches, fewer points or smaller layers" in message
    assert cost.estimate(full).step_bytes > 8 * 2**30  # measured: 8.5 GB
    mini = _config(blocks, n=100_000, batch=32)
    assert cost.problem(mini).startswith("evaluating 100,000 points through these layers needs about ")
    assert cost.problem(_config(blocks, n=2000)) is None


def test_the_split_follows_the_data():
    config = _config([DenseConfig(4)], n=101)
    assert cost.split_sizes(config) == (81, 20)
    config.data = DataConfig("inline", x=[[0.0, 0.0]] * 7, y=[0] * 7, validation_fraction=0.0)
    assert cost.split_sizes(config) == (7, 0)
