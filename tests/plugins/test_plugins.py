"""A concept added in one class, in one file outside nnplay, reaches every part of the
program: the app lists it with its settings, formula and help; a file with it saves,
loads and resumes exactly; the command line trains it; the ONNX export runs it.

The two plugins (signum_optimizer.py, swish_activation.py) are imported inside a
fixture and the registries put back afterwards, so no other test sees them."""

from __future__ import annotations

import importlib
import sys

import numpy as np
import onnxruntime as ort
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel

from nnplay.cli import main as cli_main
from nnplay.core import ACTIVATIONS, OPTIMIZERS, DataConfig, DenseConfig, Experiment, NetworkConfig
from nnplay.core.config import OptimizerConfig, TrainingConfig
from nnplay.gui.document import Document
from nnplay.gui.panels import NetworkPanel, TrainingPanel
from nnplay.gui.panels.widgets import DecaySpinBox
from nnplay.io import dumps_network, loads_network, read_network, write_network
from nnplay.io.export import export
from tests.gui.panel_helpers import child, pick


def _plugin(monkeypatch, registry, module: str, name: str):
    """Import ``tests.plugins.<module>`` afresh and return the class it registers as
    ``name``; the registration is undone when the test ends."""
    monkeypatch.setattr(registry, "_classes", dict(registry._classes))
    monkeypatch.setattr(registry, "_aliases", dict(registry._aliases))
    sys.modules.pop(f"tests.plugins.{module}", None)  # so that its class registers again
    importlib.import_module(f"tests.plugins.{module}")
    return registry.get(name)


@pytest.fixture
def signum(monkeypatch):
    return _plugin(monkeypatch, OPTIMIZERS, "signum_optimizer", "signum")


@pytest.fixture
def swish(monkeypatch):
    return _plugin(monkeypatch, ACTIVATIONS, "swish_activation", "swish")


def network(optimizer=OptimizerConfig("adam", {"lr": 0.01}), activation="tanh") -> NetworkConfig:
    return NetworkConfig(
        name="plugin", task="binary", features=["x1", "x2"],
        layers=[DenseConfig(6, activation), DenseConfig(4, activation), DenseConfig(1, "sigmoid")],
        loss="nll", optimizer=optimizer, training=TrainingConfig(batch_size=16, epochs=4, seed=2),
        data=DataConfig("generated", "moons", n=120, noise=0.1, seed=3, validation_fraction=0.25),
    )


def _paused_then_resumed(cfg: NetworkConfig) -> tuple[Experiment, Experiment]:
    """One run straight to epoch 4, one paused after 3 updates of epoch 2, written to a
    file, read back and trained on to epoch 4."""
    straight = Experiment(cfg)
    straight.trainer.run(4)
    paused = Experiment(cfg)
    paused.trainer.run(1)
    count = [0]

    def stop(trainer):
        count[0] += 1
        if count[0] == 3:
            trainer.request_stop()

    paused.trainer.run(2, on_update=stop)
    resumed = Experiment(loads_network(dumps_network(paused.to_config())))
    resumed.trainer.run(4)
    return straight, resumed


def _same_bits(a: Experiment, b: Experiment) -> None:
    assert dumps_network(a.to_config()) == dumps_network(b.to_config())


def _onnx_matches(tmp_path, experiment: Experiment) -> None:
    path = tmp_path / "net.onnx"
    cfg = experiment.to_config()
    export(cfg, cfg.weights, path)
    points = np.random.default_rng(0).uniform(-3, 3, (50, 2))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (out,) = session.run(None, {"input": points})
    np.testing.assert_allclose(out, experiment.predict(points), rtol=1e-12, atol=1e-12)


def _cli_trains(tmp_path, cfg: NetworkConfig, capsys) -> NetworkConfig:
    path = tmp_path / "plugin.nnp"
    write_network(cfg, path)
    assert cli_main(["train", str(path), "--epochs", "3"]) == 0
    assert "finished at epoch 3" in capsys.readouterr().out
    return read_network(path)


# ---------------------------------------------------------------- a new optimizer
def test_the_app_offers_a_new_optimizer_with_its_setting_formula_and_help(qtbot, signum):
    document = Document()
    panel = TrainingPanel(document)
    qtbot.addWidget(panel)
    combo = child(panel, QComboBox, "optimizerCombo")
    index = combo.findData("signum")
    assert combo.itemText(index) == "Signum" and signum.help in combo.itemData(index, Qt.ToolTipRole)
    pick(combo, "Signum")
    assert document.config.optimizer == OptimizerConfig("signum", {"lr": 0.01, "kappa": 0.9})
    kappa = child(panel, QDoubleSpinBox, "kappaSpin")
    assert isinstance(kappa, DecaySpinBox) and kappa.value() == pytest.approx(0.9)
    assert kappa.toolTip() == signum.setting("kappa").help
    assert "sign(m)" in child(panel, QLabel, "optimizerFormula").text()
    qtbot.keyClick(kappa, Qt.Key_Up)  # a decay factor steps towards 1
    assert document.config.optimizer.settings["kappa"] == pytest.approx(0.95)
    assert document.experiment.optimizer.hyper["kappa"] == pytest.approx(0.95)  # live, as for Adam's β


