"""Training off the GUI thread, watched at a bounded cost.

Three threads share the work of one run:

- ``TrainingThread`` runs ``Trainer.run``. Between two updates its hook asks the
  ``FrameClock`` whether a frame is due; if so it takes a ``Snapshot`` (counters, the
  new history rows, and the weights and gradient RMS when a view on screen needs them:
  copies, tens of microseconds) and drops it into the views' mailbox. It never waits
  for a frame to be made.
- ``ViewsThread`` takes the newest snapshot, computes what the views on screen asked
  for (``Probe``: one batched grid pass that keeps every layer's output), lets each due
  view prepare its picture (NumPy arrays ready to show: an RGBA image, a curve) and
  posts the ``Frame`` to the window's mailbox, with a signal if the mailbox was empty.
  NumPy releases the interpreter lock in its loops and products, so this runs beside
  the training on the other core. (A small net's frames, ``INLINE_FRAME_WORK``, are
  made by the training thread itself: beside its all-Python loop nothing runs in
  parallel anyway.)
- The GUI thread shows the newest frame (a few ``setImage``/``setData`` calls) and paints
  it at once, in the window's turn (``WindowTurn``): a small net's training loop, nearly
  all Python, steps aside between two updates while the window works on a frame, so
  the window's many short calls into Python find the interpreter lock free.

A mailbox holds one item: a newer one replaces the pictures but keeps the history rows
of the one it replaces, so nothing queues up and no epoch is lost. The clock keeps the
cost of frames (making them, and the window's handling and painting) under
``FRAME_BUDGET`` of a core, and what they take from the training thread's own time
(its snapshots; for a small net, its frames and its waits for the window's turn)
under ``TRAINING_BUDGET``, lowering the frame rate (never below ``MIN_FRAME_RATE``),
never the training rate.
Views that are hidden ask for nothing, so they cost nothing.

To add a view: give it ``name``, ``needs`` (``nnplay.core.probes``), ``every_s`` (its
cadence), ``prepare`` (views thread, NumPy only) and ``show`` (GUI thread), and register
it with ``MainWindow.add_live_view(view, dock)``. A need the probes lack (say, every
layer's outputs over the training set, for histograms) is added to ``Probe.compute``.

``TrainingRunner`` is the window's handle: ``start``; ``request_stop`` (waits a moment
at most: a run that has not ended by then reports through ``stopped`` when its thread
has ended and its last frame, with every epoch, is out); ``stop`` (waits, for whoever
is about to change the engine).
"""

from __future__ import annotations

import contextlib
import math
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Protocol

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from nnplay.core.blas import blas_threads
from nnplay.core.experiment import Experiment
from nnplay.core.probes import GRID, NEEDS_WEIGHTS, Probe
from nnplay.core.snapshot import Snapshot, Snapshotter
from nnplay.core.trainer import Trainer

