"""The headless engine: a thread that owns Playwright and one warm browser, and runs jobs for any caller."""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import queue
import shutil
import signal
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Dict, Iterator, Optional, Set

from .browsers import CHROMIUM_ARGS, BrowserNotFound, find_browser

DEFAULT_RECYCLE_AFTER = 25  # jobs per browser before a fresh one (bounds leaks in long sessions)
LAUNCH_TIMEOUT_S = 60.0
INTERRUPT_GRACE_S = 5.0  # how long a cancelled job may take to return before its browser is killed
CLOSE_TIMEOUT_S = 10.0
#: After a caller's Ctrl-C, how long the next job waits to see whether the browser got the signal too.
INTERRUPT_SETTLE_S = 1.0
#: How long a job may go on after its browser is gone before Playwright's driver is killed too: a
#: Playwright call in flight when the browser died may never return (e.g. new_page()), although the
#: driver saw the browser go; without the driver every call in flight raises.
BROWSER_GONE_GRACE_S = 3.0
_POLL_S = 0.1  # waits are sliced so that Ctrl-C reaches the caller on every platform


class PlaywrightNotInstalled(BrowserNotFound):
    """The playwright package is missing. A BrowserNotFound, so callers that fall back when no
    browser can be driven fall back on this too."""


class BrowserLaunchFailed(RuntimeError):
    """The browser executable did not start."""


class BrowserCrashed(RuntimeError):
    """The browser exited while a job ran; the engine starts a fresh one for the next job."""


class EngineClosed(RuntimeError):
    """The engine was closed (explicitly or at interpreter exit) before the job ran."""


def _require_playwright() -> None:
    if importlib.util.find_spec("playwright") is None:
        raise PlaywrightNotInstalled(
            "cloudreel's headless export drives the browser with the playwright package, which is "
            "not installed: pip install 'cloudreel[headless]' (a browser is still needed: "
            "Chromium or Google Chrome, or python -m playwright install chromium)."
        )


def _first_lines(error: BaseException, count: int = 12) -> str:
    """The start of an error's message, without Playwright's echo of the whole command line."""
    lines = [line[:300] for line in str(error).strip().splitlines() if "<launching>" not in line]
    return "\n".join(lines[:count] + (["..."] if len(lines) > count else []))


def _wait_for(event: threading.Event, seconds: float) -> bool:
    """Event.wait in slices, so that a KeyboardInterrupt is raised promptly in the main thread."""
    deadline = time.monotonic() + seconds
    while not event.wait(min(_POLL_S, max(0.0, deadline - time.monotonic()))):
        if time.monotonic() >= deadline:
            return False
    return True


class _Task:
    """One job handed to the engine thread, and how it ended."""

    def __init__(self, job: Callable[[Any], Any], counted: bool = True):
        self.job = job
        self.counted = counted  # a warm_up() is not a job: it counts neither as run nor toward recycling
        self.state = "queued"  # -> running -> done, or queued -> done (withdrawn)
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.result: Any = None
        self.error: Optional[BaseException] = None
        self.killed = False  # its caller killed the browser to stop it
        self.driver_killed = False  # the watchdog killed the driver: the job outlived its browser
        self.abandoned = False  # its caller stopped waiting: not started if still launching

    def claim(self) -> bool:
        with self.lock:
            if self.state != "queued":
                return False
            self.state = "running"
            return True

    def withdraw(self, error: Optional[BaseException] = None) -> bool:
        """Ends a task that never started; False if it already runs or ran."""
        with self.lock:
            if self.state != "queued":
                return False
            self.state, self.error = "done", error
        self.done.set()
        return True

    def finish(self, result: Any = None, error: Optional[BaseException] = None) -> None:
        with self.lock:
            self.state, self.result, self.error = "done", result, error
        self.done.set()


_STOP = object()


