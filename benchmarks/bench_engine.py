"""How fast nnplay's engine trains, against PyTorch on the CPU and a bare NumPy loop.

    python benchmarks/bench_engine.py            # medians of 5 runs per case
    python benchmarks/bench_engine.py --quick    # fewer epochs and 3 runs: a smoke test

Every implementation trains the same network from the same initial weights on the
same points with the same loss (nll on a sigmoid output, from the logits), the same
optimizer (Adam, η = 0.01 unless ``--optimizer sgd``), the same batch size and a
fresh shuffle every epoch, and does the same per-epoch work nnplay's trainer does:
a forward pass over the whole training and validation sets for their loss and
accuracy. The figure is updates per second over a fixed number of epochs after a
one-epoch warm-up; each run builds everything anew, and the implementations take
turns inside each repeat so that a change in the machine's load hits them alike.

- ``nnplay``: the real path, ``Experiment(config).trainer.run(epochs)``.
- ``torch``: an idiomatic loop without a DataLoader: ``torch.randperm`` then slices,
  ``zero_grad(); loss.backward(); step()``, ``torch.optim.Adam`` with its defaults,
  ``BCEWithLogitsLoss``, ``loss.item()`` each update (nnplay checks every batch loss
  for divergence), and the evaluation under ``torch.no_grad()``. float64 like nnplay,
  with as many intra-op threads as NumPy's BLAS uses; float32 and one thread are
  measured too, for reference.
- ``numpy loop``: the playground net written out by hand, no classes, the update
  inline, one array at a time; ``numpy flat``: the same with every weight a view of
  one vector and the gradients written into one vector, so that Adam is a dozen
  NumPy calls in all: the practical limit of a NumPy engine.

Targets (the issue's): nnplay at least 3× PyTorch on the first two nets, at least
half the faster NumPy loop, at least 0.9× PyTorch on the wide net; "PyTorch" is its
faster float64 setting (matched threads or one thread) in each case.

PyTorch is optional: ``pip install -e '.[bench]'`` (CPU build, see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import json
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field

import numpy as np

import nnplay
from nnplay.core import DataConfig, DenseConfig, Experiment, NetworkConfig, OptimizerConfig, TrainingConfig

try:
    from nnplay.core.memory import keep_freed_memory
except ImportError:  # an nnplay from before it existed, measured for comparison

    def keep_freed_memory() -> bool:
        return False

try:
    import torch
except ImportError:  # the bench extra is not installed
    torch = None

SEED = 0


@dataclass
class Case:
    name: str
    hidden: list[int]
    activation: str
    batch: int
    points: int
    epochs: int  # timed epochs in a full run; --quick takes a quarter
    #: nnplay's updates/s must reach at least this times the reference's
    targets: dict[str, float] = field(default_factory=dict)

    @property
    def shape(self) -> str:
        inner = "-".join(map(str, self.hidden))
        if len(set(self.hidden)) == 1 and len(self.hidden) > 2:
            inner = f"{self.hidden[0]}×{len(self.hidden)}"
        return f"2-{inner}-1 {self.activation}"


CASES = [
    Case("playground", [8, 8], "tanh", batch=10, points=400, epochs=120,
         targets={"torch": 3.0, "numpy": 0.5}),
    Case("deep", [16] * 6, "relu", batch=32, points=2000, epochs=40, targets={"torch": 3.0}),
    Case("wide", [256, 256], "relu", batch=256, points=5000, epochs=12, targets={"torch": 0.9}),
]


# ---------------------------------------------------------------- the machine
@functools.cache
def openblas():
    """NumPy's OpenBLAS as ``(library, prefix, suffix)`` of its C functions, or None
    when NumPy uses another BLAS (or the platform has no /proc to find it in)."""
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "openblas" in line.lower()})
    except OSError:
        return None
    for path in paths:
        if ".so" in os.path.basename(path):
            lib = ctypes.CDLL(path)
            for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "")):
                if hasattr(lib, f"{prefix}_get_num_threads{suffix}"):
                    return lib, prefix, suffix
    return None


def blas_threads() -> int | None:
    found = openblas()
    if found is None:
        return None
    lib, prefix, suffix = found
    return int(getattr(lib, f"{prefix}_get_num_threads{suffix}")())


def set_blas_threads(n: int) -> None:
    found = openblas()
    if found is None:
        sys.exit("--blas-threads needs NumPy built with OpenBLAS")
    lib, prefix, suffix = found
    getattr(lib, f"{prefix}_set_num_threads{suffix}")(ctypes.c_int(n))


def blas_description() -> str:
    found = openblas()
    if found is None:
        return "not OpenBLAS"
    lib, prefix, suffix = found
    config = getattr(lib, f"{prefix}_get_config{suffix}")
    config.restype = ctypes.c_char_p
    text = config().decode()
    corename = getattr(lib, f"{prefix}_get_corename{suffix}", None)
    if corename is not None:
        corename.restype = ctypes.c_char_p
        text += f", kernel {corename().decode()}"
    return text


def machine_report() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    lines = [
        f"CPU: {cpu}, {os.cpu_count()} logical cores; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"BLAS: {blas_description()}, {blas_threads()} thread(s)",
        f"nnplay from {os.path.dirname(os.path.dirname(nnplay.__file__))}",
        "torch: " + (f"{torch.__version__}, {torch.get_num_threads()} intra-op thread(s) by default"
                     if torch is not None else "not installed (pip install -e '.[bench]')"),
    ]
    lines.append("allocator: " + ("glibc keeps freed memory (nnplay's keep_freed_memory, process-wide: torch too)"
                                  if keep_freed_memory() else "as the C library sets it"))
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if var in os.environ:
            lines.append(f"{var}={os.environ[var]}")
    return lines


# ---------------------------------------------------------------- one problem, three implementations
def config_of(case: Case, optimizer: str) -> NetworkConfig:
    layers = [DenseConfig(units, case.activation) for units in case.hidden] + [DenseConfig(1, "sigmoid")]
    return NetworkConfig(
        name=case.name, task="binary", features=["x1", "x2"], layers=layers, loss="nll",
        optimizer=OptimizerConfig(optimizer, {"lr": 0.01}),
        training=TrainingConfig(batch_size=case.batch, seed=SEED),
        data=DataConfig(name="spiral", n=case.points, noise=0.1, seed=1, validation_fraction=0.2),
    )


@dataclass
class Problem:
    """What every implementation starts from: nnplay's data, initial weights and settings."""

    case: Case
    optimizer: str
    weights: list[tuple[np.ndarray, np.ndarray]]
    x_train: np.ndarray
    y_train: np.ndarray
    labels_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    labels_val: np.ndarray
    hyper: dict[str, float]
    updates_per_epoch: int


