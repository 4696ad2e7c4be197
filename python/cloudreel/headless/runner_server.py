"""The runner page's loopback HTTP server: the page's files, each export's job and frames (all at once, or
one at a time as the page renders them for a lazy export), its statuses and the video streamed back,
every request behind a random token (the page's, or one export's)."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Mapping, Optional
from urllib.parse import parse_qs, urlsplit

from ..video_receiver import VideoReceiver

__all__ = ["RunnerExport", "RunnerHost", "RunnerServer"]

StatusCallback = Callable[[str, float, str], None]

_TYPES = {"html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8",
          "mjs": "text/javascript; charset=utf-8", "wasm": "application/wasm"}
#: The largest JSON message and video chunk the page may send (it sends 2 MiB chunks).
_MAX_JSON = 1 << 20
_MAX_CHUNK = 16 << 20


class RunnerExport:
    """One export's side of the runner server, under its own random ``token``.

    ``job`` (options and the wire header) and ``payload`` (wire.pack_frames bytes, or a
    lazy_frames.LazyFrames whose frames the page asks for one at a time at ``frame/<i>``) go to
    the page (a frame that cannot be read or is invalid is kept in ``frame_error``, its words
    sent to the page, which fails); its statuses go to ``on_status(phase, fraction, message)`` (called on the
    server's threads); the video is written by a VideoReceiver in ``folder``, which
    take_video() hands over once ``finished`` is set with a ``result``. ``failure`` holds
    what the page reported instead. close() discards a video nobody took. Only requests
    under this export's token reach it: RunnerHost answers any other token with 403.
    """

    def __init__(self, job: dict, payload: bytes, folder: Path, on_status: Optional[StatusCallback] = None) -> None:
        self.token = secrets.token_urlsafe(32)
        self.finished = threading.Event()
        self.result: Optional[dict] = None
        self.failure: Optional[dict] = None
        #: An exception raised by on_status: the export stops and re-raises it.
        self.callback_error: Optional[BaseException] = None
        #: time.monotonic() of the page's last request: a page that goes quiet is timed out from here.
        self.last_activity = time.monotonic()
        #: How many requests carried this export's token (a page that never asked can be retried elsewhere).
        self.requests = 0
        #: The error reading or checking a frame of a lazy export raised (the caller raises it again).
        self.frame_error: Optional[BaseException] = None
        self._job, self._payload, self._folder = json.dumps(job).encode(), payload, folder
        self._on_status = on_status
        self._receiver: Optional[VideoReceiver] = None
        self._lock = threading.Lock()
        self._closed = False

    def take_video(self) -> VideoReceiver:
        """The finished video's receiver, now the caller's to save_as() or discard()."""
        with self._lock:
            receiver, self._receiver = self._receiver, None
        if receiver is None or not receiver.complete:
            if receiver is not None:
                receiver.discard()
            raise RuntimeError("the runner page reported a video but did not send all of it")
        return receiver

    def close(self) -> None:
        """Ends the export: later requests find nothing to add to, and a video nobody took is discarded."""
        with self._lock:
            self._closed = True
            receiver, self._receiver = self._receiver, None
        if receiver is not None:
            receiver.discard()

    # --- what the handler calls, one request at a time per route ---------

    def _status(self, status: dict) -> None:
        if self._on_status is None or self.callback_error is not None:
            return
        try:
            self._on_status(str(status.get("phase")), float(status.get("fraction", 0.0)), str(status.get("message")))
        except BaseException as e:  # the user's callback: stop the export and raise it there
            self.callback_error = e

    def _begin_video(self, begin: dict) -> None:
        with self._lock:
            if self._closed or self._receiver is not None:
                raise ValueError("the page began sending the video a second time" if not self._closed else "the export is over")
            self._receiver = VideoReceiver(begin, self._folder)

    def _add_chunk(self, index: int, offset: int, data: bytes) -> None:
        with self._lock:
            if self._closed or self._receiver is None:
                raise ValueError(f"chunk {index} of the video came before its begin (or after the export ended)")
            self._receiver.add(index, offset, data)

    def _frame_message(self, index: int) -> list:
        """Frame ``index`` of a lazy export as a wire frame message (read now, on the request's thread)."""
        if isinstance(self._payload, (bytes, bytearray, memoryview)):
            raise LookupError("this export's frames come all at once (GET frames)")
        try:
            return self._payload.message(index)
        except (ValueError, TypeError) as e:  # the frame's own words (ReadError is a ValueError); IndexError: 404
            if self.frame_error is None:
                self.frame_error = e
            raise

    def _end(self, result: Optional[dict], failure: Optional[dict]) -> None:
        if not self.finished.is_set():
            self.result, self.failure = result, failure
            self.finished.set()


class RunnerHost:
    """A loopback HTTP server on 127.0.0.1 at a random port for the runner page and its exports.

    ``files`` (name -> path, runner_dist.runner_files()) are the only files served, under the
    host's own ``page_token`` (the runner page kept open between exports loads from there) and
    under the token of each export added; an export's job, frames, statuses and video only
    under its own token, while it is added. Any other first path segment: 403, empty body.
    """

    def __init__(self, files: Mapping[str, Path]) -> None:
        self.files = dict(files)
        self.page_token = secrets.token_urlsafe(32)
        self._exports: list[RunnerExport] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="cloudreel-runner-server", daemon=True)
        self._thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def page_url(self) -> str:
        """The runner page that waits for jobs (``#wait``) instead of running its own token's."""
        return f"{self.origin}/{self.page_token}/runner.html#wait"

    def base(self, export: RunnerExport) -> str:
        """The folder URL the page resolves ``export``'s routes against."""
        return f"{self.origin}/{export.token}/"

    def add(self, export: RunnerExport) -> None:
        with self._lock:
            self._exports.append(export)
        export.last_activity = time.monotonic()

    def remove(self, export: RunnerExport) -> None:
        """From now on ``export``'s token is answered 403 like any unknown one."""
        with self._lock:
            if export in self._exports:
                self._exports.remove(export)

    def close(self) -> None:
        with self._lock:
            self._exports.clear()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _owner(self, segment: str):
        """The export whose token ``segment`` is, this host for the page token, None for anything else."""
        given = segment.encode()
        found = self if secrets.compare_digest(given, self.page_token.encode()) else None
        with self._lock:
            exports = list(self._exports)
        for export in exports:
            if secrets.compare_digest(given, export.token.encode()):
                found = export
        return found


class RunnerServer(RunnerExport):
    """One export on a RunnerHost of its own: the runner page opened at ``url`` runs it at once."""

    def __init__(self, files: Mapping[str, Path], job: dict, payload: bytes, folder: Path,
                 on_status: Optional[StatusCallback] = None) -> None:
        super().__init__(job, payload, folder, on_status)
        self.host = RunnerHost(files)
        self.host.add(self)

    @property
    def origin(self) -> str:
        return self.host.origin

    @property
    def url(self) -> str:
        """The runner page's address (the token is its first path segment)."""
        return f"{self.origin}/{self.token}/runner.html"

    def close(self) -> None:
        super().close()
        self.host.close()


def _handler(host: RunnerHost):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # noqa: A002 (the base class's name)
            pass

        def _head(self, code: int, content_type: str, length: int, *, no_store: bool = True) -> None:
            """The status line and headers of every answer (http.server writes them; this says which)."""
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(length))
            if no_store:
                self.send_header("Cache-Control", "no-store")
            self.end_headers()

        def _answer(self, code: int, body: bytes = b"", content_type: str = "text/plain; charset=utf-8") -> None:
            self._head(code, content_type, len(body))
            if body and self.command != "HEAD":
                self.wfile.write(body)

        def _forbid(self) -> None:
            self.close_connection = True
            self._answer(403)

        def _route(self, export_only: bool):
            """(export or host, the path after the token, the query); None (answered 403, nothing served)
            without a token this host knows, or with the page's token where an export's is needed."""
            parts = urlsplit(self.path)
            match = re.fullmatch(r"/([^/]+)/(.*)", parts.path, re.S)
            owner = host._owner(match.group(1)) if match else None
            if owner is None or (export_only and owner is host):
                self._forbid()
                return None
            now = time.monotonic()
            if owner is host:  # the page loading its module or ffmpeg.wasm counts for the export it works for
                with host._lock:
                    for export in host._exports:
                        export.last_activity = now
            else:
                owner.last_activity = now
                owner.requests += 1
            return owner, match.group(2), parse_qs(parts.query)

        def _body(self, limit: int) -> bytes:
            length = self.headers.get("Content-Length")
            if length is None or not length.isdigit() or int(length) > limit:
                raise ValueError(f"the request needs a Content-Length of at most {limit} bytes, got {length!r}")
            data = self.rfile.read(int(length))
            if len(data) != int(length):
                raise ValueError(f"the body ended after {len(data)} of {length} bytes")
            return data

        def do_GET(self) -> None:
            route = self._route(export_only=False)
            if route is None:
                return
            owner, name, _ = route
            if name in host.files:
                self._send_file(host.files[name])
            elif owner is host and (name in ("job", "frames") or name.startswith("frame/")):
                self._forbid()  # an export's own routes need the export's token
            elif name == "job":
                self._answer(200, owner._job, "application/json")
            elif name == "frames":
                self._send_frames(owner)
            elif re.fullmatch(r"frame/\d+", name):
                self._send_frame(owner, int(name[6:]))
            else:
                self._answer(404, b"not found")

        def _send_frames(self, export: RunnerExport) -> None:
            payload = memoryview(export._payload).cast("B")
            self._head(200, "application/octet-stream", len(payload))
            self.wfile.write(payload)

        def _send_frame(self, export: RunnerExport, index: int) -> None:
            """One frame of a lazy export, read when asked: Python holds the frames being sent, the
            page asks for the next ones as it renders (a few ahead), so neither side holds them all."""
            try:
                parts = export._frame_message(index)
            except LookupError as e:
                self._answer(404, str(e).encode())
                return
            except (ValueError, TypeError) as e:
                self._answer(422, str(e).encode())
                return
            self._head(200, "application/octet-stream", sum(len(p) for p in parts))  # flat bytes-likes (wire.frame_message)
            for part in parts:
                self.wfile.write(part)

        def _send_file(self, path: Path) -> None:
            with open(path, "rb") as file:
                size = file.seek(0, 2)
                file.seek(0)
                self._head(200, _TYPES.get(path.suffix[1:], "application/octet-stream"), size, no_store=False)
                shutil.copyfileobj(file, self.wfile, 1 << 20)

        def do_POST(self) -> None:
            route = self._route(export_only=True)
            if route is None:
                return
            export, name, _ = route
            try:
                message = json.loads(self._body(_MAX_JSON))
                if not isinstance(message, dict):
                    raise ValueError("the page sent JSON that is not an object")
                if name == "status":
                    export._status(message)
                elif name == "video":
                    export._begin_video(message)
                elif name == "result":
                    export._end(message, None)
                elif name == "failed":
                    export._end(None, message)
                else:
                    self._answer(404, b"not found")
                    return
            except (ValueError, OSError) as e:
                # The export cannot go on: the caller reports this instead of waiting.
                export._end(None, {"name": "Error", "message": str(e)})
                self._answer(400, str(e).encode())
                return
            self._answer(204)

        def do_PUT(self) -> None:
            route = self._route(export_only=True)
            if route is None:
                return
            export, name, query = route
            match = re.fullmatch(r"video/(\d+)", name)
            if match is None or not query.get("offset", [""])[0].isdigit():
                self._answer(404, b"not found")
                return
            try:
                export._add_chunk(int(match.group(1)), int(query["offset"][0]), self._body(_MAX_CHUNK))
            except (ValueError, OSError) as e:
                export._end(None, {"name": "Error", "message": f"the video arrived damaged: {e}"})
                self._answer(400, str(e).encode())
                return
            self._answer(204)

    return Handler
