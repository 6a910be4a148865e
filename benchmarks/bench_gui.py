"""How the app keeps up while it trains: the figures of docs/benchmarks.md, "The app".

For each network (every bundled example, File ▸ New's default, and the default data
set with a 2-64-bn-drop-64-bn-drop-1 net), with the window shown and the speed at max:

1. headless updates/s: ``Trainer.run`` alone, no hooks, on its own copy of the network,
   in this process while the window sits idle;
2. live updates/s: the same network trained from the window, plots live;

alternating (1) and (2) in rounds of ``--seconds`` each, so that a shared machine's
changing load hits both alike, and comparing each live round with the headless round
just before it. During the live rounds it also measures the GUI thread's longest stall
(the largest gap between two ticks of a 5 ms QTimer), how often the boundary image is
replaced and how often its widget is actually painted, and how long pausing blocks the
GUI thread. Every run trains with its Epochs setting raised and early stopping off, so
no round ends early.

Run under a display (``make bench-gui``, which uses xvfb-run) or with
QT_QPA_PLATFORM=offscreen. Not a test: the numbers depend on the machine and its load,
so the load average is printed beside each row, and so is the training's speed per CPU
second it got ("per CPU second": live against headless, which a loaded machine's
scheduler does not distort), the cores each of the app's threads used, and the share
of the training thread's wall time that watching took from it by the app's own
account (its snapshots, a small net's frames and its waits for the window's turn:
``FrameClock.training_spent_total``; a figure that needs no headless round to compare
with, so a machine whose speed drifts between rounds distorts it least).

    make bench-gui BENCH_ARGS="--networks spiral,moons_dropout_batchnorm --seconds 2"
    make bench-gui BENCH_ARGS="--networks spiral --docks distributionsDock"
    python benchmarks/bench_gui.py --list
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from nnplay.core.config import BatchNormConfig, DenseConfig, DropoutConfig, NetworkConfig
from nnplay.core.experiment import Experiment

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "resources" / "examples"
#: the networks measured by default, beside the bundled examples
EXTRA = ("new", "new_64_bn_drop")


def network_config(name: str) -> NetworkConfig:
    """The settings of a benchmark network by name: an example's file stem, or one of EXTRA."""
    from nnplay.gui.document import default_config

    if name == "new":
        return default_config()
    if name == "new_64_bn_drop":
        config = default_config()
        block = [DenseConfig(64, "relu", "he_normal"), BatchNormConfig(), DropoutConfig(0.3)]
        config.layers = block + copy.deepcopy(block) + [DenseConfig(1, "sigmoid")]
        config.name = "2-64-bn-drop-64-bn-drop-1 on the default spiral"
        return config
    from nnplay.io.networkfile import read_network

    return read_network(EXAMPLES / f"{name}.nnp")


def all_networks() -> list[str]:
    return [path.stem for path in sorted(EXAMPLES.glob("*.nnp"))] + list(EXTRA)


def endless(config: NetworkConfig) -> NetworkConfig:
    """The same network, with nothing that would end a round early, and its training
    alone (pre-training off: its updates are not the epochs' updates counted here)."""
    config = copy.deepcopy(config)
    config.training.epochs = 10**6
    config.training.early_stopping = None
    config.training.pretraining = None
    return config


def describe(config: NetworkConfig) -> str:
    widths = [str(len(config.features))]
    for layer in config.layers:
        widths.append({"batchnorm": "bn", "dropout": "drop"}.get(layer.to_dict()["type"], str(getattr(layer, "units", "?"))))
    batch = config.training.batch_size or "all"
    return f"{'-'.join(widths)}, batch {batch}"


