"""The Training panel: loss, optimizer and its settings, learning-rate schedule,
batches, regularization (L1, L2, input noise, early stopping), epochs and seed, and
unsupervised pre-training.

Every list and every control comes from the registries and the settings' declarations:
a registered optimizer appears in the list with its formula, help and settings."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton, QVBoxLayout,
    QWidget,
)

from nnplay.core.advice import TASK_WORDS, choose_loss, loss_choice_text, pairing_notice
from nnplay.core.config import DEFAULT_PATIENCE, EarlyStoppingConfig, NetworkConfig, PretrainingConfig, TrainingConfig
from nnplay.core.losses import LOSSES
from nnplay.core.pretraining_progress import RACE_HELP
from nnplay.core.optimizers import OPTIMIZERS
from nnplay.core.schedules import SCHEDULES, Schedule
from nnplay.core.settings import setting_at
from nnplay.gui.panels.bindings import control, plain
from nnplay.gui.panels.panel import Panel
from nnplay.gui.panels.widgets import NoticeRow, blocked, group, guard_wheel, select_data

STOCHASTIC, MINI_BATCH, FULL_BATCH = 0, 1, 2

BATCH_HELP = (
    "How many examples each weight update averages its gradient over.\n"
    "• Stochastic (1): one example per update — starts moving at once, but each step is noisy.\n"
    "• Mini-batch (N): the usual compromise; most software works this way.\n"
    "• Full batch: the whole training set per update — the exact gradient, but one step per epoch.\n"
    "Each epoch visits the training set once in a fresh random order."
)


def _form(box) -> QFormLayout:
    form = QFormLayout(box)
    form.setContentsMargins(6, 4, 6, 4)
    form.setVerticalSpacing(3)
    form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
    return form


def _combo(name: str, length: int) -> QComboBox:
    combo = QComboBox(objectName=name)
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setIconSize(QSize(0, 0))  # no icons: narrower
    combo.setMinimumContentsLength(length)
    return combo


def _formula_label(name: str) -> QLabel:
    formula = QLabel(objectName=name)
    formula.setTextFormat(Qt.RichText)
    formula.setStyleSheet("color: #444;")  # no word wrap: long formulas carry their own <br>
    formula.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # never widens the panel
    return formula


def entry_help(cls) -> str:
    """A registry entry's tooltip: its help, formula, starting values and the chapters' notes."""
    text = cls.help
    if cls.formula:
        text += f"\n\n{plain(cls.formula)}"
    if cls.settings:
        text += "\nStarts from: " + ", ".join(f"{s.symbol or s.name} = {s.default:g}" for s in cls.settings) + "."
    return text + (f"\n\n{cls.details}" if cls.details else "")


class _EntrySettings:
    """A registry choice (optimizer, schedule) with its formula and its settings' rows, which
    are rebuilt when another entry is chosen."""

    def __init__(self, panel: "TrainingPanel", form: QFormLayout, key: str, prefix: str):
        self.panel, self.form, self.key, self.prefix = panel, form, key, prefix
        self.registry = OPTIMIZERS if key == "optimizer" else SCHEDULES
        self.formula = _formula_label(f"{key}Formula")
        self.shown: str | None = None
        self.spins: dict[str, QWidget] = {}
        self._fixed_rows = 0

    def finish_fixed_rows(self) -> None:
        self.form.addRow(self.formula)
        self._fixed_rows = self.form.rowCount()

    def refresh(self, config: NetworkConfig, combo: QComboBox) -> None:
        chosen = getattr(config, self.key)
        cls = self.registry.get(chosen.name)
        if cls.name != self.shown:
            with blocked(combo):
                select_data(combo, cls.name)
            self._rebuild(cls)
            combo.setToolTip(entry_help(cls))
            self.formula.setText(cls.formula)
            self.shown = cls.name

    def _rebuild(self, cls) -> None:
        self.panel.bindings.forget(self.spins.values())
        while self.form.rowCount() > self._fixed_rows:
            self.form.removeRow(self.form.rowCount() - 1)
        self.spins = {}
        for spec in cls.settings:
            name = self.prefix.format(spec.name, spec.name.title())
            self.spins[spec.name] = self.panel.bindings.bind(
                self.form, spec, name, read=lambda c, k=spec.name: self._values(c)[k],
                write=lambda c, v, k=spec.name: self._write(c, k, v), undo_text=self._undo_text(spec))

    def _undo_text(self, spec) -> str:
        return spec.label if self.key == "optimizer" else f"Schedule {spec.label.lower()}"

    def _values(self, config: NetworkConfig) -> dict:
        chosen = getattr(config, self.key)
        return self.registry.get(chosen.name).resolve(chosen.settings)

    def _write(self, config: NetworkConfig, key: str, value) -> None:
        getattr(config, self.key).settings = {**self._values(config), key: value}


class TrainingPanel(Panel):
    """How the network is trained. Learning rate, the optimizer's other settings, L1 and
    L2 are live: they apply at once, even while training runs."""

    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.setObjectName("trainingPanel")
        self._task_shown: tuple | None = None
        self._last_mini_batch = 32
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        #: the pre-training settings the controls show while it is off (the last ones used)
        self._pretraining_shown = PretrainingConfig()
        for build in (self._build_loss, self._build_optimizer, self._build_schedule, self._build_batches,
                      self._build_regularization, self._build_pretraining):
            outer.addWidget(build())
        document.settingsChanged.connect(self.refresh)
        self.refresh()

    @property
    def optimizer_spins(self) -> dict[str, QWidget]:
        return self._optimizer.spins

    @property
    def schedule_spins(self) -> dict[str, QWidget]:
        return self._schedule.spins

    # ---- building
    def _build_loss(self) -> QWidget:
        box = group("Loss", setting_at(NetworkConfig, "loss").help, "lossGroup")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(6, 4, 6, 4)
        self.loss_combo = _combo("lossCombo", 12)
        layout.addWidget(self.loss_combo)
        self.pairing_warning = NoticeRow("lossPairingWarning", "warning")
        layout.addWidget(self.pairing_warning)
        self.loss_combo.currentIndexChanged.connect(self._on_loss)
        return box

    def _entry_combo(self, name: str, registry, length: int) -> QComboBox:
        combo = _combo(name, length)
        for cls in registry.entries():
            combo.addItem(cls.title or cls.name, cls.name)
            combo.setItemData(combo.count() - 1, entry_help(cls), Qt.ToolTipRole)
        return combo

    def _build_optimizer(self) -> QWidget:
        box = group("Optimizer", setting_at(NetworkConfig, "optimizer.name").help, "optimizerGroup")
        form = _form(box)
        self._optimizer = _EntrySettings(self, form, "optimizer", "{0}Spin")
        self.optimizer_combo = self._entry_combo("optimizerCombo", OPTIMIZERS, 10)
        self.defaults_button = QPushButton("Defaults", objectName="optimizerDefaultsButton")
        self.defaults_button.setToolTip("Put this optimizer's settings back to their usual values.")
        row = QHBoxLayout()
        row.addWidget(self.optimizer_combo, 1)
        row.addWidget(self.defaults_button)
        form.addRow(row)
        self._optimizer.finish_fixed_rows()
        self.optimizer_formula = self._optimizer.formula
        self.optimizer_combo.currentIndexChanged.connect(self._on_optimizer)
        self.defaults_button.clicked.connect(self._on_optimizer_defaults)
        return box

    def _build_schedule(self) -> QWidget:
        why = f"\n\n{Schedule.details}"
        box = group("Learning-rate schedule", setting_at(NetworkConfig, "schedule.name").help + why,
                    "scheduleGroup")
        form = _form(box)
        self._schedule = _EntrySettings(self, form, "schedule", "schedule{1}Spin")
        self.schedule_combo = self._entry_combo("scheduleCombo", SCHEDULES, 8)
        form.addRow(self.schedule_combo)
        self._schedule.finish_fixed_rows()
        self.schedule_formula = self._schedule.formula
        self.schedule_combo.currentIndexChanged.connect(self._on_schedule)
        return box

    def _build_batches(self) -> QWidget:
        box = group("Batches and epochs", BATCH_HELP, "batchGroup")
        form = _form(box)
        self.batch_mode_combo = _combo("batchModeCombo", 8)
        for text, mode in (("Stochastic (1)", STOCHASTIC), ("Mini-batch", MINI_BATCH), ("Full batch", FULL_BATCH)):
            self.batch_mode_combo.addItem(text, mode)
        self.batch_mode_combo.setToolTip(BATCH_HELP)
        self.batch_size_spin = self.bindings.add(None, "training.batch_size", "batchSizeSpin",
                                                 read=self._batch_size_shown, undo_text="Batch size")
        row = QHBoxLayout()
        row.addWidget(self.batch_mode_combo, 1)
        row.addWidget(self.batch_size_spin)
        form.addRow("Batch", row)
        self.epochs_spin = self.bindings.add(form, "training.epochs", "epochsSpin")
        self.seed_spin = self.bindings.add(form, "training.seed", "trainingSeedSpin", undo_text="Training seed")
        self.batch_mode_combo.currentIndexChanged.connect(self._on_batch_mode)
        return box

    def _build_regularization(self) -> QWidget:
        box = group("Regularization", "Ways to keep the network from overfitting the training data.",
                    "regularizationGroup")
        form = _form(box)
        self.l2_spin = self.bindings.add(form, "training.l2", "l2Spin", undo_text="L2 weight decay")
        self.l1_spin = self.bindings.add(form, "training.l1", "l1Spin", undo_text="L1 penalty")
        self.noise_spin = self.bindings.add(form, "training.input_noise", "inputNoiseSpin", undo_text="Input noise")
        self.early_check = QCheckBox("Early stopping", objectName="earlyStoppingCheck")
        self.early_check.setToolTip(EarlyStoppingConfig.help)
        patience = setting_at(NetworkConfig, "training.early_stopping.patience")
        self.patience_spin = control(patience, "patienceSpin")
        self.patience_spin.setPrefix(patience.label)
        self.patience_spin.setValue(DEFAULT_PATIENCE)
        self.restore_check = control(setting_at(NetworkConfig, "training.early_stopping.restore_best"),
                                     "restoreBestCheck")
        self.restore_check.setChecked(True)
        form.addRow(self.early_check, self.patience_spin)
        form.addRow(self.restore_check)
        self.early_check.toggled.connect(self._on_early_stopping)
        self.patience_spin.valueChanged.connect(self._on_early_stopping)
        self.restore_check.toggled.connect(self._on_early_stopping)
        return box

    def _build_pretraining(self) -> QWidget:
        box = group("Pre-training", PretrainingConfig.help, "pretrainingGroup")
        form = _form(box)
        self.pretraining_check = QCheckBox("Pre-train the hidden layers first", objectName="pretrainingCheck")
        self.pretraining_check.setToolTip(PretrainingConfig.help)
        form.addRow(self.pretraining_check)
        self.pretraining_controls = {
            name: self.bindings.add(form, f"training.pretraining.{name}", widget,
                                    read=lambda c, n=name: getattr(self._pretraining_of(c), n),
                                    write=lambda c, v, n=name: self._set_pretraining(c, n, v),
                                    undo_text=f"Pre-training {label}")
            for name, widget, label in (("epochs", "pretrainingEpochsSpin", "epochs"),
                                        ("decoder", "pretrainingDecoderCombo", "decoder"),
                                        ("decoder_activation", "pretrainingActivationCombo", "decoder activation"),
                                        ("noise", "pretrainingNoiseSpin", "noise"))}
        note = QLabel("Runs once, before epoch 1, when training starts from epoch 0; "
                      "then the whole network trains from the pre-trained weights. Reset pre-trains again.",
                      objectName="pretrainingNote")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        form.addRow(note)
        # the main window's Training ▸ Race With and Without Pre-training (``set_race_action``)
        self.pretraining_race_button = QToolButton(objectName="pretrainingRaceButton")
        self.pretraining_race_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.pretraining_race_button.setToolTip(RACE_HELP)  # until the action's own
        self.pretraining_race_button.hide()
        form.addRow(self.pretraining_race_button)
        self.pretraining_check.toggled.connect(self._on_pretraining)
        return box

    def set_race_action(self, action: QAction) -> None:
        """The button runs ``action``, and is enabled and explained as it is."""
        self.pretraining_race_button.setDefaultAction(action)
        self.pretraining_race_button.show()

    def _pretraining_of(self, config: NetworkConfig) -> PretrainingConfig:
        return config.training.pretraining or self._pretraining_shown

    @staticmethod
    def _set_pretraining(config: NetworkConfig, name: str, value) -> None:
        if config.training.pretraining is not None:
            setattr(config.training.pretraining, name, value)

    # ---- model → widgets
    def refresh(self) -> None:
        config = self.document.config
        self._refresh_loss(config)
        self._optimizer.refresh(config, self.optimizer_combo)
        optimizer = OPTIMIZERS.get(config.optimizer.name)
        self.defaults_button.setEnabled(optimizer.resolve(config.optimizer.settings) != optimizer.defaults)
        self._schedule.refresh(config, self.schedule_combo)
        self.bindings.refresh(config)
        mode = self._batch_mode(config.training)
        if mode == MINI_BATCH:
            self._last_mini_batch = config.training.batch_size
        with blocked(self.batch_mode_combo):
            select_data(self.batch_mode_combo, mode)
        self.batch_size_spin.setEnabled(mode == MINI_BATCH)
        self._refresh_early_stopping(config.training.early_stopping)
        self._refresh_pretraining(config.training.pretraining)
        guard_wheel(self)  # rows may be new

    @staticmethod
    def _batch_mode(training: TrainingConfig) -> int:
        size = training.batch_size
        return STOCHASTIC if size == 1 else FULL_BATCH if size <= 0 else MINI_BATCH

    def _batch_size_shown(self, config: NetworkConfig) -> int:
        if config.training.batch_size <= 0:
            return len(self.document.experiment.split.train)
        return config.training.batch_size

    def _refresh_early_stopping(self, stopping: EarlyStoppingConfig | None) -> None:
        with blocked(self.early_check, self.patience_spin, self.restore_check):
            self.early_check.setChecked(stopping is not None)
            if stopping is not None:
                self.patience_spin.setValue(stopping.patience)
                self.restore_check.setChecked(stopping.restore_best)
        self.patience_spin.setEnabled(stopping is not None)
        self.restore_check.setEnabled(stopping is not None)

    def _refresh_pretraining(self, settings: PretrainingConfig | None) -> None:
        if settings is not None:
            self._pretraining_shown = dataclasses.replace(settings)
        with blocked(self.pretraining_check):
            self.pretraining_check.setChecked(settings is not None)
        for widget in self.pretraining_controls.values():
            widget.setEnabled(settings is not None)

    def _refresh_loss(self, config: NetworkConfig) -> None:
        output = config.output_layer.activation if config.output_layer is not None else None
        key = (config.task, config.loss, output)
        if key != self._task_shown:
            with blocked(self.loss_combo):
                self._fill_losses(config)
                select_data(self.loss_combo, config.loss)
            self._task_shown = key
        loss = LOSSES.get(config.loss)
        self.loss_combo.setToolTip(
            f"{loss.help}\n\n{plain(loss.formula)}\n\nThe chapters pair it with a {loss.output} output unit. "
            f"Only the losses that suit {TASK_WORDS[config.task]} data are listed."
        )
        self.pairing_warning.present(pairing_notice(config), self.document)

    def _fill_losses(self, config: NetworkConfig) -> None:
        self.loss_combo.clear()
        for loss in LOSSES.entries():
            fits = config.task in loss.tasks
            if not fits and loss.name != config.loss:
                continue
            self.loss_combo.addItem(loss_choice_text(loss.name, config), loss.name)
            self.loss_combo.setItemData(self.loss_combo.count() - 1, f"{loss.help}\n\n{plain(loss.formula)}",
                                        Qt.ToolTipRole)

    # ---- widgets → model
    def _on_loss(self, _index: int) -> None:
        name = self.loss_combo.currentData()
        if name:
            self.edit(f"Loss {name}", lambda c: choose_loss(c, name))

    def _on_optimizer(self, _index: int) -> None:
        cls = OPTIMIZERS.get(self.optimizer_combo.currentData())

        def change(c: NetworkConfig) -> None:
            c.optimizer.name = cls.name
            c.optimizer.settings = dict(cls.defaults)  # each optimizer starts at SPEC's values

        self.edit(f"Optimizer {cls.title}", change)

    def _on_optimizer_defaults(self) -> None:
        defaults = OPTIMIZERS.get(self.document.config.optimizer.name).defaults
        self.edit("Optimizer defaults", lambda c: setattr(c.optimizer, "settings", dict(defaults)))

    def _on_schedule(self, _index: int) -> None:
        cls = SCHEDULES.get(self.schedule_combo.currentData())

        def change(c: NetworkConfig) -> None:
            c.schedule.name = cls.name
            c.schedule.settings = dict(cls.defaults)

        self.edit(f"Schedule {cls.title}", change)

    def _on_batch_mode(self, _index: int) -> None:
        mode = self.batch_mode_combo.currentData()
        size = {STOCHASTIC: 1, FULL_BATCH: 0}.get(mode, self._last_mini_batch)
        if mode == MINI_BATCH and size <= 1:
            size = TrainingConfig().batch_size
        self.edit("Batch size", lambda c: setattr(c.training, "batch_size", size))

    def _on_pretraining(self, on: bool) -> None:
        settings = dataclasses.replace(self._pretraining_shown) if on else None
        self.edit("Pre-training " + ("on" if on else "off"),
                  lambda c: setattr(c.training, "pretraining", settings))

    def _on_early_stopping(self, *_args) -> None:
        rule = (EarlyStoppingConfig(self.patience_spin.value(), self.restore_check.isChecked())
                if self.early_check.isChecked() else None)
        self.edit("Early stopping", lambda c: setattr(c.training, "early_stopping", rule))
