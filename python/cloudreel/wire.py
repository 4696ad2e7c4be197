"""The wire format of frames, kernel to page: header layout, packing, chunks and reassembly.

frames.py validates and normalises what users pass; this module only lays out
frames already validated (Frame objects) and reads them back. The TypeScript
side (src/widget/frame-transfer.ts) reads exactly this.

Layout::

    header  = {"frames": [{"points": N_i, "colors": bool,
                           "values": true, "categories": true}, ...],  # only when true
               "total_bytes": T, "origin": [x, y, z]}
    payload = for each frame, in order:
                positions      N_i*3 little-endian float32 (x0 y0 z0 x1 ...),
                               relative to origin (float64 numbers, each within
                               float32's range; (0, 0, 0) when absent)
                if colors:     N_i*3 uint8 (r0 g0 b0 r1 ...), then zero bytes up to
                               the next multiple of 4
                if values:     N_i little-endian float32 (v0 v1 ...)
                if categories: N_i uint8 class codes, then zero bytes up to the
                               next multiple of 4
              so every block starts 4-byte aligned. A frame has at most one of
              colors, values and categories.
    T = len(payload)

A frame message carries one frame of a lazy export (lazy_frames.py; the runner page's
``GET frame/<i>``)::

    message = L (uint32 little-endian), then L bytes of UTF-8 JSON, spaces at its end
              making L a multiple of 4: the header of that frame alone plus its index,
              {"index": i, "frames": [entry], "total_bytes": T, "origin": [x, y, z]},
              then its T-byte payload (so its blocks stay 4-byte aligned).
"""

from __future__ import annotations

import json
import operator
import struct
from typing import Any, Callable, Iterator, List, Literal, Optional, Sequence, TypedDict

import numpy as np

from .frames import POSITION_DTYPE, Frame, Frames
from .origin import header_origin
from .point_values import VALUES_DTYPE

__all__ = ["CHUNK_BYTES", "ChunkAssembler", "FramesHeader", "chunk_count", "frame_message", "iter_chunks", "pack_frames",
           "unpack_frame_message", "unpack_frames"]

CHUNK_BYTES = 2 * 1024 * 1024


class _FrameFlags(TypedDict, total=False):
    values: Literal[True]
    categories: Literal[True]


class FrameEntry(_FrameFlags):
    """One frame in the header: its point count, and which blocks follow its positions."""
    points: int
    colors: bool


class FramesHeader(TypedDict):
    frames: List[FrameEntry]
    total_bytes: int
    origin: List[float]


def _color_bytes(count: int) -> int:
    """Colour block size for ``count`` points, padded to a multiple of 4."""
    return (count * 3 + 3) // 4 * 4


def _category_bytes(count: int) -> int:
    """Category block size for ``count`` points, padded to a multiple of 4."""
    return (count + 3) // 4 * 4


def _frame_bytes(count: int, colors: bool, values: bool, categories: bool) -> int:
    return (count * 12 + (_color_bytes(count) if colors else 0) + (count * 4 if values else 0)
            + (_category_bytes(count) if categories else 0))


def _frame_parts(frames: Sequence[Frame]) -> tuple[list[FrameEntry], list[Any]]:
    """Each frame's header entry, and the payload's parts in order (the arrays' own buffers and the padding)."""
    parts: list[Any] = []
    entries = []
    for frame in frames:
        if not isinstance(frame, Frame):
            raise TypeError(f"pack_frames takes Frame objects, got {type(frame).__name__}")
        parts.append(frame.positions)
        entry: FrameEntry = {"points": frame.count, "colors": frame.colors is not None}
        if frame.colors is not None:
            parts.append(frame.colors)
            parts.append(bytes(_color_bytes(frame.count) - frame.colors.nbytes))
        if frame.values is not None:
            parts.append(frame.values)
            entry["values"] = True
        if frame.categories is not None:
            parts.append(frame.categories)
            parts.append(bytes(_category_bytes(frame.count) - frame.categories.nbytes))
            entry["categories"] = True
        entries.append(entry)
    return entries, parts


def _header(frames: Sequence[Frame], entries: list[FrameEntry], total_bytes: int) -> FramesHeader:
    origin = getattr(frames, "origin", (0.0, 0.0, 0.0))
    return {"frames": entries, "total_bytes": total_bytes, "origin": list(origin)}


