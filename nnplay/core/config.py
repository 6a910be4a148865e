"""Plain dataclasses for everything a network file holds (SPEC §2).

Each field a user sets declares its ``Setting`` once, here (the layer types' fields
in their own modules, the optimizers' and schedules' on their classes): the default,
the range a file may hold, the control the app shows and its help. The file checks
(``nnplay.io.schema``) and the panels read them from here.

``to_dict`` gives the JSON-ready structure of the file. Arrays (weights, optimizer
state) stay NumPy here and become lists only when written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Union

from nnplay.core.activations import ACTIVATIONS
from nnplay.core.datasets import GENERATORS
from nnplay.core.features import FEATURES
from nnplay.core.layers import BatchNormConfig, DenseConfig, DropoutConfig
from nnplay.core.limits import (
    MAX_BATCH_SIZE, MAX_CLASSES, MAX_EPOCH, MAX_EPOCHS, MAX_NOISE, MAX_POINTS, MAX_SEED, MIN_CLASSES,
)
from nnplay.core.losses import LOSSES
from nnplay.core.optimizers import OPTIMIZERS
from nnplay.core.schedules import SCHEDULES
from nnplay.core.settings import REQUIRED, Setting, setting

TASKS = ("binary", "multiclass", "regression")

LayerConfig = Union[DenseConfig, DropoutConfig, BatchNormConfig]

#: a seed as the app's spin boxes take it (a file may hold up to MAX_SEED)
_SEED_CONTROL = (0, 2**31 - 1)


@dataclass
class OptimizerConfig:
    """``settings`` are checked against the optimizer's own (``Optimizer.settings``)."""

    name: str = setting(Setting("name", "Optimizer", "adam", "choice", choices=OPTIMIZERS,
                                help="How the gradient g of the objective becomes a weight update."))
    settings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **self.settings}


@dataclass
class ScheduleConfig:
    """``settings`` are checked against the schedule's own (``Schedule.settings``)."""

    name: str = setting(Setting("name", "Learning-rate schedule", "constant", "choice", choices=SCHEDULES,
                                help="How η changes with the epoch e."))
    settings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **self.settings}


@dataclass
class EarlyStoppingConfig:
    help: ClassVar[str] = (
        "Early stopping: after every epoch the loss on the validation set is checked. The training "
        "loss keeps falling, but the validation loss falls and then rises again as the network starts "
        "to overfit; stop once it has not improved for “patience” epochs. With a validation share of "
        "0 % (Data panel) it can only watch the training loss.")

    patience: int = setting(Setting(
        "patience", "patience ", REQUIRED, "int", low=1, high=MAX_EPOCHS, control=(1, 100_000),
        help="How many epochs without a new lowest validation loss to wait before stopping."))
    restore_best: bool = setting(Setting(
        "restore_best", "then restore the best weights", True, "bool",
        help="When stopping, go back to the weights that had the lowest validation loss."))

    def to_dict(self) -> dict[str, Any]:
        return {"patience": self.patience, "restore_best": self.restore_best}

    @classmethod
    def switched_on(cls) -> "EarlyStoppingConfig":
        """What switching early stopping on gives (a race's or a search's "with")."""
        return cls(DEFAULT_PATIENCE)


#: the default patience when the app switches early stopping on
DEFAULT_PATIENCE = 20

#: the decoders of pre-training: the transpose of the layer's own weights, or an array of its own
DECODERS = {
    "tied": "tied: V = Wᵀ, the layer's own weights read backwards (one array, so half the numbers to learn)",
    "untied": "untied: V starts as a copy of Wᵀ and then learns on its own",
}


