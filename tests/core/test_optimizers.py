"""Each optimizer's first updates against SPEC's formulas worked by hand, with SPEC's
defaults; state per layer and parameter; ``t`` counting updates."""

import re

import numpy as np
import pytest

from nnplay.core.errors import ConfigError
from nnplay.core.optimizers import OPTIMIZERS, canonical_hyper, make_optimizer

GRADS = [0.5, -0.25, 1.0]  # the gradient at updates t = 1, 2, 3, for a weight starting at 1.0

# Each list: w after updates 1, 2, 3, worked step by step in plain Python floats.
HAND = {
    # w ← w - 0.03 g: 1 - 0.015; + 0.0075; - 0.03
    "sgd": [0.985, 0.9925, 0.9625],
    # v ← 0.9 v + 0.03 g; w ← w - v
    # v = 0.015, w = 0.985; v = 0.0135 - 0.0075 = 0.006, w = 0.979; v = 0.0054 + 0.03 = 0.0354, w = 0.9436
    "momentum": [0.985, 0.979, 0.9436],
    # v ← 0.9 v + g; w ← w - 0.03 (g + 0.9 v)
    # v = 0.5, w = 1 - 0.03 (0.5 + 0.45) = 0.9715
    # v = 0.45 - 0.25 = 0.2, w = 0.9715 - 0.03 (-0.25 + 0.18) = 0.9736
    # v = 0.18 + 1 = 1.18, w = 0.9736 - 0.03 (1 + 1.062) = 0.91174
    "nesterov": [0.9715, 0.9736, 0.91174],
    # G ← G + g²; w ← w - 0.01 g / (sqrt G + 1e-10)
    # G = 0.25, w = 1 - 0.005 / (0.5 + 1e-10) = 0.990000000002
    # G = 0.3125, w += 0.0025 / 0.5590169944 → 0.9944721359561995
    # G = 1.3125, w -= 0.01 / 1.1456439237 → 0.9857434203475217
    "adagrad": [0.990000000002, 0.9944721359561995, 0.9857434203475217],
    # G ← 0.9 G + 0.1 g²; w ← w - 0.001 g / (sqrt G + 1e-8)
    # G = 0.025, w = 1 - 0.0005 / 0.15811389 = 0.9968377225398316
    # G = 0.0225 + 0.00625 = 0.02875, w += 0.00025 / 0.16955825 → 0.9983121420144241
    # G = 0.025875 + 0.1 = 0.125875, w -= 0.001 / 0.35478867 → 0.9954935627930367
    "rmsprop": [0.9968377225398316, 0.9983121420144241, 0.9954935627930367],
    # E_g ← 0.9 E_g + 0.1 g²; Δ = sqrt(E_Δ + 1e-6) / sqrt(E_g + 1e-6) g; E_Δ ← 0.9 E_Δ + 0.1 Δ²; w ← w - Δ
    # E_g = 0.025, Δ = 0.001 / 0.15811704 · 0.5 = 0.0031622144, E_Δ = 1.0e-6, w = 0.9968377855834876
    # E_g = 0.02875, Δ = sqrt(2e-6) / sqrt(0.028751) · -0.25 → w = 0.9989228726112789
    # third update the same way → 0.9946161569990815
    "adadelta": [0.9968377855834876, 0.9989228726112789, 0.9946161569990815],
    # m ← 0.9 m + 0.1 g; v ← 0.999 v + 0.001 g²; w ← w - 0.001 m̂ / (sqrt v̂ + 1e-8)
    # t=1: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25, w = 1 - 0.001 · 0.5 / (0.5 + 1e-8) = 0.99900000002
    # t=2: m = 0.02, v = 0.00031225, m̂ = 0.02 / 0.19, v̂ = 0.00031225 / 0.001999 → 0.9987336629870784
    # t=3: m = 0.118, v = 0.00131193775, m̂ = 0.118 / 0.271, v̂ = v / 0.002997001 → 0.9980755513967708
    "adam": [0.99900000002, 0.9987336629870784, 0.9980755513967708],
}

