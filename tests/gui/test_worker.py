"""The training worker on its own: frames of copies with every history row once, the
same bits as headless training, stops that never wait, and views that are not on screen
cost nothing."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.core.config import BatchNormConfig, DenseConfig, DropoutConfig
from nnplay.core.experiment import Experiment
from nnplay.core.probes import GRID
from nnplay.core.snapshot import Snapshotter
from nnplay.core.trainer import StopReason
from nnplay.gui.document import default_config
from nnplay.gui.plots.grid import grid_for
from nnplay.gui.worker import (FRAME_BUDGET, MAX_FRAME_RATE, MAX_VIEW_STRETCH, MIN_FRAME_RATE, TRAINING_BUDGET,
                               WINDOW_BREATH_S, Frame, FrameClock, Mailbox, TrainingRunner, Watch, WindowTurn)

WAIT = 30_000


class OutputView:
    """A live view that keeps the grid output it was given (and counts the passes)."""

    name = "test-output"
    needs = frozenset({GRID})
    every_s = 0.0

    def __init__(self):
        self.prepared = 0
        self.shown = []

    def prepare(self, results, snapshot):
        self.prepared += 1
        return results[GRID].output.copy()

    def show(self, picture):
        self.shown.append(picture)


class _NoProbe:
    """A probe that computes nothing: each need a view asks for comes back as None."""

    work_per_point = 0

    def compute(self, needs, snapshot, grid):
        return {need: None for need in needs}


def _experiment(layers=None) -> Experiment:
    config = default_config()
    if layers is not None:
        config.layers = layers
    return Experiment(config)


def _watch(experiment, *views) -> Watch:
    grid = grid_for(experiment.dataset.x)
    return Watch(tuple(views), ((grid.points, grid.shape),))


def _show(frames, runner):
    """What a window does with each frame: hand each view its picture."""
    def show(frame):
        frames.append(frame)
        for view in runner.watch.views:
            if view.name in frame.pictures:
                view.show(frame.pictures[view.name])
    return show


def _run(qtbot, runner, experiment, until):
    frames = []
    runner.frame.connect(_show(frames, runner))
    with qtbot.waitSignal(runner.stopped, timeout=WAIT) as stopped:
        runner.start(experiment, until)
    return frames, stopped.args[0]


def test_frames_hand_out_every_history_row_once_in_order(qtbot):
    experiment = _experiment()
    runner = TrainingRunner()
    view = OutputView()
    runner.set_watch(_watch(experiment, view))
    frames, final = _run(qtbot, runner, experiment, 40)
    assert final.stop_reason == StopReason.FINISHED and final.epoch == 40 and final.final
    assert frames[-1].snapshot is final  # the last frame shown is the run's end
    rows = []
    for frame in frames:
        assert frame.snapshot.history_from == len(rows)
        rows += frame.snapshot.history["train_loss"]
    assert rows == experiment.trainer.history["train_loss"]
    assert all(p.shape == (100 * 100, 1) for p in view.shown)
    # copies: the engine going on changes none of what was sent
    picture = view.shown[-1].copy()
    experiment.trainer.run(45)
    assert np.array_equal(view.shown[-1], picture)


@pytest.mark.parametrize("units", [16, 64])  # frames made in the training thread; in the views thread
def test_a_watched_run_trains_the_same_bits_as_headless(qtbot, monkeypatch, units):
    """Dropout and batch norm draw from the run's generator: any extra draw or any shared
    cache between the views and the engine would show here. A snapshot after every update."""
    layers = [DenseConfig(units, "relu", "he_normal"), BatchNormConfig(), DropoutConfig(0.3),
              DenseConfig(units, "relu", "he_normal"), BatchNormConfig(), DropoutConfig(0.3), DenseConfig(1, "sigmoid")]
    watched, headless = _experiment(layers), _experiment(layers)
    runner = TrainingRunner()
    runner.clock.due = lambda now: True  # a frame after every update, even while the window shows one
    taken = []
    take = Snapshotter.take
    monkeypatch.setattr(Snapshotter, "take", lambda self, **kw: taken.append(kw) or take(self, **kw))
    view = OutputView()
    runner.set_watch(_watch(watched, view))
    frames, _final = _run(qtbot, runner, watched, 4)
    updates = 4 * watched.trainer.updates_per_epoch
    assert len(taken) == updates + 1 and all(kw["weights"] for kw in taken)  # and the run's last
    assert all("test-output" in f.pictures for f in frames)
    # the training thread makes a small net's frames itself: each snapshot; else the views thread: the newest
    assert view.prepared == updates + 1 if units == 16 else 1 <= view.prepared <= updates + 1
    headless.trainer.run(4)
    assert watched.trainer.history.to_dict() == headless.trainer.history.to_dict()
    for a, b in zip(watched.network.get_weights(), headless.network.get_weights()):
        assert all(np.array_equal(a[k], b[k]) for k in a)
    mine, theirs = watched.optimizer.state_dict(), headless.optimizer.state_dict()
    assert mine["t"] == theirs["t"] and mine["slots"].keys() == theirs["slots"].keys()
    for key, slot in theirs["slots"].items():
        assert all(np.array_equal(mine["slots"][key][name], value) for name, value in slot.items())


def test_request_stop_returns_at_once_and_the_run_reports_when_its_thread_ends(qtbot):
    experiment = _experiment()
    runner = TrainingRunner()
    stopped = []
    runner.stopped.connect(stopped.append)
    runner.set_max_rate(5)  # slow: the worker sleeps between updates
    runner.start(experiment, 10_000)
    qtbot.waitUntil(lambda: experiment.trainer.update_in_epoch >= 1, timeout=WAIT)
    runner.request_stop()
    assert not runner.running  # for the window, at once
    with qtbot.waitSignal(runner.stopped, timeout=WAIT):
        pass
    assert not runner.busy and stopped[0].stop_reason == StopReason.INTERRUPTED
    qtbot.wait(50)  # no second report
    assert len(stopped) == 1


def test_stop_waits_for_the_engine_to_be_idle(qtbot):
    experiment = _experiment()
    runner = TrainingRunner()
    stopped = []
    runner.stopped.connect(stopped.append)
    runner.start(experiment, 10_000)
    qtbot.waitUntil(lambda: experiment.trainer.epoch >= 1, timeout=WAIT)
    final = runner.stop()
    assert not runner.busy and final.stop_reason == StopReason.INTERRUPTED and stopped == [final]
    epoch, update = experiment.trainer.epoch, experiment.trainer.update_in_epoch
    qtbot.wait(50)
    assert (experiment.trainer.epoch, experiment.trainer.update_in_epoch) == (epoch, update)


def test_views_that_are_not_on_screen_cost_nothing(qtbot):
    experiment = _experiment()
    runner = TrainingRunner()
    runner.set_watch(_watch(experiment))  # no view on screen
    frames, final = _run(qtbot, runner, experiment, 10)
    assert all(f.snapshot.weights is None and not f.pictures for f in frames)
    view = OutputView()
    runner.set_watch(_watch(experiment, view))
    frames, final = _run(qtbot, runner, experiment, 20)
    assert view.prepared >= 1 and final.weights is not None


def test_a_newer_item_keeps_the_rows_of_the_one_it_replaces():
    experiment = _experiment()
    snapshots = Snapshotter(experiment.trainer)
    box = Mailbox()
    assert box.put(Frame(snapshots.take(), {"a": 1, "b": 1}))  # empty before: tell the reader
    experiment.trainer.run(2)
    assert not box.put(Frame(snapshots.take(), {"a": 2}))
    experiment.trainer.run(3)
    box.put(Frame(snapshots.take(), {}))
    frame = box.take()
    assert frame.snapshot.history_from == 0 and frame.snapshot.history["epoch"] == [1, 2, 3]
    assert frame.pictures == {"a": 2, "b": 1} and frame.snapshot.epoch == 3
    assert box.take() is None


def _clock_driven_by_frames():
    """A frame clock on a fake time, and ``run(seconds, cost, training_cost)``: a loop that
    takes each frame the clock says is due, costing what it is told, in 1 ms steps."""
    now = [0.0]
    clock = FrameClock(clock=lambda: now[0])

    def run(seconds, cost_per_frame=0.0, training_cost_per_frame=0.0):
        end = now[0] + seconds
        while now[0] < end:
            if clock.due(now[0]):
                clock.taken(now[0])
                clock.add_cost(cost_per_frame)
                clock.add_training_cost(training_cost_per_frame)
            now[0] += 0.001

    run.now = now
    return clock, run


def test_the_frame_clock_keeps_frames_within_their_budget():
    clock, run = _clock_driven_by_frames()

    within, over = 0.5 * FRAME_BUDGET / MAX_FRAME_RATE, 1.2 * FRAME_BUDGET / MAX_FRAME_RATE  # seconds a frame
    run(5, within)  # 30 frames a second cost half the budget
    assert clock.interval == 1 / MAX_FRAME_RATE
    run(10, over)  # 30 a second would cost 1.2 times the budget: fewer frames (not the floor), back under it
    assert 1 / MAX_FRAME_RATE < clock.interval <= 1 / MIN_FRAME_RATE and clock.share <= FRAME_BUDGET * 1.05
    run(10, 1.0)  # hopeless: the floor, never fewer frames than that
    assert clock.interval == 1 / MIN_FRAME_RATE
    run(10, 0.1 * within)  # cheap again: back to the most
    assert clock.interval == 1 / MAX_FRAME_RATE


def test_no_frame_is_due_while_the_window_shows_one_nor_right_after():
    """After a long frame the next is overdue at once; it waits for the window to finish
    and then ``WINDOW_BREATH_S`` more, so the window's timers and input come in between."""
    clock = FrameClock(clock=lambda: 0.0)
    clock.taken(0.0)
    clock.showing()
    assert not clock.due(1.0)  # long overdue, but the window is still on the last one
    clock.shown(1.0)
    assert not clock.due(1.0 + 0.5 * WINDOW_BREATH_S)
    assert clock.due(1.0 + WINDOW_BREATH_S)
    clock.taken(1.0 + WINDOW_BREATH_S)
    assert not clock.due(1.0 + WINDOW_BREATH_S + 0.5 * clock.interval)  # and the interval as before
    assert clock.due(1.0 + WINDOW_BREATH_S + clock.interval)


