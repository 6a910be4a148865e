"""nnplay: a desktop playground for feed-forward neural networks."""

__version__ = "0.1.0"
