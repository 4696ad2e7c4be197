"""Browser discovery for headless exports: each source in its order (fake executables in a temp
folder), the error when nothing is found, and Playwright's managed-Chromium path against its driver."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cloudreel.headless import browsers
from cloudreel.headless.browsers import BrowserNotFound, find_browser

ROOT = Path(__file__).resolve().parents[2]


def fake_exe(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def clean(tmp_path, monkeypatch):
    """No browser anywhere: empty PATH, no $CLOUDREEL_BROWSER, an empty Playwright browsers folder."""
    monkeypatch.delenv("CLOUDREEL_BROWSER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "ms-playwright"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def managed(tmp_path: Path, shell: bool = False) -> str:
    """A fake Playwright Chromium where the installed playwright would look for it (Linux x64)."""
    revision = {b["name"]: b["revision"] for b in json.loads((browsers._playwright_package() / "browsers.json").read_text())["browsers"]}
    if shell:
        return fake_exe(tmp_path / "ms-playwright" / f"chromium_headless_shell-{revision['chromium-headless-shell']}" / "chrome-headless-shell-linux64" / "chrome-headless-shell")
    return fake_exe(tmp_path / "ms-playwright" / f"chromium-{revision['chromium']}" / "chrome-linux64" / "chrome")


def test_each_source_in_order(clean, monkeypatch):
    monkeypatch.setattr(browsers, "_host", lambda: "linux-x64")
    google = fake_exe(clean / "bin" / "google-chrome")
    assert find_browser() == google
    chromium_browser = fake_exe(clean / "bin" / "chromium-browser")
    assert find_browser() == chromium_browser
    chromium = fake_exe(clean / "bin" / "chromium")
    assert find_browser() == chromium
    headless_shell = fake_exe(clean / "bin" / "chromium-headless-shell")
    assert find_browser() == headless_shell
    full = managed(clean)
    assert find_browser() == full
    shell = managed(clean, shell=True)
    assert find_browser() == shell  # Playwright's headless shell before its full build, as Playwright launches headless
    env = fake_exe(clean / "env" / "chrome")
    monkeypatch.setenv("CLOUDREEL_BROWSER", env)
    assert find_browser() == env
    given = fake_exe(clean / "given" / "chrome")
    assert find_browser(given) == given
    assert find_browser("google-chrome") == google  # a command name on PATH


def test_named_browser_that_is_not_usable_is_an_error_not_skipped(clean, monkeypatch):
    fake_exe(clean / "bin" / "chromium")
    monkeypatch.setenv("CLOUDREEL_BROWSER", str(clean / "nowhere" / "chrome"))
    with pytest.raises(BrowserNotFound, match=r"\$CLOUDREEL_BROWSER .*does not exist"):
        find_browser()
    plain = clean / "plain"
    plain.write_text("")
    with pytest.raises(BrowserNotFound, match=r"given as browser= .*is not executable"):
        find_browser(str(plain))
    with pytest.raises(BrowserNotFound, match="is a folder"):
        find_browser(str(clean))


def test_macos_app_bundle_and_locations(clean, monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    app = clean / "home" / "Applications" / "Chromium.app"
    inner = fake_exe(app / "Contents" / "MacOS" / "Chromium")
    assert find_browser(str(app)) == inner
    assert find_browser() == inner  # ~/Applications is a standard location
    assert "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" in browsers.standard_locations()


def test_windows_locations(clean, monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    for var in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA"):
        monkeypatch.setenv(var, str(clean / var))
    chrome = fake_exe(clean / "LOCALAPPDATA" / "Google" / "Chrome" / "Application" / "chrome.exe")
    assert find_browser() == chrome
    first = fake_exe(clean / "PROGRAMFILES" / "Google" / "Chrome" / "Application" / "chrome.exe")
    assert find_browser() == first


def test_nothing_found_names_every_way_to_get_one(clean):
    with pytest.raises(BrowserNotFound) as caught:
        find_browser()
    message = str(caught.value)
    for way in ("browser=", "CLOUDREEL_BROWSER", "pip install 'cloudreel[headless]'", "python -m playwright install chromium", "apt install chromium-headless-shell", "google-chrome"):
        assert way in message
    assert "PATH: chromium-headless-shell, chromium, chromium-browser, google-chrome" in message
    assert str(clean / "ms-playwright") in message  # where Playwright's Chromium was looked for


def test_managed_path_is_the_one_playwright_itself_uses(tmp_path):
    """Our reading of Playwright's registry against its driver, default folder and PLAYWRIGHT_BROWSERS_PATH."""
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'python')!r})\n"
        "from playwright.sync_api import sync_playwright\n"
        "from cloudreel.headless.browsers import playwright_chromium_candidates\n"
        "with sync_playwright() as p:\n"
        "    print(json.dumps([p.chromium.executable_path, playwright_chromium_candidates()[-1]]))\n"  # the full build
    )
    for extra in ({}, {"PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "pw")}):
        env = {k: v for k, v in os.environ.items() if k != "PLAYWRIGHT_BROWSERS_PATH"}
        env.update(extra)
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=True)
        theirs, ours = json.loads(out.stdout)
        assert ours == theirs
