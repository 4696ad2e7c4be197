"""cloudreel.export(): one video from Python with no page open, made by the runner page in a headless browser."""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence

from ..frames import normalize_frames
from ..lazy_frames import LazyFrames, is_lazy_source
from ..options import (check_background, check_fps, check_point_shape, check_point_size, check_quality, check_side,
                       check_view, page_view)
from ..palette import check_palette
from ..scales import check_bounds, check_colormap, check_value_range
from ..video_receiver import saved_name
from ..wire import pack_frames
from .engine import get_engine
from .progress import ProgressReport
from .runner_dist import runner_files
from .runner_server import RunnerExport, RunnerHost, StatusCallback

__all__ = ["ExportError", "ExportResult", "export", "export_target", "page_options", "render"]

#: Seconds the page may load its module, or go without a request while exporting, before the export fails.
LOAD_TIMEOUT = 30.0
STALL_TIMEOUT = 120.0
#: Seconds a cancelled page gets to stop on its own before its tab is closed.
CANCEL_GRACE = 3.0
#: Seconds a kept runner page may take to show it is alive and idle before a fresh one replaces it.
IDLE_TIMEOUT = 2.0
#: Seconds the engine thread waits for the export's end at a time before it looks at cancel, crash and stall.
_SLICE_S = 0.1


class ExportError(RuntimeError):
    """The page could not make the video; the message is the page's ``Export failed: <reason>``."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    #: Id of the encoder that made the file, e.g. "webcodecs-h264".
    codec: str
    mime_type: str
    bytes: int
    frames: int
    duration_seconds: float
    #: Seconds: "prepare" (validating and packing in Python), "page" (handing the export to the engine,
    #: with the browser and runner page started first when none is warm, to the video written),
    #: "render" and "encode" (the page's own), "total".
    timings: dict = field(default_factory=dict)


def export_target(path: str | os.PathLike, caller: str = "export()") -> Path:
    """The absolute path ``caller`` was asked to write; TypeError or ValueError (naming ``caller``) if it is no file name."""
    raw = os.fspath(path)
    if not isinstance(raw, str):
        raise TypeError(f"{caller} takes a str or os.PathLike path, got {type(raw).__name__}")
    name = Path(raw).name
    if not name or name in (".", "..") or raw.endswith(("/", os.sep)):
        raise ValueError(f"{caller} needs a file name, got {raw!r}")
    return Path(os.path.abspath(raw))


def page_options(*, fps, width, height, title, codecs, quality, point_size, point_shape, colormap, background,
                 bounds, vmin, vmax, palette, view) -> dict:
    """The page's ExportOptions, checked here with the widget's rules and words where the kernel has them."""
    vmin, vmax = check_value_range(vmin, vmax)
    if isinstance(fps, int) and not isinstance(fps, bool):
        fps = float(fps)  # as the widget's Float trait holds it, so its messages read the same
    options = {
        "fps": check_fps(fps), "width": check_side("width", width), "height": check_side("height", height),
        "title": bool(title), "quality": check_quality(quality), "colormap": check_colormap(colormap),
        "pointShape": check_point_shape(point_shape), "background": check_background(background),
        "bounds": check_bounds(bounds), "vmin": vmin, "vmax": vmax, "palette": check_palette(palette),
        "view": page_view(check_view(view)), "pointSize": check_point_size(point_size),
        "codecs": None if codecs is None else [str(c) for c in codecs],
    }
    return {k: v for k, v in options.items() if v is not None}


def export(frames, path: str | os.PathLike, *, fps: float = 5, width: int = 1280, height: int = 720, title: bool = True,
           colors=None, values=None, categories=None, codecs: Optional[Sequence[str]] = None, quality: str = "standard",
           point_size: Optional[float] = None, point_shape: str = "square", colormap: str = "viridis",
           background: str = "#000000", bounds=None, vmin: Optional[float] = None, vmax: Optional[float] = None,
           palette: Optional[dict] = None, view: Optional[Mapping[str, Any]] = None,
           progress: bool = True, on_status: Optional[StatusCallback] = None,
           browser: Optional[str] = None) -> ExportResult:
    """Renders ``frames`` to a video at ``path`` in a headless browser and returns once it is written.

    ``frames``, ``colors``, ``values`` and ``categories`` are what Animation takes, checked by
    the same rules; or ``frames`` is read lazily, frame by frame as the page renders it: a list of
    file paths, any re-iterable of frames, or a cloudreel.LazyFrames (lazy_frames.py: a bounds pass
    first, unless ``bounds=`` and, for values, ``vmin``/``vmax`` make it unnecessary). The extension follows the codec that worked (``.mp4``, ``.webm`` or
    ``.gif``, as save()); the file appears whole or not at all. ``on_status(phase, fraction,
    message)`` receives every status of the page (from a background thread); ``progress``
    shows them on stderr (a bar in a terminal, a line per phase elsewhere). ``browser``: a
    Chromium executable (else ``$CLOUDREEL_BROWSER``). Ctrl-C stops the export and leaves no file.
    Raises ExportError with the page's ``Export failed: <reason>``.
    """
    report = ProgressReport() if progress else None
    try:
        return _export(frames, path, fps=fps, width=width, height=height, title=title, colors=colors, values=values,
                       categories=categories, codecs=codecs, quality=quality, point_size=point_size,
                       point_shape=point_shape, colormap=colormap, background=background, bounds=bounds, vmin=vmin,
                       vmax=vmax, palette=palette, view=view, on_status=_both(report, on_status), browser=browser)
    finally:
        if report is not None:
            report.close()  # the bar ends with the export, however it ended


def _both(report: Optional[ProgressReport], on_status: Optional[StatusCallback]) -> Optional[StatusCallback]:
    """The progress report, then the caller's ``on_status``; either may be absent."""
    if report is None or on_status is None:
        return report or on_status

    def both(phase: str, fraction: float, message: str) -> None:
        report(phase, fraction, message)
        on_status(phase, fraction, message)

    return both


