"""Per-point values and class codes (categories), checked like points, naming the frame.

src/core/point-values.ts holds the same rules and words; the page checks again.
A frame is coloured by one of colors, categories or values (else by z): giving
two for one frame is refused, since one of them would be ignored.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = ["VALUES_DTYPE", "check_categories", "check_one_colouring", "check_values", "per_frame"]

VALUES_DTYPE = np.dtype("<f4")


def _per_point(value: Any, count: int, where: str, what: str) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes, dict)) or np.isscalar(value):
        raise TypeError(f"{where}: {what} must be an array of one number per point, or None, got {type(value).__name__}")
    try:
        src = np.asarray(value)
    except ValueError:  # ragged nested lists
        raise ValueError(f"{where}: {what} must have {count} entries to match {count} points, got rows of unequal length") from None
    if src.dtype.kind == "b" or src.dtype.kind not in "iuf":
        got = "a bool array" if src.dtype.kind == "b" else f"dtype {src.dtype}"
        raise TypeError(f"{where}: {what} must be numbers, got {got}")
    if src.shape != (count,):
        got = src.shape[0] if src.ndim == 1 else f"shape {src.shape}"
        raise ValueError(f"{where}: {what} must have {count} entries to match {count} points, got {got}")
    return src


def check_values(value: Any, count: int, where: str) -> np.ndarray | None:
    """(N,) little-endian float32 values, finite (also after the cast), or None."""
    src = _per_point(value, count, where, "values")
    if src is None:
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.ascontiguousarray(src, dtype=VALUES_DTYPE)
    finite = np.isfinite(out)
    if not finite.all():
        point = int(np.argmax(~finite))
        original = src[point]
        note = " (too large for float32)" if np.isfinite(original) else ""
        raise ValueError(f"{where}: values must be finite, got {original} at point {point}{note}")
    return out


def check_categories(value: Any, count: int, where: str) -> np.ndarray | None:
    """(N,) uint8 class codes: whole numbers from 0 to 255 (LAS classification), or None."""
    src = _per_point(value, count, where, "categories")
    if src is None:
        return None
    if src.dtype == np.uint8:
        return np.ascontiguousarray(src)
    with np.errstate(invalid="ignore"):
        ok = (src >= 0) & (src <= 255)  # NaN fails both
        if src.dtype.kind == "f":
            ok &= src == np.floor(src)
    if not ok.all():
        point = int(np.argmax(~ok))
        bad = src[point]
        shown = int(bad) if src.dtype.kind == "f" and np.isfinite(bad) and bad == np.floor(bad) else bad
        raise ValueError(f"{where}: categories must be whole numbers from 0 to 255 (class codes), got {shown} at point {point}")
    return np.ascontiguousarray(src, dtype=np.uint8)


def check_one_colouring(where: str, **given: Any) -> None:
    """Refuses a frame that has more than one of colors, values and categories."""
    named = [name for name, v in given.items() if v is not None]
    if len(named) > 1:
        both = f"{', '.join(named[:-1])} and {named[-1]}"
        raise ValueError(f"{where}: got both {both}: give one of colors, values or categories per frame")


def per_frame(value: Any, name: str, frames: int) -> Sequence[Any]:
    """``values=`` or ``categories=`` as one entry per frame: a list (None entries allowed) or one (F, N) array."""
    if value is None:
        return [None] * frames
    if isinstance(value, np.ndarray):
        if value.ndim != 2:
            raise ValueError(f"{name}= must be a list of (N,) arrays or one (F, N) array, got shape {value.shape}")
        entries: Sequence[Any] = value
    elif isinstance(value, (list, tuple)):
        entries = value
    else:
        raise TypeError(f"{name}= must be a list with an (N,) array or None per frame, or one (F, N) array, "
                        f"got {type(value).__name__}")
    if len(entries) != frames:
        raise ValueError(f"{name}= must have one entry per frame ({frames} frames, got {len(entries)} {name})")
    return entries
