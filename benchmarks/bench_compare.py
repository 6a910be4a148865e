"""How the app keeps up while the Race and Search windows run: the GUI stall figures
of docs/benchmarks.md, "Races and searches".

A 5 ms QTimer in the GUI thread records every gap between its ticks; the longest gap
is the longest the event loop was blocked (an input or a repaint waited that long).

1. **Race**: first the Race window open with nothing running (what the machine's
   load alone does to the timer) and the main window training its one network with
   its plots live (the smoothness to match), then the default network (File ▸ New: spiral, 2-8-8-1 tanh, adam) raced with
   1, 2, 4 and 7 optimizers, each run in its own worker process streaming snapshots
   (20 a second) that the window draws on its 40 ms timer: the longest gap measured
   from Start (making the tiles and spawning the processes included) and after the
   first second, the 99th percentile after the first second, the tiles' frames per second (each run's map redrawn per
   second), the snapshots the window took per second, and the epochs per second the
   runs made together.
2. **Search**: a 40-run random search of the same network (150 epochs each) on 2
   local processes, from Start (checking every run and writing the folder included)
   to the last run: the same gap figures, the runs per second, and how often the
   table changed.

The load average before and after each part is printed: the machine may be shared.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python benchmarks/bench_compare.py
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_compare.py --runs 1,4

Not a test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time

import numpy as np

from bench_gui import StallMeter  # beside this script: one way to time the GUI thread's stalls


def wait(seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def idle_round(window, seconds: float, meter: StallMeter) -> dict:
    """The same measurement with the Race window open and nothing running: what the
    machine's load alone does to the timer."""
    race = window.compare.show_race()
    race.resize(1560, 940)
    wait(0.3)
    meter.clear()
    meter.start()
    wait(seconds)
    meter.stop()
    race.close()
    longest, p99 = meter.figures()
    return {"runs": 0, "max_all": longest, "max_after": longest, "p99_after": p99, "tile_fps": 0.0,
            "snapshots_per_s": 0.0, "epochs_per_s": 0.0}


def main_window_round(window, seconds: float, meter: StallMeter) -> dict:
    """For comparison: the main window training its one network, plots live."""
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 1_000_000))
    wait(0.3)
    meter.clear()
    meter.start()
    window.play()
    began = time.perf_counter()
    wait(1.0)
    after = time.perf_counter() - began
    wait(seconds)
    meter.stop()
    window.stop_training()
    window.document.undo_stack.undo()
    window.reset_weights()
    longest, _ = meter.figures()
    later, p99 = meter.figures(after)
    return {"runs": -1, "max_all": longest, "max_after": later, "p99_after": p99, "tile_fps": 0.0,
            "snapshots_per_s": 0.0, "epochs_per_s": 0.0}


def race_round(window, runs: int, seconds: float, meter: StallMeter) -> dict:
    from nnplay.core.optimizers import OPTIMIZERS

    race = window.compare.show_race()
    race.resize(1560, 940)
    race.picker.clear()
    row = race.picker.add("optimizer.name")
    order = ["adam", "sgd", "momentum", "rmsprop", "nesterov", "adagrad", "adadelta"]
    names = (order + [n for n in OPTIMIZERS.names() if n not in order])[:runs]
    for box, value in row.checks:
        box.setChecked(value in names)
    race.epochs.setValue(1_000_000)
    wait(0.3)
    meter.clear()
    meter.start()
    began = time.perf_counter()
    race.start()
    wait(1.0)  # the processes start and send their first snapshots
    draws0 = sum(tile.plot.draws for tile in race.tiles.values())
    epochs0 = sum(view.epoch for view in race.views)
    taken = [0]
    take = race._take

    def counting(event):
        taken[0] += type(event).__name__ == "RunSnapshot"
        take(event)

    race._take = counting
    t0 = time.perf_counter()
    wait(seconds)
    elapsed = time.perf_counter() - t0
    meter.stop()
    draws = sum(tile.plot.draws for tile in race.tiles.values()) - draws0
    epochs = sum(view.epoch for view in race.views) - epochs0
    race._take = take
    first_s = t0 - began
    out = {"runs": runs, "max_all": meter.figures()[0], "max_after": meter.figures(first_s)[0],
           "p99_after": meter.figures(first_s)[1], "tile_fps": draws / elapsed / runs,
           "snapshots_per_s": taken[0] / elapsed, "epochs_per_s": epochs / elapsed}
    race.close()
    wait(0.5)
    return out


