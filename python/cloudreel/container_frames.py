"""How many video frames an MP4, WebM or GIF file holds, read from its container structure in Python (no decoder), or why it cannot be read."""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO, Iterator, Optional, Tuple

__all__ = ["ContainerUnreadable", "container_frames"]


class ContainerUnreadable(ValueError):
    """A file whose container is truncated, corrupt or of an unknown kind; the message names the file."""

    def __init__(self, path: str | os.PathLike, problem: str):
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    def __reduce__(self):  # picklable across processes despite the two-argument constructor
        return type(self), (self.path, self.problem)


def container_frames(path: str | os.PathLike) -> int:
    """The number of video frames (samples, blocks or images) in the file at ``path``, chosen by its
    extension (.mp4, .webm, .gif); ContainerUnreadable when the file is truncated or not that container."""
    path = Path(path)
    kind = path.suffix.lower()
    readers = {".mp4": _mp4_frames, ".webm": _webm_frames, ".gif": _gif_frames}
    if kind not in readers:
        raise ContainerUnreadable(path, f"unknown container {kind or '(no extension)'!r}: .mp4, .webm or .gif")
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        try:
            return readers[kind](f, size)
        except _Broken as e:
            raise ContainerUnreadable(path, str(e)) from None


class _Broken(Exception):
    """A problem found while walking a container (named with the file by container_frames)."""


def _read(f: BinaryIO, at: int, count: int) -> bytes:
    f.seek(at)
    data = f.read(count)
    if len(data) != count:
        raise _Broken(f"truncated: {count} bytes wanted at offset {at}, the file ends first")
    return data


# ---- MP4 (ISO BMFF) ---------------------------------------------------------------------------------

def _boxes(f: BinaryIO, start: int, end: int) -> Iterator[Tuple[bytes, int, int]]:
    """(type, payload start, box end) of each box in [start, end); a box running past ``end`` is truncation."""
    at = start
    while at < end:
        if end - at < 8:
            raise _Broken(f"truncated: {end - at} stray bytes at offset {at}")
        size, kind = struct.unpack(">I4s", _read(f, at, 8))
        header = 8
        if size == 1:
            size = struct.unpack(">Q", _read(f, at + 8, 8))[0]
            header = 16
        elif size == 0:  # "to the end of the file"
            size = end - at
        if size < header or at + size > end:
            raise _Broken(f"truncated or corrupt: the {kind.decode('latin-1')!r} box at offset {at} "
                          f"says {size} bytes, {end - at} are left")
        yield kind, at + header, at + size
        at += size


def _child(f: BinaryIO, start: int, end: int, kind: bytes) -> Optional[Tuple[int, int]]:
    for k, s, e in _boxes(f, start, end):
        if k == kind:
            return s, e
    return None


def _mp4_frames(f: BinaryIO, size: int) -> int:
    if size < 8 or _read(f, 4, 4) != b"ftyp":
        raise _Broken("not an MP4 file (no 'ftyp' box first)")
    top = list(_boxes(f, 0, size))  # every top-level box must fit: a cut mdat is truncation
    moov = next(((s, e) for k, s, e in top if k == b"moov"), None)
    if moov is None:
        raise _Broken("no 'moov' box (the file was not finished)")
    video_tracks = []
    for kind, s, e in _boxes(f, *moov):
        if kind != b"trak":
            continue
        mdia = _child(f, s, e, b"mdia")
        hdlr = mdia and _child(f, *mdia, b"hdlr")
        if hdlr is None or _read(f, hdlr[0] + 8, 4) != b"vide":
            continue
        tkhd = _child(f, s, e, b"tkhd")
        version = _read(f, tkhd[0], 1)[0] if tkhd else 0
        track_id = struct.unpack(">I", _read(f, tkhd[0] + (20 if version == 1 else 12), 4))[0] if tkhd else 0
        minf = _child(f, *mdia, b"minf")
        stbl = minf and _child(f, *minf, b"stbl")
        stsz = stbl and _child(f, *stbl, b"stsz")
        samples = struct.unpack(">I", _read(f, stsz[0] + 8, 4))[0] if stsz else 0
        video_tracks.append((track_id, samples))
    if not video_tracks:
        raise _Broken("no video track")
    track_id, samples = video_tracks[0]
    # A fragmented file keeps its samples in moof/traf/trun boxes after the moov.
    for kind, s, e in top:
        if kind != b"moof":
            continue
        for k, ts, te in _boxes(f, s, e):
            if k != b"traf":
                continue
            tfhd = _child(f, ts, te, b"tfhd")
            if tfhd is None or struct.unpack(">I", _read(f, tfhd[0] + 4, 4))[0] != track_id:
                continue
            for rk, rs, _re in _boxes(f, ts, te):
                if rk == b"trun":
                    samples += struct.unpack(">I", _read(f, rs + 4, 4))[0]
    return samples


