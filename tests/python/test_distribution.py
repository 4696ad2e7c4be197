"""What the built wheel and npm bundle ship for their licences: every bundled
package's licence text, the GPL ffmpeg core's provenance and written offer
beside it (and not its source), and the wheel's declared dependencies.

Reads python/dist/cloudreel-*.whl (`npm run build:wheel`) and dist/ (`npm run build`)."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LICENCE_REPORT = "third-party-licenses.json"
CORE_NOTICE = "ffmpeg-core-SOURCE.txt"
# A phrase of each licence's own text, so an entry's text is that licence's.
LICENCE_PHRASES = {
    "MIT": "Permission is hereby granted, free of charge",
    "BSD-3-Clause": "Neither the name of the copyright holder",
    "MPL-2.0": "Mozilla Public License Version 2.0",
    "GPL-2.0-or-later": "GNU GENERAL PUBLIC LICENSE\n                       Version 2",
}
SOURCE_ARCHIVE = re.compile(r"\.(tar|tgz|tar\.(gz|xz|bz2|zst)|zip|7z|c|h)$", re.IGNORECASE)


def node_package(name: str) -> dict:
    return json.loads((ROOT / "node_modules" / name / "package.json").read_text())


class Wheel:
    """The labextension's static folder inside the built wheel."""

    label = "wheel"

    def __init__(self) -> None:
        wheels = sorted((ROOT / "python/dist").glob("cloudreel-*.whl"))
        if len(wheels) != 1:
            pytest.fail(f"expected one built wheel python/dist/cloudreel-*.whl, found {len(wheels)}: run `npm run build:wheel` first")
        self.path = wheels[0]
        self.zip = zipfile.ZipFile(self.path)
        self.names = self.zip.namelist()
        cores = [n for n in self.names if n.endswith("/static/ffmpeg-core.wasm")]
        if len(cores) != 1:
            pytest.fail(f"{self.path.name}: expected one static/ffmpeg-core.wasm, found {cores}")
        self.folder = cores[0].rsplit("/", 1)[0]

    def read(self, name: str) -> bytes:
        member = f"{self.folder}/{name}"
        if member not in self.names:
            pytest.fail(f"{self.path.name} has no {name} beside ffmpeg-core.wasm (in {self.folder}/)")
        return self.zip.read(member)


class NpmBundle:
    """dist/, which package.json's "files" publishes."""

    label = "npm bundle"

    def __init__(self) -> None:
        self.folder = ROOT / "dist"
        if not (self.folder / "ffmpeg-core.wasm").is_file():
            pytest.fail("dist/ffmpeg-core.wasm is missing: run `npm run build` first")
        self.names = [str(p.relative_to(self.folder)) for p in self.folder.rglob("*") if p.is_file()]

    def read(self, name: str) -> bytes:
        if not (self.folder / name).is_file():
            pytest.fail(f"dist/ has no {name} beside ffmpeg-core.wasm")
        return (self.folder / name).read_bytes()


@pytest.fixture(scope="module")
def wheel() -> Wheel:
    return Wheel()


@pytest.fixture(scope="module", params=[Wheel, NpmBundle], ids=["wheel", "npm-bundle"])
def shipped(request):
    return request.param()


# Packages each build bundles (the npm bundle has no UI, so no lit).
EXPECTED_PACKAGES = {
    "wheel": {"@ffmpeg/core", "@ffmpeg/ffmpeg", "three", "mediabunny", "colormap", "lit", "lit-html"},
    "npm bundle": {"@ffmpeg/core", "@ffmpeg/ffmpeg", "three", "mediabunny", "colormap"},
}


def test_every_bundled_package_ships_its_licence_text(shipped):
    report = json.loads(shipped.read(LICENCE_REPORT))
    packages = {p["name"]: p for p in report["packages"]}
    missing = EXPECTED_PACKAGES[shipped.label] - packages.keys()
    assert not missing, f"{shipped.label}'s {LICENCE_REPORT} does not list {sorted(missing)}"
    for name, entry in packages.items():
        licence = entry["licenseId"]
        assert licence in LICENCE_PHRASES, f"{shipped.label}: {name} has licence {licence!r}, which this test has no phrase for"
        assert LICENCE_PHRASES[licence] in entry["extractedText"], (
            f"{shipped.label}'s {LICENCE_REPORT}: the text for {name} ({licence}) is "
            f"{entry['extractedText'][:80]!r}, not the {licence} licence"
        )
        assert entry["versionInfo"] == node_package(name)["version"], f"{shipped.label}: {name}'s version"


def test_core_provenance_and_written_offer_sit_beside_the_core(shipped):
    notice = shipped.read(CORE_NOTICE).decode()
    core = node_package("@ffmpeg/core")
    assert f"@ffmpeg/core {core['version']}" in notice
    assert "https://github.com/ffmpegwasm/ffmpeg.wasm" in notice
    assert re.search(r"source tag\s+v[\d.]+ = commit [0-9a-f]{40}", notice), "the upstream tag and commit"
    # The notice describes exactly the shipped bytes (unminified, the npm release).
    for name in ("ffmpeg-core.wasm", "ffmpeg-core.js"):
        digest = hashlib.sha256(shipped.read(name)).hexdigest()
        assert digest in notice, f"{shipped.label}: {CORE_NOTICE} does not give the shipped {name}'s SHA-256 {digest}"
    # FFmpeg's version and configure flags as the wasm itself reports them.
    wasm = shipped.read("ffmpeg-core.wasm")
    version = re.search(rb"%s version (\d+\.\d+\.\d+)", wasm).group(1).decode()
    assert re.search(rf"FFmpeg\s+{re.escape(version)}: tag n{re.escape(version)}\b", notice), f"FFmpeg {version} and its tag"
    configure = re.search(rb"%sconfiguration: ([^\0]+)", wasm).group(1).decode()
    for flag in configure.split():
        assert flag in notice, f"{shipped.label}: {CORE_NOTICE} lacks the configure flag {flag}"
    assert re.search(r"x264\s+https://github\.com/\S+ branch \S+ commit\s+[0-9a-f]{40}", notice), "the x264 source commit"
    # The GPL-2.0 section 3(b) written offer, with how to ask.
    for phrase in ("section 3(b)", "at least three years", "any third party", "complete machine-readable copy",
                   "no more than our cost of physically performing", "the cloudreel maintainers via the project's issue tracker"):
        assert phrase in " ".join(notice.split()), f"{shipped.label}: the written offer lacks {phrase!r}"


def test_no_source_archive_or_source_files_are_shipped(shipped):
    found = [n for n in shipped.names if SOURCE_ARCHIVE.search(n)]
    assert not found, f"{shipped.label} ships source files or archives: {found[:10]}"


def test_wheel_declares_the_server_extension_and_ipython_dependencies(wheel):
    metadata_name = next(n for n in wheel.names if n.endswith(".dist-info/METADATA"))
    metadata = Parser().parsestr(wheel.zip.read(metadata_name).decode())
    requires = {}
    for line in metadata.get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        if requirement.marker is None:
            requires[canonicalize_name(requirement.name)] = requirement.specifier
    for name in ("jupyter-server", "tornado", "ipython"):
        assert name in requires, f"the wheel's METADATA does not require {name} (it requires {sorted(requires)})"
    assert not requires["ipython"].contains("8.0.0") and requires["ipython"].contains("8.0.1"), (
        f"ipython{requires['ipython']} must exclude 8.0.0 (CVE-2022-21699) and allow 8.0.1"
    )
