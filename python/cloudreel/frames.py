"""Frames on the kernel side: validate and normalise what users pass (wire.py packs them for the browser).

Every rejection names the frame as ``frames[i]`` (the index the caller used)
and the problem, so a person can find the bad data.

Positions are re-centred in float64 before the cast to float32 when they lie
far from (0, 0, 0) (geo-referenced data; see origin.py): normalize_frames
returns a ``Frames`` list whose ``origin`` holds the world coordinates of local
(0, 0, 0), and the positions are relative to it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

from .point_values import VALUES_DTYPE, check_categories, check_one_colouring, check_values, per_frame
from .origin import Origin, choose_origin, fits_float32, precision_note

__all__ = ["CheckedFrame", "Frame", "Frames", "check_float32_range", "check_frame", "grow_box", "lost_precision",
           "normalize_frames"]

POSITION_DTYPE = np.dtype("<f4")

_SHAPE_HINT = "frames must be a list of (N, 3) arrays or one (F, N, 3) array"


@dataclass(frozen=True, eq=False)
class Frame:
    """One validated frame; the arrays may share memory with the caller's input."""

    positions: np.ndarray  # (N, 3) '<f4', C-contiguous
    colors: np.ndarray | None = None  # (N, 3) uint8, C-contiguous, or None
    values: np.ndarray | None = None  # (N,) '<f4', or None
    categories: np.ndarray | None = None  # (N,) uint8 class codes, or None

    def __post_init__(self) -> None:
        p, c = self.positions, self.colors
        if not (isinstance(p, np.ndarray) and p.dtype == POSITION_DTYPE and p.ndim == 2
                and p.shape[1] == 3 and p.flags.c_contiguous):
            raise TypeError("Frame.positions must be a C-contiguous (N, 3) '<f4' array; "
                            "use normalize_frames() to build frames")
        if c is not None and not (isinstance(c, np.ndarray) and c.dtype == np.uint8
                                  and c.shape == p.shape and c.flags.c_contiguous):
            raise TypeError("Frame.colors must be None or a C-contiguous uint8 array "
                            "shaped like positions; use normalize_frames() to build frames")
        for name, dtype in (("values", VALUES_DTYPE), ("categories", np.dtype(np.uint8))):
            a = getattr(self, name)
            if a is not None and not (isinstance(a, np.ndarray) and a.dtype == dtype and a.shape == (p.shape[0],)
                                      and a.flags.c_contiguous):
                raise TypeError(f"Frame.{name} must be None or a C-contiguous (N,) {dtype.str!r} array; "
                                "use normalize_frames() to build frames")

    @property
    def count(self) -> int:
        return self.positions.shape[0]


class Frames(list):
    """Frames (a list of Frame) and the world coordinates their positions are relative to."""

    def __init__(self, frames: Iterable[Frame] = (), origin: Sequence[float] = (0.0, 0.0, 0.0)) -> None:
        super().__init__(frames)
        self.origin: Origin = (float(origin[0]), float(origin[1]), float(origin[2]))


def _type_name(value: Any) -> str:
    return type(value).__name__


def _as_numeric(value: Any, where: str, what: str) -> np.ndarray:
    """``value`` as an ndarray of integers or floats (a (0, 3) array for ``[]``)."""
    try:
        arr = np.asarray(value)
    except ValueError:  # ragged nested lists
        raise ValueError(f"{where}: {what} must have shape (N, 3), "
                         "got rows of unequal length") from None
    if arr.dtype.kind == "b":
        raise TypeError(f"{where}: {what} must be numbers, got a bool array")
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{where}: {what} must be numbers, got dtype {arr.dtype}")
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, 3)
    return arr


def _points(value: Any, where: str) -> np.ndarray:
    """``value`` as an (N, 3) numeric array, checked for shape and finiteness, not yet cast."""
    if isinstance(value, (str, bytes, dict)) or value is None or np.isscalar(value):
        raise TypeError(f"{where}: expected a dict with 'points', an (N, 3) array, "
                        f"got {_type_name(value)}")
    src = _as_numeric(value, where, "points")
    if src.ndim != 2 or src.shape[1] != 3:
        raise ValueError(f"{where}: points must have shape (N, 3), got {src.shape}")
    # min and max carry a NaN or an infinity through: two passes and no (N, 3) temporary for the usual
    # all-finite frame (a lazy export checks every frame as it is sent; see lost_precision).
    if src.dtype.kind == "f" and src.size and not (np.isfinite(src.min()) and np.isfinite(src.max())):
        finite = np.isfinite(src)
        point = int(np.argmax(~finite.all(axis=1)))
        axis = int(np.argmax(~finite[point]))
        raise ValueError(f"{where}: point {point} has a non-finite {'xyz'[axis]} coordinate "
                         f"({src[point, axis]})")
    return src


