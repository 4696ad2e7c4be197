"""KITTI-style .bin scans: little-endian float32 x, y, z, intensity per point, nothing else in the file."""

from __future__ import annotations

import os

import numpy as np

from ..frames import grow_box
from .record import FileBounds, PointFrame, ReadError

__all__ = ["POINT", "bounds", "read"]

POINT = np.dtype([("x", "<f4"), ("y", "<f4"), ("z", "<f4"), ("intensity", "<f4")])
#: Points per chunk of the bounds pass (16 MB): it never holds a whole scan.
_CHUNK = 1 << 20


def _count(path, stream) -> int:
    size = os.fstat(stream.fileno()).st_size
    if size % POINT.itemsize:
        raise ReadError(path, f"{size} bytes is not a whole number of {POINT.itemsize}-byte points "
                              "(float32 x, y, z, intensity): truncated, or not a KITTI scan")
    return size // POINT.itemsize


def read(path) -> list:
    """The scan as one frame: float32 points and their intensity as values."""
    with open(path, "rb") as stream:
        count = _count(path, stream)
        table = np.fromfile(stream, POINT, count)
    if len(table) != count:
        raise ReadError(path, f"read {len(table)} of {count} points (the file changed while being read)")
    points = np.column_stack([table["x"], table["y"], table["z"]])
    intensity = np.ascontiguousarray(table["intensity"])
    del table
    return [PointFrame(points=points, values=intensity, source=os.fspath(path))]


def bounds(path, *, values: bool = False) -> FileBounds:
    """Bounds and intensity range read a chunk at a time (16 MB at most in memory)."""
    lo, hi = np.full(3, np.inf), np.full(3, -np.inf)
    vlo, vhi = np.inf, -np.inf
    with open(path, "rb") as stream:
        count = _count(path, stream)
        left = count
        while left:
            chunk = np.fromfile(stream, POINT, min(left, _CHUNK))
            if not len(chunk):
                raise ReadError(path, f"ended after {count - left} of {count} points (the file changed while being read)")
            left -= len(chunk)
            xyz = np.stack([chunk["x"], chunk["y"], chunk["z"]], axis=1)
            lo, hi = grow_box(xyz, lo, hi)
            if values:
                vlo, vhi = min(vlo, float(chunk["intensity"].min())), max(vhi, float(chunk["intensity"].max()))
    return FileBounds(lo, hi, 1, count, (vlo, vhi) if values else None)
