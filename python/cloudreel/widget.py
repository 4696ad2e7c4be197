"""The Animation widget: frames stay in the kernel until the browser asks for them."""

from __future__ import annotations

import asyncio
import itertools
import os
from pathlib import Path
from typing import Callable, Optional

import ipywidgets
from IPython.display import HTML, Image, Video, display
from traitlets import Bool, Float, Int, List, Unicode, validate

from ._version import MODULE_VERSION
from .frame_offers import FrameOffer
from .frames import ChunkAssembler, chunk_count, iter_chunks, normalize_frames, pack_frames
from .options import check_fps, check_side
from .page_messages import untrusted

SaveCallback = Callable[[Optional[str], Optional[str]], None]

_NO_FRONTEND = (
    "No JupyterLab or Notebook page is attached to this kernel (as under "
    "`jupyter nbconvert --execute` or papermill), so nothing can render the video. "
    "Open the notebook in JupyterLab 4 or Notebook 7 and run the cell there."
)
# Seconds of kernel idleness to wait for the page to acknowledge a request.
ACK_TIMEOUT = 20.0


def _started_by_jupyter_server() -> bool:
    # jupyter_server sets this for kernels it starts for a notebook page; nbclient
    # (nbconvert --execute, papermill) starts kernels without it.
    return bool(os.environ.get("JPY_SESSION_NAME"))


