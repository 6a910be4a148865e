"""Frozen snapshots of a training run, for whoever watches it: the app's window, the
command line's progress line.

A ``Snapshotter`` follows one ``Trainer.run`` from inside its hooks. It counts the
updates (``on_update``) and, when its owner asks (``take``), copies out what a watcher
shows: counters, the rate, the newest history rows (each row is handed out once, in
order; after the history was thinned, all of them again), where pre-training is and
its new rows, and on request the weights, each dense layer's gradient RMS and the
pre-training's reconstruction picture (it reads the live decoder). A snapshot
shares no array with the engine, so the engine may train on while another thread
reads it. When to take one is the owner's business (a frame clock, a terminal's tenth
of a second).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from nnplay.core import pretraining_progress
from nnplay.core.history import weights_row
from nnplay.core.pretraining_progress import PretrainingSnapshot
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
    #: the row that describes the weights: ``last_row``, or the restored epoch's after early
    #: stopping, or before the first epoch's end the ``initial`` measures
    weights_row: dict[str, Any] = field(repr=False, default_factory=dict)
    #: the measures at epoch 0, before the run's first update (``History.initial``), or None
    initial: dict[str, Any] | None = field(repr=False, default=None)
    #: RMS of ∂J/∂W per dense layer, first to output, on the latest batch (None: not asked or no update yet)
    gradient_rms: np.ndarray | None = field(repr=False, default=None)
    #: copies of every layer's stored arrays, as ``Network.get_weights`` (None: not asked)
    weights: list[dict[str, np.ndarray]] | None = field(repr=False, default=None)
    stop_reason: StopReason | None = None
    diverged_at: int | None = None
    divergence: str | None = None  #: what became infinite or NaN (``Trainer.divergence``)
    restored_epoch: int | None = None
    run: int = 0  #: which run of its owner it belongs to
    final: bool = False  #: the run's last snapshot, taken after it ended
    error: str | None = None  #: what went wrong, when the run ended with an exception
    #: where pre-training is, its new reconstruction-loss rows and (on request) picture; None without it
    pretraining: PretrainingSnapshot | None = field(repr=False, default=None)

    @property
    def rows(self) -> int:
        return len(self.history.get("epoch", ()))

    def last(self, name: str) -> Any:
        """The last history row's value of ``name`` (as ``History.last``)."""
        return self.last_row.get(name)

    def after(self, *earlier: "Snapshot") -> "Snapshot":
        """This snapshot, with the history rows of ``earlier`` snapshots (oldest first) in
        front of its own: what a watcher that missed them needs, so no row is ever lost
        (rows handed out again after a thinning replace those before them), and the newest
        pre-training picture (the first layer's last one, once that layer is done: it
        cannot be made again). One pass over the rows, however many snapshots were missed."""
        chain = (*earlier, self)
        pictures = [s.pretraining.reconstruction for s in chain
                    if s.pretraining is not None and s.pretraining.reconstruction is not None]
        pretraining = self.pretraining
        if pretraining is not None and pictures and pretraining.reconstruction is None:
            pretraining = replace(pretraining, reconstruction=pictures[-1])
        if not any(e.rows for e in earlier) and not any(_pretraining_rows(e) for e in earlier):
            return self if pretraining is self.pretraining else replace(self, pretraining=pretraining)
        history_from, history = joined_rows([(s.history_from, s.history) for s in chain])
        if pretraining is not None:
            parts = [(s.pretraining.rows_from, s.pretraining.rows) for s in chain if s.pretraining is not None]
            rows_from, rows = joined_rows(parts)
            pretraining = replace(pretraining, rows_from=rows_from, rows=rows)
        return replace(self, history_from=history_from, history=history, pretraining=pretraining)


def _pretraining_rows(snapshot: Snapshot) -> int:
    return len(snapshot.pretraining.rows.get("layer", ())) if snapshot.pretraining is not None else 0


