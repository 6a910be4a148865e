"""Hostile arguments, files and streams on the command line (issue 8)."""

import os
import stat

from nnplay.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str) -> bool:
    return err.startswith("nnplay: ") and err.count("\n") == 1 and "Traceback" not in err


# ---------------------------------------------------------------- item 2: only regular files are written
def test_output_onto_a_named_pipe_is_refused_and_the_pipe_stays(capsys, net_file, tmp_path):
    fifo = tmp_path / "out.nnp"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "train", net_file, "--epochs", "1", "-o", fifo)
    assert code == 2 and _one_line(err)
    assert err.endswith("out.nnp: cannot write it (it is a named pipe; nnplay only writes regular files)\n")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)

    fifo_npz = tmp_path / "w.npz"
    os.mkfifo(fifo_npz)
    code, _, err = run(capsys, "export", net_file, "-o", fifo_npz)
    assert code == 2 and _one_line(err) and "named pipe" in err
    assert stat.S_ISFIFO(os.stat(fifo_npz).st_mode)


# ---------------------------------------------------------------- item 13: read-only targets
def test_a_read_only_output_needs_force(capsys, net_file, tmp_path):
    kept = tmp_path / "kept.nnp"
    kept.write_text("keep me")
    os.chmod(kept, 0o444)
    for argv in (["train", net_file, "--epochs", "1", "-o", kept], ["export", net_file, "-o", kept.with_suffix(".json")]):
        if argv[0] == "export":
            kept = kept.with_suffix(".json")
            kept.write_text("keep me")
            os.chmod(kept, 0o444)
        code, _, err = run(capsys, *argv)
        assert code == 2 and _one_line(err)
        assert err.endswith(f"{kept.name}: cannot write it (it is read-only); pass --force to replace it\n")
        assert kept.read_text() == "keep me"
        code, out, err = run(capsys, *argv, "--force")
        assert code == 0 and err == "" and kept.read_text() != "keep me"
        assert stat.S_IMODE(os.stat(kept).st_mode) == 0o444


# ---------------------------------------------------------------- item 14: CLI details
def test_an_empty_output_name_is_refused_not_taken_for_the_input(capsys, net_file):
    before = net_file.read_bytes()
    for argv in (["train", net_file, "--epochs", "1", "-o", ""], ["train", net_file, "--epochs", "1", "--export", ""],
                 ["export", net_file, "-o", ""], ["predict", net_file, "--input", ""]):
        code, out, err = run(capsys, *argv)
        assert code == 2 and _one_line(err) and "the file name is empty" in err and out == ""
    assert net_file.read_bytes() == before


def test_an_empty_input_name_says_so(capsys):
    for argv in (["info", ""], ["train", ""], [""]):
        code, _, err = run(capsys, *argv)
        assert code == 2 and _one_line(err) and "the file name is empty" in err


def test_an_output_ending_in_a_separator_names_a_folder(capsys, net_file, tmp_path):
    code, out, err = run(capsys, "train", net_file, "--epochs", "1", "-o", f"{tmp_path}/newdir/")
    assert code == 2 and _one_line(err) and "names a folder" in err and out == ""
    assert not (tmp_path / "newdir").exists()


def test_an_output_that_cannot_be_written_is_refused_before_training(capsys, net_file, tmp_path):
    for option in ("-o", "--export"):
        code, out, err = run(capsys, "train", net_file, "--epochs", "1", option, tmp_path / "none" / "x.npz")
        assert code == 2 and _one_line(err) and out == ""  # nothing trained, nothing printed
        assert err.endswith(f"cannot write it (the folder {tmp_path / 'none'} does not exist)\n")


