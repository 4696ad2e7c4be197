"""ASPRS LAS and LAZ (laspy, LAZ through lazrs): scaled float64 coordinates, 16-bit RGB to 8-bit, intensity, classification."""

from __future__ import annotations

import os

import numpy as np

from ..frames import grow_box
from .record import FileBounds, PointFrame, ReadError, need_bytes
from .values import colours

__all__ = ["bounds", "read"]

#: Points per chunk: LAZ is decompressed a chunk at a time, so a header that announces more
#: points than the file holds fails at the chunk where the data ends, not in one allocation.
_CHUNK = 1 << 20


def _errors():
    import laspy

    kinds = [laspy.errors.LaspyException, ValueError, OSError, EOFError]
    try:
        import lazrs

        kinds.append(lazrs.LazrsError)
    except ImportError:
        pass
    return tuple(kinds)


def _open(path):
    """A laspy reader whose uncompressed point records the file holds in full."""
    import laspy

    try:
        reader = laspy.open(path)
    except _errors() as e:
        raise ReadError(path, f"not a LAS/LAZ file ({e})") from None
    header = reader.header
    if not header.are_points_compressed:
        available = os.path.getsize(path) - header.offset_to_point_data
        try:
            need_bytes(path, f"{header.point_count} points", header.point_count * header.point_format.size, available)
        except ReadError:
            reader.close()
            raise
    return reader


def _chunks(path, reader):
    header = reader.header
    read = 0
    try:
        for chunk in reader.chunk_iterator(_CHUNK):
            read += len(chunk)
            yield chunk
    except _errors() as e:
        raise ReadError(path, f"corrupt or truncated point data after {read} of {header.point_count} points ({e})") from None
    if read != header.point_count:
        raise ReadError(path, f"the header announces {header.point_count} points but the file holds {read}")


def read(path) -> list:
    """The file's one frame: float64 world coordinates, colours (point formats with RGB; all-zero
    RGB counts as none), intensity as values, classification as categories."""
    with _open(path) as reader:
        has_rgb = "red" in set(reader.header.point_format.dimension_names)
        parts = {"xyz": [], "rgb": [], "intensity": [], "classification": []}
        for chunk in _chunks(path, reader):
            parts["xyz"].append(np.column_stack([np.asarray(chunk.x), np.asarray(chunk.y), np.asarray(chunk.z)]))
            if has_rgb:
                parts["rgb"].append(np.column_stack([np.asarray(chunk.red), np.asarray(chunk.green), np.asarray(chunk.blue)]))
            parts["intensity"].append(np.array(chunk.intensity))
            parts["classification"].append(np.array(chunk.classification, dtype=np.uint8))
    joined = {k: np.concatenate(v) if v else None for k, v in parts.items()}
    if joined["xyz"] is None:  # no points at all
        joined = {"xyz": np.zeros((0, 3)), "rgb": np.zeros((0, 3), np.uint16) if has_rgb else None,
                  "intensity": np.zeros(0, np.uint16), "classification": np.zeros(0, np.uint8)}
    rgb = joined["rgb"]
    if rgb is not None and not rgb.any():
        rgb = None  # formats with RGB that nobody filled in: colour by z instead of black
    return [PointFrame(points=joined["xyz"], colors=None if rgb is None else colours(path, rgb),
                       values=joined["intensity"], categories=joined["classification"], source=os.fspath(path))]


def bounds(path, *, values: bool = False) -> FileBounds:
    """The header's bounds; the points are read (a chunk at a time) only for the intensity range
    (``values=True``) or when the header's bounds are not bounds (min above max, not finite)."""
    with _open(path) as reader:
        header = reader.header
        count = int(header.point_count)
        lo, hi = np.array(header.mins, np.float64), np.array(header.maxs, np.float64)
        trusted = count == 0 or (np.isfinite(lo).all() and np.isfinite(hi).all() and (lo <= hi).all())
        if count == 0 or not trusted:
            lo, hi = np.full(3, np.inf), np.full(3, -np.inf)
        if trusted and not values:
            return FileBounds(lo, hi, 1, count)
        vlo, vhi = np.inf, -np.inf
        for chunk in _chunks(path, reader):
            if not len(chunk):
                continue
            if not trusted:
                xyz = np.column_stack([np.asarray(chunk.x), np.asarray(chunk.y), np.asarray(chunk.z)])
                lo, hi = grow_box(xyz, lo, hi)
            vlo, vhi = min(vlo, float(chunk.intensity.min())), max(vhi, float(chunk.intensity.max()))
        return FileBounds(lo, hi, 1, count, (vlo, vhi) if values else None)
