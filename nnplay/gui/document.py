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
- *weightless* (a dropout layer added, removed, moved or given another rate): every
  weight still fits, so the weights, optimizer state, epoch and history are kept, each
  layer's under its new index (``nnplay.core.layer_edits``).
- *structural* (features, other layers, task, output width): the weights no longer fit
  and start afresh from the seed; ``confirm_reset`` is asked first, with the reason,
  when training had progressed. Undo brings the old weights back.

Besides settings, the run itself can be moved on by hand (``change_run``: Step Through
Backprop's Apply): one undoable step whose undo and redo restore the whole state, as
a saved file resumes it; ``weightsChanged`` tells the plots.

One weight or bias set by hand (the network diagram) is an edit of its own kind
(``set_parameter``): that number alone changes in the engine, everything else stays,
and training goes on from there exactly (``core.weight_edits``).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Callable, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from nnplay.core import cost
from nnplay.core.advice import fit_output_layer, new_start
from nnplay.core.config import DenseConfig, NetworkConfig
from nnplay.core.errors import ConfigError
from nnplay.core.experiment import Experiment, load_dataset
from nnplay.core.layer_edits import carry_over, kept_note, layer_map, restart_question
from nnplay.core.pretraining_progress import history_after_edit, position_after_edit
from nnplay.core.weight_edits import set_parameter
from nnplay.io.examples import is_bundled_example, refuse_bundled_example

LIVE, REBUILD, WEIGHTLESS, STRUCTURAL = "live", "rebuild", "weightless", "structural"

T = TypeVar("T")


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
        same_else = settings_only(old)
        same_else.layers = copy.deepcopy(new.layers)
        if layer_map(old, new) is not None and same_else == settings_only(new):
            return WEIGHTLESS
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


class _StateCommand(QUndoCommand):
    """A change the engine made to the run itself (an update applied by hand): undo puts
    back the whole state before it, redo the state after it, as a file would resume them."""

    def __init__(self, document: "Document", text: str, before: NetworkConfig, after: NetworkConfig):
        super().__init__(text)
        self.document = document
        self.before, self.after = before, after
        self._first = True

    def redo(self):
        if self._first:  # Document.change_run already made it
            self._first = False
            return
        self.document._restore(self.after)

    def undo(self):
        self.document._restore(self.before)


class _ParameterCommand(QUndoCommand):
    """One weight or bias set to a value (``Document.set_parameter``)."""

    def __init__(self, document: "Document", text: str, where: tuple, old: float, new: float):
        super().__init__(text)
        self.document, self.where, self.old, self.new = document, where, old, new

    def redo(self):
        self.document._write_parameter(self.where, self.new)

    def undo(self):
        self.document._write_parameter(self.where, self.old)


class Document(QObject):
    #: settings changed (panels re-read ``config``)
    settingsChanged = Signal()
    #: about to replace or mutate the engine outside the live path: stop training now
    aboutToRebuild = Signal()
    #: the experiment was rebuilt or replaced (plots re-read everything)
    rebuilt = Signal()
    #: the file name or the unsaved-changes state changed
    fileStateChanged = Signal()
    #: the weights changed in place, by an update made outside training (plots re-read them)
    weightsChanged = Signal()
    #: a sentence for the status line about what an edit did to the trained network
    noted = Signal(str)
    #: one weight or bias was set (``set_parameter``, or its undo): views redraw the
    #: network, and a run that was playing plays on
    weightsEdited = Signal()

    def __init__(self, config: NetworkConfig | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.path: Path | None = None
        #: the bundled example this untitled network is a copy of, if it is one
        self.example: Path | None = None
        self._trained_since_save = False
        #: asked, with the question to show, before a structural edit throws away trained weights;
        #: the window sets it
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
        if self.path:
            return self.path.name
        name = self.experiment.config.name
        return f"{name} (example)" if self.example is not None else name

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
    def edit(self, text: str, change: Callable[[NetworkConfig], None], fresh_weights: bool = False) -> bool:
        """Apply ``change`` to a copy of the settings as one undoable step.

        ``fresh_weights``: the weights start afresh from the (new) seed whatever changed,
        without asking (New Start); undo brings the old ones back. Returns False when
        nothing changed or the user declined to reset trained weights.
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
        kind = STRUCTURAL if fresh_weights else classify(old, new)
        progress = self.has_progress()
        if kind == STRUCTURAL and not fresh_weights and progress \
                and not self.confirm_reset(restart_question(text, old, new)):
            self.settingsChanged.emit()  # put the widgets back
            return False
        if kind == LIVE:
            before = old
        else:
            self.aboutToRebuild.emit()  # the worker must stop before the weights are read
            before = self.experiment.to_config()
        self._apply(new, kind, dataset)
        self.undo_stack.push(_EditCommand(self, text, before, new, kind))
        if kind == WEIGHTLESS and progress:
            self.noted.emit(kept_note(text, self.experiment.trainer.epoch))
        return True

    def set_parameter(self, text: str, layer: int, name: str, index: tuple[int, ...], value: float) -> bool:
        """Set ``network.layers[layer].params[name][index]`` to ``value`` as one undoable
        step called ``text``; False when it holds that value already."""
        old = float(self.experiment.network.layers[layer].params[name][index])
        if value == old:
            return False
        self.undo_stack.push(_ParameterCommand(self, text, (layer, name, tuple(index)), old, float(value)))
        return True

    def _write_parameter(self, where: tuple, value: float) -> None:
        self.aboutToRebuild.emit()  # the worker must stop before the engine changes
        set_parameter(self.experiment.network, *where, value)
        self.weightsEdited.emit()

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
        if kind == WEIGHTLESS:
            state = carry_over(current, settings)
        elif kind == REBUILD:
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

    def change_run(self, text: str, change: Callable[[Experiment], T]) -> T:
        """Let ``change`` move the run on in place (an update applied by hand), as one
        undoable step; returns what it returned. Training must be stopped first."""
        before = self.experiment.to_config()
        result = change(self.experiment)
        self.undo_stack.push(_StateCommand(self, text, before, self.experiment.to_config()))
        self.weightsChanged.emit()
        return result

    def new_start(self) -> None:
        """The next training seed, and fresh weights from it (one undoable step)."""
        self.edit("New start", new_start, fresh_weights=True)

    def reset_weights(self) -> None:
        """Fresh weights from the seed, a fresh optimizer and an empty history (not undoable)."""
        self.aboutToRebuild.emit()
        self.experiment.reset_weights()
        self.mark_trained()
        self.rebuilt.emit()

    # ---- files
    def replace(self, config: NetworkConfig, path: Path | None, example: Path | None = None) -> None:
        """Show another network (New, Open): a fresh undo history, nothing unsaved. ``example``:
        the bundled example ``config`` was read from, shown as an untitled copy of it."""
        experiment = Experiment(config)  # may raise: the current network stays as it was
        self.aboutToRebuild.emit()
        self.experiment = experiment
        self.path = path
        self.example = example if path is None else None
        self.undo_stack.clear()
        self._trained_since_save = False
        self.settingsChanged.emit()
        self.rebuilt.emit()
        self.fileStateChanged.emit()

    def open(self, path: str | Path) -> None:
        """Read and show a network file; on any error raise and keep the current network."""
        from nnplay.io.networkfile import read_network

        path = Path(path)
        if is_bundled_example(path):  # an untitled copy: the example stays as shipped
            self.replace(read_network(path), None, example=path)
        else:
            self.replace(read_network(path), path)

    def save(self, path: str | Path | None = None, force: bool = False) -> Path:
        """Write everything (settings, data, weights, optimizer state, history) atomically.

        A read-only file is replaced only with ``force`` (``ReadOnlyTarget`` otherwise); the
        bundled examples' folder never is written to (``BundledExample``)."""
        from nnplay.io.networkfile import write_network

        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no file name to save to")
        refuse_bundled_example(target)
        write_network(self.experiment.to_config(), target, force)
        self.path = target
        self.example = None
        self._trained_since_save = False
        self.undo_stack.setClean()
        self.fileStateChanged.emit()
        return target