class Engine:
    """One browser executable driven from a dedicated thread.

    Playwright's sync API cannot run inside a running asyncio loop (every ipykernel cell has
    one) and its objects belong to the thread that made them, so this thread owns Playwright
    and a warm browser; ``run`` hands it a job from any thread. The browser starts on the first
    job, is replaced after ``recycle_after`` jobs and after a crash, and closes with ``close()``
    or at interpreter exit. A job still running ``browser_gone_grace`` seconds after its browser
    went has its driver killed too (a Playwright call may outlive the browser otherwise). Contexts and pages a job leaves open are closed after it returns,
    except those of what a job keep()s for later jobs on the same browser (the runner page).
    """

    def __init__(
        self,
        executable: str,
        *,
        recycle_after: int = DEFAULT_RECYCLE_AFTER,
        launch_timeout: float = LAUNCH_TIMEOUT_S,
        interrupt_grace: float = INTERRUPT_GRACE_S,
        browser_gone_grace: float = BROWSER_GONE_GRACE_S,
    ):
        _require_playwright()
        self.executable = executable
        self.recycle_after = recycle_after
        self.launch_timeout = launch_timeout
        self.interrupt_grace = interrupt_grace
        self.browser_gone_grace = browser_gone_grace
        self.launches = 0
        self.jobs_run = 0
        self._lock = threading.Lock()
        self._queue: "queue.Queue[Any]" = queue.Queue()
        self._thread: Optional[threading.Thread] = None
        self._closed = False
        self._current: Optional[_Task] = None
        self._browser_pid: Optional[int] = None
        self._driver_pid: Optional[int] = None  # Playwright's driver (node), while it runs
        # Touched by the engine thread only.
        self._playwright: Any = None
        self._browser: Any = None
        self._cdp: Any = None
        self._since_launch = 0
        self._driver_error: Any = None  # the driver pipe's error future (Playwright's), while it runs
        self._kept: Dict[str, Any] = {}  # keep(): name -> a value with .context and .close()
        self._interrupted = False  # set by a caller's Ctrl-C, read by the engine thread's next job
        self.temp_root: Optional[str] = None  # the driver's and browser's temp folder while they run
        _live.add(self)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def browser_pid(self) -> Optional[int]:
        """The process id of the running browser (None before the first job and between browsers)."""
        return self._browser_pid

    @property
    def driver_pid(self) -> Optional[int]:
        """The process id of Playwright's driver while it runs (None before the first job and between drivers)."""
        return self._driver_pid

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{self.launches} launches, {self.jobs_run} jobs"
        return f"<cloudreel Engine {self.executable!r}: {state}>"

    # ---- callers' side -------------------------------------------------------------------

    def run(
        self,
        job: Callable[[Any], Any],
        *,
        cancel: Optional[threading.Event] = None,
        timeout: Optional[float] = None,
        on_wait: Optional[Callable[[], None]] = None,
    ) -> Any:
        """Runs ``job(browser)`` on the engine thread and returns its result or raises its error.

        ``browser`` is a Playwright sync-API Browser, usable only inside the job. A
        KeyboardInterrupt while waiting sets ``cancel`` and is re-raised once the job has
        returned; a job still running ``interrupt_grace`` seconds later (or at a second
        Ctrl-C) is stopped by killing its browser. ``timeout`` (seconds) does the same and
        raises TimeoutError. ``on_wait()`` runs on the calling thread every poll (about 0.1 s) and
        once at the end, e.g. to show statuses the job queued where only that thread may (an
        ipykernel comm); an exception from it stops the job and is raised.
        """
        if self._thread is not None and threading.current_thread() is self._thread:
            raise RuntimeError(
                "Engine.run was called from inside a job on the engine thread; "
                "call the function with the browser the job was given instead."
            )
        if timeout is not None and not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}.")
        task = _Task(job)
        self._enqueue(task)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not task.done.wait(_POLL_S):
                if on_wait is not None:
                    try:
                        on_wait()
                    except Exception:
                        self._stop(task, cancel)
                        raise
                if deadline is not None and time.monotonic() >= deadline:
                    self._stop(task, cancel)
                    if task.killed:
                        how = "its browser was killed and the next job starts a fresh one"
                    elif task.done.is_set():
                        how = "it stopped when cancelled"
                    else:
                        how = "it still runs on the engine thread (it ignored cancel and had no browser to kill yet)"
                    raise TimeoutError(f"The headless job did not finish within {timeout:g} s; {how}.") from task.error
        except KeyboardInterrupt:
            self._stop(task, cancel)
            # Ctrl-C in a terminal or a Jupyter interrupt also reached the driver and the
            # browser (one process group): the next job first waits to see whether they go.
            self._interrupted = True
            raise
        if on_wait is not None:
            on_wait()
        if task.error is not None:
            raise task.error
        return task.result

    def warm_up(self, job: Callable[[Any], Any]) -> None:
        """Queues ``job(browser)`` without waiting for it: the browser starts (and the job readies
        what later jobs use) while the caller does other work. Its result and its error are dropped:
        a job that follows meets the same problem and reports it. Not counted as a job."""
        try:
            self._enqueue(_Task(job, counted=False))
        except EngineClosed:
            pass

    def _enqueue(self, task: _Task) -> None:
        with self._lock:
            if self._closed:
                raise EngineClosed(f"The headless engine for {self.executable} is closed.")
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="cloudreel-engine", daemon=True)
                self._thread.start()
            self._queue.put(task)

    def _stop(self, task: _Task, cancel: Optional[threading.Event]) -> None:
        """Asks the job to stop, then makes it stop; returns once it has (or could not be made to)."""
        if cancel is not None:
            cancel.set()
        task.abandoned = True
        if task.withdraw():
            return
        try:
            if _wait_for(task.done, self.interrupt_grace):
                return
        except KeyboardInterrupt:
            pass  # a second Ctrl-C: stop it now
        with self._lock:
            if self._current is task and self._browser_pid is not None:
                task.killed = True
                _kill_process_tree(self._browser_pid)
        _wait_for(task.done, self.interrupt_grace)

    def close(self, timeout: float = CLOSE_TIMEOUT_S) -> None:
        """Closes the browser and ends the engine thread; jobs still queued fail with EngineClosed."""
        with self._lock:
            self._closed = True
            thread = self._thread
        self._fail_queued()
        _live.discard(self)
        if thread is None or not thread.is_alive():
            return
        self._queue.put(_STOP)
        if thread is threading.current_thread():
            return  # called from a job: the thread ends after it
        thread.join(timeout)
        if thread.is_alive():  # a job that would not return: take its browser away
            with self._lock:
                if self._browser_pid is not None:
                    _kill_process_tree(self._browser_pid)
            thread.join(timeout)

    def _fail_queued(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, _Task):
                item.withdraw(EngineClosed(f"The headless engine for {self.executable} was closed before the job ran."))

    # ---- the engine thread ---------------------------------------------------------------

    def keep(self, name: str, value: Any) -> None:
        """From a job: keeps ``value`` for later jobs on this browser, under ``name``. Its
        ``context`` (a BrowserContext of this browser) then stays open after jobs; ``value.close()``
        is called when it is discarded, replaced, or when the browser goes (recycled, crashed, closed)."""
        self.discard_kept(name)
        self._kept[name] = value

    def kept(self, name: str) -> Any:
        """From a job: what an earlier job kept under ``name`` on this browser, or None."""
        return self._kept.get(name)

    def discard_kept(self, name: str) -> None:
        """From a job: closes what is kept under ``name`` (if anything) and forgets it."""
        value = self._kept.pop(name, None)
        if value is not None:
            _quietly(value.close)

    def _serve(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    break
                if not item.claim():
                    continue
                with self._lock:
                    self._current = item
                threading.Thread(target=self._watch, args=(item,), name="cloudreel-engine-watchdog", daemon=True).start()
                try:
                    item.finish(result=self._run_one(item))
                except BaseException as error:  # the job's own error, handed to its caller
                    item.finish(error=error)
                finally:
                    with self._lock:
                        self._current = None
        finally:
            self._discard_browser()
            self._stop_playwright()
            with self._lock:
                self._closed = True
            self._fail_queued()

    def _run_one(self, task: _Task) -> Any:
        browser = self._ready_browser()
        if task.abandoned:
            raise RuntimeError("The job was not started: its caller stopped waiting while the browser started.")
        try:
            return task.job(browser)
        except BaseException as error:
            if self._browser_alive():
                raise
            pid = self._browser_pid
            self._discard_crashed()
            if task.killed:
                raise
            stuck = (
                f"; a Playwright call still waited on it {self.browser_gone_grace:g} s later, so Playwright's "
                f"driver was killed too" if task.driver_killed else ""
            )
            raise BrowserCrashed(
                f"The browser {self.executable} (pid {pid}) exited while the job ran (killed or "
                f"crashed){stuck}; the next job starts a fresh one. The job's error: {_first_lines(error, 3)}"
            ) from error
        finally:
            if task.counted:
                self.jobs_run += 1
                self._since_launch += 1
            self._after_job()

    def _after_job(self) -> None:
        if self._browser is None:
            return
        kept = [value.context for value in self._kept.values()]
        try:
            for context in list(self._browser.contexts):
                if not any(context is k for k in kept):
                    context.close()
        except Exception:
            # The browser is going away, and with it perhaps the driver (a signal to the group).
            self._discard_crashed()
            return
        if self.recycle_after and self._since_launch >= self.recycle_after:
            self._discard_browser()

    def _watch(self, task: _Task) -> None:
        """The watchdog of one job (its own thread, until the job ends): once the job's browser is gone
        (exited or a zombie) and the job still runs ``browser_gone_grace`` seconds later, it kills
        Playwright's driver, so that a Playwright call that outlived the browser raises instead of
        waiting forever; the job then fails with BrowserCrashed and the next starts a fresh driver."""
        gone_since: Optional[float] = None
        while not task.done.wait(_POLL_S):
            with self._lock:
                pid, driver = self._browser_pid, self._driver_pid
            if pid is None or driver is None or not _wait_gone(pid, 0):
                gone_since = None
                continue
            now = time.monotonic()
            if gone_since is None:
                gone_since = now
            if now - gone_since < self.browser_gone_grace:
                continue
            with self._lock:  # the same job, browser and driver: a fresh driver is never killed
                if self._current is task and self._browser_pid == pid and self._driver_pid == driver:
                    task.driver_killed = True
                    self._driver_pid = None
                    _kill_process_tree(driver)
            return

    def _ready_browser(self) -> Any:
        if self._interrupted:
            self._interrupted = False
            # A browser that got the same SIGINT is shutting down, yet may still answer for a
            # moment: wait for it to go (a browser the signal did not reach costs this wait once).
            pid = self._browser_pid
            if pid is not None and _wait_gone(pid, INTERRUPT_SETTLE_S):
                self._discard_crashed()
        if self._browser is not None and not self._browser_alive():
            self._discard_crashed()
        if self._browser is None:
            self._launch()
        return self._browser

    def _start_playwright(self) -> None:
        from playwright.sync_api import sync_playwright

        # Everything the driver and the browser write (profile, artifacts, Chromium's own temp
        # files) goes to one folder of ours, removed when the driver goes: a driver killed by a
        # signal (ipykernel ends its children at shutdown; Ctrl-C reaches the process group)
        # cannot remove its own.
        self.temp_root = tempfile.mkdtemp(prefix="cloudreel-engine-")
        manager = sync_playwright()
        with _driver_temp_folder(self.temp_root):
            self._playwright = manager.start()
        pid, self._driver_error = _driver_pipe(manager)
        with self._lock:
            self._driver_pid = pid

    def _launch(self) -> None:
        if self._playwright is None:
            self._start_playwright()
        from playwright.sync_api import Error as PlaywrightError

        launch = lambda: self._playwright.chromium.launch(  # noqa: E731
            executable_path=self.executable,
            args=list(CHROMIUM_ARGS),
            headless=True,
            timeout=self.launch_timeout * 1000,
        )
        try:
            try:
                browser = launch()
            except PlaywrightError as error:
                if "has been closed" not in str(error):
                    raise
                # The driver itself went (a signal to the process group): once more on a fresh one.
                self._stop_playwright()
                self._start_playwright()
                browser = launch()
        except PlaywrightError as error:
            raise BrowserLaunchFailed(f"Could not start the browser {self.executable}:\n{_first_lines(error)}") from error
        cdp = browser.new_browser_cdp_session()
        processes = cdp.send("SystemInfo.getProcessInfo")["processInfo"]
        pid = next((p["id"] for p in processes if p.get("type") == "browser"), None)
        self._browser, self._cdp = browser, cdp
        with self._lock:
            self._browser_pid = pid
        self.launches += 1
        self._since_launch = 0

    def _browser_alive(self) -> bool:
        """One round trip to the browser (a stale is_connected() is not enough between jobs)."""
        if self._browser is None or not self._browser.is_connected():
            return False
        try:
            self._cdp.send("Browser.getVersion")
            return True
        except Exception:
            return False

    def _discard_browser(self) -> None:
        for name in list(self._kept):
            self.discard_kept(name)  # before the browser: a kept value may hold more than its context
        browser, self._browser, self._cdp = self._browser, None, None
        with self._lock:
            pid, self._browser_pid = self._browser_pid, None
        if browser is not None:
            _quietly(browser.close)
        if pid is not None and not _wait_gone(pid, 3.0):
            _kill_process_tree(pid)
            _wait_gone(pid, 2.0)

    def _discard_crashed(self) -> None:
        # The driver too: Ctrl-C in a terminal or a Jupyter interrupt reaches its process group,
        # and a driver that lost its browser is not worth probing.
        self._discard_browser()
        self._stop_playwright()

    def _stop_playwright(self) -> None:
        with self._lock:
            self._driver_pid = None
        playwright, self._playwright = self._playwright, None
        if playwright is not None:
            _quietly(playwright.stop)
        error, self._driver_error = self._driver_error, None
        if error is not None and error.done() and not error.cancelled():
            error.exception()  # a driver that was killed: read, so asyncio does not log it as never retrieved
        root, self.temp_root = self.temp_root, None
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)