def test_a_file_with_a_new_optimizer_saves_loads_and_resumes_exactly(signum):
    cfg = network(OptimizerConfig("signum", {"kappa": 0.8}))
    straight, resumed = _paused_then_resumed(cfg)
    _same_bits(straight, resumed)
    assert set(resumed.optimizer.state["layer0.W"]) == {"m"}


def test_a_file_refuses_a_bad_value_of_the_new_setting(signum):
    from nnplay.io import NetworkFileError, network_to_dict, parse_network

    obj = network_to_dict(network(OptimizerConfig("signum", {})))
    obj["optimizer"]["kappa"] = 1.5
    with pytest.raises(NetworkFileError, match=r"optimizer.kappa: must be a number ≥ 0 and < 1, got 1.5"):
        parse_network(obj)
    obj["optimizer"] = {"name": "signum", "gamma": 0.9}
    with pytest.raises(NetworkFileError, match="'signum' has no setting 'gamma'; its settings are lr, kappa"):
        parse_network(obj)


def test_the_cli_trains_a_new_optimizer_and_onnx_export_works(tmp_path, capsys, signum):
    trained = _cli_trains(tmp_path, network(OptimizerConfig("signum", {"lr": 0.02})), capsys)
    assert trained.optimizer.name == "signum" and trained.epoch == 3
    assert set(trained.optimizer_state["slots"]["layer2.b"]) == {"m"}
    _onnx_matches(tmp_path, Experiment(trained))


def test_step_through_backprop_shows_and_applies_a_new_optimizers_update(signum):
    """No line of the trace names signum: the optimizer's own update, run on copies, is
    shown as its new state and the change of w, and Apply is the run's next update."""
    from nnplay.core.backprop import Trace, apply, next_batch

    exp = Experiment(network(OptimizerConfig("signum", {"kappa": 0.8})))
    exp.trainer.run(1)
    reference = Experiment(exp.to_config())
    trace = Trace(exp.trainer, next_batch(exp.trainer))
    steps = trace.updates["layer0.W"]
    assert [step.stores for step in steps] == ["m", "w"] and "Signum" in steps[0].expression
    apply(exp.trainer, trace)
    reference.trainer.run(2, on_update=lambda t: t.request_stop())
    _same_bits(exp, reference)
    assert np.array_equal(exp.optimizer.state["layer0.W"]["m"], trace.new_state("layer0.W")["m"])


# ---------------------------------------------------------------- a new activation
def test_the_app_offers_a_new_activation_with_its_formula_and_help(qtbot, swish):
    document = Document()
    panel = NetworkPanel(document)
    qtbot.addWidget(panel)
    combo = child(panel, QComboBox, "layer0ActivationCombo")
    tip = combo.itemData(combo.findData("swish"), Qt.ToolTipRole)
    assert swish.help in tip and "f(z) = z / (1 + e^−z)" in tip
    pick(combo, "swish")
    assert document.config.layers[0].activation == "swish"
    assert type(document.experiment.network.layers[0].activation) is swish
    assert "swish" in child(panel, QLabel, "diagramLabel").text()


def test_a_file_with_a_new_activation_saves_loads_and_resumes_exactly(swish):
    straight, resumed = _paused_then_resumed(network(activation="swish"))
    _same_bits(straight, resumed)


def test_the_cli_trains_a_new_activation_and_onnx_export_works(tmp_path, capsys, swish):
    trained = _cli_trains(tmp_path, network(activation="swish"), capsys)
    assert trained.layers[0].activation == "swish"
    _onnx_matches(tmp_path, Experiment(trained))


def test_step_through_backprop_traces_a_new_activation(swish):
    from nnplay.core.backprop import Trace, next_batch

    exp = Experiment(network(activation="swish"))
    exp.trainer.run(1)
    trace = Trace(exp.trainer, next_batch(exp.trainer))
    assert all(trace.finite_difference("layer0.W", i).agrees for i in range(trace.gradients["layer0.W"].size))


def test_the_pairing_advice_knows_what_a_new_output_activation_can_produce(swish):
    from nnplay.core.advice import pairing_notice

    cfg = network(activation="swish")
    cfg.task, cfg.loss, cfg.data.name = "regression", "squared", "ripple"
    cfg.layers[-1].activation = "swish"
    assert "numbers above about −0.28" in pairing_notice(cfg).text


def test_a_plugin_is_gone_once_its_test_ends():
    patch = pytest.MonkeyPatch()
    assert _plugin(patch, OPTIMIZERS, "signum_optimizer", "signum").name == "signum"
    patch.undo()
    assert "signum" not in OPTIMIZERS and OPTIMIZERS.names()[-1] == "adam"
