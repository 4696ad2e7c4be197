"""The kernel's side of the HTTP route for frames: packed frames written to a
private folder that the cloudreel server extension serves to the page.

Widget comm messages go kernel -> ZMQ -> jupyter_server -> websocket, and the
server relays them at about 20 MB/s; a plain HTTP response from the same server
runs an order of magnitude faster. The server extension (``cloudreel.server``)
makes a private folder when it starts and names it in ``CLOUDREEL_SPOOL_DIR``,
which kernels it starts inherit. A kernel without that variable (started by
nbclient, a remote gateway, or a server without the extension) never offers
HTTP, and the page uses the comm route.

The folder is opened once, without following a link, and every file is made
and removed relative to that handle: a folder whose parent another user
controls can be renamed or swapped for theirs by that user, and a path looked
up again for each file would then lead into their folder.
"""

from __future__ import annotations

import atexit
import os
import re
import secrets
import stat
from typing import Optional

SPOOL_ENV = "CLOUDREEL_SPOOL_DIR"
#: File names are random tokens; the server serves nothing else.
TOKEN_PATTERN = re.compile(r"[0-9a-f]{32}")
#: Free space the filesystem must keep beyond the file.
HEADROOM_BYTES = 64 * 1024**2
#: On tmpfs the file is held in memory: memory that must stay available beyond it.
MEMORY_MARGIN_BYTES = 256 * 1024**2
FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
MOUNTINFO = "/proc/self/mountinfo"
MEMINFO = "/proc/meminfo"
CGROUP = "/proc/self/cgroup"
CGROUP_ROOT = "/sys/fs/cgroup"
#: Files this kernel wrote and nobody removed yet: a kernel that restarts or
#: shuts down while a page fetches (or before it asks) must not leave them behind.
_written: set[str] = set()
#: (the value of SPOOL_ENV, the folder opened from it): opened once.
_folder: Optional[tuple[str, int]] = None


def file_name(token: str) -> str:
    return f"{token}.bin"


def folder_problem(fd: int) -> Optional[str]:
    """What makes the opened folder unfit to hold frames (not this user's, or
    reachable by others), or None."""
    info = os.fstat(fd)
    if not stat.S_ISDIR(info.st_mode):
        return "is not a folder"
    if info.st_uid != os.getuid():
        return f"belongs to uid {info.st_uid}, not to this user (uid {os.getuid()})"
    if info.st_mode & 0o077:
        return f"has mode {stat.S_IMODE(info.st_mode):04o}, which lets other users in (it must be 0700)"
    return None


def open_private_folder(path: str) -> int:
    """Opens ``path`` (not through a link) as a folder private to this user;
    raises OSError naming the folder and the problem."""
    fd = os.open(path, FOLDER_FLAGS)
    problem = folder_problem(fd)
    if problem:
        os.close(fd)
        raise PermissionError(f"the spool folder {path} {problem}")
    return fd


def _folder_fd(checked: bool = True) -> Optional[int]:
    """The server's folder, opened once; None without one, or (``checked``)
    when it is not private to this user."""
    global _folder
    name = os.environ.get(SPOOL_ENV)
    if not name:
        return None
    if _folder is None or _folder[0] != name:
        if _folder is not None:
            os.close(_folder[1])
            _folder = None
        try:
            _folder = (name, open_private_folder(name))
        except OSError:
            return None  # tried again next time
    fd = _folder[1]
    if checked:
        try:
            if folder_problem(fd) is not None:
                return None
        except OSError:
            return None
    return fd


def _filesystem_type(device: int) -> Optional[str]:
    """The type (``tmpfs``, ``ext4``...) of the mounted filesystem with this device number."""
    wanted = f"{os.major(device)}:{os.minor(device)}"
    try:
        with open(MOUNTINFO, encoding="utf-8", errors="replace") as f:
            for line in f:
                # "36 35 0:31 / /dev/shm rw,nosuid shared:7 - tmpfs tmpfs rw,size=..."
                fields, _, rest = line.partition(" - ")
                parts = fields.split()
                if len(parts) > 2 and parts[2] == wanted and rest:
                    return rest.split()[0]
    except OSError:
        pass
    return None