#: the most frames a second: smooth to the eye
MAX_FRAME_RATE = 30.0
#: the fewest frames a second the clock goes down to when frames are costly (a
#: coarser grid keeps costly nets above it): the target, 20, and a margin for frames
#: that are due in the middle of an update and come at its end
MIN_FRAME_RATE = 22.0
#: the least time between the window's showing one frame and the next frame, and none is
#: made while the window shows one: frames are due by the time they were taken, so during
#: a long one (the first picture of a view in a run, 60-80 ms with every dock open) the
#: next was made and posted, the window showed it at once, then the next, and its timers
#: and input waited for all of them (stalls of 90-160 ms)
WINDOW_BREATH_S = 0.01
#: the share of one core the frames may cost (the views' work plus the window's). Not
#: only a core's time: the views thread of a larger net takes the interpreter lock between
#: its NumPy calls, and each time it waits for it the training loop pays for the wake-ups
#: (measured on the 64-unit nets: at 0.2 of a core, 25-30 frames a second and 77-81 % of
#: headless; at 0.12, 23 frames a second and 83-88 %)
FRAME_BUDGET = 0.12
#: the share of the training thread's wall time watching may take from it: its
#: snapshots and, for a small net, making the frames and stepping aside for the
#: window's turn. Those come out of the training's own time, not another core's, so
#: they have a budget of their own, below what the issue allows watching to cost (20 %)
TRAINING_BUDGET = 0.1
#: how much longer than their own cadence (``every_s``) the views that have one may wait
#: for a new picture when frames at ``MIN_FRAME_RATE`` still cost more than the budgets
#: (every dock open on a small net): those views slow down, the boundary plot does not.
#: At 8 the network diagram and the hidden space still show 1.25 pictures a second
#: (at 4, ``spiral`` with every dock open lost 2 points more of its training to them)
MAX_VIEW_STRETCH = 8.0
#: the longest a grid pass may take while training before a coarser grid is used, when
#: the views thread makes the frames (beside the training, on the other core)
GRID_PASS_BUDGET_S = 0.008
#: the share of the time between two frames a grid pass may take when the training
#: thread makes the frames itself (a small net): that pass is the training's own time.
#: At 22 frames a second, 1.4 ms: spiral's grid of 22,800 points (every dock open, 2 ms a
#: pass on a 2.6 GHz Xeon, 4 % of the training) gives way to the 11,500 of the next
#: resolution; the run's last frame still uses the finest
INLINE_GRID_PASS_SHARE = 0.03
#: a finer grid than the last frame's is taken when its pass fits this share of the budget
FINER_GRID_MARGIN = 0.7
#: how many slow views (a cadence of their own, ``is_slow``) one frame of a run may bring
#: besides the boundary: they take turns, the one longest overdue for its cadence first,
#: and the loss curves and the Gradients plot redraw only in a frame that brings none
#: (``plots.curves.FrameSlot``), so no frame costs the window much more than the boundary
#: and one more picture. Left to their cadences they fell due together: with every dock
#: open the window took 6.5 ms for most of ``spiral``'s frames, 24 ms for one in six (the
#: curves and the Gradients plot together) and up to 37 ms when a slow view came as well;
#: at a run's start, before the clock had slowed anything, 130-180 ms (first axes, every
#: view at once), and the training loop waits out each such turn
SLOW_VIEWS_PER_FRAME = 1
#: multiply-adds per grid point up to which the training thread makes a frame itself (a
#: 2-8-8-1 net: 88; the 64-wide examples: over 4,000). A small net's training loop is
#: nearly all Python, so the views thread could not run beside it anyway: the two
#: would only take turns with the interpreter lock, and each turn costs more than such
#: a frame (about half a millisecond)
INLINE_FRAME_WORK = 1024
#: the interpreter's switch interval while a run trains (Python's default is 5 ms). A
#: thread that wants the interpreter lock waits up to this long for the training loop
#: to hand it over, and the views thread and the window take it many times a frame:
#: at 5 ms a frame of a small net took up to hundreds of milliseconds
SWITCH_INTERVAL_S = 0.001
#: the longest a small net's training loop steps aside for the window's turn. Most
#: turns are shorter (a median of 5 ms, a tenth over 15 ms on a 2-core KVM machine for
#: the default docks): waiting out the long ones too cost spiral 79 % -> 65 % of its
#: headless speed (docs/benchmarks.md, "A turn with a limit")
MAX_TURN_S = 0.008
#: past ``MAX_TURN_S``, how long the loop still waits between two updates while the
#: window's turn goes on: the two share the lock. Without this wait the window's every
#: call into Python waited for the loop's switch interval and a turn took up to 0.4 s
SHARED_TURN_WAIT_S = 0.0002


class LiveView(Protocol):
    """A view the worker feeds. ``prepare`` runs in the views thread (NumPy only: no Qt,
    no widget state, only what the view froze for it); ``show`` in the GUI thread."""

    name: str
    needs: frozenset[str]  #: what it reads (``nnplay.core.probes``)
    every_s: float  #: its own cadence: 0 for every frame, more for slow views

    def prepare(self, results: dict[str, Any], snapshot: Snapshot) -> Any: ...

    def show(self, picture: Any) -> None: ...


def is_slow(view: LiveView) -> bool:
    """A view with a cadence of its own that reads what a frame computes: the views that
    take turns (``SLOW_VIEWS_PER_FRAME``)."""
    return view.every_s > 0 and bool(view.needs)


