"""Files: the `.nnp` network file, points CSV, and weight exports (npz, JSON, ONNX).

Never imports Qt; the app and the command line both go through these functions.
"""

from nnplay.io.networkfile import dumps_network, loads_network, read_network, write_network
from nnplay.io.schema import NetworkFileError, network_to_dict, parse_network

__all__ = [
    "NetworkFileError", "dumps_network", "loads_network", "network_to_dict", "parse_network",
    "read_network", "write_network",
]
