"""Screenshots of the Race and Search windows while they run, for the README
(``tools/screenshots.py`` takes them after the main window's; this script alone too):

- ``race.png``: every optimizer racing on the default spiral network, live;
- ``search.png``: a grid search over the learning rate and the first layer's width,
  part-way through (progress, time left, the table and the heatmap filling in);
- ``search-random.png``: a random search of 24 runs, done: its samples as points over
  the binned heatmap;
- ``race-screen.png``: the whole X screen during the race (``import -window root``),
  when ImageMagick is there;
- ``race-pretraining.png``: ``deep_sigmoid_pretraining.nnp`` raced without and with
  pre-training (Training ▸ Race With and Without Pre-training), finished.

``--only race,search,pretraining`` takes some of them.

Run under a display: ``xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python tools/screenshots_compare.py``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings

from screenshots import wait as shared_wait, wait_for  # beside this script

ROOT = Path(__file__).resolve().parent.parent


def wait(seconds: float) -> None:
    shared_wait(None, seconds)


def race(window, out: Path) -> None:
    race_window = window.compare.show_race()
    race_window.resize(1560, 940)
    race_window.move(20, 20)
    race_window.epochs.setValue(300)
    race_window.start()
    wait_for(lambda: min(view.epoch for view in race_window.views) >= 100, 120)
    race_window.grab().save(str(out / "race.png"))
    if shutil.which("import"):
        subprocess.run(["import", "-window", "root", str(out / "race-screen.png")], check=False)
    race_window.close()


def search(window, out: Path, folder: Path) -> None:
    search_window = window.compare.show_search()
    search_window.resize(1560, 940)
    search_window.move(20, 20)
    search_window.picker.row("optimizer.lr").values_edit.setText("0.001, 0.003, 0.01, 0.03, 0.1")
    search_window.picker.row("layers[0].units").values_edit.setText("2, 4, 8, 16")
    search_window.epochs.setValue(150)
    search_window.folder_edit.setText(str(folder / "grid"))
    search_window.folder_chosen = True
    search_window.start()
    wait_for(lambda: search_window.tally is not None and search_window.tally.done >= 11, 300)
    wait(0.5)
    search_window.grab().save(str(out / "search.png"))
    search_window.cancel()
    wait_for(lambda: not search_window.running, 60)

    search_window.search_combo.setCurrentIndex(search_window.search_combo.findData("random"))
    search_window.runs_spin.setValue(24)
    search_window.picker.row("optimizer.lr").low_edit.setText("0.0003")
    search_window.picker.row("optimizer.lr").high_edit.setText("0.3")
    search_window.picker.row("layers[0].units").low_edit.setText("2")
    search_window.picker.row("layers[0].units").high_edit.setText("16")
    search_window.epochs.setValue(100)
    search_window.folder_edit.setText(str(folder / "random"))
    search_window.start()
    wait_for(lambda: not search_window.running, 600)
    wait(0.5)
    search_window.grab().save(str(out / "search-random.png"))
    search_window.close()


def pretraining_race(window, out: Path) -> None:
    from nnplay.io.networkfile import read_network

    window.document.replace(read_network(ROOT / "resources" / "examples" / "deep_sigmoid_pretraining.nnp"), None)
    window.compare.pretraining_race_action.trigger()
    race_window = window.compare.race_window
    race_window.resize(1560, 940)
    race_window.move(20, 20)
    wait_for(lambda: not race_window.running, 300)
    wait(0.5)
    race_window.grab().save(str(out / "race-pretraining.png"))
    race_window.close()


SHOTS = ("race", "search", "pretraining")


def take(window, out: Path, only: tuple[str, ...] = SHOTS) -> None:
    """The compare windows' screenshots, from ``window`` (a MainWindow showing the default network)."""
    with tempfile.TemporaryDirectory() as folder:
        if "race" in only:
            race(window, out)
        if "search" in only:
            search(window, out, Path(folder))
        if "pretraining" in only:
            pretraining_race(window, out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", default=",".join(SHOTS), help="which shots, of " + ", ".join(SHOTS))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from nnplay.gui.app import make_application

    make_application()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from nnplay.gui.main_window import MainWindow

    window = MainWindow()
    window.resize(1200, 800)
    window.show()
    wait(1.0)
    take(window, out, tuple(args.only.split(",")))
    window.document.undo_stack.setClean()
    window.close()
    names = {"race": ("race.png", "race-screen.png"), "search": ("search.png", "search-random.png"),
             "pretraining": ("race-pretraining.png",)}
    for name in (name for shot in args.only.split(",") for name in names.get(shot, ())):
        if (out / name).exists():
            print((out / name).relative_to(ROOT) if (out / name).is_relative_to(ROOT) else out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
