"""Optimizers (SPEC §1): each turns a gradient g = ∂J/∂w into an in-place update of w.

State lives per parameter array, keyed by ``"layer<i>.<name>"`` so two layers never
share a slot; ``t`` counts updates from 1 and is shared by the whole network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from nnplay.core.registry import Entry, Registry
from nnplay.core.settings import Setting


Number = Union[float, np.ndarray]


@dataclass(frozen=True)
class UpdateStep:
    """One line of an update with its numbers: ``target ← expression``.

    ``expression`` names each number it uses in braces — ``{γ}·{v} + {η}·{g}`` — and
    ``operands`` gives their values (a number, or an array shaped like w) as the line
    reads them; ``result`` is what the line assigns to ``target`` (shaped like w), the
    very bits ``update`` computes; ``stores`` says where it is kept: a state slot's
    name, ``"w"`` for the weights, or ``""`` for a value used on the way (m̂, Δ). The
    back-propagation dialog shows a line once with the symbols and once with the
    numbers put in."""

    target: str
    expression: str
    operands: dict[str, Number]
    result: np.ndarray
    stores: str = ""


class Optimizer(Entry):
    """Base class: ``settings`` are SPEC's hyper-parameters (``defaults`` their values),
    ``slots`` the per-array state, ``nonnegative_slots`` those that hold sums or averages
    of squares (a file may not make them negative: the update takes their root)."""

    slots: tuple[str, ...] = ()
    nonnegative_slots: tuple[str, ...] = ()
    #: True when the update scales each weight's step by its own gradient history, so a
    #: learning rate too large for plain steps is tamed (the advice after a divergence)
    adapts_step = False
    #: ``update`` works element by element, so one call on all arrays end to end gives
    #: the same bits as one call per array (see ``_FlatState``)
    elementwise = True
    #: networks with at most this many parameters take that path
    flat_limit = 16384
    #: larger arrays are updated this many entries at a time, so that the update's
    #: temporaries stay in cache and below the size glibc maps afresh for each one
    #: (page faults that cost twice the arithmetic on a 256 × 256 matrix); same bits
    slice_size = 8192

    def __init__(self, **hyper: float):
        for key in hyper:
            if key not in self.defaults:
                raise self.no_such_setting(key)
        self.hyper = {**self.defaults, **hyper}
        self.t = 0
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self._flat: _FlatState | None = None

    @property
    def lr(self) -> float:
        return self.hyper["lr"]

    def step(self, params: list[tuple[str, np.ndarray, np.ndarray]], lr: float) -> None:
        """One update of every ``(key, w, g)``; ``lr`` is η after the schedule."""
        self.t += 1
        state = self.state
        flat = self._flat
        if flat is None or not flat.matches(params, state):
            flat = self._flat = _FlatState.build(self, params)
        if flat is not None:
            flat.step(self, params, lr)
            return
        for key, w, g in params:
            slot = state.get(key)
            if slot is None:
                slot = state[key] = {name: np.zeros_like(w) for name in self.slots}
            if w.size > self.slice_size and self._sliceable(w, g, slot):
                self._update_in_slices(w, g, slot, lr)
            else:
                self.update(w, g, slot, lr)

    def _sliceable(self, w, g, slot) -> bool:
        """Whether flat slices of ``w`` and its state are views with one entry per weight."""
        return self.elementwise and w.flags.c_contiguous and g.shape == w.shape and all(
            a.shape == w.shape and a.flags.c_contiguous for a in slot.values()
        )

    def _update_in_slices(self, w, g, slot, lr) -> None:
        w, g = w.reshape(-1), g.reshape(-1)
        slot = {name: a.reshape(-1) for name, a in slot.items()}
        size = self.slice_size
        for start in range(0, w.size, size):
            part = slice(start, start + size)
            self.update(w[part], g[part], {name: a[part] for name, a in slot.items()}, lr)

    def update(self, w: np.ndarray, g: np.ndarray, slot: dict[str, np.ndarray], lr: float) -> None:
        raise NotImplementedError

    def worked_update(self, w: np.ndarray, g: np.ndarray, slot: dict[str, np.ndarray], lr: float,
                      t: int) -> list[UpdateStep]:
        """The update of ``w`` as ``update`` makes it at count ``t``, line by line with its
        numbers; nothing passed in changes. The last step's target is ``w``; the others
        are the new state slots.

        An optimizer that does not say more is shown as its own ``update`` run on copies:
        each slot's new value, then w plus the change."""
        twin = type(self)(**self.hyper)
        twin.t = t
        new_w = w.copy()
        new_slot = {name: value.copy() for name, value in slot.items()}
        twin.update(new_w, g, new_slot, lr)
        steps = [UpdateStep(name, f"{self.title}'s update of {{{name}}} by {{g}}",
                            {name: slot[name], "g": g}, new_slot[name], name) for name in self.slots]
        return steps + [UpdateStep("w", "{w} + {Δw}", {"w": w, "Δw": new_w - w}, new_w, "w")]

    # --- state that a network file carries, so a resumed run continues exactly
    def state_dict(self) -> dict[str, Any]:
        return {"t": self.t, "slots": {k: {n: a.copy() for n, a in s.items()} for k, s in self.state.items()}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.t = int(state["t"])
        self.state = {
            key: {name: np.array(arr, dtype=np.float64) for name, arr in slot.items()}
            for key, slot in state["slots"].items()
        }


class _FlatState:
    """The optimizer state of a small network as one array per slot, every parameter's
    state end to end, with the state dict's arrays views of it.

    A step copies the weights and gradients into flat arrays, runs ``update`` once and
    copies the weights back: a handful of NumPy calls instead of a dozen per array,
    which is most of an update's time on a playground-sized network. The arithmetic
    element by element is unchanged, so are the results, to the bit.
    """

    F64 = np.dtype(np.float64)

    def __init__(self, size: int, slot_names: tuple[str, ...]):
        self.w = np.empty(size)
        self.g = np.empty(size)
        self.slots = {name: np.zeros(size) for name in slot_names}
        #: per parameter: key, the weight array, its shape, its slot dict in ``Optimizer.state``
        #: and that dict's views
        self.entries: list[tuple[str, np.ndarray, tuple, dict, list]] = []
        #: per parameter: where its weights sit in ``self.w``, to copy them back
        self.w_views: list[np.ndarray] = []

    @classmethod
    def build(cls, opt: Optimizer, params) -> _FlatState | None:
        """Bind ``opt.state`` to flat arrays for ``params``, or None where that does not pay
        or could change a result (one array, a large net, another dtype, odd saved state)."""
        if not (opt.slots and opt.elementwise and len(params) > 1):
            return None
        size = sum(w.size for _, w, _ in params)
        if size > opt.flat_limit or any(w.dtype != cls.F64 or g.dtype != cls.F64 for _, w, g in params):
            return None
        for key, w, _ in params:
            old = opt.state.get(key)
            if old is not None and any(
                name not in old or old[name].shape != w.shape or old[name].dtype != cls.F64 for name in opt.slots
            ):
                return None
        flat = cls(size, opt.slots)
        start = 0
        for key, w, _ in params:
            end = start + w.size
            slot = opt.state.setdefault(key, {})
            views = []
            for name, array in flat.slots.items():
                view = array[start:end].reshape(w.shape)
                if name in slot:
                    view[...] = slot[name]
                slot[name] = view
                views.append((name, view))
            flat.entries.append((key, w, w.shape, slot, views))
            flat.w_views.append(flat.w[start:end].reshape(w.shape))
            start = end
        return flat

    def matches(self, params, state) -> bool:
        """Whether ``params`` and ``state`` are still the ones this was built for."""
        if len(params) != len(self.entries):
            return False
        f64 = self.F64
        for (key, w, g), (k, weights, shape, slot, views) in zip(params, self.entries):
            # the same weight array: its shape and dtype were checked when this was built
            if key != k or w is not weights or g.shape != shape or g.dtype != f64:
                return False
            if state.get(key) is not slot:
                return False
            for name, view in views:
                if slot.get(name) is not view:
                    return False
        return True

    def step(self, opt: Optimizer, params, lr: float) -> None:
        np.concatenate([w.reshape(-1) for _, w, _ in params], out=self.w)
        np.concatenate([g.reshape(-1) for _, _, g in params], out=self.g)
        opt.update(self.w, self.g, self.slots, lr)
        for (_, w, _), view in zip(params, self.w_views):
            w[...] = view


OPTIMIZERS: Registry[Optimizer] = Registry("optimizer")

# ---- the settings optimizers share; each optimizer picks its own defaults
LEARNING_RATE = Setting(
    "lr", "Learning rate η", 0.03, "log", symbol="η", low=0.0, low_open=True, control=(1e-7, 100.0), step=1e-4,
    help="The step size η in w ← w − η·g. The chapters: if it is too small, convergence is slow; "
         "if it is too large, we risk divergence, or slow convergence due to oscillation. Try "
         "factors of 10 first (0.001, 0.01, 0.1); the arrows step 1-2-5 and you can type 1e-4. "
         "It can be changed while training runs.")


def _decay(name: str, symbol: str, label: str, default: float, help: str, top: float = 0.9999,
           aliases: tuple[str, ...] = ()) -> Setting:
    """A decay factor in [0, 1): the share of the running value kept at each step."""
    return Setting(name, label, default, "decay", symbol=symbol, low=0.0, high=1.0, high_open=True,
                   control=(0.0, top), help=help, aliases=aliases)


MOMENTUM = _decay("gamma", "γ", "Momentum γ", 0.9, "How much of the previous step carries over: "
                  "v ← γ v + η g. 0 is plain SGD; 0.9 is usual.", aliases=("momentum",))
DECAY = _decay("rho", "ρ", "Decay ρ", 0.9, "How fast the running average of squared gradients forgets: "
               "G ← ρ G + (1 − ρ) g². Close to 1 = long memory.")
BETA1 = _decay("beta1", "β₁", "β₁ (momentum)", 0.9,
               "Decay of Adam's running mean of gradients m (its momentum part). Usually 0.9.")
BETA2 = _decay("beta2", "β₂", "β₂ (scaling)", 0.999, "Decay of Adam's running mean of squared gradients v "
               "(its RMSProp part). Usually 0.999.", top=0.999999)
EPSILON = Setting(
    "eps", "ε", 1e-8, "log", symbol="ε", low=0.0, low_open=True, control=(1e-15, 1.0), step=1e-8,
    help="A tiny number added to the denominator so a weight whose gradients were all ~0 does "
         "not get a division by zero. Rarely needs changing.")


@OPTIMIZERS.register("sgd")
class SGD(Optimizer):
    """w ← w - η g."""

    title = "SGD"
    formula = "w ← w − η g"
    settings = (LEARNING_RATE,)
    help = "Plain gradient descent: a step of size η against the gradient."

    def update(self, w, g, slot, lr):
        w -= lr * g

    def worked_update(self, w, g, slot, lr, t):
        return [UpdateStep("w", "{w} − {η}·{g}", {"w": w, "η": lr, "g": g}, w - lr * g, "w")]


@OPTIMIZERS.register("momentum")
class Momentum(Optimizer):
    """v ← γ v + η g;  w ← w - v."""

    title = "Momentum"
    formula = "v ← γ v + η g;  w ← w − v"
    settings = (LEARNING_RATE, MOMENTUM)
    slots = ("v",)
    help = "Keeps a running velocity v, so steps grow along directions the gradient keeps pointing."
    details = ("The chapters: momentum “averages” recent gradient updates, which damps oscillation "
               "across a valley and speeds travel along it.")

    def update(self, w, g, slot, lr):
        v = slot["v"]
        v *= self.hyper["gamma"]
        v += lr * g
        w -= v

    def worked_update(self, w, g, slot, lr, t):
        gamma = self.hyper["gamma"]
        v = slot["v"] * gamma + lr * g
        return [UpdateStep("v", "{γ}·{v} + {η}·{g}", {"γ": gamma, "v": slot["v"], "η": lr, "g": g}, v, "v"),
                UpdateStep("w", "{w} − {v}", {"w": w, "v": v}, w - v, "w")]


@OPTIMIZERS.register("nesterov")
class Nesterov(Optimizer):
    """v ← γ v + g;  w ← w - η (g + γ v)."""

    title = "Nesterov momentum"
    formula = "v ← γ v + g;  w ← w − η (g + γ v)"
    settings = (LEARNING_RATE, MOMENTUM)
    slots = ("v",)
    help = "Momentum that looks ahead: the step uses the gradient plus the updated velocity."

    def update(self, w, g, slot, lr):
        gamma = self.hyper["gamma"]
        v = slot["v"]
        v *= gamma
        v += g
        w -= lr * (g + gamma * v)

    def worked_update(self, w, g, slot, lr, t):
        gamma = self.hyper["gamma"]
        v = slot["v"] * gamma + g
        return [UpdateStep("v", "{γ}·{v} + {g}", {"γ": gamma, "v": slot["v"], "g": g}, v, "v"),
                UpdateStep("w", "{w} − {η}·({g} + {γ}·{v})", {"w": w, "η": lr, "g": g, "γ": gamma, "v": v},
                           w - lr * (g + gamma * v), "w")]


@OPTIMIZERS.register("adagrad")
class AdaGrad(Optimizer):
    """G ← G + g²;  w ← w - η g / (sqrt(G) + ε)."""

    title = "AdaGrad"
    formula = "G ← G + g²<br>w ← w − η g / (√G + ε)"
    settings = (LEARNING_RATE.with_default(0.01), EPSILON.with_default(1e-10))
    adapts_step = True
    slots = ("G",)
    nonnegative_slots = ("G",)
    help = "Divides each weight's step by the root of all its past squared gradients."

    def update(self, w, g, slot, lr):
        G = slot["G"]
        G += g * g
        w -= lr * g / (np.sqrt(G) + self.hyper["eps"])

    def worked_update(self, w, g, slot, lr, t):
        eps = self.hyper["eps"]
        G = slot["G"] + g * g
        return [UpdateStep("G", "{G} + {g}²", {"G": slot["G"], "g": g}, G, "G"),
                UpdateStep("w", "{w} − {η}·{g} / (√{G} + {ε})", {"w": w, "η": lr, "g": g, "G": G, "ε": eps},
                           w - lr * g / (np.sqrt(G) + eps), "w")]


@OPTIMIZERS.register("rmsprop")
class RMSProp(Optimizer):
    """G ← ρ G + (1-ρ) g²;  w ← w - η g / (sqrt(G) + ε).

    The chapters call this update "adadelta" (G ← γG + (1-γ)g²; w ← w - η g / sqrt(G + ε)).
    """

    title = "RMSProp (the chapters' “adadelta”)"
    formula = "G ← ρ G + (1−ρ) g²<br>w ← w − η g / (√G + ε)"
    settings = (LEARNING_RATE.with_default(0.001), DECAY, EPSILON)
    adapts_step = True
    slots = ("G",)
    nonnegative_slots = ("G",)
    help = ("Divides each step η·g by the RMS of recent gradients (the chapters' “adadelta” formula); "
            "unlike AdaDelta (Zeiler) the step's size is η's, so η must be small (0.001).")
    details = ("The update the chapters call “adadelta” — G ← γG + (1−γ)g²; "
               "w ← w − η g / sqrt(G + ε) — is this one: a per-weight step size that grows where "
               "the gradient has been small (the surface is nearly flat).")

    def update(self, w, g, slot, lr):
        rho = self.hyper["rho"]
        G = slot["G"]
        G *= rho
        G += (1.0 - rho) * (g * g)
        w -= lr * g / (np.sqrt(G) + self.hyper["eps"])

    def worked_update(self, w, g, slot, lr, t):
        rho, eps = self.hyper["rho"], self.hyper["eps"]
        G = slot["G"] * rho + (1.0 - rho) * (g * g)
        return [UpdateStep("G", "{ρ}·{G} + (1 − {ρ})·{g}²", {"ρ": rho, "G": slot["G"], "g": g}, G, "G"),
                UpdateStep("w", "{w} − {η}·{g} / (√{G} + {ε})", {"w": w, "η": lr, "g": g, "G": G, "ε": eps},
                           w - lr * g / (np.sqrt(G) + eps), "w")]


@OPTIMIZERS.register("adadelta")
class AdaDelta(Optimizer):
    """Zeiler (2012): E_g ← ρ E_g + (1-ρ) g²;  Δ = sqrt(E_Δ + ε) / sqrt(E_g + ε) · g;
    E_Δ ← ρ E_Δ + (1-ρ) Δ²;  w ← w - η Δ."""

    title = "AdaDelta (Zeiler)"
    formula = ("E<sub>g</sub> ← ρE<sub>g</sub> + (1−ρ)g²<br>Δ = √(E<sub>Δ</sub>+ε) / √(E<sub>g</sub>+ε) · g<br>"
               "E<sub>Δ</sub> ← ρE<sub>Δ</sub> + (1−ρ)Δ²;  w ← w − η Δ")
    settings = (LEARNING_RATE.with_default(1.0), DECAY, EPSILON.with_default(1e-6))
    adapts_step = True
    slots = ("Eg", "Edelta")
    nonnegative_slots = ("Eg", "Edelta")
    details = "This is Zeiler's original AdaDelta (SPEC). The chapters' “adadelta” formula is RMSProp here."
    help = ("Zeiler's AdaDelta: divides g by the RMS of recent gradients as RMSProp does, but multiplies "
            "it by the RMS of recent steps too, so the steps find their own size and η = 1 works.")

    def update(self, w, g, slot, lr):
        rho, eps = self.hyper["rho"], self.hyper["eps"]
        Eg, Ed = slot["Eg"], slot["Edelta"]
        Eg *= rho
        Eg += (1.0 - rho) * (g * g)
        delta = np.sqrt(Ed + eps) / np.sqrt(Eg + eps) * g
        Ed *= rho
        Ed += (1.0 - rho) * (delta * delta)
        w -= lr * delta

    def worked_update(self, w, g, slot, lr, t):
        rho, eps = self.hyper["rho"], self.hyper["eps"]
        Eg = slot["Eg"] * rho + (1.0 - rho) * (g * g)
        delta = np.sqrt(slot["Edelta"] + eps) / np.sqrt(Eg + eps) * g
        Ed = slot["Edelta"] * rho + (1.0 - rho) * (delta * delta)
        return [
            UpdateStep("E_g", "{ρ}·{E_g} + (1 − {ρ})·{g}²", {"ρ": rho, "E_g": slot["Eg"], "g": g}, Eg, "Eg"),
            UpdateStep("Δ", "√({E_Δ} + {ε}) / √({E_g} + {ε})·{g}",
                       {"E_Δ": slot["Edelta"], "ε": eps, "E_g": Eg, "g": g}, delta),
            UpdateStep("E_Δ", "{ρ}·{E_Δ} + (1 − {ρ})·{Δ}²", {"ρ": rho, "E_Δ": slot["Edelta"], "Δ": delta}, Ed,
                       "Edelta"),
            UpdateStep("w", "{w} − {η}·{Δ}", {"w": w, "η": lr, "Δ": delta}, w - lr * delta, "w"),
        ]


@OPTIMIZERS.register("adam")
class Adam(Optimizer):
    """m ← β₁m + (1-β₁)g;  v ← β₂v + (1-β₂)g²;  w ← w - η m̂ / (sqrt(v̂) + ε),
    with m̂ = m / (1-β₁ᵗ), v̂ = v / (1-β₂ᵗ)."""

    title = "Adam"
    formula = "m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²<br>w ← w − η m / (√v + ε)   (m, v bias-corrected)"
    settings = (LEARNING_RATE.with_default(0.001), BETA1, BETA2, EPSILON)
    adapts_step = True
    slots = ("m", "v")
    nonnegative_slots = ("v",)
    help = "Momentum on the gradient and RMSProp-style scaling, both bias-corrected."
    details = "The chapters: Adam combines momentum and the adaptive per-weight step size."

    def update(self, w, g, slot, lr):
        b1, b2 = self.hyper["beta1"], self.hyper["beta2"]
        m, v = slot["m"], slot["v"]
        m *= b1
        m += (1.0 - b1) * g
        v *= b2
        v += (1.0 - b2) * (g * g)
        m_hat = m / (1.0 - b1**self.t)
        v_hat = v / (1.0 - b2**self.t)
        w -= lr * m_hat / (np.sqrt(v_hat) + self.hyper["eps"])

    def worked_update(self, w, g, slot, lr, t):
        b1, b2, eps = self.hyper["beta1"], self.hyper["beta2"], self.hyper["eps"]
        m = slot["m"] * b1 + (1.0 - b1) * g
        v = slot["v"] * b2 + (1.0 - b2) * (g * g)
        m_hat = m / (1.0 - b1**t)
        v_hat = v / (1.0 - b2**t)
        return [
            UpdateStep("m", "{β₁}·{m} + (1 − {β₁})·{g}", {"β₁": b1, "m": slot["m"], "g": g}, m, "m"),
            UpdateStep("v", "{β₂}·{v} + (1 − {β₂})·{g}²", {"β₂": b2, "v": slot["v"], "g": g}, v, "v"),
            UpdateStep("m̂", "{m} / (1 − {β₁}^{t})", {"m": m, "β₁": b1, "t": t}, m_hat),
            UpdateStep("v̂", "{v} / (1 − {β₂}^{t})", {"v": v, "β₂": b2, "t": t}, v_hat),
            UpdateStep("w", "{w} − {η}·{m̂} / (√{v̂} + {ε})", {"w": w, "η": lr, "m̂": m_hat, "v̂": v_hat, "ε": eps},
                       w - lr * m_hat / (np.sqrt(v_hat) + eps), "w"),
        ]


def canonical_hyper(name: str, settings: dict[str, float]) -> dict[str, float]:
    """Settings of optimizer ``name`` with aliases resolved and SPEC defaults filled in."""
    return OPTIMIZERS.get(name).resolve(settings)


def make_optimizer(name: str, settings: dict[str, float] | None = None) -> Optimizer:
    cls = OPTIMIZERS.get(name)
    return cls(**cls.resolve(settings))
