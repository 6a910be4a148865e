"""Atomic file replacement: the old file stays whole if anything goes wrong.

Only regular files are written: a device node, a FIFO or a folder given as the
target is refused (``nnplay train x.nnp -o /dev/null`` run as root would otherwise
replace ``/dev/null``).
"""

from __future__ import annotations

import errno
import os
import secrets
import stat


class WriteRefused(OSError):
    """A target nnplay will not write; ``strerror`` says why in a few words."""

    def __init__(self, reason: str, code: int = errno.EINVAL):
        super().__init__(code, reason)

    def __str__(self) -> str:
        return self.strerror


_KINDS = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe"),
          (stat.S_ISSOCK, "a socket"))


def check_target(path: str | os.PathLike) -> str:
    """The real path ``write_atomic`` would write for ``path``, or ``WriteRefused`` saying why not.

    Refuses a folder and anything that exists and is not a regular file. Nothing is written.
    """
    target = os.path.realpath(os.fspath(path))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return target
    if stat.S_ISDIR(st.st_mode):
        raise WriteRefused("it is a folder, not a file", errno.EISDIR)
    if not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
        raise WriteRefused(f"it is {kind}; nnplay only writes regular files")
    return target


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same folder, are flushed and fsync'ed,
    and the temporary file is renamed over ``path`` with ``os.replace`` (atomic on
    POSIX and Windows). On any error the temporary file is removed and ``path`` is
    untouched. A symbolic link is followed, so the link stays a link. Anything but a
    regular file or a new name is refused (``check_target``).
    """
    target = check_target(path)
    folder, base = os.path.split(target)
    tmp = os.path.join(folder, f".{base}.{secrets.token_hex(4)}.tmp")
    # os.open with 0o666 lets the umask decide the mode, as for any new file
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.chmod(tmp, os.stat(target).st_mode & 0o7777)  # keep the mode of the file we replace
        except FileNotFoundError:
            pass
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _sync_folder(folder)


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); harmless where folders cannot be opened."""
    try:
        fd = os.open(folder or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
