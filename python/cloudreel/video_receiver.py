"""A finished video on its way from the page: the kernel's own codec allow-list, and chunks streamed to a temporary file."""

from __future__ import annotations

import os
import ctypes
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .wire import ChunkAssembler

__all__ = ["CODEC_CONTAINERS", "CONTAINER_MIME_TYPES", "VideoFormat", "VideoReceiver", "saved_name", "size_text", "video_format"]

#: The encoders the page has (src/core/encode: registry.ts, ffmpeg-args.ts,
#: webcodecs.ts) and the container each writes. Only these are saved: the page
#: names a codec, the kernel decides the file's extension and MIME type.
#: tests/cases/video-formats.json holds the same table, checked against the JS encoders.
CODEC_CONTAINERS = {
    "webcodecs-h264": "mp4",
    "webcodecs-vp9": "webm",
    "webcodecs-vp8": "webm",
    "ffmpeg-h264": "mp4",
    "ffmpeg-vp8": "webm",
    "ffmpeg-mpeg4": "mp4",
    "ffmpeg-gif": "gif",
}
CONTAINER_MIME_TYPES = {"mp4": "video/mp4", "webm": "video/webm", "gif": "image/gif"}


@dataclass(frozen=True)
class VideoFormat:
    codec: str
    container: str  # also the file extension
    mime_type: str


def video_format(begin: dict) -> VideoFormat:
    """The format of the video a ``file-begin`` announces, from the table above.

    Raises ValueError for a codec not in the table, or an ``extension`` or
    ``mime_type`` the page sent that disagrees with it.
    """
    codec = begin.get("codec")
    container = CODEC_CONTAINERS.get(codec) if isinstance(codec, str) else None
    if container is None:
        raise ValueError(f"the page sent a video made by codec {codec!r:.80}, which is none of the kernel's "
                         f"({', '.join(CODEC_CONTAINERS)})")
    found = VideoFormat(codec, container, CONTAINER_MIME_TYPES[container])
    for key, expected in (("extension", found.container), ("mime_type", found.mime_type)):
        if key in begin and begin[key] != expected:
            raise ValueError(f"the page says its {codec} video has {key} {begin[key]!r:.80}, but {codec} makes {expected!r}")
    return found


def saved_name(path: Path, found: VideoFormat) -> Path:
    """``path`` with the extension of the container that was made (never WebM bytes in out.mp4)."""
    if path.suffix.lower() == f".{found.container}":
        return path
    return path.with_suffix(f".{found.container}")


def size_text(count: int) -> str:
    """A byte count for people: ``"812 bytes"`` or ``"20.0 MB"`` (10**6 bytes)."""
    return f"{count} bytes" if count < 100_000 else f"{count / 1e6:.1f} MB"


def _new_file_mode() -> int:
    """0o666 less the umask: the mode an ordinary open() gives a new file."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _link_by_empty_path(fd: int, name: Path) -> None:
    """linkat(fd, "", AT_FDCWD, name, AT_EMPTY_PATH): Python's os.link cannot say it."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.linkat(fd, b"", _AT_FDCWD, os.fsencode(name), _AT_EMPTY_PATH) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), str(name))


def _link_by_proc(fd: int, name: Path) -> None:
    os.link(f"/proc/self/fd/{fd}", name, follow_symlinks=True)


_AT_FDCWD, _AT_EMPTY_PATH = -100, 0x1000
#: Ways to give an unnamed file a name; which one a system allows varies
#: (AT_EMPTY_PATH wants privileges on older kernels, /proc links fail across
#: some mount setups with EXDEV), so each new file probes them in order.
_LINKERS = (_link_by_empty_path, _link_by_proc)


