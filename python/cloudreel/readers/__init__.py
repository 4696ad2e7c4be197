"""Point-cloud files to frames (extra ``cloudreel[files]``): one reader module per format on the field's own library, chosen by the file's extension."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
from pathlib import Path
from typing import Iterable, Iterator, List

from .paths import expand_inputs, natural_key, natural_sorted
from .record import COLOR_BY, FileBounds, PointFrame, ReadError, bounds_of, export_frames

__all__ = ["COLOR_BY", "FileBounds", "PointFrame", "ReadError", "SUFFIXES", "expand_inputs", "export_frames",
           "iter_frames", "natural_key", "natural_sorted", "read_bounds", "read_frames"]

#: Extension -> (reader module, the libraries it needs).
SUFFIXES = {
    ".ply": ("ply", ("plyfile",)),
    ".pcd": ("pcd", ("pypcd4",)),
    ".las": ("las", ("laspy",)),
    ".laz": ("las", ("laspy", "lazrs")),
    ".bin": ("kitti", ()),
    ".npy": ("arrays", ()),
    ".npz": ("arrays", ()),
}


def _reader(path):
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise ReadError(path, f"unknown file type {suffix or '(no extension)'!r}: cloudreel reads "
                              f"{', '.join(SUFFIXES)}")
    module, libraries = SUFFIXES[suffix]
    missing = [name for name in libraries if importlib.util.find_spec(name) is None]
    if missing:
        raise ReadError(path, f"reading {suffix} files needs {' and '.join(missing)}: pip install 'cloudreel[files]'")
    return importlib.import_module(f".{module}", __name__)


@contextlib.contextmanager
def _named(path):
    """The system's errors as ReadError naming the file."""
    try:
        yield
    except FileNotFoundError:
        raise ReadError(path, "no such file") from None
    except IsADirectoryError:
        raise ReadError(path, "is a folder, not a file") from None
    except OSError as e:
        raise ReadError(path, f"cannot be read ({e.strerror or e})") from None
    except MemoryError:
        raise ReadError(path, "too large to read into memory") from None


def read_frames(path: str | os.PathLike) -> List[PointFrame]:
    """The frames in one file (one for most formats; .npy/.npz may hold many); ReadError names
    the file and the problem (missing, truncated, corrupt, a header announcing too much)."""
    reader = _reader(path)
    with _named(path):
        return reader.read(path)


def read_bounds(path: str | os.PathLike, *, values: bool = False, frames: List[PointFrame] | None = None) -> FileBounds:
    """The bounds pass of one file: float64 bounds (and the values' range with ``values=True``),
    reading only what the format needs (a LAS/LAZ header; a KITTI scan in chunks; else the points,
    or ``frames``, the file's frames already read by read_frames, so the file is not read twice)."""
    reader = _reader(path)
    with _named(path):
        own = getattr(reader, "bounds", None)  # a format with bounds of its own, or a cheaper pass than reading it
        if own is not None:
            return own(path, values=values)
        return bounds_of(reader.read(path) if frames is None else frames, values)


def iter_frames(paths: Iterable[str | os.PathLike]) -> Iterator[PointFrame]:
    """Every frame of ``paths`` in order, one file read at a time: the one reading loop (the CLI's)."""
    for path in paths:
        yield from read_frames(path)