def test_the_frame_clock_keeps_what_frames_take_from_the_training_within_its_own_budget():
    """A small net's training waits for the window's turn: cheap in CPU, costly in its time."""
    clock, run = _clock_driven_by_frames()
    cpu = 0.001  # well within FRAME_BUDGET
    run(5, cpu, 0.0015)  # 30 frames a second at 1.5 ms: 4.5 % of the training's time
    assert clock.interval == 1 / MAX_FRAME_RATE
    run(10, cpu, 0.004)  # 30 a second would take 12 %: fewer frames, back under the training's budget
    assert 1 / MAX_FRAME_RATE < clock.interval <= 1 / MIN_FRAME_RATE
    assert clock.training_share <= TRAINING_BUDGET * 1.05 and clock.share < FRAME_BUDGET
    run(10, cpu, 0.5)  # hopeless: the floor
    assert clock.interval == 1 / MIN_FRAME_RATE


def test_at_the_fewest_frames_the_clock_slows_the_views_with_a_cadence_of_their_own_first_and_undoes_it_first():
    clock, run = _clock_driven_by_frames()
    run(3, 0.0, 0.004)  # over the budget: fewer frames first, the views' cadence untouched meanwhile
    assert clock.view_stretch == 1.0 and clock.interval > 1 / MAX_FRAME_RATE
    run(10, 0.0, 0.01)  # 22 frames a second at 10 ms: 22 %, over the budget at the floor
    assert clock.interval == 1 / MIN_FRAME_RATE and clock.view_stretch == MAX_VIEW_STRETCH
    run(1.6, 0.0, 0.0001)  # cheap again: the views come back first, at the same frame rate
    assert 1.0 < clock.view_stretch < MAX_VIEW_STRETCH and clock.interval == 1 / MIN_FRAME_RATE
    run(10, 0.0, 0.0001)
    assert clock.view_stretch == 1.0 and clock.interval == 1 / MAX_FRAME_RATE


