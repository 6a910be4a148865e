"""Networks for the file tests: a small untrained one, and a full one that has trained,
paused mid-epoch, tracks an early-stopping best and carries unknown keys."""

import numpy as np

from nnplay.core import (
    BatchNormConfig, DataConfig, DenseConfig, DropoutConfig, EarlyStoppingConfig, Experiment, NetworkConfig,
    OptimizerConfig, ScheduleConfig, TrainingConfig,
)


def small_config(**changes) -> NetworkConfig:
    cfg = NetworkConfig(
        name="small",
        task="binary",
        features=["x1", "x2", "x1*x2"],
        layers=[DenseConfig(6, "relu", "he_normal"), DropoutConfig(0.25), BatchNormConfig(),
                DenseConfig(1, "sigmoid")],
        loss="nll",
        optimizer=OptimizerConfig("adam", {"lr": 0.01}),
        schedule=ScheduleConfig("step", {"drop": 0.5, "every": 3}),
        training=TrainingConfig(batch_size=16, epochs=10, seed=3, l2=1e-4, input_noise=0.05,
                                early_stopping=EarlyStoppingConfig(50, True)),
        data=DataConfig("generated", "xor", n=120, noise=0.1, seed=2, validation_fraction=0.25),
    )
    for key, value in changes.items():
        setattr(cfg, key, value)
    return cfg


def paused_run(cfg: NetworkConfig, epochs: int, extra_updates: int) -> Experiment:
    """Train ``epochs`` epochs, then ``extra_updates`` updates into the next one."""
    exp = Experiment(cfg)
    exp.trainer.run(epochs)
    if extra_updates:
        count = [0]

        def stop_after(trainer):
            count[0] += 1
            if count[0] == extra_updates:
                trainer.request_stop()

        exp.trainer.run(epochs + 1, on_update=stop_after)
    return exp


def full_config() -> NetworkConfig:
    cfg = paused_run(small_config(), 3, 2).to_config()
    cfg.extra = {"app": {"view": "boundary", "zoom": 1.5}, "notes": "ünïcode ✓"}
    return cfg


def assert_bits_equal(a, b, path="root"):
    """Nested dicts/lists/arrays equal with floats compared bit for bit."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for k in a:
            assert_bits_equal(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, (list, tuple)) and not isinstance(b, np.ndarray):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_bits_equal(x, y, f"{path}[{i}]")
    elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        assert a.shape == b.shape, path
        assert np.array_equal(a.view(np.int64), b.view(np.int64)), path
    elif isinstance(a, float):
        assert isinstance(b, float) and np.float64(a).view(np.int64) == np.float64(b).view(np.int64), path
    else:
        assert a == b and type(a) is type(b), path
