"""Training off the GUI thread.

``TrainingThread`` runs ``Trainer.run`` for one press of play (or step). Between
updates its hook decides, by the clock, whether to hand the window a ``Snapshot``:
at most ``SNAPSHOTS_PER_S`` a second, each one a frozen set of copies (counters,
losses, the history rows the window has not seen, the network's output on the plot
grid, evaluated here in the worker). The GUI thread only draws what it receives.

Python lets one thread run at a time, and drawing (pyqtgraph's paint methods and the
QPainter calls under them) holds the interpreter. So after sending a snapshot the
worker steps aside until the window says it has painted it, at most ``DRAW_SLICE_S``:
the frame is drawn in one go instead of in 5 ms slices between training steps, the
event loop never stalls, and a hidden or slow window cannot hold training up for long.

``TrainingRunner`` is the window's handle on it: ``start``/``stop`` from the GUI
thread. ``stop`` asks the trainer to stop and waits for the thread, so whoever calls
it (pause, step, reset, a rebuild, closing the window) finds the engine idle when it
returns; a run that ends by itself (finished, early stop, divergence) reports through
``stopped`` as well.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field, replace

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from nnplay.core import pretraining_progress
from nnplay.core.experiment import Experiment
from nnplay.core.pretraining_progress import PretrainingSnapshot
from nnplay.core.trainer import StopReason, Trainer

#: the most snapshots a second the worker sends: smooth to the eye, and few enough that
#: drawing them (which holds the GIL) leaves the trainer most of the time
SNAPSHOTS_PER_S = 25.0
#: the longest the worker gives the GUI thread to draw a snapshot before it trains on
DRAW_SLICE_S = 0.03


@dataclass(frozen=True)
class Snapshot:
    """What the window draws, copied out of the engine between two updates."""

    run: int  #: which run sent it (the runner drops snapshots of a run it has stopped)
    epoch: int  #: finished epochs
    update_in_epoch: int
    updates: int  #: updates made in this run so far
    updates_per_s: float
    batch_loss: float
    lr: float
    history_from: int  #: index of the first row in ``history`` within the whole history
    history: dict[str, list] = field(repr=False)  #: the rows the window has not seen yet
    grid: np.ndarray | None = field(repr=False, default=None)  #: outputs on the plot grid
    #: RMS of ∂J/∂W per dense layer, first to output, on the latest batch (None before any update)
    gradient_rms: np.ndarray | None = field(repr=False, default=None)
    stop_reason: StopReason | None = None
    diverged_at: int | None = None
    divergence: str | None = None  #: what became infinite or NaN (``Trainer.divergence``)
    error: str | None = None  #: what went wrong, when the run ended with an exception
    #: where pre-training is, its new reconstruction-loss rows and picture (None without it)
    pretraining: PretrainingSnapshot | None = field(repr=False, default=None)


def take_snapshot(
    experiment: Experiment,
    grid_points: np.ndarray | None,
    run: int = 0,
    history_from: int = 0,
    updates: int = 0,
    updates_per_s: float = 0.0,
    gradients: bool = False,
    pretraining_from: int = 0,
) -> Snapshot:
    """A snapshot of the engine as it is now; only call it while no other thread trains.

    ``gradients``: include each dense layer's gradient RMS (only right after an update,
    while ``grads`` still hold the latest batch's gradients; not while pre-training, whose
    gradients are an autoencoder's). ``pretraining_from``: the pre-training rows sent already."""
    trainer = experiment.trainer
    history = trainer.history.columns
    pretraining = pretraining_progress.snapshot(trainer, pretraining_from)
    gradients = gradients and (pretraining is None or pretraining.progress is None)
    gradient_rms = dense_gradient_rms(experiment.network) if gradients else None
    grid = None
    if grid_points is not None and len(grid_points):
        # float32 halves the bytes that cross threads; the plot needs no more
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged net's inf is drawn as inf
            grid = experiment.predict(grid_points).astype(np.float32)
    return Snapshot(
        run=run,
        epoch=trainer.epoch,
        update_in_epoch=trainer.update_in_epoch,
        updates=updates,
        updates_per_s=updates_per_s,
        batch_loss=float(trainer.batch_loss),
        lr=float(trainer.lr),
        history_from=history_from,
        history={name: list(values[history_from:]) for name, values in history.items()},
        grid=grid,
        gradient_rms=gradient_rms,
        stop_reason=trainer.stop_reason,
        diverged_at=trainer.diverged_at,
        divergence=trainer.divergence,
        pretraining=pretraining,
    )


