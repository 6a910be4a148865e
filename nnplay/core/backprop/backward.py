"""The backward pass, step by step, from the loss down to layer 1 (the chapters' 6.5 and
the deep-learning book's algorithm 6.4): at each dense layer δ = ∂J/∂z = f′(z) ⊙ ∂J/∂a,
then ∂J/∂W = Aᵀδ and ∂J/∂b = Σδ beside their finite differences, then ∂J/∂a passed
down as δWᵀ."""

from __future__ import annotations

import numpy as np

from nnplay.core.backprop.notation import (INPUTS, column_of, entry_label, input_symbol, layer_number, number,
                                           operand, output_symbol, place, sub, sup, unit_label, worked_sum)
from nnplay.core.backprop.step import BACKWARD, Context, Focus, Numbers, Row, Step, Table
from nnplay.core.layers import LAYERS

GRADIENT_COLUMNS = ("w", "∂J/∂w", "finite diff.", "rel. error")


def start_step(ctx: Context) -> Step:
    """Where the backward pass starts: ∂J/∂aᴸ from the loss, or δᴸ itself from the logits."""
    net = ctx.network
    last = len(net.layers) - 1
    loss = net.loss
    blame = ("Back-propagation starts at the loss. ∂J/∂a tells how J would change if an output moved: how much "
             "we blame each output for the loss (the chapters' “blame propagation”). The mean over the batch "
             "divides every example's share by N.")
    if net.from_logits:
        formula = loss.logit_gradient + f",  δ{sup('L')} = ∂J/∂z{sup('L')} = (a − y) / N"
        text = (blame + f" With {loss.title} and a {net.layers[last].activation.title} output, the chapters ask "
                "the loss for ∂J/∂z directly: it comes out as simply a − y, and computed from z it never "
                "overflows.")
        return Step(BACKWARD, "Backward: δ of the output layer from the loss", formula, text,
                    (f"layer{last}.delta",), last, lambda focus: _start_numbers(ctx, focus, logits=True))
    formula = loss.gradient + ",  ∂J/∂a = (1/N) ∂L/∂a"
    return Step(BACKWARD, "Backward: ∂J/∂a of the output from the loss", formula, blame,
                (f"layer{last}.dout",), last, lambda focus: _start_numbers(ctx, focus, logits=False))


def _start_numbers(ctx: Context, focus: Focus, logits: bool) -> Numbers:
    net = ctx.network
    last = len(net.layers) - 1
    n, p = ctx.example(focus), focus.precise
    a, y = ctx.values[f"layer{last}.out"][n], ctx.values["loss.y"][n]
    k = focus.unit(column_of(net, last), len(a))
    N = ctx.batch_size
    if logits:
        g = ctx.values[f"layer{last}.delta"][n]
        line = (f"δ{sub(k + 1)} = (a{sub(k + 1)} − y{sub(k + 1)}) / N = ({number(a[k], p)} − {operand(y[k], p)}) "
                f"/ {N} = <b>{number(g[k], p)}</b>")
        header = ("a", "y", "δ = ∂J/∂z")
    else:
        g = ctx.values[f"layer{last}.dout"][n]
        line = (f"∂J/∂a{sub(k + 1)} with a{sub(k + 1)} = {number(a[k], p)}, y{sub(k + 1)} = {number(y[k], p)}, "
                f"N = {N}: <b>{number(g[k], p)}</b>")
        header = ("a", "y", "∂J/∂a")
    rows = [Row(unit_label(u), (a[u], y[u], g[u]), unit=u) for u in range(len(a))]
    return Numbers([line], Table(header, rows))


