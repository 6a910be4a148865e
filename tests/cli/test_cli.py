"""The command line: every command's happy path, exit codes, and one-line errors."""

import io
import json
import os
import signal
import subprocess
import sys
import types

import numpy as np
import onnxruntime as ort
import pytest

import nnplay.cli
from cli_helpers import binary_config, edit_file
from nnplay.cli import main
from nnplay.core import DataConfig, DenseConfig, EarlyStoppingConfig, Experiment, OptimizerConfig, TrainingConfig
from nnplay.io import read_network, write_network
from nnplay.io.export import load_npz


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- info
def test_info(capsys, net_file):
    code, out, err = run(capsys, "info", net_file)
    assert code == 0 and err == ""
    assert out.splitlines()[0] == "cli test: binary network on features x1, x2, x1*x2, sin(x1)"
    assert "  1  dense          5  tanh        xavier_uniform           25" in out  # numbered from 1
    assert "  3  batchnorm      5                                       10" in out
    assert "parameters: 41" in out
    assert "data: xor, 60 points, noise 0.1, seed 5; 48 train / 12 validation" in out
    assert "last metrics: none (not trained yet)" in out


# ---------------------------------------------------------------- train
def test_train_writes_back_to_the_file_by_default(capsys, net_file):
    code, out, err = run(capsys, "train", net_file, "--epochs", "20")
    assert code == 0 and err == ""
    lines = out.splitlines()
    progress = [line for line in lines if line.startswith("epoch ")]
    # not a terminal: a line every tenth of the run
    assert [line.split(":")[0] for line in progress] == [f"epoch {e}/20" for e in range(2, 21, 2)]
    assert "updates/s" in progress[-1]
    assert lines[-2].startswith("finished at epoch 20: train loss ")
    assert lines[-1] == f"wrote {net_file}"
    trained = read_network(net_file)
    assert trained.epoch == 20 and len(trained.history["epoch"]) == 20
    assert trained.weights is not None and trained.optimizer_state["t"] == 20 * 5

    straight = Experiment(binary_config())
    straight.trainer.run(20)
    for a, b in zip(trained.weights, straight.network.get_weights()):
        for name in a:
            assert np.array_equal(a[name], b[name])

    code, out, err = run(capsys, "info", net_file)
    assert "epoch: 20\n" in out and "last metrics (epoch 20): train loss" in out


def test_train_continues_from_the_files_epoch(capsys, net_file, tmp_path):
    assert run(capsys, "train", net_file, "--epochs", "3")[0] == 0
    out_file = tmp_path / "more.nnp"
    code, out, _ = run(capsys, "train", net_file, "--epochs", "4", "-o", out_file, "--export", tmp_path / "w.npz")
    assert code == 0 and "finished at epoch 7" in out and f"exported {tmp_path / 'w.npz'}" in out
    assert read_network(net_file).epoch == 3 and read_network(out_file).epoch == 7
    _, weights = load_npz(tmp_path / "w.npz")
    assert np.array_equal(weights[0]["W"], read_network(out_file).weights[0]["W"])


def test_train_default_epochs_come_from_the_file(capsys, net_file):
    edit_file(net_file, training={"batch_size": 0, "epochs": 3, "seed": 1})
    code, out, _ = run(capsys, "train", net_file)
    assert code == 0 and "finished at epoch 3" in out
    code, out, _ = run(capsys, "train", net_file)
    assert "finished at epoch 6" in out


def test_train_on_a_terminal_rewrites_one_line(monkeypatch, net_file):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    assert main(["train", str(net_file), "--epochs", "5"]) == 0
    text = screen.getvalue()
    first, *rest = text.split("\n")
    assert first.startswith("\repoch ") and "epoch 5/5" in first  # all progress on one line
    assert rest[0].startswith("finished at epoch 5")


def test_train_reports_divergence(capsys, tmp_path):
    path = tmp_path / "wild.nnp"
    write_network(binary_config(
        task="regression", features=["x1", "x2"], loss="squared",
        layers=[DenseConfig(8, "relu"), DenseConfig(1, "identity")],
        optimizer=OptimizerConfig("sgd", {"lr": 5.0}), training=TrainingConfig(batch_size=8, epochs=20),
        data=DataConfig("generated", "plane", n=100)), path)
    code, out, err = run(capsys, "train", path)
    assert code == 1 and err == ""
    assert "diverged at epoch 1: the loss became infinite or NaN; lower the learning rate (now 5)" in out
    assert read_network(path).epoch == 0  # the file is still written, and still loads


