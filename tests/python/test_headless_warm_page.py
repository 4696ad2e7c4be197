"""The runner page kept open between exports: reused (module loaded once) after an export that ended
with its video, replaced after one that failed, was cancelled or whose page or browser died; each
export's routes behind its own token. Real headless Chromium ($CLOUDREEL_BROWSER or /usr/bin/chromium)."""

from __future__ import annotations

import _thread
import contextlib
import os
import signal
import threading
import time
from urllib.parse import urlsplit

import pytest

import cloudreel
from cloudreel.headless.engine import get_engine
from cloudreel.headless import export as export_module
from cloudreel.headless.export import _PAGE, _export
from cloudreel.headless.runner_server import RunnerExport, RunnerHost

from test_headless_export import DEFAULTS, fetch, sphere

BROWSER = os.environ.get("CLOUDREEL_BROWSER", "/usr/bin/chromium")
SMALL = {**DEFAULTS, "width": 64, "height": 64}


@pytest.fixture(autouse=True)
def no_recycling(monkeypatch):
    """The shared engine's browser is not recycled in these tests (whose page is reused depends on it)."""
    monkeypatch.setattr(get_engine(BROWSER), "recycle_after", 0)


def small_export(path, **options):
    """A 2-frame export; returns (result, the names of the files it requested: runner.html, job, frames...)."""
    requests = []
    result = _export(sphere(2, 50), path, **{**SMALL, **options}, browser=BROWSER, on_request=requests.append)
    return result, [urlsplit(u).path.rsplit("/", 1)[-1] for u in requests]


def runner_threads():
    return [t for t in threading.enumerate() if t.name == "cloudreel-runner-server"]


def test_a_second_export_runs_in_the_same_page_without_loading_it_again(tmp_path):
    small_export(tmp_path / "a.mp4")
    result, names = small_export(tmp_path / "b.mp4")
    assert result.frames == 2 and (tmp_path / "b.mp4").is_file()
    assert {"job", "frames", "status", "video", "result"} <= set(names), names
    assert "runner.html" not in names and "cloudreel.mjs" not in names, names  # the page and its module stayed loaded


def interrupt_at_first_frame(phase, fraction, message):
    if message.startswith("Rendering frame 1/"):
        _thread.interrupt_main()  # Ctrl-C in the caller's thread


def raise_at_first_frame(phase, fraction, message):
    if phase == "render":
        raise LookupError("the display is gone")


@pytest.mark.parametrize("options, error", [
    ({"codecs": ["nope"]}, cloudreel.ExportError),  # the page reported a failure
    ({"on_status": raise_at_first_frame}, LookupError),  # the caller's callback raised: the page was aborted
    ({"on_status": interrupt_at_first_frame, "frames": (100, 2000)}, KeyboardInterrupt),  # Ctrl-C: the page was aborted
], ids=["failed", "callback-raised", "ctrl-c"])
def test_after_an_export_that_did_not_end_with_its_video_the_next_one_gets_a_fresh_page(tmp_path, options, error):
    small_export(tmp_path / "before.mp4")  # a warm page, whatever ran before
    frames = options.pop("frames", (2, 50))
    with pytest.raises(error):
        _export(sphere(*frames), tmp_path / "x.mp4", **{**SMALL, **options}, browser=BROWSER)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["before.mp4"]
    result, names = small_export(tmp_path / "after.mp4")
    assert result.frames == 2 and "runner.html" in names and "cloudreel.mjs" in names, names
    _, names = small_export(tmp_path / "again.mp4")
    assert "runner.html" not in names, names  # and that fresh page is kept in turn


def test_a_warm_page_that_crashed_between_exports_is_replaced(tmp_path):
    small_export(tmp_path / "a.mp4")
    engine = get_engine(BROWSER)

    def crash(browser):
        runner = engine.kept(_PAGE)
        with contextlib.suppress(Exception):
            runner.page.goto("chrome://crash", timeout=5000)  # the navigation is aborted, the renderer dies
        with contextlib.suppress(Exception):
            runner.page.wait_for_timeout(500)  # "Page crashed", once Playwright has the crash event
        return runner.crashed.is_set()

    assert engine.run(crash, timeout=30)
    result, names = small_export(tmp_path / "b.mp4")
    assert result.frames == 2 and "runner.html" in names, names
    assert len(runner_threads()) == 1  # the crashed page's server closed with it


def test_a_killed_browser_and_recycling_take_the_warm_page_and_its_server_with_them(tmp_path):
    engine = get_engine(BROWSER)
    small_export(tmp_path / "a.mp4")
    os.kill(engine.browser_pid, signal.SIGKILL)
    launches = engine.launches
    result, names = small_export(tmp_path / "b.mp4")
    assert result.frames == 2 and "runner.html" in names and engine.launches == launches + 1, names
    assert len(runner_threads()) == 1
    engine.recycle_after = 1  # (the fixture puts it back)
    _, names = small_export(tmp_path / "c.mp4")  # in the warm page; then the browser is recycled
    assert "runner.html" not in names and runner_threads() == [], names
    result, names = small_export(tmp_path / "d.mp4")  # a fresh browser, a fresh page
    assert result.frames == 2 and "runner.html" in names, names
    assert engine.launches == launches + 2 and runner_threads() == []


