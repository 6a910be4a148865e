"""Screenshots of the Metrics tab while the network trains, for the README (run by
``tools/screenshots.py``, or alone under a display:
``xvfb-run python tools/screenshots_metrics.py``):

- ``metrics.png``: ``blobs4.nnp`` (four classes) a few seconds into training, the
  Metrics tab in front and one confusion-matrix cell clicked: its points ringed on the
  boundary plot;
- ``metrics-regression.png``: ``sine.nnp``: RMSE, R² and predicted against true.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _train(window, seconds: float) -> None:
    from screenshots import wait  # beside this script

    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 100_000))
    window.document.undo_stack.setClean()
    window.metrics_dock.show()
    window.metrics_dock.raise_()
    window.play()
    wait(None, seconds)


def _cell_with_most_errors(window) -> tuple[int, int]:
    """The off-diagonal training cell with the most points (the diagonal if none)."""
    import numpy as np

    picture = window.metrics.picture
    counts = None if picture is None else picture.train.counts
    if counts is None:
        return 0, 0
    off = np.array(counts, dtype=float)
    np.fill_diagonal(off, -1)
    true_class, predicted = np.unravel_index(int(np.argmax(off)), off.shape)
    return (int(true_class), int(predicted)) if off[true_class, predicted] > 0 else (0, 0)


def take(window, out: Path) -> None:
    from screenshots import wait  # beside this script

    from nnplay.gui.file_actions import examples_dir

    for name, shot, seconds in (("blobs4.nnp", "metrics.png", 2.0), ("sine.nnp", "metrics-regression.png", 3.0)):
        window.document._trained_since_save = False
        window.document.undo_stack.setClean()
        window.file_actions.open_path(examples_dir() / name, ask=False)
        _train(window, seconds)
        if shot == "metrics.png":
            window.metrics.select("train", *_cell_with_most_errors(window))
            wait(None, 0.5)
        window.grab().save(str(out / shot))  # taken while it trains, as the README says
        window.stop_training()
    window.curves_dock.raise_()


def main() -> int:
    from screenshots import run_alone  # beside this script

    return run_alone(take, __doc__.splitlines()[0])


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
