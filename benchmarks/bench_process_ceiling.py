"""What watching costs a training that runs in a process of its own: docs/benchmarks.md,
"What is left is the interpreter lock".

For each network, a child process trains it headless for the whole measurement and, every
40 ms, takes the snapshot a window would be sent (weights and gradients) and pickles it (as it
would for a pipe), logging its updates a second every half second. Meanwhile this process shows the
app's window with the same network training slowly (``--rate`` updates a second, so that
its frames and views do a live window's work, ~22 frames a second, while its own training
takes little), in phases of ``--phase`` seconds, alternating with phases paused. The row
compares the child's speed while the window watches with its speed while the window is
paused: the cost of watching when the window's Python cannot reach the training.

    make bench-gui-ceiling BENCH_ARGS="--networks spiral,new --all-docks"
    python benchmarks/bench_process_ceiling.py --networks spiral --phase 8 --cycles 3
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_gui  # noqa: E402  (beside this file)

SNAPSHOT_INTERVAL_S = 0.04
LOG_INTERVAL_S = 0.5


def train(name: str, seconds: float, out: Path) -> None:
    """The child: train ``name`` for ``seconds``, streaming snapshots, logging its speed."""
    from nnplay.core.experiment import Experiment
    from nnplay.core.snapshot import Snapshotter

    trainer = Experiment(bench_gui.endless(bench_gui.network_config(name))).trainer
    trainer.run(1)
    snapshots = Snapshotter(trainer)
    end, next_snapshot = time.perf_counter() + seconds, time.perf_counter()
    # the pipe's far end, reading, would be the window's cost: here the bytes go nowhere
    with open(os.devnull, "wb") as sink, open(out, "w") as log:
        while time.perf_counter() < end:
            updates, started, cpu = bench_gui.updates_of(trainer), time.perf_counter(), time.thread_time()
            while time.perf_counter() - started < LOG_INTERVAL_S:
                trainer.run(trainer.epoch + 1)
                if time.perf_counter() >= next_snapshot:
                    next_snapshot += SNAPSHOT_INTERVAL_S
                    sink.write(pickle.dumps(snapshots.take(weights=True, gradients=True), protocol=5))
            wall = time.perf_counter() - started
            print(time.time(), (bench_gui.updates_of(trainer) - updates) / wall, (time.thread_time() - cpu) / wall,
                  file=log, flush=True)


def measure(window, name: str, rate: float, phase: float, cycles: int) -> dict:
    """The child's speed in the phases the window watched and in those it was paused."""
    from PySide6.QtCore import QCoreApplication

    window.document.replace(bench_gui.endless(bench_gui.network_config(name)), None)
    window.runner.set_max_rate(rate)
    log = Path(tempfile.mkstemp(prefix="nnplay-ceiling-", suffix=".txt")[1])
    child = subprocess.Popen([sys.executable, __file__, "--train", name, "--seconds", str(2 * phase * cycles + 4),
                              "--out", str(log)])
    bench_gui.wait(2.0)  # the child warmed up
    phases, draws = [], window.boundary.draws
    for _ in range(cycles):
        start = time.time()
        window.play()
        bench_gui.wait(phase)
        window.stop_training()
        while window.training:
            QCoreApplication.processEvents()
            time.sleep(0.001)
        phases.append(("watching", start, time.time()))
        start = time.time()
        bench_gui.wait(phase)
        phases.append(("paused", start, time.time()))
    child.wait()
    readings = np.loadtxt(log, ndmin=2)
    log.unlink()
    speeds: dict[str, list[float]] = {"watching": [], "paused": []}
    for kind, start, end in phases:
        inside = (readings[:, 0] > start + 1.0) & (readings[:, 0] < end - 0.2)  # past the switch
        speeds[kind].append(float(np.median(readings[inside, 1])))
    watched = sum(end - start for kind, start, end in phases if kind == "watching")
    return {"network": name, **speeds, "cpu": float(np.median(readings[:, 2])),
            "boundary_draws_per_s": (window.boundary.draws - draws) / watched}


def row(r: dict) -> str:
    watching, paused = np.median(r["watching"]), np.median(r["paused"])
    span = lambda values: f"{min(values):,.0f}–{max(values):,.0f}"  # noqa: E731
    return (f"| {r['network']} | {watching:,.0f} ({span(r['watching'])}) | {paused:,.0f} ({span(r['paused'])}) "
            f"| {watching / paused:.2f} | {r['cpu']:.2f} | {r['boundary_draws_per_s']:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", default="spiral,moons_dropout_batchnorm,new")
    parser.add_argument("--rate", type=float, default=300.0, help="the window's own training, updates a second")
    parser.add_argument("--phase", type=float, default=8.0, help="seconds of each watching and paused phase")
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--all-docks", action="store_true", help="show every view dock at once")
    parser.add_argument("--size", default="1500x900")
    parser.add_argument("--train", help=argparse.SUPPRESS)  # the child's side
    parser.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.train:
        train(args.train, args.seconds, args.out)
        return

    app, window = bench_gui.open_window(tuple(int(v) for v in args.size.split("x")), args.all_docks)
    bench_gui.wait(0.5)
    print(f"{'every dock' if args.all_docks else 'default docks'}; the window trains at {args.rate:.0f} updates/s "
          f"in phases of {args.phase:.0f} s; load average {os.getloadavg()[0]:.2f}\n")
    print("| network | training process, window watching (phases) | window paused (phases) | ratio "
          "| training process's cores | window's boundary redraws/s |\n|---|---:|---:|---:|---:|---:|", flush=True)
    for name in args.networks.split(","):
        print(row(measure(window, name, args.rate, args.phase, args.cycles)), flush=True)
    bench_gui.close_window(app, window)


if __name__ == "__main__":
    main()
