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