def dense_gradient_rms(network) -> np.ndarray:
    """sqrt(mean((∂J/∂W)²)) of each dense layer, first to output: a new array.

    The gradients ``backward`` left on the latest batch, so a few dot products per
    snapshot and nothing per update; the plot smooths the batch-to-batch noise."""
    out = np.empty(len(network.dense))
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run's gradients may be inf
        for i, layer in enumerate(network.dense):
            g = layer.grads["W"].reshape(-1)
            out[i] = np.sqrt(np.dot(g, g) / g.size) if g.size else np.nan
    return out


class TrainingThread(QThread):
    """One run of ``trainer.run(until_epoch)``; emits ``snapshotReady`` from this thread."""

    snapshotReady = Signal(object)

    def __init__(self, experiment: Experiment, until_epoch: int, grid_points: np.ndarray | None,
                 run: int, max_rate: float | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.experiment = experiment
        self.trainer: Trainer = experiment.trainer
        self.until_epoch = until_epoch
        self.grid_points = grid_points
        self.run_id = run
        #: updates per second to hold to, or None for as fast as it goes; may change while running
        self.max_rate = max_rate
        self.final: Snapshot | None = None  #: the last snapshot, set before the thread ends
        self._stop = threading.Event()
        self._drawn = threading.Event()
        self._sent = len(self.trainer.history)
        self._pretraining_sent = len((self.trainer.history.pretraining or {}).get("layer", []))
        self._thinnings = self.trainer.history.thinnings
        self._updates = 0
        self._last_snapshot = 0.0
        self._updates_at_last = 0
        self._rate = 0.0
        self._started = self._next_update_at = 0.0

    def request_stop(self) -> None:
        """Safe from any thread: the run ends after the update in progress."""
        self._stop.set()
        self._drawn.set()
        self.trainer.request_stop()

    def snapshot_drawn(self) -> None:
        """The GUI has drawn the last snapshot: training goes on at once."""
        self._drawn.set()

    # ---- in the worker thread
    def run(self) -> None:
        self._started = self._last_snapshot = self._next_update_at = time.perf_counter()
        error = None
        try:
            # overflow on the way to divergence is expected: the trainer reports it as such
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                if not self._stop.is_set():
                    self.trainer.run(self.until_epoch, on_update=self._on_update)
        except Exception as exc:  # shown by the window; a thread must not die with a traceback
            error = f"{type(exc).__name__}: {exc}"
        now = time.perf_counter()
        try:
            final = self._snapshot(now)
        except Exception as exc:  # the engine cannot even be looked at: the window still hears the end
            error = error or f"{type(exc).__name__}: {exc}"
            final = self._bare_snapshot()
        # the run's own average, not the rate of its last moments
        average = self._updates / (now - self._started) if now > self._started else 0.0
        self.final = replace(final, error=error, updates_per_s=average)
        self.snapshotReady.emit(self.final)

    def _on_update(self, trainer: Trainer) -> None:
        self._updates += 1
        now = time.perf_counter()
        if now - self._last_snapshot >= 1.0 / SNAPSHOTS_PER_S:
            self._drawn.clear()
            self.snapshotReady.emit(self._snapshot(now))
            # Hand the GIL to the GUI thread while it draws. Drawing (pyqtgraph's paint
            # methods, QPainter calls) holds the GIL; contending for it at the interpreter's
            # 5 ms switch interval makes each frame take many times longer and stalls the
            # event loop. A bounded slice keeps a slow or hidden window from holding us up.
            self._drawn.wait(DRAW_SLICE_S)
        rate = self.max_rate
        if rate:
            self._next_update_at = max(self._next_update_at + 1.0 / rate, now - 0.1)
            self._pause_until(self._next_update_at)

    def _pause_until(self, deadline: float) -> None:
        """Sleep to hold the speed setting; slow steps still show and still stop at once."""
        while not self._stop.is_set():
            now = time.perf_counter()
            if now >= deadline:
                return
            if now - self._last_snapshot >= 1.0 / SNAPSHOTS_PER_S and self._updates != self._updates_at_last:
                self.snapshotReady.emit(self._snapshot(now))
            self._stop.wait(min(deadline - now, 1.0 / SNAPSHOTS_PER_S))

    def _bare_snapshot(self) -> Snapshot:
        """The counters alone, for a run that failed so that ``take_snapshot`` fails too."""
        trainer = self.trainer
        return Snapshot(run=self.run_id, epoch=trainer.epoch, update_in_epoch=trainer.update_in_epoch,
                        updates=self._updates, updates_per_s=0.0, batch_loss=math.nan, lr=math.nan,
                        history_from=self._sent, history={}, stop_reason=trainer.stop_reason)

    def _snapshot(self, now: float) -> Snapshot:
        elapsed = now - self._last_snapshot
        if elapsed > 0 and self._updates > self._updates_at_last:
            self._rate = (self._updates - self._updates_at_last) / elapsed
        elif elapsed > 0.5:
            self._rate = 0.0
        self._last_snapshot, self._updates_at_last = now, self._updates
        if self.trainer.history.thinnings != self._thinnings:  # rows were dropped: send them all again
            self._thinnings, self._sent, self._pretraining_sent = self.trainer.history.thinnings, 0, 0
        snapshot = take_snapshot(self.experiment, self.grid_points, self.run_id, self._sent,
                                 self._updates, self._rate, gradients=self._updates > 0,
                                 pretraining_from=self._pretraining_sent)
        self._sent += len(snapshot.history["epoch"])
        if snapshot.pretraining is not None:
            self._pretraining_sent += len(snapshot.pretraining.rows["layer"])
        return snapshot


class TrainingRunner(QObject):
    """Starts and stops training runs for the window; only used from the GUI thread."""

    #: a snapshot of the running (or just stopped) run
    snapshot = Signal(object)
    #: the run ended: the last snapshot, whose ``stop_reason`` says why
    stopped = Signal(object)
    runningChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread: TrainingThread | None = None
        self._runs = 0
        self._max_rate: float | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def max_rate(self) -> float | None:
        return self._max_rate

    def snapshot_drawn(self) -> None:
        """Called by the window once it has painted the latest snapshot."""
        if self._thread is not None:
            self._thread.snapshot_drawn()

    def set_max_rate(self, rate: float | None) -> None:
        """Updates per second to hold to (None: as fast as it goes); applies at once."""
        self._max_rate = rate
        if self._thread is not None:
            self._thread.max_rate = rate

    def start(self, experiment: Experiment, until_epoch: int, grid_points: np.ndarray | None) -> None:
        self.stop()
        self._runs += 1
        thread = TrainingThread(experiment, until_epoch, grid_points, self._runs, self._max_rate, self)
        thread.snapshotReady.connect(self._on_snapshot)  # queued: the thread emits from itself
        self._thread = thread
        thread.start()
        self.runningChanged.emit(True)

    def stop(self) -> Snapshot | None:
        """Stop the run, if any, and wait for it: the engine is idle when this returns."""
        thread = self._thread
        if thread is None:
            return None
        thread.request_stop()
        thread.wait()
        return self._finish(thread)

    def _on_snapshot(self, snapshot: Snapshot) -> None:
        thread = self._thread
        if thread is None or snapshot.run != thread.run_id:
            return  # from a run already stopped and reported
        if snapshot is thread.final:
            thread.wait()  # it is returning from run(); this is at most a moment
            self._finish(thread)
        else:
            self.snapshot.emit(snapshot)

    def _finish(self, thread: TrainingThread) -> Snapshot:
        self._thread = None
        final = thread.final
        thread.deleteLater()
        self.runningChanged.emit(False)
        self.stopped.emit(final)
        return final
