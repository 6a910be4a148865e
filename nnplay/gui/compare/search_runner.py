"""A search running off the GUI thread: ``SearchRunner`` drives a ``SweepJob``.

The job's events come with file writes (each finished run's network, results.csv,
best.nnp, written atomically with an fsync), and connecting to a Dask scheduler can
take seconds; neither may stall the window. So a thread opens the pool, starts the
session's pending runs and hands each event to the window as a signal (a handful per
run: nothing to throttle). ``cancel()`` may be called from the window at any time:
the job ends the runs under way, keeps the finished ones, and the thread ends with
``JobFinished(cancelled=True)``.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread, Signal

from nnplay.gui.compare import WORKER_NICE
from nnplay.sweeps import FolderError, LocalPool, SweepSession
from nnplay.sweeps.dask_pool import ClusterError, DaskPool

#: how long the thread waits for an event before looking again (cancel wakes it at once)
POLL_SECONDS = 0.5


class SearchRunner(QThread):
    #: every event of the job, ``JobFinished`` last
    event = Signal(object)
    #: the pool is open: how many runs it works on at once, and where (a line for the status)
    poolReady = Signal(int, str)
    #: nothing ran: no Dask, no scheduler, or a folder that cannot be written (one line)
    failed = Signal(str)

    def __init__(self, session: SweepSession, workers: int | None = None, scheduler: str | None = None,
                 parent=None):
        super().__init__(parent)
        self.session = session
        self.workers = workers
        self.scheduler = scheduler
        self.job = None
        self._lock = threading.Lock()
        self._cancelled = False

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            job = self.job
        if job is not None:
            job.cancel()

    def run(self) -> None:
        try:
            pool = DaskPool(self.scheduler) if self.scheduler else LocalPool(self.workers, nice=WORKER_NICE)
        except ClusterError as exc:
            self.failed.emit(str(exc))
            return
        try:
            with self._lock:
                if self._cancelled:
                    return
                self.job = self.session.start(pool)
            where = (f"the Dask cluster at {self.scheduler}" if self.scheduler
                     else f"{pool.size} local process{'es' * (pool.size != 1)}")
            self.poolReady.emit(pool.size, where)
            for event in self.job.events(POLL_SECONDS):
                self.event.emit(event)
        except FolderError as exc:
            self.failed.emit(str(exc))
        except OSError as exc:
            self.failed.emit(f"{self.session.folder}: cannot write there ({exc.strerror or exc})")
        finally:
            pool.close()
