"""Live runs (the app's race): a run in a worker process sends snapshots to the parent
while it trains, and obeys the parent's pause, step, stop and fetch.

The worker side is ``RunControl``, hooked into ``Trainer.run``: between two updates
it reads the commands waiting on its channel, and, at most every ``interval``
seconds, sends a ``RunSnapshot`` (counters, the history rows not sent yet, the
network's output on the parent's grid points, and each finished epoch's gradient RMS
per dense layer not sent yet, measured here as the run trains: ``EpochGradients``). Paused, it sends a snapshot and
waits on the channel, so a paused run costs no CPU. Snapshots never change what the
run computes: evaluating the grid touches no state the next update reads.

The channel is the worker's end of its pipe (``nnplay.sweeps.pool``): one per
worker rather than one queue shared by all, so a worker killed in the middle of a
message can only break its own pipe, never another run's messages or a lock.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from nnplay.core.epoch_gradients import EpochGradients
from nnplay.core.experiment import Experiment
from nnplay.core.trainer import Trainer
from nnplay.io.networkfile import dumps_network

#: the commands a live run obeys
COMMANDS = ("pause", "resume", "step", "stop", "fetch")


class Channel(Protocol):
    """The worker's line to the parent."""

    def send(self, message: Any) -> None: ...

    def poll(self) -> bool: ...

    def recv(self) -> Any: ...


@dataclass(frozen=True)
class StreamSettings:
    """How a live run reports: at most one snapshot every ``interval`` seconds, with
    the network's outputs on ``grid_points`` (raw points ``(n, 1 or 2)``, or None)."""

    interval: float = 0.05
    grid_points: np.ndarray | None = field(default=None, repr=False)
    start_paused: bool = False


@dataclass(frozen=True)
class RunSnapshot:
    """A live run as it is between two updates; also the event the parent hands on."""

    run: int
    epoch: int  #: finished epochs
    update_in_epoch: int
    updates: int  #: updates made in this run so far
    seconds: float  #: since the run started training
    batch_loss: float
    lr: float
    history_from: int  #: index of ``history``'s first row in the run's whole history
    history: dict[str, list] = field(repr=False)  #: rows not sent before
    grid: np.ndarray | None = field(default=None, repr=False)  #: float32 outputs ``(n, outputs)``
    paused: bool = False
    final: bool = False  #: the last snapshot of the run, sent just before its outcome
    #: each epoch's RMS of ∂J/∂W per dense layer (``EpochGradients`` columns), rows not sent before
    gradients: dict[str, list] = field(default_factory=dict, repr=False)


class RunControl:
    """In the worker: snapshots and commands for one live run."""

    def __init__(self, experiment: Experiment, run: int, settings: StreamSettings, channel: Channel):
        self.experiment = experiment
        self.run = run
        self.settings = settings
        self.channel = channel
        self.paused = settings.start_paused
        self.stopped = False
        self.pause_at_epoch: int | None = None
        self.updates = 0
        self.sent_rows = len(experiment.trainer.history)
        self.gradients = EpochGradients(experiment.trainer)
        self.began = time.perf_counter()
        self.last_sent = -math.inf

    def begin(self) -> bool:
        """Before training: wait if the run starts paused; False if it was stopped meanwhile."""
        self.send()
        if self.paused:
            self._wait_while_paused()
        return not self.stopped

    def on_update(self, trainer: Trainer) -> None:
        self.updates += 1
        self.gradients.on_update(trainer)
        while self.channel.poll():
            self.handle(self.channel.recv())
        if self.paused:
            self._wait_while_paused()
        elif time.perf_counter() - self.last_sent >= self.settings.interval:
            self.send()

    def on_epoch(self, trainer: Trainer) -> None:
        self.gradients.on_epoch(trainer)
        if self.pause_at_epoch is not None and trainer.epoch >= self.pause_at_epoch:
            self.pause_at_epoch = None
            self.paused = True
            self._wait_while_paused()

    def handle(self, command: str) -> None:
        trainer = self.experiment.trainer
        if command == "pause":
            self.paused = True
        elif command == "resume":
            self.paused, self.pause_at_epoch = False, None
        elif command == "step":  # to the end of the epoch under way, then pause
            self.paused, self.pause_at_epoch = False, trainer.epoch + 1
        elif command == "stop":
            self.paused, self.stopped = False, True
            trainer.request_stop()
        elif command == "fetch":
            self.channel.send(("fetched", self.run, dumps_network(self.experiment.to_config())))

    def _wait_while_paused(self) -> None:
        self.send(paused=True)
        while self.paused:
            self.handle(self.channel.recv())

    def send(self, paused: bool = False, final: bool = False) -> None:
        trainer = self.experiment.trainer
        columns = trainer.history.columns
        rows = {name: list(values[self.sent_rows:]) for name, values in columns.items()}
        grid = None
        points = self.settings.grid_points
        if points is not None and len(points):
            with np.errstate(all="ignore"):  # a diverging run's outputs may overflow
                grid = self.experiment.predict(points).astype(np.float32)
        snapshot = RunSnapshot(
            run=self.run, epoch=trainer.epoch, update_in_epoch=trainer.update_in_epoch,
            updates=self.updates, seconds=time.perf_counter() - self.began,
            batch_loss=float(trainer.batch_loss), lr=float(trainer.lr), history_from=self.sent_rows,
            history=rows, grid=grid, paused=paused, final=final, gradients=self.gradients.take(),
        )
        self.sent_rows += len(rows["epoch"])
        self.channel.send(("snapshot", snapshot))
        self.last_sent = time.perf_counter()
