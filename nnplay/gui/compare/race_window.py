"""The Race window (Training ▸ Race…): the main window's network with several
settings, trained side by side, live.

On the left the user picks what varies (``ParameterPicker``) and how many epochs;
Start makes one run per combination (``nnplay.sweeps.race_plans``), each in its own
worker process (``Race``), all from the same initial weights and the same batches,
which ``shared_start`` checks before the window says so. On the right each run's
boundary map, their loss curves overlaid and, beside them, their gradient RMS per
epoch for a chosen dense layer (the first hidden one: the layer a deep sigmoid net
learns slowest), their numbers in a table. ``start_pretraining_race`` starts the race
of the network with and without pre-training in one go (Training ▸ Race With and
Without Pre-training).

The worker processes stream snapshots; a timer in this window takes whatever has
come (``Race.poll(0)``: never waits), keeps each run's newest outputs and every new
history row, and redraws only the runs that changed. However many runs there are
and however fast they send, a frame draws each run at most once, so the window
stays as smooth as with one run and nothing queues up.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QGridLayout, QLabel, QMainWindow, QPushButton, QScrollArea, QSpinBox, QSplitter,
    QToolBar, QVBoxLayout, QWidget,
)

from nnplay.core.epoch_gradients import column_titles
from nnplay.core.errors import ConfigError
from nnplay.core.experiment import Experiment
from nnplay.core.pretraining_progress import PATH as PRETRAINING_PATH, pretraining_race_variants
from nnplay.gui.compare import WORKER_NICE
from nnplay.gui.messages import Button, critical as error, plain_label as plain, question
from nnplay.gui.compare.open_run import ask_to_replace, open_in_main_window
from nnplay.gui.compare.picker import ParameterPicker
from nnplay.gui.compare.race_gradients import RaceGradients
from nnplay.gui.compare.race_views import RUN_COLORS, RaceCurves, RaceTable, RaceTile, RunView
from nnplay.gui.plots.grid import grid_for
from nnplay.io.networkfile import loads_network
from nnplay.io.schema import network_to_dict, parse_network
from nnplay.sweeps import (
    JobFinished, NetworkFetched, Race, RaceError, RunFinished, RunSnapshot, RunStarted, available_cores,
    race_plans, shared_start,
)
from nnplay.sweeps.picks import PickError, race_variants

#: most runs a race shows side by side (more are a search)
MAX_RUNS = 16
#: how often the window takes the runs' snapshots and draws (ms)
FRAME_MS = 40
#: how often the table's and the tiles' numbers change (s): text costs a relayout
NUMBERS_S = 0.25
#: samples per axis of a tile's boundary map
TILE_RESOLUTION = 50
#: the most tile maps the window repaints a second, all runs together: a frame repaints
#: at most its share (the maps waiting longest first), so a frame's work stays bounded
#: however many runs there are; few runs get every frame
TILE_PAINTS_PER_S = 80
#: how often a run sends a snapshot at most (s); with many runs, as often as its map is drawn
SNAPSHOT_INTERVAL = 0.05


def snapshot_interval(runs: int) -> float:
    return max(SNAPSHOT_INTERVAL, runs / TILE_PAINTS_PER_S)


def start_text(same_weights: bool, same_batches: bool) -> str:
    """What the window may truthfully say about how the runs start."""
    if same_weights and same_batches:
        return ("Every run starts from the same initial weights and sees the same batches in the same "
                "order: only the settings named on the tiles differ.")
    if same_batches:
        return ("The runs see the same batches in the same order, but do not start from the same "
                "initial weights: their layers' widths or initializers differ.")
    if same_weights:
        return ("The runs start from the same initial weights, but do not see the same batches: "
                "their batch sizes or data differ.")
    return ("The runs neither start from the same initial weights nor see the same batches: "
            "their seeds differ.")


class RaceWindow(QMainWindow):
    def __init__(self, main_window, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("raceWindow")
        self.setWindowTitle("Race — nnplay")
        self.main_window = main_window
        self.race: Race | None = None
        self.plans: list = []
        self.views: list[RunView] = []
        self.tiles: dict[int, RaceTile] = {}
        self._dirty: set[int] = set()  #: runs whose curves changed
        #: runs whose gradient curves changed: drawn with the numbers, 4 times a second (a
        #: figure per epoch needs no animation, and 25 redraws a second of 7 runs cost ~10 % of a core)
        self._gradients_dirty: set[int] = set()
        self._waiting: dict[int, None] = {}  #: runs whose map changed, the longest waiting first
        self._numbers_shown = 0.0
        self._open_when_fetched: int | None = None
        self.paused = False
        self._base_epochs: int | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.tick)

        self._build_toolbar()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_setup())
        splitter.addWidget(self._build_results())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 1020])
        self.setCentralWidget(splitter)
        self.status = plain(QLabel())
        self.status.setObjectName("raceStatus")
        self.statusBar().addWidget(self.status, 1)
        self.resize(1400, 880)
        self.refresh_base()
        self.picker.add("optimizer.name")  # every optimizer, the race people ask for first
        self._set_controls()

    # ---- building
    def _build_toolbar(self) -> None:
        bar = QToolBar("Race")
        bar.setObjectName("raceToolbar")
        bar.setMovable(False)
        self.addToolBar(bar)

        def action(name, text, slot, tip, shortcut=None):
            act = QAction(text, self)
            act.setObjectName(name)
            act.setToolTip(tip)
            act.setStatusTip(tip)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            bar.addAction(act)
            return act

        self.start_action = QAction("Start", self)  # the button on the left; the shortcut works anywhere
        self.start_action.setObjectName("raceStartAction")
        self.start_action.setShortcut(QKeySequence("Ctrl+Return"))
        self.start_action.triggered.connect(self.start)
        self.addAction(self.start_action)
        self.pause_action = action("racePauseAction", "Pause", self.toggle_pause,
                                   "Pause every run at once, or let them all go on.", "Space")
        self.step_action = action("raceStepAction", "Step", self.step,
                                  "Every run trains to the end of its next epoch, then pauses.", "Ctrl+Right")
        self.stop_action = action("raceStopAction", "Stop", self.stop,
                                  "End every run where it is; each keeps its network, to open or compare.")
        bar.addSeparator()
        self.open_action = action("raceOpenAction", "Open in Main Window", self.open_selected,
                                  "Open the selected run in the main window, as an untitled copy.")
        self.shared_label = plain(QLabel())
        self.shared_label.setObjectName("sharedStartLabel")
        self.shared_label.setWordWrap(True)
        self.shared_label.setStyleSheet("color: #1b4d1b; padding: 2px 8px;")

    def _build_setup(self) -> QWidget:
        column = QWidget()
        layout = QVBoxLayout(column)
        intro = QLabel("The network in the main window, with the settings below varied: one run for each "
                       "combination of their values, trained side by side.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.picker = ParameterPicker("grid")
        self.picker.changed.connect(self._update_count)
        layout.addWidget(self.picker)
        form = QFormLayout()
        self.epochs = QSpinBox()
        self.epochs.setObjectName("raceEpochsSpin")
        self.epochs.setRange(1, 1_000_000)
        self.epochs.setToolTip("How many epochs each run trains before it stops by itself.")
        form.addRow("Epochs", self.epochs)
        self.start_from = QComboBox()
        self.start_from.setObjectName("raceStartFromCombo")
        self.start_from.addItem("fresh weights from the seed", False)
        self.start_from.addItem("the main window's current weights", True)
        self.start_from.setToolTip("Where every run's weights start: drawn from the training seed as a new "
                                   "network's are, or the weights the main window's network has now.")
        form.addRow("Start from", self.start_from)
        layout.addLayout(form)
        self.count_label = plain(QLabel())
        self.count_label.setObjectName("raceCountLabel")
        self.count_label.setWordWrap(True)
        layout.addWidget(self.count_label)
        self.start_button = QPushButton("Start the race")
        self.start_button.setToolTip("One run per combination of the values picked above (Ctrl+Enter).")
        self.start_button.setObjectName("raceStartButton")
        self.start_button.clicked.connect(self.start)
        layout.addWidget(self.start_button)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(column)
        scroll.setMinimumWidth(360)
        return scroll

    def _build_results(self) -> QWidget:
        right = QWidget()
        layout = QVBoxLayout(right)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.shared_label)
        self.tiles_widget = QWidget()
        self.tiles_layout = QGridLayout(self.tiles_widget)
        self.tiles_layout.setSpacing(4)
        tiles_scroll = QScrollArea()
        tiles_scroll.setWidgetResizable(True)
        tiles_scroll.setWidget(self.tiles_widget)
        self.curves = RaceCurves()
        self.gradients = RaceGradients()
        self.table = RaceTable()
        self.table.cellDoubleClicked.connect(lambda row, _col: self.open_run(self.table.run_at(row)))
        self.table.itemSelectionChanged.connect(self._table_selection)
        plots = QSplitter(Qt.Orientation.Horizontal)  # the losses and the gradients side by side
        plots.addWidget(self.curves)
        plots.addWidget(self.gradients)
        plots.setSizes([500, 500])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(tiles_scroll)
        split.addWidget(plots)
        split.addWidget(self.table)
        split.setSizes([380, 300, 150])
        layout.addWidget(split, 1)
        return right

    # ---- the base network
    def base(self, keep_weights: bool = False) -> dict:
        experiment = self.main_window.document.experiment
        config = experiment.to_config() if keep_weights else self.main_window.document.config
        return network_to_dict(config)

    def refresh_base(self) -> None:
        """The main window's network changed: what it offers to vary, and its epochs."""
        base = self.base()
        self.picker.set_base(base)
        epochs = max(1, base["training"]["epochs"])
        if epochs != self._base_epochs:  # follow the network's epochs; keep what the user typed otherwise
            self._base_epochs = epochs
            self.epochs.setValue(epochs)
        self._update_count()

    def _update_count(self) -> None:
        try:
            variants = race_variants(self.picker.picks(), self.base())
        except PickError as exc:
            self.count_label.setText(str(exc))
            self.count_label.setStyleSheet("color: #a00;")
            return
        n = len(variants)
        cores = available_cores()
        text = f"{n} run{'s' * (n != 1)}, each in its own process, on {cores} core{'s' * (cores != 1)}"
        if n > MAX_RUNS:
            text += f": more than the {MAX_RUNS} a race shows; use Training ▸ Search… for more"
        self.count_label.setText(text + ".")
        self.count_label.setStyleSheet("color: #a00;" if n > MAX_RUNS else "")

    # ---- starting
    def start(self) -> bool:
        """Check the picks and start the runs; a problem is a dialog naming it, and nothing starts."""
        keep = bool(self.start_from.currentData())
        base = self.base(keep_weights=keep)
        try:
            variants = race_variants(self.picker.picks(), base)
            if len(variants) > MAX_RUNS:
                raise PickError(f"parameters: {len(variants)} runs; a race shows at most {MAX_RUNS} "
                                "side by side (use Training ▸ Search… for more)")
        except PickError as exc:
            error(self, "Cannot start the race", str(exc))
            return False
        return self._start(base, variants, keep)

    def start_pretraining_race(self) -> bool:
        """Race the main window's network without and with pre-training (the core's pair,
        ``pretraining_race_variants``: its own pre-training settings, or the defaults), from
        the fresh weights its seed draws, for its epochs. The setup column then shows that
        race (Pre-training off and on), so Start runs it again. A race under way is only
        replaced if the user agrees."""
        if self.running and question(
                self, "Replace the race?", "A race is running. Stop it and race the network with and "
                "without pre-training instead?", Button.Yes | Button.Cancel, Button.Cancel) != Button.Yes:
            return False
        config = self.main_window.document.config
        self.start_from.setCurrentIndex(self.start_from.findData(False))  # as a new network starts
        self.epochs.setValue(max(1, config.training.epochs))
        self.picker.clear()
        self.picker.add(PRETRAINING_PATH)  # both states ticked
        return self._start(self.base(), pretraining_race_variants(config), keep=False)

    def _start(self, base: dict, variants: list[tuple[dict, str]], keep: bool) -> bool:
        """One run per ``(values, label)`` of ``variants`` on ``base``; a problem is a dialog."""
        try:
            grid = self._grid(base)
            plans = race_plans(base, [values for values, _ in variants], epochs=self.epochs.value(),
                               keep_weights=keep, grid_points=grid.points if grid else None,
                               interval=snapshot_interval(len(variants)))
            experiments = [Experiment(parse_network(plan.network)) for plan in plans]  # the maps' points
        except (RaceError, ConfigError) as exc:
            error(self, "Cannot start the race", str(exc))
            return False
        self.close_race()
        self.plans = plans
        self._dirty, self._gradients_dirty, self._waiting = set(), set(), {}
        self._show_runs(plans, experiments, [label for _, label in variants], grid)
        self.shared_label.setText(start_text(*shared_start(plans)))
        self.race = Race(plans, nice=WORKER_NICE)
        self.paused = False
        self._set_controls()
        self.status.setText(f"Racing {len(plans)} runs for {self.epochs.value():,} epochs…")
        self.timer.start()
        return True

    @staticmethod
    def _grid(base: dict):
        experiment = Experiment(parse_network(base))
        x = experiment.dataset.x
        return grid_for(x, resolution=TILE_RESOLUTION) if len(x) else None

    def _show_runs(self, plans, experiments, labels: list[str], grid) -> None:
        for tile in self.tiles.values():
            tile.setParent(None)
            tile.deleteLater()
        self.tiles = {}
        self.views = [RunView(plan.run, label, RUN_COLORS[plan.run % len(RUN_COLORS)])
                      for plan, label in zip(plans, labels)]
        columns = max(1, math.ceil(math.sqrt(len(plans) * 1.5)))
        for view, experiment in zip(self.views, experiments):
            if grid is None:
                continue
            tile = RaceTile(view, experiment, grid)
            tile.activated.connect(self.open_run)
            tile.selected.connect(self.select_run)
            self.tiles_layout.addWidget(tile, view.run // columns, view.run % columns)
            self.tiles[view.run] = tile
        has_validation = any(self._has_validation(plan) for plan in plans)
        self.curves.set_runs(self.views, "val_loss" if has_validation else "train_loss",
                             regression=plans[0].network["task"] == "regression")
        self.gradients.set_runs(self.views, column_titles([e.config.layers for e in experiments]))
        self.table.set_runs(self.views)

    @staticmethod
    def _has_validation(plan) -> bool:
        data = plan.network["data"]
        return data.get("validation_fraction", 0) > 0

    # ---- the frame
    def tick(self) -> None:
        """Take what the runs sent, then draw each changed run once."""
        if self.race is None:
            return
        for event in self.race.poll(0):
            self._take(event)
        self._paint_tiles()
        if self._dirty:
            self.curves.redraw(self._dirty)
            self._gradients_dirty |= self._dirty
            self._dirty = set()
        now = time.monotonic()
        if now - self._numbers_shown >= NUMBERS_S or self.race.finished:
            if self._gradients_dirty:
                self.gradients.redraw(self._gradients_dirty)
                self._gradients_dirty = set()
            self._show_numbers()
            self._numbers_shown = now
        if self.race.finished:
            self._set_controls()
            if not self._waiting:  # the last maps are drawn: nothing more will come
                self.timer.stop()

    def _paint_tiles(self) -> None:
        """Give the maps waiting longest their newest outputs, this frame's share of them."""
        share = max(1, round(TILE_PAINTS_PER_S * FRAME_MS / 1000))
        for run in list(self._waiting)[:share]:
            del self._waiting[run]
            view = self.views[run]
            if view.grid is not None and run in self.tiles:
                self.tiles[run].show_output(view.grid)

    def _take(self, event) -> None:
        if isinstance(event, RunSnapshot):
            self.views[event.run].take(event)
            self._dirty.add(event.run)
            self._waiting.setdefault(event.run, None)
        elif isinstance(event, RunStarted):
            self.views[event.run].started = True
        elif isinstance(event, RunFinished):
            view = self.views[event.run]
            view.status, view.error = event.outcome.status, event.outcome.error
            view.epoch = event.outcome.epochs if event.outcome.epochs is not None else view.epoch
            self._dirty.add(event.run)
            self._waiting.setdefault(event.run, None)
        elif isinstance(event, NetworkFetched):
            if event.run == self._open_when_fetched:
                self._open_when_fetched = None
                self._open_fetched(event)
        elif isinstance(event, JobFinished):
            self.status.setText(self._summary(event.cancelled))

    def _show_numbers(self) -> None:
        self.table.show_numbers(self.views)
        for view in self.views:
            tile = self.tiles.get(view.run)
            if tile is not None:
                which = "val" if self.curves.metric_combo.currentData().startswith("val") else "train"
                loss = view.history.last(f"{which}_loss")
                text = f"epoch {view.epoch:,} · {view.state}"
                if loss is not None:
                    text += f" · {which} loss {loss:.4g}"
                if tile.numbers.text() != text:
                    tile.numbers.setText(text)

    def _summary(self, cancelled: bool) -> str:
        ended = [view for view in self.views if view.status is not None]
        words = ", ".join(f"{sum(v.state == s for v in ended)} {s}"
                          for s in dict.fromkeys(v.state for v in ended))
        return f"The race is over: {words or 'no runs ended'}." if not cancelled else "The race was cancelled."

    # ---- transport
    @property
    def running(self) -> bool:
        return self.race is not None and not self.race.finished

    def toggle_pause(self) -> None:
        if not self.running:
            return
        if self.paused:
            self.race.resume()
        else:
            self.race.pause()
        self.paused = not self.paused
        self._set_controls()

    def step(self) -> None:
        if self.running:
            self.race.step()
            self.paused = True
            self._set_controls()

    def stop(self) -> None:
        if self.running:
            self.race.stop()
            self.status.setText("Stopping every run…")

    def _set_controls(self) -> None:
        running = self.running
        self.start_action.setEnabled(not running)
        self.start_button.setEnabled(not running)
        self.picker.setEnabled(not running)
        for action in (self.pause_action, self.step_action, self.stop_action):
            action.setEnabled(running)
        self.pause_action.setText("Resume" if self.paused else "Pause")
        self.open_action.setEnabled(self.race is not None and bool(self.views))  # a closed race keeps no networks

    # ---- choosing and opening a run
    def select_run(self, run: int) -> None:
        for row in range(self.table.rowCount()):
            if self.table.run_at(row) == run:
                self.table.selectRow(row)

    def _table_selection(self) -> None:
        selected = self.selected_run()
        for run, tile in self.tiles.items():
            tile.set_selected(run == selected)

    def selected_run(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.table.run_at(rows[0].row()) if rows else None

    def open_selected(self) -> None:
        run = self.selected_run()
        if run is None:
            self.status.setText("Select a run first: click its map or its row.")
            return
        self.open_run(run)

    def open_run(self, run: int | None) -> None:
        """Open the run's network as it is now in the main window, after asking about unsaved changes."""
        if run is None or self.race is None:
            return
        view = self.views[run]
        if view.status == "failed":
            error(self, "Cannot open the run", f"{view.label}: the run failed ({view.error}).")
            return
        if not ask_to_replace(self.main_window):
            return
        self._open_when_fetched = run
        self.race.fetch(run)  # a NetworkFetched event brings it
        self.status.setText(f"Fetching {view.label}…")
        if not self.timer.isActive():
            self.timer.start()  # a finished race answers from the job's backlog

    def _open_fetched(self, event: NetworkFetched) -> None:
        view = self.views[event.run]
        config = loads_network(event.network)
        name = f"{self.main_window.document.experiment.config.name} — {view.label}"
        if open_in_main_window(self.main_window, config, name, f"from the race, at epoch {config.epoch:,}"):
            self.status.setText(f"Opened {view.label} in the main window.")

    # ---- closing
    def close_race(self) -> None:
        self.timer.stop()
        if self.race is not None:
            self.race.close()
            self.race = None

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_race()
        self._set_controls()
        super().closeEvent(event)
