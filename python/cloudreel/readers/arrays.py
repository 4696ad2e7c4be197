"""NumPy .npy and .npz files (allow_pickle=False): (N, 3) points, (N, 6) xyz+rgb, or (F, N, 3|6) for many frames in one file."""

from __future__ import annotations

import os
import zipfile
from typing import IO, List, Optional

import numpy as np

from .paths import natural_sorted
from .record import PointFrame, ReadError, need_bytes
from .values import class_codes, colours

__all__ = ["read"]

#: .npz keys read as one animation (else every array is frames, in natural order of its name).
_KEYS = {"points": "points", "colors": "colors", "values": "values", "intensity": "values",
         "categories": "categories", "classification": "categories"}


def _announced(path, stream: IO[bytes], available: int, name: str) -> None:
    """The array's own header must not announce more bytes than its file (or .npz member) holds."""
    fmt = np.lib.format
    start = stream.tell()
    try:
        version = fmt.read_magic(stream)
        header = fmt.read_array_header_1_0 if version[0] == 1 else fmt.read_array_header_2_0
        shape, _, dtype = header(stream)
    except (ValueError, OSError, EOFError) as e:
        raise ReadError(path, f"{name} is not a .npy array ({e})") from None
    if dtype.hasobject:
        raise ReadError(path, f"{name} holds Python objects (pickles are never loaded)")
    need_bytes(path, f"{name} of shape {shape} and dtype {dtype}", int(np.prod(shape, dtype=object)) * dtype.itemsize,
               available - (stream.tell() - start))


def _frames(path, array: np.ndarray, name: str, colours_in: Optional[np.ndarray] = None,
            values: Optional[np.ndarray] = None, categories: Optional[np.ndarray] = None,
            member: str = "") -> List[PointFrame]:
    """(N, 3|6) as one frame, (F, N, 3|6) as F frames; the extra columns of (…, 6) are RGB."""
    if array.dtype.kind not in "iuf" or array.ndim not in (2, 3) or array.shape[-1] not in (3, 6):
        raise ReadError(path, f"{name} must be (N, 3) points, (N, 6) xyz+rgb or (F, N, 3|6) frames of numbers, "
                              f"got shape {array.shape} and dtype {array.dtype}")
    many = array.ndim == 3
    stack = array if many else array[None]
    extras = {"colors": colours_in, "values": values, "categories": categories}
    for key, extra in extras.items():
        if extra is not None:
            extra = np.asarray(extra)
            extras[key] = extra if many else extra[None]
            if len(extras[key]) != len(stack):
                raise ReadError(path, f"{key} has {len(extras[key])} frames but {name} has {len(stack)}")
    if stack.shape[-1] == 6 and extras["colors"] is not None:
        raise ReadError(path, f"colours given twice: as {name}'s last three columns and as 'colors'")
    out = []
    for i, frame in enumerate(stack):
        source = os.fspath(path) + (f"[{member}]" if member else "") + (f"[{i}]" if many else "")
        rgb = frame[:, 3:] if frame.shape[1] == 6 else extras["colors"][i] if extras["colors"] is not None else None
        out.append(PointFrame(
            # A view of the array read where it is already (F, N, 3) floats: no second copy of the file's points.
            points=np.asarray(frame[:, :3], dtype=np.float64 if frame.dtype.kind in "iu" else frame.dtype, order="C"),
            colors=None if rgb is None else colours(source, rgb),
            values=None if extras["values"] is None else np.array(extras["values"][i]),
            categories=None if extras["categories"] is None else class_codes(source, extras["categories"][i]),
            source=source))
    return out


def _npy(path) -> List[PointFrame]:
    with open(path, "rb") as stream:
        _announced(path, stream, os.fstat(stream.fileno()).st_size, "the array")
        stream.seek(0)
        try:
            array = np.load(stream, allow_pickle=False)
        except (ValueError, OSError, EOFError) as e:
            raise ReadError(path, f"corrupt .npy data ({e})") from None
    return _frames(path, array, "the array")


def _npz(path) -> List[PointFrame]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise ReadError(path, f"not a .npz file ({e})") from None
    with archive:
        members = {info.filename[:-4]: info for info in archive.infolist() if info.filename.endswith(".npy")}
        if not members:
            raise ReadError(path, "holds no arrays")
        arrays = {}
        for key, info in members.items():
            try:
                with archive.open(info) as stream:
                    _announced(path, stream, info.file_size, f"array {key!r}")
                with archive.open(info) as stream:
                    arrays[key] = np.lib.format.read_array(stream, allow_pickle=False)
            except ReadError:
                raise
            except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
                raise ReadError(path, f"array {key!r} is corrupt ({e})") from None
    if "points" in arrays:
        named = {_KEYS[k]: v for k, v in arrays.items() if k in _KEYS and k != "points"}
        unknown = sorted(set(arrays) - set(_KEYS))
        if unknown:
            raise ReadError(path, f"unknown arrays {unknown} beside 'points' (expected colors, values or intensity, "
                                  "categories or classification)")
        return _frames(path, arrays["points"], "'points'", named.get("colors"), named.get("values"), named.get("categories"))
    return [frame for key in natural_sorted(arrays) for frame in _frames(path, arrays[key], f"array {key!r}", member=key)]


def read(path) -> List[PointFrame]:
    """Every frame in the file: one for (N, 3|6), F for (F, N, 3|6); a .npz either has 'points'
    (with optional 'colors', 'values'/'intensity', 'categories'/'classification') or holds
    frames under any names (np.savez(path, *frames): arr_0, arr_1, ..., in natural order)."""
    suffix = os.fspath(path).lower().rsplit(".", 1)[-1]
    return _npz(path) if suffix == "npz" else _npy(path)
