"""Optimizers (SPEC §1): each turns a gradient g = ∂J/∂w into an in-place update of w.

State lives per parameter array, keyed by ``"layer<i>.<name>"`` so two layers never
share a slot; ``t`` counts updates from 1 and is shared by the whole network.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnplay.core.registry import Registry


class Optimizer:
    """Base class: ``defaults`` are SPEC's hyper-parameters, ``slots`` the per-array state."""

    name = ""
    defaults: dict[str, float] = {}
    #: spellings accepted for a hyper-parameter, mapped to the name the file uses
    aliases: dict[str, str] = {}
    slots: tuple[str, ...] = ()
    help = ""

    def __init__(self, **hyper: float):
        unknown = set(hyper) - set(self.defaults)
        if unknown:
            raise KeyError(
                f"optimizer {self.name!r} has no setting {sorted(unknown)[0]!r}; "
                f"its settings are {', '.join(self.defaults)}"
            )
        self.hyper = {**self.defaults, **hyper}
        self.t = 0
        self.state: dict[str, dict[str, np.ndarray]] = {}

    @property
    def lr(self) -> float:
        return self.hyper["lr"]

    def step(self, params: list[tuple[str, np.ndarray, np.ndarray]], lr: float) -> None:
        """One update of every ``(key, w, g)``; ``lr`` is η after the schedule."""
        self.t += 1
        state = self.state
        for key, w, g in params:
            slot = state.get(key)
            if slot is None:
                slot = state[key] = {name: np.zeros_like(w) for name in self.slots}
            self.update(w, g, slot, lr)

    def update(self, w: np.ndarray, g: np.ndarray, slot: dict[str, np.ndarray], lr: float) -> None:
        raise NotImplementedError

    # --- state that a network file carries, so a resumed run continues exactly
    def state_dict(self) -> dict[str, Any]:
        return {"t": self.t, "slots": {k: {n: a.copy() for n, a in s.items()} for k, s in self.state.items()}}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.t = int(state["t"])
        self.state = {
            key: {name: np.array(arr, dtype=np.float64) for name, arr in slot.items()}
            for key, slot in state["slots"].items()
        }


OPTIMIZERS: Registry[Optimizer] = Registry("optimizer")


@OPTIMIZERS.register("sgd")
class SGD(Optimizer):
    """w ← w - η g."""

    defaults = {"lr": 0.03}
    help = "Plain gradient descent: a step of size η against the gradient."

    def update(self, w, g, slot, lr):
        w -= lr * g


@OPTIMIZERS.register("momentum")
class Momentum(Optimizer):
    """v ← γ v + η g;  w ← w - v."""

    defaults = {"lr": 0.03, "gamma": 0.9}
    aliases = {"momentum": "gamma"}
    slots = ("v",)
    help = "Keeps a running velocity v, so steps grow along directions the gradient keeps pointing."

    def update(self, w, g, slot, lr):
        v = slot["v"]
        v *= self.hyper["gamma"]
        v += lr * g
        w -= v


@OPTIMIZERS.register("nesterov")
class Nesterov(Optimizer):
    """v ← γ v + g;  w ← w - η (g + γ v)."""

    defaults = {"lr": 0.03, "gamma": 0.9}
    aliases = {"momentum": "gamma"}
    slots = ("v",)
    help = "Momentum that looks ahead: the step uses the gradient plus the updated velocity."

    def update(self, w, g, slot, lr):
        gamma = self.hyper["gamma"]
        v = slot["v"]
        v *= gamma
        v += g
        w -= lr * (g + gamma * v)


@OPTIMIZERS.register("adagrad")
class AdaGrad(Optimizer):
    """G ← G + g²;  w ← w - η g / (sqrt(G) + ε)."""

    defaults = {"lr": 0.01, "eps": 1e-10}
    slots = ("G",)
    help = "Divides each weight's step by the root of all its past squared gradients."

    def update(self, w, g, slot, lr):
        G = slot["G"]
        G += g * g
        w -= lr * g / (np.sqrt(G) + self.hyper["eps"])


@OPTIMIZERS.register("rmsprop")
class RMSProp(Optimizer):
    """G ← ρ G + (1-ρ) g²;  w ← w - η g / (sqrt(G) + ε).

    The chapters call this update "adadelta" (G ← γG + (1-γ)g²; w ← w - η g / sqrt(G + ε)).
    """

    defaults = {"lr": 0.001, "rho": 0.9, "eps": 1e-8}
    slots = ("G",)
    help = ("Adagrad with a decaying average of squared gradients. "
            "The chapters' \"adadelta\" formula is this one.")

    def update(self, w, g, slot, lr):
        rho = self.hyper["rho"]
        G = slot["G"]
        G *= rho
        G += (1.0 - rho) * (g * g)
        w -= lr * g / (np.sqrt(G) + self.hyper["eps"])


@OPTIMIZERS.register("adadelta")
class AdaDelta(Optimizer):
    """Zeiler (2012): E_g ← ρ E_g + (1-ρ) g²;  Δ = sqrt(E_Δ + ε) / sqrt(E_g + ε) · g;
    E_Δ ← ρ E_Δ + (1-ρ) Δ²;  w ← w - η Δ."""

    defaults = {"lr": 1.0, "rho": 0.9, "eps": 1e-6}
    slots = ("Eg", "Edelta")
    help = ("Zeiler's AdaDelta: steps scaled by the ratio of recent step sizes to recent gradients, "
            "so η = 1 works. (The chapters' \"adadelta\" is rmsprop here.)")

    def update(self, w, g, slot, lr):
        rho, eps = self.hyper["rho"], self.hyper["eps"]
        Eg, Ed = slot["Eg"], slot["Edelta"]
        Eg *= rho
        Eg += (1.0 - rho) * (g * g)
        delta = np.sqrt(Ed + eps) / np.sqrt(Eg + eps) * g
        Ed *= rho
        Ed += (1.0 - rho) * (delta * delta)
        w -= lr * delta


@OPTIMIZERS.register("adam")
class Adam(Optimizer):
    """m ← β₁m + (1-β₁)g;  v ← β₂v + (1-β₂)g²;  w ← w - η m̂ / (sqrt(v̂) + ε),
    with m̂ = m / (1-β₁ᵗ), v̂ = v / (1-β₂ᵗ)."""

    defaults = {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    slots = ("m", "v")
    help = "Momentum on the gradient and RMSProp-style scaling, both bias-corrected."

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


def canonical_hyper(name: str, settings: dict[str, float]) -> dict[str, float]:
    """Settings of optimizer ``name`` with aliases resolved and SPEC defaults filled in."""
    cls = OPTIMIZERS.get(name)
    resolved = {cls.aliases.get(k, k): v for k, v in settings.items()}
    return {**cls.defaults, **resolved}


def make_optimizer(name: str, settings: dict[str, float] | None = None) -> Optimizer:
    cls = OPTIMIZERS.get(name)
    return cls(**canonical_hyper(name, settings or {}))
