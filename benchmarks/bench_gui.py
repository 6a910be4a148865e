"""How the app keeps up while it trains: the figures of docs/benchmarks.md, "The app".

On the spiral with the default 2-8-8-1 tanh net (batch 10, adam):

1. headless updates/s: ``Trainer.run`` alone, no hooks, in this process;
2. the same run from the window with its plots live: updates/s the worker reaches,
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


def gui_run(seconds: float) -> dict:
    from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QSettings, QTimer

    from nnplay.gui.app import make_application

    app = make_application()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "/tmp/nnplay-bench-settings")
    from nnplay.gui.main_window import MainWindow

    window = MainWindow()
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
    result: dict = {}

    def start():
        window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 1_000_000))
        result["draws0"] = (window.boundary.draws, window.curves.draws)
        paints.count = 0
        result["epoch0"] = window.document.experiment.trainer.epoch
        clock.start()
        last[0] = 0
        ticker.start()
        window.play()
        result["t0"] = time.perf_counter()
        QTimer.singleShot(int(seconds * 1000), finish)

    def finish():
        elapsed = time.perf_counter() - result["t0"]
        ticker.stop()
        trainer = window.document.experiment.trainer
        updates = (trainer.epoch - result["epoch0"]) * trainer.updates_per_epoch + trainer.update_in_epoch
        window.stop_training()
        result.update(
            updates_per_s=updates / elapsed,
            max_gap_ms=max(gaps[1:] or [0]),
            p99_gap_ms=float(np.percentile(gaps[1:] or [0], 99)),
            boundary_draws_per_s=(window.boundary.draws - result["draws0"][0]) / elapsed,
            curve_draws_per_s=(window.curves.draws - result["draws0"][1]) / elapsed,
            paints_per_s=paints.count / elapsed,
            epochs=trainer.epoch - result["epoch0"],
        )
        window.document._trained_since_save = False  # nothing to ask about on close
        window.document.undo_stack.setClean()
        window.close()
        app.quit()

    QTimer.singleShot(500, start)  # let the window settle first
    app.exec()
    return result


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
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each timed run")
    args = parser.parse_args()

    # the machine may be shared: measure headless before and after, and compare with the mean
    before = headless_rate(args.seconds)
    gui = gui_run(args.seconds)
    after = headless_rate(args.seconds)
    headless = (before + after) / 2
    launches = launch_time(3)
    share = gui["updates_per_s"] / headless
    platform_name = os.environ.get("QT_QPA_PLATFORM") or ("xcb" if os.environ.get("DISPLAY") else "?")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, Qt platform {platform_name}")
    print(f"spiral 2-8-8-1 tanh, batch 10, adam; {args.seconds:g} s per run\n")
    print("| figure | target | measured |")
    print("|---|---|---|")
    print(f"| headless updates/s (before, after) | – | {headless:,.0f} ({before:,.0f}, {after:,.0f}) |")
    print(f"| updates/s with the window and plots live | ≥ 80 % of headless | {gui['updates_per_s']:,.0f} "
          f"({100 * share:.0f} %) |")
    print(f"| longest GUI event-loop stall (gap of a 5 ms timer) | < 50 ms | {gui['max_gap_ms']:.1f} ms "
          f"(99th percentile {gui['p99_gap_ms']:.1f} ms) |")
    print(f"| boundary image updates/s | ≥ 20 | {gui['boundary_draws_per_s']:.1f} |")
    print(f"| curve updates/s | ≥ 20 | {gui['curve_draws_per_s']:.1f} |")
    print(f"| boundary widget repaints/s | ≥ 20 | {gui['paints_per_s']:.1f} |")
    print(f"| load average at the end | – | {os.getloadavg()[0]:.2f} |")
    print(f"| launch to window shown | < 2 s | {min(launches):.2f} s (best of 3; worst {max(launches):.2f} s) |")


if __name__ == "__main__":
    main()
