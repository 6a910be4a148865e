"""Runs on an existing Dask cluster (``dask.distributed``): ``DaskPool`` and its jobs.

The cluster's workers run the same ``run_plan`` as local workers, on the same
``RunPlan`` (its BLAS thread count included), so with the same nnplay and NumPy
they give the same bits. Dask is optional: ``pip install 'nnplay[cluster]'``.
A worker that dies is Dask's to handle: the scheduler gives its tasks to another
worker, and a task that kills several workers ends as ``KilledWorker``, which is
recorded as a failed run. Live runs (snapshots, commands) need local processes.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any, Iterator

from nnplay.sweeps.events import JobFinished, RunFinished
from nnplay.sweeps.run import RunOutcome, RunPlan, run_plan

INSTALL = "pip install 'nnplay[cluster]'"


class ClusterError(ValueError):
    """No Dask, or no scheduler at the address; the message is one line."""


class DaskPool:
    """A client of the Dask scheduler at ``address`` (``tcp://host:8786``)."""

    def __init__(self, address: str, timeout: float = 10.0):
        try:
            import distributed
        except ImportError:
            raise ClusterError(f"running on a Dask cluster needs Dask's distributed package: {INSTALL}") from None
        self.address = address
        try:
            self.client = distributed.Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise ClusterError(f"cannot reach the Dask scheduler at {address} ({reason})") from None
        self.job: DaskJob | None = None

    @property
    def size(self) -> int:
        """Runs the cluster works on at once: its workers' threads."""
        return max(1, sum(self.client.nthreads().values()))

    def __enter__(self) -> "DaskPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self, plans: list[RunPlan]) -> "DaskJob":
        self.job = DaskJob(self, list(plans))
        return self.job

    def close(self) -> None:
        if self.job is not None and not self.job.finished:
            self.job.cancel()
        self.client.close()


class DaskJob:
    """Plans sent to the cluster all at once; same events as a ``LocalJob`` but no
    ``RunStarted`` (the scheduler does not say when a task starts)."""

    def __init__(self, pool: DaskPool, plans: list[RunPlan]):
        if any(plan.stream is not None for plan in plans):
            raise ValueError("live runs send snapshots to local processes only; a race runs on this machine")
        self.pool = pool
        self.total = len(plans)
        self.finished = self.cancelled = False
        self._lock = threading.Lock()
        self._done = threading.Event()  #: set by Dask (from its own thread) as each run ends
        self._backlog: list = []
        tag = uuid.uuid4().hex[:8]
        submit = pool.client.submit
        self._futures = {submit(run_plan, plan, key=f"nnplay-run-{plan.run}-{tag}", pure=False): plan
                         for plan in plans}
        for future in self._futures:
            future.add_done_callback(lambda _: self._done.set())
        if not plans:
            self._finish(self._backlog, cancelled=False)

    @property
    def running(self) -> list[int]:
        return []

    def cancel(self) -> None:
        with self._lock:
            if self.finished:
                return
            self.cancelled = True
            self.pool.client.cancel(list(self._futures))
            self._futures.clear()
            self._finish(self._backlog, cancelled=True)
        self._done.set()

    def command(self, command: str, run: int | None = None) -> None:
        raise RuntimeError("only live runs on local processes take commands")

    def events(self, timeout: float = 1.0) -> Iterator[Any]:
        while True:
            for event in self.poll(timeout):
                yield event
                if isinstance(event, JobFinished):
                    return

    def poll(self, timeout: float | None = 0.0) -> list:
        with self._lock:
            events, self._backlog = self._backlog, []
            if self.finished:
                return events
            pending = list(self._futures)
        if not events and timeout != 0 and not any(f.done() for f in pending):
            self._done.wait(timeout)
        self._done.clear()
        with self._lock:
            if self.finished:
                events += self._backlog
                self._backlog = []
                return events
            for future in [f for f in pending if f.done() and f in self._futures]:
                plan = self._futures.pop(future)
                events.append(RunFinished(self._outcome(future, plan)))
                future.release()
            if not self._futures:
                self._finish(events, cancelled=False)
        return events

    def _outcome(self, future, plan: RunPlan) -> RunOutcome:
        if future.status == "finished":
            return future.result()
        exc = future.exception()
        if type(exc).__name__ == "KilledWorker":
            return RunOutcome.failed(plan, "the Dask workers running it died (KilledWorker)")
        return RunOutcome.failed(plan, " ".join(f"{type(exc).__name__}: {exc}".split()))

    def _finish(self, events: list, cancelled: bool) -> None:
        self.finished = True
        events.append(JobFinished(cancelled))
