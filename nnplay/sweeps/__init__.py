"""Sweeps and races: many runs of one network with different settings, on all cores
or on a Dask cluster (SPEC §4, docs/sweeps.md).

Imports the engine (``nnplay.core``) and the files (``nnplay.io``); neither imports
this package, and it never imports Qt.

- ``read_sweep``/``parse_sweep``/``sweep_to_dict``: the sweep file.
- ``plan_runs``: its runs, each network checked before anything starts.
- ``SweepSession(sweep, folder).start(pool)``: run them, writing run-<k>.nnp,
  results.csv and best.nnp as they finish; resumes a folder.
- ``LocalPool``, ``DaskPool``: where runs go. A job's ``poll()``/``events()`` give
  ``RunStarted``, ``RunRetrying``, ``RunFinished``, ``RunRecorded``, ``RunSnapshot``,
  ``NetworkFetched`` and, last, ``JobFinished``; ``cancel()`` keeps finished runs.
- ``race_plans`` and ``Race``: live runs side by side, streaming snapshots, with
  pause, step, stop and fetch.
"""

from nnplay.sweeps.events import (
    JobFinished, NetworkFetched, RunFinished, RunRecorded, RunRetrying, RunStarted,
)
from nnplay.sweeps.plan import PlannedRun, plan_runs, run_values
from nnplay.sweeps.pool import LocalPool, available_cores
from nnplay.sweeps.progress import Tally, format_duration
from nnplay.sweeps.race import Race, RaceError, race_plans, shared_start
from nnplay.sweeps.results import METRIC_COLUMNS, ResultRow, best_row
from nnplay.sweeps.run import RunOutcome, RunPlan, run_plan
from nnplay.sweeps.session import FolderError, SweepJob, SweepSession
from nnplay.sweeps.stream import RunSnapshot, StreamSettings
from nnplay.sweeps.sweepfile import Parameter, Sweep, SweepFileError, parse_sweep, read_sweep, sweep_to_dict

__all__ = [
    "FolderError", "JobFinished", "LocalPool", "METRIC_COLUMNS", "NetworkFetched", "Parameter", "PlannedRun",
    "Race", "RaceError", "ResultRow", "RunFinished", "RunOutcome", "RunPlan", "RunRecorded", "RunRetrying",
    "RunSnapshot", "RunStarted", "StreamSettings", "Sweep", "SweepFileError", "SweepJob", "SweepSession",
    "Tally", "available_cores", "best_row", "format_duration", "parse_sweep", "plan_runs", "race_plans",
    "read_sweep", "run_plan", "run_values", "shared_start", "sweep_to_dict",
]