# ---- WebM (Matroska, EBML) -------------------------------------------------------------------------

_SEGMENT, _CLUSTER, _BLOCK_GROUP = 0x18538067, 0x1F43B675, 0xA0
_SIMPLE_BLOCK, _BLOCK = 0xA3, 0xA1
_EBML = 0x1A45DFA3
#: Master elements whose children are walked (the rest are skipped by their size); an unknown
#: size (a live writer's Segment or Cluster) just continues into the children.
_DESCEND = {_SEGMENT, _CLUSTER, _BLOCK_GROUP}


def _vint(f: BinaryIO, at: int, keep_marker: bool) -> Tuple[int, int, bool]:
    """(value, length, all ones) of the EBML variable-size integer at ``at``."""
    first = _read(f, at, 1)[0]
    if first == 0:
        raise _Broken(f"corrupt: an invalid element header at offset {at}")
    length = 9 - first.bit_length()
    data = _read(f, at, length)
    value = int.from_bytes(data, "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
    return value, length, value == (1 << (7 * length)) - 1


def _webm_frames(f: BinaryIO, size: int) -> int:
    if size < 4 or _read(f, 0, 4) != _EBML.to_bytes(4, "big"):
        raise _Broken("not a WebM file (no EBML header)")
    at, frames, segment = 0, 0, False
    while at < size:
        element, id_length, _ = _vint(f, at, keep_marker=True)
        length, size_length, unknown = _vint(f, at + id_length, keep_marker=False)
        payload = at + id_length + size_length
        if element in _DESCEND:
            segment |= element == _SEGMENT
            if not unknown and payload + length > size:  # a Segment or Cluster announced whole but cut short
                raise _Broken(f"truncated: the element {element:#x} at offset {at} says {length} bytes, "
                              f"{size - payload} are left")
            at = payload
            continue
        if payload + length > size:
            raise _Broken(f"truncated: the element {element:#x} at offset {at} says {length} bytes, "
                          f"{size - payload} are left")
        if element in (_SIMPLE_BLOCK, _BLOCK):
            frames += 1
        at = payload + length
    if not segment:
        raise _Broken("no Segment")
    return frames


# ---- GIF -------------------------------------------------------------------------------------------

def _skip_sub_blocks(f: BinaryIO, at: int) -> int:
    while True:
        count = _read(f, at, 1)[0]
        at += 1 + count
        if count == 0:
            return at


def _gif_frames(f: BinaryIO, size: int) -> int:
    if _read(f, 0, 6) not in (b"GIF87a", b"GIF89a") if size >= 6 else True:
        raise _Broken("not a GIF file (no GIF87a/GIF89a signature)")
    flags = _read(f, 10, 1)[0]
    at = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    images = 0
    while True:
        block = _read(f, at, 1)[0]
        if block == 0x3B:  # trailer: the file is whole
            return images
        if block == 0x21:  # extension: label, then sub-blocks
            at = _skip_sub_blocks(f, at + 2)
        elif block == 0x2C:  # image descriptor, optional local colour table, LZW code size, data
            local = _read(f, at + 9, 1)[0]
            at += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0)
            at = _skip_sub_blocks(f, at + 1)
            images += 1
        else:
            raise _Broken(f"corrupt: an unknown block {block:#04x} at offset {at}")
