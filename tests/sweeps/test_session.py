"""A sweep's results folder: the files it writes as runs end, resuming, and refusing a
folder that holds another sweep's results."""

from __future__ import annotations

import json

import pytest

from nnplay.io.networkfile import loads_network
from nnplay.sweeps import (
    FolderError, LocalPool, RunRecorded, SweepFileError, SweepSession, parse_sweep, run_plan,
)
from nnplay.sweeps.results import parse_csv
from tests.sweeps.helpers import base_network, raise_in_run_1, sweep_obj

LIMIT_S = 120
PARAMETERS = {"optimizer.name": {"values": ["sgd", "adam"]}, "optimizer.lr": {"values": [0.03, 0.3]}}


def session(folder, parameters=PARAMETERS, **extra) -> SweepSession:
    return SweepSession(parse_sweep(sweep_obj(parameters, **extra)), folder)


def run_all(sess: SweepSession, pool) -> list:
    return list(sess.start(pool).events(timeout=LIMIT_S))


@pytest.fixture(scope="module")
def pool():
    with LocalPool(2) as pool:
        yield pool


def table(folder) -> list[dict[str, str]]:
    names, rows = parse_csv((folder / "results.csv").read_text())
    return [dict(zip(names, row)) for row in rows]


def test_a_sweep_writes_every_runs_file_the_table_and_the_best(tmp_path, pool):
    folder = tmp_path / "out"
    sess = session(folder)
    assert not folder.exists()  # nothing written before start
    events = run_all(sess, pool)
    recorded = [e for e in events if isinstance(e, RunRecorded)]
    assert sorted(e.run for e in recorded) == [0, 1, 2, 3]
    rows = table(folder)
    assert [r["run"] for r in rows] == ["0", "1", "2", "3"]
    assert [(r["optimizer.name"], r["optimizer.lr"]) for r in rows] == [
        ("sgd", "0.03"), ("sgd", "0.3"), ("adam", "0.03"), ("adam", "0.3")]
    for run, row in zip(sess.runs, rows):
        text = (folder / f"run-{run.index}.nnp").read_text()
        assert text == run_plan_text(run)
        history = loads_network(text).history
        assert row["status"] == "finished" and row["epochs"] == "6"
        for m in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
            assert float(row[m]) == history[m][-1] and row[m] == repr(history[m][-1])
        assert float(row["seconds"]) >= 0
    best = min(rows, key=lambda r: float(r["val_loss"]))
    assert (folder / "best.nnp").read_text() == (folder / f"run-{best['run']}.nnp").read_text()
    assert sum(e.best for e in recorded) >= 1
    assert sess.best().run == int(best["run"])
    assert json.loads((folder / "sweep.json").read_text())["base"]["name"] == "sweep test"


def run_plan_text(run) -> str:
    from nnplay.sweeps import RunPlan

    return run_plan(RunPlan(run.index, run.network, run.values)).network


def test_the_metric_decides_the_best(tmp_path, pool):
    folder = tmp_path / "acc"
    run_all(session(folder, metric="train_accuracy"), pool)
    rows = table(folder)
    best = max(rows, key=lambda r: (float(r["train_accuracy"]), -int(r["run"])))
    assert (folder / "best.nnp").read_text() == (folder / f"run-{best['run']}.nnp").read_text()


def test_running_again_skips_runs_with_a_status(tmp_path, pool):
    folder = tmp_path / "out"
    run_all(session(folder), pool)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    lines = (folder / "results.csv").read_text().splitlines()
    # as if cut short: runs 1 and 3 never got a status, and run 3's file is a leftover
    for k in (1, 3):
        cells = lines[k + 1].split(",")
        lines[k + 1] = ",".join(cells[:3] + [""] * 7)
    (folder / "results.csv").write_text("\n".join(lines) + "\n")
    (folder / "run-1.nnp").unlink()
    again = session(folder)
    assert [r.index for r in again.pending()] == [1, 3]
    events = run_all(again, pool)
    assert sorted(e.run for e in events if isinstance(e, RunRecorded)) == [1, 3]
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert before.keys() == after.keys()
    for name in after:  # the same numbers, to the bit; seconds may differ
        if name != "results.csv":
            assert after[name] == before[name], name
    strip = [r | {"seconds": ""} for r in table(folder)]
    assert strip == [r | {"seconds": ""} for r in parse_rows(before["results.csv"])]
    assert run_all(session(folder), pool)[-1].cancelled is False  # nothing left: finishes at once


def parse_rows(data: bytes) -> list[dict[str, str]]:
    names, rows = parse_csv(data.decode())
    return [dict(zip(names, row)) for row in rows]


