"""The open network as the app sees it: its settings, the built experiment, its file
and its undo history.

Panels never touch the engine directly: they call ``Document.edit`` with a function
that changes a copy of the settings, and re-read ``Document.config`` when
``settingsChanged`` fires. Each edit is one ``QUndoCommand``.

Edits are sorted by what they disturb:

- *live* (learning rate and the other optimizer settings, L1, L2): written into the
  running engine at once; training goes on.
- *rebuild* (data, loss, optimizer choice, schedule, batch size, noise, epochs, early
  stopping, seed): the experiment is rebuilt from its current state, keeping the
  weights, so training has to pause for a moment (``aboutToRebuild`` lets the
  window stop the worker first).
- *structural* (features, layers, task, output width): the weights no longer fit and
  start afresh from the seed; ``confirm_reset`` is asked first when training had
  progressed. Undo brings the old weights back.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from nnplay.core import cost
from nnplay.core.advice import fit_output_layer
from nnplay.core.config import DenseConfig, NetworkConfig
from nnplay.core.errors import ConfigError
from nnplay.core.experiment import Experiment, load_dataset
from nnplay.core.pretraining_progress import history_after_edit, position_after_edit

LIVE, REBUILD, STRUCTURAL = "live", "rebuild", "structural"


def settings_only(config: NetworkConfig) -> NetworkConfig:
    """The config without weights, optimizer state, epoch, history or resume point."""
    out = copy.deepcopy(config)
    out.weights = out.optimizer_state = out.history = out.resume = None
    out.epoch = 0
    return out


def _architecture(config: NetworkConfig):
    return (config.task, list(config.features), [layer.to_dict() for layer in config.layers])


def classify(old: NetworkConfig, new: NetworkConfig) -> str:
    """Which kind of edit turns ``old`` settings into ``new`` (see the module docstring)."""
    if _architecture(old) != _architecture(new):
        return STRUCTURAL
    a, b = settings_only(old), settings_only(new)
    a.optimizer.settings, b.optimizer.settings = {}, {}
    a.training.l1 = b.training.l1 = a.training.l2 = b.training.l2 = 0.0
    a.name = b.name
    a.extra, b.extra = {}, {}
    if old.optimizer.name != new.optimizer.name or a != b:
        return REBUILD
    return LIVE


def default_config() -> NetworkConfig:
    """What File ▸ New opens: a small tanh net on the two-arm spiral, ready to play."""
    from nnplay.core.config import DataConfig, OptimizerConfig, TrainingConfig

    return NetworkConfig(
        name="Untitled",
        task="binary",
        features=["x1", "x2"],
        layers=[DenseConfig(8, "tanh"), DenseConfig(8, "tanh"), DenseConfig(1, "sigmoid")],
        loss="nll",
        optimizer=OptimizerConfig("adam", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
        training=TrainingConfig(batch_size=10, epochs=1000, seed=0),
        data=DataConfig(source="generated", name="spiral", n=400, noise=0.1, seed=1, validation_fraction=0.2),
    )


def _resume_kept(current: NetworkConfig, settings: NetworkConfig) -> dict | None:
    """What a rebuild with the weights kept keeps of ``current.resume``: all of it when the
    training, data and optimizer are the same; else, as for training's epoch, a pre-training
    under way keeps its layer and finished epochs (``position_after_edit``)."""
    resume = dict(current.resume or {})
    if settings.training == current.training and settings.data == current.data:
        if settings.optimizer.name == current.optimizer.name or "pretraining" not in resume:
            return resume or None
    else:
        # the weights are kept, so which epoch's they are (early stopping restored them) still holds
        resume = {"restored_epoch": resume["restored_epoch"]} if "restored_epoch" in resume else {}
    position = position_after_edit((current.resume or {}).get("pretraining"), current.weights, current, settings)
    resume.pop("pretraining", None)
    if position is not None:
        resume["pretraining"] = position
    return resume or None


class _EditCommand(QUndoCommand):
    def __init__(self, document: "Document", text: str, before: NetworkConfig, after: NetworkConfig, kind: str):
        super().__init__(text)
        self.document = document
        self.before = before  # full state, weights included, for undoing structural edits
        self.after = after
        self.kind = kind
        self._first = True

    def redo(self):
        if self._first:  # Document.edit already applied it
            self._first = False
            return
        self.document._apply(self.after, self.kind)

    def undo(self):
        if self.kind == STRUCTURAL:
            self.document._restore(self.before)
        else:
            self.document._apply(settings_only(self.before), self.kind)

    def id(self):
        # consecutive edits of the same setting (a spin box stepping) merge into one undo step
        return hash(self.text()) & 0x7FFFFFFF if self.kind == LIVE else -1

    def mergeWith(self, other):
        if other.id() != self.id():
            return False
        self.after = other.after
        return True


class Document(QObject):
    #: settings changed (panels re-read ``config``)
    settingsChanged = Signal()
    #: about to replace or mutate the engine outside the live path: stop training now
    aboutToRebuild = Signal()
    #: the experiment was rebuilt or replaced (plots re-read everything)
    rebuilt = Signal()
    #: the file name or the unsaved-changes state changed
    fileStateChanged = Signal()

    def __init__(self, config: NetworkConfig | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.path: Path | None = None
        self._trained_since_save = False
        #: asked before a structural edit throws away trained weights; the window sets it
        self.confirm_reset: Callable[[str], bool] = lambda _text: True
        self.experiment = Experiment(config or default_config())

    def _on_clean_changed(self, _clean: bool) -> None:
        self.fileStateChanged.emit()

    # ---- state
    @property
    def config(self) -> NetworkConfig:
        """The current settings (a copy; weights live in ``experiment``)."""
        return settings_only(self.experiment.config)

    @property
    def modified(self) -> bool:
        return self._trained_since_save or not self.undo_stack.isClean()

    @property
    def title(self) -> str:
        return self.path.name if self.path else self.experiment.config.name

    def mark_trained(self) -> None:
        """Training changed the weights: there is something to save."""
        if not self._trained_since_save:
            self._trained_since_save = True
            self.fileStateChanged.emit()

    def has_progress(self) -> bool:
        trainer = self.experiment.trainer
        pretrained = trainer.pretraining is not None and trainer.pretraining.started
        return trainer.epoch > 0 or trainer.update_in_epoch > 0 or pretrained

    # ---- editing
    def edit(self, text: str, change: Callable[[NetworkConfig], None]) -> bool:
        """Apply ``change`` to a copy of the settings as one undoable step.

        Returns False when nothing changed or the user declined to reset trained weights.
        """
        old = self.config
        new = copy.deepcopy(old)
        change(new)
        # a learning-rate step need not generate the data again
        same_points = new.data == old.data and new.task == old.task
        dataset = self.experiment.dataset if same_points else load_dataset(new)
        fit_output_layer(new, dataset.n_classes)
        if new == old:
            return False
        too_costly = cost.problem(new)
        if too_costly:  # the panels show it and put their widgets back
            raise ConfigError(too_costly)
        kind = classify(old, new)
        if kind == STRUCTURAL and self.has_progress() and not self.confirm_reset(text):
            self.settingsChanged.emit()  # put the widgets back
            return False
        if kind == LIVE:
            before = old
        else:
            self.aboutToRebuild.emit()  # the worker must stop before the weights are read
            before = self.experiment.to_config()
        self._apply(new, kind, dataset)
        self.undo_stack.push(_EditCommand(self, text, before, new, kind))
        return True

    def _apply(self, settings: NetworkConfig, kind: str, dataset=None) -> None:
        if kind == LIVE:
            experiment = self.experiment
            experiment.optimizer.hyper.update(settings.optimizer.settings)
            experiment.network.l1, experiment.network.l2 = settings.training.l1, settings.training.l2
            experiment.config.optimizer.settings = dict(settings.optimizer.settings)
            experiment.config.training.l1, experiment.config.training.l2 = settings.training.l1, settings.training.l2
            experiment.config.name = settings.name
            self.settingsChanged.emit()
            return
        self.aboutToRebuild.emit()
        current = self.experiment.to_config()
        state = copy.deepcopy(settings)
        if kind == REBUILD:
            state.weights = current.weights
            state.epoch = current.epoch
            state.history = history_after_edit(current.history, (current.resume or {}).get("pretraining"), settings)
            if settings.optimizer.name == current.optimizer.name:
                state.optimizer_state = current.optimizer_state
            state.resume = _resume_kept(current, settings)
        self.experiment = Experiment(state, dataset)
        self.settingsChanged.emit()
        self.rebuilt.emit()

    def _restore(self, full: NetworkConfig) -> None:
        self.aboutToRebuild.emit()
        self.experiment = Experiment(full)
        self.settingsChanged.emit()
        self.rebuilt.emit()

    def reset_weights(self) -> None:
        """Fresh weights from the seed, a fresh optimizer and an empty history (not undoable)."""
        self.aboutToRebuild.emit()
        self.experiment.reset_weights()
        self.mark_trained()
        self.rebuilt.emit()

    # ---- files
    def replace(self, config: NetworkConfig, path: Path | None) -> None:
        """Show another network (New, Open): a fresh undo history, nothing unsaved."""
        experiment = Experiment(config)  # may raise: the current network stays as it was
        self.aboutToRebuild.emit()
        self.experiment = experiment
        self.path = path
        self.undo_stack.clear()
        self._trained_since_save = False
        self.settingsChanged.emit()
        self.rebuilt.emit()
        self.fileStateChanged.emit()

    def open(self, path: str | Path) -> None:
        """Read and show a network file; on any error raise and keep the current network."""
        from nnplay.io.networkfile import read_network

        path = Path(path)
        self.replace(read_network(path), path)

    def save(self, path: str | Path | None = None, force: bool = False) -> Path:
        """Write everything (settings, data, weights, optimizer state, history) atomically.

        A read-only file is replaced only with ``force`` (``ReadOnlyTarget`` otherwise)."""
        from nnplay.io.networkfile import write_network

        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no file name to save to")
        write_network(self.experiment.to_config(), target, force)
        self.path = target
        self._trained_since_save = False
        self.undo_stack.setClean()
        self.fileStateChanged.emit()
        return target
