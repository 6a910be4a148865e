"""Runs on local worker processes: the same bits as in this process, a dying worker's
run retried once, a raising run recorded while the rest go on, cancel."""

from __future__ import annotations

import pytest

from nnplay.sweeps import (
    JobFinished, LocalPool, RunFinished, RunPlan, RunRetrying, RunStarted, run_plan,
)
from nnplay.sweeps.blas import current_blas_threads
from tests.sweeps.helpers import (
    always_die, base_network, die_on_first_attempt, raise_in_run_1, report_blas_threads,
)

#: the longest a test waits for a job (it fails instead of hanging; no test measures time)
LIMIT_S = 120


def plans(n: int = 4) -> list[RunPlan]:
    names = ["sgd", "momentum", "adam", "rmsprop", "adagrad", "nesterov"]
    return [RunPlan(k, base_network(optimizer={"name": names[k % len(names)]})) for k in range(n)]


def collect(job) -> list:
    events = []
    for event in job.events(timeout=LIMIT_S):
        events.append(event)
    return events


def outcomes(events) -> dict:
    return {e.run: e.outcome for e in events if isinstance(e, RunFinished)}


@pytest.fixture(scope="module")
def pool():
    with LocalPool(2) as pool:
        yield pool


def test_workers_give_the_bits_of_this_process(pool):
    events = collect(pool.start(plans(5)))
    assert isinstance(events[-1], JobFinished) and not events[-1].cancelled
    got = outcomes(events)
    assert sorted(got) == list(range(5))
    for plan in plans(5):
        here = run_plan(plan)
        assert got[plan.run].network == here.network and got[plan.run].metrics == here.metrics
        assert got[plan.run].status == "finished"
    started = [e for e in events if isinstance(e, RunStarted)]
    assert sorted(e.run for e in started) == list(range(5))
    for event in events:  # every run starts before it finishes
        if isinstance(event, RunFinished):
            assert any(isinstance(e, RunStarted) and e.run == event.run for e in events[:events.index(event)])
    assert len({e.worker for e in started}) <= 2


def test_a_pool_runs_one_job_at_a_time_and_then_the_next(pool):
    job = pool.start(plans(2))
    with pytest.raises(RuntimeError, match="running a job"):
        pool.start(plans(1))
    collect(job)
    assert sorted(outcomes(collect(pool.start(plans(3))))) == [0, 1, 2]


def test_an_empty_job_finishes_at_once(pool):
    assert collect(pool.start([])) == [JobFinished(False)]


def test_a_run_that_raises_fails_and_the_rest_go_on():
    with LocalPool(2, task=raise_in_run_1) as pool:
        got = outcomes(collect(pool.start(plans(4))))
    assert got[1].status == "failed" and got[1].error == "RuntimeError: boom in the trainer"
    assert [got[k].status for k in (0, 2, 3)] == ["finished"] * 3


def test_a_worker_that_dies_is_reported_and_its_run_retried_once():
    with LocalPool(2, task=die_on_first_attempt) as pool:
        events = collect(pool.start(plans(4)))
    retry = [e for e in events if isinstance(e, RunRetrying)]
    assert len(retry) == 1 and retry[0].run == 1
    assert retry[0].message == ("the worker process running it died (killed by SIGKILL, perhaps out of memory); "
                                "starting it again")
    got = outcomes(events)
    assert all(o.status == "finished" for o in got.values()) and got[1].attempt == 2
    assert got[1].network == run_plan(plans(4)[1]).network
    assert [e.attempt for e in events if isinstance(e, RunStarted) and e.run == 1] == [1, 2]


def test_a_run_whose_worker_dies_twice_fails():
    with LocalPool(1, task=always_die) as pool:
        events = collect(pool.start(plans(3)))
    assert [e.run for e in events if isinstance(e, RunRetrying)] == [1]
    got = outcomes(events)
    assert got[1].status == "failed" and got[1].error == "the worker process running it died twice (exit status 3)"
    assert got[0].status == got[2].status == "finished"


def test_cancel_ends_the_runs_under_way_and_keeps_the_finished_ones():
    long = [RunPlan(k, base_network(training={**base_network()["training"], "epochs": 10 if k == 0 else 100_000}))
            for k in range(3)]
    with LocalPool(2) as pool:
        job = pool.start(long)
        events = []
        while not any(isinstance(e, RunFinished) for e in events):
            events += job.poll(timeout=LIMIT_S)
        assert job.running == [1, 2]  # run 3 waits for a worker
        job.cancel()
        rest = job.poll(timeout=0)
        assert rest[-1] == JobFinished(cancelled=True) and job.finished and job.running == []
        assert job.poll(timeout=0) == []
        assert outcomes(events).keys() == {0}
        # the pool goes on with new workers
        assert outcomes(collect(pool.start(plans(2)))).keys() == {0, 1}


def test_workers_use_the_parents_blas_thread_count(pool):
    threads = current_blas_threads()
    with LocalPool(1, task=report_blas_threads) as one:
        got = outcomes(collect(one.start([RunPlan(0, base_network(), blas_threads=threads)])))
    assert got[0].worker == str(threads)


def test_a_bad_worker_count_is_refused():
    with pytest.raises(ValueError):
        LocalPool(0)


def test_a_product_whose_bits_depend_on_blas_threads_gives_the_parents_bits(pool):
    """A full batch of 2,000 points through a first layer with two inputs: OpenBLAS
    splits ``x.T @ dz`` by thread count, so a worker on one thread would differ."""
    network = base_network(data={"source": "generated", "name": "xor", "n": 2000, "noise": 0.1, "seed": 1,
                                 "validation_fraction": 0.2},
                           layers=[{"type": "dense", "units": 256, "activation": "tanh"},
                                   {"type": "dense", "units": 1, "activation": "sigmoid"}],
                           training={**base_network()["training"], "batch_size": 0, "epochs": 3})
    plan = RunPlan(0, network, blas_threads=current_blas_threads())
    assert outcomes(collect(pool.start([plan])))[0].network == run_plan(plan).network


def test_cancel_from_another_thread_wakes_the_thread_driving_the_job(pool):
    """The app's shape: a thread iterates events() while the window cancels."""
    import threading

    long = [RunPlan(k, base_network(training={**base_network()["training"], "epochs": 1_000_000}))
            for k in range(2)]
    job = pool.start(long)
    started = threading.Event()
    seen = []

    def drive():
        for event in job.events(timeout=LIMIT_S):  # would wait LIMIT_S between looks, were it not woken
            seen.append(event)
            if isinstance(event, RunStarted):
                started.set()

    thread = threading.Thread(target=drive)
    thread.start()
    assert started.wait(LIMIT_S)
    job.cancel()
    thread.join(LIMIT_S)
    assert not thread.is_alive() and seen[-1] == JobFinished(cancelled=True)
