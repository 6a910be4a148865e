"""How many threads the engine's matrix products run on: fixed by the size of the work,
never by the machine.

OpenBLAS splits a product among its threads, and how it splits can change the last bits
of the result (measured: a 65-row batch through 64×128 weights, a 10,000-point grid
through the first layer). Left to the library, the count is the number of cores, so a
run would depend on the machine, and the app, the command line and a sweep worker (which
may limit threads) could disagree. Small products gain nothing from a second thread
and pay for it: OpenBLAS's helper spins for about 0.1 s after each threaded call,
holding a core the window, the X server or another process needed; on a busy two-core
machine a threaded 64-wide net trained up to 10 times slower than on one thread
(docs/benchmarks.md).

So ``Trainer.run`` and ``Trainer.evaluate`` set the count from ``threads_for`` for their
own work, the same in every front end, and put the caller's count back afterwards.
The libraries are found with threadpoolctl; OpenBLAS's count is set through its own
function, because threadpoolctl lets only the first thread that set a limit set one
(the app trains in a worker thread, the benchmark first in the main thread).
"""

from __future__ import annotations

import contextlib
from typing import Iterator

#: multiply-adds of the widest product (rows × inputs × units) from which two threads
#: are used: a 256-row batch through 256×256 weights, where the second thread pays off
PARALLEL_WORK = 1 << 24
#: threads for work at least that big: a fixed number, so results do not depend on the machine
PARALLEL_THREADS = 2

_libraries: list | None = None


def threads_for(rows: int, layer_sizes: list[tuple[int, int]]) -> int:
    """Threads for products of ``rows`` rows through dense layers of ``(inputs, units)``."""
    widest = max((n_in * n_out for n_in, n_out in layer_sizes), default=0)
    return PARALLEL_THREADS if rows * widest >= PARALLEL_WORK else 1


def _blas_libraries() -> list:
    """The BLAS libraries loaded in this process (threadpoolctl's handles), found once."""
    global _libraries
    if _libraries is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - a dependency; without it results follow the library
            _libraries = []
        else:
            import importlib

            importlib.import_module("numpy")  # its BLAS must be loaded to be found
            _libraries = [_Library(lib) for lib in ThreadpoolController().lib_controllers if lib.user_api == "blas"]
    return _libraries


class _Library:
    """A BLAS library's thread count, read and set from any thread."""

    def __init__(self, controller):
        self.get = controller.get_num_threads
        self.set = controller.set_num_threads
        if controller.internal_api == "openblas" and getattr(controller, "threading_layer", "") != "openmp":
            for prefix in ("", "scipy_"):
                for suffix in ("", "64_", "_64"):
                    function = getattr(controller.dynlib, f"{prefix}openblas_set_num_threads{suffix}", None)
                    if function is not None:
                        self.set = function
                        return


def current_threads() -> int | None:
    """The thread count of the first BLAS library, or None when none was found."""
    libraries = _blas_libraries()
    return libraries[0].get() if libraries else None


@contextlib.contextmanager
def blas_threads(count: int) -> Iterator[None]:
    """Run the block's products on ``count`` threads, then restore the previous count.

    Process-wide (OpenBLAS keeps one count): only the thread that trains may use it, and
    nothing else may change the count while it trains."""
    libraries = _blas_libraries()
    before = [lib.get() for lib in libraries]
    for lib, previous in zip(libraries, before):
        if previous != count:
            lib.set(count)
    try:
        yield
    finally:
        for lib, previous in zip(libraries, before):
            if previous != count:
                lib.set(previous)
