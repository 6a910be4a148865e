"""The plots: the decision boundary (or 1-D fit) and the loss and accuracy curves."""

from nnplay.gui.plots.boundary import BoundaryPlot
from nnplay.gui.plots.curves import CurvesPlot

__all__ = ["BoundaryPlot", "CurvesPlot"]
