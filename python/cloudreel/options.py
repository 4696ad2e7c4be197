"""Export settings checked in the kernel with the browser's rules and words.

src/core/settings.ts holds the same limits (tests/cases/settings.json checks both sides) and
src/core/options.ts the same messages; the page checks again.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from numbers import Real

__all__ = ["MAX_FPS", "MAX_POINT_SIZE", "MAX_SIDE", "MIN_FPS", "POINT_SHAPES", "QUALITIES", "check_background",
           "check_fps", "check_point_shape", "check_point_size", "check_quality", "check_side", "check_view",
           "page_view"]

#: One frame per 100 s: slower than that, GIF's frame delay (at most 655 s) and players misbehave.
MIN_FPS = 0.01
MAX_FPS = 240
#: The largest side WebGL implementations commonly allow for a drawing buffer.
MAX_SIDE = 8192
#: How each point is drawn: a square (WebGL's POINTS) or a disc, the point size across.
POINT_SHAPES = ("square", "round")
#: Size/quality trade-off of the encoders.
QUALITIES = ("high", "standard", "small")
#: The largest point size (pixels) an export draws.
MAX_POINT_SIZE = 64


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


def _choices(values) -> str:
    return " or ".join([", ".join(json.dumps(s) for s in values[:-1]), json.dumps(values[-1])])


def _shown(value) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def check_point_shape(shape):
    """``shape`` when it is one of POINT_SHAPES, else ValueError (the page's words, Python's name)."""
    if shape not in POINT_SHAPES:
        raise ValueError(f"point_shape must be {_choices(POINT_SHAPES)}, got {_shown(shape)}")
    return shape


def check_quality(quality):
    """``quality`` when it is one of QUALITIES, else ValueError."""
    if quality not in QUALITIES:
        raise ValueError(f"quality must be {_choices(QUALITIES)}, got {_shown(quality)}")
    return quality


def check_point_size(size):
    """None (sized from each frame's point count) or a size in pixels above 0 up to MAX_POINT_SIZE, as a float."""
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, Real) or not (0 < size <= MAX_POINT_SIZE):
        raise ValueError(f"point_size must be between 0 and {MAX_POINT_SIZE} pixels (or None: sized from the point count), got {size!r}")
    return float(size)


def check_background(colour):
    """``colour`` when it is a "#rrggbb" string (what the panel's colour input gives), else ValueError."""
    if not (isinstance(colour, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", colour)):
        raise ValueError(f'background must be a colour written "#rrggbb", e.g. "#000000", got {_shown(colour)}')
    return colour.lower()


def check_view(view):
    """None, or the camera ``{"position", "target", "up"}`` (three finite numbers each, world coordinates)
    plus ``"fov_deg"`` (vertical, 1..179), as a dict of floats; else ValueError (the page checks again)."""
    if view is None:
        return None
    keys = {"position", "target", "up", "fov_deg"}
    if not isinstance(view, Mapping) or set(view) != keys:
        raise ValueError(f"view must be a dict with position, target, up (each three numbers) and fov_deg, got {view!r}")
    checked = {}
    for key in ("position", "target", "up"):
        vec = view[key]
        if isinstance(vec, (str, bytes)) or not isinstance(vec, Sequence) or len(vec) != 3 or not all(
                isinstance(v, Real) and not isinstance(v, bool) and math.isfinite(v) for v in vec):
            raise ValueError(f"view {key} must be three finite numbers, got {vec!r}")
        checked[key] = [float(v) for v in vec]
    if checked["position"] == checked["target"]:
        raise ValueError("view position and target must differ")
    fov = view["fov_deg"]
    if isinstance(fov, bool) or not isinstance(fov, Real) or not (1 < fov < 179):
        raise ValueError(f"view fov_deg must lie between 1 and 179, got {fov!r}")
    checked["fov_deg"] = float(fov)
    return checked


def page_view(view):
    """A checked view as the page's CameraView takes it (fovDeg), or None."""
    if view is None:
        return None
    return {"position": view["position"], "target": view["target"], "up": view["up"], "fovDeg": view["fov_deg"]}