def _export(frames, path, *, colors, values, categories, on_status, browser,
            on_request: Optional[Callable[[str], None]] = None, **options) -> ExportResult:
    """export(), plus ``on_request(url)`` for every request the page and its workers make (tests)."""
    t0 = time.monotonic()
    target = export_target(path)
    checked = page_options(**options)
    if on_request is None:  # a test that watches every request sees the page load in its own export
        start_browser_early(browser)
    if isinstance(frames, LazyFrames) or is_lazy_source(frames):
        if any(v is not None for v in (colors, values, categories)):
            raise ValueError("colors=, values= and categories= go with frames held in memory; frames read lazily "
                             "(file paths, a re-iterable) carry their own")
        lazy = frames if isinstance(frames, LazyFrames) else LazyFrames(
            frames, bounds=options.get("bounds"), vmin=options.get("vmin"), vmax=options.get("vmax"),
            on_progress=_measuring(on_status))
        return render(lazy.header(), lazy, target, checked, on_status=on_status, browser=browser,
                      on_request=on_request, started=t0)
    header, payload = pack_frames(normalize_frames(frames, colors=colors, values=values, categories=categories))
    return render(header, payload, target, checked, on_status=on_status, browser=browser, on_request=on_request,
                  started=t0)


def _measuring(on_status: Optional[StatusCallback]):
    """The bounds pass's progress as statuses ("prepare": "Measuring frame i/N")."""
    def heard(done: int, total: Optional[int], unit: str) -> None:
        if on_status is not None and total:
            on_status("prepare", 0.0, f"Measuring {unit} {min(done + 1, total)}/{total}")
    return heard