def pack_frames(frames: Sequence[Frame]) -> tuple[FramesHeader, bytes]:
    """Header and payload in the wire format described in the module docstring.

    The origin is ``frames.origin`` (a Frames from normalize_frames), else (0, 0, 0).
    A lazy export sends each frame alone (frame_message): the one entry and the payload
    of ``pack_frames(Frames([frame], origin))`` are that frame's part of the whole's.
    """
    entries, parts = _frame_parts(frames)
    payload = b"".join(parts)  # one copy, straight from the arrays' buffers
    return _header(frames, entries, len(payload)), payload


def _flat_bytes(part: Any) -> Any:
    """``part``'s bytes as a flat view, no copy (an empty frame's (0, 3) array cannot be cast: b"")."""
    view = memoryview(part)
    return view.cast("B") if view.nbytes else b""


def frame_message(index: int, frame: Frame, origin) -> list:
    """Frame ``index`` alone as a frame message (module docstring): its parts, flat bytes-likes to be
    sent in order. The frame's arrays go as they are (byte views), not joined: no copy per frame sent."""
    one = Frames([frame], origin)
    entries, parts = _frame_parts(one)
    views = [_flat_bytes(p) for p in parts]
    header = _header(one, entries, sum(len(v) for v in views))
    text = json.dumps({"index": index, **header}, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    return [struct.pack("<I", len(text)), text, *views]


def unpack_frame_message(data: bytes) -> tuple[int, Frames]:
    """Inverse of frame_message: (index, the one frame); ValueError when the message is malformed."""
    view = memoryview(data).cast("B")
    if len(view) < 4:
        raise ValueError(f"a frame message needs at least 4 bytes, got {len(view)}")
    (length,) = struct.unpack_from("<I", view)
    if length % 4 or 4 + length > len(view):
        raise ValueError(f"frame message header length {length} is not a multiple of 4 within the {len(view)}-byte message")
    header = json.loads(bytes(view[4:4 + length]))
    index = header.pop("index", None) if isinstance(header, dict) else None
    if type(index) is not int or index < 0 or len(header.get("frames", [])) != 1:
        raise ValueError("a frame message header must hold an index >= 0 and one frame")
    return index, unpack_frames(header, view[4 + length:])


def _header_entries(header: Any) -> list[tuple[int, bool, bool, bool]]:
    if not isinstance(header, dict) or not isinstance(header.get("frames"), list):
        raise ValueError("header must be a dict with a 'frames' list")
    entries = []
    for i, entry in enumerate(header["frames"]):
        points = entry.get("points") if isinstance(entry, dict) else None
        has_colors = entry.get("colors") if isinstance(entry, dict) else None
        flags = [entry.get(name, False) if isinstance(entry, dict) else None for name in ("values", "categories")]
        if type(points) is not int or points < 0 or type(has_colors) is not bool or any(type(f) is not bool for f in flags):
            raise ValueError(f"header frames[{i}] must be {{'points': int >= 0, "
                             f"'colors': bool, optionally 'values' and 'categories': bool}}, got {entry!r}")
        entries.append((points, has_colors, *flags))
    return entries


def unpack_frames(header: dict, payload: bytes) -> Frames:
    """Inverse of pack_frames; raises ValueError when header and payload disagree."""
    data = memoryview(payload).cast("B")
    entries = _header_entries(header)
    origin = header_origin(header)
    total = header.get("total_bytes")
    if type(total) is not int or total != len(data):
        raise ValueError(f"header total_bytes is {total!r} but the payload has {len(data)} bytes")
    expected = sum(_frame_bytes(*entry) for entry in entries)
    if expected != len(data):
        raise ValueError(f"header describes {expected} bytes but the payload has {len(data)}")

    frames = []
    offset = 0
    for i, (count, has_colors, has_values, has_categories) in enumerate(entries):
        pos = np.frombuffer(data, POSITION_DTYPE, count * 3, offset).reshape(count, 3)
        offset += pos.nbytes
        cols = None
        if has_colors:
            cols = np.frombuffer(data, np.uint8, count * 3, offset).reshape(count, 3)
            end = offset + _color_bytes(count)
            if any(data[offset + cols.nbytes:end]):
                raise ValueError(f"frames[{i}]: colour padding holds non-zero bytes")
            offset = end
        vals = cats = None
        if has_values:
            vals = np.frombuffer(data, VALUES_DTYPE, count, offset)
            offset += vals.nbytes
        if has_categories:
            cats = np.frombuffer(data, np.uint8, count, offset)
            end = offset + _category_bytes(count)
            if any(data[offset + count:end]):
                raise ValueError(f"frames[{i}]: category padding holds non-zero bytes")
            offset = end
        frames.append(Frame(pos, cols, vals, cats))
    return Frames(frames, origin)


def chunk_count(total_bytes: int, chunk_bytes: int = CHUNK_BYTES) -> int:
    """How many chunks iter_chunks yields for a payload of ``total_bytes``."""
    if total_bytes < 0 or chunk_bytes <= 0:
        raise ValueError(f"need total_bytes >= 0 and chunk_bytes > 0, "
                         f"got {total_bytes} and {chunk_bytes}")
    return -(-total_bytes // chunk_bytes)


def iter_chunks(payload: bytes, chunk_bytes: int = CHUNK_BYTES) -> Iterator[tuple[int, int, memoryview]]:
    """Yield ``(index, offset, view)`` for consecutive slices of at most ``chunk_bytes``."""
    data = memoryview(payload).cast("B")
    for index in range(chunk_count(len(data), chunk_bytes)):
        offset = index * chunk_bytes
        yield index, offset, data[offset:offset + chunk_bytes]


class ChunkAssembler:
    """Collects ``count`` chunks of a ``total_bytes`` file, in any order.

    Chunk ``i`` must start where chunk ``i - 1`` ends, chunk 0 at offset 0, and
    the last chunk must end at ``total_bytes``; add() checks this against the
    neighbours already received, so a bad chunk is refused when it arrives.

    Chunks go to ``store(offset, view)`` when one is given (video_receiver.py
    writes them to a file), else into a buffer of ``total_bytes`` that
    result() returns.
    """

    def __init__(self, total_bytes: int, count: int, store: Optional[Callable[[int, memoryview], None]] = None) -> None:
        if total_bytes < 0 or count < 0 or (count == 0) != (total_bytes == 0) or count > total_bytes:
            raise ValueError(f"cannot split {total_bytes} bytes into {count} non-empty chunks")
        self.total_bytes = total_bytes
        self.count = count
        self._buffer = bytearray(total_bytes) if store is None else None
        self._store = store
        self._spans: dict[int, tuple[int, int]] = {}  # index -> (offset, end)

    @property
    def complete(self) -> bool:
        return len(self._spans) == self.count

    def add(self, index: int, offset: int, data: bytes | memoryview) -> None:
        index, offset = operator.index(index), operator.index(offset)
        view = memoryview(data).cast("B")
        end = offset + len(view)
        where = f"chunk {index}"
        if not 0 <= index < self.count:
            raise ValueError(f"{where} is out of range for {self.count} chunks")
        if index in self._spans:
            raise ValueError(f"{where} was received twice")
        if len(view) == 0:
            raise ValueError(f"{where} is empty")
        if offset < 0 or end > self.total_bytes:
            raise ValueError(f"{where} covers bytes {offset}..{end}, outside the "
                             f"{self.total_bytes}-byte file")
        before = self._spans.get(index - 1, (0, 0) if index == 0 else None)
        after = self._spans.get(index + 1)
        if index == self.count - 1:
            after = (self.total_bytes, self.total_bytes)
        if before is not None and before[1] != offset:
            raise ValueError(f"{where} starts at offset {offset}, expected {before[1]}")
        if after is not None and after[0] != end:
            raise ValueError(f"{where} ends at offset {end}, expected {after[0]}")
        if self._store is None:
            self._buffer[offset:end] = view
        else:
            self._store(offset, view)
        self._spans[index] = (offset, end)

    def missing(self) -> list[int]:
        return [i for i in range(self.count) if i not in self._spans]

    def result(self) -> bytes:
        if not self.complete:
            missing = self.missing()
            shown = ", ".join(map(str, missing[:20]))
            more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
            raise ValueError(f"missing chunks {shown}{more} of {self.count}")
        if self._buffer is None:
            raise ValueError("the chunks went to the store given to ChunkAssembler, not to a buffer")
        return bytes(self._buffer)
