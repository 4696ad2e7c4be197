"""Lazy frame sequences for export(): file paths or a re-iterable, read twice (a bounds pass, then one frame at a time as the page renders it), never all at once.

The camera, the colour range and the re-centring origin need the whole animation,
so a bounds pass comes first: ``readers.read_bounds`` for files (a LAS header, a
KITTI scan in chunks; the first file is read whole, as frame 0 needs it next, and
kept), else every frame checked once, keeping only float64
bounds and the values' range. ``bounds=`` (and ``vmin``/``vmax`` where frames
are coloured by values) skip it when the frame count is known without reading.
Frames are validated when read, with normalize_frames's rules and words (frames.py's
check_frame), naming ``frames[i]`` and, for files, the file.
"""

from __future__ import annotations

import bisect
import os
import threading
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import numpy as np

from .frames import CheckedFrame, Frame, Frames, check_float32_range, check_frame, grow_box, lost_precision
from .origin import Origin, choose_origin
from .scales import check_bounds, check_value_range
from .wire import FramesHeader, frame_message, pack_frames

__all__ = ["LazyFrames", "is_lazy_source"]

#: File types that hold exactly one frame: with ``bounds=`` their frames need no counting pass.
ONE_FRAME_SUFFIXES = (".ply", ".pcd", ".las", ".laz", ".bin")


def _is_path(value: Any) -> bool:
    return isinstance(value, (str, os.PathLike))


def is_lazy_source(frames: Any) -> bool:
    """Whether export() reads ``frames`` lazily: a list or tuple of file paths, or an iterable
    that is not a list, tuple, array or dict (those are frames in memory, checked at once)."""
    if isinstance(frames, (list, tuple)):
        return len(frames) > 0 and all(_is_path(f) for f in frames)
    if isinstance(frames, (np.ndarray, dict, str, bytes)) or _is_path(frames):
        return False
    return hasattr(frames, "__iter__")