def test_train_stops_a_loss_that_grows_past_100_times_its_start(capsys, tmp_path):
    """Sine, SGD, η = 10 (issue 13): epoch 1 ends at 7.7e42; the run stops there, exit 1, with the
    line the app's status bar shows, and the file keeps the weights training started from."""
    from nnplay.io.examples import examples_dir

    path = tmp_path / "wild-sine.nnp"
    cfg = read_network(examples_dir() / "sine.nnp")
    cfg.optimizer = OptimizerConfig("sgd", {"lr": 10.0})
    write_network(cfg, path)
    code, out, err = run(capsys, "train", path)
    assert code == 1 and err == ""
    assert out.splitlines() == [
        "diverged at epoch 1: the training loss grew to 7.684e+42, more than 100 times its 0.7846 before "
        "training; lower the learning rate (now 10), or try adam, which scales its own steps; the weights of "
        "epoch 0 are kept", f"wrote {path}"]
    trained = read_network(path)
    assert trained.epoch == 0 and not trained.history["epoch"]


def test_train_reports_early_stopping(capsys, tmp_path):
    path = tmp_path / "early.nnp"
    write_network(binary_config(
        task="regression", features=["x1", "x2"], loss="squared",
        layers=[DenseConfig(8, "relu"), DenseConfig(1, "identity")],
        optimizer=OptimizerConfig("sgd", {"lr": 0.3}),
        training=TrainingConfig(batch_size=8, epochs=200, early_stopping=EarlyStoppingConfig(2, True)),
        data=DataConfig("generated", "plane", n=100)), path)
    code, out, _ = run(capsys, "train", path)
    assert code == 0
    assert ("early stopped at epoch 4: no better validation loss for 2 epochs; best validation loss at epoch 2, "
            "restored: train loss ") in out


def test_train_never_writes_over_a_bundled_example(capsys, tmp_path):
    from nnplay.io.examples import examples_dir

    folder = examples_dir()
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    example = folder / "xor.nnp"
    code, out, err = run(capsys, "train", example, "--epochs", "1")
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert err == (f"nnplay: {example}: a bundled example, which train does not write over; add -o OUT.nnp to "
                   "save the trained network elsewhere\n")
    for argv in (("train", example, "--epochs", "1", "-o", folder / "xor2.nnp"),
                 ("train", example, "--epochs", "1", "-o", tmp_path / "ok.nnp", "--export", folder / "xor.onnx"),
                 ("export", example, "-o", folder / "xor.npz")):
        code, out, err = run(capsys, *argv)
        assert code == 2 and "folder of bundled examples, which nnplay never writes to" in err
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert not (tmp_path / "ok.nnp").exists()  # refused before training
    code, out, _ = run(capsys, "train", example, "--epochs", "1", "-o", tmp_path / "xor.nnp")
    assert code == 0 and read_network(tmp_path / "xor.nnp").epoch == 1


@pytest.fixture(params=["default", "ignored"])
def sigint_at_start(request):
    """The SIGINT handler the command starts with: Python's own, or ignored (SIG_IGN), as in a
    job a shell starts in the background; put back afterwards."""
    before = signal.getsignal(signal.SIGINT)
    handler = signal.default_int_handler if request.param == "default" else signal.SIG_IGN
    signal.signal(signal.SIGINT, handler)
    yield handler
    signal.signal(signal.SIGINT, before)


def test_ctrl_c_stops_between_updates_and_the_file_resumes_exactly(capsys, monkeypatch, net_file, tmp_path,
                                                                   sigint_at_start):
    calls = [0]
    original = nnplay.cli.Progress.on_update

    def interrupt_after_13_updates(self, trainer):
        original(self, trainer)
        calls[0] += 1
        if calls[0] == 13:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(nnplay.cli.Progress, "on_update", interrupt_after_13_updates)
    code, out, _ = run(capsys, "train", net_file, "--epochs", "6")
    assert code == 130
    assert "paused in epoch 3, update 3 of 5; training continues exactly from here" in out
    assert signal.getsignal(signal.SIGINT) is sigint_at_start  # the handler it started with, restored
    paused = read_network(net_file)
    assert (paused.epoch, paused.resume["update_in_epoch"]) == (2, 3)

    monkeypatch.setattr(nnplay.cli.Progress, "on_update", original)
    assert run(capsys, "train", net_file, "--epochs", "4")[0] == 0
    straight = tmp_path / "straight.nnp"
    write_network(binary_config(), straight)
    assert run(capsys, "train", straight, "--epochs", "6")[0] == 0
    a, b = read_network(net_file), read_network(straight)
    assert a.epoch == b.epoch == 6
    for wa, wb in zip(a.weights, b.weights):
        for name in wa:
            assert np.array_equal(wa[name].view(np.int64), wb[name].view(np.int64))
    assert a.history == b.history


