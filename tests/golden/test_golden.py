"""Every result the same to the bit as when tests/golden/expected.json was recorded:
the trained network files, paused and resumed runs, predictions and exports of every
bundled example and reference case (see record.py)."""

from __future__ import annotations

import json

import pytest

from tests.golden.kernel import RECORDED_KERNEL, cpu_runs_recorded_kernel, kernel_in_use
from tests.golden.record import EXPECTED, _example_configs, _info, _reference_configs, record_config

GOLDEN = json.loads(EXPECTED.read_text(encoding="utf-8"))
EXAMPLES = {name: (path, config) for name, path, config in _example_configs()}
REFERENCE = dict(_reference_configs())


@pytest.fixture(autouse=True)
def recorded_kernel():
    """The digests hold only under the BLAS kernel they were recorded with (kernel.py)."""
    if not cpu_runs_recorded_kernel():
        pytest.skip(f"this CPU cannot run OpenBLAS's {RECORDED_KERNEL} kernel the digests were recorded with")
    in_use = kernel_in_use()
    assert in_use == RECORDED_KERNEL, (
        f"OpenBLAS runs its {in_use} kernel, the digests were recorded with {RECORDED_KERNEL}: "
        "NumPy was imported before tests/conftest.py pinned it, or OPENBLAS_CORETYPE is set"
    )


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