# ---------------------------------------------------------------- headless
def thread_cpu() -> dict[tuple[str, str], float]:
    """CPU seconds so far of each thread of this process, by (id, name) (Linux; else empty)."""
    out: dict[tuple[str, str], float] = {}
    for task in Path("/proc/self/task").glob("*"):
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            name = (task / "comm").read_text().strip()
        except OSError:
            continue
        out[(task.name, name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def cores_by_name(before: dict, after: dict, seconds: float) -> dict[str, float]:
    """Cores each thread name used between two ``thread_cpu`` readings (threads that
    ended in between are not counted; a thread that lingers from before counts only its new time)."""
    out: dict[str, float] = {}
    main = str(os.getpid())
    for key, value in after.items():
        # the GUI thread by its id; other unnamed threads are the BLAS library's helpers
        name = "GUI" if key[0] == main else ("BLAS" if key[1] == "python" else key[1])
        out[name] = out.get(name, 0.0) + (value - before.get(key, 0.0)) / seconds
    return out


def headless_round(trainer, seconds: float) -> tuple[float, float]:
    """Updates per second of ``trainer.run`` alone for about ``seconds``, and per CPU second."""
    per_epoch = trainer.updates_per_epoch
    start, cpu, done, epochs = time.perf_counter(), time.thread_time(), 0, 1
    while time.perf_counter() - start < seconds:
        begin, called = trainer.epoch * per_epoch + trainer.update_in_epoch, time.perf_counter()
        trainer.run(trainer.epoch + epochs)
        done += trainer.epoch * per_epoch + trainer.update_in_epoch - begin
        # calls of about 20 ms: a call per epoch of one update (xor's) cost more than the update,
        # and live training is one call for the whole run
        epochs = max(1, min(epochs * 4, int(epochs * 0.02 / max(time.perf_counter() - called, 1e-6))))
    return done / (time.perf_counter() - start), done / max(time.thread_time() - cpu, 1e-9)


# ---------------------------------------------------------------- live
class StallMeter:
    """The GUI thread's stalls: the gaps between the ticks of a 5 ms timer, in ms, each
    with the seconds since ``start`` at which it ended (``gaps``, kept until ``clear``).

    The ticks are recorded without entering Python: a ``QTimeLine`` updated every 5 ms
    emits its value (the time since it started), and a ``QSignalSpy`` stores each in
    C++. A timer whose every tick ran a Python slot (the first version of this meter)
    took the interpreter lock 200 times a second from the training loop it watches, and
    each of those waits woke the GUI thread at each of the loop's NumPy calls: measured
    on ``quadrants_momentum``, it alone cost live training 8-10 points of its speed
    (71 % of headless with it, 81 % without) and the GUI thread 0.16 of a core."""

    #: the longest round the time line can time (its value runs from 0 to 1 over it)
    SPAN_MS = 10 * 60 * 1000

    def __init__(self):
        from PySide6.QtCore import QEasingCurve, QTimeLine
        from PySide6.QtTest import QSignalSpy

        self.ticker = QTimeLine(self.SPAN_MS)
        self.ticker.setUpdateInterval(5)
        self.ticker.setEasingCurve(QEasingCurve.Type.Linear)
        self._spy = QSignalSpy(self.ticker.valueChanged)
        self._seen = 0
        self.gaps: list[tuple[float, float]] = []

    def start(self) -> None:
        self._seen = self._spy.count()
        self.ticker.stop()
        self.ticker.setCurrentTime(0)
        self.ticker.start()

    def stop(self) -> None:
        self.ticker.stop()
        ticks = np.array([self._spy.at(i)[0] for i in range(self._seen, self._spy.count())]) * self.SPAN_MS
        self.gaps.extend(zip((ticks[1:] / 1000).tolist(), np.diff(ticks).tolist()))

    def clear(self) -> None:
        self.gaps.clear()

    def figures(self, after: float = 0.0) -> tuple[float, float]:
        """Longest and 99th-percentile gap (ms) among those that ended ``after`` seconds in."""
        gaps = np.array([gap for at, gap in self.gaps if at >= after] or [0.0])
        return float(gaps.max()), float(np.percentile(gaps, 99))


class GuiProbe:
    """The GUI thread's stalls (``stalls``, a ``StallMeter``) and the boundary widget's
    paint events."""

    def __init__(self, window):
        from PySide6.QtCore import QEvent, QObject

        class PaintCounter(QObject):
            count = 0

            def eventFilter(self, obj, event):
                if event.type() == QEvent.Type.Paint:
                    self.count += 1
                return False

        self.paints = PaintCounter()
        window.boundary.graphics.viewport().installEventFilter(self.paints)
        self.stalls = StallMeter()

    def start(self) -> None:
        self.stalls.start()

    def stop(self) -> None:
        self.stalls.stop()


def wait(seconds: float) -> None:
    """Run the event loop for ``seconds``."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def updates_of(trainer) -> int:
    return trainer.epoch * trainer.updates_per_epoch + trainer.update_in_epoch


def live_round(window, probe: GuiProbe, seconds: float) -> dict:
    """One round of training from the window; what it reached and how the GUI fared."""
    from PySide6.QtCore import QCoreApplication

    trainer = window.document.experiment.trainer
    draws, paints, before = window.boundary.draws, probe.paints.count, updates_of(trainer)
    inside_before = inside_draws(window)
    distributions = window.distributions.draws
    probe.start()
    cpu_before = thread_cpu()
    given_before = window.runner.clock.training_spent_total
    window.play()
    start = time.perf_counter()
    wait(seconds)
    elapsed = time.perf_counter() - start
    updates = updates_of(window.document.experiment.trainer) - before
    cpu = cores_by_name(cpu_before, thread_cpu(), elapsed)
    given = (window.runner.clock.training_spent_total - given_before) / elapsed
    probe.stop()
    pause_start = time.perf_counter()
    window.stop_training()  # what a press of pause blocks the GUI thread for
    pause_blocked = time.perf_counter() - pause_start
    while window.training:  # an asynchronous stop: let it end before the next round
        QCoreApplication.processEvents()
        time.sleep(0.001)
    trainer_cpu = cpu.get("TrainingThread", 0.0)
    inside = [after - earlier for after, earlier in zip(inside_draws(window), inside_before)]
    return {"rate": updates / elapsed, "elapsed": elapsed, "draws": window.boundary.draws - draws,
            "diagram_draws": inside[0], "hidden_space_draws": inside[1],
            "distributions_draws": window.distributions.draws - distributions,
            "paints": probe.paints.count - paints, "pause_ms": 1000 * pause_blocked,
            "per_cpu_s": updates / elapsed / trainer_cpu if trainer_cpu else float("nan"),
            "trainer_cores": trainer_cpu, "gui_cores": cpu.get("GUI", 0.0),
            "views_cores": cpu.get("ViewsThread", 0.0), "blas_cores": cpu.get("BLAS", 0.0),
            "given_to_watching": given}


def measure(window, probe: GuiProbe, name: str, seconds: float, rounds: int) -> dict:
    config = endless(network_config(name))
    window.document.replace(config, None)
    wait(0.3)
    headless = Experiment(config)
    headless.trainer.run(1)  # warm up (allocations, BLAS threads)
    load_before = os.getloadavg()[0]
    probe.stalls.clear()
    pairs, lives, per_cpu = [], [], []
    for _ in range(rounds):
        rate, rate_per_cpu = headless_round(headless.trainer, seconds)
        live = live_round(window, probe, seconds)
        pairs.append((rate, live["rate"]))
        per_cpu.append(live["per_cpu_s"] / rate_per_cpu)
        lives.append(live)
        wait(0.2)
    max_stall, p99_stall = probe.stalls.figures()
    elapsed = sum(r["elapsed"] for r in lives)
    return {
        "network": name, "layers": describe(config),
        "headless": [h for h, _ in pairs], "live": [v for _, v in pairs],
        "ratios": [v / h for h, v in pairs],
        "boundary_draws_per_s": sum(r["draws"] for r in lives) / elapsed,
        "paints_per_s": sum(r["paints"] for r in lives) / elapsed,
        "diagram_draws_per_s": sum(r["diagram_draws"] for r in lives) / elapsed,
        "hidden_space_draws_per_s": sum(r["hidden_space_draws"] for r in lives) / elapsed,
        "distributions_draws_per_s": sum(r["distributions_draws"] for r in lives) / elapsed,
        "max_stall_ms": max_stall, "p99_stall_ms": p99_stall,
        "pause_ms": max(r["pause_ms"] for r in lives),
        "per_cpu_ratio": float(np.nanmedian(per_cpu)) if not np.all(np.isnan(per_cpu)) else float("nan"),
        "given_to_watching": float(np.median([r["given_to_watching"] for r in lives])),
        "cores": {k: float(np.median([r[k] for r in lives]))
                  for k in ("trainer_cores", "gui_cores", "views_cores", "blas_cores")},
        "load": (load_before, os.getloadavg()[0]),
    }


#: docks that --all-docks puts below the plot, side by side, where they have room to
#: show what they show in use (stacked with the others on the right, each would get
#: a sliver: a network diagram of two nodes per column)
BELOW = ("networkDock", "hiddenSpaceDock")


def show_all_docks(window) -> None:
    """Every dock on screen, none hidden behind a tab: the plots' docks on the right, one
    above the other; the network diagram and the hidden space below, side by side."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDockWidget

    docks = [d for d in window.findChildren(QDockWidget) if d.objectName() != "panelsDock"]
    for dock in docks:
        dock.setFloating(False)
        if dock.objectName() in BELOW:
            window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock, Qt.Orientation.Horizontal)
        else:
            window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock, Qt.Orientation.Vertical)
        dock.show()
    below = [d for d in docks if d.objectName() in BELOW]
    if below:
        window.resizeDocks(below, [380] * len(below), Qt.Orientation.Vertical)


