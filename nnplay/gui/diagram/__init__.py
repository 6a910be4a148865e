"""The network diagram: the network drawn as a graph, every unit's map live."""

from nnplay.gui.diagram.view import NetworkDiagram

__all__ = ["NetworkDiagram"]
