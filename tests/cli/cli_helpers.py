"""Network configs and file edits for the command-line tests."""

import json

from nnplay.core import (
    BatchNormConfig, DataConfig, DenseConfig, DropoutConfig, NetworkConfig, OptimizerConfig, TrainingConfig,
)


def binary_config(**changes) -> NetworkConfig:
    cfg = NetworkConfig(
        name="cli test",
        task="binary",
        features=["x1", "x2", "x1*x2", "sin(x1)"],
        layers=[DenseConfig(5, "tanh"), DropoutConfig(0.1), BatchNormConfig(), DenseConfig(1, "sigmoid")],
        loss="nll",
        optimizer=OptimizerConfig("adam", {"lr": 0.02}),
        training=TrainingConfig(batch_size=10, epochs=20, seed=4, input_noise=0.02),
        data=DataConfig("generated", "xor", n=60, noise=0.1, seed=5, validation_fraction=0.2),
    )
    for key, value in changes.items():
        setattr(cfg, key, value)
    return cfg


def edit_file(path, **changes):
    """Change top-level keys of a network file's JSON in place."""
    obj = json.loads(path.read_text())
    obj.update(changes)
    path.write_text(json.dumps(obj))
