"""The layer types a network file may list, registered in ``LAYERS`` by type name
(in this order: the app lists them so)."""

from nnplay.core.layers.base import LAYERS, Layer
from nnplay.core.layers.dense import Dense, DenseConfig  # isort: skip
from nnplay.core.layers.dropout import Dropout, DropoutConfig  # isort: skip
from nnplay.core.layers.batchnorm import BatchNorm, BatchNormConfig  # isort: skip

__all__ = ["LAYERS", "Layer", "Dense", "Dropout", "BatchNorm", "DenseConfig", "DropoutConfig", "BatchNormConfig"]
