"""The forward pass and the loss, step by step (the chapters' 6.5: "first do a forward
pass to compute all the a and z values at all the layers, and finally the actual loss")."""

from __future__ import annotations

import numpy as np

from nnplay.core.backprop.notation import (INPUTS, column_of, example_rows, input_symbol, layer_number, number,
                                           operand, output_symbol, place, sub, sup, unit_label, worked_sum)
from nnplay.core.backprop.step import FORWARD, LOSS, Context, Focus, Numbers, Row, Step, Table
from nnplay.core.layers import LAYERS


def input_step(ctx: Context) -> Step:
    batch = ctx.trace.batch
    noise = batch.noise is not None
    text = ("The forward pass starts from the example: its features x are the activations a⁰ that "
            "layer 1 reads (the chapters' A⁰ = x).")
    if noise:
        text += (f" Training adds fresh noise N(0, σ²), σ = {ctx.noise:g}, to the features of every batch "
                 "(input noise, a regularizer).")
    if ctx.batch_size > 1:
        text += (f" A batch of {ctx.batch_size} examples goes through together, one row each: pick the one "
                 "the diagram and the worked lines show.")

    def show(focus: Focus) -> Numbers:
        n, p = ctx.example(focus), focus.precise
        x = ctx.values["layer0.in"][n]
        point = ", ".join(number(v, p) for v in ctx.points[n])
        lines = [f"point ({point}), target y = {_target(ctx, n, p)}"]
        if noise:
            clean = x - batch.noise[n]
            lines.append("features " + _vector(ctx.features, clean, p) + " plus noise "
                         + "(" + ", ".join(number(v, p) for v in batch.noise[n]) + ")")
        lines.append("x = a⁰ = " + _vector(ctx.features, x, p))
        header = ("point", *ctx.features, *(["noise added"] if noise else []), "target y")
        rows = []
        listed, note = example_rows(ctx.batch_size)
        for m in listed:
            cells = (", ".join(number(v, p) for v in ctx.points[m]), *ctx.values["layer0.in"][m],
                     *([", ".join(number(v, p) for v in batch.noise[m])] if noise else []), _target(ctx, m, p))
            rows.append(Row(f"example {m + 1} (point {batch.indices[m] + 1})", cells))
        return Numbers(lines, Table(header, rows, note))

    return Step(FORWARD, "The input x", "a⁰ = x", text, ("layer0.in", "loss.y"), None, show)


def _target(ctx: Context, n: int, precise: bool) -> str:
    if ctx.task == "regression":
        return number(ctx.labels[n], precise)
    return f"class {int(ctx.labels[n])}"


def _vector(names: list[str], values, precise: bool) -> str:
    return "(" + ", ".join(f"{name} = {number(v, precise)}" for name, v in zip(names, values)) + ")"


# ---------------------------------------------------------------- dense
def dense_steps(ctx: Context, i: int) -> list[Step]:
    layer = ctx.network.layers[i]
    l = layer_number(ctx.network, i)
    name = f"Layer {l} ({layer.n_outputs} {layer.activation_name})"
    a_in, z, a = input_symbol(ctx.network, i), f"z{sup(l)}", f"a{sup(l)}"
    sums = Step(
        FORWARD, f"{name}: weighted sums z", LAYERS.get("dense").formula
        + f"<br>z{sub('j')} = Σ{sub('i')} {a_in}{sub('i')} W{sub('ij')} + b{sub('j')}",
        f"Each unit j of layer {l} adds up what it reads, {a_in}, each input times the weight of its link, "
        f"plus its bias: {z}{sub('j')}. For the whole batch at once, Z = A·W + b, one row per example.",
        (f"layer{i}.z", f"layer{i}.W", f"layer{i}.b"), i, lambda focus: _sums(ctx, i, focus))
    act = layer.activation
    squash = Step(
        FORWARD, f"{name}: activations a = f(z)", f"{a}{sub('j')} = f({z}{sub('j')}),  " + act.formula,
        f"Then the activation f ({act.title}) bends each weighted sum: {a}{sub('j')} = f({z}{sub('j')}). "
        "Without it, layers of weighted sums would add up to a single weighted sum.",
        (f"layer{i}.a", f"layer{i}.out"), i, lambda focus: _activations(ctx, i, focus))
    return [sums, squash]


