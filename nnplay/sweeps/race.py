"""A race: the same network with several settings, trained side by side, live.

``race_plans`` makes the runs from a base network and a list of variants (each a
``{path: value}`` dict, as a sweep run's values): each starts from the weights the
base's ``training.seed`` draws (or the base's own weights, ``keep_weights``) and,
having the same seed, sees the same batches, however its settings differ. ``Race``
trains them at once, one process each, and hands out their snapshots as they come;
``pause``, ``resume``, ``step``, ``stop`` act on every run at once (or one, by its
number), ``fetch`` asks for a run's network as it is now.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from nnplay.core.config import NetworkConfig
from nnplay.core.network import Network
from nnplay.io.schema import NetworkFileError, network_to_dict, parse_network
from nnplay.sweeps.blas import current_blas_threads
from nnplay.sweeps.paths import PathError
from nnplay.sweeps.plan import checked_network, describe
from nnplay.sweeps.pool import LocalPool
from nnplay.sweeps.run import RunPlan
from nnplay.sweeps.stream import StreamSettings
from nnplay.sweeps.sweepfile import fresh_network


class RaceError(ValueError):
    """A variant the network file's checks refuse; the message is one line naming it."""


def race_plans(base: NetworkConfig | dict, variants: list[dict[str, Any]], *, epochs: int | None = None,
               keep_weights: bool = False, grid_points: np.ndarray | None = None,
               interval: float = 0.05, start_paused: bool = False) -> list[RunPlan]:
    """One live run per variant, run ``i`` for ``variants[i]``; raises ``RaceError``."""
    if isinstance(base, NetworkConfig):
        base_obj = network_to_dict(base, complete=True)
    else:
        try:
            base_obj = network_to_dict(parse_network(base), complete=True)
        except NetworkFileError as exc:
            raise RaceError(f"base: {exc}") from None
    base_obj = fresh_network(base_obj, keep_weights)
    settings = StreamSettings(interval, None if grid_points is None else np.asarray(grid_points, float),
                              start_paused)
    threads = current_blas_threads()
    plans = []
    for i, values in enumerate(variants):
        try:
            _, network = checked_network(base_obj, values, epochs)
        except (PathError, NetworkFileError) as exc:
            raise RaceError(f"run {i} ({describe(values) or 'the base'}): {exc}") from None
        plans.append(RunPlan(i, network, dict(values), blas_threads=threads, stream=settings))
    return plans


def shared_start(plans: list[RunPlan]) -> tuple[bool, bool]:
    """Whether every run starts from the same initial weights (its dense layers', in
    order: dropout and batch norm draw nothing), and whether every run sees the same
    batches (the same points, seed and batch size: each epoch's order is drawn from
    the seed first). What the app may say on screen about a race."""
    if not plans:
        return True, True
    nets = [plan.network for plan in plans]
    first = nets[0]
    same_batches = all(n["data"] == first["data"] and n["training"]["seed"] == first["training"]["seed"]
                       and n["training"]["batch_size"] == first["training"]["batch_size"] for n in nets)
    weights = [_dense_weights(n) for n in nets]
    same_weights = all(len(w) == len(weights[0]) and all(
        a.shape == b.shape and np.array_equal(a, b) for a, b in zip(w, weights[0])) for w in weights)
    return same_weights, same_batches


def _dense_weights(network: dict) -> list[np.ndarray]:
    """W and b of each dense layer, first to last, as the run starts."""
    cfg = parse_network(network)
    arrays = cfg.weights
    if arrays is None:
        net = Network.build(len(cfg.features), cfg.layers, cfg.loss, cfg.training.l1, cfg.training.l2)
        net.initialize(np.random.default_rng(cfg.training.seed))  # as Experiment does
        arrays = net.get_weights()
    return [layer[name] for layer in arrays if "W" in layer for name in ("W", "b")]


class Race:
    """Live runs, each on its own worker process (of ``pool``, or of a pool the race
    starts and closes, as many workers as runs, at scheduling priority ``nice``)."""

    def __init__(self, plans: list[RunPlan], pool: LocalPool | None = None, nice: int = 0):
        self._own_pool = pool is None
        self.pool = pool if pool is not None else LocalPool(workers=max(1, len(plans)), nice=nice)
        self.job = self.pool.start(plans)

    @property
    def finished(self) -> bool:
        return self.job.finished

    def poll(self, timeout: float | None = 0.0) -> list:
        return self.job.poll(timeout)

    def events(self, timeout: float = 1.0) -> Iterator[Any]:
        return self.job.events(timeout)

    def pause(self, run: int | None = None) -> None:
        self.job.command("pause", run)

    def resume(self, run: int | None = None) -> None:
        self.job.command("resume", run)

    def step(self, run: int | None = None) -> None:
        """Train to the end of the next epoch, then pause."""
        self.job.command("step", run)

    def stop(self, run: int | None = None) -> None:
        """End the runs after their current update; each still reports its network."""
        self.job.command("stop", run)

    def fetch(self, run: int) -> None:
        """Ask for the run's network now: a ``NetworkFetched`` event brings it."""
        self.job.command("fetch", run)

    def cancel(self) -> None:
        """End every run at once, without their networks."""
        self.job.cancel()

    def close(self) -> None:
        if self._own_pool:
            self.pool.close()
        elif not self.job.finished:
            self.job.cancel()

    def __enter__(self) -> "Race":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
