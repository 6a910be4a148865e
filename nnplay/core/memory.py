"""Keep freed memory in the process for the next update instead of handing it back.

Training allocates and frees arrays of the same sizes every update and every epoch
(activations, gradients, optimizer temporaries, the evaluation's forward pass over
the whole training set). With glibc's default heuristics the large ones are mapped
afresh from the operating system each time, or trimmed off the heap when freed, so
every reuse page-faults again: on the 2-256-256-1 benchmark net that was about a
fifth of the run time (docs/benchmarks.md). Raising the mmap and trim thresholds
keeps such arrays in the heap. The cost is memory: up to ``trim_threshold`` bytes
of freed heap stay with the process. Results are unaffected.
"""

from __future__ import annotations

import ctypes
import os
import sys

# from glibc's <malloc.h>
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_tuned = False


def keep_freed_memory(mmap_threshold: int = 32 << 20, trim_threshold: int = 256 << 20) -> bool:
    """Ask glibc to serve allocations below ``mmap_threshold`` from the heap and to keep
    up to ``trim_threshold`` bytes of freed heap. Once per process; a no-op off Linux,
    off glibc, or where the user tuned malloc through its environment variables.
    Returns whether the thresholds are in force."""
    global _tuned
    if _tuned:
        return True
    if not sys.platform.startswith("linux") or any(
        name.startswith("MALLOC_") or name == "GLIBC_TUNABLES" for name in os.environ
    ):
        return False
    try:
        libc = ctypes.CDLL(None)  # the C library the process already uses
        libc.gnu_get_libc_version  # glibc only: elsewhere mallopt means something else or nothing
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    _tuned = mallopt(_M_MMAP_THRESHOLD, mmap_threshold) == 1 and mallopt(_M_TRIM_THRESHOLD, trim_threshold) == 1
    return _tuned
