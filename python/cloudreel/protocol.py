"""Every message between the kernel and the page, typed and built in one place.

The kernel's side of the protocol (src/widget/protocol.ts is the page's;
tests/cases/messages.json is replayed by both). Kernel -> page messages are
made by the builders below. Messages from the page are checked before the
Animation acts on them: the kernel does not trust the page, so a malformed
message fails the request it names with a clear ``Export failed: ...`` and is
otherwise logged and ignored, never raised into the kernel's comm machinery,
where a save would wait forever. No ipywidgets here: other hosts reuse it.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, List, Literal, Optional, TypedDict, Union

from .wire import FramesHeader

__all__ = [
    "MAX_FILE_BYTES", "MAX_FILE_CHUNKS", "PAGE_PATTERN", "KernelMessage", "PageMessage",
    "cancel", "export_request", "frames_begin", "frames_chunk", "frames_end", "frames_offer",
    "message_problem", "page_text", "untrusted",
]


# --- kernel -> page ------------------------------------------------------------

class FramesOffer(TypedDict):
    """The frames wait in spool file ``token`` for the page to fetch over HTTP (frame_offers.py)."""
    type: Literal["frames-offer"]
    version: int
    header: FramesHeader
    token: str
    write_seconds: float


class FramesBegin(TypedDict):
    """The frames come over the comm: this, ``chunks`` frames-chunk messages, then frames-end."""
    type: Literal["frames-begin"]
    version: int
    header: FramesHeader
    chunks: int


class FramesChunk(TypedDict):
    """One chunk of the payload, its bytes in the message's one binary buffer."""
    type: Literal["frames-chunk"]
    version: int
    index: int
    offset: int


class FramesEnd(TypedDict):
    type: Literal["frames-end"]
    version: int


class ExportRequest(TypedDict):
    """anim.export() ("export") or anim.save()/embed() ("save", which wants the file back)."""
    type: Literal["export", "save"]
    request: int
    codecs: List[str]


class Cancel(TypedDict):
    type: Literal["cancel"]


KernelMessage = Union[FramesOffer, FramesBegin, FramesChunk, FramesEnd, ExportRequest, Cancel]


def frames_offer(version: int, header: FramesHeader, token: str, write_seconds: float) -> FramesOffer:
    return {"type": "frames-offer", "version": version, "header": header, "token": token, "write_seconds": write_seconds}


def frames_begin(version: int, header: FramesHeader, chunks: int) -> FramesBegin:
    return {"type": "frames-begin", "version": version, "header": header, "chunks": chunks}


def frames_chunk(version: int, index: int, offset: int) -> FramesChunk:
    return {"type": "frames-chunk", "version": version, "index": index, "offset": offset}


def frames_end(version: int) -> FramesEnd:
    return {"type": "frames-end", "version": version}


def export_request(kind: Literal["export", "save"], request: int, codecs: List[str]) -> ExportRequest:
    return {"type": kind, "request": request, "codecs": codecs}


def cancel() -> Cancel:
    return {"type": "cancel"}


# --- page -> kernel ------------------------------------------------------------
# Every one names its ``page`` (a random id per page model), so the kernel can
# tell two tabs on one kernel apart.

class RequestFrames(TypedDict):
    """Asks for the frames (the page holds version ``have``): over HTTP, or over
    the comm when ``failed_offer`` names an offer the page could not fetch."""
    type: Literal["request-frames"]
    have: Optional[int]
    http: bool
    failed_offer: Optional[str]
    page: str


class FramesReceived(TypedDict):
    """The page is done with offer ``token``, fetched or not: its spool file can go."""
    type: Literal["frames-received"]
    token: str
    page: str


class PageGone(TypedDict):
    """The page went away (reload, closed tab): the requests it was serving fail."""
    type: Literal["page-gone"]
    page: str


class Ack(TypedDict):
    """The page took ``request``; the first page to answer serves it."""
    type: Literal["ack"]
    request: int
    page: str


class FileBegin(TypedDict):
    """A finished video follows in ``chunks`` file-chunk messages (save() and embed())."""
    type: Literal["file-begin"]
    request: int
    total_bytes: int
    chunks: int
    mime_type: str
    extension: str
    codec: str
    frames: int
    duration: float
    page: str


class FileChunk(TypedDict):
    """One chunk of the video, its bytes in the message's one binary buffer."""
    type: Literal["file-chunk"]
    request: int
    index: int
    offset: int
    page: str


class ExportFailed(TypedDict):
    type: Literal["export-failed"]
    request: int
    message: str
    page: str


PageMessage = Union[RequestFrames, FramesReceived, PageGone, Ack, FileBegin, FileChunk, ExportFailed]


#: The largest video the page may announce; a browser export is far smaller.
#: The kernel streams it to disk (video_receiver.py), allocating nothing for it up front.
MAX_FILE_BYTES = 2**31
#: The most chunks a video may come in (the page sends 2 MiB chunks: 1024 for
#: MAX_FILE_BYTES); the kernel keeps a little bookkeeping per chunk.
MAX_FILE_CHUNKS = 2**16
#: The most characters of a page's text (an error message) the kernel shows or logs.
MAX_PAGE_TEXT = 1000


#: What a page id may look like (the page makes 24 hex digits, see src/widget/model.ts).
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
