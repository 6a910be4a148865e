"""The Training panel: loss, optimizer and its settings, learning-rate schedule,
batches, regularization (L1, L2, input noise, early stopping), epochs and seed."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nnplay.core.config import EarlyStoppingConfig, NetworkConfig
from nnplay.core.losses import LOSSES
from nnplay.core.optimizers import OPTIMIZERS, canonical_hyper
from nnplay.core.schedules import SCHEDULES
from nnplay.gui.panels import notes
from nnplay.gui.panels.widgets import DecaySpinBox, LogSpinBox, NoticeRow, Panel, blocked, group, guard_wheel, select_data

STOCHASTIC, MINI_BATCH, FULL_BATCH = 0, 1, 2


def _form(box) -> QFormLayout:
    form = QFormLayout(box)
    form.setContentsMargins(6, 4, 6, 4)
    form.setVerticalSpacing(3)
    form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
    return form


def _formula_label(name: str) -> QLabel:
    label = QLabel(objectName=name)
    label.setTextFormat(Qt.RichText)
    label.setStyleSheet("color: #444;")  # no word wrap: long formulas carry their own <br>
    label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # never widens the panel
    return label


class TrainingPanel(Panel):
    """How the network is trained. Learning rate, the optimizer's other settings, L1 and
    L2 are live: they apply at once, even while training runs."""

    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.setObjectName("trainingPanel")
        self._optimizer_shown: str | None = None
        self._schedule_shown: str | None = None
        self._task_shown: tuple | None = None
        self.optimizer_spins: dict[str, QDoubleSpinBox] = {}
        self.schedule_spins: dict[str, QWidget] = {}
        self._last_mini_batch = 32

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)

        # ---- loss
        loss_box = group("Loss", "What training minimizes: the mean of the loss over the batch, plus the "
                         "penalties below.", "lossGroup")
        loss_layout = QVBoxLayout(loss_box)
        loss_layout.setContentsMargins(6, 4, 6, 4)
        self.loss_combo = QComboBox(objectName="lossCombo")
        self.loss_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.loss_combo.setIconSize(QSize(0, 0))  # no icons: narrower
        self.loss_combo.setMinimumContentsLength(12)
        loss_layout.addWidget(self.loss_combo)
        self.pairing_warning = NoticeRow("lossPairingWarning", "warning")
        loss_layout.addWidget(self.pairing_warning)
        outer.addWidget(loss_box)
        self.loss_combo.currentIndexChanged.connect(self._on_loss)

        # ---- optimizer
        opt_box = group("Optimizer", "How the gradient g of the objective becomes a weight update.",
                        "optimizerGroup")
        self.optimizer_form = _form(opt_box)
        row = QHBoxLayout()
        self.optimizer_combo = QComboBox(objectName="optimizerCombo")
        self.optimizer_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.optimizer_combo.setIconSize(QSize(0, 0))  # no icons: narrower
        self.optimizer_combo.setMinimumContentsLength(10)
        for name in OPTIMIZERS.names():
            self.optimizer_combo.addItem(notes.OPTIMIZER_NAMES.get(name, name), name)
            self.optimizer_combo.setItemData(self.optimizer_combo.count() - 1, self._optimizer_help(name),
                                             Qt.ToolTipRole)
        self.defaults_button = QPushButton("Defaults", objectName="optimizerDefaultsButton")
        self.defaults_button.setToolTip("Put this optimizer's settings back to their usual values.")
        row.addWidget(self.optimizer_combo, 1)
        row.addWidget(self.defaults_button)
        self.optimizer_form.addRow(row)
        self.optimizer_formula = _formula_label("optimizerFormula")
        self.optimizer_form.addRow(self.optimizer_formula)
        self._fixed_optimizer_rows = self.optimizer_form.rowCount()
        outer.addWidget(opt_box)
        self.optimizer_combo.currentIndexChanged.connect(self._on_optimizer)
        self.defaults_button.clicked.connect(self._on_optimizer_defaults)

        # ---- schedule
        sched_box = group("Learning-rate schedule", "How η changes with the epoch e." + notes.SCHEDULE_WHY,
                          "scheduleGroup")
        self.schedule_form = _form(sched_box)
        self.schedule_combo = QComboBox(objectName="scheduleCombo")
        self.schedule_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.schedule_combo.setIconSize(QSize(0, 0))  # no icons: narrower
        self.schedule_combo.setMinimumContentsLength(8)
        for name in SCHEDULES.names():
            self.schedule_combo.addItem(notes.SCHEDULE_NAMES.get(name, name), name)
            self.schedule_combo.setItemData(self.schedule_combo.count() - 1,
                                            SCHEDULES.get(name).help + notes.SCHEDULE_WHY, Qt.ToolTipRole)
        self.schedule_formula = _formula_label("scheduleFormula")
        self.schedule_form.addRow(self.schedule_combo)
        self.schedule_form.addRow(self.schedule_formula)
        self._fixed_schedule_rows = self.schedule_form.rowCount()
        outer.addWidget(sched_box)
        self.schedule_combo.currentIndexChanged.connect(self._on_schedule)

        # ---- batches and epochs
        batch_box = group("Batches and epochs", notes.BATCH_HELP, "batchGroup")
        form = _form(batch_box)
        row = QHBoxLayout()
        self.batch_mode_combo = QComboBox(objectName="batchModeCombo")
        self.batch_mode_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.batch_mode_combo.setIconSize(QSize(0, 0))  # no icons: narrower
        self.batch_mode_combo.setMinimumContentsLength(8)
        self.batch_mode_combo.addItem("Stochastic (1)", STOCHASTIC)
        self.batch_mode_combo.addItem("Mini-batch", MINI_BATCH)
        self.batch_mode_combo.addItem("Full batch", FULL_BATCH)
        self.batch_mode_combo.setToolTip(notes.BATCH_HELP)
        self.batch_size_spin = QSpinBox(objectName="batchSizeSpin")
        self.batch_size_spin.setRange(1, 100_000)
        self.batch_size_spin.setKeyboardTracking(False)
        self.batch_size_spin.setToolTip("Examples per update (mini-batch size K). 1 is stochastic gradient "
                                        "descent; the whole training set is batch gradient descent.")
        row.addWidget(self.batch_mode_combo, 1)
        row.addWidget(self.batch_size_spin)
        form.addRow("Batch", row)
        self.epochs_spin = QSpinBox(objectName="epochsSpin")
        self.epochs_spin.setRange(1, 1_000_000)
        self.epochs_spin.setSingleStep(100)
        self.epochs_spin.setKeyboardTracking(False)
        self.epochs_spin.setToolTip(notes.EPOCHS_HELP)
        form.addRow("Epochs", self.epochs_spin)
        self.seed_spin = QSpinBox(objectName="trainingSeedSpin")
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setKeyboardTracking(False)
        self.seed_spin.setToolTip(notes.SEED_HELP)
        form.addRow("Seed", self.seed_spin)
        outer.addWidget(batch_box)
        self.batch_mode_combo.currentIndexChanged.connect(self._on_batch_mode)
        self.batch_size_spin.valueChanged.connect(self._on_batch_size)
        self.epochs_spin.valueChanged.connect(
            lambda v: self.edit("Epochs", lambda c: setattr(c.training, "epochs", v)))
        self.seed_spin.valueChanged.connect(
            lambda v: self.edit("Training seed", lambda c: setattr(c.training, "seed", v)))

        # ---- regularization
        reg_box = group("Regularization", "Ways to keep the network from overfitting the training data.",
                        "regularizationGroup")
        form = _form(reg_box)
        self.l2_spin = LogSpinBox(0.0, 10.0, 1e-4)
        self.l2_spin.setObjectName("l2Spin")
        self.l2_spin.setToolTip(notes.L2_HELP)
        form.addRow(self._label("L2 (weight decay) λ₂", notes.L2_HELP), self.l2_spin)
        self.l1_spin = LogSpinBox(0.0, 10.0, 1e-4)
        self.l1_spin.setObjectName("l1Spin")
        self.l1_spin.setToolTip(notes.L1_HELP)
        form.addRow(self._label("L1 λ₁", notes.L1_HELP), self.l1_spin)
        self.noise_spin = QDoubleSpinBox(objectName="inputNoiseSpin")
        self.noise_spin.setRange(0.0, 2.0)
        self.noise_spin.setSingleStep(0.05)
        self.noise_spin.setDecimals(2)
        self.noise_spin.setKeyboardTracking(False)
        self.noise_spin.setToolTip(notes.NOISE_HELP)
        form.addRow(self._label("Input noise σ", notes.NOISE_HELP), self.noise_spin)
        self.early_check = QCheckBox("Early stopping", objectName="earlyStoppingCheck")
        self.early_check.setToolTip(notes.EARLY_STOPPING_HELP)
        self.patience_spin = QSpinBox(objectName="patienceSpin")
        self.patience_spin.setRange(1, 100_000)
        self.patience_spin.setValue(20)
        self.patience_spin.setPrefix("patience ")
        self.patience_spin.setKeyboardTracking(False)
        self.patience_spin.setToolTip(notes.PATIENCE_HELP)
        self.restore_check = QCheckBox("then restore the best weights", objectName="restoreBestCheck")
        self.restore_check.setChecked(True)
        self.restore_check.setToolTip(notes.RESTORE_HELP)
        form.addRow(self.early_check, self.patience_spin)
        form.addRow(self.restore_check)
        outer.addWidget(reg_box)
        self.l2_spin.valueChanged.connect(
            lambda v: self.edit("L2 weight decay", lambda c: setattr(c.training, "l2", v)))
        self.l1_spin.valueChanged.connect(
            lambda v: self.edit("L1 penalty", lambda c: setattr(c.training, "l1", v)))
        self.noise_spin.valueChanged.connect(
            lambda v: self.edit("Input noise", lambda c: setattr(c.training, "input_noise", v)))
        self.early_check.toggled.connect(self._on_early_stopping)
        self.patience_spin.valueChanged.connect(self._on_early_stopping)
        self.restore_check.toggled.connect(self._on_early_stopping)

        document.settingsChanged.connect(self.refresh)
        self.refresh()

    @staticmethod
    def _label(text: str, tooltip: str) -> QLabel:
        label = QLabel(text)
        label.setToolTip(tooltip)
        return label

    @staticmethod
    def _optimizer_help(name: str) -> str:
        cls = OPTIMIZERS.get(name)
        defaults = ", ".join(f"{notes.SYMBOLS.get(k, k)} = {v:g}" for k, v in cls.defaults.items())
        return (f"{cls.help}\n\n{notes.plain(notes.OPTIMIZER_FORMULAS.get(name, ''))}"
                f"\nStarts from: {defaults}.{notes.OPTIMIZER_EXTRA_HELP.get(name, '')}")

    # ---- model → widgets
    def refresh(self) -> None:
        config = self.document.config
        self._refresh_loss(config)
        self._refresh_optimizer(config)
        self._refresh_schedule(config)
        training = config.training
        n_train = len(self.document.experiment.split.train)
        bs = training.batch_size
        mode = STOCHASTIC if bs == 1 else FULL_BATCH if bs <= 0 else MINI_BATCH
        if mode == MINI_BATCH:
            self._last_mini_batch = bs
        with blocked(self.batch_mode_combo, self.batch_size_spin, self.epochs_spin, self.seed_spin,
                     self.l1_spin, self.l2_spin, self.noise_spin, self.early_check, self.patience_spin,
                     self.restore_check):
            select_data(self.batch_mode_combo, mode)
            self.batch_size_spin.setValue(n_train if mode == FULL_BATCH else max(bs, 1))
            self.batch_size_spin.setEnabled(mode == MINI_BATCH)
            self.epochs_spin.setValue(training.epochs)
            self.seed_spin.setValue(training.seed)
            self.l1_spin.setValue(training.l1)
            self.l2_spin.setValue(training.l2)
            self.noise_spin.setValue(training.input_noise)
            stopping = training.early_stopping
            self.early_check.setChecked(stopping is not None)
            if stopping is not None:
                self.patience_spin.setValue(stopping.patience)
                self.restore_check.setChecked(stopping.restore_best)
        self.patience_spin.setEnabled(training.early_stopping is not None)
        self.restore_check.setEnabled(training.early_stopping is not None)
        guard_wheel(self)  # rows may be new

    def _refresh_loss(self, config: NetworkConfig) -> None:
        key = (config.task, config.loss)
        if key != self._task_shown:
            with blocked(self.loss_combo):
                self.loss_combo.clear()
                for name in LOSSES.names():
                    loss = LOSSES.get(name)
                    fits = config.task in loss.tasks
                    if not fits and name != config.loss:
                        continue
                    text = f"{notes.LOSS_NAMES.get(name, name)}  → {loss.output} output"
                    if not fits:
                        text += f"  (not for {notes.TASK_WORDS[config.task]} data)"
                    self.loss_combo.addItem(text, name)
                    self.loss_combo.setItemData(self.loss_combo.count() - 1, loss.help, Qt.ToolTipRole)
                select_data(self.loss_combo, config.loss)
            self._task_shown = key
        loss = LOSSES.get(config.loss)
        self.loss_combo.setToolTip(
            f"{loss.help}\n\nThe chapters pair it with a {loss.output} output unit. "
            f"Only the losses that suit {notes.TASK_WORDS[config.task]} data are listed."
        )
        self.pairing_warning.present(notes.pairing_notice(config), self.document)

    def _refresh_optimizer(self, config: NetworkConfig) -> None:
        name = OPTIMIZERS.canonical(config.optimizer.name)
        settings = canonical_hyper(name, config.optimizer.settings)
        if name != self._optimizer_shown:
            with blocked(self.optimizer_combo):
                select_data(self.optimizer_combo, name)
            while self.optimizer_form.rowCount() > self._fixed_optimizer_rows:
                self.optimizer_form.removeRow(self.optimizer_form.rowCount() - 1)
            self.optimizer_spins = {}
            for key in OPTIMIZERS.get(name).defaults:
                label, tip, low, high, smallest = notes.OPTIMIZER_SETTINGS[key]
                spin = DecaySpinBox(low, high) if high < 1 else LogSpinBox(low, high, smallest)
                spin.setObjectName(f"{key}Spin")
                spin.setToolTip(tip)
                spin.valueChanged.connect(lambda v, key=key, label=label: self._set_hyper(key, v, label))
                self.optimizer_form.addRow(self._label(label, tip), spin)
                self.optimizer_spins[key] = spin
            self.optimizer_combo.setToolTip(self._optimizer_help(name))
            self.optimizer_formula.setText(notes.OPTIMIZER_FORMULAS.get(name, ""))
            self._optimizer_shown = name
        for key, spin in self.optimizer_spins.items():
            with blocked(spin):
                spin.setValue(settings[key])
        self.defaults_button.setEnabled(settings != OPTIMIZERS.get(name).defaults)

    def _refresh_schedule(self, config: NetworkConfig) -> None:
        name = SCHEDULES.canonical(config.schedule.name)
        defaults = SCHEDULES.get(name).defaults
        settings = {**defaults, **config.schedule.settings}
        if name != self._schedule_shown:
            with blocked(self.schedule_combo):
                select_data(self.schedule_combo, name)
            while self.schedule_form.rowCount() > self._fixed_schedule_rows:
                self.schedule_form.removeRow(self.schedule_form.rowCount() - 1)
            self.schedule_spins = {}
            for key, default in defaults.items():
                label, tip = notes.SCHEDULE_SETTINGS.get(key, (key, ""))
                if isinstance(default, int):
                    spin = QSpinBox()
                    spin.setRange(1, 1_000_000)
                elif key == "drop" or name == "exponential":  # factors just under 1
                    spin = DecaySpinBox(0.0, 1.0)
                else:
                    spin = LogSpinBox(0.0, 100.0, 1e-3)
                spin.setKeyboardTracking(False)
                spin.setObjectName(f"schedule{key.title()}Spin")
                spin.setToolTip(tip)
                spin.valueChanged.connect(lambda v, key=key, label=label: self._set_schedule(key, v, label))
                self.schedule_form.addRow(self._label(label, tip), spin)
                self.schedule_spins[key] = spin
            self.schedule_combo.setToolTip(SCHEDULES.get(name).help + notes.SCHEDULE_WHY)
            self.schedule_formula.setText(notes.SCHEDULE_FORMULAS.get(name, ""))
            self._schedule_shown = name
        for key, spin in self.schedule_spins.items():
            with blocked(spin):
                spin.setValue(settings[key])

    # ---- widgets → model
    def _on_loss(self, _index: int) -> None:
        name = self.loss_combo.currentData()
        if name:
            self.edit(f"Loss {name}", lambda c: setattr(c, "loss", name))

    def _on_optimizer(self, _index: int) -> None:
        name = self.optimizer_combo.currentData()

        def change(c: NetworkConfig) -> None:
            c.optimizer.name = name
            c.optimizer.settings = dict(OPTIMIZERS.get(name).defaults)  # each optimizer starts at SPEC's values

        self.edit(f"Optimizer {notes.OPTIMIZER_NAMES.get(name, name)}", change)

    def _on_optimizer_defaults(self) -> None:
        name = self.document.config.optimizer.name
        self.edit("Optimizer defaults",
                   lambda c: setattr(c.optimizer, "settings", dict(OPTIMIZERS.get(name).defaults)))

    def _set_hyper(self, key: str, value: float, label: str) -> None:
        def change(c: NetworkConfig) -> None:
            c.optimizer.settings = {**canonical_hyper(c.optimizer.name, c.optimizer.settings), key: value}

        # the same text every time, so the Document merges a run of steps into one undo step
        self.edit(label, change)

    def _on_schedule(self, _index: int) -> None:
        name = self.schedule_combo.currentData()

        def change(c: NetworkConfig) -> None:
            c.schedule.name = name
            c.schedule.settings = dict(SCHEDULES.get(name).defaults)

        self.edit(f"Schedule {notes.SCHEDULE_NAMES.get(name, name)}", change)

    def _set_schedule(self, key: str, value, label: str) -> None:
        def change(c: NetworkConfig) -> None:
            c.schedule.settings = {**SCHEDULES.get(c.schedule.name).defaults, **c.schedule.settings, key: value}

        self.edit(f"Schedule {label.lower()}", change)

    def _on_batch_mode(self, _index: int) -> None:
        mode = self.batch_mode_combo.currentData()
        size = {STOCHASTIC: 1, FULL_BATCH: 0}.get(mode, self._last_mini_batch)
        if mode == MINI_BATCH and size <= 1:
            size = 32
        self.edit("Batch size", lambda c: setattr(c.training, "batch_size", size))

    def _on_batch_size(self, size: int) -> None:
        self.edit("Batch size", lambda c: setattr(c.training, "batch_size", size))

    def _on_early_stopping(self, *_args) -> None:
        rule = (EarlyStoppingConfig(self.patience_spin.value(), self.restore_check.isChecked())
                if self.early_check.isChecked() else None)
        self.edit("Early stopping", lambda c: setattr(c.training, "early_stopping", rule))