def _meminfo_available() -> Optional[int]:
    """MemAvailable from /proc/meminfo, in bytes; None where it cannot be read."""
    try:
        with open(MEMINFO, encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _read_number(path: str) -> Optional[int]:
    try:
        with open(path, encoding="ascii") as f:
            text = f.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # cgroup v2 says "max" for no limit


def _cgroup_headroom() -> Optional[int]:
    """Bytes this process's memory cgroup (a container's limit) still allows; None
    without a limit. tmpfs pages count against the cgroup of whoever wrote them."""
    try:
        with open(CGROUP, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if hierarchy == "0" and controllers == "":  # cgroup v2
            folder, names = f"{CGROUP_ROOT}{path.rstrip('/')}", ("memory.max", "memory.current")
        elif "memory" in controllers.split(","):  # cgroup v1
            folder, names = f"{CGROUP_ROOT}/memory{path.rstrip('/')}", ("memory.limit_in_bytes", "memory.usage_in_bytes")
        else:
            continue
        limit, used = (_read_number(f"{folder}/{name}") for name in names)
        # v1 writes "no limit" as a number near 2**63.
        if limit is not None and used is not None and limit < 2**62:
            return max(limit - used, 0)
    return None


def _available_memory() -> Optional[int]:
    """Memory left for a tmpfs file: MemAvailable, or less where a cgroup limits
    this process; None where MemAvailable cannot be read."""
    available = _meminfo_available()
    headroom = _cgroup_headroom()
    if available is None or headroom is None:
        return available
    return min(available, headroom)


def _has_room(fd: int, size: int) -> bool:
    # A full filesystem would fail the write half way; the comm route needs no room.
    # tmpfs reports free space up to its size limit, which can exceed the memory
    # left: filling it would push the machine into swap or the OOM killer.
    try:
        usage = os.fstatvfs(fd)
        if usage.f_bavail * usage.f_frsize < size + HEADROOM_BYTES:
            return False
        if _filesystem_type(os.fstat(fd).st_dev) == "tmpfs":
            memory = _available_memory()
            return memory is not None and memory >= size + MEMORY_MARGIN_BYTES
        return True
    except OSError:
        return False


def write_payload(payload: bytes) -> Optional[str]:
    """Writes ``payload`` as a new, owner-only spool file; returns its token, or
    None when there is no usable spool folder, no room, or the write fails (the
    caller then uses the comm route)."""
    fd = _folder_fd()
    if fd is None or not _has_room(fd, len(payload)):
        return None
    token = secrets.token_hex(16)
    try:
        out = os.open(file_name(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=fd)
    except OSError:
        return None
    try:
        with os.fdopen(out, "wb") as f:
            f.write(payload)
    except OSError:
        _unlink(fd, token)
        return None
    _written.add(token)
    return token


def refresh(token: str) -> bool:
    """Marks the spool file as offered again now (the server sweeps by its age);
    False if it is gone."""
    fd = _folder_fd(checked=False)
    if fd is None or not TOKEN_PATTERN.fullmatch(token):
        return False
    try:
        # Still there and a regular file (the server sweeps files nobody fetched for a while).
        if not stat.S_ISREG(os.stat(file_name(token), dir_fd=fd, follow_symlinks=False).st_mode):
            return False
        os.utime(file_name(token), dir_fd=fd, follow_symlinks=False)
        return True
    except OSError:
        return False


def _unlink(fd: int, token: str) -> None:
    try:
        os.unlink(file_name(token), dir_fd=fd)
    except OSError:
        pass  # already gone; otherwise the server's sweep removes it later


def remove(token: str) -> None:
    _written.discard(token)
    fd = _folder_fd(checked=False)
    if fd is not None and TOKEN_PATTERN.fullmatch(token):
        _unlink(fd, token)


@atexit.register
def remove_all_written() -> None:
    """Removes every spool file this kernel wrote that is still there (at exit)."""
    for token in list(_written):
        remove(token)
