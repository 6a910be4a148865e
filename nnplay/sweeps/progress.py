"""How far a sweep is and how long it has left: the numbers the command line prints
and the app's Search window shows."""

from __future__ import annotations

import time
from typing import Callable


class Tally:
    """Runs done out of ``total`` (``done_before`` of them by an earlier, resumed
    sweep), and an estimate of the time left for a pool running ``workers`` at once."""

    def __init__(self, total: int, done_before: int, workers: int, clock: Callable[[], float] = time.monotonic):
        self.total, self.done_before, self.workers = total, done_before, max(1, workers)
        self.clock = clock
        self.began = clock()
        self.done_now = 0
        self.run_seconds = 0.0

    @property
    def done(self) -> int:
        return self.done_before + self.done_now

    @property
    def remaining(self) -> int:
        return self.total - self.done

    def record(self, seconds: float | None) -> None:
        self.done_now += 1
        self.run_seconds += seconds or 0.0

    def seconds_left(self) -> float | None:
        """None until a run has finished. Until the pool has finished as many runs as it
        has workers, the runs' mean time over the workers; then the pace so far, which
        counts the pool's own overheads and the machine's load."""
        if not self.done_now:
            return None
        if self.done_now >= self.workers:
            return (self.clock() - self.began) / self.done_now * self.remaining
        busy = min(self.workers, self.remaining) or 1
        return self.run_seconds / self.done_now * self.remaining / busy


def format_duration(seconds: float) -> str:
    """``45 s``, ``3 min 20 s``, ``2 h 05 min``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
