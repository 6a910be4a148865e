"""What the panels tell the user: display names, tooltips in the chapters' words, and
the checks behind the pairing warning and the step / zeros notes.

Pure functions on ``NetworkConfig``; the panels turn a ``Notice`` into a coloured row
whose "Fix" button calls ``document.edit(notice.undo_text, notice.fix)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from nnplay.core.activations import ACTIVATIONS
from nnplay.core.config import DenseConfig, NetworkConfig
from nnplay.core.datasets import GENERATORS
from nnplay.core.losses import LOSSES

# ---- data sets -------------------------------------------------------------------

DATASET_GROUPS = tuple(
    (group, [g.name for g in GENERATORS.values() if g.group == group])
    for group in dict.fromkeys(g.group for g in GENERATORS.values())
)

DATASET_NAMES = {
    "xor": "XOR",
    "circles": "Circle in a ring",
    "gaussians": "Two Gaussian clouds",
    "spiral": "Two spirals",
    "moons": "Two moons",
    "blobs": "Blobs (3–6 classes)",
    "checkerboard": "Checkerboard",
    "plane": "Plane",
    "ripple": "Ripple",
    "sine": "Sine wave",
    "step": "Step",
    "abs": "V shape |x|",
}

DATASET_HELP = {
    "xor": "Class 1 where x₁ and x₂ have the same sign. The chapters' XOR example: no single "
           "linear separator works, but one hidden layer of two units does.",
    "circles": "Class 1 inside a disk, class 0 on a ring around it. Not linearly separable in x₁, x₂; "
               "try the features x₁² and x₂², or a hidden layer.",
    "gaussians": "Two Gaussian clouds, one per class: linearly separable, so even a network with no "
                 "hidden layer (logistic regression) solves it.",
    "spiral": "Two interleaved spiral arms: hard. Needs several hidden layers, or the sin features.",
    "moons": "Two interleaving half circles: a curved boundary, a small hidden layer does it.",
    "blobs": "3 to 6 Gaussian clouds, one per class: multi-class classification with a softmax output "
             "and the nllm loss.",
    "checkerboard": "A 4 × 4 board of alternating squares: many pieces of boundary, needs a wide or deep net.",
    "plane": "Regression on y = (x₁ + x₂) / 2: a linear target, a network with no hidden layer fits it.",
    "ripple": "Regression on rings around the origin, y = 1.5 sin(1.5 |x|).",
    "sine": "Regression on one input: y = sin x.",
    "step": "Regression on one input: y = 0 for x < 0, 1 otherwise. A jump a smooth network can only approach.",
    "abs": "Regression on one input: y = |x|. Two ReLU units fit it exactly.",
}

DEFAULT_LOSS = {"binary": "nll", "multiclass": "nllm", "regression": "squared"}

TASK_WORDS = {"binary": "two-class", "multiclass": "multi-class", "regression": "regression"}

# ---- network -----------------------------------------------------------------------

ACTIVATION_NAMES = {
    "identity": "identity",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "softplus": "softplus",
    "hard_tanh": "hard tanh",
    "abs": "abs",
    "step": "step",
    "softmax": "softmax",
}

INITIALIZER_NAMES = {
    "normal_fan_in": "N(0, 1/m)",
    "xavier_uniform": "Xavier",
    "he_normal": "He",
    "zeros": "zeros",
}

#: what values an output unit with this activation can produce
OUTPUT_RANGE = {
    "identity": "any number",
    "relu": "only numbers ≥ 0",
    "leaky_relu": "any number, but with a bend at 0",
    "sigmoid": "only numbers between 0 and 1",
    "tanh": "only numbers between −1 and 1",
    "softplus": "only numbers > 0",
    "hard_tanh": "only numbers between −1 and 1",
    "abs": "only numbers ≥ 0",
    "step": "only 0 or 1",
    "softmax": "only probabilities that sum to 1",
}

FEATURE_HELP = {
    "x1": "The first coordinate of the point, as it is.",
    "x2": "The second coordinate of the point, as it is.",
    "x1^2": "x₁ squared: with x₂² a linear unit can draw circles and ellipses (feature engineering "
            "instead of hidden layers).",
    "x2^2": "x₂ squared: with x₁² a linear unit can draw circles and ellipses.",
    "x1*x2": "The product x₁·x₂: its sign alone solves XOR.",
    "sin(x1)": "sin x₁: a periodic feature, handy for spirals and ripples.",
    "sin(x2)": "sin x₂: a periodic feature, handy for spirals and ripples.",
}

LAYER_HELP = {
    "dense": "A fully connected layer: Z = A·W + b, then A' = f(Z) with the activation f. "
             "Units = how many neurons; each has one weight per input and a bias.",
    "dropout": "Dropout (the chapters, 6.8.2): on each training step every unit of the layer before "
               "it is switched off with probability p, so no unit can rely on a few others and the "
               "network becomes more robust. At evaluation nothing is dropped. "
               "(nnplay scales by 1/(1−p) during training instead of by p at test time: same expectation.)",
    "batchnorm": "Batch normalization (the chapters, 6.8.3): standardizes each of its inputs over the "
                 "mini-batch (subtract the mean, divide by the standard deviation), then scales by a "
                 "learned γ and shifts by a learned β. The scale of what the next layer sees then stays "
                 "the same while earlier weights change, and the batch-to-batch jitter regularizes a "
                 "little. Put it between a dense layer and the next; at evaluation it uses running averages.",
}

OUTPUT_UNITS_HELP = (
    "The output layer's width follows the task: one unit for two-class classification "
    "(the probability of class 1) and for regression (the predicted value), one unit per "
    "class for multi-class (softmax over K classes). Change the data set to change it."
)

# ---- training ----------------------------------------------------------------------

OPTIMIZER_NAMES = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov momentum",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp (the chapters' “adadelta”)",
    "adadelta": "AdaDelta (Zeiler)",
    "adam": "Adam",
}

OPTIMIZER_FORMULAS = {
    "sgd": "w ← w − η g",
    "momentum": "v ← γ v + η g;  w ← w − v",
    "nesterov": "v ← γ v + g;  w ← w − η (g + γ v)",
    "adagrad": "G ← G + g²<br>w ← w − η g / (√G + ε)",
    "rmsprop": "G ← ρ G + (1−ρ) g²<br>w ← w − η g / (√G + ε)",
    "adadelta": "E<sub>g</sub> ← ρE<sub>g</sub> + (1−ρ)g²<br>Δ = √(E<sub>Δ</sub>+ε) / √(E<sub>g</sub>+ε) · g<br>"
                "E<sub>Δ</sub> ← ρE<sub>Δ</sub> + (1−ρ)Δ²;  w ← w − η Δ",
    "adam": "m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²<br>w ← w − η m / (√v + ε)   (m, v bias-corrected)",
}

def plain(html: str) -> str:
    """A formula for a plain-text tooltip: E<sub>g</sub> → E_g, line breaks → "; "."""
    return re.sub(r"<sub>(.*?)</sub>", r"_\1", html).replace("<br>", ";  ")


LOSS_NAMES = {
    "squared": "squared error",
    "mae": "absolute error (mae)",
    "hinge": "hinge",
    "nll": "nll (log loss)",
    "nllm": "nllm (multi-class log loss)",
}

OPTIMIZER_EXTRA_HELP = {
    "rmsprop": "\n\nThe update the chapters call “adadelta” — G ← γG + (1−γ)g²; "
               "w ← w − η g / sqrt(G + ε) — is this one: a per-weight step size that grows where "
               "the gradient has been small (the surface is nearly flat).",
    "adadelta": "\n\nThis is Zeiler's original AdaDelta (SPEC). The chapters' “adadelta” formula is "
                "RMSProp here.",
    "momentum": "\n\nThe chapters: momentum “averages” recent gradient updates, which damps oscillation "
                "across a valley and speeds travel along it.",
    "adam": "\n\nThe chapters: Adam combines momentum and the adaptive per-weight step size.",
}

SYMBOLS = {"lr": "η", "gamma": "γ", "rho": "ρ", "beta1": "β₁", "beta2": "β₂", "eps": "ε"}

OPTIMIZER_SETTINGS = {
    # key: (label, tooltip, minimum, maximum, smallest step-up value)
    "lr": ("Learning rate η",
           "The step size η in w ← w − η·g. The chapters: if it is too small, convergence is slow; "
           "if it is too large, we risk divergence, or slow convergence due to oscillation. Try "
           "factors of 10 first (0.001, 0.01, 0.1); the arrows step 1-2-5 and you can type 1e-4. "
           "It can be changed while training runs.",
           1e-7, 100.0, 1e-4),
    "gamma": ("Momentum γ",
              "How much of the previous step carries over: v ← γ v + η g. 0 is plain SGD; "
              "0.9 is usual.", 0.0, 0.9999, 0.1),
    "rho": ("Decay ρ",
            "How fast the running average of squared gradients forgets: G ← ρ G + (1 − ρ) g². "
            "Close to 1 = long memory.", 0.0, 0.9999, 0.1),
    "beta1": ("β₁ (momentum)",
              "Decay of Adam's running mean of gradients m (its momentum part). Usually 0.9.",
              0.0, 0.9999, 0.1),
    "beta2": ("β₂ (scaling)",
              "Decay of Adam's running mean of squared gradients v (its RMSProp part). Usually 0.999.",
              0.0, 0.999999, 0.1),
    "eps": ("ε",
            "A tiny number added to the denominator so a weight whose gradients were all ~0 does "
            "not get a division by zero. Rarely needs changing.",
            1e-15, 1.0, 1e-8),
}

SCHEDULE_NAMES = {
    "constant": "constant",
    "step": "step decay",
    "inverse_time": "inverse time",
    "exponential": "exponential",
}

SCHEDULE_FORMULAS = {
    "constant": "η(e) = η",
    "step": "η(e) = η · drop^⌊e / every⌋",
    "inverse_time": "η(e) = η / (1 + k·e)",
    "exponential": "η(e) = η · kᵉ",
}

SCHEDULE_SETTINGS = {
    "drop": ("Drop factor", "The learning rate is multiplied by this every few epochs (0.5 halves it)."),
    "every": ("Every (epochs)", "How many epochs between drops."),
    "k": ("k", "The decay constant of the formula above."),
}

SCHEDULE_WHY = (
    "\n\nThe chapters: stochastic and mini-batch descent need a decreasing step size for the "
    "guarantees to hold — big steps early, small steps to settle."
)

BATCH_HELP = (
    "How many examples each weight update averages its gradient over.\n"
    "• Stochastic (1): one example per update — starts moving at once, but each step is noisy.\n"
    "• Mini-batch (N): the usual compromise; most software works this way.\n"
    "• Full batch: the whole training set per update — the exact gradient, but one step per epoch.\n"
    "Each epoch visits the training set once in a fresh random order."
)

L1_HELP = (
    "L1 penalty λ₁·Σ|W| added to the objective (dense weights only, never biases). It pushes "
    "weights to exactly 0, so the network uses fewer inputs and units. Can be changed while "
    "training runs."
)
L2_HELP = (
    "L2 penalty λ₂·Σ‖W‖² (weight decay): the update becomes W ← W(1 − 2λη) − η·g, first "
    "shrinking (“decaying”) every weight and then stepping, as in ridge regression. Smaller "
    "weights give a smoother boundary and less overfitting. Dense weights only, never biases. "
    "Can be changed while training runs."
)
NOISE_HELP = (
    "Input noise σ: before each gradient step the training inputs get fresh zero-mean Gaussian "
    "noise of this standard deviation (never at evaluation). The chapters: it is harder to overfit "
    "data that moves slightly on every step; it acts much like weight decay."
)
EARLY_STOPPING_HELP = (
    "Early stopping: after every epoch the loss on the validation set is checked. The training "
    "loss keeps falling, but the validation loss falls and then rises again as the network starts "
    "to overfit; stop once it has not improved for “patience” epochs. With a validation share of "
    "0 % (Data panel) it can only watch the training loss."
)
PATIENCE_HELP = "How many epochs without a new lowest validation loss to wait before stopping."
RESTORE_HELP = "When stopping, go back to the weights that had the lowest validation loss."
EPOCHS_HELP = "How many passes over the training set a run makes before it stops by itself."
SEED_HELP = (
    "The random seed for the initial weights, the order of the examples, dropout and input noise: "
    "the same seed gives the same run. Change it to see how much the result depends on luck."
)

# ---- checks --------------------------------------------------------------------------


@dataclass
class Notice:
    text: str  # rich text for the row
    fix_text: str  # the button's label
    fix_tooltip: str
    undo_text: str
    fix: Callable[[NetworkConfig], None]


def canonical_activation(name: str) -> str:
    try:
        return ACTIVATIONS.canonical(name)
    except KeyError:
        return name


def output_layer(config: NetworkConfig) -> DenseConfig | None:
    last = config.layers[-1] if config.layers else None
    return last if isinstance(last, DenseConfig) else None


def use_default_loss(config: NetworkConfig) -> None:
    """The chapters' loss for the task, with the output activation it pairs with."""
    config.loss = DEFAULT_LOSS[config.task]
    out = output_layer(config)
    if out is not None:
        out.activation = LOSSES.get(config.loss).output