def problem_of(case: Case, optimizer: str) -> Problem:
    exp = Experiment(config_of(case, optimizer))
    d = exp.trainer.data
    weights = [(w["W"].copy(), w["b"].copy()) for w in exp.network.get_weights()]
    return Problem(case, optimizer, weights, d.x_train, d.y_train, d.labels_train, d.x_val, d.y_val,
                   d.labels_val, dict(exp.optimizer.hyper), exp.trainer.updates_per_epoch)


@dataclass
class Result:
    seconds: float
    updates: int
    final_loss: float  # training loss after the last epoch: all implementations should agree roughly
    eval_seconds: float = math.nan

    @property
    def rate(self) -> float:
        return self.updates / self.seconds


def run_nnplay(p: Problem, epochs: int) -> Result:
    exp = Experiment(config_of(p.case, p.optimizer))
    trainer = exp.trainer
    trainer.run(1)  # warm-up
    spent = [0.0]
    evaluate = trainer.evaluate

    def timed_evaluate():  # the per-epoch evaluation's share of the time, measured in the same run
        start = time.perf_counter()
        out = evaluate()
        spent[0] += time.perf_counter() - start
        return out

    trainer.evaluate = timed_evaluate
    start = time.perf_counter()
    reason = trainer.run(1 + epochs)
    seconds = time.perf_counter() - start
    if reason.value != "finished":
        raise RuntimeError(f"nnplay stopped early: {reason}")
    return Result(seconds, epochs * p.updates_per_epoch, trainer.history.last("train_loss"), spent[0])