@dataclass
class PretrainingConfig:
    """Greedy layer-wise pre-training with autoencoders (SPEC §1; ``nnplay.core.pretraining``)."""

    #: its name where settings are listed (the race's and search's pickers)
    title: ClassVar[str] = "Pre-training"
    help: ClassVar[str] = (
        "Unsupervised pre-training (the chapters' answer to “training deep nets is hard”): before "
        "training, each hidden layer in turn, from the first, learns alone to reproduce its input "
        "through a decoder (an autoencoder), with the layers below it frozen. Its weights then "
        "encode the structure of the data, and the whole network is trained (fine-tuned) from "
        "there. It runs once, when training starts from epoch 0.")

    epochs: int = setting(Setting(
        "epochs", "Epochs per layer", 50, "int", low=0, high=MAX_EPOCHS, control=(0, 100_000), step=10,
        help="How many passes over the training set each hidden layer makes as an autoencoder, "
             "with the run's batch size and optimizer at its base learning rate."))
    decoder: str = setting(Setting(
        "decoder", "Decoder", "tied", "choice", choices=DECODERS,
        help="How the decoder R = g(C·V + c) gets its weights V. " + " ".join(
            text[0].upper() + text[1:] + "." for text in DECODERS.values())))
    decoder_activation: str = setting(Setting(
        "decoder_activation", "Decoder activation g", "identity", "choice", choices=ACTIVATIONS,
        help="The activation g of the reconstruction R = g(C·V + c). identity (the default) can "
             "reproduce any number; sigmoid only numbers in (0, 1)."))
    noise: float = setting(Setting(
        "noise", "Noise σ", 0.0, "float", symbol="σ", low=0.0, high=MAX_NOISE, high_open=True,
        control=(0.0, 2.0), step=0.05,
        help="Denoising: each batch's input H gets fresh Gaussian noise of this standard deviation, "
             "and the layer must reproduce the clean H. It cannot just copy its input, so it learns "
             "what the data have in common. 0 = a plain autoencoder."))

    def to_dict(self) -> dict[str, Any]:
        return {"epochs": self.epochs, "decoder": self.decoder, "decoder_activation": self.decoder_activation,
                "noise": self.noise}


@dataclass
class TrainingConfig:
    batch_size: int = setting(Setting(
        "batch_size", "Batch", 32, "int", low=0, high=MAX_BATCH_SIZE, control=(1, 100_000),
        help="Examples per update (mini-batch size K). 1 is stochastic gradient descent; the whole "
             "training set (0 in a file) is batch gradient descent."))
    epochs: int = setting(Setting(
        "epochs", "Epochs", 500, "int", low=0, high=MAX_EPOCHS, control=(1, 1_000_000), step=100,
        help="How many passes over the training set a run makes before it stops by itself."))
    seed: int = setting(Setting(
        "seed", "Seed", 0, "int", low=0, high=MAX_SEED, control=_SEED_CONTROL,
        help="The random seed for the initial weights, the order of the examples, dropout and input "
             "noise: the same seed gives the same run. Change it to see how much the result depends on luck."))
    l1: float = setting(Setting(
        "l1", "L1 λ₁", 0.0, "log", symbol="λ₁", low=0.0, control=(0.0, 10.0), step=1e-4,
        help="L1 penalty λ₁·Σ|W| added to the objective (dense weights only, never biases). It pushes "
             "weights to exactly 0, so the network uses fewer inputs and units. Can be changed while "
             "training runs."))
    l2: float = setting(Setting(
        "l2", "L2 (weight decay) λ₂", 0.0, "log", symbol="λ₂", low=0.0, control=(0.0, 10.0), step=1e-4,
        help="L2 penalty λ₂·Σ‖W‖² (weight decay): the update becomes W ← W(1 − 2λη) − η·g, first "
             "shrinking (“decaying”) every weight and then stepping, as in ridge regression. Smaller "
             "weights give a smoother boundary and less overfitting. Dense weights only, never biases. "
             "Can be changed while training runs."))
    input_noise: float = setting(Setting(
        "input_noise", "Input noise σ", 0.0, "float", symbol="σ", low=0.0, high=MAX_NOISE, high_open=True,
        control=(0.0, 2.0), step=0.05,
        help="Input noise σ: before each gradient step the training inputs get fresh zero-mean Gaussian "
             "noise of this standard deviation (never at evaluation). The chapters: it is harder to "
             "overfit data that moves slightly on every step; it acts much like weight decay."))
    early_stopping: EarlyStoppingConfig | None = None
    pretraining: PretrainingConfig | None = None

    def to_dict(self, complete: bool = False) -> dict[str, Any]:
        """The file's ``training`` section. ``pretraining`` is left out while it is off (files
        from before it existed read the same), unless ``complete`` asks for every key."""
        out = {
            "batch_size": self.batch_size,
            "epochs": self.epochs,
            "seed": self.seed,
            "l1": self.l1,
            "l2": self.l2,
            "input_noise": self.input_noise,
            "early_stopping": None if self.early_stopping is None else self.early_stopping.to_dict(),
        }
        if self.pretraining is not None or complete:
            out["pretraining"] = None if self.pretraining is None else self.pretraining.to_dict()
        return out


