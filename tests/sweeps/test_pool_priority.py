"""The app's pools run their workers at a lower scheduling priority (so the window
sharing the cores draws first), with the same bits."""

from __future__ import annotations

import os

from nnplay.sweeps import LocalPool, Race, RunFinished, RunPlan, race_plans
from tests.sweeps.helpers import base_network, report_niceness

LIMIT_S = 120


def finished(job) -> dict:
    return {e.run: e.outcome for e in job.events(timeout=LIMIT_S) if isinstance(e, RunFinished)}


def test_a_pool_can_lower_its_workers_priority_without_changing_a_bit():
    ours = os.nice(0)
    plan = RunPlan(0, base_network())
    with LocalPool(1, task=report_niceness, nice=5) as pool:
        niced = finished(pool.start([plan]))[0]
    with LocalPool(1, task=report_niceness) as pool:
        plain = finished(pool.start([plan]))[0]
    assert int(niced.worker) == min(19, ours + 5) and int(plain.worker) == ours
    assert niced.network == plain.network


def test_a_race_passes_its_priority_to_the_pool_it_starts():
    with Race(race_plans(base_network(), [{}]), nice=3) as race:
        assert race.pool.nice == 3
        finished(race.job)
