"""The last video an Animation made headlessly, kept in a folder of its own for a later save() or embed() of the same frames and settings."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Callable, Optional

from ..video_receiver import VideoFormat, VideoReceiver
from .export import ExportResult

__all__ = ["VideoCache", "copy_video"]


class VideoCache:
    """One video and the ``key`` (frames version and settings) it was made for.

    make() renders into a new temporary folder, which drop() removes, as does the
    cache's garbage collection or the interpreter's exit (weakref.finalize).
    """

    def __init__(self) -> None:
        self.video: Optional[ExportResult] = None
        self._key: Optional[str] = None
        self._folder: Optional[weakref.finalize] = None

    def get(self, key: str) -> Optional[ExportResult]:
        """The video made for ``key``, if it is still there."""
        if self.video is not None and self._key == key and self.video.path.is_file():
            return self.video
        return None

    def make(self, key: str, name: str, render: Callable[[Path], ExportResult]) -> ExportResult:
        """Replaces the video with ``render(folder / name)``; on any failure, nothing is kept."""
        self.drop()
        folder = Path(tempfile.mkdtemp(prefix="cloudreel-video-"))
        self._folder = weakref.finalize(self, shutil.rmtree, str(folder), True)
        try:
            video = render(folder / name)
        except BaseException:
            self.drop()
            raise
        self.video, self._key = video, key
        return video

    def drop(self) -> None:
        """Removes the video and its folder, if any."""
        folder, self._folder = self._folder, None
        self.video = self._key = None
        if folder is not None:
            folder()


def copy_video(source: Path, found: VideoFormat, target: Path, step: int = 16 << 20) -> None:
    """Copies a finished video to ``target`` through a VideoReceiver: whole or not at all, as a page's video."""
    total = source.stat().st_size
    count = max(1, -(-total // step))
    receiver = VideoReceiver({"codec": found.codec, "total_bytes": total, "chunks": count}, target.parent)
    try:
        with open(source, "rb") as file:
            for index in range(count):
                receiver.add(index, index * step, file.read(step))
        receiver.save_as(target)
    except BaseException:
        receiver.discard()
        raise
