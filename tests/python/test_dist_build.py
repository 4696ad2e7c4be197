"""The package builds (hatch_build.py): a wheel built from the sdist carries the same runner page
files as dist/, and a wheel build fails, saying why, when the labextension's ffmpeg.wasm core is not
the one its ffmpeg-core-SOURCE.txt names (scripts/check_ffmpeg_core.py, the one definition of that check).

Real `python -m build --no-isolation` runs on the built tree: needs `npm run build` (dist/) and the
built labextension (`npm run build:labextension` or `npm run build:wheel`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from check_ffmpeg_core import folder_problems, named_digests  # noqa: E402
from cloudreel.headless.runner_dist import CORE, PACKAGED  # noqa: E402

STATIC = ROOT / "python/cloudreel/labextension/static"
BUILD_TIMEOUT = 240


def build(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HATCH_JUPYTER_BUILDER_SKIP_NPM": "1"}  # never npm from a test: the tree is built
    return subprocess.run([sys.executable, "-m", "build", "--no-isolation", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT)


@pytest.fixture(scope="module")
def built_tree() -> Path:
    missing = [f"dist/{n}" for n in PACKAGED if not (ROOT / "dist" / n).is_file()]
    missing += [] if (STATIC / "ffmpeg-core.wasm").is_file() else [str(STATIC / "ffmpeg-core.wasm")]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: run `npm run build && npm run build:wheel` first")
    return ROOT


def test_a_wheel_built_from_the_sdist_has_the_runner_files_of_dist(built_tree, tmp_path):
    # `python -m build` with neither --sdist nor --wheel builds the sdist, then the wheel from it.
    done = build("--outdir", str(tmp_path), str(built_tree), cwd=tmp_path)
    assert done.returncode == 0, f"python -m build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    (sdist,) = tmp_path.glob("cloudreel-*.tar.gz")
    (wheel,) = tmp_path.glob("cloudreel-*.whl")
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for name in PACKAGED:
        assert f"dist/{name}" in in_sdist, f"the sdist lacks dist/{name} (from {top})"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        for name in PACKAGED:
            member = f"cloudreel/headless/runner/{name}"
            assert member in names, f"the wheel built from the sdist lacks {member}"
            assert archive.read(member) == (built_tree / "dist" / name).read_bytes(), f"{member} differs from dist/{name}"
        cores = [n for n in names if n.endswith("/ffmpeg-core.wasm")]
        assert len(cores) == 1 and "labextensions/cloudreel/static/" in cores[0], f"one core, the labextension's: {cores}"
        for name in CORE:
            assert f"cloudreel/headless/runner/{name}" not in names, f"a second copy of {name} in the wheel"


def tree_with_core(tmp_path: Path, wasm: bytes) -> Path:
    """The files a wheel build reads, copied from the built tree, with ``wasm`` as the labextension's core."""
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in ("pyproject.toml", "package.json", "README.md", "LICENSE", "install.json", "hatch_build.py"):
        shutil.copy2(ROOT / name, tree / name)
    for folder in ("scripts", "jupyter-config"):
        shutil.copytree(ROOT / folder, tree / folder)
    shutil.copytree(ROOT / "python/cloudreel", tree / "python/cloudreel",
                    ignore=shutil.ignore_patterns("__pycache__", "ffmpeg-core.wasm"))
    (tree / "python/cloudreel/labextension/static/ffmpeg-core.wasm").write_bytes(wasm)
    (tree / "dist").mkdir()
    for name in PACKAGED:
        shutil.copy2(ROOT / "dist" / name, tree / "dist" / name)
    return tree


def test_a_wheel_build_fails_when_the_core_is_not_the_one_its_notice_names(built_tree, tmp_path):
    tree = tree_with_core(tmp_path, b"\0asm not the release")
    done = build("--wheel", "--outdir", str(tmp_path / "out"), ".", cwd=tree)
    assert done.returncode != 0, "the wheel was built with a core its ffmpeg-core-SOURCE.txt does not describe"
    said = done.stdout + done.stderr
    assert "cannot build cloudreel's wheel" in said and "ffmpeg-core.wasm has SHA-256" in said, said[-3000:]
    assert not list(tmp_path.rglob("*.whl")), "a wheel was written"


def test_the_core_check_passes_on_the_built_core_and_names_each_problem(built_tree, tmp_path):
    assert folder_problems(STATIC) == []
    assert folder_problems(built_tree / "dist") == []
    shutil.copy2(STATIC / "ffmpeg-core-SOURCE.txt", tmp_path / "ffmpeg-core-SOURCE.txt")
    (tmp_path / "ffmpeg-core.wasm").write_bytes(b"other")
    problems = folder_problems(tmp_path)
    assert len(problems) == 2, problems
    named = named_digests((STATIC / "ffmpeg-core-SOURCE.txt").read_text())["ffmpeg-core.wasm"]
    assert problems[0].startswith(f"{tmp_path}/ffmpeg-core.wasm has SHA-256 ") and f"names {named}" in problems[0], problems[0]
    assert problems[1] == f"{tmp_path}/ffmpeg-core.js is missing"
    (tmp_path / "ffmpeg-core-SOURCE.txt").unlink()
    assert folder_problems(tmp_path) == [f"{tmp_path}/ffmpeg-core-SOURCE.txt is missing (the core's provenance and the SHA-256 it must have)"]
