"""What one pass of the Distributions dock costs: the figures of docs/benchmarks.md,
"With the Distributions dock open".

For each network, after one epoch of training: the probe's ``DISTRIBUTIONS`` need (every
dense layer's histograms over the training set, float64, on the probe's own network)
and the sentences the dock shows, timed in CPU seconds of the calling thread, with
OpenBLAS limited to one thread and on its default. Not a test: the numbers depend on
the machine.

    .venv/bin/python benchmarks/bench_distributions.py --networks spiral,new_64_bn_drop
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_gui import network_config  # noqa: E402  (beside this script)

from nnplay.core.blas import blas_threads  # noqa: E402
from nnplay.core.distributions import histogram_titles, summary_lines  # noqa: E402
from nnplay.core.experiment import Experiment  # noqa: E402
from nnplay.core.probes import DISTRIBUTIONS, Probe  # noqa: E402
from nnplay.core.snapshot import Snapshotter  # noqa: E402


def pass_cost(name: str, repeats: int, one_thread: bool) -> tuple[int, int, float]:
    """Training points, multiply-adds per point, and the median CPU seconds of one pass."""
    experiment = Experiment(network_config(name))
    experiment.trainer.run(1)
    snapshot = Snapshotter(experiment.trainer).take(weights=True)
    probe = Probe(experiment)
    times = []
    with blas_threads(1) if one_thread else nullcontext():
        for _ in range(repeats):
            started = time.thread_time()
            found = probe.compute({DISTRIBUTIONS}, snapshot, None)[DISTRIBUTIONS]
            for layer in found.layers:
                summary_lines(layer, found.points)
                histogram_titles(layer)
            times.append(time.thread_time() - started)
    times.sort()
    return len(experiment.trainer.data.x_train), probe.work_per_point, times[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", default="new,spiral,moons_dropout_batchnorm,new_64_bn_drop")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    print("| network | training points | multiply-adds per point | one pass, 1 BLAS thread | default BLAS threads |")
    print("|---|---:|---:|---:|---:|")
    for name in (n.strip() for n in args.networks.split(",") if n.strip()):
        points, work, one = pass_cost(name, args.repeats, one_thread=True)
        _, _, default = pass_cost(name, args.repeats, one_thread=False)
        print(f"| {name} | {points:,} | {work:,} | {1000 * one:.2f} ms | {1000 * default:.2f} ms |", flush=True)


if __name__ == "__main__":
    main()
