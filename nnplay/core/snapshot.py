"""Frozen snapshots of a training run, for whoever watches it: the app's window, the
command line's progress line.

A ``Snapshotter`` follows one ``Trainer.run`` from inside its hooks. It counts the
updates (``on_update``) and, when its owner asks (``take``), copies out what a watcher
shows: counters, the rate, the newest history rows (each row is handed out once, in
order), and on request the weights and each dense layer's gradient RMS. A snapshot
shares no array with the engine, so the engine may train on while another thread
reads it. When to take one is the owner's business (a frame clock, a terminal's tenth
of a second).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from nnplay.core.trainer import StopReason, Trainer


@dataclass(frozen=True)
class Snapshot:
    """The state of a run between two updates, copied out of the engine."""

    epoch: int  #: finished epochs
    update_in_epoch: int
    updates_per_epoch: int
    updates: int  #: updates made in this run so far
    seconds: float  #: since the run began
    updates_per_s: float  #: over the last moments of the run (its average in a final snapshot)
    batch_loss: float
    lr: float
    history_from: int  #: index of the first row in ``history`` within the whole history
    history: dict[str, list] = field(repr=False)  #: rows not handed out before, in order
    last_row: dict[str, Any] = field(repr=False, default_factory=dict)  #: the whole history's last row
    #: RMS of ∂J/∂W per dense layer, first to output, on the latest batch (None: not asked or no update yet)
    gradient_rms: np.ndarray | None = field(repr=False, default=None)
    #: copies of every layer's stored arrays, as ``Network.get_weights`` (None: not asked)
    weights: list[dict[str, np.ndarray]] | None = field(repr=False, default=None)
    stop_reason: StopReason | None = None
    diverged_at: int | None = None
    restored_epoch: int | None = None
    run: int = 0  #: which run of its owner it belongs to
    final: bool = False  #: the run's last snapshot, taken after it ended
    error: str | None = None  #: what went wrong, when the run ended with an exception

    @property
    def rows(self) -> int:
        return len(self.history.get("epoch", ()))

    def last(self, name: str) -> Any:
        """The last history row's value of ``name`` (as ``History.last``)."""
        return self.last_row.get(name)

    def after(self, *earlier: "Snapshot") -> "Snapshot":
        """This snapshot, with the history rows of ``earlier`` snapshots (oldest first) in
        front of its own: what a watcher that missed them needs, so no row is ever lost.
        One pass over the rows, however many snapshots were missed."""
        if not any(e.rows for e in earlier):
            return self
        history = {name: [v for e in earlier for v in e.history.get(name, ())] + list(values)
                   for name, values in self.history.items()}
        return replace(self, history_from=earlier[0].history_from, history=history)


def dense_gradient_rms(network) -> np.ndarray:
    """sqrt(mean((∂J/∂W)²)) of each dense layer, first to output: a new array.

    The gradients ``backward`` left on the latest batch, so a few dot products per
    snapshot and nothing per update; a plot smooths the batch-to-batch noise."""
    out = np.empty(len(network.dense))
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run's gradients may be inf
        for i, layer in enumerate(network.dense):
            g = layer.grads["W"].reshape(-1)
            out[i] = np.sqrt(np.dot(g, g) / g.size) if g.size else np.nan
    return out


class Snapshotter:
    """Snapshots of one trainer's runs; only call it from the thread that trains (or
    while nothing trains)."""

    def __init__(self, trainer: Trainer, run: int = 0, clock: Callable[[], float] = time.perf_counter):
        self.trainer = trainer
        self.run = run
        self.clock = clock
        self.updates = 0
        self.sent = len(trainer.history)  # rows before this index were handed out already
        self.began = self._last_at = clock()
        self._updates_at_last = 0
        self._rate = 0.0

    def on_update(self, _trainer: Trainer | None = None) -> None:
        """Count an update (``Trainer.run``'s ``on_update`` hook, or called from one)."""
        self.updates += 1

    def take(self, weights: bool = False, gradients: bool = False, final: bool = False) -> Snapshot:
        """A snapshot now. ``gradients``: only right after an update, while the layers
        still hold that batch's gradients. ``final``: the rate is the run's average."""
        trainer, now = self.trainer, self.clock()
        seconds = now - self.began
        elapsed = now - self._last_at
        if elapsed > 0 and self.updates > self._updates_at_last:
            self._rate = (self.updates - self._updates_at_last) / elapsed
        elif elapsed > 0.5:
            self._rate = 0.0
        self._last_at, self._updates_at_last = now, self.updates
        rate = self.updates / seconds if final and seconds > 0 else self._rate
        columns = trainer.history.columns
        start, self.sent = self.sent, len(trainer.history)
        return Snapshot(
            epoch=trainer.epoch, update_in_epoch=trainer.update_in_epoch,
            updates_per_epoch=trainer.updates_per_epoch, updates=self.updates, seconds=seconds,
            updates_per_s=rate, batch_loss=float(trainer.batch_loss), lr=float(trainer.lr),
            history_from=start, history={name: values[start:] for name, values in columns.items()},
            last_row={name: values[-1] for name, values in columns.items() if values},
            gradient_rms=dense_gradient_rms(trainer.network) if gradients and self.updates else None,
            weights=trainer.network.get_weights() if weights else None,
            stop_reason=trainer.stop_reason, diverged_at=trainer.diverged_at,
            restored_epoch=trainer.restored_epoch, run=self.run, final=final,
        )
