"""`nnplay sweep` (SPEC §4): the files it writes equal `nnplay train`'s to the byte,
whatever the number of workers; bad input exits 2 with one line before any run;
Ctrl-C keeps every finished run; running it again resumes."""

from __future__ import annotations

import copy
import functools
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import nnplay.sweeps
from nnplay.cli import SweepReport, main
from nnplay.io.networkfile import dumps
from nnplay.sweeps import LocalPool, SweepSession, parse_sweep
from nnplay.sweeps.results import parse_csv
from tests.sweeps.helpers import base_network, raise_in_run_1, sweep_obj, write_json

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def table(folder: Path) -> list[dict[str, str]]:
    names, rows = parse_csv((folder / "results.csv").read_text())
    return [dict(zip(names, row)) for row in rows]


@pytest.fixture
def sweep_file(tmp_path):
    write_json(tmp_path / "base.nnp", base_network(optimizer={"name": "adam", "lr": 0.05, "beta1": 0.8}))
    obj = sweep_obj({"optimizer.name": {"values": ["sgd", "momentum"]}, "optimizer.lr": {"values": [0.05, 0.5]},
                     "layers[0].units": {"values": [3, 6]}}, base="base.nnp", epochs=4)
    return write_json(tmp_path / "s.sweep.json", obj)


def by_hand(run: int) -> dict:
    """Run ``run`` of ``sweep_file`` written out without the sweeps package: the base,
    the optimizer reset to the chosen one's defaults plus the swept lr, the units set."""
    name, lr, units = [(n, lr, u) for n in ("sgd", "momentum") for lr in (0.05, 0.5) for u in (3, 6)][run]
    obj = base_network()
    obj["optimizer"] = {"name": name, "lr": lr} if name == "sgd" else {"name": name, "lr": lr, "gamma": 0.9}
    obj["layers"] = copy.deepcopy(obj["layers"])
    obj["layers"][0]["units"] = units
    obj["training"]["epochs"] = 4
    return obj


def test_sweep_writes_what_nnplay_train_writes(capsys, tmp_path, sweep_file):
    out = tmp_path / "out"
    code, text, err = run(capsys, "sweep", sweep_file, "-o", out, "--workers", "2")
    assert code == 0 and err == ""
    lines = text.splitlines()
    assert lines[0] == (f"{sweep_file}: grid search, 8 runs (optimizer.name × optimizer.lr × layers[0].units), "
                        f"4 epochs each, on 2 local processes; results in {out}")
    run_lines = [line for line in lines if line.startswith("run ")]
    assert len(run_lines) == 8 and all(" finished (optimizer.name " in line for line in run_lines)
    assert "[8/8 done]" in run_lines[-1] and "left]" in run_lines[0]
    assert lines[-2] == f"done: 8 runs (8 finished); table in {out}/results.csv"
    assert lines[-1].startswith("best by val loss: run ") and lines[-1].endswith(f"; wrote {out}/best.nnp")
    rows = table(out)
    for k in range(8):
        hand = tmp_path / f"hand-{k}.nnp"
        hand.write_text(dumps(by_hand(k)))
        assert main(["train", str(hand), "-o", str(tmp_path / f"trained-{k}.nnp")]) == 0
        assert (out / f"run-{k}.nnp").read_text() == (tmp_path / f"trained-{k}.nnp").read_text()
        trained = json.loads((out / f"run-{k}.nnp").read_text())
        for m in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
            assert rows[k][m] == repr(trained["history"][m][-1])
    capsys.readouterr()


def test_the_number_of_workers_does_not_change_a_bit(capsys, tmp_path, sweep_file):
    assert run(capsys, "sweep", sweep_file, "-o", tmp_path / "one", "--workers", "1")[0] == 0
    assert run(capsys, "sweep", sweep_file, "-o", tmp_path / "two", "--workers", "2")[0] == 0
    for name in [f"run-{k}.nnp" for k in range(8)] + ["best.nnp", "sweep.json"]:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    strip = [{**row, "seconds": ""} for row in table(tmp_path / "one")]
    assert strip == [{**row, "seconds": ""} for row in table(tmp_path / "two")]


def test_running_again_resumes(capsys, tmp_path, sweep_file):
    out = tmp_path / "out"
    assert run(capsys, "sweep", sweep_file, "-o", out)[0] == 0
    code, text, _ = run(capsys, "sweep", sweep_file, "-o", out)
    assert code == 0 and f"all 8 runs already have a status in {out}/results.csv; nothing to run" in text
    assert not [line for line in text.splitlines() if line.startswith("run ")]


BAD = [
    ({"search": "bayes"}, 's.json: search: must be "grid" or "random", got "bayes"'),
    ({"parameters": {"training.batchsize": {"values": [1]}}},
     "s.json: parameters: training.batchsize: the network file has no such setting; did you mean training.batch_size?"),
    ({"parameters": {"optimizer.lr": {"values": [0.1, 0]}}},
     "s.json: run 1 (optimizer.lr 0): optimizer.lr: must be a number > 0, got 0"),
    ({"base": "missing.nnp"}, "s.json: base missing.nnp: no such file"),
]


@pytest.mark.parametrize("change, message", BAD, ids=range(len(BAD)))
def test_bad_sweeps_exit_2_with_one_line_before_any_run(capsys, tmp_path, change, message):
    path = write_json(tmp_path / "s.json", {**sweep_obj({"loss": {"values": ["nll"]}}), **change})
    code, text, err = run(capsys, "sweep", path, "-o", tmp_path / "out")
    assert code == 2 and text == ""
    assert err == f"nnplay: {tmp_path / message}\n"
    assert not (tmp_path / "out").exists()


