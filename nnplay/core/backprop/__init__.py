"""Back-propagation with every number (the Step Through Backprop dialog's engine):
which examples (``batch``), the trace of one update (``trace``), the chapters' steps
with their formulas and numbers (``steps``), and making the update in the run (``apply``)."""

from nnplay.core.backprop.apply import Applied, apply, apply_problem
from nnplay.core.backprop.batch import (NEXT, POINT, Batch, nearest_training_point, next_batch, next_batch_problem,
                                        point_batch)
from nnplay.core.backprop.trace import FiniteDifference, Trace, fingerprint

__all__ = ["Applied", "Batch", "FiniteDifference", "NEXT", "POINT", "Trace", "apply", "apply_problem",
           "fingerprint", "nearest_training_point", "next_batch", "next_batch_problem", "point_batch"]