def test_more_random_runs_resume_the_same_folder(tmp_path, pool):
    folder = tmp_path / "random"
    params = {"optimizer.lr": {"log_uniform": [0.001, 0.3]}}
    run_all(session(folder, params, search="random", runs=2, seed=5), pool)
    first = table(folder)
    more = session(folder, params, search="random", runs=4, seed=5)
    assert [r.index for r in more.pending()] == [2, 3]
    run_all(more, pool)
    assert table(folder)[:2] == first and len(table(folder)) == 4


def test_a_folder_of_another_sweep_is_refused(tmp_path, pool):
    folder = tmp_path / "out"
    run_all(session(folder), pool)
    with pytest.raises(FolderError, match=r"holds the results of a different sweep \(its epochs differs"):
        session(folder, epochs=3)
    with pytest.raises(FolderError, match=r"its base differs"):
        SweepSession(parse_sweep(sweep_obj(PARAMETERS, base=base_network(name="other"))), folder)
    with pytest.raises(FolderError, match=r"its parameters differs"):
        session(folder, {"optimizer.name": {"values": ["sgd", "momentum"]}, "optimizer.lr": {"values": [0.03, 0.3]}})
    assert len(session(folder, metric="train_loss").pending()) == 0  # the metric only ranks


def test_a_results_table_that_does_not_match_is_refused(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "results.csv").write_text("run,loss,status\n")
    with pytest.raises(FolderError, match="its columns are not this sweep's"):
        session(folder)
    text = "run,optimizer.name,optimizer.lr,status,epochs,train_loss,val_loss,train_accuracy,val_accuracy,seconds\n"
    (folder / "results.csv").write_text(text + "0,sgd,0.5,finished,6,1,1,1,1,1\n")
    with pytest.raises(FolderError, match=r"line 2: run 0 has optimizer.lr '0.5' there and 0.03 in this sweep"):
        session(folder)
    (folder / "results.csv").write_text(text + "9,sgd,0.03,finished,6,1,1,1,1,1\n")
    with pytest.raises(FolderError, match="line 2: run '9' is not a run of this sweep"):
        session(folder)
    (folder / "results.csv").write_text(text + "0,sgd,0.03,done,6,1,1,1,1,1\n")
    with pytest.raises(FolderError, match="line 2: status 'done' is not one of finished"):
        session(folder)
    file = tmp_path / "file"
    file.write_text("")
    with pytest.raises(FolderError, match="is a file, not a folder"):
        session(file)


def test_a_failed_run_leaves_its_traceback_and_the_rest_go_on(tmp_path):
    folder = tmp_path / "out"
    with LocalPool(2, task=raise_in_run_1) as pool:
        run_all(session(folder), pool)
    rows = table(folder)
    assert rows[1]["status"] == "failed" and rows[1]["train_loss"] == "" and rows[1]["epochs"] == ""
    assert "RuntimeError: boom in the trainer" in (folder / "run-1.error.txt").read_text()
    assert not (folder / "run-1.nnp").exists()
    assert [rows[k]["status"] for k in (0, 2, 3)] == ["finished"] * 3


def test_cancel_keeps_every_finished_run(tmp_path):
    folder = tmp_path / "out"
    params = {"training.epochs": {"values": [5, 100_000, 100_000]}}
    sess = session(folder, params)
    with LocalPool(2) as pool:
        job = sess.start(pool)
        events = []
        while not any(isinstance(e, RunRecorded) for e in events):
            events += job.poll(timeout=LIMIT_S)
        job.cancel()
        assert job.poll()[-1].cancelled and job.finished
    assert [r["status"] for r in table(folder)] == ["finished", "", ""]
    assert loads_network((folder / "run-0.nnp").read_text()).epoch == 5
    assert (folder / "best.nnp").exists() and not (folder / "run-1.nnp").exists()
    assert [r.index for r in session(folder, params).pending()] == [1, 2]


def test_open_reads_a_folder_back(tmp_path, pool):
    folder = tmp_path / "out"
    run_all(session(folder), pool)
    opened = SweepSession.open(folder)
    assert opened.paths == ["optimizer.name", "optimizer.lr"] and opened.pending() == []
    assert [r.status for r in opened.rows] == ["finished"] * 4
    assert opened.best().run == session(folder).best().run
    with pytest.raises(FolderError, match="holds no sweep.json"):
        SweepSession.open(tmp_path)


def test_nothing_is_planned_when_a_run_is_bad(tmp_path):
    with pytest.raises(SweepFileError, match=r"^run 1 \(optimizer.lr -1\)"):
        session(tmp_path / "out", {"optimizer.lr": {"values": [0.1, -1]}})
    assert not (tmp_path / "out").exists()