def render(header: dict, payload, target: Path, options: dict, *, on_status: Optional[StatusCallback] = None,
           browser: Optional[str] = None, on_request: Optional[Callable[[str], None]] = None,
           on_wait: Optional[Callable[[], None]] = None, started: Optional[float] = None) -> ExportResult:
    """The one way a video is made without a page: frames already normalized and packed (``header``,
    ``payload`` from wire.pack_frames; or a lazy_frames.LazyFrames as ``payload`` with its header(),
    its frames read as the page asks for them), ``options`` from page_options(); the video is written atomically
    at ``target`` (its suffix following the codec). export() and Animation's headless route call it.
    ``on_wait()`` runs on the calling thread while the engine works (Engine.run); ``started`` is when
    the caller began preparing (time.monotonic()), for the "prepare" timing."""
    t0 = time.monotonic() if started is None else started
    files = runner_files()
    target.parent.mkdir(parents=True, exist_ok=True)
    t1 = time.monotonic()
    lazy = {"lazy": True} if isinstance(payload, LazyFrames) else {}
    export = RunnerExport({"header": header, "options": options, **lazy}, payload, target.parent, on_status)
    try:
        cancel = threading.Event()
        engine = get_engine(browser)
        engine.run(lambda b: _drive_page(engine, b, files, export, cancel, on_request), cancel=cancel, on_wait=on_wait)
        if export.callback_error is not None:
            raise export.callback_error
        if export.frame_error is not None and export.result is None:
            raise export.frame_error  # a frame of a lazy export, in its own words (ValueError, ReadError)
        if export.result is None:
            failure = export.failure or {}
            if failure.get("name") == "AbortError" or cancel.is_set():
                raise KeyboardInterrupt
            raise ExportError(f"Export failed: {failure.get('message', 'the page ended without a result')}")
        receiver = export.take_video()
        try:
            if receiver.total_bytes != export.result.get("bytes"):
                raise ExportError(f"Export failed: the page made {export.result.get('bytes')} bytes but sent {receiver.total_bytes}")
            written = saved_name(target, receiver.format)
            receiver.save_as(written)
        except BaseException:
            receiver.discard()
            raise
    finally:
        export.close()
    meta = export.result
    logging.getLogger(__name__).info("exported %s", written)  # one line per video written (batch tests count them)
    page = meta.get("timings", {})
    t2 = time.monotonic()
    return ExportResult(
        path=written, codec=receiver.format.codec, mime_type=receiver.format.mime_type, bytes=receiver.total_bytes,
        frames=int(meta["frames"]), duration_seconds=float(meta["durationSeconds"]),
        timings={"prepare": t1 - t0, "page": t2 - t1, "render": page.get("renderMs", 0) / 1000,
                 "encode": page.get("encodeMs", 0) / 1000, "total": t2 - t0})