SPEC_DEFAULTS = {
    "sgd": {"lr": 0.03},
    "momentum": {"lr": 0.03, "gamma": 0.9},
    "nesterov": {"lr": 0.03, "gamma": 0.9},
    "adagrad": {"lr": 0.01, "eps": 1e-10},
    "rmsprop": {"lr": 0.001, "rho": 0.9, "eps": 1e-8},
    "adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6},
    "adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}


def test_registry_holds_exactly_spec_optimizers_with_spec_defaults():
    assert set(OPTIMIZERS.names()) == set(SPEC_DEFAULTS)
    for name, defaults in SPEC_DEFAULTS.items():
        assert OPTIMIZERS.get(name).defaults == defaults
        assert make_optimizer(name).hyper == defaults
        assert len(OPTIMIZERS.get(name).help) > 20


def test_rmsprop_and_adadelta_each_say_in_one_line_how_they_differ():
    """The chapters' “adadelta” is RMSProp; Zeiler's AdaDelta is another update: each entry's help
    (its tooltip's first line) names the other and the difference, the size of the step."""
    rmsprop, adadelta = OPTIMIZERS.get("rmsprop").help, OPTIMIZERS.get("adadelta").help
    for text, other in ((rmsprop, "AdaDelta"), (adadelta, "RMSProp")):
        assert "\n" not in text and other in text and "RMS of recent gradients" in text
    assert "“adadelta”" in rmsprop and "η must be small" in rmsprop
    assert "RMS of recent steps" in adadelta and "η = 1" in adadelta


@pytest.mark.parametrize("name", sorted(HAND))
def test_first_three_updates_worked_by_hand(name):
    opt = make_optimizer(name)
    w = np.array([1.0])
    for t, (g, expected) in enumerate(zip(GRADS, HAND[name]), start=1):
        opt.step([("layer0.W", w, np.array([g]))], opt.lr)
        assert opt.t == t
        assert w[0] == pytest.approx(expected, rel=1e-13, abs=0)


@pytest.mark.parametrize("name", sorted(HAND))
def test_state_is_per_layer_and_parameter(name):
    """Two arrays updated together follow their own hand-worked paths: no shared slot,
    while ``t`` counts updates of the whole network once each."""
    opt = make_optimizer(name)
    first, second = np.array([1.0]), np.array([1.0])
    quiet = np.array([1.0])  # gradient 0 every time
    for t, g in enumerate(GRADS, start=1):
        opt.step([
            ("layer0.W", first, np.array([g])),
            ("layer2.W", quiet, np.array([0.0])),
            ("layer2.b", second, np.array([g])),
        ], opt.lr)
        assert opt.t == t
        assert first[0] == pytest.approx(HAND[name][t - 1], rel=1e-13)
        assert second[0] == pytest.approx(HAND[name][t - 1], rel=1e-13)
        assert quiet[0] == 1.0
    assert set(opt.state) == {"layer0.W", "layer2.W", "layer2.b"}


def test_scheduled_learning_rate_is_the_one_used():
    opt = make_optimizer("momentum")
    w = np.array([1.0])
    opt.step([("layer0.W", w, np.array([0.5]))], 0.1)  # v = 0.05
    opt.step([("layer0.W", w, np.array([0.5]))], 0.01)  # v = 0.045 + 0.005 = 0.05
    assert w[0] == pytest.approx(0.9, rel=1e-14)


def test_updates_are_elementwise_on_arrays():
    opt = make_optimizer("adam")
    w = np.array([[1.0, 1.0], [1.0, 1.0]])
    g = np.array([[0.5, 0.5], [0.5, 0.5]])
    opt.step([("layer0.W", w, g)], opt.lr)
    np.testing.assert_allclose(w, 0.99900000002, rtol=1e-13)


@pytest.mark.parametrize("name", sorted(HAND))
def test_state_dict_round_trip_continues_exactly(name):
    a, b = make_optimizer(name), make_optimizer(name)
    wa, wb = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    for g in GRADS[:2]:
        a.step([("layer0.W", wa, np.array([g, 2 * g]))], a.lr)
        b.step([("layer0.W", wb, np.array([g, 2 * g]))], b.lr)
    state = a.state_dict()
    c = make_optimizer(name)
    c.load_state_dict({"t": state["t"], "slots": {k: {n: arr.tolist() for n, arr in s.items()}
                                                   for k, s in state["slots"].items()}})
    wc = wb.copy()
    a.step([("layer0.W", wa, np.array([1.0, 3.0]))], a.lr)
    c.step([("layer0.W", wc, np.array([1.0, 3.0]))], c.lr)
    assert np.array_equal(wa, wc)
    assert c.t == 3


def test_aliases_and_unknown_settings():
    assert canonical_hyper("momentum", {"momentum": 0.5}) == {"lr": 0.03, "gamma": 0.5}
    assert make_optimizer("nesterov", {"momentum": 0.8, "lr": 0.1}).hyper == {"lr": 0.1, "gamma": 0.8}
    with pytest.raises(ConfigError, match="beta1"):
        make_optimizer("sgd", {"beta1": 0.9})
    with pytest.raises(ConfigError):
        make_optimizer("lbfgs")


@pytest.mark.parametrize("name", sorted(HAND))
def test_flat_fast_path_gives_the_same_bits_as_one_update_per_array(name):
    """Small networks update all arrays as one flat array; results must not change."""
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (4,), (4,), (4,), (4, 2), (2,)]
    keys = ["layer0.W", "layer0.b", "layer1.gamma", "layer1.beta", "layer2.W", "layer2.b"]
    start = [rng.normal(size=s) for s in shapes]
    fast, slow = make_optimizer(name), make_optimizer(name)
    slow.flat_limit = 0  # every array on its own
    w_fast = [w.copy() for w in start]
    w_slow = [w.copy() for w in start]
    for step in range(4):
        grads = [rng.normal(size=s) for s in shapes]
        lr = 0.1 / (1 + step)
        fast.step(list(zip(keys, w_fast, grads)), lr)
        slow.step(list(zip(keys, w_slow, [g.copy() for g in grads])), lr)
        if step == 1:  # a saved and reloaded state must rebind, not fork
            fast.load_state_dict(fast.state_dict())
    for a, b in zip(w_fast, w_slow):
        assert np.array_equal(a, b)
    for key in keys:
        for slot in OPTIMIZERS.get(name).slots:
            assert np.array_equal(fast.state_dict()["slots"][key][slot], slow.state_dict()["slots"][key][slot])