def test_a_new_run_measures_what_frames_cost_afresh_and_keeps_the_stretch():
    """The time between two runs (no frames) is no sign that frames are cheap: a new run
    starts with the stretch the last one reached, and its first half second decides."""
    for told in (False, True):
        clock, run = _clock_driven_by_frames()
        run(10, 0.0, 0.01)
        assert clock.view_stretch == MAX_VIEW_STRETCH
        run.now[0] += 5.0  # paused
        if told:
            clock.new_run()
        run(0.02, 0.0, 0.01)
        assert (clock.view_stretch == MAX_VIEW_STRETCH) is told


def test_a_stretched_cadence_makes_a_view_wait_that_many_times_longer(monkeypatch):
    from nnplay.gui import worker
    from nnplay.gui.worker import FrameMaker, Watch

    class SlowView:
        name, needs, every_s = "slow", frozenset(), 0.1

        def prepare(self, results, snapshot):
            return "picture"

    now = [100.0]
    monkeypatch.setattr(worker.time, "perf_counter", lambda: now[0])
    maker, watch = FrameMaker(_NoProbe()), Watch((SlowView(),))
    snapshot = type("S", (), {"final": False})()
    assert maker.frame_for(snapshot, watch, 3.0).pictures == {"slow": "picture"}
    now[0] += 0.25
    assert maker.frame_for(snapshot, watch, 3.0).pictures == {}  # due after 0.3 s, not 0.1 s
    now[0] += 0.06
    assert maker.frame_for(snapshot, watch, 3.0).pictures == {"slow": "picture"}


