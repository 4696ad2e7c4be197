"""STAND-IN for headless/engine.py (the engine part of issue 14, written by another helper): the same
``get_engine(browser).run(job, cancel=, timeout=)`` contract, minimal (no recycling, no crash restart,
discovery by ``browser=``, $CLOUDREEL_BROWSER or /usr/bin/chromium only). export.py imports it in one
line; replace that line with ``from .engine import get_engine`` and delete this file on merge."""

from __future__ import annotations

import atexit
import concurrent.futures
import os
import queue
import threading
import time
from typing import Any, Callable, Optional

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]


class _Engine:
    """One thread owning sync_playwright and one browser; run() hands it jobs."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="cloudreel-engine-standin", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = None
            while True:
                item = self._jobs.get()
                if item is None:
                    break
                job, future = item
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    if browser is None or not browser.is_connected():
                        browser = playwright.chromium.launch(executable_path=self._path, headless=True, args=CHROMIUM_ARGS)
                    future.set_result(job(browser))
                except BaseException as e:  # handed to the caller
                    future.set_exception(e)
            if browser is not None:
                browser.close()

    def run(self, job: Callable[[Any], Any], *, cancel: Optional[threading.Event] = None, timeout: Optional[float] = None):
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._jobs.put((job, future))
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not future.done():
                if deadline is not None and time.monotonic() > deadline:
                    if cancel is not None:
                        cancel.set()
                    concurrent.futures.wait([future])
                    raise TimeoutError(f"the headless browser job took more than {timeout:g} s")
                concurrent.futures.wait([future], timeout=0.1)
        except KeyboardInterrupt:
            if cancel is not None:
                cancel.set()
            concurrent.futures.wait([future])
            raise
        return future.result()

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=10)


_engines: dict[str, _Engine] = {}
_lock = threading.Lock()


def get_engine(browser: Optional[str] = None) -> _Engine:
    path = browser or os.environ.get("CLOUDREEL_BROWSER") or "/usr/bin/chromium"
    with _lock:
        if path not in _engines:
            _engines[path] = _Engine(path)
        return _engines[path]


@atexit.register
def _close_all() -> None:
    for engine in _engines.values():
        engine.close()
