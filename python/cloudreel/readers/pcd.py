"""PCL .pcd point clouds (pypcd4; ascii, binary, binary_compressed): x, y, z, packed rgb/rgba, intensity and classification when present; NaN points (PCL's invalid ones) left out."""

from __future__ import annotations

import os
import struct

import numpy as np

from .record import PointFrame, ReadError, need_bytes
from .values import class_codes, colours, named_column

__all__ = ["read"]

#: LZF's densest token (3 bytes) expands to 264 bytes: no honest block inflates more than this.
_LZF_MAX_RATIO = 88
#: A PCD header is ten short lines (comments aside); more than this is not a header.
_HEADER_LINE_LIMIT = 4096
_HEADER_LINES = 64


def _header(path, stream):
    """The header's lines as pypcd4's own reader collects them, read with bounded lines."""
    lines = []
    for _ in range(_HEADER_LINES):
        raw = stream.readline(_HEADER_LINE_LIMIT)
        if not raw:
            break
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise ReadError(path, "not a PCD file (its header is not text)") from None
        if line.startswith("#") or not line:
            continue
        lines.append(line)
        if line.startswith("DATA") or len(lines) >= 10:
            break
    return lines


def _metadata(path, pypcd4, stream):
    from pydantic import ValidationError

    lines = _header(path, stream)
    if not lines or not lines[-1].startswith("DATA"):
        raise ReadError(path, "not a PCD file (no DATA line in its header)")
    try:
        return pypcd4.MetaData.parse_header(lines)
    except (ValidationError, ValueError, KeyError) as e:
        first = str(e).splitlines()[0]
        raise ReadError(path, f"not a PCD file ({first})") from None


def _check_sizes(path, metadata, stream) -> None:
    """The data the header announces must be in the file before pypcd4 allocates for it."""
    row = metadata.build_dtype().itemsize
    expected = metadata.points * row
    available = os.fstat(stream.fileno()).st_size - stream.tell()
    what = f"{metadata.points} points"
    encoding = metadata.data.value
    if metadata.points == 0 or encoding == "ascii":
        return  # ascii is parsed line by line: its count is checked after reading
    if encoding == "binary":
        need_bytes(path, what, expected, available)
        return
    sizes = stream.read(8)
    if len(sizes) < 8:
        raise ReadError(path, "binary_compressed data ends before its sizes (truncated)")
    compressed, uncompressed = struct.unpack("<II", sizes)
    if uncompressed != expected:
        raise ReadError(path, f"the header announces {what} ({expected} bytes) but the compressed block "
                              f"says {uncompressed} bytes (corrupt)")
    need_bytes(path, f"a compressed block of {compressed} bytes", compressed, available - 8)
    if uncompressed > compressed * _LZF_MAX_RATIO:
        raise ReadError(path, f"the header announces {what} ({expected} bytes), more than its {compressed} "
                              "compressed bytes can hold (corrupt)")


def read(path) -> list:
    """The file's one frame: points as stored (F4 or F8), colours unpacked to uint8."""
    import pypcd4

    with open(path, "rb") as stream:
        metadata = _metadata(path, pypcd4, stream)
        _check_sizes(path, metadata, stream)
        stream.seek(0)
        try:
            data = np.atleast_1d(pypcd4.PointCloud.from_fileobj(stream).pc_data)
        except (ValueError, RuntimeError, struct.error, UnicodeDecodeError) as e:
            raise ReadError(path, f"corrupt {metadata.data.value} PCD data ({e})") from None
    if len(data) != metadata.points:
        raise ReadError(path, f"the header announces {metadata.points} points but the file holds {len(data)} "
                              "(truncated or corrupt)")
    names = data.dtype.names or ()
    missing = [a for a in "xyz" if a not in names]
    if missing:
        raise ReadError(path, f"has no {', '.join(missing)} field")
    points = np.column_stack([data[a] for a in "xyz"])
    valid = np.isfinite(points).all(axis=1)
    if not valid.all():  # PCL marks the invalid points of organised clouds with NaN: left out
        data, points = data[valid], points[valid]
    packed = next((data[n] for n in ("rgb", "rgba") if n in names), None)
    if packed is not None and packed.dtype.itemsize != 4:
        raise ReadError(path, f"its rgb field must be 4 bytes (packed 8-bit RGB), got {packed.dtype.itemsize}")
    return [PointFrame(
        points=points,
        colors=None if packed is None else colours(path, pypcd4.PointCloud.decode_rgb(np.ascontiguousarray(packed))),
        values=named_column(data, "intensity"),
        categories=class_codes(path, named_column(data, "classification")),
        source=os.fspath(path))]
