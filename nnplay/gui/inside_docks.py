"""The docks that look inside the network (issue 9): the network diagram and the hidden
space, built and wired into the main window in one place.

Each view registers with the window as a live view of its dock, so it is computed only
while that dock is on screen. The diagram's hovered or pinned unit is shown large on the
boundary plot (``UnitOverlay``). When a view needs a picture while nothing trains (a
new layout, another layer picked), it asks for a frame of the idle network.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMenu

from nnplay.gui.diagram import NetworkDiagram
from nnplay.gui.plots.hidden_space import HiddenSpaceView
from nnplay.gui.plots.unit_overlay import UnitOverlay

#: the default height of the network dock below the curves, and of the curves, px
NETWORK_HEIGHT, CURVES_HEIGHT = 470, 340
#: the right-hand column's default width: a 2-8-8-1 diagram without scrolling
RIGHT_WIDTH = 460


class InsideDocks:
    def __init__(self, window):
        self.window = window
        self.diagram = NetworkDiagram(window.document, window.boundary.feed, window)
        # below the curves' tabs (splitting a tabbed dock would only add a tab)
        self.network_dock = self._dock("Network", "networkDock", self.diagram)
        self.hidden_space = HiddenSpaceView(window)
        self.hidden_space_dock = self._dock("Hidden space", "hiddenSpaceDock", self.hidden_space)
        window.tabifyDockWidget(self.network_dock, self.hidden_space_dock)
        self.network_dock.raise_()

        self.overlay = UnitOverlay(window.boundary)
        self.diagram.focusChanged.connect(self.overlay.show_focus)
        self.network_dock.visibilityChanged.connect(self._network_shown)
        self.diagram.request_frame = lambda: self._idle_frame(self.network_dock, self.diagram.feed,
                                                              self.diagram.focus_feed)
        self.hidden_space.request_frame = lambda: self._idle_frame(self.hidden_space_dock, self.hidden_space.feed)
        window.add_live_view(self.diagram.feed, self.network_dock)
        window.add_live_view(self.diagram.focus_feed)  # over the boundary plot, at its pace
        window.add_live_view(self.hidden_space.feed, self.hidden_space_dock)
        self.diagram.view.paint_cost = window._count_frame_cost
        self.hidden_space.graphics.paint_cost = window._count_frame_cost
        self._add_to_view_menu()

    def _dock(self, title: str, name: str, widget) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock, Qt.Orientation.Vertical)
        return dock

    def _add_to_view_menu(self) -> None:
        menu = self.window.menuBar().findChild(QMenu, "viewMenu")
        if menu is None:
            return
        for dock, what in ((self.network_dock, "the network drawn as a graph, every unit's map live"),
                           (self.hidden_space_dock, "the data as a hidden layer sees it")):
            toggle = dock.toggleViewAction()
            toggle.setObjectName(dock.objectName() + "ToggleAction")
            toggle.setStatusTip(f"Show or hide the {dock.windowTitle().lower()} panel: {what}.")
            menu.addAction(toggle)

    def default_sizes(self) -> None:
        """The docks' share of the right-hand column, in the default layout."""
        window = self.window
        window.resizeDocks([window.curves_dock, self.network_dock], [CURVES_HEIGHT, NETWORK_HEIGHT],
                           Qt.Orientation.Vertical)
        window.resizeDocks([self.network_dock], [RIGHT_WIDTH], Qt.Orientation.Horizontal)

    def set_experiment(self, experiment) -> None:
        """A new network (or data): views lay themselves out afresh."""
        self.overlay.show_focus(None)
        self.diagram.set_experiment(experiment)
        self.hidden_space.set_experiment(experiment)

    def _network_shown(self, shown: bool) -> None:
        if not shown:  # no frames come for the diagram now: give the plot back
            self.diagram.clear_focus()

    def _idle_frame(self, dock, *feeds) -> None:
        """A frame for ``feeds`` now, if ``dock`` is on screen and nothing trains (while a
        run trains, the next frame brings it)."""
        window = self.window
        if window.runner.busy or not window.dock_on_screen(dock) or window.grid is None:
            return
        window._show_idle_frame(feeds)