def _quietly(close: Callable[[], Any]) -> None:
    """Closes something that may already be gone (a crashed browser, a killed driver)."""
    try:
        close()
    except Exception:
        pass


_driver_env_lock = threading.Lock()


@contextlib.contextmanager
def _driver_temp_folder(folder: str) -> Iterator[None]:
    """Starts Playwright's driver with ``folder`` as its temp folder (TMPDIR, TEMP, TMP).

    Playwright spawns its driver with ``get_driver_env()`` and no way to pass an environment;
    this wraps that function (playwright is pinned; tests/python/test_headless_engine.py checks
    that nothing is left outside the folder) instead of changing this process's os.environ.
    """
    from playwright._impl import transport

    original = transport.get_driver_env

    def with_folder() -> dict:
        env = original()
        env.update(TMPDIR=folder, TEMP=folder, TMP=folder)
        return env

    with _driver_env_lock:
        transport.get_driver_env = with_folder
        try:
            yield
        finally:
            transport.get_driver_env = original


def _driver_pipe(manager: Any) -> tuple:
    """The process id of the driver a started ``sync_playwright()`` runs, and its pipe's error future
    (Playwright's own attributes: playwright is pinned, and test_headless_engine.py checks the pid)."""
    transport = getattr(getattr(manager, "_client", None), "_transport", None)
    pid = getattr(getattr(transport, "_proc", None), "pid", None)
    return pid, getattr(transport, "on_error_future", None)


