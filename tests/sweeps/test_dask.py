"""Runs on a Dask cluster (started here, in this process) give the numbers local
worker processes give, to the bit; and the command line uses it."""

from __future__ import annotations

import json

import pytest

from nnplay.cli import main
from nnplay.sweeps import JobFinished, LocalPool, RunFinished, RunPlan, race_plans
from nnplay.sweeps.blas import current_blas_threads
from nnplay.sweeps.dask_pool import ClusterError, DaskPool
from nnplay.sweeps.results import parse_csv
from tests.sweeps.helpers import base_network, sweep_obj, write_json

distributed = pytest.importorskip("distributed")

LIMIT_S = 120


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as c:
        yield c


def plans() -> list[RunPlan]:
    threads = current_blas_threads()
    return [RunPlan(k, base_network(optimizer={"name": name}), blas_threads=threads)
            for k, name in enumerate(["sgd", "adam", "rmsprop", "adadelta"])]


def outcomes(job) -> dict:
    return {e.run: e.outcome for e in job.events(timeout=LIMIT_S) if isinstance(e, RunFinished)}


def test_a_dask_cluster_gives_the_bits_of_local_processes(cluster):
    with DaskPool(cluster.scheduler_address) as pool:
        assert pool.size == 2
        on_dask = outcomes(pool.start(plans()))
    with LocalPool(2) as pool:
        local = outcomes(pool.start(plans()))
    assert sorted(on_dask) == [0, 1, 2, 3]
    for k in local:
        assert on_dask[k].status == "finished"
        assert on_dask[k].network == local[k].network and on_dask[k].metrics == local[k].metrics


def test_cancel_and_an_empty_job(cluster):
    with DaskPool(cluster.scheduler_address) as pool:
        assert list(pool.start([]).events()) == [JobFinished(False)]
        # a task on a Dask worker cannot be stopped: it goes on in the background, so keep it short
        long = [RunPlan(0, base_network(training={**base_network()["training"], "epochs": 500}))]
        job = pool.start(long)
        job.cancel()
        assert job.poll() == [JobFinished(cancelled=True)] and job.finished and job.running == []
        with pytest.raises(ValueError, match="live runs"):
            pool.start(race_plans(base_network(), [{}]))
        with pytest.raises(RuntimeError):
            job.command("pause")


def test_the_command_line_on_a_cluster_matches_local_processes(cluster, tmp_path, capsys):
    sweep = write_json(tmp_path / "s.json", sweep_obj({"optimizer.name": {"values": ["sgd", "adam"]},
                                                       "training.batch_size": {"values": [4, 0]}}, epochs=5))
    assert main(["sweep", str(sweep), "-o", str(tmp_path / "dask"), "--scheduler", cluster.scheduler_address]) == 0
    out = capsys.readouterr().out
    assert f"on the Dask cluster at {cluster.scheduler_address} (2 threads)" in out.splitlines()[0]
    assert main(["sweep", str(sweep), "-o", str(tmp_path / "local"), "--workers", "2"]) == 0
    for name in [f"run-{k}.nnp" for k in range(4)] + ["best.nnp"]:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()

    def rows(folder):
        names, cells = parse_csv((folder / "results.csv").read_text())
        return [dict(zip(names, row), seconds="") for row in cells]

    assert rows(tmp_path / "dask") == rows(tmp_path / "local")
    assert json.loads((tmp_path / "dask" / "run-0.nnp").read_text())["epoch"] == 5


def test_no_scheduler_at_the_address():
    with pytest.raises(ClusterError, match=r"^cannot reach the Dask scheduler at tcp://127.0.0.1:9 \("):
        DaskPool("tcp://127.0.0.1:9", timeout=1)