def test_a_named_pipe_nobody_writes_to_reads_as_empty_instead_of_hanging(tmp_path):
    import subprocess
    import sys

    fifo = tmp_path / "pipe.nnp"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "nnplay", "info", str(fifo)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and result.stderr == f"nnplay: {fifo}: the file is empty\n"
    result = subprocess.run([sys.executable, "-m", "nnplay", "info", "/dev/zero"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and result.stderr == "nnplay: /dev/zero: is a device, not a file\n"


def _interrupt_at(monkeypatch, update: int, times: int):
    import signal

    import nnplay.cli

    calls = [0]
    original = nnplay.cli.Progress.on_update

    def on_update(self, trainer):
        original(self, trainer)
        calls[0] += 1
        if calls[0] == update:
            for _ in range(times):
                os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(nnplay.cli.Progress, "on_update", on_update)


def test_a_second_ctrl_c_stops_at_once_and_says_nothing_was_saved(capsys, monkeypatch, net_file):
    before = net_file.read_bytes()
    _interrupt_at(monkeypatch, 13, times=2)
    code, out, err = run(capsys, "train", net_file, "--epochs", "6")
    assert code == 130 and _one_line(err) and "nothing was saved" in err
    assert "saved file continues" not in out and "wrote" not in out
    assert net_file.read_bytes() == before


def test_ctrl_c_while_saving_lets_the_save_finish_before_it_says_so(capsys, monkeypatch, net_file):
    import signal

    import nnplay.cli
    from nnplay.io import read_network

    real_write = nnplay.cli.write_network

    def write_and_be_interrupted(cfg, path, force=False):
        os.kill(os.getpid(), signal.SIGINT)  # the second Ctrl-C, pressed while the file is written
        real_write(cfg, path, force)

    _interrupt_at(monkeypatch, 13, times=1)
    monkeypatch.setattr(nnplay.cli, "write_network", write_and_be_interrupted)
    code, out, err = run(capsys, "train", net_file, "--epochs", "6")
    assert code == 130
    assert "paused in epoch 3, update 3 of 5; training continues exactly from here" in out
    saved = read_network(net_file)  # what it said is true
    assert (saved.epoch, saved.resume["update_in_epoch"]) == (2, 3)


# ---------------------------------------------------------------- item 12: control sequences are escaped
RETITLE_AND_CLEAR = "\x1b]0;pwned\x07\x1b[2J\u202e\r"


def test_control_sequences_in_a_name_are_printed_escaped(capsys, tmp_path):
    from cli_helpers import binary_config
    from nnplay.io import write_network

    path = tmp_path / "evil.nnp"
    write_network(binary_config(name=f"evil{RETITLE_AND_CLEAR}net"), path)
    code, out, err = run(capsys, "info", path)
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith("evil\\x1b]0;pwned\\x07\\x1b[2J\\u202e\\x0dnet: binary network")
    assert out.isprintable() is False and all(line.isprintable() for line in out.splitlines())


def test_control_sequences_in_a_csv_cell_or_a_path_are_escaped_in_errors(capsys, net_file, tmp_path):
    points = tmp_path / "p.csv"
    points.write_text(f"x1,x2\n1,{RETITLE_AND_CLEAR}\n")
    code, _, err = run(capsys, "predict", net_file, "--input", points)
    assert code == 2 and _one_line(err) and "\x1b" not in err and "\\x1b]0;pwned" in err

    odd = tmp_path / f"out{RETITLE_AND_CLEAR}.nnp"
    code, out, err = run(capsys, "info", odd)
    assert code == 2 and _one_line(err) and err.endswith("out\\x1b]0;pwned\\x07\\x1b[2J\\u202e\\x0d.nnp: no such file\n")
    code, out, err = run(capsys, "train", net_file, "--epochs", "1", "-o", odd)
    assert code == 0 and "\x1b" not in out and out.endswith("out\\x1b]0;pwned\\x07\\x1b[2J\\u202e\\x0d.nnp\n")
    assert odd.exists()


# ---------------------------------------------------------------- items 4 and 11: stdout that fails
class FailingStdout:
    """A standard output that takes ``lines_ok`` lines, then fails with ``error``."""

    def __init__(self, error: OSError, lines_ok: int = 1):
        self.error, self.lines_ok, self.text = error, lines_ok, ""

    def isatty(self):
        return False

    def write(self, text):
        if self.text.count("\n") >= self.lines_ok:
            raise self.error
        self.text += text

    def flush(self):
        if self.text.count("\n") > self.lines_ok:
            raise self.error


def test_a_closed_pipe_does_not_stop_training(capsys, monkeypatch, net_file):
    """`nnplay train … | head -1`: progress goes quiet, the run finishes and is saved."""
    import errno

    from nnplay.io import read_network

    stdout = FailingStdout(BrokenPipeError(errno.EPIPE, "Broken pipe"))
    monkeypatch.setattr("sys.stdout", stdout)
    code = main(["train", str(net_file), "--epochs", "20"])
    err = capsys.readouterr().err
    assert code == 0 and stdout.text.startswith("epoch 2/20: ") and stdout.text.count("\n") == 1
    assert read_network(net_file).epoch == 20  # trained to the end and saved
    assert _one_line(err) and err.startswith("nnplay: standard output was closed; finished at epoch 20: ")
    assert err.endswith(f"; wrote {net_file}\n")


def test_a_closed_pipe_after_the_lines_a_reader_wanted_is_no_error(capsys, monkeypatch, net_file, points_file):
    """`nnplay predict … | head -1` and `nnplay info … | head -1`: the reader has what it wanted."""
    import errno

    for argv in (["predict", net_file, "--input", points_file], ["info", net_file]):
        monkeypatch.setattr("sys.stdout", FailingStdout(BrokenPipeError(errno.EPIPE, "Broken pipe"), lines_ok=0))
        assert main([str(a) for a in argv]) == 0
        assert capsys.readouterr().err == ""


def test_a_full_stdout_is_one_line_and_exit_1_and_the_training_is_saved(capsys, monkeypatch, net_file):
    import errno

    from nnplay.io import read_network

    monkeypatch.setattr("sys.stdout", FailingStdout(OSError(errno.ENOSPC, "No space left on device"), lines_ok=0))
    code = main(["train", str(net_file), "--epochs", "4"])
    err = capsys.readouterr().err
    assert code == 1 and _one_line(err) and read_network(net_file).epoch == 4
    assert err.startswith("nnplay: cannot write to standard output (No space left on device); finished at epoch 4")


def _as_process(args, **kwargs):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "nnplay", *map(str, args)], capture_output="stdout" not in kwargs,
                          text=True, timeout=120, **kwargs)