def run_numpy_loop(p: Problem, epochs: int) -> Result:
    """The playground net (two tanh layers, sigmoid output) by hand: the practical limit."""
    (W1, b1), (W2, b2), (W3, b3) = [(W.copy(), b.copy()) for W, b in p.weights]
    params = [W1, b1, W2, b2, W3, b3]
    X, Y, n, bs = p.x_train, p.y_train, len(p.x_train), p.case.batch
    lr = p.hyper["lr"]
    adam = p.optimizer == "adam"
    if adam:
        beta1, beta2, eps = p.hyper["beta1"], p.hyper["beta2"], p.hyper["eps"]
        ms = [np.zeros_like(w) for w in params]
        vs = [np.zeros_like(w) for w in params]
    t = 0
    last_loss = math.nan

    def epoch(e):
        nonlocal t, last_loss
        order = np.random.default_rng([SEED, e]).permutation(n)
        for k in range(0, n, bs):
            idx = order[k:k + bs]
            xb, yb = X[idx], Y[idx]
            a1 = np.tanh(xb @ W1 + b1)
            a2 = np.tanh(a1 @ W2 + b2)
            z3 = a2 @ W3 + b3
            if not math.isfinite(float(np.mean(np.logaddexp(0.0, z3) - yb * z3))):
                raise FloatingPointError("diverged")
            d3 = (0.5 + 0.5 * np.tanh(0.5 * z3) - yb) / len(idx)  # σ(z) - y, per the batch mean
            d2 = (d3 @ W3.T) * (1.0 - a2 * a2)
            d1 = (d2 @ W2.T) * (1.0 - a1 * a1)
            grads = (xb.T @ d1, d1.sum(axis=0), a1.T @ d2, d2.sum(axis=0), a2.T @ d3, d3.sum(axis=0))
            t += 1
            if adam:
                c1, c2 = 1.0 - beta1**t, 1.0 - beta2**t
                for w, g, m, v in zip(params, grads, ms, vs):
                    m *= beta1
                    m += (1.0 - beta1) * g
                    v *= beta2
                    v += (1.0 - beta2) * (g * g)
                    w -= lr * (m / c1) / (np.sqrt(v / c2) + eps)
            else:
                for w, g in zip(params, grads):
                    w -= lr * g
        # the per-epoch evaluation nnplay's trainer does: loss and accuracy on both sets
        for x, y, labels in ((X, Y, p.labels_train), (p.x_val, p.y_val, p.labels_val)):
            z = np.tanh(np.tanh(x @ W1 + b1) @ W2 + b2) @ W3 + b3
            loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
            float(np.mean((z[:, 0] > 0.0) == labels))
            if x is X:
                last_loss = loss

    epoch(0)  # warm-up
    start = time.perf_counter()
    for e in range(1, 1 + epochs):
        epoch(e)
    seconds = time.perf_counter() - start
    return Result(seconds, epochs * p.updates_per_epoch, last_loss)


def run_numpy_flat(p: Problem, epochs: int) -> Result:
    """``run_numpy_loop`` with one parameter vector and one gradient vector: the weights
    are views of ``theta``, the gradients are written into views of ``grad``."""
    shapes = [a.shape for W, b in p.weights for a in (W, b)]
    theta = np.concatenate([a.reshape(-1) for W, b in p.weights for a in (W, b)])
    grad = np.empty_like(theta)

    def views(flat):
        out, start = [], 0
        for shape in shapes:
            size = math.prod(shape)
            out.append(flat[start:start + size].reshape(shape))
            start += size
        return out

    W1, b1, W2, b2, W3, b3 = views(theta)
    gW1, gb1, gW2, gb2, gW3, gb3 = views(grad)
    X, Y, n, bs = p.x_train, p.y_train, len(p.x_train), p.case.batch
    lr = p.hyper["lr"]
    adam = p.optimizer == "adam"
    if adam:
        beta1, beta2, eps = p.hyper["beta1"], p.hyper["beta2"], p.hyper["eps"]
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    t = 0
    last_loss = math.nan

    def epoch(e):
        nonlocal t, last_loss, theta, m, v
        order = np.random.default_rng([SEED, e]).permutation(n)
        for k in range(0, n, bs):
            idx = order[k:k + bs]
            xb, yb = X[idx], Y[idx]
            a1 = np.tanh(xb @ W1 + b1)
            a2 = np.tanh(a1 @ W2 + b2)
            z3 = a2 @ W3 + b3
            if not math.isfinite(float(np.mean(np.logaddexp(0.0, z3) - yb * z3))):
                raise FloatingPointError("diverged")
            d3 = (0.5 + 0.5 * np.tanh(0.5 * z3) - yb) / len(idx)
            d2 = (d3 @ W3.T) * (1.0 - a2 * a2)
            d1 = (d2 @ W2.T) * (1.0 - a1 * a1)
            np.matmul(xb.T, d1, out=gW1)
            np.add.reduce(d1, axis=0, out=gb1)
            np.matmul(a1.T, d2, out=gW2)
            np.add.reduce(d2, axis=0, out=gb2)
            np.matmul(a2.T, d3, out=gW3)
            np.add.reduce(d3, axis=0, out=gb3)
            t += 1
            if adam:
                m *= beta1
                m += (1.0 - beta1) * grad
                v *= beta2
                v += (1.0 - beta2) * (grad * grad)
                theta -= lr * (m / (1.0 - beta1**t)) / (np.sqrt(v / (1.0 - beta2**t)) + eps)
            else:
                theta -= lr * grad
        for x, y, labels in ((X, Y, p.labels_train), (p.x_val, p.y_val, p.labels_val)):
            z = np.tanh(np.tanh(x @ W1 + b1) @ W2 + b2) @ W3 + b3
            loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
            float(np.mean((z[:, 0] > 0.0) == labels))
            if x is X:
                last_loss = loss

    epoch(0)  # warm-up
    start = time.perf_counter()
    for e in range(1, 1 + epochs):
        epoch(e)
    seconds = time.perf_counter() - start
    return Result(seconds, epochs * p.updates_per_epoch, last_loss)


