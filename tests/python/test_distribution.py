"""What the built wheel and npm bundle ship for their licences: every bundled
package's licence text, the GPL ffmpeg core's provenance and written offer
beside it (and not its source), the copyright notice and licence text of every
library linked into the core, and the wheel's declared dependencies.

Reads python/dist/cloudreel-*.whl (`npm run build:wheel`) and dist/ (`npm run build`)."""

from __future__ import annotations

import json
import re
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from check_ffmpeg_core import core_problems  # noqa: E402

LICENCE_REPORT = "third-party-licenses.json"
CORE_NOTICE = "ffmpeg-core-SOURCE.txt"
CORE_LIBRARY_NOTICES = "ffmpeg-core-NOTICES.txt"
# A phrase of each licence's own text, so an entry's text is that licence's.
LICENCE_PHRASES = {
    "MIT": "Permission is hereby granted, free of charge",
    "BSD-3-Clause": "Neither the name of the copyright holder",
    "MPL-2.0": "Mozilla Public License Version 2.0",
    "GPL-2.0-or-later": "GNU GENERAL PUBLIC LICENSE\n                       Version 2",
}
# A phrase of each licence text a core component's notice must carry: in its own
# section, or (the GNU licences, given once as appendices) anywhere in the file.
NOTICE_PHRASES = {
    "BSD-3-Clause": ("section", "Redistributions in binary form must reproduce the above copyright notice"),
    "MIT": ("section", "Permission is hereby granted, free of charge, to any person obtaining a copy"),
    "MIT-Modern-Variant": ("section", "Permission is hereby granted, without written agreement and without license or royalty fees"),
    "ISC": ("section", "Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted"),
    "Zlib": ("section", "This notice may not be removed or altered from any source distribution"),
    "WTFPL": ("section", "DO WHAT THE FUCK YOU WANT TO PUBLIC LICENSE"),
    "FTL": ("section", "The FreeType Project LICENSE"),
    "Apache-2.0 WITH LLVM-exception": ("section", "LLVM Exceptions to the Apache 2.0 License"),
    "GPL-2.0-or-later": ("file", "GNU GENERAL PUBLIC LICENSE Version 2, June 1991"),
    "LGPL-2.0-or-later": ("file", "GNU LIBRARY GENERAL PUBLIC LICENSE Version 2, June 1991"),
    "LGPL-2.1-or-later": ("file", "GNU LESSER GENERAL PUBLIC LICENSE Version 2.1, February 1999"),
}
# ffmpeg-core-SOURCE.txt's component table: its header, then one row per component
# (continuation lines are indented).
COMPONENT_TABLE = re.compile(r"^component +source and git ref +licence\n((?:.+\n)+)", re.MULTILINE)
COMPONENT_ROW = re.compile(r"^(?P<name>\S+) +(?P<url>https://\S+) (?P<ref>\S+) +(?P<licence>\S.*?) *$")
# ffmpeg-core-NOTICES.txt's section headings.
NOTICE_SECTION = re.compile(r"^#{78}\n# (.+)\n#{78}\n", re.MULTILINE)
# A copyright line with a year (not the FSF's line in a GNU licence text).
COPYRIGHT_LINE = re.compile(r"^(?!.*Free Software Foundation).*(copyright|\(c\)|©).*\b(19|20)\d\d\b", re.IGNORECASE | re.MULTILINE)
SOURCE_ARCHIVE = re.compile(r"\.(tar|tgz|tar\.(gz|xz|bz2|zst)|zip|7z|c|h)$", re.IGNORECASE)


def words(text: str) -> str:
    """The text with every run of whitespace as one space, to find phrases across line breaks."""
    return " ".join(text.split())


def core_components(source_notice: str) -> list[dict]:
    """The components ffmpeg-core-SOURCE.txt lists: name, url, ref, licence."""
    table = COMPONENT_TABLE.search(source_notice)
    assert table, f"{CORE_NOTICE} has no component table (a 'component  source and git ref  licence' header and rows)"
    rows = [COMPONENT_ROW.match(line) for line in table.group(1).splitlines() if not line.startswith(" ")]
    assert all(rows), f"{CORE_NOTICE}: a component row is not 'name  https://url ref  licence': {table.group(1)!r}"
    return [row.groupdict() for row in rows]


def licence_alternatives(expression: str) -> list[list[str]]:
    """An SPDX expression of only ANDs or only ORs (no parentheses), as alternatives of licence ids that all apply."""
    if " OR " in expression:
        assert " AND " not in expression and "(" not in expression, f"licence {expression!r}: mixed AND/OR is not understood here"
        return [[part] for part in expression.split(" OR ")]
    return [expression.split(" AND ")]