# ---------------------------------------------------------------- predict
def test_predict_prints_exact_floats(capsys, net_file, points_file):
    run(capsys, "train", net_file, "--epochs", "2")
    code, out, err = run(capsys, "predict", net_file, "--input", points_file)
    assert code == 0 and err == ""
    points = np.array([[0.5, 0.5], [-1, 2], [2.5, -0.25], [0, 0]])
    want = Experiment(read_network(net_file)).predict(points)[:, 0]
    got = np.array([float(line) for line in out.splitlines()])
    assert np.array_equal(got, want)


def test_predict_multiclass_prints_k_probabilities(capsys, tmp_path, points_file):
    path = tmp_path / "blobs.nnp"
    write_network(binary_config(task="multiclass", loss="nllm",
                                layers=[DenseConfig(6, "relu"), DenseConfig(3, "softmax")],
                                data=DataConfig("generated", "blobs", n=60, classes=3)), path)
    code, out, _ = run(capsys, "predict", path, "--input", points_file)  # weights null: from the seed
    rows = [[float(v) for v in line.split(",")] for line in out.splitlines()]
    assert code == 0 and len(rows) == 4 and all(len(r) == 3 and abs(sum(r) - 1) < 1e-12 for r in rows)


def test_predict_one_input_regression(capsys, tmp_path):
    path = tmp_path / "sine.nnp"
    write_network(binary_config(task="regression", loss="squared", features=["x1", "sin(x1)"],
                                layers=[DenseConfig(4), DenseConfig(1, "identity")],
                                data=DataConfig("generated", "sine", n=40)), path)
    inputs = tmp_path / "x.csv"
    inputs.write_text("-1\n0\n2.5\n")
    code, out, _ = run(capsys, "predict", path, "--input", inputs)
    want = Experiment(read_network(path)).predict(np.array([[-1.0], [0.0], [2.5]]))[:, 0]
    assert code == 0 and [float(v) for v in out.split()] == want.tolist()