_WHY_OUTPUT = {
    "nll": "nll reads the output a as the probability of class 1 and takes log a and log(1 − a), "
           "so a must lie between 0 and 1: the chapters pair it with a <b>sigmoid</b> output unit",
    "nllm": "nllm reads the K outputs as class probabilities that sum to 1 and takes log a<sub>k</sub>: "
            "the chapters pair it with a <b>softmax</b> output layer",
    "hinge": "hinge compares the raw score a with the margin ±1, so it wants a linear "
             "(<b>identity</b>) output; a squashed output cannot get past the margin",
    "mae": "mae measures |a − y| for targets that can be any number, so it wants a linear "
           "(<b>identity</b>) output",
    "squared": "a regression target can be any number, so squared loss wants a linear "
               "(<b>identity</b>) output",
}


def pairing_notice(config: NetworkConfig) -> Notice | None:
    """The loss and the output activation (or the loss and the task) the chapters warn against."""
    out = output_layer(config)
    if out is None or config.loss not in LOSSES:
        return None
    loss = LOSSES.get(config.loss)
    task = config.task
    if task not in loss.tasks:
        good = DEFAULT_LOSS[task]
        return Notice(
            f"The <b>{config.loss}</b> loss is for {' or '.join(TASK_WORDS[t] for t in loss.tasks)} "
            f"data, but this data set is {TASK_WORDS[task]}.",
            f"Use {good}",
            f"Switch the loss to {good} with a {LOSSES.get(good).output} output.",
            f"Use {good} loss",
            use_default_loss,
        )
    act = canonical_activation(out.activation)
    want = loss.output
    if config.loss == "squared" and (task != "regression" or act == want):
        if act == "softmax" and out.units == 1:
            return _output_notice(config.loss, act, "sigmoid",
                                  "softmax over a single unit always outputs 1, whatever the input")
        return None  # squared with a sigmoid output for classification: the chapters' XOR example
    if act == want:
        return None
    reason = _WHY_OUTPUT[config.loss]
    if config.loss in ("squared", "mae"):
        reason += f"; a {act} output can produce {OUTPUT_RANGE.get(act, 'only some values')}"
    return _output_notice(config.loss, act, want, reason)


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