def inside_draws(window) -> tuple[int, int]:
    """How many pictures the network diagram and the hidden space have shown so far."""
    inside = getattr(window, "inside", None)
    return (inside.diagram.draws, inside.hidden_space.draws) if inside is not None else (0, 0)


def open_docks(window, names: list[str]) -> None:
    """Open the docks named (their objectName) and bring each to the front of its tabs,
    as View ▸ <dock> does."""
    from PySide6.QtWidgets import QDockWidget

    for name in names:
        dock = window.findChild(QDockWidget, name)
        if dock is None:
            known = sorted(d.objectName() for d in window.findChildren(QDockWidget))
            raise SystemExit(f"no dock named {name!r}; the docks: {', '.join(known)}")
        dock.show()
        dock.raise_()


def open_window(size: tuple[int, int], all_docks: bool):
    """The app and its window as a first launch makes them (fresh settings), shown at
    ``size``, with every dock on screen if ``all_docks``."""
    from PySide6.QtCore import QSettings

    from nnplay.gui.app import make_application

    app = make_application()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "/tmp/nnplay-bench-settings")
    QSettings().clear()
    from nnplay.gui.main_window import MainWindow

    window = MainWindow()
    window.resize(*size)
    window.show()
    if all_docks:
        show_all_docks(window)
    return app, window


