"""How many threads the BLAS under NumPy uses, so every worker uses the parent's count.

OpenBLAS splits some products differently with a different thread count: a dense
layer's weight gradient ``x.T @ dz`` with few inputs and many points, for one, then
sums in another order and gives other bits. A run in a worker must give the bits
``nnplay train`` gives, so a worker does not drop to one thread per process; it uses
the count the parent has (by default the machine's cores), whatever the worker's
own machine or Dask's environment would pick. Without threadpoolctl nothing is set.
"""

from __future__ import annotations

_applied: int | None = None


def current_blas_threads() -> int | None:
    """The thread count of NumPy's BLAS in this process (None if it cannot be told)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    counts = [info["num_threads"] for info in threadpool_info() if info.get("user_api") == "blas"]
    return max(counts) if counts else None


def use_blas_threads(count: int | None) -> None:
    """Make NumPy's BLAS use ``count`` threads from now on in this process (None: leave it)."""
    global _applied
    if count is None or count == _applied:
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=count, user_api="blas")  # kept: the limit holds for the process
    _applied = count
