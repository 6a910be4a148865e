"""One run, as a worker process (local or on a Dask cluster) trains it.

``run_plan`` takes a ``RunPlan`` (the network file's object, its parameter values)
and does what ``nnplay train`` does with such a file: build the experiment, train
``training.epochs`` epochs, and give back the trained file's text, with the same
bits. Anything the run raises becomes a ``failed`` outcome; the worker lives on.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnplay import __version__
from nnplay.core.experiment import Experiment
from nnplay.core.trainer import StopReason, Trainer
from nnplay.io.networkfile import dumps_network
from nnplay.io.schema import parse_network
from nnplay.sweeps.blas import use_blas_threads
from nnplay.sweeps.results import METRIC_COLUMNS
from nnplay.sweeps.stream import Channel, RunControl, StreamSettings


@dataclass(frozen=True)
class RunPlan:
    """What a worker needs for one run; small and picklable."""

    run: int
    network: dict[str, Any] = field(repr=False)  #: a network file's JSON object
    values: dict[str, Any] = field(default_factory=dict)
    attempt: int = 1  #: 2 when a worker died running it once
    blas_threads: int | None = None  #: the parent's BLAS thread count, for the same bits
    stream: StreamSettings | None = None  #: a live run: snapshots and commands


@dataclass(frozen=True)
class RunOutcome:
    """How a run ended. ``status``: ``finished``, ``early_stopped``, ``diverged``,
    ``interrupted`` (a live run stopped by its parent) or ``failed``; ``network`` the
    trained file's text (None when failed)."""

    run: int
    status: str
    epochs: int | None = None
    metrics: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(METRIC_COLUMNS))
    seconds: float = 0.0
    network: str | None = field(default=None, repr=False)
    error: str | None = None  #: one line, when failed
    details: str | None = field(default=None, repr=False)  #: the traceback, when failed
    attempt: int = 1
    worker: str = ""
    versions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def failed(cls, plan: RunPlan, error: str, details: str | None = None, seconds: float = 0.0,
               worker: str = "") -> "RunOutcome":
        return cls(plan.run, "failed", seconds=seconds, error=error, details=details,
                   attempt=plan.attempt, worker=worker, versions=versions())


def versions() -> dict[str, str]:
    """What decides a run's bits besides its file: nnplay's and NumPy's versions."""
    return {"nnplay": __version__, "numpy": np.__version__}


def worker_name() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


def run_plan(plan: RunPlan, channel: Channel | None = None) -> RunOutcome:
    """Train one run; never raises for a problem of the run itself."""
    began = time.perf_counter()
    use_blas_threads(plan.blas_threads)
    try:
        experiment = Experiment(parse_network(plan.network))
        trainer = experiment.trainer
        target = trainer.epoch + experiment.config.training.epochs
        control = RunControl(experiment, plan.run, plan.stream, channel) \
            if plan.stream is not None and channel is not None else None
        # a diverging run overflows on purpose; its status says so, as `nnplay train`'s stop line does
        with np.errstate(all="ignore"):
            if control is not None and not control.begin():
                reason = StopReason.INTERRUPTED
            else:
                reason = trainer.run(target, on_update=control and control.on_update,
                                     on_epoch=control and control.on_epoch)
            if control is not None:
                control.send(final=True)
        text = dumps_network(experiment.to_config())
    except Exception as exc:  # the run failed, not the worker: report it and go on
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        return RunOutcome.failed(plan, message, traceback.format_exc(), time.perf_counter() - began,
                                 worker_name())
    epochs, metrics = final_metrics(trainer)
    return RunOutcome(plan.run, reason.value, epochs, metrics, time.perf_counter() - began, text,
                      attempt=plan.attempt, worker=worker_name(), versions=versions())


def final_metrics(trainer: Trainer) -> tuple[int, dict[str, float | None]]:
    """Epochs trained, and the metrics of the weights the run ends with: the last
    history row, or the restored epoch's after early stopping (a diverged run's last
    row is its last finite epoch: the trainer never records a non-finite one)."""
    history = trainer.history
    row = len(history) - 1
    if trainer.restored_epoch is not None and trainer.restored_epoch in history["epoch"]:
        row = history["epoch"].index(trainer.restored_epoch)
    metrics = {m: (history[m][row] if row >= 0 else None) for m in METRIC_COLUMNS}
    return trainer.epoch, metrics
