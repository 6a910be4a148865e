"""Training ▸ Step Through Backprop…: the dialog, its network diagram and its step view."""

from nnplay.gui.backprop.dialog import BackpropDialog

__all__ = ["BackpropDialog"]