def _wait_gone(pid: int, seconds: float) -> bool:
    """Whether the process exits (or is a zombie) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if sys.platform.startswith("linux"):
                with open(f"/proc/{pid}/stat") as stat:
                    if stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                        return True
            else:
                os.kill(pid, 0)
        except (OSError, IndexError):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _kill_process_tree(pid: int) -> None:
    """Kills a process, with its group if it leads one (Playwright starts the browser as a
    process-group leader on POSIX, so its helpers go too; the driver is only itself)."""
    try:
        if sys.platform == "win32":
            os.kill(pid, signal.SIGTERM)
        elif os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


_engines: Dict[str, Engine] = {}
_live: Set[Engine] = set()
_registry_lock = threading.Lock()


def get_engine(browser: Optional[str] = None) -> Engine:
    """The process's engine for ``find_browser(browser)``, made on first use and shared after."""
    path = find_browser(browser)
    key = os.path.realpath(path)
    with _registry_lock:
        engine = _engines.get(key)
        if engine is None or engine.closed:
            engine = _engines[key] = Engine(path)
        return engine


def close_all() -> None:
    """Closes every engine of this process (run at interpreter exit)."""
    for engine in list(_live):
        engine.close()
    _engines.clear()


def _forget_after_fork() -> None:
    # A forked child has none of the parent's threads; it makes its own engines.
    _engines.clear()
    _live.clear()


atexit.register(close_all)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