def _unnamed_file(folder: Path):
    """``(fd, link)``: an owner-only file in ``folder`` with no name (O_TMPFILE), so a
    kernel killed mid-transfer leaves nothing behind, and the way to name it once
    it is whole; None where the file system or the system cannot."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not sys.platform.startswith("linux"):
        return None
    # A file linked in once cannot be linked again after its name is removed,
    # so the probe below uses a throwaway file of its own.
    try:
        probe_fd = os.open(folder, flag | os.O_RDWR | os.O_CLOEXEC, 0o600)
    except OSError:  # EOPNOTSUPP, EISDIR (old kernels) ...
        return None
    try:
        fd = os.open(folder, flag | os.O_RDWR | os.O_CLOEXEC, 0o600)
    except OSError:
        os.close(probe_fd)
        return None
    # Find out now, while falling back costs nothing, which way of naming works here.
    probe = folder / f".cloudreel-{secrets.token_hex(8)}.probe"
    try:
        for link in _LINKERS:
            try:
                link(probe_fd, probe)
            except OSError:
                continue
            os.unlink(probe)
            return fd, link
    finally:
        os.close(probe_fd)
    os.close(fd)
    return None


class VideoReceiver:
    """One video from the page, written chunk by chunk at its offset into a temporary file.

    The file is created owner-only in ``folder`` (beside the target, so
    save_as() is an atomic os.replace), unnamed where the file system allows
    (O_TMPFILE), else under a hidden exclusive name; or, with ``folder=None``, as
    an anonymous file in the system temporary folder (for embed(), which
    read()s it). Nothing is allocated for the announced size, and discard()
    leaves nothing behind.
    """

    def __init__(self, begin: dict, folder: Optional[Path]) -> None:
        self.format = video_format(begin)
        total, count = begin["total_bytes"], begin["chunks"]
        self._chunks = ChunkAssembler(total, count, store=self._write)
        #: time.monotonic() of file-begin or of the last chunk: a transfer that stops is timed out from here.
        self.last_activity = time.monotonic()
        self._temp: Optional[Path] = None
        self._fd: Optional[int] = None
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        where = folder if folder is not None else Path(tempfile.gettempdir())
        free = shutil.disk_usage(where).free
        if total > free:
            raise OSError(f"the video is {size_text(total)} but {where} has only {size_text(free)} free")
        self._folder = folder
        if folder is None:
            file = tempfile.TemporaryFile()
            self._fd = os.dup(file.fileno())
            file.close()
        else:
            unnamed = _unnamed_file(folder)
            if unnamed is not None:
                self._fd, self._link = unnamed
            else:  # a hidden name instead, removed by discard()
                self._fd, name = tempfile.mkstemp(dir=folder, prefix=".cloudreel-", suffix=".part")
                self._temp = Path(name)

    @property
    def total_bytes(self) -> int:
        return self._chunks.total_bytes

    @property
    def complete(self) -> bool:
        return self._chunks.complete

    def progress(self) -> str:
        return f"{self._chunks.count - len(self._chunks.missing())} of {self._chunks.count} chunks"

    def add(self, index: int, offset: int, data) -> None:
        """Writes one chunk; ValueError if it does not fit its neighbours, OSError if the disk refuses."""
        self.last_activity = time.monotonic()
        self._chunks.add(index, offset, data)

    def _write(self, offset: int, view: memoryview) -> None:
        while view:
            written = os.pwrite(self._fd, view, offset)
            view, offset = view[written:], offset + written

    def read(self) -> bytes:
        """The whole video (for embed(), which bounds its size first)."""
        parts, offset = [], 0
        while offset < self.total_bytes:
            part = os.pread(self._fd, self.total_bytes - offset, offset)
            if not part:
                raise OSError(f"the temporary file ended after {offset} of {self.total_bytes} bytes")
            parts.append(part)
            offset += len(part)
        return b"".join(parts)

    def save_as(self, target: Path) -> None:
        """Moves the finished file to ``target`` in one step: readers see the old file or the whole new one."""
        os.fchmod(self._fd, _new_file_mode())
        os.fsync(self._fd)
        if self._temp is None:
            # Give the unnamed file a name for the instant before the replace.
            name = self._folder / f".cloudreel-{secrets.token_hex(8)}.part"
            self._link(self._fd, name)
            self._temp = name
        os.close(self._fd)
        self._fd = None
        os.replace(self._temp, target)
        self._temp = None

    def discard(self) -> None:
        """Closes and removes the temporary file (safe to call more than once)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._temp is not None:
            try:
                self._temp.unlink()
            except FileNotFoundError:
                pass
            self._temp = None
