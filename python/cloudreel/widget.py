"""The Animation widget: frames stay in the kernel until the browser asks for them."""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import dataclasses
import html
import itertools
import json
import os
import queue
import re
import sys
import time
import warnings
import weakref
from typing import Callable, Iterator, Optional

import ipywidgets
from IPython.display import HTML, Image, display
from traitlets import Any, Bool, Dict, Float, Int, List, TraitError, Unicode, validate

from ._version import MODULE_VERSION
from .frame_offers import FrameOffer
from . import protocol, route
from .frames import normalize_frames
from .headless.engine import get_engine
from .headless.export import ExportError, ExportResult, export_target, page_options, render
from .headless.progress import ProgressReport
from .headless.video_cache import VideoCache, copy_video
from .options import (check_background, check_fps, check_point_shape, check_point_size, check_quality, check_side,
                      check_view)
from .palette import check_palette
from .pending_request import PendingRequest, SaveCallback
from .protocol import page_text, untrusted
from .scales import check_bounds, check_colormap, check_limit
from .video_receiver import VideoFormat, VideoReceiver, saved_name, size_text, video_format
from .wire import chunk_count, iter_chunks, pack_frames

# Seconds of kernel idleness to wait for the page to acknowledge a request.
ACK_TIMEOUT = 20.0
# Every Animation with requests still pending, for the warning at exit.
_live: "weakref.WeakSet[Animation]" = weakref.WeakSet()
# Seconds a timer waits past its deadline before failing a request: messages
# that queued up while a cell ran are read first.
IDLE_GRACE = 2.0
#: embed() warns above this size: every copy of the notebook carries the video.
EMBED_WARN_BYTES = 5_000_000
#: How save_status names the route that made a video without a page.
HEADLESS_NOTE = "headless browser"


#: The look traits' checks, the page's rules in Python (options.py, scales.py).
_LOOK_CHECKS = {"colormap": check_colormap, "point_shape": check_point_shape, "point_size": check_point_size,
                "background": check_background, "quality": check_quality, "view": check_view}


