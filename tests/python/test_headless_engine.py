"""The headless engine with Debian's real Chromium: from threads, a plain script, a running asyncio
loop (an nbclient cell); a browser killed mid-job, recycling, timeouts, Ctrl-C, and nothing left
behind (processes found by a marker in their environment, temp files by a private TMPDIR)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest

from cloudreel.headless import Engine, get_engine
from cloudreel.headless import engine as engine_module
from cloudreel.headless.browsers import BrowserNotFound
from cloudreel.headless.engine import BrowserCrashed, EngineClosed, PlaywrightNotInstalled

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
MARK = "CLOUDREEL_TEST_MARK"


def marked_processes(mark: str) -> list:
    """Live (not zombie) processes whose environment carries the mark: the driver, the browser and its helpers."""
    found = []
    needle = f"{MARK}={mark}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            if needle not in Path(f"/proc/{entry}/environ").read_bytes().split(b"\0"):
                continue
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[0] != "Z":
            found.append(int(entry))
    return found


def wait_until(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def short_tmp():
    """A TMPDIR with a short path (Chromium puts Unix sockets there: 108-byte limit on their paths)."""
    folder = Path(tempfile.mkdtemp(prefix="cr-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def isolated(monkeypatch, tmp_path_factory):
    """Marks what the next engine starts and gives it a private TMPDIR; checks both are empty after."""
    mark = uuid.uuid4().hex
    # A private, short temp folder (Chromium's sockets live there): engines of other processes
    # on this machine cannot add to what is checked below.
    tmp_path_factory.getbasetemp()  # pytest's own folder stays where it is
    private = Path(tempfile.mkdtemp(prefix="cr-", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(private))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    monkeypatch.setenv(MARK, mark)
    monkeypatch.setenv("CLOUDREEL_BROWSER", CHROMIUM)
    engines = []

    def make(**options):
        engine = Engine(CHROMIUM, **options)
        engines.append(engine)
        return engine

    make.mark = mark
    yield make
    for engine in engines:
        engine.close()
    assert wait_until(lambda: not marked_processes(mark)), f"left running: {marked_processes(mark)}"
    left = sorted(p.name for p in private.iterdir())
    shutil.rmtree(private, ignore_errors=True)
    assert left == []  # the engine's folder (profile, artifacts) and Chromium's own files


def version(browser):
    return browser.version


def test_threads_share_one_engine_and_one_browser(isolated):
    engine = get_engine()
    assert engine is get_engine(CHROMIUM) and engine.executable == CHROMIUM
    isolated_engine = isolated()  # the fixture closes and checks this one; the shared one runs too
    results, errors = [], []

    def job(browser):
        page = browser.new_page()
        value = page.evaluate("() => 6 * 7")
        return value, threading.current_thread().name, id(browser)

    def call():
        try:
            results.append(isolated_engine.run(job, timeout=60))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [], [str(e.__cause__ or e) for e in errors]
    assert [r[0] for r in results] == [42, 42]
    assert {r[1] for r in results} == {"cloudreel-engine"}
    assert len({r[2] for r in results}) == 1 and isolated_engine.launches == 1
    assert isolated_engine.run(lambda b: len(b.contexts)) == 0  # the pages the jobs left are closed
    assert isolated_engine.run(version).split(".")[0].isdigit()


def test_browser_killed_mid_job_fails_that_job_and_the_next_works(isolated):
    engine = isolated()
    first_pid = engine.run(lambda b: engine.browser_pid)
    started = threading.Event()

    def long_job(browser):
        page = browser.new_page()
        started.set()
        while True:
            page.evaluate("() => new Promise(r => setTimeout(r, 50))")

    killer = threading.Thread(target=lambda: started.wait(30) and os.kill(first_pid, signal.SIGKILL))
    killer.start()
    with pytest.raises(BrowserCrashed, match=rf"The browser {CHROMIUM} \(pid {first_pid}\) exited while the job ran"):
        engine.run(long_job, timeout=60)
    killer.join()
    assert engine.run(lambda b: b.new_page().evaluate("() => 1 + 1")) == 2
    assert engine.launches == 2 and engine.browser_pid != first_pid


def test_recycled_after_n_jobs(isolated):
    engine = isolated(recycle_after=2)
    pids = [engine.run(lambda b: engine.browser_pid) for _ in range(3)]
    assert pids[0] == pids[1] != pids[2]
    assert engine.launches == 2
    assert wait_until(lambda: not Path(f"/proc/{pids[0]}").exists() or "Z" in Path(f"/proc/{pids[0]}/stat").read_text().rsplit(")", 1)[1][:3])
    engine.recycle_after = 0  # settable; 0 never recycles
    assert [engine.run(lambda b: engine.browser_pid) for _ in range(3)] == [pids[2]] * 3


def test_timeout_sets_cancel_then_kills_a_job_that_ignores_it(isolated):
    engine = isolated(interrupt_grace=0.5)
    cancel = threading.Event()

    def stubborn(browser):
        browser.new_page().wait_for_timeout(30_000)

    engine.run(version)  # warm: the timeout below hits the job, not the launch
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="did not finish within 0.5 s; its browser was killed"):
        engine.run(stubborn, cancel=cancel, timeout=0.5)
    assert cancel.is_set() and time.monotonic() - started < 5
    assert engine.run(version)  # a fresh browser
    assert engine.launches == 2


def test_close_fails_later_jobs_and_run_inside_a_job_is_refused(isolated):
    engine = isolated()
    with pytest.raises(RuntimeError, match="called from inside a job"):
        engine.run(lambda b: engine.run(version))
    with pytest.raises(ValueError, match="timeout"):
        engine.run(version, timeout=0)
    engine.close()
    with pytest.raises(EngineClosed, match="is closed"):
        engine.run(version)


def test_launch_failure_is_a_clear_error(isolated, tmp_path):
    bad = tmp_path / "not-a-browser"
    bad.write_text("#!/bin/sh\nexit 3\n")
    bad.chmod(0o755)
    engine = Engine(str(bad), launch_timeout=20)
    try:
        with pytest.raises(engine_module.BrowserLaunchFailed, match=f"Could not start the browser {bad}"):
            engine.run(version)
    finally:
        engine.close()


def test_missing_playwright_is_a_browser_not_found(monkeypatch):
    monkeypatch.setattr(engine_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(BrowserNotFound, match=r"pip install 'cloudreel\[headless\]'") as caught:
        Engine(CHROMIUM)
    assert isinstance(caught.value, PlaywrightNotInstalled)


SCRIPT = textwrap.dedent(
    """
    import _thread, json, os, signal, sys, threading
    sys.path.insert(0, {python!r})
    from cloudreel.headless import get_engine
    engine = get_engine()
    report = {{"version": engine.run(lambda b: b.version)}}
    pid = engine.browser_pid
    cancel = threading.Event()
    seen = []

    def waits_for_cancel(browser):
        page = browser.new_page()
        if {group!r}:
            os.killpg(0, signal.SIGINT)  # Ctrl-C in a terminal: every process of the group
        else:
            threading.Timer(0.3, _thread.interrupt_main).start()
        try:
            while not cancel.is_set():
                page.wait_for_timeout(50)
            seen.append("cancel seen in the job")
        except Exception as error:
            seen.append(type(error).__name__)
        return "late"

    try:
        engine.run(waits_for_cancel, cancel=cancel, timeout=60)
        report["interrupt"] = "none"
    except KeyboardInterrupt:
        report["interrupt"] = "KeyboardInterrupt"
    report.update(cancel=cancel.is_set(), seen=seen)
    report["after"] = engine.run(lambda b: b.new_page().evaluate("() => 'works'"))
    report["same_browser"] = engine.browser_pid == pid
    print(json.dumps(report))
    """
)


@pytest.mark.parametrize("group", [False, True], ids=["interrupt_main", "sigint_to_process_group"])
def test_plain_script_ctrl_c_and_exit(short_tmp, group):
    """A plain script: Ctrl-C while waiting sets cancel and is re-raised after the job returned;
    the next job works; at exit no browser, driver or temp folder is left."""
    mark, tmp = uuid.uuid4().hex, short_tmp
    env = dict(os.environ, **{MARK: mark, "TMPDIR": str(tmp), "CLOUDREEL_BROWSER": CHROMIUM})
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(python=str(ROOT / "python"), group=group)],
        env=env, capture_output=True, text=True, timeout=90, start_new_session=True,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["version"].split(".")[0].isdigit()
    assert report["interrupt"] == "KeyboardInterrupt" and report["cancel"] is True
    assert report["after"] == "works"
    if group:  # the driver and the browser got the SIGINT too: a fresh browser
        assert report["same_browser"] is False
    else:  # the job saw cancel and returned; the warm browser stays
        assert report["seen"] == ["cancel seen in the job"] and report["same_browser"] is True
    assert wait_until(lambda: not marked_processes(mark)), marked_processes(mark)
    assert list(tmp.iterdir()) == []


def test_from_a_running_asyncio_loop_in_an_nbclient_cell(isolated, tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    # A kernel on this Python (with playwright), whatever python3 kernel the machine has.
    spec = tmp_path / "kernels" / "cloudreel-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))

    cell = textwrap.dedent(
        f"""
        import asyncio, sys
        sys.path.insert(0, {str(ROOT / 'python')!r})
        asyncio.get_running_loop()  # an ipykernel cell runs inside an asyncio loop
        from playwright.sync_api import sync_playwright
        try:
            sync_playwright().start()
            print("sync API allowed")
        except Exception as error:
            print("sync API refused:", "asyncio loop" in str(error))
        from cloudreel.headless import get_engine
        print("version", get_engine().run(lambda b: b.version))
        """
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    NotebookClient(nb, timeout=60, kernel_name="cloudreel-test").execute()
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert "sync API refused: True" in text
    assert re.search(r"^version \d+\.\d+", text, re.M), text


def renderers_of(browser_pid: int) -> set:
    """The renderer processes under a browser (through its zygotes), from /proc."""
    children: dict = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = set(), list(children.get(browser_pid, []))
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            if b"--type=renderer" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.add(pid)
        except OSError:
            pass
    return found


#: Seconds from a new page's renderer appearing to the browser's kill, one per attempt: Playwright's
#: hang needs the kill while it initializes the page (here about 0.03 to 0.15 s after; 0.08 hit 14 of 14).
KILL_DELAYS = (0.08, 0.05, 0.11, 0.03, 0.14, 0.0)


def kill_when_a_page_starts(browser_pid: int, delay: float) -> threading.Thread:
    """Kills the browser ``delay`` seconds after a new renderer appears under it, i.e. while Playwright
    opens a page: the driver sees the browser go, yet new_page() may never return (Playwright's own hang)."""
    before = renderers_of(browser_pid)

    def kill():
        deadline = time.monotonic() + 30
        while not renderers_of(browser_pid) - before and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(delay)
        os.kill(browser_pid, signal.SIGKILL)

    killer = threading.Thread(target=kill, daemon=True)
    killer.start()
    return killer


def outcome_within(call, seconds: float, what: str):
    """``call()``'s result or error, from a thread joined for ``seconds``: a hang fails the test instead."""
    box: dict = {}

    def target():
        try:
            box["result"] = call()
        except BaseException as error:  # handed to the test
            box["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{what} hung: still running {seconds:g} s after its browser was killed"
    return box.get("result"), box.get("error")


STOPPED_DRIVER = "a Playwright call still waited on it 1 s later, so Playwright's driver was killed too"


def test_a_playwright_call_that_outlives_its_browser_ends_with_the_driver(isolated):
    """The browser killed while Playwright opens a page: new_page() may wait forever (the driver saw the
    browser go). The engine's watchdog kills the driver after ``browser_gone_grace``; the job fails with
    BrowserCrashed, the next job starts a fresh driver and browser. Tried until the hang's window is hit."""
    engine = isolated(browser_gone_grace=1.0)
    messages = []
    for delay in KILL_DELAYS:
        pid = engine.run(lambda b: engine.browser_pid)
        driver = engine.driver_pid
        assert b"run-driver" in Path(f"/proc/{driver}/cmdline").read_bytes()  # Playwright's own attributes still hold

        def opens_a_page(browser):
            context = browser.new_context()
            killer = kill_when_a_page_starts(pid, delay)
            context.new_page()
            killer.join()
            return "the page opened before the browser went"

        result, error = outcome_within(lambda: engine.run(opens_a_page), 30, "a job whose browser went in new_page()")
        assert isinstance(error, BrowserCrashed) or result, (result, error)
        messages.append(str(error))
        if STOPPED_DRIVER in str(error):
            assert engine_module._wait_gone(driver, 5)
            break
    assert any(STOPPED_DRIVER in m for m in messages), f"never caught new_page() outliving its browser: {messages}"
    assert re.search(rf"The browser {CHROMIUM} \(pid {pid}\) exited while the job ran \(killed or crashed\); "
                     rf"{STOPPED_DRIVER}; the next job starts a fresh one", messages[-1])
    assert engine.run(lambda b: b.new_page().evaluate("() => 1 + 1")) == 2
    assert engine.browser_pid != pid and engine.driver_pid not in (None, driver)


def test_export_whose_browser_goes_while_its_runner_page_opens_fails_and_the_next_works(isolated, tmp_path, monkeypatch):
    """cloudreel.export() never hangs: the browser killed while the runner page opens ends that export with
    BrowserCrashed and no file; the next export starts a fresh driver and browser and writes its video."""
    import numpy as np

    import cloudreel

    engine = isolated(browser_gone_grace=1.0)
    monkeypatch.setitem(engine_module._engines, os.path.realpath(CHROMIUM), engine)  # export()'s get_engine()
    frames = [np.random.default_rng(i).normal(size=(500, 3)) for i in range(3)]
    out = tmp_path / "out"
    messages = []
    for delay in KILL_DELAYS:  # no runner page is kept after a failure: each export opens a fresh one
        pid = engine.run(lambda b: engine.browser_pid)
        killer = kill_when_a_page_starts(pid, delay)
        _, error = outcome_within(lambda: cloudreel.export(frames, out / "v.mp4", width=96, height=64, progress=False),
                                  60, "cloudreel.export() whose browser went while its page opened")
        killer.join(30)
        assert isinstance(error, BrowserCrashed), error
        assert not out.exists() or list(out.iterdir()) == []
        messages.append(str(error))
        if STOPPED_DRIVER in str(error):
            break
    assert any(STOPPED_DRIVER in m for m in messages), f"never caught new_page() outliving its browser: {messages}"
    result = cloudreel.export(frames, out / "v.mp4", width=96, height=64, progress=False)
    assert result.frames == 3 and [p.name for p in out.iterdir()] == [result.path.name]
