"""The engine: pure NumPy, never imports Qt."""

from nnplay.core.activations import ACTIVATIONS
from nnplay.core.config import (
    BatchNormConfig, DataConfig, DenseConfig, DropoutConfig, EarlyStoppingConfig, NetworkConfig,
    OptimizerConfig, ScheduleConfig, TrainingConfig,
)
from nnplay.core.experiment import Experiment
from nnplay.core.initializers import INITIALIZERS
from nnplay.core.losses import LOSSES
from nnplay.core.network import Network
from nnplay.core.optimizers import OPTIMIZERS
from nnplay.core.schedules import SCHEDULES
from nnplay.core.trainer import StopReason, Trainer

__all__ = [
    "ACTIVATIONS", "INITIALIZERS", "LOSSES", "OPTIMIZERS", "SCHEDULES",
    "BatchNormConfig", "DataConfig", "DenseConfig", "DropoutConfig", "EarlyStoppingConfig",
    "NetworkConfig", "OptimizerConfig", "ScheduleConfig", "TrainingConfig",
    "Experiment", "Network", "StopReason", "Trainer",
]
