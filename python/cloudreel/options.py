"""Export settings checked in the kernel with the browser's rules and words.

src/core/settings.ts holds the same limits (tests/cases/settings.json checks both sides) and
src/core/options.ts the same messages; the page checks again.
"""

from __future__ import annotations

import json
import math
from numbers import Real

__all__ = ["MAX_FPS", "MAX_SIDE", "MIN_FPS", "POINT_SHAPES", "check_fps", "check_point_shape", "check_side"]

#: One frame per 100 s: slower than that, GIF's frame delay (at most 655 s) and players misbehave.
MIN_FPS = 0.01
MAX_FPS = 240
#: The largest side WebGL implementations commonly allow for a drawing buffer.
MAX_SIDE = 8192
#: How each point is drawn: a square (WebGL's POINTS) or a disc, the point size across.
POINT_SHAPES = ("square", "round")


def check_fps(fps):
    """``fps`` when it is a number from MIN_FPS to MAX_FPS, else ValueError."""
    if isinstance(fps, bool) or not isinstance(fps, Real) or not (MIN_FPS <= fps <= MAX_FPS):
        raise ValueError(f"fps must be a number from {MIN_FPS} to {MAX_FPS} (frames per second), got {fps!r}")
    return fps


def check_side(name: str, value):
    """``value`` when it is an even whole number of pixels up to MAX_SIDE, else ValueError."""
    whole = not isinstance(value, bool) and isinstance(value, Real) and math.isfinite(value) and value == int(value)
    if not whole or value <= 0:
        raise ValueError(f"{name} must be a positive whole number of pixels, got {value!r}")
    if value % 2:
        raise ValueError(f"{name} must be even (yuv420p video needs even sizes), got {value}: try {value + 1}")
    if value > MAX_SIDE:
        raise ValueError(f"{name} {value} is larger than {MAX_SIDE} pixels, more than browsers render")
    return value


def check_point_shape(shape):
    """``shape`` when it is one of POINT_SHAPES, else ValueError (the page's words, Python's name)."""
    if shape not in POINT_SHAPES:
        choices = " or ".join([", ".join(json.dumps(s) for s in POINT_SHAPES[:-1]), json.dumps(POINT_SHAPES[-1])])
        got = json.dumps(shape, ensure_ascii=False) if isinstance(shape, str) else repr(shape)
        raise ValueError(f"point_shape must be {choices}, got {got}")
    return shape
