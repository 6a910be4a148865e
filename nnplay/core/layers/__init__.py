"""The layer types a network file may list, registered in ``LAYERS`` by type name."""

from nnplay.core.layers.base import LAYERS, Layer
from nnplay.core.layers.batchnorm import BatchNorm, BatchNormConfig
from nnplay.core.layers.dense import Dense, DenseConfig
from nnplay.core.layers.dropout import Dropout, DropoutConfig

__all__ = ["LAYERS", "Layer", "Dense", "Dropout", "BatchNorm", "DenseConfig", "DropoutConfig", "BatchNormConfig"]