def _updates(trainer) -> int:
    return trainer.epoch * trainer.updates_per_epoch + trainer.update_in_epoch


def _held_for(runner, trainer, until, seconds=20.0) -> int:
    """Hold the window's turn (as a frame's paint does) until ``until(updates made)``, or
    ``seconds``; the updates made meanwhile."""
    import time

    with runner.turn.held():
        start, deadline = _updates(trainer), time.monotonic() + seconds
        while not until(_updates(trainer) - start) and time.monotonic() < deadline:
            time.sleep(0.01)  # lets go of the interpreter lock, as a paint's C++ parts do
        return _updates(trainer) - start


@pytest.mark.parametrize("units", [8, 64])
def test_a_small_nets_training_steps_aside_while_the_window_has_its_turn(qtbot, monkeypatch, units):
    """A small net's loop (nearly all Python) waits between two updates while the window
    shows and paints a frame; a wide net's (mostly in NumPy, which lets the lock go) does not."""
    import nnplay.gui.worker as worker

    monkeypatch.setattr(worker, "MAX_TURN_S", 60.0)
    experiment = _experiment([DenseConfig(units, "tanh"), DenseConfig(units, "tanh"), DenseConfig(1, "sigmoid")])
    runner = TrainingRunner()
    runner.start(experiment, 10**6)
    try:
        trainer = experiment.trainer
        qtbot.waitUntil(lambda: _updates(trainer) >= 20, timeout=WAIT)
        # a fifth of a second: the small net makes thousands of updates in that time when not waiting
        made = _held_for(runner, trainer, until=lambda made: made >= 50, seconds=0.2 if units == 8 else 20.0)
        if units == 8:
            assert made <= 1  # the update in progress, then it waited
            assert runner.clock._training_spent > 0  # and the clock heard what the wait took from it
        else:
            assert made >= 50
        before = _updates(trainer)
        qtbot.waitUntil(lambda: _updates(trainer) >= before + 100, timeout=WAIT)  # on again after the turn
    finally:
        runner.stop()


