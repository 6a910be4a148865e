"""A sweep and its results folder: which runs are left, and every file it writes.

``SweepSession(sweep, folder)`` plans and checks every run (nothing starts when one
is wrong), reads what an earlier run of the same sweep left in the folder, and
``start(pool)`` runs the rest. As each run ends, the parent writes, each file
atomically: ``run-<k>.nnp`` (the trained network, as ``nnplay train`` writes it),
``run-<k>.error.txt`` for a failed run, ``results.csv`` (every run, an empty status
for those not done), and ``best.nnp`` when the best run changes. So a sweep cut
short keeps every finished run, and running it again skips every run with a status.
``sweep.json`` records the sweep (its base inline): a folder is never resumed with
a different sweep, and the app opens a folder from it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

from nnplay.io.atomic import write_atomic
from nnplay.io.networkfile import dumps
from nnplay.io.schema import NetworkFileError, network_to_dict, parse_network
from nnplay.sweeps.blas import current_blas_threads
from nnplay.sweeps.events import JobFinished, RunFinished, RunRecorded
from nnplay.sweeps.plan import PlannedRun, plan_runs
from nnplay.sweeps.results import (
    ResultRow, best_row, fill_from_cells, header, parse_csv, results_csv, same_cell,
)
from nnplay.sweeps.run import RunOutcome, RunPlan
from nnplay.sweeps.sweepfile import Sweep, SweepFileError, parse_sweep, sweep_to_dict

RESULTS = "results.csv"
SWEEP = "sweep.json"
BEST = "best.nnp"
#: keys of sweep.json that may differ when a folder is resumed: more random runs draw
#: the same first ones, and the metric only ranks
_MAY_CHANGE = ("runs", "metric")


class FolderError(ValueError):
    """A results folder nnplay cannot use for this sweep; the message is one line."""


def _as_written_now(base: Any) -> Any:
    """A recorded base network as this version records it (an optional setting written as
    null, which an older version left out), so that the same sweep is recognised."""
    if not isinstance(base, dict):
        return base
    try:
        return network_to_dict(parse_network(base), complete=True)
    except NetworkFileError:
        return base


def run_file(folder: Path, run: int) -> Path:
    return folder / f"run-{run}.nnp"


def error_file(folder: Path, run: int) -> Path:
    return folder / f"run-{run}.error.txt"


class SweepSession:
    def __init__(self, sweep: Sweep, folder: str | os.PathLike):
        self.sweep = sweep
        self.folder = Path(folder)
        self.runs: list[PlannedRun] = plan_runs(sweep)
        self.rows = [ResultRow(run.index, run.values) for run in self.runs]
        self._best_run: int | None = None
        self._check_folder()
        self._read_results()

    @classmethod
    def open(cls, folder: str | os.PathLike) -> "SweepSession":
        """The sweep a results folder holds, with its results (the app's Open Results)."""
        path = Path(folder) / SWEEP
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FolderError(f"{folder}: holds no {SWEEP}, so it is not a sweep's results folder") from None
        except (OSError, ValueError) as exc:
            raise FolderError(f"{path}: cannot read it ({exc})") from None
        return cls(parse_sweep(obj, folder), folder)

    # ---- what is there
    @property
    def paths(self) -> list[str]:
        return self.sweep.paths

    def pending(self) -> list[PlannedRun]:
        """The runs without a status, in run order."""
        return [run for run in self.runs if self.rows[run.index].status is None]

    def best(self) -> ResultRow | None:
        return best_row(self.rows, self.sweep.metric)

    def _check_folder(self) -> None:
        if self.folder.exists() and not self.folder.is_dir():
            raise FolderError(f"{self.folder}: is a file, not a folder")
        path = self.folder / SWEEP
        if not path.exists():
            return
        try:
            before = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FolderError(f"{path}: cannot read it ({exc})") from None
        now = self._record()
        before["base"] = _as_written_now(before.get("base"))
        for key in sorted(set(before) | set(now)):
            if key not in _MAY_CHANGE and before.get(key) != now.get(key):
                raise FolderError(f"{self.folder}: holds the results of a different sweep (its {key} "
                                  f"differs from this one's); use another folder, or delete it to start over")

    def _read_results(self) -> None:
        path = self.folder / RESULTS
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            raise FolderError(f"{path}: cannot read it ({exc})") from None
        names, rows = parse_csv(text)
        if names and names != header(self.paths):
            raise FolderError(f"{path}: its columns are not this sweep's; use another folder")
        for line, cells in enumerate(rows, start=2):
            self._read_row(path, line, dict(zip(names, cells)))

    def _read_row(self, path: Path, line: int, cells: dict[str, str]) -> None:
        where = f"{path}: line {line}"
        try:
            run = int(cells["run"])
            row = self.rows[run]
        except (KeyError, ValueError, IndexError):
            raise FolderError(f"{where}: run {cells.get('run', '')!r} is not a run of this sweep") from None
        for name, value in row.values.items():
            if not same_cell(cells.get(name, ""), value):
                raise FolderError(f"{where}: run {run} has {name} {cells.get(name)!r} there and "
                                  f"{value!r} in this sweep; use another folder")
        if cells.get("status"):
            try:
                fill_from_cells(row, cells)
            except (KeyError, ValueError) as exc:
                raise FolderError(f"{where}: {exc}") from None

    # ---- writing
    def _record(self) -> dict[str, Any]:
        return sweep_to_dict(self.sweep, inline_base=True)

    def prepare(self) -> None:
        """Create the folder and write sweep.json and results.csv (every run, none done)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.folder / SWEEP, dumps(self._record()).encode("utf-8"))
            self._write_results()
        except OSError as exc:
            raise FolderError(f"{self.folder}: cannot write there ({exc.strerror or exc})") from None

    def _write_results(self) -> None:
        write_atomic(self.folder / RESULTS, results_csv(self.rows, self.paths).encode("utf-8"))

    def record(self, outcome: RunOutcome) -> tuple[ResultRow, bool]:
        """Write a run's files and its row; returns the row and whether it is now the best."""
        run = outcome.run
        if outcome.network is not None:
            write_atomic(run_file(self.folder, run), outcome.network.encode("utf-8"))
        if outcome.status == "failed":
            text = (outcome.details or outcome.error or "") + "\n"
            write_atomic(error_file(self.folder, run), text.encode("utf-8"))
        else:
            error_file(self.folder, run).unlink(missing_ok=True)
        row = self.rows[run]
        row.status = outcome.status if outcome.status in ("finished", "early_stopped", "diverged") else "failed"
        row.epochs = outcome.epochs
        row.metrics = dict(outcome.metrics)
        row.seconds = round(outcome.seconds, 3)
        self._write_results()
        return row, self._update_best()

    def _update_best(self) -> bool:
        """Copy the best run's file to best.nnp when the best run changes."""
        best = self.best()
        if best is None or best.run == self._best_run:
            return False
        source = run_file(self.folder, best.run)
        try:
            write_atomic(self.folder / BEST, source.read_bytes())
        except FileNotFoundError:  # deleted by hand since; best.nnp waits for a run that has one
            return False
        self._best_run = best.run
        return True

    # ---- running
    def plans(self, blas_threads: int | None = None) -> list[RunPlan]:
        return [RunPlan(run.index, run.network, run.values, blas_threads=blas_threads) for run in self.pending()]

    def start(self, pool) -> "SweepJob":
        """Write the folder's files and start the pending runs on ``pool`` (a ``LocalPool``
        or ``DaskPool``)."""
        self.prepare()
        self._update_best()  # a resumed folder: best.nnp from the runs already there
        return SweepJob(self, pool.start(self.plans(current_blas_threads())))


class SweepJob:
    """A sweep running: the pool's events, plus ``RunRecorded`` once a run's files are
    written. ``cancel()`` keeps every finished run."""

    def __init__(self, session: SweepSession, job):
        self.session = session
        self.job = job
        self.total = len(session.runs)  #: every run of the sweep
        self.to_run = job.total  #: those this job runs
        self.done_before = self.total - job.total

    @property
    def finished(self) -> bool:
        return self.job.finished

    def cancel(self) -> None:
        self.job.cancel()

    def poll(self, timeout: float | None = 0.0) -> list:
        out = []
        for event in self.job.poll(timeout):
            out.append(event)
            if isinstance(event, RunFinished):
                row, best = self.session.record(event.outcome)
                out.append(RunRecorded(row, event.outcome, best))
        return out

    def events(self, timeout: float = 1.0) -> Iterator[Any]:
        while True:
            for event in self.poll(timeout):
                yield event
                if isinstance(event, JobFinished):
                    return


__all__ = ["BEST", "RESULTS", "SWEEP", "FolderError", "SweepFileError", "SweepJob", "SweepSession"]
