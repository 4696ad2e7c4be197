"""export_many(client=...) on a real dask.distributed LocalCluster on loopback (2 worker processes, each with
Debian's headless Chromium): a worker SIGKILLed in the middle of a job, and a job with a corrupt input."""

import collections
import logging
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path

import pytest

import cloudreel
from batch_jobs import (FRAMES, all_gone, chromium_under, exported, ffprobe_frames, file_jobs, info_logs_plugin,
                        renderer_under, wait_for, write_sequences)
from cloudreel import ExportResult, JobFailed

import dask
from distributed import Client, LocalCluster


@pytest.fixture
def cluster(monkeypatch):
    # The workers' temporary files (Dask's scratch space, each engine's folder) in a folder of the test's own,
    # short enough for Chromium's socket path (about 100 characters at most).
    scratch = Path(tempfile.mkdtemp(prefix="crb-"))
    monkeypatch.setenv("TMPDIR", str(scratch))
    try:
        with dask.config.set({"temporary-directory": str(scratch)}), LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          local_directory=str(scratch)) as local, Client(local, timeout=60) as client:
            yield client, scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_a_killed_worker_loses_no_job_and_a_corrupt_input_is_named(cluster, tmp_path, caplog):
    client, scratch = cluster
    out = tmp_path / "out"
    jobs = file_jobs(write_sequences(tmp_path / "in", 8), out)
    corrupt = tmp_path / "in" / "seq_corrupt" / "scan_0.npy"
    corrupt.parent.mkdir()
    corrupt.write_bytes(b"\x93NUMPY\x01\x00this is no array")
    jobs.insert(4, {**jobs[0], "frames": str(corrupt), "path": str(out / "seq_corrupt.mp4")})

    client.register_plugin(info_logs_plugin(), name="info-logs")
    client.forward_logging("cloudreel", logging.INFO)
    caplog.set_level(logging.INFO, logger="cloudreel")
    workers = client.run(os.getpid)
    killed = {}

    def kill_a_worker_mid_job():
        busy = wait_for(lambda: next((pid for pid in workers.values() if renderer_under(pid)), None), 60,
                        "a page under way on a worker")
        killed["browsers"] = [p.pid for p in chromium_under(busy)]
        killed["worker"] = busy
        os.kill(busy, signal.SIGKILL)

    killer = threading.Thread(target=kill_a_worker_mid_job, daemon=True)
    killer.start()
    results = cloudreel.export_many(jobs, client=client, progress=False)
    killer.join(5)
    assert killed.get("worker"), "the test never saw an export under way"

    names = [f"seq_{i}.mp4" for i in range(8)]
    assert [type(r) for r in results] == [ExportResult] * 4 + [JobFailed] + [ExportResult] * 4
    assert [r.path.name for r in results if isinstance(r, ExportResult)] == names
    failed = results[4]
    assert str(corrupt) in failed.message and failed.job.path == str(out / "seq_corrupt.mp4"), failed.message
    assert sorted(p.name for p in out.iterdir()) == sorted(names)  # no temporary names, nothing for the corrupt job
    assert all(ffprobe_frames(out / name) == FRAMES for name in names)
    # The engine's own log: every video written once, but for the job on the killed worker (at most twice).
    wait_for(lambda: set(exported(caplog.records)) >= {str(out / n) for n in names}, 15, "the workers' log lines")
    counts = collections.Counter(exported(caplog.records))
    assert sum(counts.values()) - len(counts) <= 1, counts
    assert all_gone(killed["browsers"]), "the killed worker's browser outlived it"
