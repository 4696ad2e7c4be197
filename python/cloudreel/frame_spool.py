"""The kernel's side of the HTTP route for frames: packed frames written to a
private folder that the cloudreel server extension serves to the page.

Widget comm messages go kernel -> ZMQ -> jupyter_server -> websocket, and the
server relays them at about 20 MB/s; a plain HTTP response from the same server
runs an order of magnitude faster. The server extension (``cloudreel.server``)
makes a private folder when it starts and names it in ``CLOUDREEL_SPOOL_DIR``,
which kernels it starts inherit. A kernel without that variable (started by
nbclient, a remote gateway, or a server without the extension) never offers
HTTP, and the page uses the comm route.
"""

from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import stat
from pathlib import Path
from typing import Optional

SPOOL_ENV = "CLOUDREEL_SPOOL_DIR"
#: File names are random tokens; the server serves nothing else.
TOKEN_PATTERN = re.compile(r"[0-9a-f]{32}")
HEADROOM_BYTES = 64 * 1024**2
#: Files this kernel wrote and nobody removed yet: a kernel that restarts or
#: shuts down while a page fetches (or before it asks) must not leave them behind.
_written: set[str] = set()


def spool_dir() -> Optional[Path]:
    """The server's folder, if this kernel was started by a server that has one
    and the folder is private to this user; otherwise None."""
    name = os.environ.get(SPOOL_ENV)
    if not name:
        return None
    path = Path(name)
    try:
        info = path.lstat()
    except OSError:
        return None
    private = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077
    return path if private else None


def _has_room(folder: Path, size: int) -> bool:
    # A full tmpfs would fail the write half way; the comm route needs no room.
    try:
        return shutil.disk_usage(folder).free >= size + HEADROOM_BYTES
    except OSError:
        return False


def write_payload(payload: bytes) -> Optional[str]:
    """Writes ``payload`` as a new, owner-only spool file; returns its token, or
    None when there is no usable spool folder or the write fails (the caller
    then uses the comm route)."""
    folder = spool_dir()
    if folder is None or not _has_room(folder, len(payload)):
        return None
    token = secrets.token_hex(16)
    path = folder / f"{token}.bin"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
    except OSError:
        path.unlink(missing_ok=True)
        return None
    _written.add(token)
    return token


def remove(token: str) -> None:
    _written.discard(token)
    folder = spool_dir()
    if folder is not None and TOKEN_PATTERN.fullmatch(token):
        (folder / f"{token}.bin").unlink(missing_ok=True)


@atexit.register
def remove_all_written() -> None:
    """Removes every spool file this kernel wrote that is still there (at exit)."""
    for token in list(_written):
        remove(token)
