"""What every reader returns: PointFrame (one frame as read), FileBounds (a file's bounds pass), ReadError, and the colouring choice that turns PointFrames into frames for normalize_frames."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

import numpy as np

from ..frames import grow_box

__all__ = ["COLOR_BY", "FileBounds", "PointFrame", "ReadError", "bounds_of", "export_frames", "need_bytes"]

#: How the CLI colours frames: "auto" is rgb where every frame has colours, else z (height).
COLOR_BY = ("auto", "rgb", "z", "intensity", "classification")


class ReadError(ValueError):
    """A file that cannot be read as a point cloud; the message names the file and the problem."""

    def __init__(self, path: str | os.PathLike, problem: str):
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


@dataclass(frozen=True, eq=False)
class PointFrame:
    """One frame as a reader found it, before normalize_frames checks and re-centres it."""

    #: (N, 3) coordinates as read: float64 (LAS scaled coordinates, doubles) or float32.
    points: np.ndarray
    #: (N, 3) uint8 RGB, or None when the file has no colours.
    colors: Optional[np.ndarray] = None
    #: (N,) per-point values as read (intensity), or None.
    values: Optional[np.ndarray] = None
    #: (N,) uint8 class codes (LAS classification), or None.
    categories: Optional[np.ndarray] = None
    #: Where the frame came from: the path, with ``[i]`` for a file holding several frames.
    source: str = ""

    @property
    def count(self) -> int:
        return int(self.points.shape[0])

    def frame(self, color_by: str = "auto") -> dict:
        """This frame as normalize_frames takes it, coloured by ``color_by`` (one of COLOR_BY)."""
        if color_by in ("auto", "z"):
            colours = self.colors if color_by == "auto" else None
            return {"points": self.points, "colors": colours}
        field, what = {"rgb": ("colors", "RGB colours"), "intensity": ("values", "intensity"),
                       "classification": ("categories", "classification")}.get(color_by, (None, None))
        if field is None:
            raise ValueError(f"color_by must be one of {', '.join(COLOR_BY)}, got {color_by!r}")
        data = getattr(self, field)
        if data is None:
            raise ReadError(self.source, f"has no {what} to colour by (--color-by {color_by})")
        return {"points": self.points, field: data}


def export_frames(frames: Sequence[PointFrame], color_by: str = "auto") -> list[dict]:
    """Frames for export(): "auto" takes RGB only where every frame has it (else all by z, so
    one animation is coloured one way); the others need their field in every frame."""
    if color_by == "auto":
        color_by = "rgb" if frames and all(f.colors is not None for f in frames) else "z"
    return [f.frame(color_by) for f in frames]


@dataclass(frozen=True)
class FileBounds:
    """What a bounds pass learns of a file without keeping its points: float64 bounds and counts."""

    #: (3,) float64 minimum and maximum of x, y, z (+inf / -inf when the file holds no point).
    lo: np.ndarray
    hi: np.ndarray
    frames: int
    points: int
    #: (min, max) of the per-point values (intensity) when asked for and present, else None.
    values: Optional[tuple] = None

    @staticmethod
    def union(parts: Iterable["FileBounds"]) -> "FileBounds":
        """The bounds of several files together (the value range where every part has one)."""
        parts = list(parts)
        lo, hi = np.full(3, np.inf), np.full(3, -np.inf)
        for p in parts:
            lo, hi = np.minimum(lo, p.lo), np.maximum(hi, p.hi)
        ranges = [p.values for p in parts]
        values = None
        if ranges and all(r is not None for r in ranges):
            values = (min(r[0] for r in ranges), max(r[1] for r in ranges))
        return FileBounds(lo, hi, sum(p.frames for p in parts), sum(p.points for p in parts), values)


def bounds_of(frames: Sequence[PointFrame], values: bool = False) -> FileBounds:
    """The bounds pass of a format that has no bounds in its header: from the points read."""
    lo, hi = np.full(3, np.inf), np.full(3, -np.inf)
    ranges = []
    for f in frames:
        lo, hi = grow_box(f.points, lo, hi)
        if values:
            ranges.append(None if f.values is None else
                          (float(f.values.min()), float(f.values.max())) if f.count else (np.inf, -np.inf))
    value_range = None
    if values and ranges and all(r is not None for r in ranges):
        value_range = (min(r[0] for r in ranges), max(r[1] for r in ranges))
    return FileBounds(lo, hi, len(frames), sum(f.count for f in frames), value_range)


def need_bytes(path, what: str, announced: int, available: int) -> None:
    """Refuses a header that announces more data than the file holds, before anything is allocated."""
    if announced > available:
        raise ReadError(path, f"the header announces {what} ({announced} bytes) but the file holds only "
                              f"{available} bytes of data (truncated or corrupt)")
