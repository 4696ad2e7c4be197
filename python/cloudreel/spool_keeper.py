"""The server's spool folder: made and locked for the server's lifetime, folders
of servers that are gone removed at start, files nobody fetches any more swept.

The folder holds one lock file, flocked for as long as the server runs (the
kernel drops the lock when the process ends, even on SIGKILL). A starting
server removes a ``cloudreel-frames-*`` folder of its user only when it can
take that lock; a folder without a lock file (an older cloudreel, or a server
that is starting) is left alone.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import tempfile
import time
from contextlib import contextmanager
from typing import Iterator, Optional

from tornado.ioloop import PeriodicCallback
from traitlets import Float
from traitlets.config import LoggingConfigurable

from .frame_spool import FOLDER_FLAGS, TOKEN_PATTERN, file_name, folder_problem, open_private_folder

PREFIX = "cloudreel-frames-"
LOCK_NAME = "server.lock"
SHM = "/dev/shm"
#: Docker's default /dev/shm is 64 MB: too small to be worth it.
SHM_MIN_BYTES = 2 * 1024**3


def spool_parent() -> Optional[str]:
    """/dev/shm where it is a roomy tmpfs: the kernel writes 720 MB there in 0.4 s
    against 1.4 s on this machine's disk-backed /tmp. Elsewhere the temp folder (None)."""
    try:
        if os.path.isdir(SHM) and shutil.disk_usage(SHM).total >= SHM_MIN_BYTES:
            return SHM
    except OSError:
        pass
    return None


def _empty(fd: int) -> None:
    """Removes everything in the opened folder, without following links."""
    for name in os.listdir(fd):
        try:
            os.unlink(name, dir_fd=fd)
        except FileNotFoundError:
            pass
        except IsADirectoryError:  # kernels write none, but nothing may keep the folder
            inner = os.open(name, FOLDER_FLAGS, dir_fd=fd)
            try:
                _empty(inner)
            finally:
                os.close(inner)
            os.rmdir(name, dir_fd=fd)


def remove_stale_folders(parent: str, log) -> list[str]:
    """Removes this user's spool folders in ``parent`` whose server is gone
    (their lock is free); returns their paths."""
    removed = []
    try:
        names = [n for n in os.listdir(parent) if n.startswith(PREFIX)]
        parent_fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return removed
    try:
        for name in names:
            try:
                fd = os.open(name, FOLDER_FLAGS, dir_fd=parent_fd)
            except OSError:
                continue  # not a folder, a link, or another user's
            try:
                if folder_problem(fd) is not None:
                    continue
                try:
                    lock = os.open(LOCK_NAME, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
                except OSError:
                    continue  # no lock file: not ours to judge
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(lock)
                    continue  # its server is alive
                try:
                    _empty(fd)
                    os.rmdir(name, dir_fd=parent_fd)
                    removed.append(os.path.join(parent, name))
                finally:
                    os.close(lock)
            except OSError as e:
                log.warning("cloudreel: could not remove the stale spool folder %s: %s", os.path.join(parent, name), e)
            finally:
                os.close(fd)
    finally:
        os.close(parent_fd)
    return removed


class CloudreelSpool(LoggingConfigurable):
    """The server's private folder of spool files (configurable as ``CloudreelSpool``)."""

    seconds_after_get = Float(
        60.0,
        help="Seconds after the last GET of a spool file ends (or the kernel last offered it, "
        "if later) before the server removes it, for pages that fetched it and went away without saying so.",
    ).tag(config=True)
    seconds_unfetched = Float(
        600.0,
        help="Seconds after the kernel wrote (or last offered) a spool file that no page "
        "has fetched before the server removes it (a page that went away, a kernel killed before it cleaned up).",
    ).tag(config=True)
    sweep_interval = Float(15.0, help="Seconds between two sweeps of the spool folder.").tag(config=True)

    def start(self, parent: Optional[str] = None) -> None:
        """Removes stale folders, then makes and locks this server's folder in
        ``parent`` (by default /dev/shm or the temp folder)."""
        parent = parent or spool_parent() or tempfile.gettempdir()
        for path in remove_stale_folders(parent, self.log):
            self.log.info("cloudreel: removed the spool folder %s of a server that is gone", path)
        self.path = tempfile.mkdtemp(prefix=PREFIX, dir=parent)  # mode 0700
        self.fd = open_private_folder(self.path)
        # Made under another name, locked, then renamed: a starting server never
        # finds this lock file free while its owner is alive.
        starting = f".{LOCK_NAME}.new"
        self._lock = os.open(starting, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=self.fd)
        fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(starting, LOCK_NAME, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        self._reading: dict[str, int] = {}  # token -> GETs in progress
        self._last_get: dict[str, float] = {}  # token -> when its last GET ended (time.time())

    def sweep_periodically(self) -> PeriodicCallback:
        """Sweeps every ``sweep_interval`` seconds on the current event loop."""
        sweeper = PeriodicCallback(self.sweep, self.sweep_interval * 1000)
        sweeper.start()
        return sweeper

    def stop(self) -> None:
        """Removes the folder (the server exits)."""
        if getattr(self, "fd", None) is None:
            return
        try:
            _empty(self.fd)
            os.rmdir(self.path)
        except OSError:
            pass
        os.close(self.fd)
        os.close(self._lock)
        self.fd = None

    def open_file(self, token: str) -> Optional[tuple[int, int]]:
        """The spool file for ``token``, opened for reading, and its size; None
        unless it is a regular file (a link is not followed, a FIFO never blocks)."""
        try:
            fd = os.open(file_name(token), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=self.fd)
        except OSError:
            return None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            return None
        return fd, info.st_size

    @contextmanager
    def reading(self, token: str) -> Iterator[None]:
        """Marks a GET in progress: the sweep leaves the file alone until some time after the last one."""
        self._reading[token] = self._reading.get(token, 0) + 1
        try:
            yield
        finally:
            self._reading[token] -= 1
            if not self._reading[token]:
                del self._reading[token]
            self._last_get[token] = time.time()

    def sweep(self, now: Optional[float] = None) -> list[str]:
        """Removes spool files no page fetches any more; returns their tokens."""
        now = time.time() if now is None else now
        removed, present = [], set()
        with os.scandir(self.fd) as entries:
            entries = list(entries)
        for entry in entries:
            token = entry.name[:-4] if entry.name.endswith(".bin") else ""
            if not TOKEN_PATTERN.fullmatch(token):
                continue
            present.add(token)
            if token in self._reading:
                continue
            try:
                offered = entry.stat(follow_symlinks=False).st_mtime  # the kernel's write, or its last offer
            except OSError:
                continue
            last_get = self._last_get.get(token)
            if last_get is None:
                stale = now - offered >= self.seconds_unfetched
            else:
                stale = now - max(last_get, offered) >= self.seconds_after_get
            if stale:
                try:
                    os.unlink(entry.name, dir_fd=self.fd)
                    removed.append(token)
                except FileNotFoundError:
                    pass
        for token in set(self._last_get) - (present - set(removed)):
            del self._last_get[token]
        if removed:
            self.log.info("cloudreel: swept %d spool file(s) no page fetched any more", len(removed))
        return removed
