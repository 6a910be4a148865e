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