def test_dev_full_and_a_closed_stdout_as_real_processes(tmp_path, net_file):
    import subprocess

    from nnplay.io import read_network

    with open("/dev/full", "w") as full:
        result = _as_process(["train", net_file, "--epochs", "3"], stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "No space left on device" in result.stderr and read_network(net_file).epoch == 3

    result = _as_process(["train", net_file, "--epochs", "2"], stdout=None, stderr=subprocess.PIPE,
                         preexec_fn=lambda: os.close(1))
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("nnplay: cannot write to standard output (it is closed); finished at epoch 5")
    assert read_network(net_file).epoch == 5

    result = _as_process(["info", net_file], stdout=None, stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1))
    assert result.returncode == 1 and result.stderr == "nnplay: cannot write to standard output (it is closed)\n"


# ---------------------------------------------------------------- items 8 and 9: files that read but could not be used
def test_files_that_info_used_to_read_and_train_could_not_use_are_refused_by_every_command(capsys, net_file,
                                                                                           tmp_path, points_file):
    import json

    deep = []
    for _ in range(600):
        deep = [deep]
    for changes in ({"notes": deep}, {"name": "bad \ud800"}):
        obj = json.loads(net_file.read_text())
        obj.update(changes)
        path = tmp_path / "hostile.nnp"
        path.write_text(json.dumps(obj))
        for argv in (["info", path], ["train", path, "--epochs", "1"], ["export", path, "-o", tmp_path / "w.json"],
                     ["predict", path, "--input", points_file]):
            code, out, err = run(capsys, *argv)
            assert code == 2 and _one_line(err) and out == "", (argv, err)


# ---------------------------------------------------------------- items 5 and 7: what overflowed is named
def _write(tmp_path, name, **changes):
    from cli_helpers import binary_config
    from nnplay.io import write_network

    path = tmp_path / name
    write_network(binary_config(**changes), path)
    return path


def test_an_optimizer_state_that_overflows_is_reported_as_divergence_and_the_file_saves(capsys, tmp_path):
    from nnplay.core import DataConfig, DenseConfig, TrainingConfig
    from nnplay.io import read_network

    path = _write(tmp_path, "huge.nnp", task="regression", loss="squared", features=["x1", "x2"],
                  layers=[DenseConfig(4, "identity"), DenseConfig(1, "identity")],
                  training=TrainingConfig(batch_size=4, epochs=3),
                  data=DataConfig("inline", x=[[1e100, -1e100], [1e100, 1e100], [-1e100, 1e100], [1.0, 1.0]],
                                  y=[1.0, 2.0, 3.0, 4.0], validation_fraction=0.0))
    code, out, err = run(capsys, "train", path)
    assert code == 1 and err == ""
    assert ("diverged at epoch 1: adam's v for layer 1's W (the optimizer state) became infinite or NaN; "
            "lower the learning rate (now 0.02); the weights of epoch 0 are kept") in out
    assert out.endswith(f"wrote {path}\n") and read_network(path).epoch == 0


