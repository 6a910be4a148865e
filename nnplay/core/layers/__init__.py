"""The layer types a network file may list."""

from nnplay.core.layers.base import Layer
from nnplay.core.layers.batchnorm import BatchNorm
from nnplay.core.layers.dense import Dense
from nnplay.core.layers.dropout import Dropout

LAYER_TYPES = {"dense": Dense, "dropout": Dropout, "batchnorm": BatchNorm}

__all__ = ["Layer", "Dense", "Dropout", "BatchNorm", "LAYER_TYPES"]