def search_round(window, runs: int, epochs: int, meter: StallMeter) -> dict:
    search = window.compare.show_search()
    search.resize(1560, 940)
    search.search_combo.setCurrentIndex(search.search_combo.findData("random"))
    search.runs_spin.setValue(runs)
    search.epochs.setValue(epochs)
    search.workers_spin.setValue(2)
    changes = [0]
    search.model.dataChanged.connect(lambda *_: changes.__setitem__(0, changes[0] + 1))
    search.model.layoutChanged.connect(lambda *_: changes.__setitem__(0, changes[0] + 1))
    with tempfile.TemporaryDirectory() as folder:
        search.folder_edit.setText(os.path.join(folder, "search"))
        search.folder_chosen = True
        wait(0.3)
        meter.clear()
        meter.start()
        began = time.perf_counter()
        search.start()
        while search.running:
            wait(0.05)
        elapsed = time.perf_counter() - began
        meter.stop()
        done = sum(row.status is not None for row in search.session.rows)
    search.close()
    longest, _ = meter.figures()
    later, p99 = meter.figures(1.0)
    return {"runs": done, "seconds": elapsed, "max": longest, "max_after": later, "p99": p99,
            "runs_per_s": done / elapsed, "table_updates": changes[0]}


def _median(rows: list[dict], key: str) -> str:
    values = [row[key] for row in rows]
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{np.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="1,2,4,7", help="race sizes, comma-separated")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each race measurement")
    parser.add_argument("--search-runs", type=int, default=40)
    parser.add_argument("--search-epochs", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=3, help="medians (and ranges) of this many repeats")
    args = parser.parse_args()

    from PySide6.QtCore import QSettings

    from nnplay.gui.app import make_application

    app = make_application()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from nnplay.gui.main_window import MainWindow

    window = MainWindow()
    window.resize(1200, 800)
    window.show()
    wait(0.5)
    meter = StallMeter()
    platform_name = os.environ.get("QT_QPA_PLATFORM") or ("xcb" if os.environ.get("DISPLAY") else "?")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, Qt platform {platform_name}; "
          f"medians of {args.repeats} repeats (range)\n")

    sizes = [int(n) for n in args.runs.split(",")]
    races: dict[int, list[dict]] = {n: [] for n in [0, -1, *sizes]}
    searches: list[dict] = []
    loads = [os.getloadavg()[0]]
    for _ in range(args.repeats):
        races[0].append(idle_round(window, args.seconds, meter))
        races[-1].append(main_window_round(window, args.seconds, meter))
        for n in sizes:
            races[n].append(race_round(window, n, args.seconds, meter))
        searches.append(search_round(window, args.search_runs, args.search_epochs, meter))
        loads.append(os.getloadavg()[0])

    print(f"Race: spiral 2-8-8-1 tanh, one process per run; {args.seconds:g} s measured after a 1 s start; "
          f"load average {' → '.join(f'{v:.2f}' for v in loads)} (before, after each repeat)\n")
    print("| runs | longest gap, from Start (ms) | longest gap, after 1 s (ms) | 99th percentile (ms) | "
          "map frames/s per run | snapshots taken/s | epochs/s, all runs |")
    print("|---|---|---|---|---|---|---|")
    for n, rows in races.items():
        what = {0: "none: the Race window idle", -1: "none: the main window training, plots live"}.get(n, str(n))
        tail = (" – | – | – |" if n <= 0 else
                f" {_median(rows, 'tile_fps')} | {_median(rows, 'snapshots_per_s')} | {_median(rows, 'epochs_per_s')} |")
        print(f"| {what} | {_median(rows, 'max_all')} | {_median(rows, 'max_after')} | {_median(rows, 'p99_after')} |"
              + tail)

    print(f"\nSearch: {args.search_runs} random runs of {args.search_epochs} epochs on 2 local processes\n")
    print("| runs | seconds | runs/s | longest gap, from Start (ms) | longest gap, after 1 s (ms) | "
          "99th percentile (ms) | table updates |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {searches[0]['runs']} | {_median(searches, 'seconds')} | {_median(searches, 'runs_per_s')} | "
          f"{_median(searches, 'max')} | {_median(searches, 'max_after')} | {_median(searches, 'p99')} | "
          f"{searches[0]['table_updates']} |")
    window.document.undo_stack.setClean()
    window.document._trained_since_save = False
    window.close()
    app.quit()


if __name__ == "__main__":
    sys.exit(main())
