"""Every result the same to the bit as when tests/golden/expected.json was recorded:
the trained network files, paused and resumed runs, predictions and exports of every
bundled example and reference case (see record.py)."""

from __future__ import annotations

import json

import pytest

from tests.golden.record import EXPECTED, _example_configs, _info, _reference_configs, record_config

GOLDEN = json.loads(EXPECTED.read_text(encoding="utf-8"))
EXAMPLES = {name: (path, config) for name, path, config in _example_configs()}
REFERENCE = dict(_reference_configs())


def test_every_example_and_case_is_recorded():
    assert sorted(GOLDEN["examples"]) == sorted(EXAMPLES)
    assert sorted(GOLDEN["reference"]) == sorted(REFERENCE)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_results_are_unchanged(name):
    path, config = EXAMPLES[name]
    expected = dict(GOLDEN["examples"][name])
    assert _info(path) == expected.pop("info")
    assert record_config(config) == expected


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reference_results_are_unchanged(name):
    assert record_config(REFERENCE[name]) == GOLDEN["reference"][name]
