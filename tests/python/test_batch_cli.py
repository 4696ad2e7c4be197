"""`cloudreel batch`: a folder of sequences to one video each with a summary, a bad sequence named with exit 1,
and a jobs file resumed with --skip-existing; the real command in Debian's headless Chromium."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from batch_jobs import BROWSER, FRAMES, ffprobe_frames, write_sequences

ROOT = Path(__file__).resolve().parents[2]


def batch(args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "python"), "CLOUDREEL_BROWSER": BROWSER}
    return subprocess.run([sys.executable, "-m", "cloudreel", "batch", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """runs/seq_0..2 (3 scans each) and runs/seq_bad (a corrupt scan), rendered by one `cloudreel batch`."""
    root = tmp_path_factory.mktemp("cli")
    write_sequences(root / "runs", 3)
    bad = root / "runs" / "seq_bad"
    bad.mkdir()
    (bad / "scan_0.npy").write_bytes(b"\x93NUMPY broken")
    done = batch(["runs/seq_*", "--out", "videos", "--workers", "2", "--size", "96x64", "--no-title", "--no-progress"], root)
    return root, done


def test_a_folder_of_sequences_gives_one_video_each_a_summary_and_exit_1_naming_the_bad_one(runs):
    root, done = runs
    assert done.returncode == 1, done.stderr
    assert sorted(p.name for p in (root / "videos").iterdir()) == ["seq_0.mp4", "seq_1.mp4", "seq_2.mp4"]
    assert all(ffprobe_frames(root / "videos" / f"seq_{i}.mp4") == FRAMES for i in range(3))
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["video", "status", "frames", "codec", "size", "seconds"]
    assert [line.split()[:3] for line in lines[1:]] == [["seq_0.mp4", "written", "3"], ["seq_1.mp4", "written", "3"],
                                                        ["seq_2.mp4", "written", "3"], ["seq_bad.mp4", "failed", "-"]]
    assert "cloudreel batch: 1 of 4 jobs failed:\n  runs/seq_bad: " in done.stderr
    assert str(root / "runs" / "seq_bad" / "scan_0.npy") in done.stderr


def test_a_jobs_file_resumed_with_skip_existing_keeps_whole_videos_and_refuses_a_bad_row(runs):
    root, _ = runs
    before = (root / "videos" / "seq_1.mp4").stat().st_mtime_ns
    (root / "jobs.jsonl").write_text('{"output": "seq_1.mp4", "inputs": "runs/seq_1/scan_*.npy", "size": "96x64"}\n'
                                     '{"output": "seq_2.mp4", "inputs": ["runs/seq_2/scan_0.npy", "runs/seq_2/scan_1.npy",'
                                     ' "runs/seq_2/scan_2.npy"], "title": false}\n')
    done = batch(["--jobs", "jobs.jsonl", "--out", "videos", "--workers", "1", "--skip-existing", "--no-progress"], root)
    assert done.returncode == 0, done.stderr
    assert [line.split()[:3] for line in done.stdout.splitlines()[1:]] == [["seq_1.mp4", "kept", "3"], ["seq_2.mp4", "kept", "3"]]
    assert (root / "videos" / "seq_1.mp4").stat().st_mtime_ns == before
    (root / "jobs.csv").write_text("output,inputs,fps\nx.mp4,runs/seq_0/scan_*.npy,fast\n")
    done = batch(["--jobs", "jobs.csv", "--out", "videos"], root)
    assert done.returncode == 2 and "jobs.csv line 2: argument --fps: invalid float value: 'fast'" in done.stderr, done.stderr
    done = batch(["nowhere/*", "--out", "videos"], root)
    assert done.returncode == 2 and "cloudreel batch: error: nowhere/*: matches no folder" in done.stderr, done.stderr


def test_the_dask_extra_is_pinned_as_tested_and_the_command_loads_neither_dask_nor_a_browser():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    tested = set((ROOT / "python/requirements-test.txt").read_text().split())
    pins = [p for p in project["optional-dependencies"]["dask"] if "==" in p]
    assert {p.split("==")[0] for p in pins} == {"dask", "distributed"} and set(pins) <= tested
    env = {**os.environ, "PYTHONPATH": str(ROOT / "python")}
    check = ("import sys, cloudreel.cli; cloudreel.cli._parser(); "
             "print(sorted({'dask', 'distributed', 'playwright', 'tqdm'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
    done = batch(["--help"], ROOT)
    assert done.returncode == 0 and "cloudreel batch 'drives/*' --out videos --workers 4" in done.stdout
