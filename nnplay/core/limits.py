"""Bounds that keep any network file from asking for gigabytes or years.

The settings declare them (``Setting.low``/``high``); the file checks and the
command line read them from here. docs/file-format.md lists them.
"""

MAX_LAYERS = 64
MAX_UNITS = 4096
#: with Adam's two slots and early stopping's best copy a file holds 4 numbers per parameter;
#: at this bound that stays well under networkfile.MAX_FILE_BYTES
MAX_PARAMETERS = 1_000_000
MAX_POINTS = 100_000
MAX_EPOCHS = 10_000_000
MAX_EPOCH = 1_000_000_000
MAX_SEED = 2**63 - 1
MAX_BATCH_SIZE = MAX_POINTS
#: points × widest layer: the size of one activation matrix when a whole set is evaluated
MAX_ACTIVATIONS = 32_000_000
#: data noise and input noise are standard deviations in the units of [-3, 3]²
MAX_NOISE = 100.0
#: the number of classes a multi-class data set may have
MIN_CLASSES, MAX_CLASSES = 3, 6
