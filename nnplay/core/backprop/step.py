"""One step of the chapters' back-propagation, as the dialog shows it: its title and
formula, a sentence on why, the trace values it fills in, and its numbers for the
example and units the user looks at (a worked line with the numbers put into the
formula, and a table of the whole layer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Union

from nnplay.core.backprop.batch import NEXT
from nnplay.core.backprop.notation import INPUTS, columns
from nnplay.core.backprop.trace import FiniteDifference, Trace
from nnplay.core.features import LABELS
from nnplay.core.optimizers import OPTIMIZERS

FORWARD, LOSS, BACKWARD, UPDATE = "forward", "loss", "backward", "update"
PHASE_TITLES = {FORWARD: "Forward pass", LOSS: "The loss", BACKWARD: "Backward pass", UPDATE: "The update"}

Cell = Union[float, str]


@dataclass(frozen=True)
class Row:
    """A row of a step's table; ``unit``: the unit of the step's column it is about;
    ``check``: the finite difference beside a gradient entry."""

    label: str
    cells: tuple[Cell, ...]
    unit: int | None = None
    check: FiniteDifference | None = None


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]  #: the headers of ``cells`` (the label column has none)
    rows: list[Row]
    #: what the rows show when not every entry is listed ("" when all are)
    note: str = ""


@dataclass(frozen=True)
class Numbers:
    worked: list[str]  #: rich text lines: the formula for the chosen unit with its numbers
    table: Table


@dataclass
class Focus:
    """What the user looks at: one example of the batch, the chosen unit of each column
    (the worked lines are about it), the column whose chosen unit the diagram follows,
    and whether numbers show every digit."""

    example: int = 0
    units: dict[int, int] = field(default_factory=dict)  #: column (dense layer index, ``INPUTS``) → unit
    column: int | None = None  #: the followed column (None: the first one)
    precise: bool = False

    def unit(self, column: int, width: int) -> int:
        return min(max(self.units.get(column, 0), 0), width - 1)


@dataclass(frozen=True)
class Step:
    phase: str
    title: str  #: plain text: "Layer 1 (4 tanh): weighted sums z"
    formula: str  #: rich text, from the registry's declarations where they exist
    explanation: str  #: rich text: what this step does and why, in the chapters' words
    keys: tuple[str, ...]  #: the trace values it fills in (the diagram shows them from here on)
    layer: int | None  #: the network layer it is about (None: the data, the loss, the schedule)
    show: Callable[[Focus], Numbers] = field(repr=False, compare=False)


class Context:
    """What the step builders read: the trace, the network, the data's names and settings."""

    def __init__(self, experiment, trace: Trace):
        self.trace = trace
        self.values = trace.values
        self.network = trace.network
        config = experiment.config
        self.task = config.task
        self.features = [LABELS.get(name, name) for name in config.features]
        train = experiment.split.train
        self.points = train.x[trace.batch.indices]
        self.labels = train.y[trace.batch.indices]
        self.noise = experiment.trainer.training.input_noise
        self.schedule = experiment.trainer.schedule
        self.optimizer = OPTIMIZERS.get(trace.optimizer_name)
        self.columns = columns(trace.network)
        self.large = any(c.width > SMALL_WIDTH for c in self.columns)
        self.next_batch = trace.batch.kind == NEXT

    @property
    def batch_size(self) -> int:
        return len(self.trace.batch)

    def example(self, focus: Focus) -> int:
        return min(max(focus.example, 0), self.batch_size - 1)

    def column(self, layer: int):
        """The column whose dense layer is at ``layer`` (``INPUTS`` for the features)."""
        return next(c for c in self.columns if c.layer == layer)


#: a network whose columns all have at most this many units shows every number on its
#: diagram and every weight in its tables; a larger one follows the unit the user picks
SMALL_WIDTH = 4


def is_small(network) -> bool:
    return all(c.width <= SMALL_WIDTH for c in columns(network))


__all__ = ["BACKWARD", "Cell", "Context", "FORWARD", "Focus", "INPUTS", "LOSS", "Numbers", "PHASE_TITLES", "Row",
           "SMALL_WIDTH", "Step", "Table", "UPDATE", "is_small"]