# ---------------------------------------------------------------- dense
def dense_steps(ctx: Context, i: int) -> list[Step]:
    net = ctx.network
    layer = net.layers[i]
    l = layer_number(net, i)
    name = f"Layer {l} ({layer.n_outputs} {layer.activation_name})"
    steps = []
    if f"layer{i}.dout" in ctx.values:
        act = layer.activation
        steps.append(Step(
            BACKWARD, f"{name}: δ = ∂J/∂z", f"δ{sup(l)} = f′(z{sup(l)}) ⊙ ∂J/∂a{sup(l)},  " + (act.derivative or "f′"),
            "Each unit passes its blame back through its activation: δ = ∂J/∂z is ∂J/∂a times the slope f′(z). "
            "Where f is flat — a saturated sigmoid or tanh, a ReLU that is off — δ is near 0, and so is every "
            "gradient that comes from it.",
            (f"layer{i}.delta",), i, lambda focus: _deltas(ctx, i, focus)))
    steps.append(Step(
        BACKWARD, f"{name}: ∂J/∂W and ∂J/∂b", _gradient_formula(ctx, i), _gradient_text(ctx, i),
        (f"layer{i}.dW", f"layer{i}.db", f"layer{i}.dW_data", f"layer{i}.dW_l2", f"layer{i}.dW_l1"), i,
        lambda focus: _dense_gradients(ctx, i, focus)))
    if i > 0:
        below = input_symbol(net, i)
        steps.append(Step(
            BACKWARD, f"{name}: ∂J/∂{_plain(below)} passed down", f"∂J/∂{below} = δ{sup(l)} (W{sup(l)})ᵀ",
            f"The blame travels down the links: each value of {below} fed every unit j of layer {l} through "
            f"W{sub('ij')}, so it collects Σ{sub('j')} δ{sub('j')} W{sub('ij')}. The layer below starts from it "
            "(the chapters' ∂loss/∂Aˡ⁻¹ = Wˡ ∂loss/∂Zˡ).",
            (f"layer{i}.din", f"layer{i - 1}.dout"), i, lambda focus: _passed_down(ctx, i, focus)))
    return steps


def _plain(symbol: str) -> str:
    return symbol.replace("<sup>", "").replace("</sup>", "")


def _gradient_formula(ctx: Context, i: int) -> str:
    a_in = input_symbol(ctx.network, i)
    formula = (f"∂J/∂W{sub('ij')} = Σ{sub('n')} {a_in}{sub('i')} δ{sub('j')}  (Aᵀδ)")
    if ctx.network.l2:
        formula += " + 2λ₂W" + sub("ij")
    if ctx.network.l1:
        formula += " + λ₁ sign(W" + sub("ij") + ")"
    return formula + f",  ∂J/∂b{sub('j')} = Σ{sub('n')} δ{sub('j')}" + f"<br>{LAYERS.get('dense').backward_formula}"


def _gradient_text(ctx: Context, i: int) -> str:
    a_in = input_symbol(ctx.network, i)
    text = (f"The weight of the link from input i to unit j moved z{sub('j')} by {a_in}{sub('i')} per unit of "
            f"weight, so its gradient is {a_in}{sub('i')} δ{sub('j')}, summed over the batch: ∂J/∂W = Aᵀδ (the "
            "chapters write A (∂loss/∂Z)ᵀ with one example as a column). The bias adds 1 to z: ∂J/∂b = Σδ. "
            "Beside each, the check: nudge that one weight by h = 10⁻⁶ each way and measure J, "
            "(J(w + h) − J(w − h)) / 2h, with the same batch and dropout masks.")
    if ctx.network.l1 or ctx.network.l2:
        text += " The penalties add their own slope to ∂J/∂W (never to the biases)."
    return text


def _deltas(ctx: Context, i: int, focus: Focus) -> Numbers:
    n, p = ctx.example(focus), focus.precise
    layer = ctx.network.layers[i]
    v = ctx.values
    z, a, da, delta = (v[f"layer{i}.{name}"][n] for name in ("z", "a", "dout", "delta"))
    j = focus.unit(i, len(z))
    if layer.activation.elementwise:
        slope = layer.activation.backward(z, a, np.ones_like(z))
        line = (f"δ{sub(j + 1)} = f′(z{sub(j + 1)}) · ∂J/∂a{sub(j + 1)} = {operand(slope[j], p)} · "
                f"{operand(da[j], p)} = <b>{number(delta[j], p)}</b>")
        rows = [Row(unit_label(u), (z[u], da[u], slope[u], delta[u]), unit=u) for u in range(len(z))]
        return Numbers([line], Table(("z", "∂J/∂a", "f′(z)", "δ = ∂J/∂z"), rows))
    line = (f"δ{sub(j + 1)} = Σ{sub('k')} ∂a{sub('k')}/∂z{sub(j + 1)} · ∂J/∂a{sub('k')} = a{sub(j + 1)} "
            f"(∂J/∂a{sub(j + 1)} − Σ{sub('k')} a{sub('k')} ∂J/∂a{sub('k')}) = <b>{number(delta[j], p)}</b>")
    rows = [Row(unit_label(u), (z[u], da[u], delta[u]), unit=u) for u in range(len(z))]
    return Numbers([line], Table(("z", "∂J/∂a", "δ = ∂J/∂z"), rows))


