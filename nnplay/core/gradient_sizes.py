"""What the Gradients view says of the size of each dense layer's gradient: the rule that
names a vanishing or an exploding gradient, in one sentence.

The view hands over log10 of RMS(∂J/∂W) per dense layer, first to output (smoothed
over the last few batches), and the layers' numbers as users read them (from 1, every
layer counted: ``core.architecture.layer_number``).

- **Exploding**: some layer's RMS(∂J/∂W) is at least ``EXPLODING_RMS`` (10³). The
  bundled examples' gradients stay below 4 from the first update to the last; a
  learning rate far too large takes them past 10¹⁵⁰ before the loss overflows. This is
  checked first: a run that blows up saturates its hidden units, so its first layer's
  gradient is tiny beside the output layer's, which the ratio below would call vanishing.
- Otherwise the first dense layer's gradient against the output layer's, in whole
  decades: two or more decades smaller is a **vanishing** gradient, two or more larger
  the signal growing on its way back.
"""

from __future__ import annotations

import math

import numpy as np

#: RMS(∂J/∂W) from which a layer's gradient is called exploding
EXPLODING_RMS = 1e3


def superscript(power: int) -> str:
    return str(power).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def dense_layer_numbers(layer_types: list[str]) -> list[int]:
    """The numbers users read (from 1) of the dense layers among ``layer_types``, in order."""
    return [i + 1 for i, kind in enumerate(layer_types) if kind == "dense"]


def dense_layer_labels(layer_types: list[str]) -> list[str]:
    """The bars' labels: each dense layer's number, the output layer's ``out``."""
    numbers = dense_layer_numbers(layer_types)
    return [str(n) for n in numbers[:-1]] + ["out"] if numbers else []


def _name(k: int, numbers: list[int]) -> str:
    return "the output layer" if k == len(numbers) - 1 else f"layer {numbers[k]}"


def gradient_summary(log_rms: np.ndarray, numbers: list[int]) -> str:
    """One sentence on ``log_rms`` (log10 RMS ∂J/∂W per dense layer, first to output;
    NaN where not known yet); ``numbers`` are those layers' numbers."""
    values = np.asarray(log_rms, dtype=np.float64)
    known = np.isfinite(values)
    if known.any() and np.max(values[known]) >= math.log10(EXPLODING_RMS):
        k = int(np.nanargmax(np.where(known, values, -np.inf)))
        name = _name(k, numbers)
        return (f"Exploding gradient: {name}'s ∂J/∂W is about 10{superscript(round(values[k]))} (RMS), where "
                "a training network's stay below 10: each step throws the weights far off. Lower the learning "
                "rate.")
    if len(values) < 2 or not known[[0, -1]].all():
        return "RMS of ∂J/∂W on the latest batch, per dense layer."
    decades = round(values[0] - values[-1])
    first = f"Layer {numbers[0]}'s gradient"
    if decades == 0:
        text = f"{first} is about as large as the output layer's"
    else:
        text = f"{first} is about 10{superscript(decades)} × the output layer's"
    if decades <= -2:
        return text + ": the signal fades on its way back (vanishing gradient)."
    if decades >= 2:
        return text + ": the signal grows on its way back (exploding gradient)."
    return text + {-1: ": the first layers get a weaker signal.", 0: ": every layer gets a similar signal.",
                   1: ": the first layers get a stronger signal."}[decades]
