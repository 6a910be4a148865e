"""The engine's BLAS thread count comes from the size of the work, not from the machine
or the caller, so results are the same bits in every front end."""

import numpy as np
from threadpoolctl import threadpool_limits

from nnplay.core import Experiment
from nnplay.core.blas import PARALLEL_THREADS, blas_threads, current_threads, threads_for
from nnplay.core.config import DataConfig, DenseConfig

from .helpers import all_arrays, config


def test_threads_follow_the_size_of_the_widest_product():
    assert threads_for(32, [(2, 64), (64, 64), (64, 1)]) == 1
    assert threads_for(256, [(256, 256)]) == PARALLEL_THREADS
    assert threads_for(255, [(256, 256)]) == 1
    assert threads_for(10, []) == 1


def test_blas_threads_sets_and_restores_the_count():
    with threadpool_limits(2):
        with blas_threads(1):
            assert current_threads() == 1
        assert current_threads() == 2


def test_any_thread_can_set_the_count():
    """The app trains in a worker thread, after the main thread has set a count."""
    import threading

    seen = []

    def train_thread():
        with blas_threads(1):
            seen.append(current_threads())

    with blas_threads(1):  # the main thread sets a count first, as the benchmark does
        pass
    with blas_threads(2):
        thread = threading.Thread(target=train_thread)
        thread.start()
        thread.join()
        assert seen == [1] and current_threads() == 2


def _trained(layers, batch_size):
    exp = Experiment(config(layers=layers, batch_size=batch_size,
                            data=DataConfig(source="generated", name="spiral", n=400, noise=0.1, seed=1)))
    exp.trainer.run(3)
    return all_arrays(exp.network)


def test_results_do_not_depend_on_the_callers_thread_count():
    # a 65-row batch through 64×128 weights: OpenBLAS on two threads splits these
    # products differently from one thread, and the last bits differ
    layers = [DenseConfig(64, "tanh"), DenseConfig(128, "tanh"), DenseConfig(1, "sigmoid")]
    with threadpool_limits(1):
        one = _trained(layers, 65)
        assert current_threads() == 1  # put back after training
    with threadpool_limits(2):
        two = _trained(layers, 65)
    assert len(one) == len(two) and all(np.array_equal(a, b) for a, b in zip(one, two))