def gradient_row(ctx: Context, key: str, index: tuple[int, ...], unit: int, label: str) -> Row:
    """A parameter entry with its value, back-propagation's gradient and the finite difference."""
    value = ctx.values[key]
    check = ctx.trace.finite_difference(key, int(np.ravel_multi_index(index, value.shape)))
    return Row(label, (value[index], check.analytic, check.numeric, check.relative_error), unit=unit, check=check)


def _entries(ctx: Context, i: int, focus: Focus) -> tuple[list[int], str]:
    """The units whose incoming weights a table lists: all of a small network's, else the chosen one's."""
    width = ctx.network.layers[i].n_outputs
    if not ctx.large:
        return list(range(width)), ""
    j = focus.unit(column_of(ctx.network, i), width)
    return [j], f"{unit_label(j)}'s weights and bias: pick another unit on the diagram to see its own"


def _dense_gradients(ctx: Context, i: int, focus: Focus) -> Numbers:
    n_in = ctx.network.layers[i].n_inputs
    units, note = _entries(ctx, i, focus)
    rows = [gradient_row(ctx, f"layer{i}.W", (k, j), j, entry_label("W", (k, j))) for j in units for k in range(n_in)]
    rows += [gradient_row(ctx, f"layer{i}.b", (j,), j, entry_label("b", (j,))) for j in units]
    return Numbers(_gradient_lines(ctx, i, focus), Table(GRADIENT_COLUMNS, rows, note))


def _gradient_lines(ctx: Context, i: int, focus: Focus) -> list[str]:
    p, net, v = focus.precise, ctx.network, ctx.values
    j = focus.unit(i, net.layers[i].n_outputs)
    k = focus.unit(column_of(net, i - 1) if i else INPUTS, net.layers[i].n_inputs)
    a_in, delta, W = v[f"layer{i}.in"], v[f"layer{i}.delta"], v[f"layer{i}.W"]
    name = f"W{sub(f'{k + 1},{j + 1}')}"
    check = ctx.trace.finite_difference(f"layer{i}.W", k * W.shape[1] + j)
    terms = [(operand(a_in[m, k], p), operand(delta[m, j], p)) for m in range(len(delta))]
    data = v[f"layer{i}.dW_data"][k, j]
    product = f"Σ{sub('n')} {input_symbol(net, i)}{sub(k + 1)} δ{sub(j + 1)} = {worked_sum(terms)}"
    if not (net.l1 or net.l2):
        lines = [f"∂J/∂{name} = {product} = <b>{number(check.analytic, p)}</b>"]
    else:
        lines = [f"from the loss: {product} = {number(data, p)}"]
        parts = [number(data, p)]
        if net.l2:
            lines.append(f"from λ₂: 2λ₂{name} = 2 · {number(net.l2, p)} · {operand(W[k, j], p)} = "
                         f"{number(v[f'layer{i}.dW_l2'][k, j], p)}")
            parts.append(operand(v[f"layer{i}.dW_l2"][k, j], p))
        if net.l1:
            lines.append(f"from λ₁: λ₁ sign({name}) = {number(net.l1, p)} · {int(np.sign(W[k, j]))} = "
                         f"{number(v[f'layer{i}.dW_l1'][k, j], p)}")
            parts.append(operand(v[f"layer{i}.dW_l1"][k, j], p))
        lines.append(f"∂J/∂{name} = {' + '.join(parts)} = <b>{number(check.analytic, p)}</b>")
    lines.append(_check_line(check, p))
    db = v[f"layer{i}.db"][j]
    lines.append(f"∂J/∂b{sub(j + 1)} = Σ{sub('n')} δ{sub(j + 1)} = "
                 f"{worked_sum([(operand(delta[m, j], p),) for m in range(len(delta))])} = <b>{number(db, p)}</b>")
    return lines