def test_each_exports_routes_answer_only_its_own_token(tmp_path):
    page = tmp_path / "runner.html"
    page.write_text("<p>page</p>")
    host = RunnerHost({"runner.html": page})
    first = RunnerExport({"header": {}, "options": {}}, b"FIRST", tmp_path)
    second = RunnerExport({"header": {}, "options": {}}, b"SECOND", tmp_path)
    try:
        host.add(first)
        host.add(second)
        at = lambda token, name: f"{host.origin}/{token}/{name}"  # noqa: E731
        assert host.base(first) == at(first.token, "")
        assert fetch(at(first.token, "frames")) == (200, b"FIRST")
        assert fetch(at(second.token, "frames")) == (200, b"SECOND")
        # The page's own token: its files, nothing of any export's.
        assert fetch(host.page_url.split("#")[0]) == (200, b"<p>page</p>")
        for name in ("frames", "job"):
            assert fetch(at(host.page_token, name)) == (403, b""), name
        for name in ("status", "video", "result", "failed"):
            assert fetch(at(host.page_token, name), "POST", b'{"message": "x"}') == (403, b""), name
        assert fetch(at(host.page_token, "video/0?offset=0"), "PUT", b"x") == (403, b"")
        assert not first.finished.is_set() and not second.finished.is_set()
        # An export that ended: its token is as unknown as a made-up one, the other export's still works.
        host.remove(first)
        for url in (at(first.token, "frames"), at(first.token, "runner.html"), at(first.token[:-1] + "x", "frames"),
                    f"{host.origin}/frames", f"{host.origin}/"):
            assert fetch(url) == (403, b""), url
        assert fetch(at(first.token, "failed"), "POST", b'{"message": "late"}') == (403, b"")
        assert not first.finished.is_set()
        assert fetch(at(second.token, "failed"), "POST", b'{"message": "x"}') == (204, b"")
        assert second.failure == {"message": "x"} and first.failure is None
    finally:
        host.close()
        first.close()
        second.close()


def test_a_module_that_never_loads_fails_the_export_and_other_files_get_their_own_page(tmp_path, monkeypatch):
    from cloudreel.headless import export as export_module
    from cloudreel.headless.runner_dist import CORE, PAGE, runner_files

    small_export(tmp_path / "a.mp4")  # a warm page on the real files
    hanging = tmp_path / "dist"
    hanging.mkdir()
    for name, path in runner_files().items():
        if name in PAGE + CORE and name != "cloudreel.mjs":
            (hanging / name).symlink_to(path)
    (hanging / "cloudreel.mjs").write_text("await new Promise(() => {});\n")  # an import that never resolves
    monkeypatch.setenv("CLOUDREEL_DIST", str(hanging))
    monkeypatch.setattr(export_module, "LOAD_TIMEOUT", 2.0)
    with pytest.raises(cloudreel.ExportError, match=r"^Export failed: the runner page did not load its module within 2 s$"):
        small_export(tmp_path / "x.mp4")
    monkeypatch.delenv("CLOUDREEL_DIST")
    result, names = small_export(tmp_path / "b.mp4")  # the real files again: a page of their own
    assert result.frames == 2 and "runner.html" in names, names
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp4", "b.mp4", "dist"]


def test_a_cold_export_starts_its_browser_and_page_while_the_frames_are_checked(tmp_path, monkeypatch):
    get_engine(BROWSER).close()  # no browser runs now: the next export is a cold one
    engine = get_engine(BROWSER)
    real = export_module.normalize_frames
    ready_while_checking = []

    def slow_check(*args, **kwargs):
        # Held until the runner page has loaded: without the early start nothing loads it before
        # the frames are packed, and this waits in vain.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not getattr(engine.kept(_PAGE), "opened", False):
            time.sleep(0.02)
        ready_while_checking.append(getattr(engine.kept(_PAGE), "opened", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(export_module, "normalize_frames", slow_check)
    result = cloudreel.export(sphere(2, 50), tmp_path / "a.mp4", **{**SMALL, "progress": False}, browser=BROWSER)
    assert ready_while_checking == [True] and result.frames == 2
    assert engine.launches == 1 and engine.jobs_run == 1  # the early start is no job of its own
    warm = cloudreel.export(sphere(2, 50), tmp_path / "b.mp4", **{**SMALL, "progress": False}, browser=BROWSER)
    assert warm.frames == 2 and engine.launches == 1 and engine.jobs_run == 2
