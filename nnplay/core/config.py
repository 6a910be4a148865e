"""Plain dataclasses for everything a network file holds (SPEC §2).

``to_dict`` gives the JSON-ready structure of the file; reading and validating a
file lives in ``nnplay.io.networkfile``. Arrays (weights, optimizer state) stay
NumPy here and become lists only when written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

TASKS = ("binary", "multiclass", "regression")
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")


@dataclass
class DenseConfig:
    units: int
    activation: str = "tanh"
    init: str = "xavier_uniform"
    type: str = field(default="dense", init=False)

    def to_dict(self) -> dict[str, Any]:
        return {"type": "dense", "units": self.units, "activation": self.activation, "init": self.init}


@dataclass
class DropoutConfig:
    rate: float = 0.2
    type: str = field(default="dropout", init=False)

    def to_dict(self) -> dict[str, Any]:
        return {"type": "dropout", "rate": self.rate}


@dataclass
class BatchNormConfig:
    type: str = field(default="batchnorm", init=False)

    def to_dict(self) -> dict[str, Any]:
        return {"type": "batchnorm"}


LayerConfig = Union[DenseConfig, DropoutConfig, BatchNormConfig]


@dataclass
class OptimizerConfig:
    name: str = "adam"
    settings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **self.settings}


@dataclass
class ScheduleConfig:
    name: str = "constant"
    settings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **self.settings}


@dataclass
class EarlyStoppingConfig:
    patience: int = 20
    restore_best: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"patience": self.patience, "restore_best": self.restore_best}


@dataclass
class TrainingConfig:
    batch_size: int = 32
    epochs: int = 500
    seed: int = 0
    l1: float = 0.0
    l2: float = 0.0
    input_noise: float = 0.0
    early_stopping: EarlyStoppingConfig | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "batch_size": self.batch_size,
            "epochs": self.epochs,
            "seed": self.seed,
            "l1": self.l1,
            "l2": self.l2,
            "input_noise": self.input_noise,
            "early_stopping": None if self.early_stopping is None else self.early_stopping.to_dict(),
        }


@dataclass
class DataConfig:
    """``source`` is ``"generated"`` (name, n, noise, seed, classes for blobs) or
    ``"inline"`` (x, y)."""

    source: str = "generated"
    name: str = "xor"
    n: int = 400
    noise: float = 0.1
    seed: int = 1
    validation_fraction: float = 0.2
    classes: int | None = None
    x: list[list[float]] | None = None
    y: list[float] | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.source == "inline":
            out: dict[str, Any] = {"source": "inline", "x": self.x, "y": self.y}
        else:
            out = {"source": "generated", "name": self.name, "n": self.n, "noise": self.noise, "seed": self.seed}
            if self.classes is not None:
                out["classes"] = self.classes
        out["validation_fraction"] = self.validation_fraction
        if self.source == "inline":
            out["seed"] = self.seed
        return out


@dataclass
class NetworkConfig:
    """One network file: settings, data and (after training) weights and state.

    ``weights`` is None or one dict of arrays per layer; ``optimizer_state`` is
    ``Optimizer.state_dict()``; ``resume`` holds what a run paused inside an epoch
    needs to continue exactly (see docs/file-format.md); ``extra`` keeps unknown
    top-level keys so they survive a round trip.
    """

    name: str = "Untitled"
    task: str = "binary"
    features: list[str] = field(default_factory=lambda: ["x1", "x2"])
    layers: list[LayerConfig] = field(default_factory=list)
    loss: str = "nll"
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    data: DataConfig = field(default_factory=DataConfig)
    weights: list[dict[str, Any]] | None = None
    optimizer_state: dict[str, Any] | None = None
    epoch: int = 0
    history: dict[str, list] | None = None
    resume: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def output_layer(self) -> DenseConfig | None:
        dense = [layer for layer in self.layers if isinstance(layer, DenseConfig)]
        return dense[-1] if dense else None