# ---------------------------------------------------------------- export
@pytest.mark.parametrize("suffix", [".npz", ".json", ".onnx"])
def test_export(capsys, net_file, tmp_path, suffix):
    target = tmp_path / f"weights{suffix}"
    code, out, err = run(capsys, "export", net_file, "-o", target)
    assert code == 0 and err == "" and out == f"exported {target}\n"
    exp = Experiment(read_network(net_file))
    if suffix == ".npz":
        assert np.array_equal(load_npz(target)[1][0]["W"], exp.network.get_weights()[0]["W"])
    elif suffix == ".json":
        assert json.loads(target.read_text())["weights"][0]["W"] == exp.network.get_weights()[0]["W"].tolist()
    else:
        points = np.random.default_rng(0).uniform(-3, 3, (20, 2))
        got = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"]).run(None, {"input": points})[0]
        np.testing.assert_allclose(got, exp.predict(points), rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- the app
def test_app_missing_is_one_line_and_exit_1(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "nnplay.gui.app", None)
    code, out, err = run(capsys)
    assert code == 1 and err == "nnplay: the app is not part of this installation (nnplay.gui.app is missing)\n"


def test_app_opens_with_the_file(capsys, monkeypatch, net_file):
    opened = []
    fake = types.ModuleType("nnplay.gui.app")
    fake.run = lambda path=None: opened.append(path) or 0
    monkeypatch.setitem(sys.modules, "nnplay.gui.app", fake)
    assert run(capsys)[0] == 0
    assert run(capsys, net_file)[0] == 0
    assert opened == [None, str(net_file)]
    code, _, err = run(capsys, net_file.parent / "missing.nnp")
    assert code == 2 and err.endswith("missing.nnp: no such file\n") and len(opened) == 2


# ---------------------------------------------------------------- bad input
def _broken(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


BAD_INPUTS = [
    (lambda t: ["info", t / "nope.nnp"], "nope.nnp: no such file"),
    (lambda t: ["info", _broken(t, "b.nnp", "{oops")],
     "b.nnp: not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2"),
    (lambda t: ["train", _broken(t, "c.nnp", '{"format": "nnplay-network", "version": 7}')],
     "c.nnp: version: written by a newer nnplay (version 7); this one reads version 1"),
    (lambda t: ["predict", t / "net.nnp", "--input", _broken(t, "p.csv", "x1,x2\n1,zwei\n")],
     'p.csv: line 2, column 2 (x2): "zwei" is not a number'),
    (lambda t: ["predict", t / "net.nnp", "--input", t / "none.csv"], "none.csv: no such file"),
    (lambda t: ["predict", t / "net.nnp"], "the following arguments are required: --input"),
    (lambda t: ["export", t / "net.nnp", "-o", t / "w.txt"],
     "w.txt: cannot export to '.txt'; use a name ending in .npz, .json or .onnx"),
    (lambda t: ["export", t / "net.nnp", "-o", t / "no" / "such" / "w.npz"], "w.npz: cannot write it"),
    (lambda t: ["train", t / "net.nnp", "--export", t / "w.pt"], "w.pt: cannot export to '.pt'"),
    (lambda t: ["train", t / "net.nnp", "--epochs", "-3"], "argument --epochs: -3 is not from 0 to 10,000,000"),
    (lambda t: ["train", t / "net.nnp", "--epochs", "many"], "argument --epochs: 'many' is not a whole number"),
    (lambda t: ["train", t / "net.nnp", "-o", t], "cannot write it"),
    (lambda t: ["info"], "the following arguments are required: FILE.nnp"),
    (lambda t: ["--bogus"], "unrecognized arguments: --bogus"),
    (lambda t: ["frobnicate", "x"], "unknown command 'frobnicate'; the commands are train, predict, export, info"),
]


@pytest.mark.parametrize("make_argv, message", BAD_INPUTS, ids=[m[:40] for _, m in BAD_INPUTS])
def test_bad_input_is_exit_2_and_one_line(capsys, tmp_path, net_file, make_argv, message):
    code, out, err = run(capsys, *make_argv(tmp_path))
    assert code == 2
    assert err.startswith("nnplay: ") and err.count("\n") == 1 and message in err
    assert "Traceback" not in err


def test_a_layer_error_names_the_file_and_key(capsys, net_file):
    edit_file(net_file, layers=[{"type": "dense", "units": 4}, {"type": "dense", "units": -3}])
    code, _, err = run(capsys, "info", net_file)
    assert code == 2 and err == f"nnplay: {net_file}: layers[1].units: must be a whole number from 1 to 4,096, got -3\n"


def test_help_and_version(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "train" in out and "predict" in out and "export" in out and "info" in out
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("nnplay ")


# ---------------------------------------------------------------- as a real process
def _nnplay(*args, cwd):
    return subprocess.run([sys.executable, "-m", "nnplay", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_every_command_as_a_process(tmp_path, net_file, points_file):
    info = _nnplay("info", "net.nnp", cwd=tmp_path)
    assert info.returncode == 0 and "parameters: 41" in info.stdout

    train = _nnplay("train", "net.nnp", "--epochs", "5", "-o", "out.nnp", "--export", "out.onnx", cwd=tmp_path)
    assert train.returncode == 0, train.stderr
    assert "finished at epoch 5" in train.stdout and (tmp_path / "out.onnx").exists()

    predict = _nnplay("predict", "out.nnp", "--input", "points.csv", cwd=tmp_path)
    assert predict.returncode == 0
    want = Experiment(read_network(tmp_path / "out.nnp")).predict(np.loadtxt(points_file, delimiter=",", skiprows=1))
    assert [float(v) for v in predict.stdout.split()] == want[:, 0].tolist()

    export = _nnplay("export", "out.nnp", "-o", "out.json", cwd=tmp_path)
    assert export.returncode == 0 and json.loads((tmp_path / "out.json").read_text())["format"] == "nnplay-weights"

    bad = _nnplay("predict", "out.nnp", "--input", "net.nnp", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith("nnplay: net.nnp: line 1: the header is")


def test_the_headless_commands_load_neither_qt_nor_onnx():
    code = ("import sys, nnplay.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'onnx', 'onnxruntime')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_terminal_that_cannot_show_unicode_gets_escapes_not_a_crash(tmp_path):
    path = tmp_path / "u.nnp"
    write_network(binary_config(name="Netz ✓"), path)
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    result = subprocess.run([sys.executable, "-m", "nnplay", "info", str(path)], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("Netz \\u2713: binary network")


def test_ctrl_c_at_the_end_of_an_epoch(capsys, monkeypatch, net_file):
    original = nnplay.cli.Progress.on_epoch

    def interrupt_after_epoch_2(self, trainer):
        original(self, trainer)
        if trainer.epoch == 2:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(nnplay.cli.Progress, "on_epoch", interrupt_after_epoch_2)
    code, out, _ = run(capsys, "train", net_file, "--epochs", "6")
    assert code == 130 and "paused after epoch 2; training continues exactly from here" in out
    saved = read_network(net_file)
    assert saved.epoch == 2 and not (saved.resume or {}).get("update_in_epoch")
