"""Runs on local worker processes: ``LocalPool`` and the ``LocalJob`` it starts.

Each worker is a process started with multiprocessing's ``spawn`` method (a fresh
interpreter: no Qt, threads or locks inherited from the parent) and talks to the
parent over its own pipe: the parent sends a ``RunPlan``, the worker answers
``started``, any snapshots, then ``finished`` with the ``RunOutcome``. So the
parent always knows which run each worker holds: when a worker process dies (its
sentinel fires), its run is reported and started again once on a new worker; a
second death records it as failed. Workers ignore Ctrl-C: the parent decides, and
its ``cancel()`` ends the runs under way (finished runs are not touched).

A job is driven by whoever calls ``poll()`` or iterates ``events()``: a command-line
loop, or a thread of the app. ``cancel()`` and ``command()`` may be called from any
other thread.
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import signal
import threading
from dataclasses import replace
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator

from nnplay.sweeps.events import JobFinished, NetworkFetched, RunFinished, RunRetrying, RunStarted
from nnplay.sweeps.run import RunOutcome, RunPlan, run_plan, worker_name
from nnplay.sweeps.stream import COMMANDS, RunSnapshot

Task = Callable[[RunPlan, Any], RunOutcome]
#: how long ``events()`` waits for a message before looking again (cancel wakes it at once)
POLL_SECONDS = 1.0


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class ParentGone(BaseException):
    """The parent closed the pipe: the worker ends (not an error of the run)."""


class PipeChannel:
    """The worker's end of its pipe, as a ``stream.Channel``."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def send(self, message: Any) -> None:
        try:
            self.conn.send(message)
        except OSError:
            raise ParentGone() from None

    def poll(self) -> bool:
        try:
            return self.conn.poll()
        except OSError:
            raise ParentGone() from None

    def recv(self) -> Any:
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            raise ParentGone() from None