def _sums(ctx: Context, i: int, focus: Focus) -> Numbers:
    n, p = ctx.example(focus), focus.precise
    layer = ctx.network.layers[i]
    x, W, b = ctx.values[f"layer{i}.in"][n], ctx.values[f"layer{i}.W"], ctx.values[f"layer{i}.b"]
    z = ctx.values[f"layer{i}.z"][n]
    j = focus.unit(i, layer.n_outputs)
    a_in = input_symbol(ctx.network, i)
    terms = [(operand(x[k], p), operand(W[k, j], p)) for k in range(len(x))]
    symbols = " + ".join(f"{a_in}{sub(k + 1)} W{sub(f'{k + 1},{j + 1}')}" for k in range(min(len(x), 3)))
    if len(x) > 3:
        symbols += " + …"
    line = (f"z{sub(j + 1)} = {symbols} + b{sub(j + 1)} = {worked_sum(terms)} + {operand(b[j], p)} "
            f"= <b>{number(z[j], p)}</b>")
    rows = [Row(unit_label(u), (b[u], z[u]), unit=u) for u in range(layer.n_outputs)]
    return Numbers([line], Table(("bias b", "z"), rows))


def _activations(ctx: Context, i: int, focus: Focus) -> Numbers:
    n, p = ctx.example(focus), focus.precise
    layer = ctx.network.layers[i]
    z, a = ctx.values[f"layer{i}.z"][n], ctx.values[f"layer{i}.a"][n]
    j = focus.unit(i, layer.n_outputs)
    act = layer.activation
    line = f"a{sub(j + 1)} = {act.title}(z{sub(j + 1)}) = {act.title}({number(z[j], p)}) = <b>{number(a[j], p)}</b>"
    if not act.elementwise:
        line = (f"a{sub(j + 1)} = {act.title}(z){sub(j + 1)}, from all {len(z)} z's: "
                f"z = ({', '.join(number(v, p) for v in z)}) → <b>{number(a[j], p)}</b>")
    rows = [Row(unit_label(u), (z[u], a[u]), unit=u) for u in range(layer.n_outputs)]
    return Numbers([line], Table(("z", "a = f(z)"), rows))


# ---------------------------------------------------------------- dropout
def dropout_steps(ctx: Context, i: int) -> list[Step]:
    layer = ctx.network.layers[i]
    a_in, out = input_symbol(ctx.network, i), output_symbol(ctx.network, i)
    if f"layer{i}.scale" not in ctx.values:  # rate 0: nothing is dropped
        text = "Dropout with p = 0 keeps every unit: its output is its input."
    else:
        text = (f"While training, dropout switches each unit of {a_in} off with probability p = {layer.rate:g} "
                f"(d = 0) and scales the others by 1/(1 − p) = {1 / (1 - layer.rate):.4g}, so the expected value "
                "is unchanged. The mask d is drawn afresh for every batch; the backward pass uses the same one. "
                "At evaluation nothing is dropped.")

    def show(focus: Focus) -> Numbers:
        n, p = ctx.example(focus), focus.precise
        x, y = ctx.values[f"layer{i}.in"][n], ctx.values[f"layer{i}.out"][n]
        scale = ctx.values.get(f"layer{i}.scale")
        s = scale[n] if scale is not None else np.ones_like(x)
        j = focus.unit(column_of(ctx.network, i), len(x))
        kept = "kept" if s[j] else "dropped"
        line = (f"{out}{sub(j + 1)} = {a_in}{sub(j + 1)} · d{sub(j + 1)} / (1 − p) = {operand(x[j], p)} · "
                f"{int(s[j] != 0)} / {number(1 - layer.rate, p)} = <b>{number(y[j], p)}</b>  ({kept})")
        rows = [Row(unit_label(u), (x[u], float(s[u] != 0), s[u], y[u]), unit=u) for u in range(len(x))]
        return Numbers([line], Table(("in", "mask d", "d / (1 − p)", "out"), rows))

    return [Step(FORWARD, f"Dropout {place(ctx.network, i)}: the mask d",
                 LAYERS.get("dropout").formula, text, (f"layer{i}.scale", f"layer{i}.out"), i, show)]


