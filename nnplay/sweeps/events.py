"""What a job reports while it runs, in the order it happens.

A job (``LocalPool.start``, ``DaskPool.start``, ``SweepSession.start``) hands these
out from ``poll()`` or ``events()``. A live run's snapshots arrive as
``nnplay.sweeps.stream.RunSnapshot``. The last event of every job is ``JobFinished``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nnplay.sweeps.results import ResultRow
from nnplay.sweeps.run import RunOutcome


@dataclass(frozen=True)
class RunStarted:
    """A worker took the run (a Dask cluster does not say when: its runs have none)."""

    run: int
    worker: str
    attempt: int = 1


@dataclass(frozen=True)
class RunRetrying:
    """The worker process running it died; the run starts again once."""

    run: int
    message: str


@dataclass(frozen=True)
class RunFinished:
    """The run ended, however: ``outcome.status`` says how."""

    outcome: RunOutcome

    @property
    def run(self) -> int:
        return self.outcome.run


@dataclass(frozen=True)
class RunRecorded:
    """A sweep wrote the run's files and its row of results.csv (after ``RunFinished``);
    ``best``: it is now the best run by the sweep's metric."""

    row: ResultRow
    outcome: RunOutcome = field(repr=False)
    best: bool = False

    @property
    def run(self) -> int:
        return self.row.run


@dataclass(frozen=True)
class NetworkFetched:
    """A live run's network as it is now (the answer to ``fetch``): a network file's text."""

    run: int
    network: str = field(repr=False)


@dataclass(frozen=True)
class JobFinished:
    """Every run has ended (``cancelled`` False), or the job was cancelled."""

    cancelled: bool = False
