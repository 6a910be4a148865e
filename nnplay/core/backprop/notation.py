"""How the back-propagation steps write numbers and names, in the chapters' notation.

Dense layers are numbered l = 1 … L as the chapters number them, the features being
a⁰ = x. A dense layer's units form a column; the layers after it up to the next dense
one (dropout, batch norm) work on that column's values, so they share its units.
The output of dense layer l is aˡ; after dropout it is written ãˡ, after batch norm
âˡ (x̃, x̂ before the first dense layer): what the next dense layer reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnplay.core.layers import BatchNorm, Dense, Dropout

#: the inputs' column
INPUTS = -1
#: significant digits a number is shown with (all of them on request)
DIGITS = 4
#: terms a worked sum writes out before "…"
SUM_TERMS = 4
#: examples a table lists at most (a full batch may hold 100,000)
MAX_EXAMPLE_ROWS = 200


def example_rows(count: int) -> tuple[range, str]:
    """The examples a table lists, and a note when not all of them."""
    if count <= MAX_EXAMPLE_ROWS:
        return range(count), ""
    return range(MAX_EXAMPLE_ROWS), f"the first {MAX_EXAMPLE_ROWS} of the batch's {count:,} examples"


def number(value, precise: bool = False) -> str:
    """``value`` as the dialog shows it: 4 significant digits, or every digit (``repr``)."""
    value = float(value)
    if precise:
        return repr(value)
    return f"{value + 0.0:.{DIGITS}g}"  # + 0.0: −0 reads as 0


def operand(value, precise: bool = False) -> str:
    """A number inside an expression: negative numbers in parentheses."""
    text = number(value, precise)
    return f"({text})" if text.startswith("-") else text


def sub(text) -> str:
    return f"<sub>{text}</sub>"


def sup(text) -> str:
    return f"<sup>{text}</sup>"


def worked_sum(terms: list[tuple[str, str]], precise: bool = False) -> str:
    """``a·b + c·d + … (n terms)``: each term its factors' texts joined by ·; long sums cut."""
    shown = [" · ".join(factors) for factors in terms[:SUM_TERMS]]
    text = " + ".join(shown)
    if len(terms) > SUM_TERMS:
        text += f" + … ({len(terms)} terms)"
    return text


@dataclass(frozen=True)
class Column:
    """A column of units in the diagram: the inputs, or a dense layer with the layers
    that work on its values before the next dense layer."""

    layer: int  #: the dense layer's index in the network's layers, or ``INPUTS``
    number: int  #: l: 0 for the inputs, 1 … L for dense layers
    width: int
    modules: tuple[int, ...]  #: the indices of the dropout, batch-norm … layers after it


def columns(network) -> list[Column]:
    """The inputs, then one column per dense layer, each with the modules after it."""
    out: list[Column] = []
    current, number, modules = INPUTS, 0, []
    width = network.n_inputs
    for i, layer in enumerate(network.layers):
        if isinstance(layer, Dense):
            out.append(Column(current, number, width, tuple(modules)))
            current, number, modules, width = i, number + 1, [], layer.n_outputs
        else:
            modules.append(i)
    out.append(Column(current, number, width, tuple(modules)))
    return out


def column_of(network, index: int) -> int:
    """The column (its dense layer's index, or ``INPUTS``) whose units layer ``index``'s outputs are."""
    for i in range(index, -1, -1):
        if isinstance(network.layers[i], Dense):
            return i
    return INPUTS


def layer_number(network, index: int) -> int:
    """l of the column layer ``index`` belongs to (0 for modules before the first dense layer)."""
    return sum(isinstance(layer, Dense) for layer in network.layers[:index + 1])


def place(network, index: int) -> str:
    """Where a layer that is not dense sits: ``after layer 2``, or ``on the inputs``."""
    l = layer_number(network, index)
    return f"after layer {l}" if l else "on the inputs"


def output_symbol(network, index: int) -> str:
    """What layer ``index`` gives the next one, as rich text: aˡ, ãˡ (dropout), âˡ (batch norm), x."""
    if index < 0:
        return "x"
    l = layer_number(network, index)
    base = "x" if l == 0 else "a"
    layer = network.layers[index]
    if isinstance(layer, Dropout):
        base = "x̃" if l == 0 else "ã"
    elif isinstance(layer, BatchNorm):
        base = "x̂" if l == 0 else "â"
    elif not isinstance(layer, Dense):
        base += "′"
    return base if l == 0 else base + sup(l)


def input_symbol(network, index: int) -> str:
    """What layer ``index`` reads, as rich text (the output of the layer before it)."""
    return output_symbol(network, index - 1)


def unit_label(j: int) -> str:
    """Unit j (from 0) as the dialog writes it: units count from 1, as in the chapters."""
    return f"unit {j + 1}"


#: how a parameter's name is written
PARAMETER_SYMBOLS = {"gamma": "γ", "beta": "β"}


def entry_label(name: str, index: tuple[int, ...]) -> str:
    """``W`` at (0, 2) → ``W 1→3`` (the link from input 1 to unit 3); ``b`` at (2,) → ``b 3``."""
    name = PARAMETER_SYMBOLS.get(name, name)
    if len(index) == 2:
        return f"{name} {index[0] + 1}→{index[1] + 1}"
    return f"{name} {index[0] + 1}"


def finite(values) -> bool:
    return bool(np.all(np.isfinite(values)))
