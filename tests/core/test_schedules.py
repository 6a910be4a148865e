"""Learning-rate schedules η(e) by 0-based epoch e (SPEC §1)."""

import pytest

from nnplay.core.errors import ConfigError
from nnplay.core.schedules import SCHEDULES, make_schedule


def test_registry_names():
    assert set(SCHEDULES.names()) == {"constant", "step", "inverse_time", "exponential"}
    for name in SCHEDULES.names():
        assert SCHEDULES.get(name).help


@pytest.mark.parametrize("name, settings, values", [
    ("constant", {}, {0: 0.1, 1: 0.1, 500: 0.1}),
    # η · drop^floor(e / every) with drop 0.1, every 3: e = 0..2 → η, 3..5 → η/10, 7 → η/100
    ("step", {"drop": 0.1, "every": 3}, {0: 0.1, 2: 0.1, 3: 0.01, 5: 0.01, 7: 0.001}),
    # defaults drop 0.5 every 100
    ("step", {}, {0: 0.1, 99: 0.1, 100: 0.05, 250: 0.025}),
    # η / (1 + k e) with k = 0.5: 0.1, 0.1/1.5, 0.1/3
    ("inverse_time", {"k": 0.5}, {0: 0.1, 1: 0.1 / 1.5, 4: 0.1 / 3}),
    # default k = 0.01: e = 10 → 0.1 / 1.1
    ("inverse_time", {}, {0: 0.1, 10: 0.1 / 1.1}),
    # η · k^e with k = 0.5: 0.1, 0.05, 0.0125
    ("exponential", {"k": 0.5}, {0: 0.1, 1: 0.05, 3: 0.0125}),
    # default k = 0.99: e = 2 → 0.1 · 0.9801
    ("exponential", {}, {0: 0.1, 2: 0.09801}),
])
def test_values_by_epoch(name, settings, values):
    schedule = make_schedule(name, settings)
    for epoch, expected in values.items():
        assert schedule(0.1, epoch) == pytest.approx(expected, rel=1e-14), epoch


def test_unknown_setting_is_refused():
    with pytest.raises(ConfigError, match="drop"):
        make_schedule("constant", {"drop": 0.5})
