"""The left-column panels: data, network and training settings.

Each panel is a QWidget built on a ``Document``: user input becomes one
``document.edit(...)`` call, and ``document.settingsChanged`` refreshes the widgets
inside ``QSignalBlocker`` so nothing loops.
"""

from nnplay.gui.panels.data_panel import DataPanel
from nnplay.gui.panels.network_panel import NetworkPanel
from nnplay.gui.panels.training_panel import TrainingPanel

__all__ = ["DataPanel", "NetworkPanel", "TrainingPanel"]
