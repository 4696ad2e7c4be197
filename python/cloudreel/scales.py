"""Fixed framing and colour scales, checked in the kernel with the browser's rules and words:
``bounds``, ``vmin``/``vmax``, ``colormap`` (``palette`` is in palette.py).

src/core/scale.ts (and colormap.ts) hold the same rules; the page checks again.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Optional

__all__ = ["COLORMAPS", "check_bounds", "check_colormap", "check_limit", "check_value_range"]

#: Colormaps the page offers (src/core/settings.ts; tests/cases/settings.json checks both).
COLORMAPS = ("viridis", "plasma", "inferno", "magma", "jet")

_BOUNDS_SHAPE = "bounds must be ((xmin, ymin, zmin), (xmax, ymax, zmax))"


def _is_number(v: Any) -> bool:
    return isinstance(v, Real) and not isinstance(v, bool)


def check_bounds(bounds: Any) -> Optional[list[list[float]]]:
    """``((xmin, ymin, zmin), (xmax, ymax, zmax))`` (or a (2, 3) array) as nested lists of
    floats, or None; ValueError unless finite with min <= max on each axis."""
    if bounds is None:
        return None
    try:
        pair = [[v for v in end] for end in bounds]
    except TypeError:
        pair = None
    if pair is None or len(pair) != 2 or any(len(end) != 3 for end in pair):
        raise ValueError(f"{_BOUNDS_SHAPE}, got {bounds!r}")
    for end, name in zip(pair, ("min", "max")):
        for k, v in enumerate(end):
            if not _is_number(v) or not math.isfinite(v):
                raise ValueError(f"bounds must be finite numbers, got {v!r} for {'xyz'[k]}{name}")
    lo, hi = ([float(v) for v in end] for end in pair)
    for k in range(3):
        if lo[k] > hi[k]:
            axis = "xyz"[k]
            raise ValueError(f"bounds must have min <= max on each axis, got {axis}min {lo[k]:g} > {axis}max {hi[k]:g}")
    return [lo, hi]


def check_limit(name: str, value: Any) -> Optional[float]:
    """``vmin`` or ``vmax``: a finite number, or None."""
    if value is None:
        return None
    if not _is_number(value) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def check_value_range(vmin: Any, vmax: Any) -> tuple[Optional[float], Optional[float]]:
    """Both limits checked, and vmin <= vmax when both are given (equal: a threshold)."""
    lo, hi = check_limit("vmin", vmin), check_limit("vmax", vmax)
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"vmin must not exceed vmax, got vmin {lo:g} > vmax {hi:g}")
    return lo, hi


def check_colormap(name: Any) -> str:
    if name not in COLORMAPS:
        raise ValueError(f"colormap must be one of {', '.join(COLORMAPS)}, got {name!r}")
    return name
