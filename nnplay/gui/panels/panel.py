"""The base of the settings panels: edits become undoable steps, settings fill the widgets."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from nnplay.core.errors import ConfigError
from nnplay.gui import messages
from nnplay.gui.panels.bindings import Bindings


class Panel(QWidget):
    """A settings panel on a ``Document``: ``edit`` turns user input into one undoable
    step; ``refresh`` (connected to ``settingsChanged``) puts the settings into the
    widgets, the bound ones (``bindings``) and the panel's own."""

    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.bindings = Bindings(self)

    def refresh(self) -> None:
        raise NotImplementedError

    def edit(self, text: str, change) -> bool:
        """``document.edit`` that never leaves a widget showing what was not applied."""
        try:
            done = self.document.edit(text, change)
        except ConfigError as exc:  # the engine refused these settings; the document is unchanged
            messages.warning(self, "Cannot apply the change", f"{text}: {exc}")
            done = False
        if not done:
            self.refresh()  # nothing changed, or the user kept the trained weights
        return done
