"""The engine's results, recorded so that a refactoring can be checked to change none of them.

For every bundled example (resources/examples/*.nnp) and every case of the reference
test (tests/core/test_reference.py): train a few epochs through ``Experiment`` (the
path the CLI and the app take), pause one run inside an epoch, and digest everything
that comes out: the network file's text (weights, optimizer state, history, resume
point), the predictions on a fixed grid, and the `.json`, `.npz` and `.onnx` exports.
``nnplay info`` is kept as text.

    OPENBLAS_CORETYPE=Haswell python -m tests.golden.record   # write tests/golden/expected.json anew

(the kernel the digests hold for, see kernel.py; the command refuses another one).

Run it only when a change of results is intended, and say so in the commit.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tempfile
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "resources" / "examples"
EXPECTED = Path(__file__).with_name("expected.json")
EPOCHS = 3
PAUSE_AFTER_UPDATES = 2


def _digest(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _array_digest(arrays) -> str:
    h = hashlib.sha256()
    for arr in arrays:
        arr = np.ascontiguousarray(np.asarray(arr, dtype=np.float64))
        h.update(str(arr.shape).encode())
        h.update(arr.tobytes())
    return h.hexdigest()


def _grid(dims: int) -> np.ndarray:
    axis = np.linspace(-3.5, 3.5, 15)
    if dims == 1:
        return axis[:, None]
    return np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)


def _exports(config, weights) -> dict[str, str]:
    from nnplay.io.export import export, load_npz

    out = {}
    with tempfile.TemporaryDirectory() as folder:
        for suffix in (".json", ".npz", ".onnx"):
            path = Path(folder) / f"net{suffix}"
            export(config, weights, path)
            if suffix == ".npz":  # the zip's member times differ run to run: digest the contents
                arch, arrays = load_npz(path)
                out[suffix] = _digest(json.dumps(arch, sort_keys=True)) + ":" + _array_digest(
                    arr for layer in arrays for _, arr in sorted(layer.items()))
            else:
                out[suffix] = _digest(path.read_bytes())
    return out


def record_config(config) -> dict:
    """Digests of one network's results (see the module docstring)."""
    from nnplay.core.experiment import Experiment
    from nnplay.io.networkfile import dumps_network, loads_network
    from tests.io.io_helpers import paused_run

    with np.errstate(all="ignore"):
        experiment = Experiment(config)
        reason = experiment.trainer.run(EPOCHS)
        trained = experiment.to_config()
        text = dumps_network(trained)
        predictions = experiment.predict(_grid(experiment.dataset.dims))
        paused = dumps_network(paused_run(config, 1, PAUSE_AFTER_UPDATES).to_config())
        resumed = Experiment(loads_network(paused))
        resumed.trainer.run(EPOCHS)
        result = {
            "stop": reason.value,
            "train_loss": repr(experiment.trainer.history.last("train_loss")),
            "file": _digest(text),
            "predictions": _array_digest([predictions]),
            "paused_file": _digest(paused),
            "resumed_file": _digest(dumps_network(resumed.to_config())),
            "exports": _exports(trained, trained.weights),
        }
    return result


def _info(path: Path) -> list[str]:
    from nnplay.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        main(["info", str(path)])
    return out.getvalue().splitlines()


def _example_configs():
    from nnplay.io.networkfile import read_network

    for path in sorted(EXAMPLES.glob("*.nnp")):
        yield path.name, path, read_network(path)


def _reference_configs():
    from tests.core.test_reference import CASES, reference_config

    for case in range(len(CASES)):
        yield f"reference case {case}", reference_config(case)


def record() -> dict:
    out: dict = {"examples": {}, "reference": {}}
    for name, path, config in _example_configs():
        out["examples"][name] = {**record_config(config), "info": _info(path)}
    for name, config in _reference_configs():
        out["reference"][name] = record_config(config)
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from tests.golden.kernel import RECORDED_KERNEL, kernel_in_use

    if kernel_in_use() != RECORDED_KERNEL:
        sys.exit(f"OpenBLAS runs its {kernel_in_use()} kernel: run with OPENBLAS_CORETYPE={RECORDED_KERNEL}")
    EXPECTED.write_text(json.dumps(record(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {EXPECTED}")