def close_window(app, window) -> None:
    """Close the window with nothing to ask about (the benchmark's training is not the user's)."""
    window.document.undo_stack.setClean()
    window.document._trained_since_save = False
    window.close()
    app.processEvents()


def gui_run(names: list[str], seconds: float, rounds: int, size: tuple[int, int], all_docks: bool,
            docks: list[str] = ()) -> list[dict]:
    app, window = open_window(size, all_docks)
    window.transport.speed.setValue(window.transport.speed.maximum())  # a first launch starts slower
    open_docks(window, docks)
    wait(0.5)  # let the window settle first
    probe = GuiProbe(window)
    results = []
    for name in names:
        results.append(measure(window, probe, name, seconds, rounds))
        print(row(results[-1]), flush=True)
        if all_docks:
            r = results[-1]
            print(f"  (network diagram {r['diagram_draws_per_s']:.1f} pictures/s, "
                  f"hidden space {r['hidden_space_draws_per_s']:.1f}/s)", flush=True)
        if "distributionsDock" in docks or all_docks:
            print(f"  (Distributions redrawn {results[-1]['distributions_draws_per_s']:.1f}/s)", flush=True)
    close_window(app, window)
    return results


# ---------------------------------------------------------------- launch
def launch_time(runs: int) -> list[float]:
    """Seconds from spawning ``python -m nnplay.gui.app`` to its window shown and idle."""
    code = (
        "import sys, time, os; t0 = float(os.environ['NNPLAY_T0']);"
        "from PySide6.QtCore import QTimer;"
        "from nnplay.gui.app import make_application, open_window;"
        "app = make_application(); w = open_window(None);"
        "QTimer.singleShot(0, lambda: (print(time.time() - t0, w.isVisible()), w.document.undo_stack.setClean(),"
        " app.quit()));"
        "app.exec()"
    )
    times = []
    for _ in range(runs):
        env = dict(os.environ, NNPLAY_T0=repr(time.time()))
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        seconds, visible = out.stdout.split()[-2:]
        assert visible == "True"
        times.append(float(seconds))
    return times


