"""Messages from the page, checked before the Animation acts on them.

The kernel does not trust the page either (src/widget/kernel-messages.ts is the
other direction): a malformed message fails the request it names with a clear
``Export failed: ...`` and is otherwise logged and ignored, never raised into
the kernel's comm machinery, where a save would wait forever.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, Optional

__all__ = ["MAX_FILE_BYTES", "MAX_FILE_CHUNKS", "PAGE_PATTERN", "message_problem", "page_text", "untrusted"]

#: The largest video the page may announce; a browser export is far smaller.
#: The kernel streams it to disk (video_receiver.py), allocating nothing for it up front.
MAX_FILE_BYTES = 2**31
#: The most chunks a video may come in (the page sends 2 MiB chunks: 1024 for
#: MAX_FILE_BYTES); the kernel keeps a little bookkeeping per chunk.
MAX_FILE_CHUNKS = 2**16
#: The most characters of a page's text (an error message) the kernel shows or logs.
MAX_PAGE_TEXT = 1000


#: Every page message names its page (a random id per page model, see
#: src/widget/model.ts), so the kernel can tell two tabs on one kernel apart.
PAGE_PATTERN = re.compile(r"[0-9A-Za-z_-]{1,64}")


def _whole(content: dict, key: str, low: int = 0, high: Optional[int] = None) -> Optional[str]:
    value = content.get(key)
    if type(value) is not int or value < low or (high is not None and value > high):
        limit = f" from {low} to {high}" if high is not None else f" >= {low}"
        return f"{key} must be a whole number{limit}, got {value!r:.80}"
    return None


def message_problem(content: Any, buffers: Any) -> Optional[str]:
    """What is wrong with a page message, or None when it is well formed (or of an unknown kind)."""
    if not isinstance(content, dict):
        return f"expected a dict, got {type(content).__name__}"
    kind = content.get("type")
    page = content.get("page")
    if page is not None and not (isinstance(page, str) and PAGE_PATTERN.fullmatch(page)):
        return f"page must be an id of 1 to 64 letters, digits, - or _, got {page!r:.80}"
    if kind == "page-gone" and page is None:
        return "page-gone must name the page that went away"
    if kind == "request-frames":
        have = content.get("have")
        return None if have is None or type(have) is int else f"have must be a version number or None, got {have!r:.80}"
    if kind in ("ack", "export-failed"):
        return _whole(content, "request")
    if kind == "file-begin":
        return (_whole(content, "request") or _whole(content, "total_bytes", 1, MAX_FILE_BYTES)
                or _whole(content, "chunks", 1, min(content["total_bytes"], MAX_FILE_CHUNKS)))
    if kind == "file-chunk":
        problem = _whole(content, "request") or _whole(content, "index") or _whole(content, "offset")
        if problem:
            return problem
        if not buffers or not isinstance(buffers[0], (bytes, bytearray, memoryview)):
            return f"file chunk {content['index']} came without binary data"
    return None


def page_text(value: Any, limit: int = MAX_PAGE_TEXT) -> str:
    """Text from the page, cut to ``limit`` characters, for a status, a callback or a log."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text) - limit} more characters)"


def untrusted(handler: Callable) -> Callable:
    """Wraps Animation._on_frontend_msg: checks each message, and turns any failure into a failed request."""

    @functools.wraps(handler)
    def checked(self, widget, content, buffers) -> None:
        problem = message_problem(content, buffers)
        if problem is None:
            try:
                handler(self, widget, content, buffers)
                return
            except Exception as e:  # a page bug must end the request, not the comm handler
                self.log.exception("cloudreel: handling a message from the page failed")
                problem = page_text(f"{type(e).__name__}: {e}", 300)
        kind = content.get("type") if isinstance(content, dict) else None
        request = content.get("request") if isinstance(content, dict) else None
        kind = page_text(kind, 80)
        self.log.warning("cloudreel: ignoring a malformed %s message from the page: %s", kind, problem)
        if type(request) is int and request in self._pending:
            self._fail(request, f"the page sent a malformed {kind} message: {problem}")

    return checked
