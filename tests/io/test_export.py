"""Exports: npz and JSON give back the weights exactly; the ONNX graph, run in
onnxruntime, matches Experiment.predict for every activation, feature and task."""

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from io_helpers import assert_bits_equal, small_config
from nnplay.core import ACTIVATIONS, BatchNormConfig, DataConfig, DenseConfig, DropoutConfig, Experiment
from nnplay.core.config import FEATURES
from nnplay.io.export import ExportError, architecture, export, export_suffix, load_npz


@pytest.fixture(scope="module")
def trained():
    exp = Experiment(small_config())
    exp.trainer.run(2)
    return exp


def test_npz_holds_every_array_under_its_name(tmp_path, trained):
    path = tmp_path / "w.npz"
    export(trained.config, trained.network.get_weights(), path)
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == sorted([
            "architecture", "layer0.W", "layer0.b", "layer2.gamma", "layer2.beta", "layer2.running_mean",
            "layer2.running_var", "layer3.W", "layer3.b"])
        assert npz["layer0.W"].shape == (3, 6) and npz["layer0.W"].dtype == np.float64
    arch, weights = load_npz(path)
    assert arch == architecture(trained.config)
    assert arch["layers"][1] == {"type": "dropout", "rate": 0.25} and arch["inputs"] == 2
    assert_bits_equal(weights, trained.network.get_weights())


def test_json_holds_architecture_and_weights(tmp_path, trained):
    path = tmp_path / "w.json"
    export(trained.config, trained.network.get_weights(), path)
    data = json.loads(path.read_text())
    assert data["format"] == "nnplay-weights" and data["features"] == ["x1", "x2", "x1*x2"]
    assert data["loss"] == "nll" and data["task"] == "binary"
    assert_bits_equal([{k: np.array(v) for k, v in w.items()} for w in data["weights"]],
                      trained.network.get_weights())


@pytest.mark.parametrize("name", ["w.txt", "w", "w.onnx.bak"])
def test_unknown_suffix_is_refused(name):
    with pytest.raises(ExportError, match="use a name ending in .npz, .json or .onnx"):
        export_suffix(name)


def test_suffix_case_does_not_matter():
    assert export_suffix("W.ONNX") == ".onnx"


HIDDEN = [name for name in ACTIVATIONS.names() if name != "softmax"] + ["linear"]


def _every_activation_net(task, loss, output, units, data, features=list(FEATURES)):
    layers = [DenseConfig(5, act, "he_normal") for act in HIDDEN]
    layers[3:3] = [BatchNormConfig(), DropoutConfig(0.3)]
    layers.append(BatchNormConfig())
    layers.append(DenseConfig(units, output))
    cfg = small_config(task=task, loss=loss, features=features, layers=layers, data=data)
    exp = Experiment(cfg)
    exp.trainer.run(2)  # running statistics away from 0 and 1
    return exp


CASES = {
    "binary": lambda: _every_activation_net("binary", "nll", "sigmoid", 1, DataConfig("generated", "spiral", n=80)),
    "hinge": lambda: _every_activation_net("binary", "hinge", "identity", 1, DataConfig("generated", "xor", n=80)),
    "multiclass": lambda: _every_activation_net("multiclass", "nllm", "softmax", 5,
                                                DataConfig("generated", "blobs", n=80, classes=5)),
    "regression": lambda: _every_activation_net("regression", "squared", "identity", 1,
                                                DataConfig("generated", "ripple", n=80)),
    "regression 1-D": lambda: _every_activation_net("regression", "mae", "linear", 1,
                                                    DataConfig("generated", "sine", n=80),
                                                    ["sin(x1)", "x1", "x1^2"]),
    "softmax with squared loss": lambda: _every_activation_net("multiclass", "squared", "softmax", 3,
                                                    DataConfig("generated", "blobs", n=80, classes=3)),
    "one feature, no hidden layer": lambda: Experiment(small_config(
        task="regression", loss="squared", features=["x1"], layers=[DenseConfig(1, "identity")],
        data=DataConfig("generated", "abs", n=40))),
    "logistic regression on squares": lambda: Experiment(small_config(
        features=["x1^2", "x2^2"], layers=[DenseConfig(1, "sigmoid")], data=DataConfig("generated", "circles", n=40))),
}


@pytest.mark.parametrize("case", CASES)
def test_onnx_matches_predict(tmp_path, case):
    exp = CASES[case]()
    path = tmp_path / "net.onnx"
    export(exp.config, exp.network.get_weights(), path)
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    [inp], [out] = session.get_inputs(), session.get_outputs()
    assert (inp.name, out.name, inp.type, out.type) == ("input", "output", "tensor(double)", "tensor(double)")
    dims = exp.dataset.dims
    assert inp.shape[1] == dims and isinstance(inp.shape[0], str)  # any number of rows
    rng = np.random.default_rng(0)
    for points in (rng.uniform(-3, 3, (200, dims)), rng.uniform(-60, 60, (50, dims)), np.zeros((1, dims))):
        got = session.run(None, {"input": points})[0]
        want = exp.predict(points)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


def test_onnx_of_an_untrained_step_net_is_exact(tmp_path):
    cfg = small_config(layers=[DenseConfig(4, "step"), DenseConfig(1, "sigmoid")])
    exp = Experiment(cfg)
    path = tmp_path / "step.onnx"
    export(cfg, exp.network.get_weights(), path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    points = np.random.default_rng(1).normal(size=(100, 2))
    np.testing.assert_allclose(session.run(None, {"input": points})[0], exp.predict(points), rtol=1e-12, atol=0)