def test_a_turn_that_lasts_too_long_is_shared(qtbot, monkeypatch):
    """Past MAX_TURN_S the loop goes on, one update at a time with a short wait between."""
    import nnplay.gui.worker as worker

    monkeypatch.setattr(worker, "MAX_TURN_S", 0.01)
    experiment = _experiment()
    runner = TrainingRunner()
    runner.start(experiment, 10**6)
    try:
        qtbot.waitUntil(lambda: _updates(experiment.trainer) >= 20, timeout=WAIT)
        assert _held_for(runner, experiment.trainer, until=lambda made: made >= 200) >= 200  # not one wait each
    finally:
        runner.stop()


def test_past_its_limit_a_turn_costs_the_loop_a_short_wait_per_update(monkeypatch):
    import time

    import nnplay.gui.worker as worker

    monkeypatch.setattr(worker, "MAX_TURN_S", 0.02)
    monkeypatch.setattr(worker, "SHARED_TURN_WAIT_S", 0.005)
    turn = WindowTurn()
    assert turn.give_way() == 0.0  # no turn: no wait
    with turn.held():
        assert turn.give_way() >= 0.02  # the turn, up to its limit
        waits = [turn.give_way() for _ in range(3)]
        assert all(0.005 <= wait for wait in waits)  # then a short wait before each update …
        assert sum(waits) < 0.02 * 3  # … not the whole limit again
    started = time.perf_counter()
    assert turn.give_way() == 0.0 and time.perf_counter() - started < 0.005  # the turn is over


def _started_until_a_frame_is_posted(monkeypatch, experiment) -> TrainingRunner:
    """A run of a small net whose first frame is posted but not shown (no Qt events are
    processed here): its loop is waiting for the window's turn, as long as a minute."""
    import time

    import nnplay.gui.worker as worker

    monkeypatch.setattr(worker, "MAX_TURN_S", 60.0)
    runner = TrainingRunner()
    runner.start(experiment, 10**6)
    deadline = time.monotonic() + 20
    while runner.clock._last < 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)  # the loop reaches its wait
    return runner


def test_the_windows_turn_begins_when_a_small_nets_frame_is_posted(qtbot, monkeypatch):
    """The loop steps aside as soon as it posts a frame, before the GUI thread has run at
    all: to start on the frame the GUI thread needs the interpreter lock first."""
    import time

    experiment = _experiment()
    runner = _started_until_a_frame_is_posted(monkeypatch, experiment)
    try:
        trainer = experiment.trainer
        waiting_at = _updates(trainer)
        time.sleep(0.3)  # thousands of updates' time for this net
        assert _updates(trainer) - waiting_at <= 1  # it waits for the window
        qtbot.waitUntil(lambda: _updates(trainer) >= waiting_at + 100, timeout=WAIT)  # the window showed it: on again
    finally:
        runner.stop()


def test_a_stop_ends_a_wait_for_the_windows_turn(qtbot, monkeypatch):
    runner = _started_until_a_frame_is_posted(monkeypatch, _experiment())
    try:
        assert runner.request_stop(wait_s=10.0)  # the stop ends the wait: the run ends at once, not after 60 s
    finally:
        runner.stop()


def test_the_curves_redraw_less_often_while_the_views_are_slowed(monkeypatch):
    """A RedrawPacer's interval follows the frame clock's stretch, up to MAX_PACE_STRETCH."""
    import nnplay.gui.plots.curves as curves

    now = [100.0]
    monkeypatch.setattr(curves.time, "monotonic", lambda: now[0])
    pacer = curves.RedrawPacer()
    assert pacer.came(0.1)
    pacer.drawn()
    now[0] += 0.11
    assert pacer.came(0.1)  # not slowed: every 0.1 s
    pacer.drawn()
    pacer.stretch = 2.0
    now[0] += 0.11
    assert not pacer.came(0.1) and pacer.pending
    now[0] += 0.1
    assert pacer.came(0.1)  # every 0.2 s
    pacer.drawn()
    pacer.stretch = 100.0
    now[0] += 0.1 * curves.MAX_PACE_STRETCH + 0.01
    assert pacer.came(0.1)  # never slower than MAX_PACE_STRETCH times