class RunnerPage:
    """The runner page kept open between exports on one engine's browser (Engine.keep): its own
    context, its module loaded and compiled once, and its own loopback RunnerHost. Each export
    is added to the host under its own token and started in the page by its folder URL; only a
    page whose last export ended cleanly is used again (the engine thread only)."""

    def __init__(self, browser, files: Mapping[str, Path]) -> None:
        self.host = RunnerHost(files)
        self.crashed = threading.Event()
        self.errors: list[str] = []
        self.opened = False
        try:
            self.context = browser.new_context()
            self.page = self.context.new_page()
        except BaseException:
            self.close()
            raise
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("crash", lambda _page: self.crashed.set())

    def open(self) -> None:
        """Loads the page and waits for its module (compiled once for every export it runs)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.goto(self.host.page_url, wait_until="load", timeout=LOAD_TIMEOUT * 1000)
            self.page.wait_for_function("() => window.cloudreelRunner?.loaded === true", polling=20,
                                        timeout=LOAD_TIMEOUT * 1000)
        except PlaywrightTimeout:
            seen = f": {'; '.join(self.errors)}" if self.errors else ""
            raise ExportError(f"Export failed: the runner page did not load its module within {LOAD_TIMEOUT:.0f} s{seen}") from None
        self.opened = True

    def idle(self, seconds: float) -> bool:
        """Whether the page is alive and runs no export, within ``seconds`` (a page that hangs is not)."""
        if self.crashed.is_set() or self.errors or self.page.is_closed():
            return False
        try:
            self.page.wait_for_function("() => window.cloudreelRunner.idle === true", polling=20, timeout=seconds * 1000)
            return True
        except Exception:
            return False

    def close(self) -> None:
        context = getattr(self, "context", None)
        try:
            if context is not None:
                context.close()
        except Exception:
            pass  # the browser went with it
        finally:
            self.host.close()


#: The name the runner page is kept under (Engine.keep).
_PAGE = "runner-page"


def _drive_page(engine, browser, files: Mapping[str, Path], export: RunnerExport, cancel: threading.Event,
                on_request: Optional[Callable[[str], None]]) -> None:
    """The engine job: runs the export in the engine's warm runner page (a fresh one if there is none,
    or it serves other files or is not alive and idle) and waits, on the engine thread, until the page
    reports a result or failure, the user cancels, or the page stops answering. The page is kept for
    the next export only if this one ended with its result and nothing amiss; otherwise it is closed."""
    runner = _ready_runner(engine, browser, files, load=False)
    clean = False
    if on_request is not None:
        listener = lambda request: on_request(request.url)  # noqa: E731
        runner.context.on("request", listener)
    runner.host.add(export)
    try:
        if not runner.opened:
            runner.open()
        runner.page.evaluate("(base) => window.cloudreelRunner.start(base)", runner.host.base(export))
        logging.getLogger(__name__).info("export under way in browser pid %s", engine.browser_pid)
        clean = _wait_for_page(runner, export, cancel)
    finally:
        runner.host.remove(export)
        if on_request is not None:
            _quietly_pump(runner.page)  # the export's last request events, before its listener goes
            runner.context.remove_listener("request", listener)
        if not clean:
            engine.discard_kept(_PAGE)


def _ready_runner(engine, browser, files: Mapping[str, Path], *, load: bool = True) -> RunnerPage:
    """The engine's kept runner page if it serves ``files`` and is alive and idle, else a fresh one
    (kept); ``load``: also loaded (its module compiled) before this returns."""
    runner = engine.kept(_PAGE)
    if runner is None or runner.host.files != dict(files) or not runner.idle(IDLE_TIMEOUT):
        engine.discard_kept(_PAGE)
        runner = RunnerPage(browser, files)
        engine.keep(_PAGE, runner)
    if load and not runner.opened:
        runner.open()
    return runner


def start_browser_early(browser: Optional[str]) -> None:
    """Has the engine start its browser and runner page now, while the caller still checks and packs
    the frames (on its own thread), when no browser runs yet: a cold export's launch (about 1 s) then
    overlaps that work. Does nothing when a browser is already warm; a problem here (no browser, no
    runner files) is left for the export itself to meet and report."""
    try:
        engine = get_engine(browser)
        files = runner_files()
    except Exception:
        return
    if engine.browser_pid is None and not engine.closed:
        engine.warm_up(lambda b: _ready_runner(engine, b, files))


def _quietly_pump(page) -> None:
    """One round trip to Playwright's driver (not the page), in which it delivers the events it holds."""
    try:
        page.wait_for_timeout(1)
    except Exception:
        pass


def _wait_for_page(runner: RunnerPage, export: RunnerExport, cancel: threading.Event) -> bool:
    """Waits for the export the page runs; True if it ended with its result and the page is fit for another."""
    page, cancelled_at = runner.page, None
    # The server's event ends the wait the moment the page's result or failure arrives; between
    # slices one round trip to the driver delivers the page's events (crash, errors, requests).
    while not export.finished.wait(_SLICE_S):
        try:
            page.wait_for_timeout(1)
        except Exception as error:
            if runner.crashed.is_set() or "Page crashed" in str(error):
                raise ExportError("Export failed: the browser's page crashed (out of memory?)") from None
            raise  # the browser or its driver went: the engine says so (BrowserCrashed)
        if (cancel.is_set() or export.callback_error is not None) and cancelled_at is None:
            cancelled_at = time.monotonic()
            page.evaluate("() => window.cloudreelRunner.abort()")
        if cancelled_at is not None and time.monotonic() - cancelled_at > CANCEL_GRACE:
            return False
        if runner.crashed.is_set():
            raise ExportError("Export failed: the browser's page crashed (out of memory?)")
        quiet = time.monotonic() - export.last_activity
        if quiet > STALL_TIMEOUT:
            seen = f": {'; '.join(runner.errors)}" if runner.errors else ""
            raise ExportError(f"Export failed: the runner page sent nothing for {quiet:.0f} s{seen}")
    return (export.result is not None and cancelled_at is None and export.callback_error is None
            and not cancel.is_set() and runner.idle(CANCEL_GRACE))
