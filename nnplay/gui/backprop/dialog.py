"""Training ▸ Step Through Backprop…: back-propagation on the current network, every number.

Pick what to trace — the run's next mini-batch, or a training point (click it on the
plot, or type its number) — then Next fills in one step at a time in the chapters'
order and Back steps back: each step's formula beside its numbers, a worked line for
the chosen unit, the layer's table, and the diagram (``diagram.NetworkDiagram``).
Apply makes the traced update in the real run, as one undoable step.

The dialog is not modal. Opening it pauses training; it follows the network whenever
it changes (an edit, an undo, a file opened, training run while it is open) by tracing
again — the same step when the steps are the same, the input otherwise — and while
training runs it says its numbers are those of the paused network.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QRadioButton, QScrollArea, QSpinBox, QSplitter, QVBoxLayout)

from nnplay.core.backprop import (NEXT, POINT, Trace, apply, apply_problem, nearest_training_point, next_batch,
                                  next_batch_problem, point_batch)
from nnplay.core.backprop.batch import describe_batch
from nnplay.core.backprop.notation import column_of, columns, number
from nnplay.core.backprop.step import PHASE_TITLES, Focus, is_small
from nnplay.core.backprop.steps import build_steps, revealed
from nnplay.core.features import LABELS
from nnplay.core.report import describe_stop
from nnplay.gui import messages
from nnplay.gui.backprop.diagram import NetworkDiagram
from nnplay.gui.backprop.step_view import StepView

DONE, TODO = Qt.GlobalColor.black, Qt.GlobalColor.gray
APPLY_TIP = ("Make this update in the real run. The next mini-batch's is the run's own next update, so "
             "training goes on from it; a point's is one step of the run's optimizer on that point. "
             "Edit ▸ Undo takes it back.")


class BackpropDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("backpropDialog")
        self.setModal(False)
        self.window_ = window
        self.document = window.document
        self.trace: Trace | None = None
        self.steps = []
        self.position = 0
        self.mode = NEXT
        self.point = 0
        self.focus = Focus()
        self._stale = False
        self._applying = False
        self._rows: list[int | None] = []  #: the step at each row of the list (None: a phase's title)
        self._build()
        self._connect()
        self.resize(1480, 820)

    # ---- building
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_choice())
        layout.addWidget(self._build_body(), 1)
        layout.addLayout(self._build_buttons())

    def _build_choice(self) -> QHBoxLayout:
        """What to trace: the next mini-batch, or a training point."""
        self.next_radio = QRadioButton("The run's next mini-batch")
        self.next_radio.setObjectName("backpropNextBatchRadio")
        self.next_radio.setToolTip("Trace the update the run makes next: its batch, its input noise and dropout "
                                   "masks, so Apply is exactly that update and training goes on from it.")
        self.point_radio = QRadioButton("Training point")
        self.point_radio.setObjectName("backpropPointRadio")
        self.point_radio.setToolTip("Trace one training point alone: click it on the plot, or type its number.")
        self.modes = QButtonGroup(self)
        self.modes.addButton(self.next_radio)
        self.modes.addButton(self.point_radio)
        self.next_radio.setChecked(True)
        self.point_spin = QSpinBox()
        self.point_spin.setObjectName("backpropPointSpin")
        self.point_spin.setToolTip("The training point's number (they count from 1).")
        self.batch_label = messages.plain_label(QLabel())
        self.batch_label.setObjectName("backpropBatchLabel")
        self.batch_label.setStyleSheet("color: #444;")
        hint = QLabel("(or click one on the plot)")
        hint.setStyleSheet("color: #666;")
        row = QHBoxLayout()
        for widget in (self.next_radio, self.point_radio, self.point_spin, hint):
            row.addWidget(widget)
        row.addSpacing(16)
        row.addWidget(self.batch_label, 1)
        return row

    def _build_body(self) -> QSplitter:
        """The steps, the diagram, the current step's numbers."""
        self.step_list = QListWidget()
        self.step_list.setObjectName("backpropStepList")
        self.step_list.setToolTip("The steps in the chapters' order; click one to go straight to it.")
        self.step_list.setWordWrap(True)
        self.diagram = NetworkDiagram()
        self.diagram_scroll = QScrollArea()
        self.diagram_scroll.setObjectName("backpropDiagramScroll")
        self.diagram_scroll.setWidgetResizable(True)
        self.diagram_scroll.setWidget(self.diagram)
        self.step_view = StepView()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("backpropSplitter")
        for widget in (self.step_list, self.diagram_scroll, self.step_view):
            splitter.addWidget(widget)
        splitter.setSizes([230, 790, 460])
        splitter.setStretchFactor(1, 1)
        return splitter

    def _build_buttons(self) -> QHBoxLayout:
        self.example_label = QLabel("Example")
        self.example_spin = QSpinBox()
        self.example_spin.setObjectName("backpropExampleSpin")
        self.example_spin.setToolTip("Which example of the batch the diagram and the worked lines show.")
        self.precise_check = QCheckBox("All digits")
        self.precise_check.setObjectName("backpropPreciseCheck")
        self.precise_check.setToolTip("Show every digit of every number (the float's exact decimal form).")
        self.status = messages.plain_label(QLabel())
        self.status.setObjectName("backpropStatus")
        self.status.setWordWrap(True)
        self.back_button = QPushButton("◀ &Back")
        self.back_button.setObjectName("backpropBackButton")
        self.next_button = QPushButton("&Next ▶")
        self.next_button.setObjectName("backpropNextButton")
        self.next_button.setDefault(True)
        self.apply_button = QPushButton("&Apply")
        self.apply_button.setObjectName("backpropApplyButton")
        self.apply_button.setToolTip(APPLY_TIP)
        close = QPushButton("Close")
        close.setObjectName("backpropCloseButton")
        close.clicked.connect(self.close)
        row = QHBoxLayout()
        for widget in (self.example_label, self.example_spin, self.precise_check):
            row.addWidget(widget)
        row.addWidget(self.status, 1)
        for widget in (self.back_button, self.next_button, self.apply_button, close):
            row.addWidget(widget)
        return row

    def _connect(self) -> None:
        self.next_radio.toggled.connect(self._on_mode)
        self.point_spin.valueChanged.connect(self._on_point_spin)
        self.step_list.currentRowChanged.connect(self._on_row)
        self.back_button.clicked.connect(lambda: self.go(self.position - 1))
        self.next_button.clicked.connect(lambda: self.go(self.position + 1))
        self.apply_button.clicked.connect(self.apply_update)
        self.example_spin.valueChanged.connect(self._on_example)
        self.precise_check.toggled.connect(self._on_precise)
        self.diagram.unitClicked.connect(self.follow_unit)
        self.diagram.linkClicked.connect(self._on_link)
        self.step_view.unitChosen.connect(self._on_table_unit)
        for signal in (self.document.rebuilt, self.document.settingsChanged, self.document.weightsChanged):
            signal.connect(self.network_changed)
        # a stop request ends the run only after the update in progress: trace on 'stopped'
        self.window_.runner.runningChanged.connect(lambda _running: self.network_changed())
        self.window_.runner.stopped.connect(lambda _snapshot: self.network_changed())
        self.window_.boundary.pickRequested.connect(self.pick_at)

    # ---- what to trace
    @property
    def experiment(self):
        return self.document.experiment

    def trace_again(self, keep_step: bool = True) -> None:
        """Trace the chosen batch on the network as it is now."""
        trainer = self.experiment.trainer
        self._stale = False
        n = len(trainer.data.x_train)
        self.point_spin.blockSignals(True)
        self.point_spin.setRange(1, max(n, 1))
        self.point_spin.setValue(min(self.point, max(n - 1, 0)) + 1)
        self.point_spin.blockSignals(False)
        problem = next_batch_problem(trainer)
        if n == 0:
            self._no_trace("There are no training points to trace: add some by clicking the plot, or pick a data set.")
            return
        if self.mode == NEXT and problem:
            self.mode = POINT
            self.point_radio.setChecked(True)
            self.show_status(problem)
        self.point = min(self.point, n - 1)
        batch = next_batch(trainer) if self.mode == NEXT else point_batch(trainer, self.point)
        titles = [step.title for step in self.steps]
        self.trace = Trace(trainer, batch)
        self.steps = build_steps(self.experiment, self.trace)
        same = keep_step and titles == [step.title for step in self.steps]
        if titles != [step.title for step in self.steps]:  # another shape: the chosen units may be gone
            self.focus.units.clear()
            self.focus.column = None
        self.batch_label.setText(describe_batch(batch, trainer))
        self.diagram.set_trace(self.trace, columns(self.trace.network),
                               [LABELS.get(f, f) for f in self.experiment.config.features],
                               is_small(self.trace.network))
        self._fill_step_list()
        self.example_spin.blockSignals(True)
        self.example_spin.setRange(1, len(batch))
        self.example_spin.blockSignals(False)
        self.focus.example = min(self.focus.example, len(batch) - 1)
        for widget in (self.example_label, self.example_spin):
            widget.setVisible(len(batch) > 1)
        self._mark_points()
        self.go(self.position if same else 0)
        if titles and not same and keep_step:
            self.show_status("The network changed shape: the steps start again from the input.")

    def _no_trace(self, text: str) -> None:
        self.trace, self.steps = None, []
        self.step_list.clear()
        self.show_status(text)
        for button in (self.back_button, self.next_button, self.apply_button):
            button.setEnabled(False)

    def _fill_step_list(self) -> None:
        self.step_list.blockSignals(True)
        self.step_list.clear()
        self._rows = []
        phase = None
        for position, step in enumerate(self.steps):
            if step.phase != phase:
                phase = step.phase
                header = QListWidgetItem(PHASE_TITLES[phase])
                header.setFlags(Qt.ItemFlag.NoItemFlags)
                font = header.font()
                font.setBold(True)
                header.setFont(font)
                self.step_list.addItem(header)
                self._rows.append(None)
            self.step_list.addItem(QListWidgetItem("   " + step.title))
            self._rows.append(position)
        self.step_list.blockSignals(False)

    def _row_of(self, position: int) -> int:
        return self._rows.index(position)

    def _on_row(self, row: int) -> None:
        position = self._rows[row] if 0 <= row < len(self._rows) else None
        if position is not None and position != self.position:
            self.go(position)

    def _on_mode(self, next_checked: bool) -> None:
        self.mode = NEXT if next_checked else POINT
        if self.isVisible():
            self.trace_again(keep_step=True)

    def _on_point_spin(self, value: int) -> None:
        self.point = value - 1
        if self.mode != POINT:
            self.point_radio.setChecked(True)  # traces through _on_mode
        else:
            self.trace_again(keep_step=True)

    def pick_at(self, x: float, y: float) -> None:
        """A click on the plot: trace the training point there."""
        index = nearest_training_point(self.experiment.split.train, x, y)
        if index is None:
            self.show_status("No training point there: click on one of the circles (diamonds are validation points, "
                             "which never train).")
            return
        self.point = index
        self.show_status(f"Picked training point {index + 1}.")
        if self.mode != POINT:
            self.point_radio.setChecked(True)
        else:
            self.trace_again(keep_step=True)

    def _mark_points(self) -> None:
        train = self.experiment.split.train
        indices = self.trace.batch.indices if self.trace is not None else []
        self.window_.boundary.mark_points(train.x[indices], train.y[indices])

    # ---- stepping
    def go(self, position: int) -> None:
        if not self.steps:
            return
        self.position = max(0, min(position, len(self.steps) - 1))
        self.step_list.blockSignals(True)
        self.step_list.setCurrentRow(self._row_of(self.position))
        for p in range(len(self.steps)):
            self.step_list.item(self._row_of(p)).setForeground(DONE if p <= self.position else TODO)
        self.step_list.blockSignals(False)
        layer = self.steps[self.position].layer
        if layer is not None:  # the diagram follows the unit the step is about
            self.focus.column = column_of(self.trace.network, layer)
        self.back_button.setEnabled(self.position > 0)
        self.next_button.setEnabled(self.position < len(self.steps) - 1)
        self._show()

    def _show(self) -> None:
        step = self.steps[self.position]
        numbers = step.show(self.focus)
        unit = None
        if step.layer is not None:
            column = column_of(self.trace.network, step.layer)
            unit = self.focus.unit(column, self.trace.network.layers[step.layer].n_outputs)
        self.step_view.show_step(step, self.position, len(self.steps), numbers, unit, self.focus.precise)
        self.diagram.set_view(revealed(self.steps, self.position), set(step.keys), self.focus, step.phase)
        self._update_apply()

    def _update_apply(self) -> None:
        problem = apply_problem(self.experiment.trainer, self.trace) if self.trace is not None else "nothing traced"
        running = self.window_.runner.busy
        self.apply_button.setEnabled(problem is None and not running and not self._stale)
        self.apply_button.setToolTip(problem or APPLY_TIP)

    # ---- what the user looks at
    def follow_unit(self, column: int, unit: int) -> None:
        self.focus.units[column] = unit
        self.focus.column = column
        if self.steps:
            self._show()

    def _on_link(self, layer: int, k: int, j: int) -> None:
        self.focus.units[column_of(self.trace.network, layer - 1)] = k
        self.follow_unit(layer, j)

    def _on_table_unit(self, unit: int) -> None:
        step = self.steps[self.position]
        if step.layer is not None:
            self.follow_unit(column_of(self.trace.network, step.layer), unit)

    def _on_example(self, value: int) -> None:
        self.focus.example = value - 1
        if self.steps:
            self._show()

    def _on_precise(self, precise: bool) -> None:
        self.focus.precise = precise
        if self.steps:
            self._show()

    # ---- the run
    def network_changed(self) -> None:
        """Follow the network: trace again once it stands still; say so while it trains."""
        if not self.isVisible() or self._applying:
            return
        if self.window_.runner.busy:
            self._stale = True
            trainer = self.experiment.trainer
            self.show_status(f"Training is running: these numbers are those of the network as it was. "
                             f"Pause (Space) to follow it (now at epoch {trainer.epoch}).")
            self._update_apply()
            return
        if self.trace is None or self._stale or not self.trace.is_current(self.experiment.trainer):
            was_stale = self._stale
            self.trace_again(keep_step=True)
            if was_stale:
                self.show_status("Training paused: the numbers follow the network as it is now.")

    def apply_update(self) -> None:
        """Make the traced update in the run, as one undoable step."""
        self.window_.stop_training()
        trace, trainer = self.trace, self.experiment.trainer
        problem = apply_problem(trainer, trace) if trace is not None else "Nothing is traced."
        if problem:
            self.show_status(problem)
            return
        before = trace.values["loss.J"]
        what = "next mini-batch" if trace.batch.kind == NEXT else f"training point {trace.batch.indices[0] + 1}"
        self.trace = None  # whatever happens, these numbers are no longer the network's
        self._applying = True
        try:
            applied = self.document.change_run(f"Backprop update ({what})", lambda exp: apply(exp.trainer, trace))
        finally:
            self._applying = False
        self.trace_again(keep_step=False)
        if applied.updates == 0:
            self.show_status("The run stopped before the update: "
                             + describe_stop(trainer, applied.stop_reason, self.experiment.config) + ".")
        elif trace.batch.kind == POINT:
            self.show_status(f"Applied. J on this point went from {number(before)} to "
                             f"{number(self.trace.values['loss.J'])}; Apply again for another step.")
        else:
            self.show_status(f"Applied: the run made update {trainer.update_in_epoch} of {trainer.updates_per_epoch} "
                             f"in epoch {trainer.epoch + 1}. The next one is traced now.")

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    # ---- showing and hiding
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.setWindowTitle(f"Step through back-propagation — {messages.window_title(self.document.title)}")
        self.window_.boundary.set_picking(True)
        if self.trace is None or not self.trace.is_current(self.experiment.trainer):
            self.trace_again(keep_step=False)
        if not self.status.text():
            self.show_status("Next (Enter) fills in the next step; click a unit on the diagram to follow it.")

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.window_.boundary.set_picking(False)
        self.window_.boundary.mark_points(None)


