"""The main window's layout: remembered between sessions, always recoverable.

- Saved with ``QSettings`` on close and restored at start (``restore``, ``save``); a
  layout saved by an older nnplay (another ``version``) gives way to the default one.
- **View ▸ Reset Layout** (``reset``) puts back the arrangement the window was built
  with (every dock shown, docked and in its tab, the bars shown) at the default widths.
- The plot column keeps its share of the window's width when the window is resized
  (Qt's own layout keeps a side dock's width and gives every change to the central
  widget, so shrinking the window to its minimum squeezed the plot column, and growing
  it again left it narrow). A drag of the splitter between them sets a new share.
- The plots have a minimum size (``MIN_PLOT_WIDTH``, ``MIN_PLOT_HEIGHT``, set by the
  window), so no saved layout, drag or small window makes them unusable; the window
  stops shrinking instead.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QByteArray, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

#: the smallest the boundary plot and the plot docks get: axes, labels and a legend still fit
MIN_PLOT_WIDTH, MIN_PLOT_HEIGHT = 280, 260
#: the default layout: the settings column's width, and the plot column's share of the window's
SETTINGS_WIDTH, PLOT_COLUMN_SHARE = 330, 0.28


class Dock(QDockWidget):
    """A dock widget that says when it is resized. (An event filter would see all of its
    events, and the window's: tens a second while a run paints, each one a call into
    Python that waits for the interpreter lock the training loop holds.)"""

    resized = Signal()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.resized.emit()


class WindowLayout(QObject):
    """Keeps ``window``'s layout: ``settings_dock`` on the left, ``plot_dock`` (and the
    docks tabbed with it) on the right. The window calls ``window_resized`` from its
    ``resizeEvent``; the plot column's docks are ``Dock``s."""

    def __init__(self, window: QMainWindow, settings_dock: QDockWidget, plot_dock: QDockWidget, version: int,
                 on_default: Callable[[], None] | None = None):
        super().__init__(window)
        self.window, self.settings_dock, self.plot_dock, self.version = window, settings_dock, plot_dock, version
        #: sizes the other docks' default arrangement (called whenever the default layout is put back)
        self.on_default = on_default
        #: the arrangement the window was built with, before any saved layout replaced it
        self.default_state = window.saveState(version)
        self._share: float | None = None  # the plot column's share of the window's width
        self._resizing = False  # the window was resized and the share is not applied yet
        self._window_width: int | None = None  # the window's width when the share was last applied
        for dock in (plot_dock, *window.tabifiedDockWidgets(plot_dock)):  # whichever tab is in front
            dock.resized.connect(lambda dock=dock: self._resized(dock))

    def restore(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.window.restoreGeometry(geometry)
        state = settings.value("window/state")
        if not (isinstance(state, QByteArray) and self.window.restoreState(state, self.version)):
            self._default_widths()

    def save(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.window.saveGeometry())
        settings.setValue("window/state", self.window.saveState(self.version))

    def reset(self) -> None:
        """The arrangement the window was built with, at the default widths for its size."""
        for dock in self.window.findChildren(QDockWidget):
            dock.setFloating(False)  # a floating dock's own window would stay where it is
        self.window.restoreState(self.default_state, self.version)
        self._default_widths()

    def _default_widths(self) -> None:
        self._share = PLOT_COLUMN_SHARE
        self._apply_share(SETTINGS_WIDTH)
        if self.on_default is not None:
            self.on_default()

    # ---- the plot column's share of the window
    def window_resized(self) -> None:
        self._resized(self.window)

    def _resized(self, watched: QWidget) -> None:
        if self.window.width() != self._window_width:
            # the window was resized (its docks may hear of it before it does)
            if not self._resizing:
                self._resizing = True
                QTimer.singleShot(0, self._apply_share)  # once the window's layout has had the new size
        elif watched is not self.window and not self._resizing and watched.isVisible() and self._column_docked():
            # the column changed at a constant window width: the splitter was dragged
            self._share = watched.width() / max(1, self.window.width())

    def _column_docked(self) -> bool:
        dock = self.plot_dock  # not hidden (before the window is shown, nothing is visible)
        return not dock.isHidden() and not dock.isFloating() and \
            self.window.dockWidgetArea(dock) in (Qt.DockWidgetArea.LeftDockWidgetArea,
                                                 Qt.DockWidgetArea.RightDockWidgetArea)

    def _apply_share(self, settings_width: int | None = None) -> None:
        self._resizing = True  # the docks' resizes that follow are not the user's
        try:
            if self._column_docked():
                if self._share is None:  # a restored layout: its proportions as they come out
                    self._share = self.plot_dock.width() / max(1, self.window.width())
                target = max(MIN_PLOT_WIDTH, round(self._share * self.window.width()))
                widths = [settings_width or self.settings_dock.width(), target]
                self.window.resizeDocks([self.settings_dock, self.plot_dock], widths, Qt.Orientation.Horizontal)
                self.window.layout().activate()  # now, while the resizes are known to be ours
        finally:
            self._resizing = False
            self._window_width = self.window.width()