def test_bad_arguments(capsys, tmp_path, sweep_file, monkeypatch):
    code, _, err = run(capsys, "sweep", sweep_file, "-o", tmp_path / "out", "--workers", "0")
    assert code == 2 and err == "nnplay: argument --workers: 0 is not from 1 to 1024 (see 'nnplay --help')\n"
    code, _, err = run(capsys, "sweep", sweep_file)
    assert code == 2 and "the following arguments are required: -o/--output" in err
    code, _, err = run(capsys, "sweep", sweep_file, "-o", tmp_path / "out", "--workers", "2", "--scheduler", "x:1")
    assert code == 2 and err == "nnplay: --workers and --scheduler do not go together: a Dask cluster has its own workers\n"
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if Dask were not installed
    code, text, err = run(capsys, "sweep", sweep_file, "-o", tmp_path / "out", "--scheduler", "tcp://127.0.0.1:8786")
    assert code == 2 and text == ""
    assert err == ("nnplay: running on a Dask cluster needs Dask's distributed package: "
                   "pip install 'nnplay[cluster]'\n")
    (tmp_path / "afile").write_text("")
    code, _, err = run(capsys, "sweep", sweep_file, "-o", tmp_path / "afile")
    assert code == 2 and err == f"nnplay: {tmp_path / 'afile'}: is a file, not a folder\n"


def test_a_run_that_fails_is_reported_and_the_rest_go_on(capsys, tmp_path, sweep_file, monkeypatch):
    monkeypatch.setattr(nnplay.sweeps, "LocalPool", functools.partial(LocalPool, task=raise_in_run_1))
    out = tmp_path / "out"
    code, text, _ = run(capsys, "sweep", sweep_file, "-o", out, "--workers", "2")
    assert code == 1
    failed = [line for line in text.splitlines() if line.startswith("run 1 ")]
    line, progress = failed[0].rsplit(" [", 1)
    assert line == (f"run 1 failed (optimizer.name sgd, optimizer.lr 0.05, layers[0].units 6): RuntimeError: boom "
                    f"in the trainer; see {out}/run-1.error.txt")
    assert progress.startswith(tuple(f"{k}/8 done" for k in range(1, 9)))
    assert "done: 8 runs (" in text and "1 failed" in text and "7 finished" in text
    assert [row["status"] for row in table(out)].count("finished") == 7


def test_ctrl_c_keeps_every_finished_run(tmp_path):
    base = write_json(tmp_path / "base.nnp", base_network())
    sweep = write_json(tmp_path / "s.json", sweep_obj({"training.epochs": {"values": [3, 20_000, 20_000]}},
                                                      base=base.name))
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "nnplay", "sweep", str(sweep), "-o", str(out), "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        for line in proc.stdout:
            if line.startswith("run 0 finished"):
                break
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
        rest, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert f"interrupted: 1 of 3 runs have their results in {out}; run the same command again to go on" in rest
    assert [row["status"] for row in table(out)] == ["finished", "", ""]
    assert json.loads((out / "run-0.nnp").read_text())["epoch"] == 3
    assert (out / "best.nnp").read_bytes() == (out / "run-0.nnp").read_bytes()
    assert not (out / "run-1.nnp").exists() and not list(out.glob(".*.tmp"))
    resumed = SweepSession(parse_sweep(json.loads(sweep.read_text()), tmp_path), out)
    assert [r.index for r in resumed.pending()] == [1, 2]


def test_on_a_terminal_a_status_line_is_rewritten_in_place(tmp_path, sweep_file):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    session = SweepSession(parse_sweep(json.loads(sweep_file.read_text()), sweep_file.parent), tmp_path / "out")
    stream = Terminal()
    with LocalPool(2) as pool:
        job = session.start(pool)
        args = type("Args", (), {"output": str(tmp_path / "out"), "scheduler": None, "file": "s.json"})
        report = SweepReport(stream, session, job, pool, args)
        for event in job.events():
            report.show(event)
    report.summary()
    text = stream.getvalue()
    assert "\r[0/8 done]" in text
    assert "\r[1/8 done, about " in text or "\r[1/8 done, under a second left]" in text
    last = text.splitlines()[-1]
    assert last.startswith("best by val loss: run ") and "\r" not in last


def test_a_worker_with_other_versions_gets_a_warning_once(tmp_path, sweep_file):
    from dataclasses import replace

    from nnplay.sweeps import RunRecorded
    from nnplay.sweeps.run import RunOutcome

    session = SweepSession(parse_sweep(json.loads(sweep_file.read_text()), sweep_file.parent), tmp_path / "out")
    stream = io.StringIO()
    with LocalPool(1) as pool:
        job = session.start(pool)
        args = type("Args", (), {"output": "out", "scheduler": None, "file": "s.json"})
        report = SweepReport(stream, session, job, pool, args)
        job.cancel()
    outcome = RunOutcome(0, "finished", 4, seconds=1.0, versions={"nnplay": "0.0.9", "numpy": "1.26.4"})
    row = session.rows[0]
    row.status = "finished"
    for k in range(2):
        report.show(RunRecorded(row, replace(outcome, run=k)))
    warnings = [line for line in stream.getvalue().splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert warnings[0].startswith("warning: run 0 ran on nnplay 0.0.9 with NumPy 1.26.4 (here ")
    assert warnings[0].endswith("its numbers may differ from this machine's")
