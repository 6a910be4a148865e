"""Screenshots of the real window while it trains, for the README (``make screenshots``).

Runs the app under whatever display it is given (``make screenshots`` uses xvfb-run),
opens shipped examples, presses play like a user, waits for the network to learn and
saves the window into ``docs/screenshots/``:

- ``spiral.png``: the two spirals while training runs (the default network of File ▸ New);
- ``blobs.png``: four classes with a softmax output;
- ``sine.png``: a one-input regression and its fitted curve;
- ``gradients.png``: the Gradients dock while the spiral trains with six sigmoid hidden
  layers, whose first layers get a vanishing gradient;
- ``pretraining.png``: the Pre-training tab while the first layer of the deep sigmoid
  example pre-trains with denoising noise: each point joined to its reconstruction;
- ``spiral-screen.png``: the whole X screen (``import -window root``) when ImageMagick
  is there, as proof the window is drawn by a real X server, not only grabbed;
- the Race and Search windows' (``race.png``, ``search.png``, ``search-random.png``,
  ``race-screen.png``, ``race-pretraining.png``): ``tools/screenshots_compare.py``;
- Step Through Backprop's (``backprop.png``, ``backprop-follow.png``,
  ``backprop-screen.png``): ``tools/screenshots_backprop.py``;
- the network diagram's and the hidden space's (``network.png``, ``network-sine.png``,
  ``network-screen.png``, ``hidden-space.png``, ``hidden-space-layers.png``):
  ``tools/screenshots_inside.py``;
- the Distributions dock's (``distributions.png``, ``distributions-relu.png``):
  ``tools/screenshots_distributions.py``;
- the Metrics tab's (``metrics.png``, ``metrics-regression.png``):
  ``tools/screenshots_metrics.py``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer

ROOT = Path(__file__).resolve().parent.parent


def wait(app, seconds: float) -> None:
    """Let the window run (train, draw) for ``seconds``."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_for(condition, timeout: float) -> None:
    """Let the window run until ``condition()`` holds, ``timeout`` seconds at most."""
    began = time.monotonic()
    while not condition() and time.monotonic() - began < timeout:
        wait(None, 0.1)


def train_until(app, window, epoch: int, timeout: float = 60.0) -> None:
    window.play()
    wait_for(lambda: window.document.experiment.trainer.epoch >= epoch or not window.training, timeout)
    window.stop_training()
    wait(app, 0.3)  # the last snapshot drawn


def run_alone(take, description: str) -> int:
    """The ``main`` of a script that takes some of the screenshots (``take(window, out)``)
    when it is run alone: the README's window size, private settings, and a window that
    closes without asking about the run it leaves."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    from nnplay.gui.app import make_application

    app = make_application()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from nnplay.gui.main_window import MainWindow

    window = MainWindow()
    window.resize(1560, 940)
    window.move(20, 20)
    window.show()
    wait(app, 1.0)
    take(window, out)
    window.document._trained_since_save = False
    window.document.undo_stack.setClean()
    window.close()
    app.processEvents()
    return 0

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from nnplay.gui.app import make_application

    app = make_application()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from nnplay.gui.file_actions import examples_dir
    from nnplay.gui.main_window import MainWindow

    window = MainWindow()
    window.transport.speed.setValue(window.transport.speed.maximum())  # a first launch starts slower
    window.resize(1560, 940)
    window.move(20, 20)
    window.show()
    wait(app, 1.0)
    examples = examples_dir()

    # the default network: two spirals, 2-8-8-1 tanh
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 2000))
    window.document.undo_stack.setClean()
    window.play()
    wait(app, 4.0)
    # taken while it trains, as the README says
    window.grab().save(str(out / "spiral.png"))
    if shutil.which("import"):
        subprocess.run(["import", "-window", "root", str(out / "spiral-screen.png")], check=False)
    window.stop_training()

    for name, shot, epochs in (("blobs4.nnp", "blobs.png", 60), ("sine.nnp", "sine.png", 150)):
        path = examples / name if examples else None
        if path is None or not path.exists():
            print(f"skipped {shot}: no example {name}", file=sys.stderr)
            continue
        window.document._trained_since_save = False
        window.document.undo_stack.setClean()
        window.file_actions.open_path(path, ask=False)
        wait(app, 0.5)
        train_until(app, window, epochs)
        window.grab().save(str(out / shot))

    # the default network made deep with sigmoid units, the Gradients tab in front
    from nnplay.core.config import DenseConfig
    from nnplay.gui.transport_bar import SPEEDS
    from nnplay.gui.document import default_config

    window.document.replace(default_config(), None)
    window.document.edit("Six sigmoid layers", lambda c: setattr(
        c, "layers", [DenseConfig(8, "sigmoid") for _ in range(6)] + [DenseConfig(1, "sigmoid")]))
    window.gradients_dock.raise_()
    window.transport.speed.setValue(SPEEDS.index(100))  # the first epochs, as a student would watch them
    window.play()
    wait(app, 1.8)  # ~5 epochs: the gradient still fades layer by layer (Adam evens it out later)
    window.grab().save(str(out / "gradients.png"))
    window.stop_training()
    window.transport.speed.setValue(len(SPEEDS) - 1)
    window.curves_dock.raise_()

    # the deep sigmoid example pre-training its first layer, with denoising noise
    path = examples / "deep_sigmoid_pretraining.nnp" if examples else None
    if path is not None and path.exists():
        window.document._trained_since_save = False
        window.document.undo_stack.setClean()
        window.file_actions.open_path(path, ask=False)
        window.document.edit("Noise", lambda c: setattr(c.training.pretraining, "noise", 0.3))
        window.transport.speed.setValue(SPEEDS.index(1000))
        window.play()
        wait(app, 0.6)  # some 40 of the first layer's 50 epochs
        window.grab().save(str(out / "pretraining.png"))
        window.stop_training()
        window.transport.speed.setValue(len(SPEEDS) - 1)
        window.curves_dock.raise_()

    from screenshots_compare import take  # beside this script
    from screenshots_inside import take as take_inside

    window.document._trained_since_save = False
    window.document.undo_stack.setClean()
    window.document.replace(default_config(), None)
    take(window, out)
    take_inside(window, out)

    from screenshots_backprop import take as take_backprop

    window.document._trained_since_save = False
    window.document.undo_stack.setClean()
    window.document.replace(default_config(), None)  # the pre-training race left its example open
    take_backprop(window, out)

    from screenshots_distributions import take as take_distributions

    take_distributions(window, out)

    from screenshots_metrics import take as take_metrics

    take_metrics(window, out)

    window.document._trained_since_save = False
    window.document.undo_stack.setClean()
    window.close()
    for png in sorted(out.glob("*.png")):
        print(png.relative_to(ROOT) if png.is_relative_to(ROOT) else png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
