"""Small batch inputs for the export_many tests: sequences of .npy scans on disk, the jobs that render
them, and the processes (browsers, workers) the fault tests kill."""

import json
import os
import subprocess
import time

import numpy as np
import psutil

BROWSER = os.environ.get("CLOUDREEL_BROWSER", "/usr/bin/chromium")
SIZE = {"width": 96, "height": 64, "title": False, "browser": BROWSER}
FRAMES = 3


def write_sequences(folder, count, frames=FRAMES, points=1000):
    """``count`` folders seq_0 ... of ``frames`` .npy scans each; returns the folders."""
    rng = np.random.default_rng(7)
    made = []
    for s in range(count):
        seq = folder / f"seq_{s}"
        seq.mkdir(parents=True)
        for f in range(frames):
            np.save(seq / f"scan_{f}.npy", rng.normal(size=(points, 3)).astype(np.float32))
        made.append(seq)
    return made


def file_jobs(sequences, out):
    """One job per sequence, its frames a glob read on the worker, its video out/<sequence>.mp4."""
    return [{"frames": str(seq / "scan_*.npy"), "path": str(out / f"{seq.name}.mp4"), **SIZE} for seq in sequences]


def ffprobe_frames(path):
    done = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                           "stream=nb_read_frames", "-of", "json", str(path)], capture_output=True, text=True, timeout=30)
    streams = json.loads(done.stdout or "{}").get("streams", [])
    return int(streams[0]["nb_read_frames"]) if done.returncode == 0 and streams else None


def exported(records):
    """The paths in the engine's "exported PATH" log records, one entry per video written."""
    return [r.getMessage().split(" ", 1)[1] for r in records
            if r.name == "cloudreel.headless.export" and r.getMessage().startswith("exported ")]


def chromium_under(pid):
    """Chromium processes below ``pid`` (the browsers and their helpers)."""
    try:
        below = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for p in below:
        try:
            if "chrom" in p.name():
                found.append(p)
        except psutil.NoSuchProcess:
            pass
    return found


def renderer_under(pid, age=0.0):
    """A page's renderer below ``pid`` started at least ``age`` seconds ago (a page is open: an export is
    under way), or None."""
    for p in chromium_under(pid):
        try:
            args = p.cmdline()
            if "--type=renderer" in args and "--top-chrome-webui" not in args and time.time() - p.create_time() >= age:
                return p
        except psutil.NoSuchProcess:
            pass
    return None


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def all_gone(pids, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]:
            return True
        time.sleep(0.1)
    return False


def info_logs_plugin():
    """A Dask worker plugin that lets cloudreel's INFO records through on every worker, restarted ones too
    (Client.forward_logging then brings them to the test's logger)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class InfoLogs(WorkerPlugin):
        def setup(self, worker):
            import logging

            logging.getLogger("cloudreel").setLevel(logging.INFO)

    return InfoLogs()


class Stuck:
    """A frame that never comes (a job that hangs where it runs, not where it is made), for the batch's timeout."""

    def __array__(self, dtype=None, copy=None):
        time.sleep(600)
        return np.zeros((1, 3))
