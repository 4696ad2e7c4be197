"""Finding a Chromium-family browser for headless exports, and the flags it is launched with."""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

ENV_VAR = "CLOUDREEL_BROWSER"

# Headless, software WebGL (SwiftShader) and no background traffic; the same flags as
# examples/headless.mjs launchChromium. --no-sandbox: the sandbox cannot start as root
# (containers, CI), and the browser only ever opens cloudreel's own loopback page.
# --disable-gpu-compositing: the page is composited in software; through SwiftShader each
# status text change cost the GPU process about 0.37 CPU s per 48-frame export (WebGL is
# unaffected, and our renderer is the CPU rasteriser under SwiftShader anyway).
CHROMIUM_ARGS: Tuple[str, ...] = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-gpu-compositing",
)

# The headless shell first (Debian's chromium-headless-shell: Chromium's old headless mode, made for
# automation): a cold export there took 1.6-1.7 s against 2.1-2.2 s with the full chromium of the same
# version, with the same decoded frames; then the full browsers.
PATH_NAMES = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome")

# Where Playwright keeps its Chromium builds inside a browsers folder, by host
# (playwright-core's registry, EXECUTABLE_PATHS): the full build, then the headless shell
# (`playwright install --only-shell`); the shell is tried first, as Playwright itself launches it headless.
_PLAYWRIGHT_LAYOUT = {
    "linux-x64": (("chrome-linux64", "chrome"), ("chrome-headless-shell-linux64", "chrome-headless-shell")),
    "linux-arm64": (
        ("chrome-linux-arm64", "chrome"),
        ("chrome-headless-shell-linux-arm64", "chrome-headless-shell"),
    ),
    "mac-x64": (
        ("chrome-mac-x64", "Google Chrome for Testing.app", "Contents", "MacOS", "Google Chrome for Testing"),
        ("chrome-headless-shell-mac-x64", "chrome-headless-shell"),
    ),
    "mac-arm64": (
        ("chrome-mac-arm64", "Google Chrome for Testing.app", "Contents", "MacOS", "Google Chrome for Testing"),
        ("chrome-headless-shell-mac-arm64", "chrome-headless-shell"),
    ),
    "win-x64": (("chrome-win64", "chrome.exe"), ("chrome-headless-shell-win64", "chrome-headless-shell.exe")),
}


class BrowserNotFound(RuntimeError):
    """No usable Chromium-family browser; the message names every way to get one."""


def _ways_to_get_one(searched: List[str]) -> str:
    where = "\n".join(f"  - {place}" for place in searched)
    return (
        "cloudreel's headless export needs Chromium or Google Chrome, and found none. Looked at:\n"
        f"{where}\n"
        "Any one of these fixes it:\n"
        "  - pass browser='/path/to/chromium' (or a command name on PATH)\n"
        f"  - set the environment variable {ENV_VAR}=/path/to/chromium\n"
        "  - pip install 'cloudreel[headless]' and then: python -m playwright install chromium\n"
        "    (Playwright's own Chromium, kept in its cache folder)\n"
        "  - install a system browser: apt install chromium-headless-shell (Debian; the fastest to start) "
        "or chromium (Ubuntu: chromium-browser), dnf install chromium, brew install --cask google-chrome (macOS), "
        "or Google Chrome from https://www.google.com/chrome/ (Windows, macOS)"
    )


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _resolve(value: str, what: str) -> str:
    """The executable ``value`` names (a path, a macOS .app bundle or a command on PATH), or an error."""
    expanded = os.path.expanduser(value)
    if expanded.endswith(".app") and os.path.isdir(expanded):
        macos = os.path.join(expanded, "Contents", "MacOS")
        inner = os.path.join(macos, os.path.basename(expanded)[: -len(".app")])
        if _executable(inner):
            return inner
    if _executable(expanded):
        return os.path.abspath(expanded)
    if os.sep not in value and (os.altsep is None or os.altsep not in value):
        found = shutil.which(value)
        if found:
            return found
    if os.path.isdir(expanded):
        problem = "is a folder, not a browser executable"
    elif os.path.exists(expanded):
        problem = "is not executable"
    else:
        problem = "does not exist (nor is it a command on PATH)"
    raise BrowserNotFound(f"The browser {what} ({value!r}) {problem}.")