def _check_line(check, precise: bool) -> str:
    verdict = "✓ agrees" if check.agrees else "✗ differs (a kink, or a wrong derivative)"
    return (f"check: (J(w + h) − J(w − h)) / 2h = {number(check.numeric, precise)}, relative error "
            f"{check.relative_error:.1e} {verdict}")


def _passed_down(ctx: Context, i: int, focus: Focus) -> Numbers:
    n, p, net = ctx.example(focus), focus.precise, ctx.network
    delta, W, din = ctx.values[f"layer{i}.delta"][n], ctx.values[f"layer{i}.W"], ctx.values[f"layer{i}.din"][n]
    k = focus.unit(column_of(net, i - 1), len(din))
    below = input_symbol(net, i)
    terms = [(operand(delta[j], p), operand(W[k, j], p)) for j in range(len(delta))]
    line = (f"∂J/∂{below}{sub(k + 1)} = Σ{sub('j')} δ{sub('j')} W{sub(f'{k + 1},j')} = {worked_sum(terms)} = "
            f"<b>{number(din[k], p)}</b>")
    rows = [Row(unit_label(u), (din[u],), unit=u) for u in range(len(din))]
    return Numbers([line], Table((f"∂J/∂{_plain(below)}",), rows))


# ---------------------------------------------------------------- dropout
def dropout_steps(ctx: Context, i: int) -> list[Step]:
    if i == 0:
        return []  # nothing below it needs a gradient
    net = ctx.network
    out, below = output_symbol(net, i), input_symbol(net, i)

    def show(focus: Focus) -> Numbers:
        n, p = ctx.example(focus), focus.precise
        dout, din = ctx.values[f"layer{i}.dout"][n], ctx.values[f"layer{i}.din"][n]
        scale = ctx.values.get(f"layer{i}.scale")
        s = scale[n] if scale is not None else np.ones_like(dout)
        j = focus.unit(column_of(net, i), len(dout))
        line = (f"∂J/∂{below}{sub(j + 1)} = ∂J/∂{out}{sub(j + 1)} · d{sub(j + 1)} / (1 − p) = {operand(dout[j], p)} "
                f"· {operand(s[j], p)} = <b>{number(din[j], p)}</b>")
        rows = [Row(unit_label(u), (dout[u], s[u], din[u]), unit=u) for u in range(len(dout))]
        return Numbers([line], Table((f"∂J/∂{_plain(out)}", "d / (1 − p)", f"∂J/∂{_plain(below)}"), rows))

    return [Step(BACKWARD, f"Dropout {place(net, i)}: back through the same mask",
                 LAYERS.get("dropout").backward_formula,
                 "Dropout passes the gradient back through the mask it used going forward: a dropped unit "
                 "gets none, so the weights into it do not learn from this batch.",
                 (f"layer{i}.din", f"layer{i - 1}.dout"), i, show)]


# ---------------------------------------------------------------- batch norm
def batchnorm_steps(ctx: Context, i: int) -> list[Step]:
    net = ctx.network
    where = f"Batch norm {place(net, i)}"
    steps = [Step(BACKWARD, f"{where}: ∂J/∂γ and ∂J/∂β", LAYERS.get("batchnorm").backward_formula,
                  "γ and β learn like weights: each scaled or shifted one unit's x̂ for every example of the batch, "
                  "so their gradients sum over the batch. Beside each, the finite-difference check.",
                  (f"layer{i}.dgamma", f"layer{i}.dbeta"), i, lambda focus: _batchnorm_gradients(ctx, i, focus))]
    if i > 0:
        below = input_symbol(net, i)
        steps.append(Step(
            BACKWARD, f"{where}: ∂J/∂{_plain(below)} passed down",
            "∂J/∂z = γ / (N s) · (N ∂J/∂ẑ − Σ ∂J/∂ẑ − x̂ Σ (∂J/∂ẑ ⊙ x̂)),  s = √(σ² + ε)",
            "Every example's x̂ depends on the whole batch through μ and σ², so the gradient passed down mixes "
            "the batch: the two sums remove the parts of ∂J/∂ẑ that a shift or a scaling of the batch would "
            "undo anyway.",
            (f"layer{i}.din", f"layer{i - 1}.dout"), i, lambda focus: _batchnorm_down(ctx, i, focus)))
    return steps


