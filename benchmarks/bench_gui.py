"""How the app keeps up while it trains: the figures of docs/benchmarks.md, "The app".

On the spiral with the default 2-8-8-1 tanh net (batch 10, adam):

1. headless updates/s: ``Trainer.run`` alone, no hooks, in this process;
2. the same run from the window with its plots live, alternating with (1) in
   short rounds so that a shared machine's changing load hits both alike:
   updates/s the worker reaches,
   the longest gap of a 5 ms QTimer in the GUI thread (an event-loop stall), how
   often the boundary image and the curves are redrawn and how often the plot
   widgets are actually painted;
3. launch time: from starting a fresh ``python -m nnplay.gui.app`` process to its
   window being shown and the event loop running.

Run under a display (``xvfb-run -a python benchmarks/bench_gui.py``) or with
QT_QPA_PLATFORM=offscreen. Not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time

import numpy as np

from nnplay.core.experiment import Experiment
from nnplay.gui.document import default_config


def headless_rate(seconds: float) -> float:
    experiment = Experiment(default_config())
    trainer = experiment.trainer
    per_epoch = trainer.updates_per_epoch
    trainer.run(2)  # warm up
    start, epochs = time.perf_counter(), trainer.epoch
    while time.perf_counter() - start < seconds:
        trainer.run(trainer.epoch + 5)
    elapsed = time.perf_counter() - start
    return (trainer.epoch - epochs) * per_epoch / elapsed


def gui_run(seconds: float, rounds: int) -> dict:
    """``rounds`` pairs of (headless, live) runs of ``seconds`` each, alternating, so a
    machine whose load changes treats both alike. The headless runs happen in this
    process too, with the window open but idle (its event loop is blocked meanwhile)."""
    from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QSettings, QTimer

    from nnplay.gui.app import make_application

    app = make_application()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "/tmp/nnplay-bench-settings")
    from nnplay.gui.main_window import MainWindow

    window = MainWindow()
    window.transport.speed.setValue(window.transport.speed.maximum())  # a first launch starts slower
    window.resize(1500, 900)
    window.show()

    class PaintCounter(QObject):
        def __init__(self):
            super().__init__()
            self.count = 0

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    paints = PaintCounter()
    window.boundary.graphics.viewport().installEventFilter(paints)

    gaps: list[float] = []
    clock = QElapsedTimer()
    ticker = QTimer()
    ticker.setInterval(5)
    last = [0]

    def tick():
        now = clock.nsecsElapsed()
        gaps.append((now - last[0]) / 1e6)
        last[0] = now

    ticker.timeout.connect(tick)
    pairs: list[tuple[float, float]] = []
    totals = {"elapsed": 0.0, "boundary": 0, "curves": 0, "paints": 0}
    state: dict = {}

    def updates_so_far() -> int:
        trainer = window.document.experiment.trainer
        return trainer.epoch * trainer.updates_per_epoch + trainer.update_in_epoch

    def begin_round():
        if len(pairs) == rounds:
            window.document.undo_stack.setClean()  # nothing to ask about on close
            window.document._trained_since_save = False
            window.close()
            app.quit()
            return
        state["headless"] = headless_rate(seconds)
        state["draws"] = (window.boundary.draws, window.curves.draws, paints.count)
        state["updates"] = updates_so_far()
        clock.start()
        last[0] = 0
        gaps.append(float("nan"))  # no gap across rounds
        ticker.start()
        window.play()
        state["t0"] = time.perf_counter()
        QTimer.singleShot(int(seconds * 1000), end_round)

    def end_round():
        elapsed = time.perf_counter() - state["t0"]
        ticker.stop()
        updates = updates_so_far() - state["updates"]
        window.stop_training()
        pairs.append((state["headless"], updates / elapsed))
        totals["elapsed"] += elapsed
        totals["boundary"] += window.boundary.draws - state["draws"][0]
        totals["curves"] += window.curves.draws - state["draws"][1]
        totals["paints"] += paints.count - state["draws"][2]
        QTimer.singleShot(300, begin_round)

    def start():
        window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 1_000_000))
        begin_round()

    QTimer.singleShot(500, start)  # let the window settle first
    app.exec()
    measured = np.array([g for g in gaps if np.isfinite(g)][1:] or [0.0])
    ratios = [live / headless for headless, live in pairs]
    return {
        "pairs": pairs,
        "ratios": ratios,
        "max_gap_ms": float(measured.max()),
        "p99_gap_ms": float(np.percentile(measured, 99)),
        "boundary_draws_per_s": totals["boundary"] / totals["elapsed"],
        "curve_draws_per_s": totals["curves"] / totals["elapsed"],
        "paints_per_s": totals["paints"] / totals["elapsed"],
    }


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
        seconds, visible = out.stdout.split()
        assert visible == "True"
        times.append(float(seconds))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each timed run")
    parser.add_argument("--rounds", type=int, default=4, help="pairs of headless and live runs")
    args = parser.parse_args()

    gui = gui_run(args.seconds, args.rounds)
    launches = launch_time(3)
    headless = [h for h, _ in gui["pairs"]]
    live = [v for _, v in gui["pairs"]]
    ratios = gui["ratios"]
    platform_name = os.environ.get("QT_QPA_PLATFORM") or ("xcb" if os.environ.get("DISPLAY") else "?")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, Qt platform {platform_name}")
    print(f"spiral 2-8-8-1 tanh, batch 10, adam; {args.rounds} rounds of {args.seconds:g} s headless, "
          f"then {args.seconds:g} s live\n")
    print("| figure | target | measured |")
    print("|---|---|---|")
    print(f"| headless updates/s (median; range) | – | {np.median(headless):,.0f} "
          f"({min(headless):,.0f}–{max(headless):,.0f}) |")
    print(f"| updates/s with the window and plots live (median; range) | – | {np.median(live):,.0f} "
          f"({min(live):,.0f}–{max(live):,.0f}) |")
    print(f"| live / headless, each round against the headless run just before it (median; range) "
          f"| ≥ 80 % | {100 * np.median(ratios):.0f} % ({100 * min(ratios):.0f}–{100 * max(ratios):.0f} %) |")
    print(f"| longest GUI event-loop stall (gap of a 5 ms timer) | < 50 ms | {gui['max_gap_ms']:.1f} ms "
          f"(99th percentile {gui['p99_gap_ms']:.1f} ms) |")
    print(f"| boundary image updates/s | ≥ 20 | {gui['boundary_draws_per_s']:.1f} |")
    print(f"| curve updates/s | ≥ 20 | {gui['curve_draws_per_s']:.1f} |")
    print(f"| boundary widget repaints/s | ≥ 20 | {gui['paints_per_s']:.1f} |")
    print(f"| load average at the end | – | {os.getloadavg()[0]:.2f} |")
    print(f"| launch to window shown | < 2 s | {min(launches):.2f} s (best of 3; worst {max(launches):.2f} s) |")


if __name__ == "__main__":
    main()