def test_a_small_nets_frames_use_a_grid_that_fits_a_share_of_the_time_between_frames(monkeypatch):
    """Frames made by the training thread itself take a grid pass of at most
    INLINE_GRID_PASS_SHARE of the frame interval, a coarser grid if need be; the views
    thread, beside the training, may take GRID_PASS_BUDGET_S; the last frame the finest."""
    from nnplay.gui import worker
    from nnplay.gui.worker import INLINE_GRID_PASS_SHARE, ViewsThread

    class GridProbe:
        work_per_point = 1

        def compute(self, needs, snapshot, grid):
            if grid is not None:
                self.used = len(grid[0])
            return {}

    fine, middle, coarse = (np.zeros((n, 2)) for n in (20_000, 10_000, 5_000))
    watch = Watch((OutputView(),), ((fine, (200, 100)), (middle, (100, 100)), (coarse, (50, 100))))
    clock = FrameClock()
    clock.interval = 1 / MIN_FRAME_RATE
    views = ViewsThread(GridProbe(), watch, clock)
    views.maker.grid_s_per_point = 1e-7  # a pass of the finest grid: 2 ms
    snapshot = type("S", (), {"final": False})()
    monkeypatch.setattr(views.outbox, "put", lambda frame: False)

    views.make_and_post(snapshot)  # the views thread: 2 ms is within GRID_PASS_BUDGET_S
    assert views.maker.probe.used == len(fine) and worker.GRID_PASS_BUDGET_S >= 0.002
    budget = INLINE_GRID_PASS_SHARE * clock.interval
    assert 0.001 <= budget < 0.002
    views.make_and_post(snapshot, grid_budget_s=budget)  # the training thread: the next grid, 1 ms
    assert views.maker.probe.used == len(middle)
    views.make_and_post(type("S", (), {"final": True})(), grid_budget_s=budget)
    assert views.maker.probe.used == len(fine)


def test_the_training_thread_gives_its_frames_the_inline_grid_budget(qtbot, monkeypatch):
    """A small net's training thread makes its frames with INLINE_GRID_PASS_SHARE of the clock's interval."""
    from nnplay.gui import worker

    budgets = []
    original = worker.ViewsThread.make_and_post

    def spy(self, snapshot, turn=None, grid_budget_s=None):
        budgets.append((snapshot.final, grid_budget_s))
        return original(self, snapshot, turn, grid_budget_s)

    monkeypatch.setattr(worker.ViewsThread, "make_and_post", spy)
    experiment = _experiment()
    runner = TrainingRunner()
    runner.set_watch(_watch(experiment, OutputView()))
    _run(qtbot, runner, experiment, 40)
    while_training = [budget for final, budget in budgets if not final]
    share = worker.INLINE_GRID_PASS_SHARE
    assert while_training and all(share / MAX_FRAME_RATE - 1e-12 <= budget <= share / MIN_FRAME_RATE + 1e-12
                                  for budget in while_training)


def test_a_finer_grid_comes_back_only_when_it_fits_with_a_margin():
    """A pass whose cost wavers about the budget keeps the coarser grid (FINER_GRID_MARGIN)."""
    from nnplay.gui.worker import FINER_GRID_MARGIN, FrameMaker

    fine, coarse = np.zeros((10_000, 2)), np.zeros((5_000, 2))
    grids = ((fine, (100, 100)), (coarse, (50, 100)))
    maker = FrameMaker(probe=None)
    budget = 0.001
    maker.grid_s_per_point = 1.05 * budget / len(fine)  # the finest just over the budget
    assert maker._grid(grids, False, budget)[0] is coarse
    maker.grid_s_per_point = 0.95 * budget / len(fine)  # just under it: not yet
    assert maker._grid(grids, False, budget)[0] is coarse
    maker.grid_s_per_point = 0.99 * FINER_GRID_MARGIN * budget / len(fine)
    assert maker._grid(grids, False, budget)[0] is fine
    maker.grid_s_per_point = 0.95 * budget / len(fine)  # the finest kept while it fits
    assert maker._grid(grids, False, budget)[0] is fine
    maker.grid_s_per_point = 1.05 * budget / len(fine)
    assert maker._grid(grids, True, budget)[0] is fine  # the last frame: the finest, whatever it costs


