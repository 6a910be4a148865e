"""The window against hostile files, paths and values (issue 8)."""

from __future__ import annotations

import os
import stat


# ---------------------------------------------------------------- item 2: only regular files are written
def test_saving_or_exporting_onto_a_named_pipe_is_a_dialog_and_the_pipe_stays(window, tmp_path, dialogs):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert not window.file_actions.save_to(fifo)
    for which in ("boundary", "curves"):
        target = tmp_path / f"{which}.png"
        os.mkfifo(target)
        assert not window.file_actions.export_plot_to(which, target)
        assert stat.S_ISFIFO(os.stat(target).st_mode)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert all("named pipe" in text for _title, text in dialogs["critical"])
    assert len(dialogs["critical"]) == 3


# ---------------------------------------------------------------- item 13: read-only targets
def test_saving_over_a_read_only_file_asks_first(window, tmp_path, dialogs):
    from PySide6.QtWidgets import QMessageBox

    path = tmp_path / "kept.nnp"
    path.write_text("keep me")
    os.chmod(path, 0o444)
    dialogs["answers"].append(QMessageBox.StandardButton.Cancel)
    assert not window.file_actions.save_to(path)
    assert path.read_text() == "keep me" and not dialogs["critical"]
    assert dialogs["question"][-1] == ("Replace a read-only file?", "kept.nnp is read-only. Replace it anyway?")
    dialogs["answers"].append(QMessageBox.StandardButton.Yes)
    assert window.file_actions.save_to(path)
    assert path.read_text() != "keep me" and window.document.path == path

    weights = tmp_path / "w.npz"
    weights.write_bytes(b"keep")
    os.chmod(weights, 0o444)
    dialogs["answers"].append(QMessageBox.StandardButton.Cancel)
    assert not window.file_actions.export_weights_to(weights)
    assert weights.read_bytes() == b"keep"
    dialogs["answers"].append(QMessageBox.StandardButton.Yes)
    assert window.file_actions.export_weights_to(weights) and weights.read_bytes() != b"keep"


# ---------------------------------------------------------------- item 7: a run that overflows or fails
WAIT = 20_000


def _config_at_epoch(epoch: int, schedule):
    from nnplay.gui.document import default_config

    config = default_config()
    config.schedule = schedule
    config.epoch = epoch
    return config


def test_a_learning_rate_that_overflows_ends_the_run_with_a_message(qtbot, window, dialogs):
    from nnplay.core.config import ScheduleConfig

    window.document.replace(_config_at_epoch(10**6, ScheduleConfig("exponential", {"k": 1.001})), None)
    window.play()
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    assert window.status_label.text().startswith(
        "Diverged at epoch 1000001: the learning rate (the exponential schedule at epoch 1000000) became infinite")
    assert window.transport.play_action.text() == "Play" and not dialogs["critical"]


def test_a_training_thread_that_fails_ends_the_run_with_a_dialog(qtbot, window, dialogs):
    experiment = window.document.experiment
    # any failure inside the engine: here the schedule, which the final snapshot reads again
    experiment.schedule.__class__ = type("Broken", (type(experiment.schedule),), {"__call__": broken_method})
    window.play()
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    assert dialogs["critical"] == [("Training stopped", "Training failed: RuntimeError: the schedule broke")]
    assert window.status_label.text() == "Training failed: RuntimeError: the schedule broke"
    assert window.transport.play_action.text() == "Play"
    assert experiment.trainer.update_in_epoch == 0  # the engine is where the epoch began


def broken_method(self, lr, epoch):
    raise RuntimeError("the schedule broke")


# ---------------------------------------------------------------- item 3: a bounded history on screen
def test_the_curves_follow_the_history_when_it_is_thinned(qtbot, window, monkeypatch):
    import numpy as np

    from nnplay.core.history import History

    monkeypatch.setattr(History, "max_rows", 20)
    window.document.edit("Epochs", lambda c: setattr(c.training, "epochs", 60))
    window.play()
    qtbot.waitUntil(lambda: not window.training, timeout=WAIT)
    history = window.document.experiment.trainer.history
    assert history.thinnings > 0 and len(history) <= 20 and history["epoch"][-1] == 60
    np.testing.assert_array_equal(window.curves.buffers.column("epoch"), [0, *history["epoch"]])  # epoch 0 stays