def joined_rows(parts: list[tuple[int, dict[str, list]]]) -> tuple[int, dict[str, list]]:
    """Blocks of table rows, each ``(index of its first row, {column: values})``, oldest
    first, as one block: each block goes on from its index, so a block handed out again
    from an earlier index (the table was thinned) replaces the rows from there on."""
    start, rows = parts[0][0], {name: list(values) for name, values in parts[0][1].items()}
    for part_from, part in parts[1:]:
        if part_from < start:
            start, rows = part_from, {name: list(values) for name, values in part.items()}
            continue
        keep = part_from - start
        rows = {name: rows.get(name, [])[:keep] + list(values) for name, values in part.items()}
    return start, rows


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
        history = trainer.history
        self.sent = len(history)  # rows before this index were handed out already
        self.pretraining_sent = len((history.pretraining or {}).get("layer", ()))  # the same, pre-training's
        self._thinnings = history.thinnings
        self.began = self._last_at = clock()
        self._updates_at_last = 0
        self._rate = 0.0

    def on_update(self, _trainer: Trainer | None = None) -> None:
        """Count an update (``Trainer.run``'s ``on_update`` hook, or called from one)."""
        self.updates += 1

    def take(self, weights: bool = False, gradients: bool = False, final: bool = False,
             reconstruction: bool = False) -> Snapshot:
        """A snapshot now. ``gradients``: only right after an update, while the layers
        still hold that batch's gradients (none while pre-training, whose gradients are an
        autoencoder's). ``reconstruction``: the pre-training picture, while the first
        layer pre-trains. ``final``: the rate is the run's average."""
        trainer, now = self.trainer, self.clock()
        seconds = now - self.began
        rate = self.updates / seconds if final and seconds > 0 else self._rate_at(now)
        history = trainer.history
        if history.thinnings != self._thinnings:  # rows were dropped: hand them all out again
            self._thinnings, self.sent, self.pretraining_sent = history.thinnings, 0, 0
        pretraining = pretraining_progress.snapshot(trainer, self.pretraining_sent, picture=reconstruction)
        if pretraining is not None:
            self.pretraining_sent += len(pretraining.rows["layer"])
            gradients = gradients and pretraining.progress is None
        columns = history.columns
        start, self.sent = self.sent, len(history)
        last_row = {name: values[-1] for name, values in columns.items() if values}
        restored, initial = trainer.restored_epoch, history.initial
        return Snapshot(
            epoch=trainer.epoch, update_in_epoch=trainer.update_in_epoch,
            updates_per_epoch=trainer.updates_per_epoch, updates=self.updates, seconds=seconds,
            updates_per_s=rate, batch_loss=float(trainer.batch_loss), lr=float(trainer.lr),
            history_from=start, history={name: values[start:] for name, values in columns.items()},
            last_row=last_row, initial=dict(initial) if initial is not None else None,
            weights_row=last_row if restored is None and last_row else weights_row(columns, restored, initial),
            gradient_rms=dense_gradient_rms(trainer.network) if gradients and self.updates else None,
            weights=trainer.network.get_weights() if weights else None,
            stop_reason=trainer.stop_reason, diverged_at=trainer.diverged_at, divergence=trainer.divergence,
            restored_epoch=trainer.restored_epoch, run=self.run, final=final, pretraining=pretraining,
        )

    def bare(self, final: bool = True) -> Snapshot:
        """The counters alone, for a run that failed so that ``take`` fails too (the
        engine cannot even be looked at): whoever watches still hears the run end."""
        trainer = self.trainer
        return Snapshot(epoch=trainer.epoch, update_in_epoch=trainer.update_in_epoch, updates_per_epoch=0,
                        updates=self.updates, seconds=self.clock() - self.began, updates_per_s=0.0,
                        batch_loss=math.nan, lr=math.nan, history_from=self.sent, history={},
                        stop_reason=trainer.stop_reason, run=self.run, final=final)

    def _rate_at(self, now: float) -> float:
        """Updates a second since the previous snapshot (0 once none came for half a second)."""
        elapsed = now - self._last_at
        if elapsed > 0 and self.updates > self._updates_at_last:
            self._rate = (self.updates - self._updates_at_last) / elapsed
        elif elapsed > 0.5:
            self._rate = 0.0
        self._last_at, self._updates_at_last = now, self.updates
        return self._rate
