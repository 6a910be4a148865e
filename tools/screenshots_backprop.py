"""Screenshots of Training ▸ Step Through Backprop…, for the README (run by
``tools/screenshots.py``, or alone under a display: ``xvfb-run python tools/screenshots_backprop.py``):

- ``backprop.png``: the textbook's XOR net (2-2-1), a point picked on the plot, at the
  step where layer 1's ∂J/∂W and ∂J/∂b meet their finite differences: every number on
  the diagram;
- ``backprop-follow.png``: File ▸ New's 2-8-8-1 net on its next mini-batch, following
  unit 3 of layer 2 through its gradients;
- ``backprop-screen.png``: the whole X screen (``import -window root``, when
  ImageMagick is there) with the window and the dialog, the picked point ringed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def _go_to(dialog, title_part: str, layer: int | None = None) -> None:
    for position, step in enumerate(dialog.steps):
        if title_part in step.title and (layer is None or step.layer == layer):
            dialog.go(position)
            return
    raise LookupError(title_part)


def _step(window, epochs: int) -> None:
    """Press Step ``epochs`` times, as a user would, each time until it pauses."""
    from screenshots import wait  # beside this script

    for _ in range(epochs):
        window.step_epoch()
        while window.training:
            wait(None, 0.05)


def take(window, out: Path) -> None:
    from screenshots import wait  # beside this script

    from nnplay.gui.file_actions import examples_dir
    from nnplay.gui.document import default_config

    examples = examples_dir()
    xor = examples / "xor.nnp" if examples else None
    if xor is None or not xor.exists():
        print("skipped backprop.png: no example xor.nnp", file=sys.stderr)
        return
    window.document._trained_since_save = False
    window.document.undo_stack.setClean()
    window.file_actions.open_path(xor, ask=False)
    _step(window, 3)  # early on, where the numbers are still large
    window.step_through_backprop()
    dialog = window.backprop_dialog
    dialog.move(window.x() + 40, window.y() + 60)
    wait(None, 0.5)
    x, y = window.document.experiment.split.train.x[1]  # the point (0, 1), class 1
    window.boundary.pickRequested.emit(float(x), float(y))  # as a click on it does
    dialog.follow_unit(-1, 1)  # the link from x₂, which is 1 here
    _go_to(dialog, "∂J/∂W", layer=0)
    wait(None, 0.6)
    dialog.grab().save(str(out / "backprop.png"))
    if shutil.which("import"):  # lower, so that the plot's top with the picked point shows above it
        dialog.resize(dialog.width(), 600)
        dialog.move(window.x() + 40, window.y() + 360)
        wait(None, 0.6)
        subprocess.run(["import", "-window", "root", str(out / "backprop-screen.png")], check=False)
        dialog.resize(dialog.width(), 820)

    window.document._trained_since_save = False
    window.document.undo_stack.setClean()
    window.document.replace(default_config(), None)
    _step(window, 3)
    dialog.move(window.x() + 40, window.y() + 60)
    dialog.next_radio.setChecked(True)
    _go_to(dialog, "∂J/∂W", layer=1)
    dialog.follow_unit(1, 2)
    wait(None, 0.6)
    dialog.grab().save(str(out / "backprop-follow.png"))
    dialog.close()


def main() -> int:
    from screenshots import run_alone  # beside this script

    return run_alone(take, __doc__.splitlines()[0])


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