# ---------------------------------------------------------------- item 6: reading off the GUI thread, costs
class BlockedRead:
    """A file read that waits, in whatever thread runs it, until the GUI thread lets it go."""

    def __init__(self, read):
        import threading

        self.read, self.released = read, threading.Event()
        self.gui_ran_while_reading = False

    def __call__(self, path):
        released_in_time = self.released.wait(30)  # a safety net: a read on the GUI thread would wait here
        self.gui_ran_while_reading = released_in_time
        return self.read(path)


def _visible_progress(window):
    from PySide6.QtWidgets import QProgressDialog

    return [d for d in window.findChildren(QProgressDialog) if d.isVisible()]


def test_a_file_is_read_off_the_gui_thread_with_a_progress_dialog(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtCore import QTimer

    import nnplay.gui.background as background
    import nnplay.gui.file_actions as file_actions
    from nnplay.gui.document import default_config
    from nnplay.io import write_network

    path = tmp_path / "slow.nnp"
    config = default_config()
    config.name = "slow"
    write_network(config, path)
    read = BlockedRead(file_actions.read_network)
    monkeypatch.setattr(file_actions, "read_network", read)
    monkeypatch.setattr(background, "SHOW_AFTER_MS", 0)
    seen = []

    def while_reading():  # runs on the GUI thread, in the middle of open_path
        seen.append([d.labelText() for d in _visible_progress(window)])
        read.released.set()

    QTimer.singleShot(50, while_reading)
    assert window.file_actions.open_path(path)
    assert read.gui_ran_while_reading and seen == [["Reading slow.nnp…"]]
    assert window.document.path == path and not _visible_progress(window)


def test_cancelling_a_slow_read_keeps_the_network(qtbot, window, tmp_path, monkeypatch, dialogs):
    from PySide6.QtCore import QTimer

    import nnplay.gui.background as background
    import nnplay.gui.file_actions as file_actions
    from nnplay.gui.document import default_config
    from nnplay.io import write_network

    path = tmp_path / "slow.nnp"
    write_network(default_config(), path)
    read = BlockedRead(file_actions.read_network)
    monkeypatch.setattr(file_actions, "read_network", read)
    monkeypatch.setattr(background, "SHOW_AFTER_MS", 0)
    before = window.document.experiment

    def cancel():  # the user presses Cancel
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QPushButton

        (dialog,) = _visible_progress(window)
        qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)

    QTimer.singleShot(50, cancel)
    assert not window.file_actions.open_path(path)
    assert window.document.experiment is before and window.document.path is None and not dialogs["critical"]
    assert "cancelled" in window.status_label.text()
    read.released.set()
    qtbot.waitUntil(lambda: all(t.isFinished() for t in background._abandoned), timeout=WAIT)
    background.finish_abandoned()


def test_an_edit_that_would_cost_gigabytes_is_refused_and_changes_nothing(window):
    import pytest

    from nnplay.core.config import BatchNormConfig, DenseConfig, DropoutConfig

    before = window.document.config

    def huge(config):
        config.data.n = 100_000
        config.training.batch_size = 0
        config.layers[:-1] = [DenseConfig(125, "tanh"), BatchNormConfig(), DropoutConfig(0.2)] * 21

    with pytest.raises(ValueError, match="the limit is 2 GB"):
        window.document.edit("Layers", huge)
    assert window.document.config == before and window.document.undo_stack.count() == 0


# ---------------------------------------------------------------- item 10: extreme values on screen
def test_a_history_of_extreme_losses_is_drawn_in_a_clamped_view(qtbot, window, tmp_path):
    import json

    import numpy as np

    from nnplay.core import Experiment
    from nnplay.gui.document import default_config
    from nnplay.gui.plots.curves import MAX_VIEW
    from nnplay.io import network_to_dict

    experiment = Experiment(default_config())
    experiment.trainer.run(3)
    obj = network_to_dict(experiment.to_config())
    obj["history"]["train_loss"][1] = 1e308
    obj["history"]["val_loss"][2] = -1.7976931348623157e308
    path = tmp_path / "extreme.nnp"
    path.write_text(json.dumps(obj))
    assert window.file_actions.open_path(path)
    for log in (True, False):
        window.curves.log_scale.setChecked(log)
        window.grab()
    (low, high) = window.curves.loss_plot.viewRange()[1]
    assert np.isfinite(low) and high == MAX_VIEW


def test_importing_points_that_would_overflow_is_a_dialog(window, tmp_path, dialogs):
    path = tmp_path / "far.csv"
    path.write_text("x1,x2,label\n1.7e308,-1.7e308,0\n0,0,1\n")
    before = window.document.config
    assert not window.data_panel.import_points(str(path))
    assert "is too large" in dialogs["critical"][-1][1] and window.document.config == before
