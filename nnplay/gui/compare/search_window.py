"""The Search window (Training ▸ Search…): a grid or random search over the main
window's network (SPEC §4), on every core or on a Dask cluster.

On the left: what varies and how (``ParameterPicker``), the runs of a random search,
the epochs, the metric that ranks the runs, where they run and the results folder,
and the number of runs before anything starts. Start checks everything the way
``nnplay sweep`` does (a bad value or path is a dialog naming the field, and nothing
starts), writes the folder and runs the sweep in a ``SearchRunner`` thread, with a
progress bar, the time left and Cancel (finished runs are kept; Start again resumes).

On the right: the results table (sortable; the best run starred) and the heatmap of
the metric over two numeric parameters. Double-clicking a row, a cell or a point
opens that run in the main window. File ▸ Save Sweep File writes the search as a
sweep file that ``nnplay sweep`` runs; Open Sweep File and Open Results Folder read
one back (a folder with its results).
"""

from __future__ import annotations

import copy
import importlib.util
import re
import time
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QMainWindow, QProgressBar, QPushButton, QScrollArea, QSpinBox, QSplitter, QTableView, QToolButton,
    QVBoxLayout, QWidget,
)

from nnplay.gui.messages import critical as error, plain_label as plain
from nnplay.gui.compare.heatmap_plot import METRIC_WORDS, HeatmapPlot
from nnplay.gui.compare.open_run import ask_to_replace, open_in_main_window
from nnplay.gui.compare.picker import ParameterPicker
from nnplay.gui.compare.results_model import ResultsModel, describe_values
from nnplay.gui.compare.search_runner import SearchRunner
from nnplay.io.atomic import write_atomic
from nnplay.io.networkfile import dumps, read_network
from nnplay.io.schema import NetworkFileError, network_to_dict
from nnplay.sweeps import (
    FolderError, JobFinished, RunRecorded, RunRetrying, RunStarted, SweepFileError, SweepSession, Tally,
    available_cores, best_row, format_duration, parse_sweep, plan_runs, read_sweep, sweep_to_dict,
)
from nnplay.sweeps.dask_pool import INSTALL
from nnplay.sweeps.picks import PickError, sweep_object
from nnplay.sweeps.paths import PathError
from nnplay.sweeps.plan import checked_network, describe, run_values
from nnplay.sweeps.session import run_file
from nnplay.sweeps.sweepfile import METRICS, Sweep

#: the heatmap follows finished runs at most this often (ms)
HEATMAP_MS = 200
SWEEP_FILTER = "nnplay sweeps (*.sweep.json *.json);;All files (*)"
LOCAL, CLUSTER = "local", "cluster"


def dask_installed() -> bool:
    return importlib.util.find_spec("distributed") is not None


