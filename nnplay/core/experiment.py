"""Everything one network file describes, built and ready to train: data, network,
optimizer, schedule and trainer. The CLI and the app both work through this."""

from __future__ import annotations

import copy

import numpy as np

from nnplay.core import datasets
from nnplay.core.config import NetworkConfig
from nnplay.core.datasets import Dataset, Split
from nnplay.core.features import transform
from nnplay.core.history import History
from nnplay.core.network import Network
from nnplay.core.optimizers import make_optimizer
from nnplay.core.schedules import make_schedule
from nnplay.core.trainer import Trainer, TrainingData


def load_dataset(config: NetworkConfig) -> Dataset:
    data = config.data
    if data.source == "inline":
        n_classes = None
        if config.task == "multiclass" and config.output_layer is not None:
            n_classes = config.output_layer.units
        return datasets.from_points(data.x, data.y, config.task, n_classes)
    return datasets.generate(data.name, data.n, data.noise, data.seed, data.classes)


class Experiment:
    """A built network file. ``to_config()`` gives it back with weights, optimizer
    state, epoch, history and mid-epoch position filled in."""

    def __init__(self, config: NetworkConfig, dataset: Dataset | None = None):
        self.config = copy.deepcopy(config)
        self.dataset = dataset if dataset is not None else load_dataset(self.config)
        data = self.config.data
        self.split: Split = datasets.split(self.dataset, data.validation_fraction, data.seed,
                                           data.validation if data.source == "inline" else None)
        training = self.config.training
        self.network = Network.build(
            len(self.config.features), self.config.layers, self.config.loss, training.l1, training.l2
        )
        self.optimizer = make_optimizer(self.config.optimizer.name, self.config.optimizer.settings)
        self.schedule = make_schedule(self.config.schedule.name, self.config.schedule.settings)
        if self.config.weights is not None:
            self.network.set_weights(self.config.weights)
        else:
            self.network.initialize(np.random.default_rng(training.seed))
        if self.config.optimizer_state:
            self.optimizer.load_state_dict(self.config.optimizer_state)
        self.trainer = self._new_trainer(self.training_data(), History(self.config.history), self.config.epoch)
        self.trainer.load_resume_state(self.config.resume)

    def _new_trainer(self, data: TrainingData, history: History | None = None, epoch: int = 0) -> Trainer:
        return Trainer(self.network, self.optimizer, self.schedule, self.config.training, data,
                       self.config.task, self.config.loss, history, epoch)

    def features(self, points: np.ndarray) -> np.ndarray:
        return transform(self.config.features, points)

    def training_data(self) -> TrainingData:
        train, val = self.split.train, self.split.validation
        return TrainingData(
            self.features(train.x), datasets.targets(train), train.y,
            self.features(val.x), datasets.targets(val), val.y,
        )

    def predict(self, points: np.ndarray) -> np.ndarray:
        """Evaluation-mode outputs for raw points ``(n, 1 or 2)``: ``(n, outputs)``."""
        return self.network.predict(self.features(points))

    def reset_weights(self) -> None:
        """Fresh weights from the seed, a fresh optimizer, and no history."""
        self.network.initialize(np.random.default_rng(self.config.training.seed))
        self.optimizer = make_optimizer(self.config.optimizer.name, self.config.optimizer.settings)
        self.trainer = self._new_trainer(self.trainer.data)  # same points: no need to transform them again

    def to_config(self) -> NetworkConfig:
        out = copy.deepcopy(self.config)
        trainer = self.trainer
        out.optimizer.settings = dict(self.optimizer.hyper)
        out.training.l1, out.training.l2 = self.network.l1, self.network.l2
        out.weights = self.network.get_weights()
        out.optimizer_state = self.optimizer.state_dict()
        out.epoch = trainer.epoch
        out.history = trainer.history.to_dict()
        out.resume = trainer.resume_state()
        return out