class LazyFrames:
    """An animation read frame by frame: ``count``, ``origin``, ``header()`` for the page, then
    ``frame(i)`` / ``packed(i)`` as the page asks (in order is cheapest; a fallback codec starts
    again at 0). ``source`` is a list of file paths or a re-iterable of what normalize_frames
    takes per frame (a dict with 'points', an (N, 3) array) or readers.PointFrame objects.
    ``color_by`` (readers.COLOR_BY) colours PointFrames: "auto" is RGB when the first frame has
    it, else z. ``on_progress(done, total, unit)`` hears the bounds pass's progress ("file" or
    "frame"; total None when unknown). Thread-safe: the runner server asks from its own threads."""

    def __init__(self, source: Any, *, color_by: str = "auto", bounds: Any = None,
                 vmin: Optional[float] = None, vmax: Optional[float] = None,
                 on_progress: Optional[Callable[[int, Optional[int], str], None]] = None) -> None:
        self._progress = on_progress or (lambda done, total, unit: None)
        self._lock = threading.Lock()
        self._color_by = color_by
        given = check_bounds(bounds)
        vmin, vmax = check_value_range(vmin, vmax)
        self._range_given = vmin is not None and vmax is not None
        self._files: Optional[list[Path]] = None
        self._source = source
        self._cursor: Optional[tuple[Iterator[Any], int]] = None  # (iterator, index of its next item)
        self._cached: tuple[int, list] = (-1, [])  # (file index, its PointFrames): one file held at a time
        self._warned = False
        self._auto_rgb = False  # "auto" became RGB: a frame without it is an error, not silently another colouring
        if isinstance(source, (list, tuple)) and source and all(_is_path(p) for p in source):
            self._files = [Path(p) for p in source]
            box, count, value_range = self._file_pass(given)
        else:
            box, count, value_range = self._iterable_pass(source, given)
        if count == 0:
            raise ValueError("frames is empty: an animation needs at least one frame")
        self.count = count
        lo, hi = box
        self.origin: Origin = choose_origin(lo, hi)
        self.value_range = value_range
        #: The animation's extent (for the precision warning) and its bounds relative to origin.
        self._size = float(np.max(hi - lo)) if lo[0] <= hi[0] else 0.0
        with np.errstate(over="ignore"):
            local = [np.float32(np.asarray(end) - np.asarray(self.origin)) for end in (lo, hi)]
        self.bounds = None if not lo[0] <= hi[0] else {"min": [float(v) for v in local[0]], "max": [float(v) for v in local[1]]}

    # -- the bounds pass ----------------------------------------------------------------------

    def _file_pass(self, given) -> tuple:
        """Bounds, frame count and value range of the files: read_bounds per file, unless
        ``bounds=`` was given, every file holds one frame and no value range is needed."""
        from .readers import read_bounds, read_frames

        if self._color_by == "auto":  # RGB when the first frame has it (its file is kept for frame 0)
            first = read_frames(self._files[0])
            self._color_by = "rgb" if first and first[0].colors is not None else "z"
            self._auto_rgb = self._color_by == "rgb"
            self._cached = (0, first)
        values = self._color_by == "intensity" and not self._range_given
        single = all(p.suffix.lower() in ONE_FRAME_SUFFIXES for p in self._files)
        if given is not None and single and not values:
            self._starts = list(range(len(self._files)))
            return (np.asarray(given[0], np.float64), np.asarray(given[1], np.float64)), len(self._files), None
        lo, hi = np.full(3, np.inf), np.full(3, -np.inf)
        self._starts, count, ranges = [], 0, []
        for i, path in enumerate(self._files):
            self._progress(i, len(self._files), "file")
            if i == 0 and self._cached[0] != 0:  # frame 0 is drawn first: its file is read once, here, and kept
                self._cached = (0, read_frames(path))
            part = read_bounds(path, values=values, frames=self._cached[1] if i == 0 else None)
            self._starts.append(count)
            count += part.frames
            lo, hi = np.minimum(lo, part.lo), np.maximum(hi, part.hi)
            ranges.append(part.values)
        self._progress(len(self._files), len(self._files), "file")
        value_range = None
        if values and ranges and all(r is not None for r in ranges):
            # As the page's frames hold them: float32 (the cast is monotonic).
            value_range = [float(np.float32(min(r[0] for r in ranges))), float(np.float32(max(r[1] for r in ranges)))]
        if given is not None:
            lo, hi = np.asarray(given[0], np.float64), np.asarray(given[1], np.float64)
        return (lo, hi), count, value_range

    def _iterable_pass(self, source, given) -> tuple:
        """Bounds, count and value range from one pass over ``source``, every frame checked,
        none kept; no pass when ``bounds=`` is given and len(source) says the count."""
        one_shot = iter(source) is source
        sized = hasattr(source, "__len__") and not one_shot
        if given is not None and (sized or one_shot):
            if one_shot and not hasattr(source, "__len__"):
                raise ValueError("frames is a one-shot iterator with no len(): its frame count is needed before "
                                 "the first frame is drawn; pass a re-iterable (a list of files, an object whose "
                                 "__iter__ starts again) or a sized sequence")
            box = (np.asarray(given[0], np.float64), np.asarray(given[1], np.float64))
            return box, len(source), None
        if one_shot:
            raise ValueError("frames is a one-shot iterator (iter(frames) is frames), read twice by a lazy export "
                             "(a bounds pass, then the frames): pass a re-iterable (a list of files, an object "
                             "whose __iter__ starts again), or bounds= (and vmin=/vmax= where frames have "
                             "values) so it is read once")
        lo, hi = np.full(3, np.inf), np.full(3, -np.inf)
        vlo, vhi = np.inf, -np.inf
        count = 0
        total = len(source) if hasattr(source, "__len__") else None
        for i, item in enumerate(source):
            self._progress(i, total, "frame")
            checked, _ = self._check(item, i)
            lo, hi = grow_box(checked.source, lo, hi)
            if checked.values is not None and checked.values.size:
                vlo, vhi = min(vlo, float(checked.values.min())), max(vhi, float(checked.values.max()))
            count += 1
        self._progress(count, count, "frame")
        if given is not None:  # read anyway for the count: the framing is still the one asked for
            lo, hi = np.asarray(given[0], np.float64), np.asarray(given[1], np.float64)
        return (lo, hi), count, ([vlo, vhi] if vlo <= vhi else None)

    # -- reading frames -----------------------------------------------------------------------

    def _check(self, item: Any, index: int) -> tuple[CheckedFrame, str]:
        """``item`` (frame ``index``) checked as normalize_frames checks it, and the name its
        errors use: ``frames[i]``, with its file for a frame read from one."""
        from .readers.record import PointFrame

        where = f"frames[{index}]"
        if isinstance(item, PointFrame):
            if self._color_by == "auto":
                self._color_by = "rgb" if item.colors is not None else "z"
                self._auto_rgb = self._color_by == "rgb"
            if item.source:
                where = f"{where} ({item.source})"
            if self._auto_rgb and item.colors is None:
                raise ValueError(f"{where}: has no RGB colours, which the first frame has (colouring 'auto' takes RGB "
                                 "when the first frame has it): colour by z (--color-by z) instead")
            item = item.frame(self._color_by)
        return check_frame(item, where), where

    def _item(self, index: int) -> Any:
        """Frame ``index`` as the source gives it: from its file (the last file's frames kept),
        by index from a sized sequence, or by iterating (starting again when asked for an earlier one)."""
        if self._files is not None:
            f = bisect.bisect_right(self._starts, index) - 1
            if self._cached[0] != f:
                from .readers import read_frames

                self._cached = (-1, [])  # the previous file's frames go before the next file is read
                self._cached = (f, read_frames(self._files[f]))
            frames = self._cached[1]
            k = index - self._starts[f]
            if k >= len(frames):
                raise ValueError(f"frames[{index}] ({self._files[f]}): the file now holds {len(frames)} frames, "
                                 "fewer than when the export began (did it change?)")
            return frames[k]
        source = self._source
        if hasattr(source, "__getitem__") and hasattr(source, "__len__"):
            return source[index]
        if self._cursor is None or self._cursor[1] > index:
            it = iter(source)
            if it is source and self._cursor is not None:
                raise ValueError(f"frames[{index}] was asked for again (a fallback codec renders every frame "
                                 "again), but frames is a one-shot iterator: pass a re-iterable")
            self._cursor = (it, 0)
        it, at = self._cursor
        item = None
        for at in range(at, index + 1):
            try:
                item = next(it)
            except StopIteration:
                raise ValueError(f"frames[{index}]: frames ended after {at} frames, but the bounds pass "
                                 f"found {self.count} (did the source change?)") from None
        self._cursor = (it, index + 1)
        return item

    def frame(self, index: int) -> Frame:
        """Frame ``index``, read, checked and re-centred on ``origin``; ValueError/TypeError naming it."""
        if not 0 <= index < self.count:
            raise IndexError(f"frame index {index} is outside 0..{self.count - 1}")
        with self._lock:
            item = self._item(index)
            checked, where = self._check(item, index)
            if checked.values is not None and self.value_range is None and not self._range_given:
                raise ValueError(f"{where} has values, but the colour range was not measured (bounds= skipped "
                                 "the bounds pass): pass vmin= and vmax= as well")
            check_float32_range(checked.source, self.origin, where)
            if not self._warned:
                self._warned = lost_precision(checked.source, self._size, where, stacklevel=4)
            return checked.placed(self.origin)

    def packed(self, index: int) -> tuple[FramesHeader, bytes]:
        """Frame ``index`` in the wire format (wire.pack_frames of that one frame, with ``origin``)."""
        return pack_frames(Frames([self.frame(index)], self.origin))

    def message(self, index: int) -> list:
        """Frame ``index`` as the runner page takes it: a wire.frame_message (its parts, in order)."""
        return frame_message(index, self.frame(index), self.origin)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Frame]:
        return (self.frame(i) for i in range(self.count))

    def header(self) -> dict:
        """What the page needs before any frame: count, origin, bounds (relative to origin) and the
        values' range (null when not measured or no frame has values)."""
        return {"count": self.count, "origin": list(self.origin), "bounds": self.bounds,
                "valueRange": self.value_range}