class Animation(ipywidgets.DOMWidget):
    """A point-cloud animation shown in the cell, exportable to MP4 in the browser.

    ``frames`` may be a list of ``{'points': (N, 3), 'colors': (N, 3) or None}``
    dicts (the original tool's format), a list of (N, 3) arrays, or one
    (F, N, 3) array with ``colors=`` of the same shape.
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

    _requests = itertools.count(1)

    def __init__(self, frames, fps=5, width=1280, height=720, title=True, colors=None, codecs=None, file_stem="animation", **kwargs):
        super().__init__(fps=fps, width=width, height=height, title=title, codecs=list(codecs or []), file_stem=file_stem, **kwargs)
        self._frontend_seen = False
        self._pending: dict[int, dict] = {}
        self._offer = FrameOffer()  # the spool file pages fetch the frames from
        self.set_frames(frames, colors=colors)
        self.on_msg(self._on_frontend_msg)

    @validate("fps")
    def _check_fps(self, proposal):
        return check_fps(proposal["value"])

    @validate("width", "height")
    def _check_size(self, proposal):
        return check_side(proposal["trait"].name, proposal["value"])

    def set_frames(self, frames, colors=None) -> None:
        """Replaces the frames; open pages fetch the new ones."""
        self._frames = normalize_frames(frames, colors=colors)
        self._header, self._payload = pack_frames(self._frames)
        self._drop_offers()
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
        self.send({"type": "frames-offer", "version": self.frames_version, "header": self._header, "token": token, "write_seconds": write_seconds})
        return True

    def _drop_offers(self) -> None:
        offer = getattr(self, "_offer", None)  # close() runs from __del__ even after a failed __init__
        if offer is not None:
            offer.drop()

    def close(self) -> None:
        self._drop_offers()
        super().close()

    def _send_frames(self) -> None:
        count = chunk_count(len(self._payload))
        version = self.frames_version
        self.send({"type": "frames-begin", "version": version, "header": self._header, "chunks": count})
        for index, offset, data in iter_chunks(self._payload):
            self.send({"type": "frames-chunk", "version": version, "index": index, "offset": offset}, buffers=[data])
        self.send({"type": "frames-end", "version": version})

    def _request(self, kind: str, **fields) -> int:
        if not self._frontend_seen and not _started_by_jupyter_server():
            raise RuntimeError(_NO_FRONTEND)
        request = next(self._requests)
        self._pending[request] = {"kind": kind, "acked": False, **fields}
        self.send({"type": kind, "request": request, "codecs": self.codecs})
        self._watch_for_ack(request)
        return request

    def _watch_for_ack(self, request: int) -> None:
        # Timers run only while the kernel is idle; a second, short wait lets
        # messages that queued up during a long cell be read first.
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            return

        def check(stage: int) -> None:
            entry = self._pending.get(request)
            if entry is None or entry["acked"]:
                return
            if stage == 0:
                loop.call_later(2.0, check, 1)
                return
            self._fail(request, "the page did not answer: is the notebook open in JupyterLab or Notebook 7 with the cloudreel extension installed?")

        loop.call_later(ACK_TIMEOUT, check, 0)

    def export(self, codecs: Optional[list[str]] = None) -> None:
        """Starts an export in the page; watch ``export_status``/``export_progress``."""
        if codecs is not None:
            self.codecs = list(codecs)
        self._request("export")

    def save(self, path: str | os.PathLike, callback: Optional[SaveCallback] = None) -> None:
        """Exports in the page and writes the video to ``path`` on the kernel's side.

        Returns at once: a running cell cannot receive the file, so it is written
        after the cell ends. ``save_status`` says when, and ``callback(path, error)``
        is called then (``error`` is None on success).
        """
        path = Path(path)
        self.save_status = f"Waiting for the page to export {path.name}..."
        self._request("save", path=path, callback=callback)

    def embed(self) -> None:
        """Shows the finished video as an ordinary output of the calling cell.

        The output is a plain ``<video>`` (or image, for a GIF) with the data inline,
        so the saved notebook shows it in nbviewer and ``nbconvert --to html``.
        """
        handle = display(HTML("<p><i>cloudreel: the video appears here when the export finishes.</i></p>"), display_id=True)
        self._request("save", display=handle)

    def cancel(self) -> None:
        """Cancels a running export in the page."""
        self.send({"type": "cancel"})

    # --- page -> kernel -------------------------------------------------

    @untrusted
    def _on_frontend_msg(self, _widget, content, buffers) -> None:
        self._frontend_seen = True
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
        elif kind == "ack":
            entry = self._pending.get(content.get("request"))
            if entry is not None:
                entry["acked"] = True
        elif kind == "file-begin":
            entry = self._pending.get(content.get("request"))
            if entry is not None:
                entry["acked"] = True
                entry["file"] = content
                entry["assembler"] = ChunkAssembler(int(content["total_bytes"]), int(content["chunks"]))
                self._maybe_finish(content["request"])
        elif kind == "file-chunk":
            entry = self._pending.get(content.get("request"))
            if entry is not None and "assembler" in entry:
                try:
                    entry["assembler"].add(int(content["index"]), int(content["offset"]), buffers[0])
                except (ValueError, IndexError) as e:
                    self._fail(content["request"], f"the video arrived damaged: {e}")
                    return
                self._maybe_finish(content["request"])
        elif kind == "export-failed":
            self._fail(content.get("request"), str(content.get("message", "unknown error")))

    def _maybe_finish(self, request: int) -> None:
        entry = self._pending[request]
        if not entry["assembler"].complete:
            return
        del self._pending[request]
        data = entry["assembler"].result()
        meta = entry["file"]
        mime = str(meta.get("mime_type", "video/mp4"))
        if "display" in entry:
            shown = Image(data=data, format="gif") if mime == "image/gif" else Video(data=data, embed=True, mimetype=mime, html_attributes="controls loop")
            entry["display"].update(shown)
            self.save_status = f"Embedded the {meta.get('codec')} video ({len(data) / 1048576:.1f} MB)"
            return
        path: Path = entry["path"]
        extension = str(meta.get("extension", ""))
        if extension and path.suffix.lower() != f".{extension}":
            # The codec that worked decides the container: never write WebM bytes into out.mp4.
            path = path.with_suffix(f".{extension}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.save_status = f"Saved {path} ({len(data) / 1048576:.1f} MB, {meta.get('codec')})"
        if entry.get("callback"):
            entry["callback"](str(path), None)

    def _fail(self, request, message: str) -> None:
        entry = self._pending.pop(request, None)
        if entry is None:
            return
        text = f"Export failed: {message}"
        self.save_status = text
        if "display" in entry:
            entry["display"].update(HTML(f"<p><b>cloudreel:</b> {_escape(text)}</p>"))
        if entry.get("callback"):
            entry["callback"](None, text)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
