"""The origin of an animation's frames and the float32 precision rules around it.

Positions travel and render as float32, which WebGL draws with. Geo-referenced
points (UTM: easting 500000, northing 5400000) would lose their detail in the
cast, so they are re-centred in float64 first: the frames hold positions
relative to an origin (float64 world coordinates of local (0, 0, 0)), and the
origin travels in the wire header. src/core/origin.ts has the same rules.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

FLOAT32_MAX = float(np.finfo(np.float32).max)
# Fewer float32 steps than this across the cloud is a visible loss (bands, a lattice).
MIN_FLOAT32_STEPS = 4096
# Points whose centre lies farther from (0, 0, 0) than this many times their extent
# are re-centred: beyond it float32 keeps fewer than about 2**20 steps across them,
# and the GPU's float32 transforms lose as much again.
RECENTRE_RATIO = 8

Origin = tuple[float, float, float]


def choose_origin(lo: np.ndarray, hi: np.ndarray) -> Origin:
    """The origin for points whose float64 bounds are ``lo``..``hi`` (per axis).

    The bounds' centre when it lies far from (0, 0, 0) against the bounds'
    largest side (RECENTRE_RATIO), else (0, 0, 0), so points near the origin
    are kept as they are.
    """
    if not lo[0] <= hi[0]:  # no points
        return (0.0, 0.0, 0.0)
    # Halves first: exact, and no overflow near float64's limit (as in JS).
    centre = [float(a) * 0.5 + float(b) * 0.5 for a, b in zip(lo, hi)]
    size = max(float(b) - float(a) for a, b in zip(lo, hi))
    far = max(abs(c) for c in centre)
    return (centre[0], centre[1], centre[2]) if far > RECENTRE_RATIO * size else (0.0, 0.0, 0.0)


def fits_float32(origin: Origin, lo: float, hi: float, axis: int) -> bool:
    """Whether float32 holds the origin and, measured from it, the values lo..hi on ``axis``."""
    o = origin[axis]
    with np.errstate(over="ignore"):
        return (abs(o) <= FLOAT32_MAX and bool(np.isfinite(np.float32(lo - o)))
                and bool(np.isfinite(np.float32(hi - o))))


def precision_note(where: str, magnitude: float, size: float) -> str | None:
    """The warning for float32 points ``magnitude`` from (0, 0, 0) in a cloud ``size`` wide.

    None when float32 had enough steps there to hold them.
    """
    step = float(np.spacing(np.float32(magnitude)))
    if not size > 0 or size / step >= MIN_FLOAT32_STEPS:
        return None
    return (f"{where}: float32 points lie {magnitude:.3g} from (0, 0, 0) but the animation "
            f"spans only {size:.3g}; float32 steps there are {step:.3g}, so precision was lost "
            "before cloudreel got them and the picture shows bands. Pass float64 coordinates "
            "(cloudreel re-centres them before casting to float32).")


def header_origin(header: dict) -> Origin:
    """The wire header's origin, (0, 0, 0) when absent; ValueError when float32 could not hold it."""
    origin: Any = header.get("origin", [0.0, 0.0, 0.0])
    if not (isinstance(origin, (list, tuple)) and len(origin) == 3
            and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                    and math.isfinite(v) and abs(v) <= FLOAT32_MAX for v in origin)):
        raise ValueError("the frames header's origin must be three finite numbers within "
                         f"float32's range (at most 3.4e+38), got {origin!r}")
    return (float(origin[0]), float(origin[1]), float(origin[2]))