def test_a_schedule_that_overflows_stops_the_run_cleanly(capsys, tmp_path):
    from nnplay.core import ScheduleConfig
    from nnplay.io import read_network

    path = _write(tmp_path, "grow.nnp", schedule=ScheduleConfig("exponential", {"k": 1.001}), epoch=10**6)
    code, out, err = run(capsys, "train", path, "--epochs", "3")
    assert code == 1 and err == ""
    assert ("diverged at epoch 1000001: the learning rate (the exponential schedule at epoch 1000000) became "
            "infinite or NaN") in out
    assert read_network(path).epoch == 10**6


# ---------------------------------------------------------------- item 3: long runs
def test_a_run_whose_file_would_be_too_large_is_refused_before_training(capsys, monkeypatch, net_file):
    import nnplay.io.networkfile as networkfile

    before = net_file.read_bytes()
    monkeypatch.setattr(networkfile, "MAX_FILE_BYTES", len(before) + 2000)  # the run adds Adam's state and history
    code, out, err = run(capsys, "train", net_file, "--epochs", "20")
    assert code == 2 and _one_line(err) and out == ""
    assert "the trained file could reach 0.0 MB, over the 0 MB limit of a network file" in err
    assert net_file.read_bytes() == before


def test_a_run_past_the_files_epoch_limit_is_refused_before_training(capsys, tmp_path):
    from nnplay.io.schema import MAX_EPOCH

    path = _write(tmp_path, "old.nnp", epoch=MAX_EPOCH - 2)
    code, out, err = run(capsys, "train", path, "--epochs", "5")
    assert code == 2 and _one_line(err) and out == ""
    assert f"epoch: 5 more epochs would end at epoch {MAX_EPOCH + 3:,}, past the file's limit of {MAX_EPOCH:,}" in err


def test_the_history_written_is_bounded_even_from_a_file_with_a_long_epoch_column(capsys, monkeypatch, net_file):
    import json

    from nnplay.core.history import History
    from nnplay.io import read_network

    monkeypatch.setattr(History, "max_rows", 50)
    obj = json.loads(net_file.read_text())
    obj.update(epoch=300, history={"epoch": list(range(1, 301))})  # one column only, longer than the bound
    net_file.write_text(json.dumps(obj))
    assert run(capsys, "train", net_file, "--epochs", "120")[0] == 0
    history = read_network(net_file).history
    assert 20 <= len(history["epoch"]) <= 50 and len(history) == 6
    assert history["epoch"][0] == 1 and history["epoch"][-1] == 420
    assert all(len(column) == len(history["epoch"]) for column in history.values())


def test_a_finished_run_that_cannot_be_written_is_saved_elsewhere_and_said_so(capsys, monkeypatch, net_file):
    import errno

    import nnplay.cli
    from nnplay.io import read_network

    before = net_file.read_bytes()

    def disk_full(cfg, path, force=False):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(nnplay.cli, "write_network", disk_full)
    code, out, err = run(capsys, "train", net_file, "--epochs", "3")
    assert code == 1 and _one_line(err) and net_file.read_bytes() == before
    assert out.splitlines()[-1].startswith("finished at epoch 3: ")
    prefix = f"nnplay: {net_file}: cannot write it (No space left on device); the trained network was saved to "
    assert err.startswith(prefix) and err.endswith(" instead\n")
    rescued = err[len(prefix):-len(" instead\n")]
    assert rescued.startswith(str(net_file.parent / "net-unsaved-")) and read_network(rescued).epoch == 3
    assert stat.S_IMODE(os.stat(rescued).st_mode) == 0o600


# ---------------------------------------------------------------- item 6: what a file may cost
def test_a_file_of_millions_of_points_is_refused_before_it_is_parsed(capsys, tmp_path):
    path = tmp_path / "points.nnp"
    points = ",".join(["[0.5, -1.5]"] * 3_000_000)
    path.write_text('{"format": "nnplay-network", "version": 1, "data": {"source": "inline", "x": [' + points + "]}}")
    code, out, err = run(capsys, "info", path)
    assert code == 2 and _one_line(err) and out == ""
    assert err.endswith("points.nnp: the file holds about 9,000,005 values (numbers, lists, objects); a network "
                        "file holds at most 8,000,000\n")