def _local_positions(src: np.ndarray, origin: Origin) -> np.ndarray:
    """``src - origin`` as C-contiguous '<f4', subtracted in float64 and rounded once."""
    if origin == (0.0, 0.0, 0.0):
        return np.asarray(src, dtype=POSITION_DTYPE, order="C")  # no copy for '<f4' input
    local = np.subtract(src, np.asarray(origin), dtype=np.float64)
    return np.ascontiguousarray(local, dtype=POSITION_DTYPE)


def _check_float32_range(points: list[np.ndarray], lo: np.ndarray, hi: np.ndarray, origin: Origin) -> None:
    """Refuses points float32 cannot hold even measured from ``origin``, naming the
    point with the largest coordinate on the axis at fault (as the browser does)."""
    for axis in range(3):
        if not lo[axis] <= hi[axis] or fits_float32(origin, float(lo[axis]), float(hi[axis]), axis):
            continue
        worst = lo[axis] if abs(lo[axis]) > abs(hi[axis]) else hi[axis]
        for i, src in enumerate(points):
            _refuse_point(src, axis, worst, f"frames[{i}]")


def _refuse_point(src: np.ndarray, axis: int, worst: float, where: str) -> None:
    """Raises for the first point of ``src`` whose coordinate on ``axis`` is ``worst``, if any."""
    hits = np.flatnonzero(src[:, axis] == worst) if src.size else []
    if len(hits):
        raise ValueError(f"{where}: point {int(hits[0])} has a {'xyz'[axis]} coordinate "
                         f"beyond float32's range ({float(worst):g}; float32 holds at most "
                         "3.4e+38, even measured from the points' centre)")


def check_float32_range(src: np.ndarray, origin: Origin, where: str) -> None:
    """Refuses a frame whose points float32 cannot hold measured from ``origin`` (a frame read
    lazily, checked alone), naming its point with the largest coordinate on the axis at fault."""
    lo, hi = grow_box(src, np.full(3, np.inf), np.full(3, -np.inf))
    for axis in range(3):
        if lo[axis] <= hi[axis] and not fits_float32(origin, float(lo[axis]), float(hi[axis]), axis):
            _refuse_point(src, axis, lo[axis] if abs(lo[axis]) > abs(hi[axis]) else hi[axis], where)


def _warn_lost_precision(points: list[np.ndarray], lo: np.ndarray, hi: np.ndarray) -> None:
    """Warns once when float32 points far from (0, 0, 0) already lost their detail."""
    size = float(np.max(hi - lo))
    for i, src in enumerate(points):
        if lost_precision(src, size, f"frames[{i}]", stacklevel=4):
            return


def lost_precision(src: np.ndarray, size: float, where: str, stacklevel: int = 3) -> bool:
    """Warns (and says True) when float32 points ``src`` far from (0, 0, 0) already lost their
    detail in an animation ``size`` wide."""
    if src.dtype.kind != "f" or src.dtype.itemsize != 4 or src.size == 0:
        return False
    # max |x| from min and max: no temporary as large as the frame (each one is fresh memory, mapped
    # and faulted in, where MALLOC_TRIM_THRESHOLD_ is set, as in Dask's workers).
    note = precision_note(where, max(-float(src.min()), float(src.max())), size)
    if note:
        warnings.warn(note, stacklevel=stacklevel)
    return note is not None


def _first_bad(src: np.ndarray, ok: np.ndarray) -> tuple[int, Any]:
    """(point index, value) of the first entry where ``ok`` is False."""
    flat = int(np.argmax(~ok.ravel()))
    return flat // 3, src.ravel()[flat]


def _colors(value: Any, count: int, where: str) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes, dict)) or np.isscalar(value):
        raise TypeError(f"{where}: colors must be an (N, 3) array or None, "
                        f"got {_type_name(value)}")
    src = _as_numeric(value, where, "colors")
    if src.shape != (count, 3):
        raise ValueError(f"{where}: colors must have shape ({count}, 3) to match "
                         f"{count} points, got {src.shape}")
    if src.dtype.kind == "f":
        ok = (src >= 0) & (src <= 1)  # NaN fails both
        if not ok.all():
            point, bad = _first_bad(src, ok)
            raise ValueError(f"{where}: float colors must lie in 0..1, got {bad} at point {point} "
                             "(for 0..255 use an integer dtype such as uint8)")
        # Round half up (like JavaScript's Math.round, not numpy's half-to-even) so
        # both sides turn the same floats into the same bytes; x - floor(x) is exact.
        scaled = src.astype(np.float64) * 255
        rounded = np.floor(scaled)
        rounded += (scaled - rounded) >= 0.5
        return rounded.astype(np.uint8)
    if src.size and (src.min() < 0 or src.max() > 255):
        point, bad = _first_bad(src, (src >= 0) & (src <= 255))
        raise ValueError(f"{where}: integer colors must lie in 0..255, got {bad} at point {point}")
    return np.ascontiguousarray(src, dtype=np.uint8)


