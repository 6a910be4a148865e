"""Screenshots of the views that look inside the network, from the real window while it
trains, for the README (``tools/screenshots.py`` takes them after its own; this script
alone too):

- ``network.png``: the default network learning the spirals, the network diagram on
  screen and a hidden unit pinned, so the boundary plot shows what that unit computes;
- ``network-sine.png``: one input (``sine.nnp``), every node a curve, the output node
  pinned: its parts v_j·h_j(x) stacked on its bias, adding up to the fit;
- ``hidden-space.png``: a 2-8-8-2-1 net on the spirals, the hidden space on its last
  hidden layer of two units, where a straight line splits the classes;
- ``hidden-space-layers.png``: the same view at the input, the first hidden layer and
  the last, side by side: the layers untangling the spiral.

Run under a display: ``xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python tools/screenshots_inside.py``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QPointF

from screenshots import wait as shared_wait, wait_for  # beside this script


def wait(seconds: float) -> None:
    shared_wait(None, seconds)


def _fresh(window, config) -> None:
    window.document._trained_since_save = False
    window.document.undo_stack.setClean()
    window.document.replace(config, None)
    wait(0.5)


def _pin(diagram, column: int, unit: int) -> None:
    """Pin a node as a click on it does."""
    node = next(n for n in diagram.nodes[column] if n.unit == unit)
    diagram._click(node.pos() + QPointF(5, 5), None)


def network(window, out: Path) -> None:
    from nnplay.gui.document import default_config

    config = default_config()
    config.training.epochs = 3000
    _fresh(window, config)
    inside = window.inside
    inside.network_dock.raise_()
    window.play()
    wait_for(lambda: window.document.experiment.trainer.epoch >= 250, 60)
    _pin(inside.diagram, 2, 3)
    wait(0.6)
    window.grab().save(str(out / "network.png"))  # while it trains
    if shutil.which("import"):
        subprocess.run(["import", "-window", "root", str(out / "network-screen.png")], check=False)
    inside.diagram.clear_focus()
    window.stop_training()


def network_sine(window, out: Path) -> None:
    from nnplay.gui.file_actions import examples_dir
    from nnplay.io.networkfile import read_network

    folder = examples_dir()
    path = folder / "sine.nnp" if folder else None
    if path is None or not path.exists():
        print("skipped network-sine.png: no example sine.nnp", file=sys.stderr)
        return
    config = read_network(path)
    config.training.epochs = 100000
    _fresh(window, config)
    inside = window.inside
    window.play()
    wait_for(lambda: window.document.experiment.trainer.epoch >= 300, 60)
    diagram = inside.diagram
    _pin(diagram, len(diagram.nodes) - 1, 0)
    wait(0.6)
    window.grab().save(str(out / "network-sine.png"))
    diagram.clear_focus()
    window.stop_training()


def hidden_space(window, out: Path) -> None:
    from nnplay.core.config import DenseConfig
    from nnplay.gui.document import default_config

    config = default_config()
    config.layers = [DenseConfig(8, "tanh"), DenseConfig(8, "tanh"), DenseConfig(2, "tanh"),
                     DenseConfig(1, "sigmoid")]
    config.training.epochs = 100000
    _fresh(window, config)
    inside = window.inside
    inside.hidden_space_dock.raise_()
    view = inside.hidden_space
    view.slider.setValue(3)
    window.play()
    wait_for(lambda: window.document.experiment.trainer.epoch >= 300, 60)
    wait(0.5)
    window.grab().save(str(out / "hidden-space.png"))
    shots = []
    for stage in (0, 1, 3):
        view.slider.setValue(stage)
        wait(0.6)
        shot = out / f"hidden-space-stage{stage}.png"
        view.grab().save(str(shot))
        shots.append(shot)
    window.stop_training()
    if shutil.which("convert"):
        subprocess.run(["convert", *map(str, shots), "+append", str(out / "hidden-space-layers.png")], check=False)
    for shot in shots:
        shot.unlink(missing_ok=True)
    inside.network_dock.raise_()


def take(window, out: Path) -> None:
    network(window, out)
    network_sine(window, out)
    hidden_space(window, out)


def main() -> int:
    from screenshots import run_alone  # beside this script

    return run_alone(take, __doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