def _host() -> Optional[str]:
    machine = platform.machine().lower()
    arm = machine in ("arm64", "aarch64")
    if sys.platform.startswith("linux"):
        return "linux-arm64" if arm else "linux-x64"
    if sys.platform == "darwin":
        return "mac-arm64" if arm else "mac-x64"
    if sys.platform == "win32":
        return "win-x64"
    return None


def _playwright_package() -> Optional[Path]:
    """The folder of the installed playwright Python package's driver (browsers.json), if any."""
    try:
        import playwright
    except ImportError:
        return None
    return Path(playwright.__file__).resolve().parent / "driver" / "package"


def _playwright_browsers_folder(package: Path) -> Path:
    """Where Playwright installs browsers (its registry's rule: PLAYWRIGHT_BROWSERS_PATH, else the cache)."""
    env = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if env == "0":
        folder = package / ".local-browsers"
    elif env:
        folder = Path(env)
    elif sys.platform == "darwin":
        folder = Path.home() / "Library" / "Caches" / "ms-playwright"
    elif sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        folder = Path(local) / "ms-playwright"
    else:
        folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ms-playwright"
    return folder if folder.is_absolute() else Path.cwd() / folder


def playwright_chromium_candidates() -> List[str]:
    """The paths of Playwright's managed Chromium for the installed playwright (none without it)."""
    package = _playwright_package()
    layout = _PLAYWRIGHT_LAYOUT.get(_host() or "")
    if package is None or layout is None:
        return []
    try:
        browsers = json.loads((package / "browsers.json").read_text())["browsers"]
    except (OSError, ValueError, KeyError):
        return []
    revisions = {b.get("name"): b.get("revision") for b in browsers if isinstance(b, dict)}
    folder = _playwright_browsers_folder(package)
    found = []
    for name, parts in reversed(list(zip(("chromium", "chromium-headless-shell"), layout))):  # the shell first
        if revisions.get(name):
            directory = f"{name.replace('-', '_')}-{revisions[name]}"
            found.append(str(folder.joinpath(directory, *parts)))
    return found


def standard_locations() -> List[str]:
    """The usual install paths of Chrome and Chromium on macOS and Windows (none elsewhere)."""
    if sys.platform == "darwin":
        apps = [
            ("Google Chrome.app", "Google Chrome"),
            ("Chromium.app", "Chromium"),
            ("Google Chrome Canary.app", "Google Chrome Canary"),
        ]
        roots = ["/Applications", str(Path.home() / "Applications")]
        return [os.path.join(root, app, "Contents", "MacOS", exe) for root in roots for app, exe in apps]
    if sys.platform == "win32":
        bases = [
            os.environ.get("PROGRAMFILES", r"C:\Program Files"),
            os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)"),
            os.environ.get("LOCALAPPDATA", str(Path.home() / "AppData" / "Local")),
        ]
        tails = [("Google", "Chrome", "Application", "chrome.exe"), ("Chromium", "Application", "chrome.exe")]
        return [os.path.join(base, *tail) for tail in tails for base in bases]
    return []


def _sources() -> Iterator[Tuple[str, List[str]]]:
    yield "Playwright's managed Chromium", playwright_chromium_candidates()
    yield "PATH", list(PATH_NAMES)
    yield "standard install locations", standard_locations()


def find_browser(browser: Optional[str] = None) -> str:
    """The path of the browser to launch.

    In order: ``browser`` (a path or a command name), ``$CLOUDREEL_BROWSER``, Playwright's
    managed Chromium (its headless shell first), ``chromium-headless-shell`` / ``chromium`` /
    ``chromium-browser`` / ``google-chrome`` on PATH, then the
    standard macOS and Windows install locations. A ``browser`` or ``$CLOUDREEL_BROWSER`` that
    names nothing usable is an error, not skipped. Raises BrowserNotFound.
    """
    if browser is not None:
        return _resolve(str(browser), "given as browser=")
    env = os.environ.get(ENV_VAR)
    if env:
        return _resolve(env, f"named by ${ENV_VAR}")
    searched = ["browser= (not given)", f"${ENV_VAR} (not set)"]
    for source, candidates in _sources():
        for candidate in candidates:
            if source == "PATH":
                found = shutil.which(candidate)
                if found:
                    return found
            elif _executable(candidate):
                return candidate
        if source == "Playwright's managed Chromium" and not candidates:
            searched.append("Playwright's managed Chromium (the playwright package is not installed)")
        elif source == "PATH":
            searched.append("PATH: " + ", ".join(PATH_NAMES))
        else:
            searched.extend(candidates)
    raise BrowserNotFound(_ways_to_get_one(searched))
