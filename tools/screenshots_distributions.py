"""Screenshots of the Distributions dock while the network trains, for the README (run by
``tools/screenshots.py``, or alone under a display:
``xvfb-run python tools/screenshots_distributions.py``):

- ``distributions.png``: File ▸ New's 2-8-8-1 tanh net on the two spirals, opened from
  View ▸ Distributions, layer 1 picked: its z spread wide and half of its tanh outputs
  saturated at ±1;
- ``distributions-relu.png``: the same data with 2-16-16-1 ReLU layers and L1 = 0.002
  under plain SGD, layer 2 picked: dead units, and weights piling up at 0.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _open_and_pick(window, layer: int) -> None:
    dock = window.distributions_dock
    if not dock.isVisible():
        dock.toggleViewAction().trigger()  # View ▸ Distributions
    else:
        dock.raise_()
    from screenshots import wait  # beside this script

    wait(None, 0.3)
    window.distributions.picker.setCurrentIndex(layer)


def _train_and_grab(window, seconds: float, path: Path) -> None:
    from screenshots import wait  # beside this script

    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 100_000))
    window.document.undo_stack.setClean()
    window.play()
    wait(None, seconds)
    window.grab().save(str(path))  # taken while it trains, as the README says
    window.stop_training()


def take(window, out: Path) -> None:
    from nnplay.core.config import DenseConfig, OptimizerConfig
    from nnplay.gui.document import default_config

    window.document._trained_since_save = False
    window.document.undo_stack.setClean()
    window.document.replace(default_config(), None)
    _open_and_pick(window, 0)
    _train_and_grab(window, 3.0, out / "distributions.png")

    window.document._trained_since_save = False
    window.document.undo_stack.setClean()
    config = default_config()
    config.layers = [DenseConfig(16, "relu", "he_normal"), DenseConfig(16, "relu", "he_normal"),
                     DenseConfig(1, "sigmoid")]
    config.optimizer = OptimizerConfig("sgd", {"lr": 0.05})
    config.training.l1 = 0.002
    window.document.replace(config, None)
    _open_and_pick(window, 1)
    _train_and_grab(window, 5.0, out / "distributions-relu.png")
    window.curves_dock.raise_()


def main() -> int:
    from screenshots import run_alone  # beside this script

    return run_alone(take, __doc__.splitlines()[0])


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
