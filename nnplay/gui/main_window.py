"""The main window: settings panels on the left, the boundary plot in the middle, the
curves on the right, the transport bar on top and a status line below.

The window owns the training runner. It stops training whenever the engine is about
to change under it (``Document.aboutToRebuild``, opening, saving, resetting) and,
after an edit that kept the weights (new data, another batch size), plays on where it
was, as the playgrounds do. Pausing and closing wait for the training thread a moment
at most (``PAUSE_WAIT_S``): an update that takes longer finishes on its own, and the
window reacts when the run's last frame arrives.

Views that draw from the network while it trains register with ``add_live_view``: the
worker prepares their pictures off the GUI thread, only while they are on screen.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (QDockWidget, QLabel, QMainWindow, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

from nnplay.core.errors import ConfigError
from nnplay.core.point_edits import add_point, remove_nearest_point
from nnplay.core.pretraining import hidden_dense_layers
from nnplay.core.probes import Probe
from nnplay.core.report import describe_position, describe_stop, pretraining_summary
from nnplay.core.snapshot import Snapshot, Snapshotter
from nnplay.gui import messages
from nnplay.gui.compare import CompareActions
from nnplay.gui.transport_bar import TransportBar
from nnplay.gui.document import Document
from nnplay.gui.file_actions import FileActions
from nnplay.gui.inside_docks import InsideDocks
from nnplay.gui.plots import BoundaryPlot, CurvesPlot
from nnplay.gui.plots.curves import FrameSlot
from nnplay.gui.plots.distributions import DistributionsPlot
from nnplay.gui.plots.gradients import GradientsPlot
from nnplay.gui.plots.metrics import MetricsPlot, RegressionNumbersFeed
from nnplay.gui.plots.grid import Grid, grid_for
from nnplay.gui.plots.pretraining import PretrainingPlot
from nnplay.gui.window_layout import MIN_PLOT_HEIGHT, MIN_PLOT_WIDTH, Dock, WindowLayout
from nnplay.gui.worker import Frame, FrameMaker, LiveView, TrainingRunner, Watch, is_slow


#: how often the transport bar's numbers change while training runs
NUMBERS_INTERVAL_S = 0.1
#: the longest pausing or closing waits for the training thread before it lets it finish
#: on its own (a long full-batch update): most runs end within one update, in far less
PAUSE_WAIT_S = 0.05
#: coarser grids the boundary may be evaluated on while training, when the finest costs
#: too much (``worker.GRID_PASS_BUDGET_S``, ``worker.INLINE_GRID_PASS_SHARE``); a run's
#: last frame always uses the finest
TRAINING_RESOLUTIONS_2D = (71, 50)
#: how long the boundary plot's size must rest before its grids are shaped to it again
RESHAPE_DELAY_MS = 80
#: version of the saved dock layout; raised when a dock is added, so that a layout saved
#: without it gives way to the default one (an older layout leaves a new dock stranded)
LAYOUT_VERSION = 5


#: docks can be moved, floated and closed (View brings them back)
DOCK_FEATURES = (QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                 | QDockWidget.DockWidgetFeature.DockWidgetClosable)


def _make_panels(document: Document) -> tuple[QWidget, QWidget, QWidget]:
    from nnplay.gui.panels import DataPanel, NetworkPanel, TrainingPanel

    return DataPanel(document), NetworkPanel(document), TrainingPanel(document)


class MainWindow(QMainWindow):
    #: the window accepted a close (it is about to hide)
    closed = Signal()

    def __init__(self, document: Document | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.document = document if document is not None else Document(parent=self)
        self.document.confirm_reset = self._confirm_reset
        self.runner = TrainingRunner(self)
        self.grid: Grid | None = None
        self._stepping = False
        self._resume_after_rebuild = False
        self._rate: float | None = None
        self._numbers_shown = 0.0
        self._pretraining_shown = False  # the last snapshot found pre-training under way
        self._status_shown = 0.0
        self._close_when_stopped = False
        self._grids: tuple = ()  # the boundary's grids, finest first, as the worker takes them
        self._live_views: list[tuple[LiveView, QDockWidget | None]] = []
        self._dock_shown: dict[QDockWidget, bool] = {}

        self.transport = TransportBar(self)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.transport)
        self.boundary = BoundaryPlot(self)
        self.boundary.setMinimumSize(MIN_PLOT_WIDTH, MIN_PLOT_HEIGHT)
        self.setCentralWidget(self.boundary)
        self._build_plot_docks()
        self._build_settings_dock()
        self._build_status_bar()
        self.file_actions = FileActions(self.document, self, self.menuBar(),
                                        {"boundary": self.boundary, "curves": self.curves})
        self._build_view_and_training_menus()
        self.inside = InsideDocks(self)  # the network diagram and the hidden space
        self._connect()
        self.resize(1500, 900)
        self.layout_keeper = WindowLayout(self, self.panels_dock, self.curves_dock, LAYOUT_VERSION,
                                          on_default=self.inside.default_sizes)
        self.layout_keeper.restore()
        self._on_rebuilt()
        self._update_title()
        self.show_status("Press play (Space) to train. Click the plot to add points, right-click to remove one.")

    # ---- building
    def _plot_dock(self, title: str, name: str, plot: QWidget) -> QDockWidget:
        dock = Dock(title, self)
        dock.setObjectName(name)
        plot.setMinimumSize(MIN_PLOT_WIDTH, MIN_PLOT_HEIGHT)
        dock.setWidget(plot)
        dock.setFeatures(DOCK_FEATURES)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        return dock

    @property
    def plot_docks(self) -> list[QDockWidget]:
        """The docks that share the right-hand column as tabs, in their tabs' order."""
        return [self.curves_dock, self.gradients_dock, self.pretraining_dock, self.metrics_dock,
                self.distributions_dock]

    def _build_plot_docks(self) -> None:
        self.curves = CurvesPlot(self)
        self.curves_dock = self._plot_dock("Loss and accuracy", "curvesDock", self.curves)
        # a tab behind the curves: there when wanted, out of the way otherwise
        self.gradients = GradientsPlot(self)
        self.gradients_dock = self._plot_dock("Gradients", "gradientsDock", self.gradients)
        self._frame_slot = FrameSlot()  # the two take turns with the slow views (worker.SLOW_VIEWS_PER_FRAME)
        self.curves.pacer.slot = self.gradients.pacer.slot = self._frame_slot
        self.tabifyDockWidget(self.curves_dock, self.gradients_dock)
        # another tab: it comes to the front while pre-training runs, the curves after it
        self.pretraining_plot = PretrainingPlot(self)
        self.pretraining_dock = self._plot_dock("Pre-training", "pretrainingDock", self.pretraining_plot)
        self.tabifyDockWidget(self.gradients_dock, self.pretraining_dock)
        # the confusion matrix (classification) or RMSE, R² and predicted against true (regression)
        self.metrics = MetricsPlot(self)
        self.metrics_dock = self._plot_dock("Metrics", "metricsDock", self.metrics)
        self.tabifyDockWidget(self.pretraining_dock, self.metrics_dock)
        # and one more, closed until View ▸ Distributions opens it (a closed dock costs nothing)
        self.distributions = DistributionsPlot(self)
        self.distributions_dock = self._plot_dock("Distributions", "distributionsDock", self.distributions)
        self.tabifyDockWidget(self.metrics_dock, self.distributions_dock)
        self.distributions_dock.hide()
        self.curves_dock.raise_()
        self.gradients_dock.visibilityChanged.connect(self.gradients.set_shown)
        for dock in self.plot_docks:
            self._track(dock)
        self.pretraining_plot.set_on_screen(self.dock_on_screen(self.pretraining_dock))

    def _build_settings_dock(self) -> None:
        self.data_panel, self.network_panel, self.training_panel = _make_panels(self.document)
        column = QWidget()
        column.setObjectName("panelColumn")
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(4, 4, 4, 4)
        for panel in (self.data_panel, self.network_panel, self.training_panel):
            column_layout.addWidget(panel)
        column_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("panelScroll")
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(column)
        # with horizontal scrolling off, a narrower dock (a saved layout, a drag) would cut
        # the controls short instead of showing them
        scroll.setMinimumWidth(column.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
                               + 2 * scroll.frameWidth())
        self.panels_dock = QDockWidget("Settings", self)
        self.panels_dock.setObjectName("panelsDock")
        self.panels_dock.setWidget(scroll)
        self.panels_dock.setFeatures(DOCK_FEATURES)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.panels_dock)

    def _build_status_bar(self) -> None:
        self.status_label = messages.plain_label(QLabel())  # shows a file's description
        self.status_label.setObjectName("statusMessage")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # a long message (an example's description) is cut at the window's edge, never widens it
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.statusBar().setObjectName("statusBar")
        self.statusBar().addWidget(self.status_label, 1)

    def _build_view_and_training_menus(self) -> None:
        self.view_menu = view_menu = self.menuBar().addMenu("&View")
        view_menu.setObjectName("viewMenu")
        for dock in (self.panels_dock, *self.plot_docks):
            toggle = dock.toggleViewAction()
            toggle.setObjectName(dock.objectName() + "ToggleAction")
            toggle.setStatusTip(f"Show or hide the {dock.windowTitle().lower()} panel.")
            # shown again, a tabbed dock would come back behind another tab: bring it to the front
            toggle.triggered.connect(lambda checked, dock=dock: checked and dock.raise_())
            view_menu.addAction(toggle)
        self.distributions_dock.toggleViewAction().setStatusTip(
            "Show or hide the histograms of each layer's pre-activations, activations and weights over "
            "the training set, with the saturated and dead shares.")
        toggle = self.transport.toggleViewAction()
        toggle.setObjectName("transportBarToggleAction")
        toggle.setText("Transport Bar")
        toggle.setStatusTip("Show or hide the bar with play, step, reset, the speed and the numbers.")
        view_menu.addAction(toggle)
        view_menu.addSeparator()
        self.reset_layout_action = QAction("&Reset Layout", self)
        self.reset_layout_action.setObjectName("resetLayoutAction")
        self.reset_layout_action.setStatusTip(
            "Put every panel back where it was when nnplay first opened: settings on the left, "
            "the curves and their tabs on the right, nothing hidden or floating.")
        view_menu.addAction(self.reset_layout_action)
        training_menu = self.menuBar().addMenu("&Training")
        training_menu.setObjectName("trainingMenu")
        for action in (self.transport.play_action, self.transport.step_action, self.transport.reset_action,
                       self.transport.new_start_action):
            training_menu.addAction(action)
        training_menu.addSeparator()
        self.check_gradients_action = QAction("Check &Gradients…", self)
        self.check_gradients_action.setObjectName("checkGradientsAction")
        self.check_gradients_action.setStatusTip(
            "Pause and compare backpropagation's gradients with finite differences, array by array.")
        training_menu.addAction(self.check_gradients_action)
        self.gradient_check_dialog = None
        self.backprop_action = QAction("Step Through &Backprop…", self)
        self.backprop_action.setObjectName("stepThroughBackpropAction")
        self.backprop_action.setShortcut("Ctrl+B")
        self.backprop_action.setStatusTip(
            "Pause and follow one update through the network, every number: forward, the loss, "
            "back-propagation with finite-difference checks, the optimizer's step.")
        training_menu.addAction(self.backprop_action)
        self.backprop_dialog = None
        self.compare = CompareActions(self, training_menu)  # Race… and Search…
        self.training_panel.set_race_action(self.compare.pretraining_race_action)

    def _connect(self) -> None:
        self.check_gradients_action.triggered.connect(self.check_gradients)
        self.backprop_action.triggered.connect(self.step_through_backprop)
        self.document.weightsChanged.connect(self._on_weights_changed)
        self.reset_layout_action.triggered.connect(self.reset_layout)
        self.file_actions.trainingMustStop.connect(self.stop_training)
        self.file_actions.status.connect(self.show_status)
        self.file_actions.quit_action.triggered.connect(self.close)
        self.transport.play_action.triggered.connect(self.toggle_play)
        self.transport.step_action.triggered.connect(self.step_epoch)
        self.transport.reset_action.triggered.connect(self.reset_weights)
        self.transport.new_start_action.triggered.connect(self.new_start)
        self.transport.speedChanged.connect(self.runner.set_max_rate)
        self.runner.set_max_rate(self.transport.max_rate)
        self.runner.frame.connect(self._show_frame)
        self.runner.stopped.connect(self._on_stopped)
        self.runner.runningChanged.connect(self.transport.set_playing)
        self.document.aboutToRebuild.connect(self._on_about_to_rebuild)
        self.document.rebuilt.connect(self._on_rebuilt)
        self.document.weightsEdited.connect(self._on_weights_edited)
        self.document.fileStateChanged.connect(self._update_title)
        self.document.noted.connect(self.show_status)
        self.boundary.addPointRequested.connect(self._add_point)
        self.boundary.removePointRequested.connect(self._remove_point)
        # a window being dragged to another size resizes the plot many times: one new grid
        # once it rests a moment
        self._reshape_timer = QTimer(self, singleShot=True, interval=RESHAPE_DELAY_MS)
        self._reshape_timer.timeout.connect(self._reshape_grids)
        self.boundary.shapeChanged.connect(self._reshape_timer.start)
        self.add_live_view(self.boundary.feed)
        self.add_live_view(self.distributions.feed, self.distributions_dock)
        self.add_live_view(self.metrics.feed, self.metrics_dock)
        self.regression_numbers = RegressionNumbersFeed(self.curves.regression_numbers)
        self.add_live_view(self.regression_numbers, self.curves_dock)
        self.metrics.highlightChanged.connect(self._highlight)
        self._plot_views = (self.boundary.graphics, self.curves.graphics, self.gradients.graphics,
                            self.pretraining_plot.graphics, self.distributions.graphics, self.metrics.scatter_view)
        for view in self._plot_views:
            view.paint_cost = self._count_frame_cost
            view.turn = self.runner.turn
        #: every view a frame changes, painted in the window's turn (the network diagram's and
        #: the hidden space's too: painted later by the event loop, each of their calls into
        #: Python would wait for a small net's training loop to give the lock back)
        self._frame_views = (*self._plot_views, self.inside.diagram.view, self.inside.hidden_space.graphics)

    # ---- layout memory
    def reset_layout(self) -> None:
        """View ▸ Reset Layout: every dock back where it was at the first start."""
        self.layout_keeper.reset()
        self.show_status("The layout is back to the default one.")

    # ---- status and title
    def show_status(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_label.setToolTip(messages.tooltip(text))

    def _update_title(self) -> None:
        self.setWindowTitle(f"{messages.window_title(self.document.title)}[*] — nnplay")
        self.setWindowModified(self.document.modified)

    def _confirm_reset(self, question: str) -> bool:
        answer = messages.question(self, "Start the weights afresh?", question,
                                   messages.Button.Yes | messages.Button.No, messages.Button.Yes)
        return answer == messages.Button.Yes

    # ---- transport
    @property
    def training(self) -> bool:
        return self.runner.running

    def toggle_play(self) -> None:
        if self.runner.running:
            self.pause()
        else:
            self.play()

    def pause(self) -> None:
        """Ask the run to stop; waits a moment at most (a long full-batch update finishes
        on its own, and the window says so until it has)."""
        self._resume_after_rebuild = False
        if not self.runner.request_stop(PAUSE_WAIT_S):
            self.show_status("Stopping after the update in progress…")

    def play(self) -> None:
        """Train to the Epochs setting; from there on, each press trains that many more."""
        trainer = self.document.experiment.trainer
        if trainer.pretraining is not None:
            trainer.pretraining.pause_after_epoch = False
        every = max(1, self.document.experiment.config.training.epochs)
        until = every if trainer.epoch < every else (trainer.epoch // every + 1) * every
        self._start(until, stepping=False)

    def step_epoch(self) -> None:
        """One epoch (the rest of the current one, if paused inside it), then pause; while
        pre-training is to run, one pre-training epoch."""
        self.stop_training()
        trainer = self.document.experiment.trainer
        if trainer.pretraining is not None:
            trainer.pretraining.pause_after_epoch = trainer.pretraining.pending
        self._start(trainer.epoch + 1, stepping=True)

    def _start(self, until: int, stepping: bool) -> None:
        experiment = self.document.experiment
        if len(experiment.split.train) == 0:
            self.show_status("There are no training points: add some by clicking the plot, or pick a data set.")
            return
        self._stepping = stepping
        pretraining = experiment.trainer.pretraining
        if pretraining is not None and pretraining.pending:
            self.show_status("Pre-training one epoch…" if stepping else
                             f"Pre-training the hidden layers, then training to epoch {until}…")
        else:
            self.show_status(f"Training to epoch {until}…" if not stepping else "Training one epoch…")
        self.runner.start(experiment, until)

    def stop_training(self) -> None:
        """Stop and wait for the worker, for whoever changes or reads the engine next (no
        resuming after a rebuild that follows)."""
        self._resume_after_rebuild = False
        self.runner.stop()

    def reset_weights(self) -> None:
        self.stop_training()
        self.document.reset_weights()
        self.show_status("Weights reset to fresh random values from the seed; the history is cleared.")

    def new_start(self) -> None:
        self.stop_training()
        self.document.new_start()
        self.show_status(f"New start: fresh weights from seed {self.document.config.training.seed}. Reset comes "
                         "back to these; Undo to the ones before.")

    # ---- the engine changes under us
    def _on_about_to_rebuild(self) -> None:
        if self.runner.busy:
            # an edit while playing (new data, another batch size) plays on afterwards
            resume = self.runner.running and not self._stepping
            self.runner.stop()
            self._resume_after_rebuild = resume

    def _on_rebuilt(self) -> None:
        experiment = self.document.experiment
        self._make_grids()
        if self.grid is not None:
            self.boundary.set_experiment(experiment, self.grid)
        self.curves.set_task(experiment.config.task)
        self.metrics.set_experiment(experiment)
        self.regression_numbers.set_experiment(experiment)
        self.gradients.set_network([layer.activation_name for layer in experiment.network.dense],
                                   experiment.trainer.updates_per_epoch,
                                   [layer.type for layer in experiment.network.layers])
        self.curves.set_history(experiment.trainer.history.columns, experiment.trainer.history.initial)
        self.curves.mark_restored(experiment.trainer.restored_epoch)
        self._rate = None
        self.inside.set_experiment(experiment)
        self._update_watch()
        snapshot = Snapshotter(experiment.trainer).take(weights=True, final=True, reconstruction=True)
        self._rebuild_pretraining_plot(snapshot)
        # the idle network's frame, for the views on screen (the others get theirs when shown)
        self._show_idle_frame(self.runner.watch.views, snapshot)
        # a line about the network as it was (paused at epoch 11,906; an example's
        # description) must not stay beside the new one
        self.show_status(self._position_message())
        resume, self._resume_after_rebuild = self._resume_after_rebuild, False
        # structural edits start the weights afresh: those wait for play, as after New
        if resume and self.document.has_progress():
            self.play()

    def _on_weights_edited(self) -> None:
        """A weight or bias was set by hand: the views show it, and a run that was
        playing plays on from it."""
        self._show_idle_frame(self.runner.watch.views)
        resume, self._resume_after_rebuild = self._resume_after_rebuild, False
        if resume:
            self.play()

    def _make_grids(self) -> None:
        """The boundary's grids (finest first) over the data, shaped to the plot."""
        x = self.document.experiment.dataset.x
        aspect = self.boundary.aspect()
        self.grid = grid_for(x, aspect=aspect) if len(x) else None
        self._grids = ()
        if self.grid is not None:
            grids = [self.grid]
            if self.grid.dims == 2:
                grids += [grid_for(x, n, aspect) for n in TRAINING_RESOLUTIONS_2D]
            self._grids = tuple((grid.points, grid.shape) for grid in grids)

    def _reshape_grids(self) -> None:
        """The boundary plot changed shape: grids that fill it, and, while nothing trains,
        the picture on them at once (a run's next frame uses them anyway)."""
        if self.grid is None or self.grid.dims != 2:
            return
        self._make_grids()
        self.boundary.set_grid(self.grid)
        self._update_watch()
        if not self.runner.busy:
            try:
                # every view on screen: the network diagram's maps and a unit shown large
                # are on the boundary's grid too
                self._show_idle_frame(self.runner.watch.views)
            except Exception:  # noqa: BLE001
                # an engine that cannot be read has failed a run, and that run's dialog and
                # status line said so: a resize keeps the last picture rather than raise
                pass

    def _rebuild_pretraining_plot(self, snapshot: Snapshot) -> None:
        experiment = self.document.experiment
        network = experiment.network
        hidden = hidden_dense_layers(network.layers)
        labels = [f"{network.layers[i].n_outputs} {network.layers[i].activation_name}" for i in hidden]
        plot = self.pretraining_plot
        plot.set_network(hidden, labels)
        plot.set_rows(experiment.trainer.history.pretraining)
        plot.show_text(pretraining_summary(experiment.trainer, experiment.config.training.pretraining))
        pretraining = snapshot.pretraining
        if pretraining is not None and pretraining.reconstruction is not None:
            plot.update_from(pretraining)
        elif hidden and network.layers[hidden[0]].n_inputs != 2:
            plot.explain_no_picture(f"The picture needs a first hidden layer with 2 inputs; "
                                    f"this one has {network.layers[hidden[0]].n_inputs}.")
        self._pretraining_shown = False

    # ---- live views
    def add_live_view(self, view: LiveView, dock: QDockWidget | None = None) -> None:
        """Feed ``view`` while training, whenever it is on screen: always for the central
        plot, while ``dock`` is visible (its tab raised) for a view in a dock."""
        self._live_views.append((view, dock))
        if dock is not None and dock not in self._dock_shown:
            self._track(dock)
        self._update_watch()

    def dock_on_screen(self, dock: QDockWidget) -> bool:
        """Whether ``dock`` is on screen: shown, and its tab the raised one."""
        return self._dock_shown.get(dock, False)

    def _track(self, dock: QDockWidget) -> None:
        # a dock behind another tab stays isVisible() (Qt moves it off screen): follow
        # visibilityChanged, which tells tabs apart; until then, what is on screen now
        self._dock_shown[dock] = dock.isVisible() and not dock.visibleRegion().isEmpty()
        # a bound method, not a lambda: Qt drops the connection when the window goes, so a
        # dock hidden while the window is destroyed calls nothing
        dock.visibilityChanged.connect(self._on_dock_visibility)

    def _on_dock_visibility(self, shown: bool) -> None:
        dock = self.sender()
        if isinstance(dock, QDockWidget):
            self._on_dock_shown(dock, shown)

    def _on_dock_shown(self, dock: QDockWidget, shown: bool) -> None:
        self._dock_shown[dock] = shown
        if dock is self.pretraining_dock:
            self.pretraining_plot.set_on_screen(shown)
        self._update_watch()
        if shown and not self.runner.busy:  # it missed the frames of runs while it was hidden
            self._show_idle_frame(view for view, view_dock in self._live_views if view_dock is dock)

    def _update_watch(self) -> None:
        """Tell the worker which views are on screen now: the others cost nothing."""
        minimized = self.isMinimized()
        views = tuple(view for view, dock in self._live_views
                      if not minimized and (dock is None or self._dock_shown.get(dock, False)))
        self.runner.set_watch(Watch(views, self._grids))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        keeper = getattr(self, "layout_keeper", None)  # none yet while the window is built
        if keeper is not None:
            keeper.window_resized()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            self._update_watch()

    # ---- frames
    def _show_idle_frame(self, views, snapshot: Snapshot | None = None) -> None:
        """A frame of the network as it is (``snapshot``, or one taken now), for ``views``,
        made here: nothing trains."""
        views = tuple(views)
        if not views:
            return
        experiment = self.document.experiment
        if snapshot is None:
            snapshot = Snapshotter(experiment.trainer).take(weights=True, final=True)
        self._show_frame(FrameMaker(Probe(experiment)).frame_for(snapshot, Watch(views, self._grids)))

    def _show_frame(self, frame: Frame) -> None:
        started = time.thread_time()  # CPU time: waits for the interpreter lock are no cost of ours
        snapshot = frame.snapshot
        # the curves slow down with the views that have a cadence of their own (worker.FrameClock)
        stretch = self.runner.clock.view_stretch if snapshot.run else 1.0
        self.curves.pacer.stretch = self.gradients.pacer.stretch = stretch
        # … and take turns with the slow views: in a run's frames, one of them a frame at most
        self._frame_slot.next_frame(shared=not snapshot.run,
                                    taken=any(is_slow(view) for view, _dock in self._live_views
                                              if view.name in frame.pictures))
        for view, _dock in self._live_views:
            picture = frame.pictures.get(view.name)
            if picture is not None:
                view.show(picture)
        if snapshot.initial is not None:
            self.curves.set_initial(snapshot.initial)
        if snapshot.rows:
            self.curves.append(snapshot.history_from, snapshot.history)
        if snapshot.final:
            self.curves.flush()
        self.curves.mark_restored(snapshot.restored_epoch)
        if snapshot.gradient_rms is not None:
            self.gradients.add(snapshot.epoch, snapshot.update_in_epoch, snapshot.gradient_rms)
        if snapshot.final:
            self.gradients.flush()
        if snapshot.pretraining is not None and snapshot.run:
            self._show_pretraining(snapshot.pretraining)
        if snapshot.updates:
            self._rate = snapshot.updates_per_s
        self._show_numbers(snapshot, force=snapshot.final)
        self._count_frame_cost(time.thread_time() - started)
        if snapshot.run:
            self._paint_now()

    def _paint_now(self) -> None:
        """Paint what a frame changed now, in the window's turn (``worker.WindowTurn``).
        Left to the event loop, the paint comes a few events later, and each of its
        calls into Python waits for the training loop to give the interpreter lock back."""
        # twice: a paint may ask for more (pyqtgraph settles transforms and axis widths as it
        # paints), and what it asks is done here, in the turn, not by the event loop after it
        for _ in range(2):
            self._settle_scenes()  # the scenes' changes reach their views …
            # … new texts and ranges resize what they must (pyqtgraph's layouts call Python) …
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            QCoreApplication.sendPostedEvents(None, QEvent.Type.UpdateRequest)  # … and they paint
        self._settle_scenes()

    def _settle_scenes(self) -> None:
        """Run the frame views' scenes' queued work (dirty items, index, update rectangles)."""
        for view in self._frame_views:
            QCoreApplication.sendPostedEvents(view.scene(), QEvent.Type.MetaCall)

    def _show_pretraining(self, pretraining) -> None:
        """The pre-training tab follows the run; it comes to the front when pre-training
        starts, and the curves when it ends."""
        self.pretraining_plot.update_from(pretraining)  # the rows, and the picture while the first layer pre-trains
        under_way = pretraining.progress is not None
        if under_way:
            text = f"{pretraining.status[0].upper()}{pretraining.status[1:]}."
            self.pretraining_plot.show_text(text)
            now = time.monotonic()
            if now - self._status_shown >= NUMBERS_INTERVAL_S or not self._pretraining_shown:
                self._status_shown = now
                self.show_status(text)
            if not self._pretraining_shown:
                self.pretraining_dock.raise_()
        elif self._pretraining_shown:
            experiment = self.document.experiment
            self.pretraining_plot.show_text(pretraining_summary(experiment.trainer,
                                                                experiment.config.training.pretraining))
            self.curves_dock.raise_()
            self.show_status("Pre-training done; training the whole network…")
        self._pretraining_shown = under_way

    def _count_frame_cost(self, seconds: float) -> None:
        if self.runner.busy:
            self.runner.add_frame_cost(seconds)

    def _show_numbers(self, snapshot: Snapshot, force: bool = True) -> None:
        now = time.monotonic()
        if not force and now - self._numbers_shown < NUMBERS_INTERVAL_S:
            return  # the counters change faster than anyone reads; relaying out the bar costs
        self._numbers_shown = now
        row = snapshot.weights_row
        restored = snapshot.restored_epoch if row.get("epoch") == snapshot.restored_epoch else None  # not thinned away
        pretraining = snapshot.pretraining.progress if snapshot.pretraining is not None else None
        self.transport.show_numbers(snapshot.epoch, snapshot.update_in_epoch, row, self._rate,
                                    regression=self.document.experiment.config.task == "regression",
                                    restored_epoch=restored, pretraining=pretraining)

    def _on_stopped(self, snapshot: Snapshot | None) -> None:
        """The run ended and its last frame (every epoch, the final numbers) is shown."""
        if snapshot is None:
            return
        if snapshot.updates:
            self.document.mark_trained()
        if self._close_when_stopped:
            self._close_when_stopped = False
            QTimer.singleShot(0, self.close)
        if snapshot.error:
            messages.critical(self, "Training stopped", f"Training failed: {snapshot.error}")
            self.show_status(f"Training failed: {snapshot.error}")
            return
        self.show_status(self._stop_message(snapshot))

    def _position_message(self) -> str:
        text = describe_position(self.document.experiment.trainer)
        on = " on" if self.document.has_progress() else ""
        return f"{text[0].upper()}{text[1:]}. Press play (Space) to train{on}."

    def _stop_message(self, snapshot: Snapshot) -> str:
        experiment = self.document.experiment
        text = describe_stop(experiment.trainer, snapshot.stop_reason, experiment.config)
        return f"{text[0].upper()}{text[1:]}."

    def _highlight(self, points, text: str) -> None:
        """The metrics tab picked points (a confusion-matrix cell): ring them on the plot."""
        self.boundary.highlight(points)
        if text and not self.runner.running:
            self.show_status(text)

    # ---- gradient check
    def check_gradients(self) -> None:
        """Pause (as the pause button does), run the check here and show its table.

        Quick enough for the GUI thread with the entries capped (see
        ``gradient_check_dialog``); the dialog is not modal."""
        from nnplay.gui.gradient_check_dialog import GradientCheckDialog, run_gradient_check

        self.stop_training()
        experiment = self.document.experiment
        if len(experiment.trainer.data.x_train) == 0:
            self.show_status("There are no training points to check the gradients on.")
            return
        self.setCursor(Qt.CursorShape.WaitCursor)
        try:
            checks, points, seconds = run_gradient_check(experiment)
        finally:
            self.unsetCursor()
        if self.gradient_check_dialog is not None:
            self.gradient_check_dialog.close()
            self.gradient_check_dialog.deleteLater()
        self.gradient_check_dialog = GradientCheckDialog(experiment, checks, points, seconds, self)
        self.gradient_check_dialog.show()
        self.show_status(f"Gradient check: {self.gradient_check_dialog.verdict}")

    # ---- back-propagation, every number
    def step_through_backprop(self) -> None:
        """Pause (as the pause button does) and show the dialog, made once and kept."""
        from nnplay.gui.backprop import BackpropDialog

        self.stop_training()
        if self.backprop_dialog is None:
            self.backprop_dialog = BackpropDialog(self)
        self.backprop_dialog.show()
        self.backprop_dialog.raise_()
        self.backprop_dialog.activateWindow()

    def _on_weights_changed(self) -> None:
        """An update made by hand (Step Through Backprop's Apply): the plots show the new weights."""
        trainer = self.document.experiment.trainer
        self.curves.set_history(trainer.history.columns)  # the update may have ended an epoch
        self._show_idle_frame(self.runner.watch.views)
        self._show_numbers(Snapshotter(trainer).take(final=True))
        self.document.mark_trained()
        self.show_status("The weights took an update made by hand (Step Through Backprop's Apply); "
                         "Undo takes it back, Play goes on from it.")

    # ---- points from clicks
    def _add_point(self, x: float, y: float) -> None:
        experiment = self.document.experiment
        task = experiment.config.task
        label = self.data_panel.current_value if task == "regression" else self.data_panel.current_class
        self._edit_points(lambda: add_point(experiment.dataset, task, x, y, label, held_out=experiment.split.held_out,
                                            share=experiment.config.data.validation_fraction))

    def _remove_point(self, x: float, y: float) -> None:
        experiment = self.document.experiment
        grid = self.grid
        scale = grid.span if grid is not None else 1.0
        self._edit_points(lambda: remove_nearest_point(experiment.dataset, experiment.config.task, x, y,
                                                       radius=0.05 * scale, held_out=experiment.split.held_out))

    def _edit_points(self, make_edit) -> None:
        try:
            self.document.edit(*make_edit())
        except ConfigError as problem:  # why not, in a sentence
            self.show_status(str(problem))

    # ---- closing
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.runner.busy:
            self.pause()
        if self.runner.busy:
            # not waiting for a long update: close again when the run's last frame is in
            self._close_when_stopped = True
            event.ignore()
            return
        if not self.file_actions.maybe_save():
            event.ignore()
            return
        self.layout_keeper.save()
        event.accept()
        self.closed.emit()