def _entries(value: Any, name: str) -> Sequence[Any]:
    """``value`` as a sequence with one entry per frame."""
    if isinstance(value, np.ndarray):
        if value.ndim != 3 or value.shape[2] != 3:
            hint = _SHAPE_HINT if name == "frames" else \
                "colors= must be a list of (N, 3) arrays or one (F, N, 3) array"
            raise ValueError(f"{hint}, got shape {value.shape}")
        return value
    if isinstance(value, (list, tuple)):
        return value
    if name == "frames":
        raise TypeError(f"{_SHAPE_HINT}, got {_type_name(value)}")
    raise TypeError("colors= must be a list with an (N, 3) array or None per frame, "
                    f"or one (F, N, 3) array, got {_type_name(value)}")


def normalize_frames(frames: Any, colors: Any = None, values: Any = None, categories: Any = None) -> Frames:
    """Validate ``frames`` (and optional per-frame ``colors``, ``values``, ``categories``) into a list of Frame.

    ``frames`` is a list of dicts ``{'points': (N, 3), 'colors': (N, 3) or None}``
    (optionally with ``'values'`` or ``'categories'``), a list of (N, 3) arrays, or
    one (F, N, 3) array.  Colors are floats in 0..1 or integers in 0..255; values
    are N finite numbers; categories N whole numbers 0..255 (LAS class codes);
    ``values=``/``categories=`` are a list with an (N,) array or None per frame, or
    one (F, N) array.  Raises ValueError or TypeError naming ``frames[i]``.
    Positions far from (0, 0, 0) are re-centred in float64 before the cast to
    float32; the result's ``origin`` says on what (see the module docstring).
    """
    items = _entries(frames, "frames")
    if len(items) == 0:
        raise ValueError("frames is empty: an animation needs at least one frame")
    if colors is None:
        extra: Sequence[Any] = [None] * len(items)
    else:
        extra = _entries(colors, "colors")
        if len(extra) != len(items):
            raise ValueError(f"colors= must have one entry per frame "
                             f"({len(items)} frames, got {len(extra)} colors)")
    given = {"values": per_frame(values, "values", len(items)), "categories": per_frame(categories, "categories", len(items))}

    # Two passes: the float64 bounds of every frame choose the origin, then each
    # frame is re-centred on it in float64 and only then cast to float32.
    checked = []
    lo = np.full(3, np.inf)
    hi = np.full(3, -np.inf)
    for i, item in enumerate(items):
        one = check_frame(item, f"frames[{i}]", extra[i], **{name: entries[i] for name, entries in given.items()})
        checked.append(one)
        lo, hi = grow_box(one.source, lo, hi)
    origin = choose_origin(lo, hi)
    points = [c.source for c in checked]
    _check_float32_range(points, lo, hi, origin)
    _warn_lost_precision(points, lo, hi)
    return Frames((c.placed(origin) for c in checked), origin)


@dataclass(frozen=True, eq=False)
class CheckedFrame:
    """One frame checked in full (check_frame), its points not yet re-centred and cast to float32."""

    source: np.ndarray  # (N, 3) numbers as given, finite
    colors: np.ndarray | None
    values: np.ndarray | None
    categories: np.ndarray | None

    def placed(self, origin: Origin) -> Frame:
        """The Frame: positions re-centred on ``origin`` in float64, then cast to float32."""
        return Frame(_local_positions(self.source, origin), self.colors, self.values, self.categories)


def check_frame(item: Any, where: str, color: Any = None, values: Any = None, categories: Any = None) -> CheckedFrame:
    """Checks one frame as normalize_frames takes it (a dict with 'points', or an (N, 3) array,
    with its ``colors=``/``values=``/``categories=`` entries); errors start with ``where``."""
    points_in = item
    per_point = {"values": values, "categories": categories}
    if isinstance(item, dict):
        if "points" not in item:
            raise TypeError(f"{where}: expected a dict with 'points', "
                            f"got a dict with keys {sorted(map(str, item))}")
        unknown = set(item) - {"points", "colors", "values", "categories"}
        if unknown:  # most likely a typo such as 'color', which would drop colors
            raise ValueError(f"{where}: unknown keys {sorted(map(str, unknown))} "
                             "(expected 'points' and optionally 'colors', 'values' or 'categories')")
        points_in = item["points"]
        if item.get("colors") is not None:
            if color is not None:
                raise ValueError(f"{where}: colors given both in the dict and in colors=")
            color = item["colors"]
        for name in per_point:
            if item.get(name) is not None:
                if per_point[name] is not None:
                    raise ValueError(f"{where}: {name} given both in the dict and in {name}=")
                per_point[name] = item[name]
    src = _points(points_in, where)
    count = src.shape[0]
    colours = _colors(color, count, where)
    check_one_colouring(where, colors=color, **per_point)
    return CheckedFrame(src, colours, check_values(per_point["values"], count, where),
                        check_categories(per_point["categories"], count, where))


def grow_box(src: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``lo``, ``hi`` (float64 per axis) grown over the (N, 3) points ``src``."""
    if src.size:
        # Column by column: numpy's min(axis=0) over an (N, 3) array is ~40x slower (strided reduction).
        lo = np.minimum(lo, [src[:, k].min() for k in range(3)])
        hi = np.maximum(hi, [src[:, k].max() for k in range(3)])
    return lo, hi
