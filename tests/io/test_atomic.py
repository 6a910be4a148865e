"""What atomic writing refuses to replace, and what it leaves behind (issue 8, items 2 and 13)."""

import os
import stat

import pytest

from nnplay.io import write_network
from nnplay.io.atomic import WriteRefused, check_target, write_atomic


def _device(path):
    """A character device like /dev/null, where the system lets us make one (root, no container rule)."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError, AttributeError):
        pytest.skip("cannot make a device node here")
    return path


def test_never_replaces_a_named_pipe_even_through_a_link(tmp_path, config):
    fifo = tmp_path / "pipe.nnp"
    os.mkfifo(fifo)
    link = tmp_path / "link.nnp"
    link.symlink_to(fifo)
    for target in (fifo, link):
        with pytest.raises(WriteRefused) as info:
            write_network(config, target)
        assert str(info.value) == "it is a named pipe; nnplay only writes regular files"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["link.nnp", "pipe.nnp"]  # no temporary file either


def test_never_replaces_a_device_node(tmp_path):
    device = _device(tmp_path / "null")
    with pytest.raises(WriteRefused, match="it is a character device; nnplay only writes regular files"):
        write_atomic(device, b"data")
    assert stat.S_ISCHR(os.stat(device).st_mode)


def test_a_folder_is_refused_by_name(tmp_path):
    with pytest.raises(WriteRefused, match="it is a folder, not a file"):
        write_atomic(tmp_path, b"data")


def test_regular_files_and_new_names_pass(tmp_path):
    existing = tmp_path / "a.nnp"
    existing.write_text("old")
    assert check_target(existing) == str(existing.resolve())
    assert check_target(tmp_path / "new.nnp") == str((tmp_path / "new.nnp").resolve())


# ---------------------------------------------------------------- item 13: what a save leaves behind
KILLED_SAVE = """
import os, sys
import nnplay.io.atomic as atomic
def hang(fd):
    print("writing", flush=True)
    sys.stdin.read()  # until killed
atomic.os.fsync = hang
atomic.write_atomic(sys.argv[1], b"new contents")
"""


def _temporaries(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def _age(path, seconds):
    then = os.stat(path).st_mtime - seconds
    os.utime(path, (then, then))


def test_a_save_killed_midway_leaves_a_temporary_file_the_next_save_removes(tmp_path):
    import subprocess
    import sys

    target = tmp_path / "net.nnp"
    target.write_bytes(b"old contents")
    save = subprocess.Popen([sys.executable, "-c", KILLED_SAVE, str(target)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert save.stdout.readline() == "writing\n"
    save.kill()  # kill -9 between writing and renaming
    save.wait()
    (left,) = _temporaries(tmp_path)
    assert target.read_bytes() == b"old contents"

    write_atomic(target, b"newer")  # the leftover is too fresh to be sure it is stale
    assert _temporaries(tmp_path) == [left]
    _age(tmp_path / left, 3600)
    write_atomic(target, b"newest")
    assert _temporaries(tmp_path) == [] and target.read_bytes() == b"newest"


def test_only_our_own_unlocked_stale_temporaries_are_removed(tmp_path):
    import fcntl

    target = tmp_path / "net.nnp"
    names = [".net.nnp.0123abcd.tmp", ".net.nnp.deadbeef.tmp", ".net.nnp.backup.tmp", ".other.nnp.0123abcd.tmp",
             "net.nnp.0123abcd.tmp"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
        _age(tmp_path / name, 3600)
    busy = os.open(tmp_path / ".net.nnp.deadbeef.tmp", os.O_RDONLY)
    fcntl.flock(busy, fcntl.LOCK_EX)  # a save in another process is still writing it
    try:
        write_atomic(target, b"data")
    finally:
        os.close(busy)
    assert _temporaries(tmp_path) == sorted(names[1:])


def test_the_temporary_file_is_never_more_readable_than_the_file_it_replaces(tmp_path, monkeypatch):
    import nnplay.io.atomic as atomic

    target = tmp_path / "secret.nnp"
    target.write_bytes(b"old")
    os.chmod(target, 0o600)
    seen = []
    real_fsync = os.fsync

    def look(fd):
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", look)
    old_umask = os.umask(0o022)
    try:
        write_atomic(target, b"new")
    finally:
        os.umask(old_umask)
    assert seen[0] == 0o600 and stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_a_read_only_file_is_replaced_only_when_forced(tmp_path, config):
    from nnplay.io.atomic import ReadOnlyTarget

    target = tmp_path / "kept.nnp"
    target.write_bytes(b"read only")
    os.chmod(target, 0o444)
    with pytest.raises(ReadOnlyTarget, match="it is read-only"):
        write_network(config, target)
    assert target.read_bytes() == b"read only"
    write_network(config, target, force=True)
    assert target.read_bytes() != b"read only" and stat.S_IMODE(os.stat(target).st_mode) == 0o444


def test_the_owner_and_group_are_handed_on(tmp_path, monkeypatch):
    import nnplay.io.atomic as atomic

    target = tmp_path / "theirs.nnp"
    target.write_bytes(b"old")
    st = os.stat(target)
    calls = []
    monkeypatch.setattr(atomic.os, "fchown", lambda fd, uid, gid: calls.append((uid, gid)))
    write_atomic(target, b"new")
    assert calls == [(st.st_uid, st.st_gid)]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away")
def test_root_saving_a_users_file_leaves_it_theirs(tmp_path):
    target = tmp_path / "theirs.nnp"
    target.write_bytes(b"old")
    os.chown(target, 4321, 4322)
    write_atomic(target, b"new")
    st = os.stat(target)
    assert (st.st_uid, st.st_gid) == (4321, 4322) and target.read_bytes() == b"new"