def step_notice(config: NetworkConfig) -> Notice | None:
    dense = [layer for layer in config.layers if isinstance(layer, DenseConfig)]
    if not any(canonical_activation(layer.activation) == "step" for layer in dense):
        return None

    def fix(cfg: NetworkConfig) -> None:
        last = output_layer(cfg)
        for layer in cfg.layers:
            if isinstance(layer, DenseConfig) and canonical_activation(layer.activation) == "step":
                layer.activation = LOSSES.get(cfg.loss).output if layer is last else "tanh"

    return Notice(
        "<b>step</b> units cannot be trained: the derivative of a step is 0 everywhere, so "
        "back-propagation passes no gradient through them and the weights before them never "
        "change. The chapters show it to explain why smooth activations (sigmoid, tanh, ReLU) are used.",
        "Use tanh",
        "Replace step with tanh in the hidden layers (and with the loss's activation at the output).",
        "Replace step activations",
        fix,
    )


def zeros_notice(config: NetworkConfig) -> Notice | None:
    dense = [layer for layer in config.layers if isinstance(layer, DenseConfig)]
    zero = [i for i, layer in enumerate(config.layers) if isinstance(layer, DenseConfig) and layer.init == "zeros"]
    if not zero:
        return None
    everywhere = len(zero) == len(dense)

    def fix(cfg: NetworkConfig) -> None:
        for layer in cfg.layers:
            if isinstance(layer, DenseConfig) and layer.init == "zeros":
                layer.init = "xavier_uniform"

    if everywhere and len(dense) > 1:
        detail = ("Every layer starts at 0, so all units of a layer compute the same value and get the "
                  "same update: they stay copies of each other and the symmetry is never broken.")
    else:
        detail = ("Its units start identical and can only be told apart by the random weights of "
                  "the layers around them; with all layers at 0 they would stay copies forever.")
    return Notice(
        f"<b>zeros</b> initialization ({'all layers' if everywhere else 'layer ' + ', '.join(str(i + 1) for i in zero)}). "
        f"{detail} The chapters: initialize the weights to small random values.",
        "Use Xavier",
        "Initialize those layers with Xavier (random, uniform) instead.",
        "Random initialization",
        fix,
    )


def diagram(config: NetworkConfig) -> str:
    """``2 → 8 tanh → dropout 0.2 → 8 tanh → 1 sigmoid``."""
    parts = [str(len(config.features))]
    for layer in config.layers:
        if isinstance(layer, DenseConfig):
            parts.append(f"{layer.units} {canonical_activation(layer.activation)}")
        elif layer.type == "dropout":
            parts.append(f"dropout {layer.rate:g}")
        else:
            parts.append("batchnorm")
    return " → ".join(parts)
