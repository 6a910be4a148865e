"""Reading a user's text file whole, with one-line messages for every way that fails."""

from __future__ import annotations

import os


def read_text(path: str | os.PathLike, max_bytes: int, error: type[Exception]) -> str:
    """The UTF-8 text (a byte-order mark allowed) of the file at ``path``.

    Raises ``error`` with a one-line message for a missing file, a folder, no
    permission, a file over ``max_bytes`` (checked before reading where the size is
    known, so a huge file is never read in), or bytes that are not UTF-8.
    """
    limit = f"the limit is {max_bytes // 2**20} MB"
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > max_bytes:
                raise error(f"the file is too large ({size / 2**20:,.0f} MB; {limit})")
            data = f.read(max_bytes + 1)  # a pipe or special file reports no size
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
