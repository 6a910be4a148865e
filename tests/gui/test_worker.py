"""The training worker on its own: throttled snapshots of copies, clean stops."""

from __future__ import annotations

import time

import numpy as np

from nnplay.core.experiment import Experiment
from nnplay.core.trainer import StopReason
from nnplay.gui.document import default_config
from nnplay.gui.plots.grid import grid_for
from nnplay.gui.worker import SNAPSHOTS_PER_S, TrainingRunner


def _experiment() -> Experiment:
    return Experiment(default_config())


def test_snapshots_are_throttled_copies_with_the_history_rows_in_order(qtbot):
    experiment = _experiment()
    grid = grid_for(experiment.dataset.x)
    runner = TrainingRunner()
    snapshots = []
    runner.snapshot.connect(snapshots.append)
    start = time.perf_counter()
    with qtbot.waitSignal(runner.stopped, timeout=30_000) as stopped:
        runner.start(experiment, 40, grid.points)
    elapsed = time.perf_counter() - start
    final = stopped.args[0]
    assert final.stop_reason == StopReason.FINISHED and final.epoch == 40
    assert len(snapshots) <= SNAPSHOTS_PER_S * elapsed + 2
    assert all(s.grid.shape == (100 * 100, 1) for s in snapshots)
    # the rows of all snapshots, end to end, are the whole history, each row once
    rows = []
    for s in snapshots + [final]:
        assert s.history_from == len(rows)
        rows += s.history["train_loss"]
    assert rows == experiment.trainer.history["train_loss"]
    # copies: the engine going on changes none of what was sent
    grid_before = final.grid.copy()
    experiment.trainer.run(45)
    assert np.array_equal(final.grid, grid_before) and len(final.history["epoch"]) <= 40
    assert not any(np.shares_memory(s.grid, final.grid) for s in snapshots)


def test_stop_waits_for_the_thread_and_reports_interrupted(qtbot):
    experiment = _experiment()
    runner = TrainingRunner()
    stopped = []
    runner.stopped.connect(stopped.append)
    runner.set_max_rate(5)  # slow: the worker sleeps between updates
    runner.start(experiment, 10_000, None)
    qtbot.wait(300)
    thread = runner._thread
    start = time.perf_counter()
    final = runner.stop()
    assert time.perf_counter() - start < 0.5  # a sleeping worker wakes at once
    assert thread.isFinished() and not runner.running
    assert final.stop_reason == StopReason.INTERRUPTED and stopped == [final]
    assert 1 <= experiment.trainer.update_in_epoch <= 4  # about 5 updates a second
    qtbot.wait(50)  # the thread's own last signal, queued, is dropped: reported once
    assert stopped == [final]
