"""Which examples a back-propagation trace runs on, with the random draws their update makes.

- ``next_batch``: the batch the run's next update takes, with the same random draws
  (its order, its input noise, its dropout masks): the epoch's generator
  ``default_rng([seed, e])`` as the trainer draws it, continued from where the run
  paused. A run paused after an epoch's last update evaluates that epoch first; the
  next batch is then the first of the next epoch.
- ``point_batch``: one training point alone. Its noise and dropout masks come from a
  stream of its own, ``default_rng([seed, e, k, i, 3])`` (epoch e, update k of the
  epoch, point i; the trailing 3 keeps it apart from training's and pre-training's
  streams), so tracing it draws nothing from the run's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnplay.core.datasets import Dataset
from nnplay.core.trainer import Trainer

#: a click picks the nearest training point within this share of the plot's width (and height, on 1-D data)
PICK_RADIUS = 0.05

#: the last word of a chosen point's seed list (training's are [seed, e], pre-training's end in 1 and 2)
POINT_STREAM = 3

NEXT, POINT = "next", "point"


@dataclass(frozen=True)
class Batch:
    """The examples a trace runs on, and the random draws their update makes."""

    kind: str  #: ``NEXT`` (the run's next update) or ``POINT`` (one chosen training point)
    indices: np.ndarray  #: rows of the training set, in the order the update takes them
    x: np.ndarray  #: what the network reads: the rows' features, noise added when σ > 0
    y: np.ndarray  #: targets ``(batch, outputs)``
    noise: np.ndarray | None  #: the input noise added (None when σ = 0)
    masks: dict  #: the generator's state the forward pass starts from (it draws the dropout masks)
    epoch: int  #: the epoch the update belongs to (finished epochs before it): the schedule reads it
    update: int  #: for ``NEXT``, the update's place in its epoch, from 0; for ``POINT``, the run's
    ends_epoch_first: bool = False  #: ``NEXT`` only: the run evaluates its finished epoch first

    def __len__(self) -> int:
        return len(self.indices)


def generator(state: dict) -> np.random.Generator:
    """A generator standing where ``state`` (a PCG64 state, as ``default_rng`` makes) says."""
    bits = np.random.PCG64(0)
    bits.state = state
    return np.random.Generator(bits)


def _draw_noise(trainer: Trainer, x: np.ndarray, rng: np.random.Generator):
    """The input noise as the trainer adds it (SPEC: fresh N(0, σ²) per training batch)."""
    sigma = trainer.training.input_noise
    if sigma > 0:
        noise = rng.normal(0.0, sigma, x.shape)
        return x + noise, noise
    return x, None


def next_batch_problem(trainer: Trainer) -> str | None:
    """Why the run has no next update of the whole network to trace, in a sentence, or None."""
    if len(trainer.data.x_train) == 0:
        return "There are no training points."
    if trainer.pretraining is not None and trainer.pretraining.pending:
        return ("Pre-training comes first: the run's next updates train the hidden layers one by one as "
                "autoencoders. Step through back-propagation once it is done, or pick a training point.")
    return None


def next_batch(trainer: Trainer) -> Batch:
    """The batch of the run's next update (call ``next_batch_problem`` first)."""
    n = len(trainer.data.x_train)
    size, per_epoch = trainer.batch_size, trainer.updates_per_epoch
    epoch, k = trainer.epoch, trainer.update_in_epoch
    ends_first = k >= per_epoch
    resume = trainer.resume_state() or {}
    if ends_first:
        epoch, k = epoch + 1, 0
    rng = np.random.default_rng([trainer.training.seed, epoch])  # the epoch's stream, as _begin_epoch draws it
    order = None if size >= n else rng.permutation(n)
    if k:
        rng = generator(resume["rng"])  # where the paused run's stream stands
    indices = np.arange(n) if order is None else order[k * size:(k + 1) * size]
    x, noise = _draw_noise(trainer, trainer.data.x_train[indices], rng)
    return Batch(NEXT, indices, x, trainer.data.y_train[indices], noise, rng.bit_generator.state,
                 epoch, k, ends_first)


def point_batch(trainer: Trainer, index: int) -> Batch:
    """Training point ``index`` alone, its random draws from a stream of its own."""
    if not 0 <= index < len(trainer.data.x_train):
        raise IndexError(f"there is no training point {index}")
    epoch, k = trainer.epoch, trainer.update_in_epoch
    rng = np.random.default_rng([trainer.training.seed, epoch, k, index, POINT_STREAM])
    indices = np.array([index])
    x, noise = _draw_noise(trainer, trainer.data.x_train[indices], rng)
    return Batch(POINT, indices, x, trainer.data.y_train[indices], noise, rng.bit_generator.state, epoch, k)


def nearest_training_point(train: Dataset, x: float, y: float) -> int | None:
    """The index of the training point nearest a click at (x, y) on the boundary plot, or
    None when none is within ``PICK_RADIUS`` of the plot's size. On 1-D data the plot's
    axes are x₁ and the target, compared in units of their spans."""
    if len(train) == 0:
        return None
    if train.dims == 1:
        span_x = float(np.ptp(train.x[:, 0])) or 1.0
        span_y = float(np.ptp(train.y)) or 1.0
        distance = np.hypot((train.x[:, 0] - x) / span_x, (train.y - y) / span_y)
        limit = PICK_RADIUS
    else:
        distance = np.hypot(train.x[:, 0] - x, train.x[:, 1] - y)
        limit = PICK_RADIUS * (float(np.ptp(train.x[:, 0])) or 1.0)
    nearest = int(np.argmin(distance))
    return nearest if distance[nearest] <= limit else None


def describe_batch(batch: Batch, trainer: Trainer) -> str:
    """The batch in a sentence: which update of the run it is, or which point."""
    if batch.kind == POINT:
        return (f"Training point {batch.indices[0] + 1} of {len(trainer.data.x_train)}, alone: one update "
                "of the run's optimizer on it, the run's place in its epoch unchanged.")
    size = len(batch)
    what = "the whole training set" if size == len(trainer.data.x_train) else f"{size} training points"
    first = f"after the run evaluates epoch {batch.epoch}, " if batch.ends_epoch_first else ""
    return (f"The run's next update: {first}epoch {batch.epoch + 1}, update {batch.update + 1} of "
            f"{trainer.updates_per_epoch}, on {what}, with the run's own random draws.")
