"""Throughput of a sweep on local worker processes: 1, 2, … workers.

    python benchmarks/bench_sweep.py                  # 40 runs, workers 1..cores, 3 repeats
    python benchmarks/bench_sweep.py --workers 1,2,4 --runs 40 --epochs 150

The sweep is a random search of 40 runs on a small spiral network (two tanh layers
of 4 to 16 units, 400 points, batches of 16), SGD, momentum or Adam at a
log-uniform learning rate. Each measurement is the whole path ``nnplay sweep``
takes, from ``SweepSession.start`` to the last ``RunRecorded``: worker processes
started (spawn), every run trained, every file written. The figure is runs per
second; the speed-up of N workers is their throughput over one worker's, median of
the repeats, the worker counts taking turns inside each repeat so that a change in
the machine's load hits them alike. The load average is printed before and after:
the speed-up cannot exceed the cores the machine has free.

Target (issue 10): at least 0.8 × N speed-up on N cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time

import numpy as np

from nnplay.sweeps import LocalPool, RunRecorded, SweepSession, available_cores, parse_sweep, run_plan

BASE = {
    "format": "nnplay-network", "version": 1, "name": "bench", "task": "binary", "features": ["x1", "x2"],
    "layers": [{"type": "dense", "units": 8, "activation": "tanh"},
               {"type": "dense", "units": 8, "activation": "tanh"},
               {"type": "dense", "units": 1, "activation": "sigmoid"}],
    "loss": "nll", "optimizer": {"name": "adam", "lr": 0.01},
    "training": {"batch_size": 16, "epochs": 150, "seed": 0},
    "data": {"source": "generated", "name": "spiral", "n": 400, "noise": 0.1, "seed": 1,
             "validation_fraction": 0.2},
    "weights": None,
}


def sweep_object(runs: int, epochs: int) -> dict:
    return {"format": "nnplay-sweep", "version": 1, "base": BASE, "search": "random", "runs": runs, "seed": 0,
            "epochs": epochs,
            "parameters": {"optimizer.name": {"values": ["sgd", "momentum", "adam"]},
                           "optimizer.lr": {"log_uniform": [1e-3, 0.3]},
                           "layers[0].units": {"int_uniform": [4, 16]},
                           "layers[1].units": {"int_uniform": [4, 16]}}}


def measure(workers: int, runs: int, epochs: int) -> float:
    """Seconds for the whole sweep on ``workers`` processes, in a fresh folder."""
    sweep = parse_sweep(sweep_object(runs, epochs))
    with tempfile.TemporaryDirectory() as folder:
        session = SweepSession(sweep, folder)
        began = time.perf_counter()
        with LocalPool(workers) as pool:
            done = sum(isinstance(e, RunRecorded) for e in session.start(pool).events())
        seconds = time.perf_counter() - began
    assert done == runs, f"{done} of {runs} runs recorded"
    return seconds


def measure_in_process(runs: int, epochs: int) -> float:
    """Seconds for the same runs trained one after another in this process, no pool and
    no files: what one worker costs over the training itself."""
    with tempfile.TemporaryDirectory() as folder:
        plans = SweepSession(parse_sweep(sweep_object(runs, epochs)), folder).plans()
    began = time.perf_counter()
    for plan in plans:
        run_plan(plan)
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cores = available_cores()
    parser.add_argument("--workers", default=",".join(str(n) for n in range(1, cores + 1)),
                        help="worker counts to measure, comma-separated (default: 1 to the cores)")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    print(f"nnplay sweep benchmark: {args.runs} runs × {args.epochs} epochs; {cores} cores; "
          f"Python {platform.python_version()}, NumPy {np.__version__}, {platform.platform()}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    times: dict[int, list[float]] = {n: [] for n in counts}
    alone: list[float] = []
    for repeat in range(args.repeats):
        alone.append(measure_in_process(args.runs, args.epochs))
        print(f"  repeat {repeat + 1}: in this process {alone[-1]:.2f} s", flush=True)
        for n in counts:
            times[n].append(measure(n, args.runs, args.epochs))
            print(f"  repeat {repeat + 1}: {n} worker(s) {times[n][-1]:.2f} s", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    one = statistics.median(times[counts[0]]) * counts[0] if counts[0] == 1 else None
    print(f"\nin this process, one run after another: {statistics.median(alone):.2f} s "
          f"({args.runs / statistics.median(alone):.2f} runs/s)")
    print(f"\n{'workers':>7}  {'median s':>8}  {'runs/s':>6}  {'speed-up':>8}  {'target':>6}")
    for n in counts:
        median = statistics.median(times[n])
        speedup = one / median if one else float("nan")
        print(f"{n:>7}  {median:>8.2f}  {args.runs / median:>6.2f}  {speedup:>8.2f}  {0.8 * n:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