def worker_main(conn: Connection, task: Task, nice: int = 0) -> None:
    """A worker process: run each plan the parent sends until it sends None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in a terminal reaches the whole group
    if nice and hasattr(os, "nice"):
        os.nice(nice)
    channel = PipeChannel(conn)
    try:
        while True:
            message = channel.recv()
            if message is None:
                return
            if not isinstance(message, RunPlan):
                continue  # a command that came after its run had ended
            channel.send(("started", message.run, worker_name(), message.attempt))
            channel.send(("finished", task(message, channel)))
    except ParentGone:
        return


class _Worker:
    def __init__(self, process, conn: Connection):
        self.process = process
        self.conn = conn
        self.plan: RunPlan | None = None  #: the run it holds
        self.broken = False  #: its pipe failed: it is ended and handled like a death


class LocalPool:
    """Worker processes on this machine, ``workers`` of them at most (default: all
    cores), started when a job needs them and kept for the next job until ``close()``.
    ``nice`` lowers the workers' scheduling priority (the app's pools: a window that
    shares the cores with them gets the CPU first when it needs it, and the workers
    all of it otherwise; the bits are the same)."""

    def __init__(self, workers: int | None = None, task: Task = run_plan, nice: int = 0):
        if workers is not None and workers < 1:
            raise ValueError("a pool needs at least one worker")
        self.size = workers or available_cores()
        self.task = task
        self.nice = nice
        self._context = multiprocessing.get_context("spawn")
        self.workers: list[_Worker] = []
        self.job: LocalJob | None = None

    def __enter__(self) -> "LocalPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self, plans: Iterable[RunPlan]) -> "LocalJob":
        if self.job is not None and not self.job.finished:
            raise RuntimeError("the pool is running a job; cancel it or wait for it first")
        self.job = LocalJob(self, list(plans))
        return self.job

    def spawn(self) -> _Worker:
        parent_end, child_end = self._context.Pipe(duplex=True)
        process = self._context.Process(target=worker_main, args=(child_end, self.task, self.nice), daemon=True,
                                        name="nnplay-worker")
        process.start()
        child_end.close()
        worker = _Worker(process, parent_end)
        self.workers.append(worker)
        return worker

    def discard(self, worker: _Worker, kill: bool = False) -> None:
        if kill and worker.process.is_alive():
            worker.process.terminate()
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()
        if worker in self.workers:
            self.workers.remove(worker)

    def close(self) -> None:
        """Cancel a job still running and end every worker."""
        if self.job is not None and not self.job.finished:
            self.job.cancel()
        for worker in list(self.workers):
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in list(self.workers):
            self.discard(worker, kill=worker.plan is not None)


class LocalJob:
    """Plans run on a ``LocalPool``; see the module's docstring."""

    def __init__(self, pool: LocalPool, plans: list[RunPlan]):
        self.pool = pool
        self.total = len(plans)
        self._queue = collections.deque(plans)
        self._open = {plan.run for plan in plans}  #: runs without an outcome yet
        self._lock = threading.RLock()
        self._wake_reader, self._wake_writer = multiprocessing.Pipe(duplex=False)
        self._backlog: list = []
        self._commands: dict[int, list[str]] = collections.defaultdict(list)  #: for runs not started
        self._networks: dict[int, str] = {}  #: finished live runs, for a late ``fetch``
        self.finished = False
        self.cancelled = False
        if not plans:
            self._finish(self._backlog, cancelled=False)

    # ---- from any thread
    def cancel(self) -> None:
        """End the runs under way and drop those not started; finished ones stay."""
        with self._lock:
            if self.finished:
                return
            self.cancelled = True
            self._queue.clear()
            for worker in list(self.pool.workers):
                if worker.plan is not None:
                    self.pool.discard(worker, kill=True)
            self._open.clear()
            self._finish(self._backlog, cancelled=True)
        self._wake()

    def command(self, command: str, run: int | None = None) -> None:
        """Send a live run (``run``) or every live run (None) ``pause``, ``resume``,
        ``step`` (to the end of the next epoch, then pause), ``stop`` or ``fetch``."""
        if command not in COMMANDS:
            raise ValueError(f"unknown command {command!r}; the commands are {', '.join(COMMANDS)}")
        with self._lock:
            targets = sorted(self._open) if run is None else [run]
            for target in targets:
                self._command_one(command, target)
        self._wake()

    @property
    def running(self) -> list[int]:
        """The runs a worker holds now."""
        with self._lock:
            return sorted(w.plan.run for w in self.pool.workers if w.plan is not None)

    # ---- from the thread that drives the job
    def events(self, timeout: float = POLL_SECONDS) -> Iterator[Any]:
        """Every event until ``JobFinished`` (included)."""
        while True:
            for event in self.poll(timeout):
                yield event
                if isinstance(event, JobFinished):
                    return

    def poll(self, timeout: float | None = 0.0) -> list:
        """The events that came within ``timeout`` seconds (0: only those waiting;
        None: wait for at least one)."""
        with self._lock:
            events, self._backlog = self._backlog, []
            if self.finished:
                return events
            self._dispatch(events)
            waitables = [self._wake_reader] + [w.conn for w in self.pool.workers] \
                + [w.process.sentinel for w in self.pool.workers]
        try:
            ready = set(wait(waitables, 0 if events else timeout))
        except (OSError, ValueError):  # cancel() closed a pipe under us: the job is over
            ready = set()
        with self._lock:
            if self.finished:
                return events + self._take_backlog()
            if self._wake_reader in ready:
                while self._wake_reader.poll():
                    self._wake_reader.recv_bytes()
            for worker in list(self.pool.workers):
                if worker.conn in ready or worker.process.sentinel in ready:
                    self._read(worker, events)
                if worker.broken or worker.process.sentinel in ready:
                    self._lost(worker, events)
            self._dispatch(events)
            if not self._open:
                self._finish(events, cancelled=False)
        return events

    def _take_backlog(self) -> list:
        events, self._backlog = self._backlog, []
        return events

    def _dispatch(self, events: list) -> None:
        pool = self.pool
        while self._queue:
            idle = next((w for w in pool.workers if w.plan is None and not w.broken), None)
            if idle is None:
                if len(pool.workers) >= pool.size:
                    return
                idle = pool.spawn()
            plan = self._queue.popleft()
            idle.plan = plan
            try:
                idle.conn.send(plan)
                for command in self._commands.pop(plan.run, []):
                    idle.conn.send(command)
            except OSError:
                idle.broken = True  # handled with the next poll, like a death

    def _read(self, worker: _Worker, events: list) -> None:
        try:
            while worker.conn.poll():
                self._handle(worker, worker.conn.recv(), events)
        except (EOFError, OSError):
            worker.broken = True

    def _handle(self, worker: _Worker, message: tuple, events: list) -> None:
        kind = message[0]
        if kind == "started":
            _, run, name, attempt = message
            events.append(RunStarted(run, name, attempt))
        elif kind == "snapshot":
            snapshot: RunSnapshot = message[1]
            events.append(snapshot)
        elif kind == "fetched":
            events.append(NetworkFetched(message[1], message[2]))
        elif kind == "finished":
            outcome: RunOutcome = message[1]
            worker.plan = None
            if outcome.run in self._open:
                self._open.discard(outcome.run)
                if outcome.network is not None:
                    self._networks[outcome.run] = outcome.network
                events.append(RunFinished(outcome))

    def _lost(self, worker: _Worker, events: list) -> None:
        """A worker died or its pipe broke: its run goes again once, then counts as failed."""
        plan = worker.plan
        worker.process.join(timeout=1.0)  # a closed pipe comes a moment before the exit status
        code = None if worker.process.is_alive() else worker.process.exitcode
        self.pool.discard(worker, kill=True)
        if plan is None or plan.run not in self._open:
            return
        why = describe_exit(code)
        if plan.attempt < 2:
            self._queue.appendleft(replace(plan, attempt=plan.attempt + 1))
            events.append(RunRetrying(plan.run, f"the worker process running it died ({why}); "
                                                "starting it again"))
        else:
            self._open.discard(plan.run)
            events.append(RunFinished(RunOutcome.failed(
                plan, f"the worker process running it died twice ({why})")))

    def _command_one(self, command: str, run: int) -> None:
        if command == "fetch" and run in self._networks:
            self._backlog.append(NetworkFetched(run, self._networks[run]))
            return
        worker = next((w for w in self.pool.workers if w.plan is not None and w.plan.run == run), None)
        if worker is None:
            if run in self._open:
                self._commands[run].append(command)
            return
        try:
            worker.conn.send(command)
        except OSError:
            worker.broken = True

    def _finish(self, events: list, cancelled: bool) -> None:
        self.finished = True
        events.append(JobFinished(cancelled))

    def _wake(self) -> None:
        try:
            self._wake_writer.send_bytes(b"!")
        except OSError:
            pass


def describe_exit(code: int | None) -> str:
    if code is None:
        return "its pipe broke"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = ", perhaps out of memory" if name == "SIGKILL" else ""
        return f"killed by {name}{hint}"
    return f"exit status {code}"