@dataclass(frozen=True)
class Frame:
    """A snapshot and the pictures prepared from it, by view name."""

    snapshot: Snapshot
    pictures: dict[str, Any] = field(default_factory=dict)

    def after(self, *earlier: "Frame") -> "Frame":
        """This frame with the history rows of ``earlier`` frames (oldest first), and their
        pictures where this has none."""
        pictures = {}
        for frame in earlier:
            pictures.update(frame.pictures)
        pictures.update(self.pictures)
        return Frame(self.snapshot.after(*(frame.snapshot for frame in earlier)), pictures)

    def slimmed_for(self, newer: "Frame") -> "Frame":
        """What of this frame still counts once ``newer`` came: its rows, and its pictures
        of views ``newer`` has none for."""
        return Frame(self.snapshot, {k: v for k, v in self.pictures.items() if k not in newer.pictures})


class Mailbox:
    """Holds the newest item; the reader gets it with the rows of those it replaced
    (``item.after(*older)``). Putting costs the same however far the reader is behind:
    the older items are merged once, by the reader (merging on every put cost the
    writer, which holds the interpreter lock, time in proportion to the backlog, and
    the reader fell further behind)."""

    def __init__(self):
        self._ready = threading.Condition()
        self._item = None
        self._older: list = []

    def put(self, item) -> bool:
        """Returns whether the box was empty (the reader must be told)."""
        with self._ready:
            was_empty = self._item is None
            if not was_empty:
                slim = getattr(self._item, "slimmed_for", None)
                self._older.append(slim(item) if slim is not None else self._item)
            self._item = item
            self._ready.notify()
            return was_empty

    def take(self, timeout: float | None = 0.0):
        """The item, emptying the box; None if none came within ``timeout`` (None: wait)."""
        with self._ready:
            if self._item is None and timeout != 0.0:
                self._ready.wait(timeout)
            item, older = self._item, self._older
            self._item, self._older = None, []
        return item.after(*older) if item is not None and older else item


class WindowTurn:
    """The window's turn with the interpreter lock, while it shows and paints a frame.

    The training loop of a small net is nearly all Python and gives the lock back only
    for an instant (inside its tiny NumPy calls) before it takes it again. Another
    thread that waits for the lock then rarely gets it: each time the loop takes it
    back, the waiter's countdown to asking for it starts again (measured: the GUI
    thread waited for the lock half of the time, a frame took up to seconds). A frame
    enters Python from Qt over a hundred times (each pyqtgraph item's ``paint`` and
    ``boundingRect``, each QPainter call in them). So while the window works on a frame
    (``held``, in the GUI thread) such a loop waits between two updates (``give_way``):
    the window finds the lock free, and the turn lasts as long as the window's own
    work, a few milliseconds a frame. A turn longer than ``MAX_TURN_S`` is shared: the
    loop makes one update at a time, with a short wait (``SHARED_TURN_WAIT_S``) between.

    The turn begins when the frame is posted (``begin``, in the thread that posts it),
    not when the GUI thread starts on it: to start on it, the GUI thread needs the lock
    first, which is the very wait the turn is there to spare it (measured: with the
    turn begun in the GUI thread, ``abs_two_relus`` still fell to 11 frames a second
    with stalls of 0.5 s at load 2)."""

    def __init__(self):
        self._free = threading.Event()
        self._free.set()
        self._depth = 0
        self._lock = threading.Lock()
        self._turns = 0  # how many turns began; a turn that outlasted a wait is not waited for again
        self._outlasted = -1

    def begin(self) -> None:
        """A frame is about to be posted (from the thread that posts it): the window's
        turn starts now and lasts until the window has shown and painted it (``held``)."""
        with self._lock:
            if self._free.is_set():
                self._turns += 1
            self._free.clear()

    def end(self) -> None:
        """End a turn begun for a frame the window will not wait to show (a stop was
        asked for): the loop goes on to see the stop."""
        with self._lock:
            if not self._depth:
                self._free.set()

    @contextlib.contextmanager
    def held(self):
        """The window's work on a frame (GUI thread only; may nest)."""
        with self._lock:
            if not self._depth and self._free.is_set():
                self._turns += 1
            self._depth += 1
            self._free.clear()
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth:
                self._free.set()

    def give_way(self) -> float:
        """Between two updates: wait while the window has its turn, ``MAX_TURN_S`` at
        most; past that, only ``SHARED_TURN_WAIT_S`` between two updates (the loop and a
        window still at work share the lock). Returns the seconds waited."""
        if self._free.is_set():
            return 0.0
        turn = self._turns
        started = time.perf_counter()
        if turn == self._outlasted:
            self._free.wait(SHARED_TURN_WAIT_S)
        elif not self._free.wait(MAX_TURN_S):
            self._outlasted = turn
        return time.perf_counter() - started


