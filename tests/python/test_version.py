"""One version source: package.json. The Python package reads it (python/cloudreel/_version.py),
the wheel's build too (hatch-nodejs-version), the widget's TS through an import of package.json;
no other file of the project may spell the version out."""

import json
import re
import subprocess
from pathlib import Path

import cloudreel
from cloudreel import _version

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = json.loads((ROOT / "package.json").read_text())
VERSION = PACKAGE["version"]
# npm writes package.json's version into its lock file (the root entries), so that one copy is npm's, checked below.
NPM_FILES = {"package.json", "package-lock.json"}


def project_files():
    """The checkout's files, tracked or new, less what .gitignore leaves out (builds, .venv, node_modules)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode()
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def version_literals(text, version):
    """Lines of `text` that spell out `version` (not as part of a longer version such as 10.1.0 or 0.1.0.1)."""
    pattern = re.compile(rf"(?<![\d.]){re.escape(version)}(?![\d.])")
    return [line.strip() for line in text.splitlines() if pattern.search(line)]


def test_python_reads_package_json_version():
    assert cloudreel.__version__ == VERSION
    assert _version.MODULE_VERSION == f"^{VERSION}"


def test_no_file_but_package_json_holds_the_version():
    found = {}
    for name in project_files():
        if name in NPM_FILES or re.fullmatch(r"bench/results[^/]*\.json", name):
            continue  # npm's copy; a bench's results record the version they measured
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # not text
        if name.endswith(".txt") and Path(name).name.startswith("requirements"):
            # another package pinned at our number (name==VERSION) is not our version
            text = re.sub(rf"^[A-Za-z0-9_.\[\]-]+=={re.escape(VERSION)}$", "", text, flags=re.M)
        if lines := version_literals(text, VERSION):
            found[name] = lines
    assert not found, f"the version {VERSION} is written out beside package.json (read it from there instead): {found}"


def test_npm_lock_has_package_json_version():
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert (lock["version"], lock["packages"][""]["version"]) == (VERSION, VERSION), "run npm install to update package-lock.json"


def test_a_second_literal_is_found():
    assert version_literals(f'__version__ = "{VERSION}"\nrange = "^{VERSION}"', VERSION) == [f'__version__ = "{VERSION}"', f'range = "^{VERSION}"']
    assert version_literals(f"1{VERSION} {VERSION}.1 {VERSION}1", VERSION) == []