class Animation(ipywidgets.DOMWidget):
    """A point-cloud animation shown in the cell, exportable to MP4 in the browser.

    ``frames`` may be a list of ``{'points': (N, 3), 'colors': (N, 3) or None}``
    dicts (the original tool's format), a list of (N, 3) arrays, or one
    (F, N, 3) array with ``colors=`` of the same shape.

    Frames without colors are coloured by ``values=`` (N numbers per frame, with
    ``colormap`` over ``vmin``..``vmax``, by default their range over all frames),
    by ``categories=`` (N class codes 0..255 per frame, LAS classification, with the
    LAS ``palette`` or yours), else by z. ``bounds=((xmin, ymin, zmin), (xmax, ymax, zmax))``
    fixes the framing (and colour by z's range), so animations can be compared.
    ``point_shape`` draws each point as a ``"square"`` (the default) or a ``"round"``
    disc, in the player and in the video; the panel's select starts from it.
    """

    _model_name = Unicode("AnimationModel").tag(sync=True)
    _model_module = Unicode("cloudreel").tag(sync=True)
    _model_module_version = Unicode(MODULE_VERSION).tag(sync=True)
    _view_name = Unicode("AnimationView").tag(sync=True)
    _view_module = Unicode("cloudreel").tag(sync=True)
    _view_module_version = Unicode(MODULE_VERSION).tag(sync=True)

    fps = Float(5.0).tag(sync=True)
    width = Int(1280).tag(sync=True)
    height = Int(720).tag(sync=True)
    title = Bool(True).tag(sync=True)
    #: Encoder ids to try in order; empty means the default chain.
    codecs = List(Unicode()).tag(sync=True)
    file_stem = Unicode("animation").tag(sync=True)
    #: Colormap for values (and z) of frames without colors; the panel's select starts from it.
    colormap = Unicode("viridis").tag(sync=True)
    #: "square" or "round" points; the panel's select starts from it.
    point_shape = Unicode("square").tag(sync=True)
    # The player's look, written by the panel when the user changes it, so an export
    # from the page and one from a headless browser draw the same frames.
    #: Point size in pixels (up to 64); None: sized from each frame's point count.
    point_size = Float(None, allow_none=True).tag(sync=True)
    #: Background colour, "#rrggbb".
    background = Unicode("#000000").tag(sync=True)
    #: Encoder size/quality trade-off: "high", "standard" or "small".
    quality = Unicode("standard").tag(sync=True)
    #: The camera, {position, target, up (three numbers each, world coordinates), fov_deg};
    #: None: fitted to all frames (or to ``bounds``). The player writes it when the user moves it.
    view = Dict(None, allow_none=True).tag(sync=True)
    #: The colormap's range for values; None: the values' range over all frames.
    vmin = Float(None, allow_none=True).tag(sync=True)
    vmax = Float(None, allow_none=True).tag(sync=True)
    #: ((xmin, ymin, zmin), (xmax, ymax, zmax)) in world coordinates, or None to fit the data.
    bounds = Any(None, allow_none=True).tag(sync=True)
    #: {class: colour} overriding the LAS palette for categories.
    palette = Dict(None, allow_none=True).tag(sync=True)
    #: Number of frames and a version that changes when the frames do; the
    #: frames themselves never enter the widget state (nor a saved notebook).
    frame_count = Int(0, read_only=True).tag(sync=True)
    frames_version = Int(0, read_only=True).tag(sync=True)

    # Mirror the original tool's session state, set by the page during an export.
    export_status = Unicode("").tag(sync=True)
    export_progress = Float(0.0).tag(sync=True)
    export_complete = Bool(False).tag(sync=True)
    #: What the last save()/embed() did, e.g. "Saved out.mp4 (2.1 MB)".
    save_status = Unicode("")
    #: Seconds of kernel idleness after which a video that stopped arriving fails its save()/embed().
    transfer_timeout = Float(60.0)
    #: The largest video embed() puts into the notebook (bytes); larger ones are refused: use save().
    max_embed_bytes = Int(20_000_000)

    _requests = itertools.count(1)

    def __init__(self, frames, fps=5, width=1280, height=720, title=True, colors=None, codecs=None, file_stem="animation",
                 values=None, categories=None, vmin=None, vmax=None, colormap="viridis", palette=None, bounds=None,
                 point_shape="square", point_size=None, background="#000000", quality="standard", view=None, **kwargs):
        super().__init__(fps=fps, width=width, height=height, title=title, codecs=list(codecs or []), file_stem=file_stem,
                         colormap=colormap, point_shape=point_shape, vmin=vmin, vmax=vmax, palette=palette, bounds=bounds,
                         point_size=point_size, background=background, quality=quality, view=view, **kwargs)
        self._pending: dict[int, PendingRequest] = {}
        _live.add(self)
        self._offer = FrameOffer()  # the spool file pages fetch the frames from
        self._videos = VideoCache()  # the last video made headlessly
        self.set_frames(frames, colors=colors, values=values, categories=categories)
        self.on_msg(self._on_frontend_msg)

    @validate("fps")
    def _check_fps(self, proposal):
        return check_fps(proposal["value"])

    @validate("width", "height")
    def _check_size(self, proposal):
        return check_side(proposal["trait"].name, proposal["value"])

    @validate(*_LOOK_CHECKS)
    def _check_look(self, proposal):
        return _LOOK_CHECKS[proposal["trait"].name](proposal["value"])

    @validate("vmin", "vmax")
    def _check_limits(self, proposal):
        # Checked together: a TraitError keeps traitlets' rollback when both are set in one go.
        name = proposal["trait"].name
        value = check_limit(name, proposal["value"])
        other = self.vmax if name == "vmin" else self.vmin
        if value is not None and other is not None:
            lo, hi = (value, other) if name == "vmin" else (other, value)
            if lo > hi:
                raise TraitError(f"vmin must not exceed vmax, got vmin {lo:g} > vmax {hi:g}")
        return value

    @validate("bounds")
    def _check_bounds(self, proposal):
        return check_bounds(proposal["value"])

    @validate("palette")
    def _check_palette(self, proposal):
        return check_palette(proposal["value"])

    @validate("transfer_timeout")
    def _check_timeout(self, proposal):
        value = proposal["value"]
        if not value > 0:  # NaN fails too
            raise ValueError(f"transfer_timeout must be a number of seconds > 0, got {value}")
        return value

    @validate("max_embed_bytes")
    def _check_embed_limit(self, proposal):
        if proposal["value"] < 1:
            raise ValueError(f"max_embed_bytes must be a whole number of bytes >= 1, got {proposal['value']}")
        return proposal["value"]

    def set_frames(self, frames, colors=None, values=None, categories=None) -> None:
        """Replaces the frames (and their values or categories); open pages fetch the new ones."""
        self._frames = normalize_frames(frames, colors=colors, values=values, categories=categories)
        self._header, self._payload = pack_frames(self._frames)
        self._drop_offers()
        self._drop_video()
        self.set_trait("frame_count", len(self._frames))
        self.set_trait("frames_version", self.frames_version + 1)

    # --- kernel -> page -------------------------------------------------

    def _offer_frames(self, page) -> bool:
        """Offers the frames to ``page`` over HTTP (see frame_offers.py); False
        if that route is not available here."""
        offered = self._offer.offer(page, self.frames_version, self._payload)
        if offered is None:
            return False
        token, write_seconds = offered
        # The write is part of the transfer: the page adds it to the time it reports.
        self.send(protocol.frames_offer(self.frames_version, self._header, token, write_seconds))
        return True

    def _drop_offers(self) -> None:
        offer = getattr(self, "_offer", None)  # close() runs from __del__ even after a failed __init__
        if offer is not None:
            offer.drop()

    def close(self) -> None:
        self._drop_offers()
        self._drop_video()
        for request in list(getattr(self, "_pending", {})):
            self._fail(request, "the widget was closed before the video arrived")
        super().close()

    def _send_frames(self) -> None:
        count = chunk_count(len(self._payload))
        version = self.frames_version
        self.send(protocol.frames_begin(version, self._header, count))
        for index, offset, data in iter_chunks(self._payload):
            self.send(protocol.frames_chunk(version, index, offset), buffers=[data])
        self.send(protocol.frames_end(version))

    def _request(self, kind: str, **fields) -> int:
        request = next(self._requests)
        asked = time.monotonic()
        self._pending[request] = PendingRequest(kind, **fields)
        self.send(protocol.export_request(kind, request, self.codecs))
        self._watch(request, lambda: ACK_TIMEOUT, lambda entry: None if entry.acked else asked,
                    lambda: "the page did not answer: is the notebook open in JupyterLab or Notebook 7 with the cloudreel extension installed?")
        return request

    def _watch(self, request: int, seconds: Callable[[], float], waiting_since: Callable[[PendingRequest], Optional[float]],
               reason: Callable[[], str]) -> None:
        """Fails ``request`` once ``waiting_since(entry)`` (a time.monotonic(), or None when
        no longer waiting) lies ``seconds()`` in the past."""
        # Timers run only while the kernel is idle; a second, short wait lets
        # messages that queued up during a long cell be read first.
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            return

        def check(overdue_since: Optional[float] = None) -> None:
            entry = self._pending.get(request)
            since = None if entry is None else waiting_since(entry)
            if since is None:
                return
            left = since + seconds() - time.monotonic()
            if left > 0:
                loop.call_later(left, check)
            elif overdue_since != since:
                loop.call_later(IDLE_GRACE, check, since)
            else:
                self._fail(request, reason())

        loop.call_later(seconds(), check)

    def export(self, codecs: Optional[list[str]] = None, *, via: str = "auto") -> Optional[ExportResult]:
        """Makes the video; ``export_status``/``export_progress``/``export_complete`` follow it.

        Through the page (``via`` and the route rule: see save()) it starts the export in the
        page and returns None; the page offers the video for download. Without a page (headless)
        it renders the video now, in a cache this Animation owns, and returns the ExportResult
        (``path`` lies in that cache, removed by set_frames(), close() or the kernel's exit); a
        later save() or embed() with the same frames and settings uses that video instead of
        rendering again. Progress lines go to stderr. Raises ExportError when it fails.
        """
        way = self._route(via)
        if codecs is not None:
            self.codecs = list(codecs)
        if way == route.PAGE:
            self._request("export")
            return None
        with self._headless_errors():
            return self._headless_video()

    def save(self, path: str | os.PathLike, callback: Optional[SaveCallback] = None, *,
             via: str = "auto") -> Optional[ExportResult]:
        """Exports the video and writes it to ``path`` on the kernel's side.

        ``via="auto"`` (the default) takes the page if a cloudreel page has spoken to this kernel
        before the current cell started; otherwise a headless browser if one is found; otherwise
        the page if a Jupyter server started the kernel for one ($JPY_SESSION_NAME); otherwise it
        raises route.NoRoute saying what to install. ``via="page"`` or ``"headless"`` forces a route.

        Headless: the file is written before save() returns, which returns the ExportResult;
        ``save_status`` ends in "headless browser"; a failure raises ExportError. Through the page
        it returns None at once: a running cell cannot receive the file, so it is written after
        the cell ends. Either way ``save_status`` says what happened, and ``callback(path, error)``
        is called when the file is written (``error`` None) or not (``"Export failed: ..."``).
        A relative ``path`` is taken from the working directory at this call. The extension
        follows the codec that worked (``.mp4``, ``.webm`` or ``.gif``); the file appears whole
        or not at all.
        """
        try:
            resolved = export_target(path, "save()")
        except ValueError as e:
            self._report_failure(PendingRequest("save", callback=callback), str(e))
            return None
        way = self._route(via)
        if way == route.PAGE:
            self.save_status = f"Waiting for the page to export {resolved.name}..."
            self._request("save", path=resolved, callback=callback)
            return None
        entry = PendingRequest("save", path=resolved, callback=callback)
        with self._headless_errors(entry):
            video = self._headless_video()
            found = video_format({"codec": video.codec})
            target = saved_name(resolved, found)
            copy_video(video.path, found, target)
        self.save_status = f"Saved {target} ({size_text(video.bytes)}, {video.codec}, {HEADLESS_NOTE})"
        self._call_back(entry, str(target), None)
        return dataclasses.replace(video, path=target)

    def embed(self, *, via: str = "auto") -> None:
        """Shows the finished video as an ordinary output of the calling cell.

        The output is a plain ``<video>`` (or image, for a GIF) with the data inline,
        so the saved notebook shows it in nbviewer and ``nbconvert --to html``.
        The video is refused above ``max_embed_bytes`` (20 MB unless set; use save()
        for larger ones), and ``save_status`` plus a UserWarning say so above 5 MB.
        ``via`` chooses the route as for save(): headless, the video is shown before
        embed() returns (a failure raises ExportError); through the page, the output
        fills once the page has sent the video, after the cell.
        """
        way = self._route(via)
        if way == route.PAGE:
            handle = display(HTML("<p><i>cloudreel: the video appears here when the export finishes.</i></p>"), display_id=True)
            self._request("save", embed=True, display=handle)
            return
        with self._headless_errors():
            video = self._headless_video()
            refusal = self._embed_refusal(video.bytes)
            if refusal is not None:
                raise ExportError(f"Export failed: {refusal}")
            data = video.path.read_bytes()
        display(self._embedded(data, video_format({"codec": video.codec}), f", {HEADLESS_NOTE}"))

    # --- without a page ---------------------------------------------------

    def _route(self, via: str) -> str:
        """route.PAGE or route.HEADLESS for this call (the rule: route.choose)."""
        return route.choose(via, lambda: get_engine(None))

    def _page_options(self) -> dict:
        """The page's ExportOptions from this Animation's traits (the same mapping export() uses)."""
        return page_options(fps=self.fps, width=self.width, height=self.height, title=self.title,
                            codecs=list(self.codecs) or None, quality=self.quality, point_size=self.point_size,
                            point_shape=self.point_shape, colormap=self.colormap, background=self.background,
                            bounds=self.bounds, vmin=self.vmin, vmax=self.vmax, palette=self.palette, view=self.view)

    def _headless_video(self) -> ExportResult:
        """The video of the current frames and settings, rendered by a headless browser into this
        Animation's cache, or the one already there. Statuses reach the traits and stderr from
        this (the calling) thread: ipykernel's comm is not thread-safe."""
        options = self._page_options()
        key = json.dumps([self.frames_version, options], sort_keys=True)
        cached = self._videos.get(key)
        if cached is not None:
            return cached
        statuses: "queue.SimpleQueue[tuple[str, float, str]]" = queue.SimpleQueue()
        report = ProgressReport()

        def show() -> None:
            while True:
                try:
                    phase, fraction, message = statuses.get_nowait()
                except queue.Empty:
                    return
                report(phase, fraction, message)
                with self.hold_sync():
                    self.export_status, self.export_progress, self.export_complete = message, fraction, phase == "done"

        with self.hold_sync():
            self.export_status, self.export_progress, self.export_complete = "", 0.0, False
        stem = self.file_stem if re.fullmatch(r"\w[\w.-]*", self.file_stem) else "animation"
        try:
            return self._videos.make(key, f"{stem}.mp4", lambda target: render(
                self._header, self._payload, target, options, on_status=lambda *status: statuses.put(status), on_wait=show))
        finally:
            report.close()

    @contextlib.contextmanager
    def _headless_errors(self, entry: Optional[PendingRequest] = None) -> Iterator[None]:
        """Ends a failed headless export: ``save_status`` and ``export_status`` say ``Export failed: ...``,
        ``entry``'s callback hears it, and it is raised as ExportError (a KeyboardInterrupt as it is)."""
        try:
            yield
        except BaseException as error:
            if isinstance(error, KeyboardInterrupt):
                text = "Export failed: the export was cancelled"
            elif isinstance(error, ExportError):
                text = str(error)
            else:
                text = f"Export failed: {error}"
            self.save_status = text
            with self.hold_sync():
                self.export_status, self.export_complete = text, False
            if entry is not None:
                self._call_back(entry, None, text)
            if isinstance(error, (KeyboardInterrupt, ExportError)):
                raise
            raise ExportError(text) from error

    def _drop_video(self) -> None:
        videos = getattr(self, "_videos", None)  # close() runs from __del__ even after a failed __init__
        if videos is not None:
            videos.drop()

    def cancel(self) -> None:
        """Cancels a running export in the page."""
        self.send(protocol.cancel())

    # --- page -> kernel -------------------------------------------------

    @untrusted
    def _on_frontend_msg(self, _widget, content, buffers) -> None:
        route.heard_from(content.get("page"))
        kind = content.get("type")
        if kind == "request-frames":
            # A page that could not fetch an offer says which one, and gets the comm route.
            if content.get("failed_offer") is not None:
                self._offer.done(content.get("page"), str(content["failed_offer"]))
            if content.get("have") != self.frames_version:
                if not (content.get("http") and self._offer_frames(content.get("page"))):
                    self._send_frames()
        elif kind == "frames-received":
            self._offer.done(content.get("page"), str(content.get("token")))
        elif kind == "page-gone":
            route.page_gone(content["page"])
            self._page_gone(content["page"])
        elif kind in ("ack", "file-begin", "file-chunk", "export-failed"):
            entry = self._entry_for(content)
            if entry is None:
                return
            request = content["request"]
            if kind == "ack" and entry.kind == "export":
                del self._pending[request]  # answered; its progress shows in export_status
            elif kind == "file-begin":
                self._begin_file(request, entry, content)
            elif kind == "file-chunk":
                self._add_chunk(request, entry, content, buffers[0])
            elif kind == "export-failed":
                self._fail(request, page_text(content.get("message", "unknown error")))

    def _entry_for(self, content: dict) -> Optional[PendingRequest]:
        """The pending request a page message is about. The first page to answer
        serves it; another page's messages for it are ignored (logged once), so
        two tabs on one kernel never mix their chunks in one file."""
        entry = self._pending.get(content.get("request"))
        if entry is None:
            return None
        page = content.get("page")
        if not entry.acked:
            entry.acked = True
            entry.page = page
        elif entry.page != page:
            if not entry.ignoring:  # once per request, however many pages or messages
                entry.ignoring = True
                self.log.info("cloudreel: request %s is served by page %s; ignoring page %s's messages for it (and any other page's)",
                              content["request"], entry.page, page)
            return None
        return entry

    def _page_gone(self, page: str) -> None:
        for request, entry in list(self._pending.items()):
            if entry.acked and entry.page == page:
                self._fail(request, "the page exporting the video was closed or reloaded before the video arrived")

    def _begin_file(self, request: int, entry: PendingRequest, begin: dict) -> None:
        if entry.kind != "save":
            self._fail(request, f"the page sent a video for an {entry.kind}() request, which asks for none")
            return
        if entry.receiver is not None:
            self._fail(request, "the page began sending the video a second time")
            return
        refusal = self._embed_refusal(begin["total_bytes"]) if entry.embed else None
        if refusal is not None:
            self._fail(request, refusal)
            return
        folder = None if entry.embed else entry.path.parent
        try:
            entry.receiver = VideoReceiver(begin, folder)
        except ValueError as e:
            self._fail(request, str(e))
            return
        except OSError as e:
            self._fail(request, f"cannot write the video in {folder or 'the temporary folder'}: {e}")
            return
        self._watch(request, lambda: self.transfer_timeout,
                    lambda entry: entry.receiver.last_activity if entry.receiver is not None else None,
                    lambda: (f"the page stopped sending the video: nothing arrived for {self.transfer_timeout:g} s "
                             f"({entry.receiver.progress()} received; anim.transfer_timeout sets how long to wait)"))

    def _embed_refusal(self, total: int) -> Optional[str]:
        """Why embed() refuses a video of ``total`` bytes, or None."""
        if total <= self.max_embed_bytes:
            return None
        return (f"the video is {size_text(total)}, more than embed() puts in a notebook "
                f"(max_embed_bytes = {size_text(self.max_embed_bytes)}): save it with anim.save('name.mp4') "
                "instead, or raise anim.max_embed_bytes")

    def _embedded(self, data: bytes, found: VideoFormat, how: str = ""):
        """The display object of an embedded video; sets ``save_status`` (``how`` names the route) and warns when it is large."""
        note = ""
        if len(data) > EMBED_WARN_BYTES:
            note = "; large for a notebook, which carries it in every copy: save() keeps it beside instead"
            warnings.warn(f"cloudreel: embedded a {size_text(len(data))} video in the notebook{note}", UserWarning, stacklevel=3)
        self.save_status = f"Embedded the {found.codec} video ({size_text(len(data))}{how}{note})"
        return _inline_video(data, found.mime_type)

    def _add_chunk(self, request: int, entry: PendingRequest, chunk: dict, data) -> None:
        receiver = entry.receiver
        if receiver is None:
            self._fail(request, f"chunk {chunk['index']} of the video came before its file-begin")
            return
        try:
            receiver.add(chunk["index"], chunk["offset"], data)
        except ValueError as e:
            self._fail(request, f"the video arrived damaged: {e}")
            return
        except OSError as e:
            self._fail(request, f"writing the video failed: {e}")
            return
        if receiver.complete:
            self._finish(request, entry, receiver)

    def _finish(self, request: int, entry: PendingRequest, receiver: VideoReceiver) -> None:
        found = receiver.format
        size = size_text(receiver.total_bytes)
        if entry.embed:
            try:
                data = receiver.read()
            except OSError as e:
                self._fail(request, f"reading the video back failed: {e}")
                return
            del self._pending[request]
            receiver.discard()
            entry.display.update(self._embedded(data, found))
            return
        target = saved_name(entry.path, found)
        try:
            receiver.save_as(target)
        except OSError as e:
            self._fail(request, f"cannot write {target}: {e}")
            return
        del self._pending[request]
        self.save_status = f"Saved {target} ({size}, {found.codec})"
        self._call_back(entry, str(target), None)

    def _fail(self, request, message: str) -> None:
        entry = self._pending.pop(request, None)
        if entry is not None:
            self._report_failure(entry, message)

    def _report_failure(self, entry: PendingRequest, message: str) -> None:
        """Ends a request (or a save() that could not start) with ``Export failed: <message>``."""
        if entry.receiver is not None:
            entry.receiver.discard()
        text = f"Export failed: {message}"
        self.save_status = text
        if entry.embed:
            entry.display.update(HTML(f"<p><b>cloudreel:</b> {html.escape(text)}</p>"))
        self._call_back(entry, None, text)

    def _call_back(self, entry: PendingRequest, path: Optional[str], error: Optional[str]) -> None:
        callback = entry.callback
        if callback is None:
            return
        try:
            callback(path, error)
        except Exception:  # the user's callback: report it, but it must not look like a page fault
            self.log.exception("cloudreel: the save() callback raised")


def _inline_video(data: bytes, mime_type: str):
    """A display object holding the video inline; ``mime_type`` comes from the kernel's allow-list and is escaped anyway."""
    if mime_type == "image/gif":
        return Image(data=data, format="gif")
    mime = html.escape(mime_type)  # base64 (A-Z a-z 0-9 + / =) needs no escaping
    return HTML(f'<video controls loop>\n <source src="data:{mime};base64,{base64.b64encode(data).decode("ascii")}" type="{mime}">\n'
                " Your browser does not support the video tag.\n</video>")


@atexit.register
def _warn_unwritten() -> None:
    """At the kernel's exit, names each video a save() or embed() still waited for: never a silent exit 0."""
    for anim in list(_live):
        for entry in getattr(anim, "_pending", {}).values():
            if entry.kind != "save":
                continue
            what = f"anim.save() never wrote {entry.path}" if entry.path is not None else "anim.embed() never showed its video"
            print(f"cloudreel: {what}: the kernel exited before a page sent the video (no JupyterLab or Notebook 7 "
                  "page had this notebook open, as when papermill or nbconvert runs it).",
                  file=sys.__stderr__ or sys.stderr, flush=True)  # the process's own stderr: ipykernel's stream is closing