# ---------------------------------------------------------------- report
HEADER = ("| network | layers | headless updates/s | live updates/s | live / headless (range) "
          "| per CPU second | training's time given to watching | cores: trainer, GUI, views, BLAS helper "
          "| boundary redraws/s (paints/s) | longest stall (p99) | pause blocks | load |\n"
          "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def row(r: dict) -> str:
    ratios = r["ratios"]
    return (f"| {r['network']} | {r['layers']} | {np.median(r['headless']):,.0f} | {np.median(r['live']):,.0f} "
            f"| **{100 * np.median(ratios):.0f} %** ({100 * min(ratios):.0f}–{100 * max(ratios):.0f}) "
            f"| {100 * r['per_cpu_ratio']:.0f} % | {100 * r['given_to_watching']:.0f} % "
            f"| {r['cores']['trainer_cores']:.2f}, {r['cores']['gui_cores']:.2f}, "
            f"{r['cores']['views_cores']:.2f}, {r['cores']['blas_cores']:.2f} "
            f"| {r['boundary_draws_per_s']:.1f} ({r['paints_per_s']:.1f}) "
            f"| {r['max_stall_ms']:.0f} ms ({r['p99_stall_ms']:.0f}) | {r['pause_ms']:.0f} ms "
            f"| {r['load'][0]:.1f}–{r['load'][1]:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", default="all",
                        help="comma-separated names (example file stems, 'new', 'new_64_bn_drop'); default all")
    parser.add_argument("--list", action="store_true", help="print the network names and exit")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each headless and live round")
    parser.add_argument("--rounds", type=int, default=3, help="pairs of headless and live rounds per network")
    parser.add_argument("--size", default="1500x900", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--all-docks", action="store_true", help="show every view dock at once (none behind a tab)")
    parser.add_argument("--docks", default="", metavar="NAMES",
                        help="comma-separated docks to open in front of their tabs, by objectName "
                             "(e.g. distributionsDock)")
    parser.add_argument("--launch", type=int, default=3, help="launch-time runs (0: skip)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()
    if args.list:
        print("\n".join(all_networks()))
        return
    names = all_networks() if args.networks == "all" else [n.strip() for n in args.networks.split(",") if n.strip()]
    for name in names:
        network_config(name)  # an unknown name fails before anything runs
    width, height = (int(v) for v in args.size.lower().split("x"))
    docks = [n.strip() for n in args.docks.split(",") if n.strip()]
    platform_name = os.environ.get("QT_QPA_PLATFORM") or ("xcb" if os.environ.get("DISPLAY") else "?")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, Qt platform {platform_name}, window {width}x{height}"
          f"{', all docks shown' if args.all_docks else ''}{', docks open: ' + ', '.join(docks) if docks else ''}"
          f"; load average {os.getloadavg()[0]:.2f}")
    print(f"{args.rounds} rounds per network of {args.seconds:g} s headless, then {args.seconds:g} s live; "
          "medians over the rounds\n")
    print(HEADER, flush=True)
    results = gui_run(names, args.seconds, args.rounds, (width, height), args.all_docks, docks)
    launches = launch_time(args.launch) if args.launch else []
    if launches:
        print(f"\nlaunch to window shown: {min(launches):.2f} s (best of {len(launches)}; worst {max(launches):.2f} s)")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "launch_s": launches}, indent=1))


if __name__ == "__main__":
    main()