class FrameClock:
    """When the next frame is due. Frames cost CPU time: the views thread's work, the
    window's handling and painting (each side reports what it spent, ``add_cost``);
    and they cost the training thread wall time (``add_training_cost``: its snapshots,
    a small net's frames and its waits for the window's turn). Twice a second the
    clock compares the first with ``FRAME_BUDGET`` and the second with
    ``TRAINING_BUDGET`` of the wall time and lengthens the interval between frames (up
    to ``1 / MIN_FRAME_RATE``) if either is over, or shortens it again (down to
    ``1 / MAX_FRAME_RATE``) if both are well under. At the fewest frames a second, over
    budget still, it stretches the cadence of the views that have one of their own
    (``view_stretch``, up to ``MAX_VIEW_STRETCH``; the first thing undone when frames are
    cheap again): the boundary plot keeps its frames, the slower views wait longer."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter):
        self.clock = clock
        self.interval = 1.0 / MAX_FRAME_RATE
        self.share = 0.0  #: the share of a core frames cost over the last half second
        self.training_share = 0.0  #: the share of the training thread's time they took
        #: how many times their own cadence the views that have one wait for a new picture
        self.view_stretch = 1.0
        #: all the wall seconds frames took from training threads so far (benchmarks read it)
        self.training_spent_total = 0.0
        self._last = -1e9
        self._window_done = -1e9  #: when the window finished its last frame (inf: showing one now)
        self._spent = 0.0
        self._training_spent = 0.0
        self._since = clock()

    def due(self, now: float) -> bool:
        return now - self._last >= self.interval and now - self._window_done >= WINDOW_BREATH_S

    def showing(self) -> None:
        """The window starts showing a frame (GUI thread): no frame is due until ``shown``."""
        self._window_done = math.inf

    def shown(self, now: float) -> None:
        """The window has shown its frame (GUI thread): the next waits ``WINDOW_BREATH_S``."""
        self._window_done = now

    def new_run(self) -> None:
        """A run starts: what frames cost is measured afresh, from now. The interval and
        the stretch stay as the last run left them (the same views on the same network
        cost the same); the time between two runs, when no frame is made, is no sign
        that frames are cheap (it undid a step of the stretch at every start)."""
        self._spent = self._training_spent = 0.0
        self._since = self.clock()

    def taken(self, now: float) -> None:
        self._last = now
        elapsed = now - self._since
        if elapsed < 0.5:
            return
        self.share, self._spent = self._spent / elapsed, 0.0
        self.training_share, self._training_spent, self._since = self._training_spent / elapsed, 0.0, now
        slowest = 1.0 / MIN_FRAME_RATE
        if self.share > FRAME_BUDGET or self.training_share > TRAINING_BUDGET:
            if self.interval < slowest:
                self.interval = min(self.interval * 1.25, slowest)
            else:
                self.view_stretch = min(self.view_stretch * 1.5, MAX_VIEW_STRETCH)
        elif self.share < 0.6 * FRAME_BUDGET and self.training_share < 0.6 * TRAINING_BUDGET:
            if self.view_stretch > 1.0:
                self.view_stretch = max(self.view_stretch / 1.25, 1.0)
            else:
                self.interval = max(self.interval / 1.25, 1.0 / MAX_FRAME_RATE)

    def add_cost(self, seconds: float) -> None:
        """CPU seconds one side spent on frames (from any thread)."""
        self._spent += seconds

    def add_training_cost(self, seconds: float) -> None:
        """Wall seconds the training thread spent on frames instead of training (its own thread)."""
        self._training_spent += seconds
        self.training_spent_total += seconds


@dataclass(frozen=True)
class Watch:
    """What a run's frames are made of: the views on screen and the grids to evaluate."""

    views: tuple = ()
    grids: tuple = ()  #: ``(points, shape)``, finest first: the last frame uses the first

    @property
    def needs(self) -> frozenset[str]:
        return frozenset().union(*(view.needs for view in self.views))