# ---------------------------------------------------------------- batch norm
def batchnorm_steps(ctx: Context, i: int) -> list[Step]:
    layer = ctx.network.layers[i]
    a_in, out = input_symbol(ctx.network, i), output_symbol(ctx.network, i)
    where = f"batch norm {place(ctx.network, i)}"
    one = (" With one example there is no spread: σ² = 0, x̂ = 0, and the output is β."
           if ctx.batch_size == 1 else "")
    stats = Step(
        FORWARD, f"{where[0].upper()}{where[1:]}: the batch's μ and σ²",
        f"μ = (1/N) Σ{sub('n')} z{sub('n')},  σ² = (1/N) Σ{sub('n')} (z{sub('n')} − μ)²",
        f"Batch normalization standardizes each of its inputs — here z is {a_in} — over the mini-batch: "
        f"first each unit's mean μ and variance σ² over the N = {ctx.batch_size} examples.{one}",
        (f"layer{i}.mu", f"layer{i}.var"), i, lambda focus: _batch_statistics(ctx, i, focus))
    scaled = Step(
        FORWARD, f"{where[0].upper()}{where[1:]}: normalize, then scale and shift",
        "x̂ = (z − μ) / √(σ² + ε),  " + LAYERS.get("batchnorm").formula,
        f"Then x̂ has mean 0 and variance 1 over the batch, and the learned scale γ and shift β give the layer "
        f"back the freedom to choose its own: {out} = γ x̂ + β (ε = {layer.eps:g}). At evaluation the running "
        "averages of μ and σ² stand in for the batch's.",
        (f"layer{i}.xhat", f"layer{i}.std", f"layer{i}.gamma", f"layer{i}.beta", f"layer{i}.out"), i,
        lambda focus: _batch_normalized(ctx, i, focus))
    return [stats, scaled]


def _batch_statistics(ctx: Context, i: int, focus: Focus) -> Numbers:
    p = focus.precise
    z, mu, var = ctx.values[f"layer{i}.in"], ctx.values[f"layer{i}.mu"], ctx.values[f"layer{i}.var"]
    j = focus.unit(column_of(ctx.network, i), z.shape[1])
    column = z[:, j]
    terms = [(operand(v, p),) for v in column]
    lines = [f"μ{sub(j + 1)} = ({worked_sum(terms)}) / {len(column)} = <b>{number(mu[j], p)}</b>",
             f"σ²{sub(j + 1)} = ({worked_sum([(f'({number(v, p)} − {operand(mu[j], p)})²',) for v in column])})"
             f" / {len(column)} = <b>{number(var[j], p)}</b>"]
    rows = [Row(unit_label(u), (mu[u], var[u]), unit=u) for u in range(z.shape[1])]
    return Numbers(lines, Table(("mean μ", "variance σ²"), rows))


def _batch_normalized(ctx: Context, i: int, focus: Focus) -> Numbers:
    n, p = ctx.example(focus), focus.precise
    v = ctx.values
    z, xhat, y = v[f"layer{i}.in"][n], v[f"layer{i}.xhat"][n], v[f"layer{i}.out"][n]
    mu, var, gamma, beta = v[f"layer{i}.mu"], v[f"layer{i}.var"], v[f"layer{i}.gamma"], v[f"layer{i}.beta"]
    eps = ctx.network.layers[i].eps
    j = focus.unit(column_of(ctx.network, i), len(z))
    lines = [f"x̂{sub(j + 1)} = ({number(z[j], p)} − {operand(mu[j], p)}) / √({number(var[j], p)} + {eps:g}) "
             f"= <b>{number(xhat[j], p)}</b>",
             f"{output_symbol(ctx.network, i)}{sub(j + 1)} = γ{sub(j + 1)} x̂{sub(j + 1)} + β{sub(j + 1)} = "
             f"{operand(gamma[j], p)} · {operand(xhat[j], p)} + {operand(beta[j], p)} = <b>{number(y[j], p)}</b>"]
    rows = [Row(unit_label(u), (z[u], xhat[u], gamma[u], beta[u], y[u]), unit=u) for u in range(len(z))]
    return Numbers(lines, Table(("in z", "x̂", "γ", "β", "out"), rows))


