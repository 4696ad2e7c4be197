"""Which files make the frames: globs expanded, in natural order (scan_2 before scan_10), the one place that orders paths."""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path
from typing import Iterable, List

from .record import ReadError

__all__ = ["expand_inputs", "natural_key", "natural_sorted"]

_DIGITS = re.compile(r"(\d+)")


def natural_key(path: str | os.PathLike) -> tuple:
    """A sort key that compares runs of digits as numbers: ``scan_2`` < ``scan_10``; ties
    (``scan_02`` and ``scan_2``, ``A`` and ``a``) fall back to the plain string."""
    text = os.fspath(path)
    # re.split with a group alternates text and digit runs, starting with text, so the
    # parts at each position have one type and the tuples always compare.
    parts = tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(_DIGITS.split(text)))
    return parts, text


def natural_sorted(paths: Iterable[str | os.PathLike]) -> list:
    return sorted(paths, key=natural_key)


def _is_glob(pattern: str) -> bool:
    return glob.has_magic(pattern)


def expand_inputs(inputs: Iterable[str | os.PathLike]) -> List[Path]:
    """Files named or matched by ``inputs`` (paths or globs, ``**`` included), each once, in
    natural order of their paths; ReadError for a glob that matches no file or a missing path."""
    found = {}
    for raw in inputs:
        pattern = os.fspath(raw)
        if _is_glob(pattern) and not os.path.isfile(pattern):  # a file named scan[1].ply is that file
            matches = [m for m in glob.glob(pattern, recursive=True) if os.path.isfile(m)]
            if not matches:
                raise ReadError(pattern, "no files match this pattern")
        elif os.path.isdir(pattern):
            raise ReadError(pattern, "is a folder: name its files or a glob such as "
                                     f"{os.path.join(pattern, '*.ply')!r}")
        elif not os.path.isfile(pattern):
            raise ReadError(pattern, "no such file")
        else:
            matches = [pattern]
        for m in matches:
            found.setdefault(os.path.normpath(os.path.abspath(m)), Path(m))
    return [found[k] for k in natural_sorted(found)]