@pytest.mark.parametrize("name", sorted(HAND))
def test_large_arrays_updated_in_slices_give_the_same_bits(name):
    rng = np.random.default_rng(1)
    start = rng.normal(size=(150, 200))  # 30 000 entries: more than a slice
    sliced, whole = make_optimizer(name), make_optimizer(name)
    whole.slice_size = 10**9
    w_sliced, w_whole = start.copy(), start.copy()
    for step in range(3):
        g = rng.normal(size=start.shape)
        sliced.step([("layer0.W", w_sliced, g)], 0.05)
        whole.step([("layer0.W", w_whole, g.copy())], 0.05)
    assert np.array_equal(w_sliced, w_whole)
    assert not np.array_equal(w_sliced, start)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS.names()))
def test_worked_update_gives_the_updates_very_bits_line_by_line(name):
    """The back-propagation dialog shows ``worked_update``'s lines: their last result is the
    new w and the slots' results the new state, bit for bit as ``update`` makes them."""
    from nnplay.core.optimizers import Optimizer

    rng = np.random.default_rng(7)
    opt = make_optimizer(name)
    assert type(opt).worked_update is not Optimizer.worked_update  # built-ins show their own formula
    w, slot = rng.normal(size=(3, 4)), {s: np.abs(rng.normal(size=(3, 4))) for s in opt.slots}
    for t in (1, 2, 5):
        g = rng.normal(size=(3, 4))
        before_w, before_slot = w.copy(), {s: a.copy() for s, a in slot.items()}
        steps = opt.worked_update(w, g, slot, 0.05, t)
        assert np.array_equal(w, before_w) and all(np.array_equal(slot[s], before_slot[s]) for s in slot)
        opt.t = t
        opt.update(w, g, slot, 0.05)
        assert steps[-1].stores == "w" and np.array_equal(steps[-1].result, w)
        stored = {step.stores: step.result for step in steps if step.stores not in ("", "w")}
        assert set(stored) == set(opt.slots)
        for s in opt.slots:
            assert np.array_equal(stored[s], slot[s]), s
        for step in steps:  # each brace in the expression names an operand, and each operand is used
            names = set(re.findall(r"\{([^}]+)\}", step.expression))
            assert names == set(step.operands), step.expression