@dataclass
class DataConfig:
    """``source`` is ``"generated"`` (name, n, noise, seed, classes for blobs) or
    ``"inline"`` (x, y)."""

    source: str = setting(Setting("source", "Source", "generated", "choice", choices=("generated", "inline")))
    name: str = setting(Setting("name", "Data set", "xor", "choice", choices=GENERATORS,
                                help="Which toy data set to learn. Hover an entry for what it shows."))
    n: int = setting(Setting(
        "n", "Points", 400, "int", low=1, high=MAX_POINTS, control=(10, 5000), step=50,
        help="How many points to generate (training and validation together)."))
    noise: float = setting(Setting(
        "noise", "Noise", 0.1, "float", low=0.0, high=MAX_NOISE, high_open=True, control=(0.0, 2.0), step=0.05,
        help="Standard deviation of the Gaussian jitter on the points (classification) or on the targets "
             "(regression). More noise, more overlap: a perfect training score then means overfitting."))
    seed: int = setting(Setting(
        "seed", "Data seed", 1, "int", low=0, high=MAX_SEED, control=_SEED_CONTROL,
        help="The seed that draws the points and the validation split: the same seed gives the same data."))
    validation_fraction: float = setting(Setting(
        "validation_fraction", "Validation", 0.2, "percent", low=0.0, high=1.0, high_open=True,
        control=(0.0, 0.9), step=0.05,
        help="The share of points held out as a validation set: never trained on, used to see overfitting "
             "(validation loss rising while training loss falls) and by early stopping. 0 % trains on "
             "every point."))
    classes: int | None = setting(Setting(
        "classes", "Classes", None, "int", low=MIN_CLASSES, high=MAX_CLASSES,
        help="How many classes (blobs) the blobs set has; the output layer gets one softmax unit per class."))
    x: list[list[float]] | None = None
    y: list[float] | None = None
    #: inline points only: the indices (into ``x``) of the held-out points, in increasing order,
    #: once editing the points has fixed each one's role (``nnplay.core.point_edits``); None:
    #: the split is drawn from the seed
    validation: list[int] | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.source == "inline":
            out: dict[str, Any] = {"source": "inline", "x": self.x, "y": self.y}
            if self.validation is not None:
                out["validation"] = self.validation
        else:
            out = {"source": "generated", "name": self.name, "n": self.n, "noise": self.noise, "seed": self.seed}
            if self.classes is not None:
                out["classes"] = self.classes
        out["validation_fraction"] = self.validation_fraction
        if self.source == "inline":
            out["seed"] = self.seed
        return out


@dataclass
class NetworkConfig:
    """One network file: settings, data and (after training) weights and state.

    ``weights`` is None or one dict of arrays per layer; ``optimizer_state`` is
    ``Optimizer.state_dict()``; ``resume`` holds what a run paused inside an epoch
    needs to continue exactly (see docs/file-format.md); ``extra`` keeps unknown
    top-level keys so they survive a round trip.
    """

    name: str = "Untitled"
    task: str = setting(Setting("task", "Task", "binary", "choice", choices=TASKS))
    #: its ``Setting`` describes each entry of the list
    features: list[str] = field(default_factory=lambda: ["x1", "x2"], metadata={"setting": Setting(
        "features", "Input features", "x1", "choice", choices=FEATURES,
        help="What the first layer sees: the point's coordinates, or transforms of them (feature engineering).")})
    layers: list[LayerConfig] = field(default_factory=list)
    loss: str = setting(Setting("loss", "Loss", "nll", "choice", choices=LOSSES,
                                help="What training minimizes: the mean of the loss over the batch, plus "
                                     "the penalties."))
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    data: DataConfig = field(default_factory=DataConfig)
    weights: list[dict[str, Any]] | None = None
    optimizer_state: dict[str, Any] | None = None
    epoch: int = setting(Setting("epoch", "Epoch", 0, "int", low=0, high=MAX_EPOCH))
    history: dict[str, list] | None = None
    resume: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def output_layer(self) -> DenseConfig | None:
        dense = [layer for layer in self.layers if isinstance(layer, DenseConfig)]
        return dense[-1] if dense else None