def _cadence_view(name, every_s, needs=frozenset({"weights"})):
    class View:
        def prepare(self, results, snapshot):
            return name
    view = View()
    view.name, view.every_s, view.needs = name, every_s, needs
    return view


def test_in_a_run_the_slow_views_take_turns_the_most_overdue_first(monkeypatch):
    """A run's frame brings at most SLOW_VIEWS_PER_FRAME slow views (a cadence of their
    own and something to read): the one longest overdue for its cadence; every frame's
    views and views that read nothing still come; at a run's end every view comes."""
    from nnplay.gui import worker
    from nnplay.gui.worker import SLOW_VIEWS_PER_FRAME, FrameMaker, Watch

    assert SLOW_VIEWS_PER_FRAME == 1

    now = [100.0]
    monkeypatch.setattr(worker.time, "perf_counter", lambda: now[0])
    views = (_cadence_view("boundary", 0.0), _cadence_view("diagram", 0.1), _cadence_view("hidden", 0.1),
             _cadence_view("distributions", 0.25), _cadence_view("numbers", 0.2, needs=frozenset()))
    maker, watch = FrameMaker(_NoProbe()), Watch(views)
    training = type("S", (), {"final": False})()
    assert set(maker.frame_for(training, watch, 1.0).pictures) == {"boundary", "diagram", "numbers"}
    shown = []
    for _ in range(12):
        now[0] += 0.05
        pictures = set(maker.frame_for(training, watch, 2.0).pictures)
        assert "boundary" in pictures
        slow = pictures & {"diagram", "hidden", "distributions"}
        assert len(slow) <= 1
        shown.extend(slow)
    # each came in its turn, none was starved: at 2x, 0.2 s and 0.5 s cadences over 0.6 s
    assert shown.count("diagram") >= 2 and shown.count("hidden") >= 2 and shown.count("distributions") >= 1
    # the one furthest behind its cadence first: both shown (a run's end), then 0.6 s
    # later the diagram is 6 of its cadences behind, the distributions 2.4 of theirs
    maker = FrameMaker(_NoProbe())
    two = Watch((views[1], views[3]))
    assert set(maker.frame_for(type("S", (), {"final": True})(), two, 1.0).pictures) == {"diagram", "distributions"}
    now[0] += 0.6
    assert set(maker.frame_for(training, two, 2.0).pictures) == {"diagram"}
    now[0] += 0.05
    assert set(maker.frame_for(training, two, 2.0).pictures) == {"distributions"}
    final = type("S", (), {"final": True})()
    assert {"diagram", "hidden", "distributions"} <= set(maker.frame_for(final, watch, 2.0).pictures)


def test_the_curves_and_gradients_redraw_in_a_frame_without_a_slow_picture(monkeypatch):
    """A FrameSlot shared by the pacers: room for every redraw in an idle network's frame;
    in a run's frames one redraw a frame, none in a frame that brings a slow view's
    picture; a redraw that must wait stays pending."""
    import nnplay.gui.plots.curves as curves

    now = [100.0]
    monkeypatch.setattr(curves.time, "monotonic", lambda: now[0])
    slot = curves.FrameSlot()
    loss, gradients = curves.RedrawPacer(slot), curves.RedrawPacer(slot)
    slot.next_frame(shared=True, taken=True)
    assert loss.came() and gradients.came()  # an idle network's frame: both, whatever it brings
    loss.drawn(), gradients.drawn()
    now[0] += 1.0
    slot.next_frame(shared=False, taken=True)  # a run's frame with a slow picture
    assert not loss.came() and not gradients.came() and loss.pending and gradients.pending
    slot.next_frame(shared=False, taken=False)
    assert loss.came() and not gradients.came()  # one of them a frame
    loss.drawn()
    slot.next_frame(shared=False, taken=False)
    assert not loss.came() and gradients.came()  # the loss is not due again; the gradients' turn
