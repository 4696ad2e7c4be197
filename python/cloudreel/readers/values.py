"""Per-point fields as the readers hand them on: colours to uint8 (8-bit, 16-bit or 0..1 floats), class codes to uint8, named columns found; checks reuse frames.py and point_values.py."""

from __future__ import annotations

from typing import Optional

import numpy as np

from ..frames import _colors
from ..point_values import check_categories
from .record import ReadError

__all__ = ["class_codes", "colours", "named_column"]


def colours(path, rgb) -> np.ndarray:
    """(N, 3) colours as uint8: 16-bit colours (any above 255) scaled to 8 bits, floats up to 1 as
    0..1, floats above 1 as whole numbers 0..255, 8-bit as they are; ReadError naming the file."""
    rgb = np.asarray(rgb)
    if rgb.ndim != 2 or rgb.shape[1] != 3:
        raise ReadError(path, f"colours must have shape (N, 3), got {rgb.shape}")
    if rgb.dtype.kind == "u" and rgb.dtype.itemsize == 2 and rgb.size and int(rgb.max()) > 255:
        rgb = ((rgb.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)  # 16-bit, rounded
    elif rgb.dtype.kind == "f" and rgb.size and np.isfinite(rgb).all() and float(rgb.max()) > 1:
        if not (rgb == np.floor(rgb)).all():
            raise ReadError(path, "colours above 1 must be whole numbers 0..255 (or all colours 0..1)")
        rgb = rgb.astype(np.int64)
    try:
        return _colors(rgb, rgb.shape[0], "colours")
    except (TypeError, ValueError) as e:
        raise ReadError(path, str(e)) from None


def class_codes(path, codes) -> Optional[np.ndarray]:
    """(N,) class codes as uint8 (whole numbers 0..255), or None."""
    if codes is None:
        return None
    try:
        return check_categories(codes, len(codes), "classification")
    except (TypeError, ValueError) as e:
        raise ReadError(path, str(e)) from None


def named_column(table, name: str) -> Optional[np.ndarray]:
    """A copy of the column of a structured array called ``name`` (any case, CloudCompare's
    ``scalar_`` prefix allowed), or None."""
    for field in table.dtype.names or ():
        if field.lower() in (name, f"scalar_{name}"):
            return np.array(table[field])
    return None