# ---------------------------------------------------------------- any other layer type
def generic_steps(ctx: Context, i: int) -> list[Step]:
    layer = ctx.network.layers[i]

    def show(focus: Focus) -> Numbers:
        n = ctx.example(focus)
        x, y = ctx.values[f"layer{i}.in"][n], ctx.values[f"layer{i}.out"][n]
        rows = [Row(unit_label(u), (x[u] if u < len(x) else "", y[u]), unit=u) for u in range(len(y))]
        return Numbers([], Table(("in", "out"), rows))

    return [Step(FORWARD, f"{layer.title}", layer.formula, layer.help, (f"layer{i}.out",), i, show)]


# ---------------------------------------------------------------- the loss
def loss_step(ctx: Context) -> Step:
    net = ctx.network
    loss = net.loss
    last = len(net.layers) - 1
    penalties = []
    if net.l2:
        penalties.append("λ₂ Σ W²")
    if net.l1:
        penalties.append("λ₁ Σ |W|")
    objective = "J = (1/N) Σ" + sub("n") + " L" + sub("n") + "".join(f" + {p}" for p in penalties)
    text = (f"The loss ({loss.title}) compares the network's output a{sup('L')} with the target y, example by "
            "example; J is their mean over the batch" + (" plus the penalties on the weights (never on "
                                                          "the biases)" if penalties else "")
            + ". J is the number gradient descent makes smaller: everything from here on asks how it changes "
            "with each weight.")

    def show(focus: Focus) -> Numbers:
        n, p = ctx.example(focus), focus.precise
        v = ctx.values
        out, y, per = v[f"layer{last}.out"], v["loss.y"], v["loss.per_example"]
        lines = [f"example {n + 1}: a = ({', '.join(number(x, p) for x in out[n])}), "
                 f"y = ({', '.join(number(x, p) for x in y[n])}) → L = <b>{number(per[n], p)}</b>",
                 f"mean over the {len(per)} examples: ({worked_sum([(operand(x, p),) for x in per])}) / {len(per)}"
                 f" = {number(v['loss.data'], p)}"]
        parts = [number(v["loss.data"], p)]
        weights = [v[f"layer{i}.W"] for i, layer in enumerate(net.layers) if layer.type == "dense"]
        if net.l2:
            squares = sum(float(np.sum(W ** 2)) for W in weights)
            lines.append(f"λ₂ Σ W² = {number(net.l2, p)} · {number(squares, p)} = {number(v['loss.l2'], p)}")
            parts.append(operand(v["loss.l2"], p))
        if net.l1:
            sizes = sum(float(np.sum(np.abs(W))) for W in weights)
            lines.append(f"λ₁ Σ |W| = {number(net.l1, p)} · {number(sizes, p)} = {number(v['loss.l1'], p)}")
            parts.append(operand(v["loss.l1"], p))
        lines.append(f"J = {' + '.join(parts)} = <b>{number(v['loss.J'], p)}</b>")
        outputs = out.shape[1]
        header = (*(f"a{k + 1}" if outputs > 1 else "a" for k in range(outputs)),
                  *(f"y{k + 1}" if outputs > 1 else "y" for k in range(outputs)), "L")
        listed, note = example_rows(len(per))
        rows = [Row(f"example {m + 1}", (*out[m], *y[m], per[m])) for m in listed]
        return Numbers(lines, Table(header, rows, note))

    return Step(LOSS, "The loss J", loss.formula + "<br>" + objective, text,
                ("loss.per_example", "loss.data", "loss.l2", "loss.l1", "loss.J"), None, show)


STEPS_OF = {"dense": dense_steps, "dropout": dropout_steps, "batchnorm": batchnorm_steps}


def layer_steps(ctx: Context, i: int) -> list[Step]:
    """The forward steps of layer ``i``, by its type (any other type: its input and output)."""
    return STEPS_OF.get(ctx.network.layers[i].type, generic_steps)(ctx, i)


__all__ = ["INPUTS", "input_step", "layer_steps", "loss_step"]
