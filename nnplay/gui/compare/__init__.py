"""Comparing runs: the Race window (several settings side by side, live) and the
Search window (a grid or random search on all cores or a Dask cluster), opened from
the main window's Training menu, and the race of the network with and without
pre-training in one click (the menu's entry, and a button in the Training panel's
Pre-training group)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from nnplay.core.pretraining_progress import RACE_HELP, pretraining_race_refusal

#: the scheduling priority the windows' worker processes run at: the window sharing the
#: cores with them gets the CPU first when it needs it (to draw), the workers the rest
WORKER_NICE = 10


class CompareActions(QObject):
    """Training ▸ Race… and Training ▸ Search… of ``window`` (a ``MainWindow``); each
    window is made on first use and kept, so it remembers its picks."""

    def __init__(self, window, menu: QMenu):
        super().__init__(window)
        self.window = window
        self.race_window = None
        self.search_window = None
        self.race_action = QAction("&Race…", window)
        self.race_action.setObjectName("raceAction")
        self.race_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.race_action.setStatusTip("Train this network with several settings side by side, live: every "
                                      "optimizer, a few learning rates, with and without dropout, …")
        self.search_action = QAction("&Search…", window)
        self.search_action.setObjectName("searchAction")
        self.search_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.search_action.setStatusTip("Search hyper-parameters by grid or random search on every core (or a "
                                        "Dask cluster), and compare the runs in a table and a heatmap.")
        self.pretraining_race_action = QAction("Race With and Without &Pre-training", window)
        self.pretraining_race_action.setObjectName("pretrainingRaceAction")
        menu.addSeparator()
        menu.addAction(self.race_action)
        menu.addAction(self.pretraining_race_action)
        menu.addAction(self.search_action)
        self.race_action.triggered.connect(self.show_race)
        self.pretraining_race_action.triggered.connect(self.race_pretraining)
        self.search_action.triggered.connect(self.show_search)
        self._update_pretraining_race()
        window.document.settingsChanged.connect(self._network_changed)
        # the main window closing closes these too. A signal, not an event filter on the
        # window: a filter written in Python takes the interpreter lock for every event
        # the window gets (a hundred a second while it trains), outside the window's turn
        window.closed.connect(lambda: QTimer.singleShot(0, self._after_close))

    def show_race(self):
        from nnplay.gui.compare.race_window import RaceWindow

        if self.race_window is None:
            self.race_window = RaceWindow(self.window, self.window)
        self.race_window.refresh_base()
        return self._present(self.race_window)

    def race_pretraining(self):
        """The Race window, racing the network with and without pre-training."""
        window = self.show_race()
        window.start_pretraining_race()
        return window

    def _update_pretraining_race(self) -> None:
        """Enabled when the network has a hidden dense layer to pre-train; else its tip says why not."""
        refusal = pretraining_race_refusal(self.window.document.config)
        action = self.pretraining_race_action
        action.setEnabled(refusal is None)
        tip = RACE_HELP if refusal is None else refusal
        action.setToolTip(tip)
        action.setStatusTip(tip)

    def show_search(self):
        from nnplay.gui.compare.search_window import SearchWindow

        if self.search_window is None:
            self.search_window = SearchWindow(self.window, self.window)
        self.search_window.refresh_base()
        return self._present(self.search_window)

    @staticmethod
    def _present(window):
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def _network_changed(self) -> None:
        self._update_pretraining_race()
        for window in (self.race_window, self.search_window):
            if window is not None and window.isVisible():
                window.refresh_base()

    def _after_close(self) -> None:
        if self.window.isVisible():
            return
        for window in (self.race_window, self.search_window):
            if window is not None:
                window.close()  # ends their runs; a search keeps its finished ones
