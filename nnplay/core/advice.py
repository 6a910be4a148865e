"""The chapters' rules about combining settings, and the edits that follow them.

Checks return a ``Notice`` (what is wrong in the chapters' words and a one-click fix);
the app shows it as a coloured row whose "Fix" button applies ``notice.fix`` as one
undoable edit. The edits (``set_task``, ``choose_dataset``, ``fit_output_layer``)
are what the app does when a choice drags others along with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from nnplay.core.activations import ACTIVATIONS
from nnplay.core.config import DataConfig, DenseConfig, NetworkConfig
from nnplay.core.datasets import GENERATORS, POINT_SETS, next_seed, task_of
from nnplay.core.errors import ConfigError
from nnplay.core.features import fit_features
from nnplay.core.initializers import INITIALIZERS
from nnplay.core.losses import LOSSES, default_loss
from nnplay.core.point_edits import with_data_seed

#: the tasks in the words the app uses
TASK_WORDS = {"binary": "two-class", "multiclass": "multi-class", "regression": "regression"}
#: what replaces an initializer that never breaks the symmetry
RANDOM_INIT = "xavier_uniform"
#: what replaces an activation that cannot be trained, in a hidden layer
TRAINABLE_ACTIVATION = "tanh"


@dataclass
class Notice:
    text: str  #: rich text for the row
    fix_text: str  #: the button's label
    fix_tooltip: str
    undo_text: str
    fix: Callable[[NetworkConfig], None]


def canonical_activation(name: str) -> str:
    """``name`` with its alias resolved (``linear`` → ``identity``); an unknown name as it is."""
    try:
        return ACTIVATIONS.canonical(name)
    except ConfigError:
        return name


def output_layer(config: NetworkConfig) -> DenseConfig | None:
    last = config.layers[-1] if config.layers else None
    return last if isinstance(last, DenseConfig) else None


def _dense(config: NetworkConfig) -> list[DenseConfig]:
    return [layer for layer in config.layers if isinstance(layer, DenseConfig)]


# ---------------------------------------------------------------- edits
def use_default_loss(config: NetworkConfig) -> None:
    """The chapters' loss for the task, with the output activation it pairs with."""
    config.loss = default_loss(config.task)
    out = output_layer(config)
    if out is not None:
        out.activation = LOSSES.get(config.loss).output


def set_task(config: NetworkConfig, task: str) -> None:
    """A new task brings the chapters' loss for it and its output activation."""
    if task != config.task:
        config.task = task
        use_default_loss(config)


def output_units(task: str, n_classes: int) -> int:
    """The width the output layer must have for the task."""
    return n_classes if task == "multiclass" else 1


def fit_output_layer(config: NetworkConfig, n_classes: int) -> None:
    """Make the last dense layer as wide as the task needs (1, or one unit per class)."""
    units = output_units(config.task, n_classes)
    if output_layer(config) is None:
        config.layers.append(DenseConfig(units, LOSSES.get(config.loss).output, RANDOM_INIT))
    else:
        config.layers[-1].units = units


def choose_dataset(config: NetworkConfig, name: str) -> None:
    """Switch to a generated set: its task, the task's loss, and the features its inputs allow."""
    old = config.data
    generated = old.source == "generated"
    defaults = DataConfig()
    config.data = DataConfig(
        source="generated",
        name=name,
        n=old.n if generated else defaults.n,
        noise=old.noise if generated else defaults.noise,
        seed=old.seed,
        validation_fraction=old.validation_fraction,
        classes=(old.classes or 4) if name == "blobs" else None,
    )
    set_task(config, task_of(name))
    config.features = fit_features(config.features, GENERATORS[name].dims)


def choose_point_set(config: NetworkConfig, name: str) -> None:
    """Switch to a fixed point set (the textbook's XOR): its points, all training."""
    points = POINT_SETS[name]
    data = DataConfig("inline", seed=config.data.seed, validation_fraction=0.0,
                      x=[list(p) for p in points.x], y=list(points.y))
    use_points(config, data, points.task, points.dims, max(points.y) + 1)


def new_start(config: NetworkConfig) -> None:
    """The next training seed: other initial weights (and batches) for the same network."""
    config.training.seed = next_seed(config.training.seed)


def new_data(config: NetworkConfig) -> None:
    """The next data seed: other points of the same generated set (and another split)."""
    with_data_seed(config, next_seed(config.data.seed))


def use_points(config: NetworkConfig, data: DataConfig, task: str, dims: int, n_classes: int) -> None:
    """Switch to points of one's own (imported, clicked): their task and loss, the features
    their inputs allow, and an output layer as wide as their classes."""
    config.data = data
    set_task(config, task)
    config.features = fit_features(config.features, dims)
    if task == "multiclass" and config.layers:
        config.layers[-1].units = n_classes


# ---------------------------------------------------------------- checks
def pairing_notice(config: NetworkConfig) -> Notice | None:
    """The loss and the output activation (or the loss and the task) the chapters warn against."""
    out = output_layer(config)
    if out is None or config.loss not in LOSSES:
        return None
    loss = LOSSES.get(config.loss)
    task = config.task
    if task not in loss.tasks:
        return _task_notice(config, loss)
    act = canonical_activation(out.activation)
    want = loss.output
    if act == want:
        return None
    if loss.name == "squared" and task != "regression":
        return _squared_classification_notice(config, act, out.units)
    reason = loss.why_output
    if "regression" in loss.tasks and act in ACTIVATIONS:  # a target value, and what this output can reach
        reason += f"; a {act} output can produce {ACTIVATIONS.get(act).output_range}"
    return _output_notice(loss.name, act, want, reason)