def run_torch(p: Problem, epochs: int, dtype, threads: int) -> Result:
    torch.set_num_threads(threads)
    torch.manual_seed(SEED)
    nn = torch.nn
    modules: list = []
    act = {"tanh": nn.Tanh, "relu": nn.ReLU}[p.case.activation]
    for i, (W, b) in enumerate(p.weights):
        linear = nn.Linear(*W.shape, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T.copy()))
            linear.bias.copy_(torch.from_numpy(b))
        modules.append(linear)
        if i < len(p.weights) - 1:
            modules.append(act())
    model = nn.Sequential(*modules)
    if p.optimizer == "adam":
        h = p.hyper
        opt = torch.optim.Adam(model.parameters(), lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"])
    else:
        opt = torch.optim.SGD(model.parameters(), lr=p.hyper["lr"])
    loss_fn = nn.BCEWithLogitsLoss()

    def tensor(a):
        return torch.as_tensor(a, dtype=dtype)

    X, Y, Xv, Yv = tensor(p.x_train), tensor(p.y_train), tensor(p.x_val), tensor(p.y_val)
    L, Lv = torch.as_tensor(p.labels_train), torch.as_tensor(p.labels_val)
    n, bs = len(X), p.case.batch
    last_loss = math.nan

    def epoch():
        nonlocal last_loss
        model.train()
        perm = torch.randperm(n)
        for k in range(0, n, bs):
            idx = perm[k:k + bs]
            xb, yb = X[idx], Y[idx]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            if not math.isfinite(loss.item()):
                raise FloatingPointError("diverged")
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            for x, y, labels in ((X, Y, L), (Xv, Yv, Lv)):
                z = model(x)
                loss = loss_fn(z, y).item()
                ((z[:, 0] > 0) == labels).double().mean().item()
                if x is X:
                    last_loss = loss

    epoch()  # warm-up
    start = time.perf_counter()
    for _ in range(epochs):
        epoch()
    seconds = time.perf_counter() - start
    return Result(seconds, epochs * p.updates_per_epoch, last_loss)


# ---------------------------------------------------------------- measuring and reporting
def implementations(case: Case, threads: int):
    """``(label, run(problem, epochs))`` for every implementation measured on ``case``."""
    out = [("nnplay", run_nnplay)]
    if torch is not None:
        out.append((f"torch f64 {threads}t", lambda p, e: run_torch(p, e, torch.float64, threads)))
        if threads != 1:
            out.append(("torch f64 1t", lambda p, e: run_torch(p, e, torch.float64, 1)))
        out.append((f"torch f32 {threads}t", lambda p, e: run_torch(p, e, torch.float32, threads)))
    if case.name == "playground":
        out.append(("numpy loop", run_numpy_loop))
        out.append(("numpy flat", run_numpy_flat))
    return out


#: what a target's reference means: the faster of these implementations
REFERENCES = {"torch": "torch f64", "numpy": "numpy"}


def measure(case: Case, optimizer: str, epochs: int, repeats: int, threads: int,
            only: list[str] | None = None) -> dict[str, list[Result]]:
    problem = problem_of(case, optimizer)
    impls = [(label, run) for label, run in implementations(case, threads)
             if only is None or label == "nnplay" or any(label.startswith(o) for o in only)]
    results: dict[str, list[Result]] = {label: [] for label, _ in impls}
    for r in range(repeats):
        # rotate the order so that no implementation always runs first after a pause
        for label, run in impls[r % len(impls):] + impls[:r % len(impls)]:
            results[label].append(run(problem, epochs))
    return results


def median_rate(results: list[Result]) -> float:
    return statistics.median(r.rate for r in results)


def spread(results: list[Result]) -> str:
    rates = [r.rate for r in results]
    return f"{min(rates):,.0f}–{max(rates):,.0f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a quarter of the epochs and 3 repeats")
    parser.add_argument("--repeats", type=int, default=None, help="runs per implementation (default 5, quick 3)")
    parser.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    parser.add_argument("--cases", default=",".join(c.name for c in CASES),
                        help="comma-separated subset of " + ", ".join(c.name for c in CASES))
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="set NumPy's OpenBLAS thread count first (torch then uses the same)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to PATH")
    parser.add_argument("--only", metavar="PREFIXES",
                        help="measure nnplay and only the implementations whose label starts with one of "
                             "these comma-separated prefixes (e.g. 'numpy', or 'none' for nnplay alone)")
    args = parser.parse_args(argv)
    if args.blas_threads is not None:
        set_blas_threads(args.blas_threads)
    # nnplay's trainer does this on its first run; doing it first puts every implementation on
    # the same allocator settings (set any MALLOC_* variable, e.g. MALLOC_PERTURB_=0, to skip it)
    keep_freed_memory()
    repeats = args.repeats or (3 if args.quick else 5)
    threads = blas_threads() or (torch.get_num_threads() if torch is not None else 1)
    chosen = [c for c in CASES if c.name in args.cases.split(",")]

    for line in machine_report():
        print(line)
    print(f"optimizer {args.optimizer}, {repeats} runs each, medians; 'torch f64 {threads}t' uses as many "
          f"intra-op threads as NumPy's BLAS, '1t' one")
    if torch is None:
        print("PyTorch is not installed: only nnplay and the NumPy loop are measured")
    print()

    header = f"{'case':<34} {'implementation':<13} {'updates/s':>10} {'min–max':>17} {'nnplay ×':>9}  final loss"
    print(header)
    print("-" * len(header))
    verdicts, report = [], {"machine": machine_report(), "optimizer": args.optimizer, "repeats": repeats,
                            "threads": threads, "cases": {}}
    for case in chosen:
        epochs = max(2, case.epochs // 4) if args.quick else case.epochs
        results = measure(case, args.optimizer, epochs, repeats, threads,
                          args.only.split(",") if args.only else None)
        rates = {label: median_rate(rs) for label, rs in results.items()}
        nn_rate = rates["nnplay"]
        title = f"{case.name}: {case.shape}, batch {case.batch}"
        for label, rs in results.items():
            ratio = "" if label == "nnplay" else f"{nn_rate / rates[label]:8.2f}×"
            loss = statistics.median(r.final_loss for r in rs)
            print(f"{title:<34} {label:<13} {rates[label]:>10,.0f} {spread(rs):>17} {ratio:>9}  {loss:.4f}")
            title = ""
        eval_share = statistics.median(r.eval_seconds / r.seconds for r in results["nnplay"])
        print(f"{'':<34} nnplay: {results['nnplay'][0].updates} updates per run ({epochs} epochs); "
              f"its per-epoch evaluation took {eval_share:.0%} of the time")
        report["cases"][case.name] = {"shape": case.shape, "batch": case.batch, "epochs": epochs,
                                      "rates": rates, "eval_share": eval_share,
                                      "runs": {label: [r.rate for r in rs] for label, rs in results.items()}}
        for ref, need in case.targets.items():
            candidates = {label: rate for label, rate in rates.items() if label.startswith(REFERENCES[ref])}
            if not candidates:
                verdicts.append(f"{case.name}: nnplay ≥ {need}× {ref}: not measured ({ref} missing)")
                continue
            best = max(candidates, key=candidates.get)
            got = nn_rate / candidates[best]
            verdicts.append(f"{case.name}: nnplay ≥ {need}× {ref} (best: {best}): {got:.2f}× — "
                            + ("met" if got >= need else "MISSED"))
    print()
    print("Targets")
    for line in verdicts:
        print("  " + line)
    report["targets"] = verdicts
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
