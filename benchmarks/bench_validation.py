"""How long checking a network file takes with pydantic (what nnplay uses) and with msgspec.

    python benchmarks/bench_validation.py             # medians of 7 runs
    python benchmarks/bench_validation.py --repeats 3

Both libraries check the same declarations (the ``Setting``s on the config types) through
the same functions; benchmarks/validation_msgspec.py is the msgspec version, and the file
tests pass with either (``PYTHONPATH=benchmarks pytest tests/io -p validation_msgspec``).
Timed: ``parse_network`` on the decoded JSON of every bundled example, and on a large
trained file (a 2-700-700-1 network with Adam's state and early stopping's best weights,
about 2 million numbers). Fresh processes time importing each library, and importing
nnplay.io and reading one example (what ``nnplay info`` waits for).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.nnp"))


def large_file() -> dict:
    from nnplay.core import DataConfig, DenseConfig, EarlyStoppingConfig, Experiment, NetworkConfig, TrainingConfig
    from nnplay.io.schema import network_to_dict

    cfg = NetworkConfig(
        name="large", task="binary", features=["x1", "x2"],
        layers=[DenseConfig(700, "relu", "he_normal"), DenseConfig(700, "relu", "he_normal"), DenseConfig(1, "sigmoid")],
        loss="nll", training=TrainingConfig(batch_size=64, epochs=1, early_stopping=EarlyStoppingConfig(5, True)),
        data=DataConfig("generated", "spiral", n=4000, noise=0.1, seed=1, validation_fraction=0.2),
    )
    experiment = Experiment(cfg)
    experiment.trainer.run(1)
    return network_to_dict(experiment.to_config())


def _median_ms(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def measure(files: dict[str, dict], repeats: int) -> dict[str, float]:
    from nnplay.io.schema import parse_network

    for obj in files.values():
        parse_network(obj)  # the models are made on first use
    return {name: _median_ms(lambda obj=obj: parse_network(obj), repeats) for name, obj in files.items()}


def _fresh(code: str) -> float:
    """Median seconds of ``code`` (which prints them) in 5 fresh processes."""
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(5)]
    return statistics.median(runs)


def cold_read() -> float:
    """Seconds a fresh process takes to import nnplay.io and read one example (pydantic)."""
    return _fresh(f"import sys, time; sys.path.insert(0, {str(ROOT)!r}); t = time.perf_counter(); "
                  f"import nnplay.io; nnplay.io.read_network({str(EXAMPLES[0])!r}); print(time.perf_counter() - t)")


def import_time(library: str) -> float:
    return _fresh(f"import time; t = time.perf_counter(); import {library}; print(time.perf_counter() - t)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    files = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in EXAMPLES}
    big = large_file()
    size = len(json.dumps(big)) / 2**20
    results = {"pydantic": measure({**files, "large": big}, args.repeats)}
    imports = {lib: import_time(lib) for lib in ("pydantic", "msgspec")}
    cold = cold_read()
    import validation_msgspec

    validation_msgspec.install()  # from here on, the msgspec checks

    results["msgspec"] = measure({**files, "large": big}, args.repeats)
    print(f"parse_network, median of {args.repeats} runs, ms")
    print(f"{'file':<36}{'pydantic':>10}{'msgspec':>10}")
    for name in list(files) + ["large"]:
        label = f"large ({size:.0f} MB of JSON)" if name == "large" else name
        print(f"{label:<36}{results['pydantic'][name]:>10.2f}{results['msgspec'][name]:>10.2f}")
    examples = {lib: sum(results[lib][n] for n in files) for lib in results}
    print(f"{'all 13 examples':<36}{examples['pydantic']:>10.2f}{examples['msgspec']:>10.2f}")
    print(f"{'import the library (fresh process)':<36}{1000 * imports['pydantic']:>10.0f}"
          f"{1000 * imports['msgspec']:>10.0f}")
    print(f"fresh process, import nnplay.io and read one example: {1000 * cold:.0f} ms (pydantic)")


if __name__ == "__main__":
    main()