def default_results_folder(name: str) -> Path:
    """A fresh folder for a search's results: Documents/nnplay searches/<name> <date and time>."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) \
        or str(Path.home())
    safe = re.sub(r"[^\w .-]+", "_", name).strip(" .") or "search"
    return Path(documents) / "nnplay searches" / f"{safe[:60]} {time.strftime('%Y-%m-%d %H.%M.%S')}"


def first_run_checked(sweep: Sweep) -> None:
    """Check the first run's network as Start will check them all (a path that is no
    setting shows before Start; checking every run of a large grid waits for Start)."""
    values = next(run_values(sweep), None)
    if values is None:
        return
    try:
        checked_network(sweep.base, values, sweep.epochs)
    except PathError as exc:
        raise SweepFileError(f"parameters: {exc}") from None
    except NetworkFileError as exc:
        raise SweepFileError(f"run 0 ({describe(values)}): {exc}") from None


class SearchWindow(QMainWindow):
    def __init__(self, main_window, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("searchWindow")
        self.setWindowTitle("Search — nnplay")
        self.main_window = main_window
        self.base_from_file: dict | None = None  #: a sweep file's or folder's base; None: the main window's
        self.base_name = ""
        self.session: SweepSession | None = None
        self.runner: SearchRunner | None = None
        self.tally: Tally | None = None
        self.folder_chosen = False  #: the folder was picked or opened; else each Start makes a fresh one
        self._base_epochs: int | None = None
        self._metric_chosen = False  #: the user picked the metric: it stays while it fits the network
        self._build_menus()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_setup())
        splitter.addWidget(self._build_results())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([400, 1000])
        self.setCentralWidget(splitter)
        self.status = plain(QLabel())
        self.status.setObjectName("searchStatus")
        self.statusBar().addWidget(self.status, 1)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self._show_progress)
        self.heatmap_timer = QTimer(self)
        self.heatmap_timer.setSingleShot(True)
        self.heatmap_timer.setInterval(HEATMAP_MS)
        self.heatmap_timer.timeout.connect(lambda: self.heatmap.set_rows(self.rows))
        self.resize(1400, 860)
        self.refresh_base()
        for key in ("optimizer.lr", "layers[0].units"):  # two numeric parameters: a heatmap
            if key in self.picker.choices:
                self.picker.add(key)
        self._set_running(False)

    # ---- building
    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&File")
        menu.setObjectName("searchFileMenu")

        def action(name, text, slot, shortcut=None, tip=""):
            act = QAction(text, self)
            act.setObjectName(name)
            act.setStatusTip(tip)
            if shortcut is not None:
                act.setShortcut(shortcut)
            act.triggered.connect(slot)
            menu.addAction(act)
            return act

        self.open_sweep_action = action("openSweepAction", "Open &Sweep File…", self.open_sweep_dialog,
                                        QKeySequence.StandardKey.Open, "Read a sweep file: its base network, "
                                        "parameters, epochs and metric.")
        self.save_sweep_action = action("saveSweepAction", "Save Sweep &File…", self.save_sweep_dialog,
                                        QKeySequence.StandardKey.Save, "Write this search as a sweep file "
                                        "that `nnplay sweep FILE -o DIR` runs.")
        self.open_results_action = action("openResultsAction", "Open &Results Folder…", self.open_results_dialog,
                                          None, "Show a sweep's results folder here (a search from this "
                                                "window or from nnplay sweep); Start resumes it.")
        menu.addSeparator()
        action("closeSearchAction", "&Close", self.close, QKeySequence.StandardKey.Close)

    def _build_setup(self) -> QWidget:
        column = QWidget()
        layout = QVBoxLayout(column)
        self.base_label = plain(QLabel())
        self.base_label.setObjectName("searchBaseLabel")
        self.base_label.setWordWrap(True)
        self.use_main_button = QPushButton("Use the main window's network")
        self.use_main_button.setObjectName("useMainNetworkButton")
        self.use_main_button.clicked.connect(self.use_main_network)
        layout.addWidget(self.base_label)
        layout.addWidget(self.use_main_button)
        layout.addLayout(self._build_search_form())
        self.picker = ParameterPicker("grid")
        self.picker.changed.connect(self._update_count)
        layout.addWidget(self.picker)
        layout.addLayout(self._build_run_form())
        self.count_label = plain(QLabel())
        self.count_label.setObjectName("searchCountLabel")
        self.count_label.setWordWrap(True)
        layout.addWidget(self.count_label)
        layout.addLayout(self._build_buttons())
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(column)
        scroll.setMinimumWidth(380)
        return scroll

    def _build_search_form(self) -> QFormLayout:
        form = QFormLayout()
        self.search_combo = QComboBox()
        self.search_combo.setObjectName("searchKindCombo")
        self.search_combo.addItem("Grid: every combination", "grid")
        self.search_combo.addItem("Random: draw each run's values", "random")
        self.search_combo.setToolTip("A grid tries every combination of the values listed; a random search "
                                     "draws each run's values (from a list, or uniform, log-uniform or "
                                     "integer between two bounds), which covers more values of each "
                                     "setting in the same number of runs.")
        self.search_combo.currentIndexChanged.connect(self._search_changed)
        form.addRow("Search", self.search_combo)
        self.runs_spin = QSpinBox(objectName="searchRunsSpin")
        self.runs_spin.setRange(1, 100_000)
        self.runs_spin.setValue(20)
        self.runs_spin.setToolTip("How many runs a random search draws.")
        self.seed_spin = QSpinBox(objectName="searchSeedSpin")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("The seed of the draws: run k's values come from "
                                  "numpy.random.default_rng([seed, k]), whatever the number of runs.")
        runs_row = QHBoxLayout()
        runs_row.addWidget(self.runs_spin, 1)
        runs_row.addWidget(QLabel("seed"))
        runs_row.addWidget(self.seed_spin, 1)
        self.runs_label = QLabel("Runs")
        form.addRow(self.runs_label, runs_row)
        for spin in (self.runs_spin, self.seed_spin):
            spin.valueChanged.connect(self._update_count)
        return form

    def _build_buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start the search", objectName="searchStartButton")
        self.start_button.setToolTip("Check every run, then train them on the pool (Ctrl+Enter).")
        self.start_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel", objectName="searchCancelButton")
        self.cancel_button.setToolTip("End the runs under way; finished runs keep their results, and "
                                      "Start goes on from there.")
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.start_button, 1)
        buttons.addWidget(self.cancel_button)
        return buttons

    def _build_run_form(self) -> QFormLayout:
        form = QFormLayout()
        self.epochs = QSpinBox(objectName="searchEpochsSpin")
        self.epochs.setRange(1, 1_000_000)
        self.epochs.setToolTip("How many epochs each run trains.")
        self.epochs.valueChanged.connect(self._update_count)
        form.addRow("Epochs", self.epochs)
        self.metric_combo = QComboBox(objectName="searchMetricCombo")
        for metric in METRICS:
            self.metric_combo.addItem(METRIC_WORDS[metric].capitalize(), metric)
        self.metric_combo.setToolTip("What ranks the runs: the lowest loss, or the highest accuracy, of "
                                     "each run's last epoch (the restored one after early stopping).")
        self.metric_combo.currentIndexChanged.connect(self._metric_changed)
        self.metric_combo.activated.connect(lambda _index: setattr(self, "_metric_chosen", True))
        form.addRow("Rank by", self.metric_combo)
        self.where_combo = QComboBox(objectName="searchWhereCombo")
        self.where_combo.addItem("this computer", LOCAL)
        self.where_combo.addItem("a Dask cluster", CLUSTER)
        self.where_combo.currentIndexChanged.connect(self._where_changed)
        self.workers_spin = QSpinBox(objectName="searchWorkersSpin")
        self.workers_spin.setRange(1, 512)
        self.workers_spin.setValue(available_cores())
        self.workers_spin.setSuffix(" processes")
        self.workers_spin.setToolTip("How many runs train at once, each in its own process "
                                     "(default: every core).")
        where_row = QHBoxLayout()
        where_row.addWidget(self.where_combo, 1)
        where_row.addWidget(self.workers_spin)
        form.addRow("Run on", where_row)
        self.scheduler_edit = QLineEdit(objectName="schedulerEdit")
        self.scheduler_edit.setPlaceholderText("tcp://host:8786")
        self.scheduler_edit.setToolTip("The address of the Dask scheduler (`dask scheduler` prints it). "
                                       "Its workers need nnplay and the same NumPy.")
        self.scheduler_note = plain(QLabel())
        self.scheduler_note.setObjectName("schedulerNote")
        self.scheduler_note.setWordWrap(True)
        self.scheduler_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Scheduler", self.scheduler_edit)
        form.addRow(self.scheduler_note)
        self.folder_edit = QLineEdit(objectName="resultsFolderEdit")
        self.folder_edit.setToolTip("Where each run's network, results.csv and best.nnp go. A folder that "
                                    "holds this search already resumes it.")
        self.folder_edit.textEdited.connect(lambda _text: setattr(self, "folder_chosen", True))
        browse = QToolButton(objectName="browseFolderButton")
        browse.setText("…")
        browse.setToolTip("Choose the results folder.")
        browse.clicked.connect(self._browse_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        form.addRow("Results in", folder_row)
        self._where_changed()
        return form

    def _build_results(self) -> QWidget:
        right = QWidget()
        layout = QVBoxLayout(right)
        layout.setContentsMargins(4, 4, 4, 0)
        progress_row = QHBoxLayout()
        self.progress = QProgressBar(objectName="searchProgress")
        self.progress.setFormat("%v of %m runs")
        self.time_left = plain(QLabel())
        self.time_left.setObjectName("timeLeftLabel")
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.time_left)
        layout.addLayout(progress_row)
        self.model = ResultsModel(self)
        self.table = QTableView(objectName="resultsTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        # sized to the contents when a search starts or ends: fitting them on every change
        # would measure every cell each time a run finishes
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        self.table.setToolTip("Click a column's header to sort by it; double-click a run to open it in the "
                              "main window.")
        self.table.doubleClicked.connect(lambda index: self.open_run(self.model.run_at(index.row())))
        self.heatmap = HeatmapPlot()
        self.heatmap.runActivated.connect(self.open_run)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.heatmap)
        split.setSizes([560, 440])
        layout.addWidget(split, 1)
        return right

    # ---- the base network
    def base(self) -> dict:
        if self.base_from_file is not None:
            return self.base_from_file
        return network_to_dict(self.main_window.document.config)

    def refresh_base(self) -> None:
        """Show where the base comes from; the main window's network may have changed."""
        if self.base_from_file is None:
            config = self.main_window.document.experiment.config
            self.base_name = config.name
            self.base_label.setText(f"Base: the network in the main window ({config.name}), as it is when "
                                    "you press Start. Its weights are not used: each run starts from the "
                                    "weights its seed draws.")
        self.use_main_button.setVisible(self.base_from_file is not None)
        base = self.base()
        self.picker.set_base(base)
        if not self.running:
            epochs = max(1, base["training"]["epochs"])
            if epochs != self._base_epochs:  # follow the network's epochs; keep what the user typed otherwise
                self._base_epochs = epochs
                self.epochs.setValue(epochs)
            self._default_metric(base)
        self._update_count()

    def _default_metric(self, base: dict) -> None:
        """The validation loss, or the training loss without validation points; the
        user's choice stays while the network has what it needs."""
        validation = base["data"].get("validation_fraction", 0) > 0
        chosen = self.metric_combo.currentData()
        fits = (validation or not chosen.startswith("val_")) and \
            (base["task"] != "regression" or not chosen.endswith("accuracy"))
        if self._metric_chosen and fits:
            return
        metric = "val_loss" if validation else "train_loss"
        self.metric_combo.setCurrentIndex(self.metric_combo.findData(metric))

    def use_main_network(self) -> None:
        self.base_from_file = None
        self.refresh_base()

    def _use_base(self, base: dict, name: str, where: str) -> None:
        self.base_from_file, self.base_name = base, name
        self.base_label.setText(f"Base: {where}.")
        self.refresh_base()

    # ---- the search as the user set it
    @property
    def search(self) -> str:
        return self.search_combo.currentData()

    def sweep_obj(self) -> dict:
        """The sweep file's object for what is set; raises ``PickError``."""
        random = self.search == "random"
        return sweep_object(self.base(), self.picker.picks(), self.search, self.epochs.value(),
                            self.metric_combo.currentData(), runs=self.runs_spin.value() if random else None,
                            seed=self.seed_spin.value())

    def make_sweep(self) -> Sweep:
        """The checked sweep; raises ``PickError`` or ``SweepFileError`` naming the field."""
        return parse_sweep(self.sweep_obj())

    def _update_count(self, *_args) -> None:
        try:
            sweep = self.make_sweep()
            first_run_checked(sweep)
        except (PickError, SweepFileError) as exc:
            self.count_label.setText(str(exc))
            self.count_label.setStyleSheet("color: #a00;")
            return
        count = sweep.run_count()
        if sweep.search == "grid":
            sizes = " × ".join(str(len(p.values)) for p in sweep.parameters)
            text = f"{count:,} runs ({sizes})" if len(sweep.parameters) > 1 else f"{count:,} runs"
        else:
            text = f"{count:,} runs, each drawing its values"
        self.count_label.setText(text + f" of {sweep.epochs:,} epochs each.")
        self.count_label.setStyleSheet("")

    def _search_changed(self, *_args) -> None:
        random = self.search == "random"
        for widget in (self.runs_spin, self.seed_spin, self.runs_label):
            widget.setEnabled(random)
        self.picker.set_search(self.search)

    def _metric_changed(self, *_args) -> None:
        self._update_count()

    def _where_changed(self, *_args) -> None:
        cluster = self.where_combo.currentData() == CLUSTER
        self.workers_spin.setVisible(not cluster)
        self.scheduler_edit.setEnabled(cluster and dask_installed())
        if not dask_installed():
            self.scheduler_note.setText(f"Running on a Dask cluster needs Dask's distributed package: {INSTALL}")
        elif cluster:
            self.scheduler_note.setText("The runs go to the cluster's workers; the results come back here.")
        else:
            self.scheduler_note.setText("")
        self.scheduler_note.setVisible(bool(self.scheduler_note.text()))

    def _browse_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Results folder", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)
            self.folder_chosen = True

    # ---- running
    @property
    def rows(self) -> list:
        """The runs as the window knows them (the table's rows)."""
        return self.model.rows

    @property
    def running(self) -> bool:
        return self.runner is not None

    def start(self) -> bool:
        """Check the whole sweep (nothing starts when a run's values are refused), then run it."""
        if self.running:
            return False
        scheduler = self.scheduler_edit.text().strip() if self.where_combo.currentData() == CLUSTER else None
        problem = self._cluster_problem(scheduler)
        if problem:
            error(self, "Cannot start the search", problem)
            return False
        try:
            sweep = self.make_sweep()
            if not self.folder_chosen or not self.folder_edit.text().strip():
                self.folder_edit.setText(str(default_results_folder(self.base_name)))
            session = SweepSession(sweep, self.folder_edit.text().strip())
            session.prepare()
        except (PickError, SweepFileError, FolderError) as exc:
            error(self, "Cannot start the search", str(exc))
            return False
        self.folder_chosen = True  # Start again resumes this folder
        self._show_session(session)
        self.tally = Tally(len(session.runs), len(session.runs) - len(session.pending()),
                           1 if scheduler else self.workers_spin.value())
        self.runner = SearchRunner(session, self.workers_spin.value(), scheduler, self)
        self.runner.event.connect(self._on_event)
        self.runner.poolReady.connect(self._pool_ready)
        self.runner.failed.connect(self._failed)
        self.runner.finished.connect(self._runner_done)
        self._set_running(True)
        self.status.setText(f"Starting {len(session.pending()):,} runs…")
        self.runner.start()
        self.clock.start()
        return True

    def _cluster_problem(self, scheduler: str | None) -> str | None:
        if self.where_combo.currentData() != CLUSTER:
            return None
        if not dask_installed():
            return f"running on a Dask cluster needs Dask's distributed package: {INSTALL}"
        if not scheduler:
            return "scheduler: give the Dask scheduler's address, like tcp://host:8786"
        return None

    def cancel(self) -> None:
        if self.runner is not None:
            self.runner.cancel()
            self.status.setText("Cancelling: ending the runs under way; finished runs keep their results…")

    def _show_session(self, session: SweepSession) -> None:
        self.session = session
        # the window's own copies: the runner thread writes the session's rows as runs end,
        # and the window learns of each from its RunRecorded event
        rows = copy.deepcopy(session.rows)
        best = best_row(rows, session.sweep.metric)
        self.model.set_rows(rows, session.paths, best.run if best else None)
        header = self.table.horizontalHeader()
        header.setSortIndicator(*(self.model.sort_key or (-1, Qt.SortOrder.AscendingOrder)))
        self.heatmap.set_sweep(session.sweep, rows)
        self.table.resizeColumnsToContents()
        self.progress.setMaximum(len(session.runs))
        self.progress.setValue(len(session.runs) - len(session.pending()))

    def _pool_ready(self, size: int, where: str) -> None:
        if self.tally is not None:
            self.tally.workers = max(1, size)
        self.status.setText(f"{self.session.sweep.search.capitalize()} search, {len(self.session.runs):,} runs, "
                            f"on {where}; results in {self.session.folder}")

    def _on_event(self, event) -> None:
        if isinstance(event, RunStarted):
            self.model.set_running(event.run, True)
        elif isinstance(event, RunRetrying):
            self.status.setText(f"run {event.run}: {event.message}")
        elif isinstance(event, RunRecorded):
            self.rows[event.row.run] = event.row  # complete: the thread is done with it
            best = best_row(self.rows, self.session.sweep.metric)
            self.model.recorded(event.row, best.run if best else None, event.outcome.error)
            if not self.heatmap_timer.isActive():  # runs finishing together redraw it once
                self.heatmap_timer.start()
            if self.tally is not None:
                self.tally.record(event.row.seconds)
            self._show_progress()
        elif isinstance(event, JobFinished):
            self.status.setText(self._summary(event.cancelled))

    def _show_progress(self) -> None:
        tally = self.tally
        if tally is None:
            return
        if self.progress.value() != tally.done:
            self.progress.setValue(tally.done)
        left = tally.seconds_left()
        if not self.running or tally.remaining == 0:
            self.time_left.setText("")
        elif left is None:
            self.time_left.setText("estimating the time left…")
        else:
            self.time_left.setText("under a second left" if left < 1 else f"about {format_duration(left)} left")

    def _summary(self, cancelled: bool) -> str:
        session = self.session
        rows = self.rows
        done = sum(row.status is not None for row in rows)
        if cancelled:
            return (f"Cancelled: {done} of {len(rows)} runs have their results in {session.folder}; "
                    "Start goes on from there.")
        failed = sum(row.status == "failed" for row in rows)
        best = best_row(rows, session.sweep.metric)
        text = f"Done: {done} runs" + (f", {failed} failed" if failed else "") + f"; results in {session.folder}."
        if best is not None:
            text += (f" Best by {METRIC_WORDS[session.sweep.metric]}: run {best.run} ({describe_values(best.values)}), "
                     f"{best.metric(session.sweep.metric):.4g}.")
        return text

    def _failed(self, message: str) -> None:
        error(self, "Cannot run the search", message)
        self.status.setText(message)

    def _runner_done(self) -> None:
        runner, self.runner = self.runner, None
        if runner is not None:
            runner.deleteLater()
        self.clock.stop()
        self.heatmap_timer.stop()
        self.heatmap.set_rows(self.rows)
        self.model.running.clear()
        self._set_running(False)
        self._show_progress()
        self.table.resizeColumnsToContents()

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        for widget in (self.picker, self.search_combo, self.runs_spin, self.seed_spin, self.epochs,
                       self.metric_combo, self.where_combo, self.workers_spin, self.scheduler_edit,
                       self.folder_edit, self.use_main_button):
            widget.setEnabled(not running)
        for act in (self.open_sweep_action, self.open_results_action):
            act.setEnabled(not running)
        if not running:
            self._search_changed()
            self._where_changed()

    # ---- opening a run
    def open_run(self, run: int | None) -> None:
        session = self.session
        if run is None or session is None:
            return
        row = self.rows[run]
        if row.status is None:
            self.status.setText(f"Run {run} has not finished yet.")
            return
        if row.status == "failed":
            why = self.model.errors.get(run) or self._error_text(run)
            error(self, "Cannot open the run", f"run {run} ({describe_values(row.values)}) failed: {why}")
            return
        try:
            config = read_network(run_file(session.folder, run))
        except NetworkFileError as exc:
            error(self, "Cannot open the run", f"run {run}: {exc}")
            return
        if not ask_to_replace(self.main_window):
            return
        name = f"{self.base_name} — run {run} ({describe_values(row.values)})"
        if open_in_main_window(self.main_window, config, name, f"of the search in {session.folder}"):
            self.status.setText(f"Opened run {run} in the main window.")

    def _error_text(self, run: int) -> str:
        path = self.session.folder / f"run-{run}.error.txt"
        try:
            return path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1]
        except (OSError, IndexError):
            return "no error file"

    # ---- sweep files and results folders
    def open_sweep_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open sweep file", "", SWEEP_FILTER)
        if path:
            self.open_sweep(path)

    def open_sweep(self, path: str | Path) -> bool:
        try:
            sweep = read_sweep(path)
        except SweepFileError as exc:
            error(self, "Cannot open the sweep file", f"{Path(path).name}: {exc}")
            return False
        self._show_sweep(sweep, f"the base of {Path(path).name}")
        self.folder_chosen = False
        self.status.setText(f"Opened {Path(path).name}: {sweep.run_count():,} runs.")
        return True

    def _show_sweep(self, sweep: Sweep, where: str) -> None:
        name = sweep.base.get("name") or (Path(sweep.base_file).stem if sweep.base_file else "search")
        self._use_base(sweep.base, str(name), where)
        self.search_combo.setCurrentIndex(self.search_combo.findData(sweep.search))
        if sweep.search == "random":
            self.runs_spin.setValue(sweep.runs)
            self.seed_spin.setValue(min(sweep.seed, self.seed_spin.maximum()))
        self.picker.load(sweep.parameters)
        self.picker.set_search(sweep.search)
        if sweep.epochs is not None:
            self.epochs.setValue(sweep.epochs)
        self.metric_combo.setCurrentIndex(self.metric_combo.findData(sweep.metric))
        self._metric_chosen = True
        self._update_count()

    def save_sweep_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save sweep file",
                                              f"{self.base_name or 'search'}.sweep.json", SWEEP_FILTER)
        if path:
            self.save_sweep(path)

    def save_sweep(self, path: str | Path) -> bool:
        """Write the search as a sweep file, after checking every run as ``nnplay sweep`` will."""
        try:
            sweep = self.make_sweep()
            plan_runs(sweep)
            write_atomic(Path(path), dumps(sweep_to_dict(sweep)).encode("utf-8"))
        except (PickError, SweepFileError) as exc:
            error(self, "Cannot save the sweep file", str(exc))
            return False
        except OSError as exc:
            error(self, "Cannot save the sweep file", f"{Path(path).name}: {exc.strerror or exc}")
            return False
        self.status.setText(f"Saved {Path(path).name}: run it with nnplay sweep {Path(path).name} -o FOLDER.")
        return True

    def open_results_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a sweep's results folder")
        if folder:
            self.open_results(folder)

    def open_results(self, folder: str | Path) -> bool:
        try:
            session = SweepSession.open(folder)
        except (FolderError, SweepFileError) as exc:
            error(self, "Cannot open the results", str(exc))
            return False
        self._show_sweep(session.sweep, f"the sweep in {Path(folder).name}")
        self.folder_edit.setText(str(folder))
        self.folder_chosen = True
        self._show_session(session)
        done = sum(row.status is not None for row in self.rows)
        self.status.setText(f"{Path(folder).name}: {done} of {len(self.rows)} runs have results"
                            + ("; Start runs the rest." if done < len(self.rows) else "."))
        return True

    # ---- closing
    def stop_runner(self) -> None:
        """Cancel a search under way and wait for its thread (finished runs are kept)."""
        runner = self.runner
        if runner is not None:
            runner.cancel()
            runner.wait()
            self._runner_done()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop_runner()
        super().closeEvent(event)