class FrameMaker:
    """Turns snapshots into frames: computes what the due views need, once, and lets each
    prepare its picture. Used by the views thread, and by the window for a frame of an
    idle network."""

    def __init__(self, probe: Probe):
        self.probe = probe
        self.grid_s_per_point = 0.0  #: what a grid pass costs, per point (a running mean)
        self._prepared_at: dict[str, float] = {}
        self._grid_index = 0  # which of the grids the last frame used

    def frame_for(self, snapshot: Snapshot, watch: Watch, stretch: float = 1.0,
                  grid_budget_s: float | None = None) -> Frame:
        """The pictures of the views that are due (all of them for a final snapshot); a
        view's cadence is ``stretch`` times its own (``FrameClock.view_stretch``); the
        grid is the finest whose pass fits ``grid_budget_s`` (``GRID_PASS_BUDGET_S`` if
        None) while training."""
        now = time.perf_counter()
        due = [view for view in watch.views
               if snapshot.final or now - self._prepared_at.get(view.name, -1e9) >= view.every_s * stretch]
        if not snapshot.final:
            due = self._taking_turns(due, now)
        needs = frozenset().union(*(view.needs for view in due))
        grid = self._grid(watch.grids, snapshot.final,
                          GRID_PASS_BUDGET_S if grid_budget_s is None else grid_budget_s)
        # no run trains during a final frame (the next one starts after it): one BLAS
        # thread, as the training thread has for the frames of a small net
        with blas_threads(1) if snapshot.final else contextlib.nullcontext():
            # the grid pass alone, timed: what the next grid's choice rests on (CPU time:
            # waits for the interpreter lock are no cost of the pass)
            started = time.thread_time()
            results = self.probe.compute(needs & {GRID}, snapshot, grid)
            if GRID in results:
                per_point = (time.thread_time() - started) / max(1, len(grid[0]))
                self.grid_s_per_point += (0.3 * (per_point - self.grid_s_per_point) if self.grid_s_per_point
                                          else per_point)
            results.update(self.probe.compute(needs - {GRID}, snapshot, None))
        pictures = {}
        for view in due:
            if view.needs.issubset(results):  # a snapshot taken before the view came has no copies for it
                pictures[view.name] = view.prepare(results, snapshot)
                self._prepared_at[view.name] = now
        return Frame(snapshot, pictures)

    def _taking_turns(self, due: list, now: float) -> list:
        """``due`` with at most ``SLOW_VIEWS_PER_FRAME`` slow views, those longest
        overdue for their cadence; the views of every frame all stay."""
        slow = [view for view in due if is_slow(view)]
        if len(slow) <= SLOW_VIEWS_PER_FRAME:
            return due
        slow.sort(key=lambda view: (now - self._prepared_at.get(view.name, -1e9)) / view.every_s, reverse=True)
        waiting = slow[SLOW_VIEWS_PER_FRAME:]
        return [view for view in due if view not in waiting]

    def _grid(self, grids: tuple, final: bool, budget_s: float):
        """The finest grid whose pass fits ``budget_s`` while training; the finest at the end.
        A finer grid than the last must fit ``FINER_GRID_MARGIN`` of it: a pass whose cost
        wavers about the budget would switch the picture's resolution back and forth."""
        if not grids:
            return None
        if final or not self.grid_s_per_point:
            chosen = 0
        else:
            chosen = next((i for i, (points, _shape) in enumerate(grids)
                           if self.grid_s_per_point * len(points) <= budget_s * (FINER_GRID_MARGIN if i < self._grid_index
                                                                                 else 1.0)),
                          len(grids) - 1)
        self._grid_index = chosen
        return grids[chosen]


class ViewsThread(QThread):
    """Turns one run's snapshots into frames; ends after the run's final snapshot."""

    frameReady = Signal()

    def __init__(self, probe: Probe, watch: Watch, clock: FrameClock, parent: QObject | None = None):
        super().__init__(parent)
        self.maker = FrameMaker(probe)
        self.watch = watch  #: replaced (never changed) by the GUI thread when views come and go
        self.clock = clock
        self.inbox = Mailbox()
        self.outbox = Mailbox()
        self.failure: str | None = None  #: the last error of a view's work, for whoever looks

    def run(self) -> None:
        while True:
            snapshot = self.inbox.take(timeout=None)
            if snapshot is not None:
                self.make_and_post(snapshot)
                if snapshot.final:
                    return

    def make_and_post(self, snapshot: Snapshot, turn: WindowTurn | None = None,
                      grid_budget_s: float | None = None) -> None:
        """Make the frame (in whichever thread calls this; one at a time) and post it;
        ``turn``: the window's turn begins as it is posted; ``grid_budget_s``: what a grid
        pass may take (``FrameMaker.frame_for``)."""
        started = time.thread_time()
        try:
            frame = self.maker.frame_for(snapshot, self.watch, self.clock.view_stretch, grid_budget_s)
        except Exception as exc:  # a view's bug must not hold back the run's rows or its end
            self.failure = f"{type(exc).__name__}: {exc}"
            frame = Frame(snapshot)
        if not snapshot.final:
            self.clock.add_cost(time.thread_time() - started)
        if turn is not None:
            turn.begin()
        if self.outbox.put(frame):
            self.frameReady.emit()