def component_notice_problems(source_notice: str, notices: str) -> list[str]:
    """What ffmpeg-core-NOTICES.txt lacks for the components ffmpeg-core-SOURCE.txt lists."""
    parts = NOTICE_SECTION.split(notices)
    sections = dict(zip(parts[1::2], parts[2::2]))
    components = core_components(source_notice)
    problems = []
    for component in components:
        name, licence = component["name"], component["licence"]
        body = sections.get(name)
        if body is None:
            problems.append(f"no section '# {name}' for {name} ({licence}), which {CORE_NOTICE} lists")
            continue
        for field in (f"source {component['url']} {component['ref']}", f"licence {licence}"):
            if field not in words(body):
                problems.append(f"{name}'s section does not say {field!r}")
        if not COPYRIGHT_LINE.search(body):
            problems.append(f"{name}'s section has no copyright line")
        missing = []
        for alternative in licence_alternatives(licence):
            lacking = []
            for licence_id in alternative:
                assert licence_id in NOTICE_PHRASES, f"{name}: no phrase in this test for the licence {licence_id!r}"
                where, phrase = NOTICE_PHRASES[licence_id]
                if phrase not in words(body if where == "section" else notices):
                    lacking.append(f"{licence_id} ({phrase!r} in its {where})")
            if not lacking:
                break
            missing.append(" and ".join(lacking))
        else:
            problems.append(f"{name}'s notice lacks the licence text of {' or '.join(missing)}")
    listed = {component["name"] for component in components}
    for title in sections:
        if title not in listed and not title.startswith("Appendix "):
            problems.append(f"section {title!r} names no component that {CORE_NOTICE} lists")
    return problems


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
    # The notice describes exactly the shipped bytes (unminified, the npm release): the check the builds run.
    problems = core_problems(shipped.read, shipped.label)
    assert not problems, "; ".join(problems)
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
        assert phrase in words(notice), f"{shipped.label}: the written offer lacks {phrase!r}"


def test_core_library_notices_sit_beside_the_core(shipped):
    notices = shipped.read(CORE_LIBRARY_NOTICES).decode()
    source_notice = shipped.read(CORE_NOTICE).decode()
    assert CORE_LIBRARY_NOTICES in source_notice, f"{shipped.label}: {CORE_NOTICE} does not point to {CORE_LIBRARY_NOTICES}"
    assert len(core_components(source_notice)) >= 18, f"{shipped.label}: {CORE_NOTICE} lists {core_components(source_notice)}"
    problems = component_notice_problems(source_notice, notices)
    assert not problems, f"{shipped.label}'s {CORE_LIBRARY_NOTICES}: " + "; ".join(problems)


def test_a_component_listed_without_its_notice_is_reported(wheel):
    source_notice = wheel.read(CORE_NOTICE).decode()
    notices = wheel.read(CORE_LIBRARY_NOTICES).decode()
    row = "libfoo       https://example.org/libfoo v1.0                       MIT\n"
    added = COMPONENT_TABLE.sub(lambda table: table.group(0) + row, source_notice, count=1)
    assert core_components(added)[-1]["name"] == "libfoo"
    assert component_notice_problems(added, notices) == [f"no section '# libfoo' for libfoo (MIT), which {CORE_NOTICE} lists"]
    # A section without its copyright line or licence text is reported too.
    section = notices.index("# zlib\n")
    stripped = notices[:section] + notices[section:].replace(" (C) 1995-2017 Jean-loup Gailly and Mark Adler\n", "", 1).replace(
        "This notice may not be removed", "This notice may be removed", 1)
    problems = component_notice_problems(source_notice, stripped)
    assert len(problems) == 2 and problems[0] == "zlib's section has no copyright line", problems
    assert problems[1].startswith("zlib's notice lacks the licence text of Zlib ("), problems


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


def test_wheel_and_its_labextension_carry_package_json_version(wheel):
    version = json.loads((ROOT / "package.json").read_text())["version"]
    metadata_name = next(n for n in wheel.names if n.endswith(".dist-info/METADATA"))
    metadata = Parser().parsestr(wheel.zip.read(metadata_name).decode())
    extension = json.loads(wheel.zip.read(wheel.folder.rsplit("/", 1)[0] + "/package.json"))
    assert (metadata["Version"], extension["version"]) == (version, version), "the wheel's METADATA and labextension package.json"
    assert wheel.path.name == f"cloudreel-{version}-py3-none-any.whl"
