"""Which OpenBLAS kernel the golden digests were recorded with, and pinning it.

OpenBLAS picks its matrix-product kernel by the CPU at start-up, and kernels sum in
different orders: the same run on an AVX-512 machine (kernel "SkylakeX") and an AVX2
one ("Haswell") differs in the last bits, so every digest would differ. The digests
record what *our* code does, so the tests run with the kernel they were recorded
with wherever the CPU can run it. OPENBLAS_CORETYPE is read once, when the library
loads: ``pin_recorded_kernel`` must run before NumPy is imported (tests/conftest.py),
and no NumPy is imported here.
"""

from __future__ import annotations

import os
from pathlib import Path

RECORDED_KERNEL = "Haswell"
#: the CPU features the recorded kernel's code needs
_KERNEL_NEEDS = {"avx2", "fma"}


def cpu_runs_recorded_kernel() -> bool:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("flags"):
            return _KERNEL_NEEDS <= set(line.split(":", 1)[1].split())
    return False


def pin_recorded_kernel() -> None:
    """Make OpenBLAS load the recorded kernel, in this process and the ones it starts."""
    if "OPENBLAS_CORETYPE" not in os.environ and cpu_runs_recorded_kernel():
        os.environ["OPENBLAS_CORETYPE"] = RECORDED_KERNEL


def kernel_in_use() -> str | None:
    """The kernel NumPy's OpenBLAS runs (None for another BLAS)."""
    import importlib

    from threadpoolctl import threadpool_info

    importlib.import_module("numpy")  # its BLAS must be loaded to be found

    for library in threadpool_info():
        if library.get("internal_api") == "openblas":
            return library.get("architecture")
    return None
