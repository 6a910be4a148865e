"""Atomic file replacement: the old file stays whole if anything goes wrong.

Only regular files are written: a device node, a FIFO or a folder given as the
target is refused (``nnplay train x.nnp -o /dev/null`` run as root would otherwise
replace ``/dev/null``), and so is a read-only file unless the caller forces it.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import time

try:
    import fcntl
except ImportError:  # Windows: stale temporary files are recognized by age alone
    fcntl = None

#: a temporary file left by a save that was killed is removed by a later save to the same
#: target once it is this old and no process holds its lock
STALE_AFTER_S = 60.0


class WriteRefused(OSError):
    """A target nnplay will not write; ``strerror`` says why in a few words."""

    def __init__(self, reason: str, code: int = errno.EINVAL):
        super().__init__(code, reason)

    def __str__(self) -> str:
        return self.strerror


class ReadOnlyTarget(WriteRefused):
    """The target exists and is read-only: replacing it needs ``force``."""

    def __init__(self):
        super().__init__("it is read-only", errno.EACCES)


_KINDS = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe"),
          (stat.S_ISSOCK, "a socket"))


def check_target(path: str | os.PathLike, force: bool = False) -> str:
    """The real path ``write_atomic`` would write for ``path``, or ``WriteRefused`` saying why not.

    Refuses an empty name, a name ending in a path separator (a folder's), a folder,
    anything that exists and is not a regular file, a read-only file unless ``force``,
    and a folder that does not exist or that we may not write in. Nothing is written.
    """
    text = os.fspath(path)
    if not text:
        raise WriteRefused("the file name is empty", errno.ENOENT)
    if text.endswith(tuple(sep for sep in (os.sep, os.altsep) if sep)):
        raise WriteRefused("the name ends in a separator, so it names a folder; give a file name", errno.EISDIR)
    target = os.path.realpath(text)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise WriteRefused("it is a folder, not a file", errno.EISDIR)
        if not stat.S_ISREG(st.st_mode):
            kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
            raise WriteRefused(f"it is {kind}; nnplay only writes regular files")
        # no write bit at all (root may write anything), or none that lets us write
        if not force and (not st.st_mode & 0o222 or not os.access(target, os.W_OK)):
            raise ReadOnlyTarget()
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise WriteRefused(f"the folder {folder} does not exist", errno.ENOENT)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WriteRefused(f"the folder {folder} is not writable", errno.EACCES)
    return target


def write_atomic(path: str | os.PathLike, data: bytes, force: bool = False) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half.

    ``check_target`` first (``force`` replaces a read-only file). The bytes go to a
    temporary file in the same folder, created with the mode (and, where allowed, the
    owner) of the file it replaces, so it is never more readable than that file; it is
    flushed, fsync'ed and renamed over ``path`` with ``os.replace`` (atomic on POSIX and
    Windows). On any error the temporary file is removed and ``path`` is untouched. A
    symbolic link is followed, so the link stays a link. Temporary files that a killed
    save left for the same target are removed.
    """
    target = check_target(path, force)
    folder, base = os.path.split(target)
    try:
        old = os.stat(target)
    except FileNotFoundError:
        old = None
    remove_stale_temporaries(folder, base)
    tmp = os.path.join(folder, f".{base}.{secrets.token_hex(4)}.tmp")
    # a new file gets 0o666 less the umask, as any new file; a replacement starts with the
    # old file's permission bits (the umask can only take bits away)
    mode = 0o666 if old is None else old.st_mode & 0o777
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(tmp, flags, mode)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)  # tells a later save that this file is not stale
        if old is not None:
            _take_owner_and_mode(fd, old)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _sync_folder(folder)


def _take_owner_and_mode(fd: int, old: os.stat_result) -> None:
    """Give the empty temporary file the owner, group and mode of the file it replaces.

    Only root may give a file away; anyone may give it one of their own groups. What is
    not allowed is skipped: the file then belongs to whoever saves it, as any new file.
    """
    if hasattr(os, "fchown"):
        for uid, gid in ((old.st_uid, old.st_gid), (-1, old.st_gid)):
            try:
                os.fchown(fd, uid, gid)
                break
            except OSError:
                continue
    if hasattr(os, "fchmod"):
        os.fchmod(fd, old.st_mode & 0o7777)  # after fchown, which may clear set-id bits


def remove_stale_temporaries(folder: str, base: str) -> list[str]:
    """Remove ``.BASE.<8 hex>.tmp`` files in ``folder`` that a killed save left behind.

    A temporary file counts as stale when it is older than ``STALE_AFTER_S`` and no
    process holds the lock a save keeps on it while writing. Returns the names removed.
    """
    pattern = re.compile(re.escape(f".{base}.") + r"[0-9a-f]{8}\.tmp")
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or now - st.st_mtime < STALE_AFTER_S or not _unlocked(entry.path):
                continue
            os.unlink(entry.path)
            removed.append(entry.name)
        except OSError:
            continue  # gone already, or not ours to remove
    return removed


def _unlocked(path: str) -> bool:
    """No save is writing ``path`` (no process holds its lock)."""
    if fcntl is None:
        return True
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)  # closing releases the lock
    return True


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
