"""PLY point clouds (plyfile): the vertex element's x, y, z, and red/green/blue, intensity and classification when present."""

from __future__ import annotations

import os

import numpy as np

from .record import PointFrame, ReadError, need_bytes
from .values import class_codes, colours, named_column

__all__ = ["read"]


def _check_sizes(path, plyfile, stream) -> None:
    """Every element the header announces must fit in the bytes after it, before plyfile
    allocates its rows (an ASCII row is at least two characters a property)."""
    try:
        header = plyfile.PlyData._parse_header(stream)  # the parser PlyData.read itself uses
    except (plyfile.PlyParseError, UnicodeDecodeError, ValueError) as e:
        raise ReadError(path, f"not a PLY file ({e})") from None
    available = os.fstat(stream.fileno()).st_size - stream.tell()
    needed = 0
    for element in header.elements:
        if header.text:
            row = 2 * len(element.properties)
        else:
            row = sum(np.dtype(p.list_dtype()[0] if isinstance(p, plyfile.PlyListProperty) else p.dtype()).itemsize
                      for p in element.properties)
        needed += element.count * row
    need_bytes(path, f"{', '.join(f'{e.count} {e.name} rows' for e in header.elements)}", needed, available)


def read(path) -> list:
    """The file's one frame: points as stored (float or double), colours as uint8."""
    import plyfile

    with open(path, "rb") as stream:
        _check_sizes(path, plyfile, stream)
        stream.seek(0)
        try:
            data = plyfile.PlyData.read(stream)
        except (plyfile.PlyParseError, UnicodeDecodeError, ValueError) as e:
            raise ReadError(path, f"corrupt PLY data ({e})") from None
        if "vertex" not in data:
            raise ReadError(path, "has no vertex element")
        vertex = data["vertex"].data
        names = vertex.dtype.names or ()
        missing = [a for a in "xyz" if a not in names]
        if missing:
            raise ReadError(path, f"the vertex element has no {', '.join(missing)} property")
        points = np.column_stack([vertex[a] for a in "xyz"])  # a copy: nothing keeps the file mapped
        rgb = [vertex[c] for c in ("red", "green", "blue") if c in names]
        frame = PointFrame(
            points=points,
            colors=colours(path, np.column_stack(rgb)) if len(rgb) == 3 else None,
            values=named_column(vertex, "intensity"),
            categories=class_codes(path, named_column(vertex, "classification")),
            source=os.fspath(path))
        del vertex, data
    return [frame]