def _task_notice(config: NetworkConfig, loss) -> Notice:
    good = default_loss(config.task)
    return Notice(
        f"The <b>{loss.name}</b> loss is for {' or '.join(TASK_WORDS[t] for t in loss.tasks)} "
        f"data, but this data set is {TASK_WORDS[config.task]}.",
        f"Use {good}",
        f"Switch the loss to {good} with a {LOSSES.get(good).output} output.",
        f"Use {good} loss",
        use_default_loss,
    )


#: why the squared loss fails with an output that saturates, after the textbook (6.2.2.2–3):
#: the exp inside sigmoid and softmax is not undone by a log, so a confidently wrong output
#: has f'(z) ≈ 0 and passes back almost no gradient
_SATURATES = ("when its input z is large the {act} saturates and passes back almost no gradient, "
              "so a confidently wrong output barely learns; the chapters pair {act} with <b>{own}</b>, "
              "whose log undoes the exp")


def _squared_classification_notice(config: NetworkConfig, act: str, units: int) -> Notice:
    """Squared loss on classes: the chapters' table pairs it with a linear output (the XOR
    example); with sigmoid or softmax it saturates, and the task's own loss is the fix."""
    own = default_loss(config.task)
    if act in ("sigmoid", "softmax"):
        if act == "softmax" and units == 1:
            reason = "softmax over a single unit always outputs 1, whatever the input"
        else:
            paired = next(loss.name for loss in LOSSES.entries() if loss.output == act)
            reason = _SATURATES.format(act=act, own=paired)
        return Notice(
            f"<b>squared</b> loss with a <b>{act}</b> output: {reason}.",
            f"Use {own}",
            f"Switch the loss to {own} with a {LOSSES.get(own).output} output (or set the output to "
            "identity to keep the squared loss).",
            f"Use {own} loss",
            use_default_loss,
        )
    return _output_notice("squared", act, "identity",
                          "the chapters pair the squared loss with a linear (<b>identity</b>) output")


def choose_loss(config: NetworkConfig, name: str) -> None:
    """The loss ``name`` with the output activation it pairs with, as its entry in the
    list promises (``→ sigmoid output``)."""
    config.loss = name
    out = output_layer(config)
    if out is not None and name in LOSSES:
        out.activation = LOSSES.get(name).output


def loss_choice_text(name: str, config: NetworkConfig) -> str:
    """A loss's entry in the app's list: ``nll (log loss)  → sigmoid output``. For the loss in
    use, the output the layer has, so the list never names an output the network lacks."""
    loss = LOSSES.get(name)
    out = output_layer(config)
    output = canonical_activation(out.activation) if name == config.loss and out is not None else loss.output
    text = f"{loss.title}  → {output} output"
    if config.task not in loss.tasks:
        text += f"  (not for {TASK_WORDS[config.task]} data)"
    return text


def _output_notice(loss: str, act: str, want: str, reason: str) -> Notice:
    def fix(config: NetworkConfig) -> None:
        output_layer(config).activation = want

    return Notice(
        f"<b>{loss}</b> loss with a <b>{act}</b> output: {reason}.",
        f"Use {want}",
        f"Set the output layer's activation to {want}.",
        f"Output activation {want}",
        fix,
    )


def _untrainable(name: str) -> bool:
    return name in ACTIVATIONS and ACTIVATIONS.get(name).untrainable


def step_notice(config: NetworkConfig) -> Notice | None:
    """Units whose derivative is 0 everywhere (step) pass no gradient back."""
    stuck = sorted({canonical_activation(layer.activation) for layer in _dense(config)
                    if _untrainable(layer.activation)})
    if not stuck:
        return None

    def fix(cfg: NetworkConfig) -> None:
        last = output_layer(cfg)
        for layer in _dense(cfg):
            if _untrainable(layer.activation):
                layer.activation = LOSSES.get(cfg.loss).output if layer is last else TRAINABLE_ACTIVATION

    names = " and ".join(f"<b>{name}</b>" for name in stuck)
    return Notice(
        f"{names} units cannot be trained: the derivative of a {stuck[0]} is 0 everywhere, so "
        "back-propagation passes no gradient through them and the weights before them never "
        "change. The chapters show it to explain why smooth activations (sigmoid, tanh, ReLU) are used.",
        f"Use {TRAINABLE_ACTIVATION}",
        f"Replace {' and '.join(stuck)} with {TRAINABLE_ACTIVATION} in the hidden layers (and with the "
        "loss's activation at the output).",
        f"Replace {' and '.join(stuck)} activations",
        fix,
    )


def zeros_notice(config: NetworkConfig) -> Notice | None:
    """All-zero weights make the units of a layer copies of each other."""
    dense = _dense(config)
    zero = [i for i, layer in enumerate(config.layers) if isinstance(layer, DenseConfig) and layer.init == "zeros"]
    if not zero:
        return None
    everywhere = len(zero) == len(dense)

    def fix(cfg: NetworkConfig) -> None:
        for layer in _dense(cfg):
            if layer.init == "zeros":
                layer.init = RANDOM_INIT

    if everywhere and len(dense) > 1:
        detail = ("Every layer starts at 0, so all units of a layer compute the same value and get the "
                  "same update: they stay copies of each other and the symmetry is never broken.")
    else:
        detail = ("Its units start identical and can only be told apart by the random weights of "
                  "the layers around them; with all layers at 0 they would stay copies forever.")
    where = "all layers" if everywhere else "layer " + ", ".join(str(i + 1) for i in zero)
    random = INITIALIZERS.get(RANDOM_INIT).title
    return Notice(
        f"<b>zeros</b> initialization ({where}). {detail} The chapters: initialize the weights to "
        "small random values.",
        f"Use {random}",
        f"Initialize those layers with {random} (random, uniform) instead.",
        "Random initialization",
        fix,
    )

