"""A race: live runs on worker processes that stream snapshots back and obey pause,
step, stop and fetch, without changing a bit of what they compute."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.core.experiment import Experiment
from nnplay.io.networkfile import loads_network
from nnplay.io.schema import network_to_dict, parse_network
from nnplay.sweeps import (
    JobFinished, NetworkFetched, Race, RaceError, RunFinished, RunPlan, RunSnapshot, race_plans, run_plan,
)
from tests.sweeps.helpers import base_network

LIMIT_S = 120
GRID = np.array([[x, y] for y in np.linspace(-1, 1, 6) for x in np.linspace(-1, 1, 5)])
VARIANTS = [{"optimizer.name": "sgd"}, {"optimizer.name": "adam", "optimizer.lr": 0.05},
            {"layers[0].activation": "relu"}]


def events_until(race, done) -> list:
    seen = []
    for event in race.events(timeout=LIMIT_S):
        seen.append(event)
        if done(seen):
            break
    return seen


def test_race_plans_start_every_run_from_the_same_weights():
    base = base_network(weights=None)
    plans = race_plans(base, VARIANTS, epochs=3, grid_points=GRID)
    assert [p.run for p in plans] == [0, 1, 2] and all(p.stream.grid_points.shape == (30, 2) for p in plans)
    weights = [Experiment(parse_network(p.network)).network.get_weights() for p in plans]
    for other in weights[1:]:
        assert all(np.array_equal(a[k], b[k]) for a, b in zip(weights[0], other) for k in a)
    assert plans[0].network["optimizer"] == {"name": "sgd", "lr": 0.03}
    assert plans[1].network["training"]["epochs"] == 3


def test_race_plans_refuse_a_bad_variant_naming_it():
    with pytest.raises(RaceError, match=r"^run 1 \(optimizer.lr -1\): optimizer.lr: must be a number > 0"):
        race_plans(base_network(), [{}, {"optimizer.lr": -1}])
    with pytest.raises(RaceError, match=r"^base: task: must be one of"):
        race_plans(base_network(task="nope"), [{}])
    with pytest.raises(RaceError, match=r"^run 0 \(training.batchsize 3\): training.batchsize: the network file has"):
        race_plans(base_network(), [{"training.batchsize": 3}])


def test_a_race_can_keep_the_bases_weights():
    trained = run_plan(RunPlan(0, base_network())).network
    plans = race_plans(loads_network(trained), [{"optimizer.lr": 0.01}], keep_weights=True)
    net = plans[0].network
    assert net["weights"] == network_to_dict(loads_network(trained))["weights"] is not None
    assert net["epoch"] == 0 and "history" not in net and "optimizer_state" not in net


def test_snapshots_stream_the_whole_history_and_the_boundary():
    plans = race_plans(base_network(), VARIANTS, epochs=25, grid_points=GRID, interval=0.0)
    with Race(plans) as race:
        events = events_until(race, lambda seen: isinstance(seen[-1], JobFinished))
    finished = {e.run: e.outcome for e in events if isinstance(e, RunFinished)}
    assert sorted(finished) == [0, 1, 2]
    for plan in plans:
        outcome = finished[plan.run]
        plain = run_plan(RunPlan(plan.run, plan.network))  # no snapshots, no commands
        assert outcome.status == "finished" and outcome.network == plain.network
        snaps = [e for e in events if isinstance(e, RunSnapshot) and e.run == plan.run]
        assert len(snaps) > 2 and snaps[-1].final and not any(s.final for s in snaps[:-1])
        rows = {name: [] for name in snaps[0].history}
        for snap in snaps:
            assert snap.history_from == len(rows["epoch"])
            for name, values in snap.history.items():
                rows[name] += values
        final = loads_network(outcome.network)
        assert rows == {name: final.history[name] for name in rows}  # every row, streamed once
        assert set(final.history) == set(rows) | {"initial"}  # the measures at epoch 0 are not a row
        assert snaps[-1].epoch == 25 and snaps[-1].grid.dtype == np.float32
        expected = Experiment(final).predict(GRID).astype(np.float32)
        assert np.array_equal(snaps[-1].grid, expected)
        epochs = [s.epoch for s in snaps]
        assert epochs == sorted(epochs)


def test_pause_step_fetch_resume_all_together():
    plans = race_plans(base_network(), VARIANTS[:2], epochs=8, start_paused=True, interval=10.0)
    with Race(plans) as race:
        def paused_at(epoch):
            return lambda seen: {e.run for e in seen if isinstance(e, RunSnapshot) and e.paused
                                 and e.epoch == epoch} == {0, 1}

        events_until(race, paused_at(0))
        race.step()
        steps = events_until(race, paused_at(1))
        assert all(e.update_in_epoch == 0 for e in steps if isinstance(e, RunSnapshot) and e.paused)
        race.fetch(1)
        fetched = events_until(race, lambda seen: isinstance(seen[-1], NetworkFetched))[-1]
        assert fetched.run == 1 and loads_network(fetched.network).epoch == 1
        race.step(0)  # one run alone
        events_until(race, lambda seen: any(isinstance(e, RunSnapshot) and e.run == 0 and e.epoch == 2
                                            and e.paused for e in seen))
        race.resume()
        events = events_until(race, lambda seen: isinstance(seen[-1], JobFinished))
    finished = {e.run: e.outcome for e in events if isinstance(e, RunFinished)}
    for plan in plans:  # pausing and stepping change nothing the run computes
        assert finished[plan.run].network == run_plan(RunPlan(plan.run, plan.network)).network


def test_stop_ends_each_run_with_its_network_so_far():
    plans = race_plans(base_network(), VARIANTS[:2], epochs=1_000_000, interval=0.0)
    with Race(plans) as race:
        events_until(race, lambda seen: {e.run for e in seen if isinstance(e, RunSnapshot) and e.epoch >= 2} == {0, 1})
        race.stop()
        events = events_until(race, lambda seen: isinstance(seen[-1], JobFinished))
        race.fetch(0)  # a finished run answers with its last network
        fetched = race.poll(timeout=0)
    finished = {e.run: e.outcome for e in events if isinstance(e, RunFinished)}
    for run, outcome in finished.items():
        assert outcome.status == "interrupted"
        cfg = loads_network(outcome.network)
        assert 2 <= cfg.epoch < 1_000_000 and outcome.epochs == cfg.epoch
    assert fetched == [NetworkFetched(0, finished[0].network)]


def test_stop_before_the_first_update():
    plans = race_plans(base_network(), [{}], epochs=5, start_paused=True)
    with Race(plans) as race:
        events_until(race, lambda seen: any(isinstance(e, RunSnapshot) and e.paused for e in seen))
        race.stop()
        events = events_until(race, lambda seen: isinstance(seen[-1], JobFinished))
    outcome = next(e.outcome for e in events if isinstance(e, RunFinished))
    assert outcome.status == "interrupted" and outcome.epochs == 0


def test_cancel_ends_a_race_at_once():
    plans = race_plans(base_network(), [{}, {}], epochs=1_000_000)
    with Race(plans) as race:
        events_until(race, lambda seen: any(isinstance(e, RunSnapshot) for e in seen))
        race.cancel()
        assert race.poll()[-1] == JobFinished(cancelled=True) and race.finished
    with pytest.raises(ValueError, match="unknown command"):
        race.job.command("jump")


def test_shared_start_says_whether_runs_share_weights_and_batches():
    from nnplay.sweeps import shared_start

    assert shared_start(race_plans(base_network(), VARIANTS)) == (True, True)
    # dropout and batch norm draw nothing at initialization: the dense layers keep their weights
    dense = base_network()["layers"]
    more = {"layers": [dense[0], {"type": "batchnorm"}, {"type": "dropout", "rate": 0.2}, dense[1]]}
    assert shared_start(race_plans(base_network(), [{}, more])) == (True, True)
    assert shared_start(race_plans(base_network(), [{}, {"layers[0].init": "he_normal"}])) == (False, True)
    assert shared_start(race_plans(base_network(), [{}, {"layers[0].units": 6}])) == (False, True)
    assert shared_start(race_plans(base_network(), [{}, {"training.batch_size": 4}])) == (True, False)
    assert shared_start(race_plans(base_network(), [{}, {"training.seed": 9}])) == (False, False)
