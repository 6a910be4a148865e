"""The app's colours: one per class, and the maps the boundary plot paints with.

The class colours are the Okabe–Ito palette, which readers with any common colour
blindness can tell apart (the data panel's class buttons use the same). A binary
boundary runs from class 0's blue through white (undecided) to class 1's orange.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

#: fill colour of each class's points, and of its region on a many-class boundary
CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#F0E442", "#56B4E9")
#: the training and the validation set's colour (curves, numbers)
TRAIN_COLOR, VALIDATION_COLOR = "#0072B2", "#D55E00"
#: how strongly a region is tinted by its class colour (the rest is white, so points stand out)
REGION_STRENGTH = 0.55


def class_rgb() -> np.ndarray:
    """``(6, 3)`` class colours as floats in 0..1."""
    return np.array([pg.mkColor(c).getRgbF()[:3] for c in CLASS_COLORS])


def binary_map() -> pg.ColorMap:
    """Class 0 → white → class 1, lightened so the points on top stay visible."""
    rgb = class_rgb()
    ends = 1.0 - REGION_STRENGTH * (1.0 - rgb[:2])
    colors = [ends[0], (1.0, 1.0, 1.0), ends[1]]
    return pg.ColorMap([0.0, 0.5, 1.0], [tuple(int(255 * v) for v in c) for c in colors])


def value_map() -> pg.ColorMap:
    """For regression: a perceptually uniform map from low to high values."""
    return pg.colormap.get("viridis")


def blend_classes(probabilities: np.ndarray, rgb: np.ndarray | None = None) -> np.ndarray:
    """``(..., K)`` class probabilities → ``(..., 4)`` uint8 RGBA (opaque): each class's
    colour (``rgb``, default ``class_rgb()``), weighted by its probability, tinted over white."""
    rgb = (class_rgb() if rgb is None else rgb)[: probabilities.shape[-1]]
    mixed = np.nan_to_num(probabilities) @ rgb
    out = np.empty(probabilities.shape[:-1] + (4,), dtype=np.uint8)
    out[..., :3] = np.clip((1.0 - REGION_STRENGTH * (1.0 - mixed)) * 255.0, 0, 255)
    out[..., 3] = 255
    return out


#: a link's or a bias's colour by its sign (the diagram's): positive like class 1 and the
#: high end of a unit's map, negative like class 0 and its low end
POSITIVE_COLOR, NEGATIVE_COLOR = CLASS_COLORS[1], CLASS_COLORS[0]


def diverging_lut() -> np.ndarray:
    """``(256, 4)`` uint8: the binary boundary's map, blue → white → orange."""
    return binary_map().getLookupTable(nPts=256, alpha=True)


def sequential_lut(color: str = CLASS_COLORS[1]) -> np.ndarray:
    """``(256, 4)`` uint8: white → ``color`` (lightened as the boundary's regions are)."""
    end = 1.0 - REGION_STRENGTH * (1.0 - np.array(pg.mkColor(color).getRgbF()[:3]))
    t = np.linspace(0.0, 1.0, 256)[:, None]
    out = np.empty((256, 4), dtype=np.uint8)
    out[:, :3] = np.round(255 * ((1 - t) + t * end))
    out[:, 3] = 255
    return out
