"""Network files on disk for the command-line tests."""

import json

import pytest

from nnplay.core import (
    BatchNormConfig, DataConfig, DenseConfig, DropoutConfig, NetworkConfig, OptimizerConfig, TrainingConfig,
)
from nnplay.io import write_network


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


@pytest.fixture
def net_file(tmp_path):
    path = tmp_path / "net.nnp"
    write_network(binary_config(), path)
    return path


@pytest.fixture
def points_file(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x1,x2\n0.5,0.5\n-1,2\n2.5,-0.25\n0,0\n")
    return path


def edit_file(path, **changes):
    """Change top-level keys of a network file's JSON in place."""
    obj = json.loads(path.read_text())
    obj.update(changes)
    path.write_text(json.dumps(obj))