def _batchnorm_gradients(ctx: Context, i: int, focus: Focus) -> Numbers:
    p, v = focus.precise, ctx.values
    width = ctx.network.layers[i].n_inputs
    if ctx.large:
        units = [focus.unit(column_of(ctx.network, i), width)]
        note = f"{unit_label(units[0])}'s γ and β: pick another unit on the diagram to see its own"
    else:
        units, note = list(range(width)), ""
    rows = [gradient_row(ctx, f"layer{i}.{name}", (j,), j, f"{symbol} {j + 1}")
            for j in units for name, symbol in (("gamma", "γ"), ("beta", "β"))]
    j = focus.unit(column_of(ctx.network, i), width)
    dout, xhat = v[f"layer{i}.dout"], v[f"layer{i}.xhat"]
    lines = [f"∂J/∂γ{sub(j + 1)} = Σ{sub('n')} ∂J/∂ẑ · x̂ = "
             f"{worked_sum([(operand(dout[m, j], p), operand(xhat[m, j], p)) for m in range(len(dout))])} = "
             f"<b>{number(v[f'layer{i}.dgamma'][j], p)}</b>",
             f"∂J/∂β{sub(j + 1)} = Σ{sub('n')} ∂J/∂ẑ = "
             f"{worked_sum([(operand(dout[m, j], p),) for m in range(len(dout))])} = "
             f"<b>{number(v[f'layer{i}.dbeta'][j], p)}</b>"]
    return Numbers(lines, Table(GRADIENT_COLUMNS, rows, note))


def _batchnorm_down(ctx: Context, i: int, focus: Focus) -> Numbers:
    n, p, v = ctx.example(focus), focus.precise, ctx.values
    dout, din = v[f"layer{i}.dout"], v[f"layer{i}.din"]
    j = focus.unit(column_of(ctx.network, i), dout.shape[1])
    gamma, std = v[f"layer{i}.gamma"][j], v[f"layer{i}.std"][j]
    line = (f"∂J/∂z{sub(j + 1)} = {operand(gamma, p)} / ({len(dout)} · {number(std, p)})"
            f" · ({len(dout)} · {operand(dout[n, j], p)} − {operand(v[f'layer{i}.dbeta'][j], p)} − "
            f"{operand(v[f'layer{i}.xhat'][n, j], p)} · {operand(v[f'layer{i}.dgamma'][j], p)}) = "
            f"<b>{number(din[n, j], p)}</b>")
    rows = [Row(unit_label(u), (dout[n, u], din[n, u]), unit=u) for u in range(dout.shape[1])]
    return Numbers([line], Table(("∂J/∂ẑ", "∂J/∂z"), rows))


# ---------------------------------------------------------------- any other layer type
def generic_steps(ctx: Context, i: int) -> list[Step]:
    layer = ctx.network.layers[i]
    if i == 0:
        return []

    def show(focus: Focus) -> Numbers:
        n = ctx.example(focus)
        dout, din = ctx.values[f"layer{i}.dout"][n], ctx.values[f"layer{i}.din"][n]
        rows = [Row(unit_label(u), (dout[u] if u < len(dout) else "", din[u]), unit=u) for u in range(len(din))]
        return Numbers([], Table(("∂J/∂out", "∂J/∂in"), rows))

    return [Step(BACKWARD, f"{layer.title}: the gradient passed down", layer.backward_formula or layer.formula,
                 layer.help, (f"layer{i}.din", f"layer{i - 1}.dout"), i, show)]


STEPS_OF = {"dense": dense_steps, "dropout": dropout_steps, "batchnorm": batchnorm_steps}


def layer_steps(ctx: Context, i: int) -> list[Step]:
    return STEPS_OF.get(ctx.network.layers[i].type, generic_steps)(ctx, i)
