"""Reading a user's text file whole, with one-line messages for every way that fails."""

from __future__ import annotations

import os
import stat

_DEVICES = ((stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def read_text(path: str | os.PathLike, max_bytes: int, error: type[Exception]) -> str:
    """The UTF-8 text (a byte-order mark allowed) of the file at ``path``.

    Raises ``error`` with a one-line message for an empty name, a missing file, a
    folder, a device (``/dev/zero``, a terminal), no permission, a file over
    ``max_bytes`` (checked before reading where the size is known, so a huge file is
    never read in), or bytes that are not UTF-8. A named pipe is read to its end; one
    that nobody writes to reads as empty instead of waiting forever.
    """
    if not os.fspath(path):
        raise error("the file name is empty")
    limit = f"the limit is {max_bytes // 2**20} MB"
    try:
        fd = _open_regular_or_pipe(path, error)
        with os.fdopen(fd, "rb") as f:
            size = os.fstat(fd).st_size
            if size > max_bytes:
                raise error(f"the file is too large ({size / 2**20:,.1f} MB; {limit})")
            data = f.read(max_bytes + 1)  # a pipe reports no size
    except FileNotFoundError:
        raise error("no such file") from None
    except IsADirectoryError:
        raise error("is a folder, not a file") from None
    except PermissionError:
        raise error("permission denied") from None
    except OSError as exc:
        raise error(f"cannot read it ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise error(f"the file is too large ({limit})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); save it as UTF-8") from None


def _open_regular_or_pipe(path: str | os.PathLike, error: type[Exception]) -> int:
    """A descriptor open for reading ``path``, a regular file or a pipe, never blocking on the open."""
    # without O_NONBLOCK, opening a named pipe waits until someone opens it for writing
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        kind = next((name for test, name in _DEVICES if test(mode)), None)
        if kind is not None:
            raise error(f"is {kind}, not a file")
        if stat.S_ISFIFO(mode):
            os.set_blocking(fd, True)  # read what the writer sends, to its end (or empty: no writer)
    except BaseException:
        os.close(fd)
        raise
    return fd