class TrainingThread(QThread):
    """One run of ``trainer.run(until_epoch)``, handing snapshots to ``views``."""

    def __init__(self, experiment: Experiment, until_epoch: int, run: int, views: ViewsThread,
                 turn: WindowTurn, max_rate: float | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.turn = turn
        self.experiment = experiment
        self.trainer: Trainer = experiment.trainer
        self.until_epoch = until_epoch
        self.views = views
        #: updates per second to hold to, or None for as fast as it goes; may change while running
        self.max_rate = max_rate
        self.snapshots = Snapshotter(self.trainer, run)
        #: make frames here, not in the views thread (``INLINE_FRAME_WORK``); the views
        #: thread then only makes the run's last one, after this thread is done
        self.inline = views.maker.probe.work_per_point <= INLINE_FRAME_WORK
        #: step aside while the window has its turn (``WindowTurn``): a loop that is nearly
        #: all Python, the same nets whose frames are made here
        self.gives_way = self.inline
        self._stop = threading.Event()
        self._next_update_at = 0.0

    def request_stop(self) -> None:
        """Safe from any thread: the run ends after the update in progress."""
        self._stop.set()
        self.trainer.request_stop()
        self.turn.end()  # a small net's loop may be waiting for the window's turn

    # ---- in the worker thread
    def run(self) -> None:
        self._next_update_at = time.perf_counter()
        error = None
        try:
            # overflow on the way to divergence is expected: the trainer reports it as such
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                if not self._stop.is_set():
                    self.trainer.run(self.until_epoch, on_update=self._on_update)
        except Exception as exc:  # shown by the window; a thread must not die with a traceback
            error = f"{type(exc).__name__}: {exc}"
        try:
            final = self._snapshot(final=True)
        except Exception as exc:  # the engine cannot even be looked at: the window still hears the end
            error = error or f"{type(exc).__name__}: {exc}"
            final = self.snapshots.bare()
        self.views.inbox.put(replace(final, error=error) if error else final)

    def _snapshot(self, final: bool = False) -> Snapshot:
        needs = self.views.watch.needs
        # the pre-training picture reads the live decoder (gone after the first layer), so it
        # is taken here, whatever is on screen: a few hundred points, while the first layer pre-trains
        return self.snapshots.take(weights=bool(needs & NEEDS_WEIGHTS), gradients=True, final=final,
                                   reconstruction=True)

    def _send(self, snapshot: Snapshot) -> None:
        if self.inline:
            self.views.make_and_post(snapshot, self.turn if self.gives_way else None,
                                     INLINE_GRID_PASS_SHARE * self.views.clock.interval)
        else:
            self.views.inbox.put(snapshot)

    def _on_update(self, trainer: Trainer) -> None:
        self.snapshots.updates += 1
        clock = self.views.clock
        if self.gives_way:
            waited = self.turn.give_way()
            if waited:
                clock.add_training_cost(waited)
        now = time.perf_counter()
        if clock.due(now):
            clock.taken(now)
            self._send(self._snapshot())
            clock.add_training_cost(time.perf_counter() - now)
        rate = self.max_rate
        if rate:
            self._next_update_at = max(self._next_update_at + 1.0 / rate, now - 0.1)
            self._pause_until(self._next_update_at)

    def _pause_until(self, deadline: float) -> None:
        """Sleep to hold the speed setting; slow steps still show and still stop at once."""
        clock, shown = self.views.clock, self.snapshots.updates
        while not self._stop.is_set():
            now = time.perf_counter()
            if now >= deadline:
                return
            if clock.due(now) and self.snapshots.updates != shown:
                clock.taken(now)
                shown = self.snapshots.updates
                self._send(self._snapshot())
            self._stop.wait(min(deadline - now, clock.interval))


class TrainingRunner(QObject):
    """Starts and stops training runs for the window; only used from the GUI thread."""

    #: a frame to show, from the running run (or its last, just before ``stopped``)
    frame = Signal(object)
    #: the run ended and its last frame was handed out: the final snapshot
    stopped = Signal(object)
    runningChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._training: TrainingThread | None = None
        self._views: ViewsThread | None = None
        self._stopping = False
        self._runs = 0
        self._max_rate: float | None = None
        self._watch = Watch()
        self._switch_interval: float | None = None  # the interpreter's, while a run changes it
        self.clock = FrameClock()
        #: the window's turn with the interpreter lock (``WindowTurn``): held while it handles or paints a frame
        self.turn = WindowTurn()

    @property
    def running(self) -> bool:
        """Training, and not asked to stop."""
        return self._training is not None and not self._stopping

    @property
    def busy(self) -> bool:
        """A run's threads are still alive (running or finishing after a stop request)."""
        return self._training is not None

    @property
    def run(self) -> int:
        """The number of the current (or last) run: 1 for the first."""
        return self._runs

    @property
    def max_rate(self) -> float | None:
        return self._max_rate

    def set_max_rate(self, rate: float | None) -> None:
        """Updates per second to hold to (None: as fast as it goes); applies at once."""
        self._max_rate = rate
        if self._training is not None:
            self._training.max_rate = rate

    @property
    def watch(self) -> Watch:
        return self._watch

    def set_watch(self, watch: Watch) -> None:
        """The views on screen and the grids; applies from the next frame on."""
        self._watch = watch
        if self._views is not None:
            self._views.watch = watch

    def add_frame_cost(self, seconds: float) -> None:
        """The window's time for one frame, counted against the frame budget."""
        self.clock.add_cost(seconds)

    def start(self, experiment: Experiment, until_epoch: int) -> None:
        self.stop()
        if self._switch_interval is None:
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(SWITCH_INTERVAL_S)
        self._runs += 1
        self._stopping = False
        self.clock.new_run()
        views = ViewsThread(Probe(experiment), self._watch, self.clock, self)
        views.frameReady.connect(self._deliver)  # queued: emitted from the views thread
        training = TrainingThread(experiment, until_epoch, self._runs, views, self.turn, self._max_rate, self)
        self._views, self._training = views, training
        views.start()
        training.start()
        self.runningChanged.emit(True)

    def request_stop(self, wait_s: float = 0.0) -> bool:
        """Ask the run to end after the update in progress and wait at most ``wait_s`` for
        it (its last frame included); returns whether it has ended. If not, it reports
        through ``stopped`` when it does."""
        training, views = self._training, self._views
        if training is None:
            return True
        if not self._stopping:
            self._stopping = True
            training.request_stop()
            self.runningChanged.emit(False)
        deadline = time.perf_counter() + wait_s
        if wait_s > 0 and training.wait(max(1, int(1000 * wait_s))):
            if views.wait(max(1, int(1000 * (deadline - time.perf_counter())))):
                self._deliver()
        return self._training is None

    def stop(self) -> Snapshot | None:
        """Stop the run, if any, and wait for it: the engine is idle when this returns."""
        training, views = self._training, self._views
        if training is None:
            return None
        self.request_stop()
        training.wait()
        views.wait()  # it ends after the final snapshot, which the training thread sent last
        return self._deliver()

    def _deliver(self) -> Snapshot | None:
        views = self._views
        if views is None:
            return None
        with self.turn.held():  # the window shows and paints it in this turn (begun when it was posted)
            frame = views.outbox.take()
            if frame is None:
                return None
            self.clock.showing()
            try:
                self.frame.emit(frame)
            finally:
                self.clock.shown(time.perf_counter())
        if not frame.snapshot.final:
            return None
        self._training.wait()
        views.wait()
        for thread in (self._training, views):
            thread.deleteLater()
        self._training = self._views = None
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None
        if not self._stopping:
            self.runningChanged.emit(False)
        self._stopping = False
        self.stopped.emit(frame.snapshot)
        return frame.snapshot
