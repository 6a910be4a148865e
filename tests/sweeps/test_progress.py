"""How long a sweep has left."""

from nnplay.sweeps import Tally, format_duration


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_time_left_from_the_runs_then_from_the_pace():
    clock = Clock()
    tally = Tally(total=10, done_before=2, workers=2, clock=clock)
    assert tally.done == 2 and tally.remaining == 8 and tally.seconds_left() is None
    clock.now += 3.0
    tally.record(3.0)  # one run of 3 s: 7 left, two at a time
    assert tally.seconds_left() == 3.0 * 7 / 2
    clock.now += 1.0
    tally.record(3.0)  # as many runs as workers: the pace so far, 4 s for 2 runs
    assert tally.seconds_left() == 4.0 / 2 * 6
    for _ in range(6):
        tally.record(1.0)
    assert tally.remaining == 0 and tally.seconds_left() == 0


def test_durations():
    assert [format_duration(s) for s in (0.4, 12, 59.6, 200, 3599, 7500)] == [
        "0 s", "12 s", "1 min 00 s", "3 min 20 s", "59 min 59 s", "2 h 05 min"]
