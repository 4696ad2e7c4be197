"""export_many() over the local process pool: real worker processes, each with Debian's headless Chromium;
a browser killed in the middle of a job (restarted, the job tried again), then a resume with skip_existing."""

import logging
import os
import signal
import threading

import pytest

import cloudreel
from batch_jobs import FRAMES, exported, ffprobe_frames, file_jobs, wait_for, write_sequences
from cloudreel import ExportJob, ExportResult, JobFailed, Skipped


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """8 file jobs on 2 workers while a thread kills the browser of the first export it sees under way."""
    root = tmp_path_factory.mktemp("pool")
    out = root / "out"
    jobs = file_jobs(write_sequences(root / "in", 8), out)
    killed = []

    def kill_a_browser_mid_job():
        # The first export a runner page has started (the engine's log line, relayed from the worker); a
        # browser killed earlier, while export() started it ahead of the job, costs that job nothing.
        started = wait_for(lambda: next((r for r in records if "export under way in browser pid" in r.getMessage()), None),
                           60, "an export under way in a worker's browser")
        pid = int(started.getMessage().rsplit(" ", 1)[1])
        killed.append(pid)
        os.kill(pid, signal.SIGKILL)

    logger = logging.getLogger("cloudreel")
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    killer = threading.Thread(target=kill_a_browser_mid_job, daemon=True)
    killer.start()
    try:
        # timeout: a job stuck after its browser died ends its worker process and is tried again.
        results = cloudreel.export_many(jobs, workers=2, progress=False, timeout=20)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    killer.join(5)
    return jobs, out, results, records, killed


def test_a_browser_killed_mid_job_is_restarted_and_the_job_tried_again(first_run):
    jobs, out, results, records, killed = first_run
    assert killed, "the test never saw an export under way"
    assert all(isinstance(r, ExportResult) for r in results), [str(r) for r in results if not isinstance(r, ExportResult)]
    assert [r.path.name for r in results] == [f"seq_{i}.mp4" for i in range(8)]  # one result per job, in order
    retried = [r.getMessage() for r in records if "trying again" in r.getMessage()]
    # Tried again after the engine's BrowserCrashed, also when the browser died while Playwright was opening the
    # page (the engine's watchdog then kills Playwright's stuck driver), never by the batch's timeout.
    assert retried and all("exited while the job ran" in m for m in retried), retried
    # Every video written exactly once (the killed attempt wrote nothing), whole, and nothing else in the folder.
    assert sorted(exported(records)) == sorted(str(out / f"seq_{i}.mp4") for i in range(8))
    assert sorted(p.name for p in out.iterdir()) == sorted(f"seq_{i}.mp4" for i in range(8))
    assert all(ffprobe_frames(out / f"seq_{i}.mp4") == FRAMES for i in range(8))


def test_resume_with_skip_existing_redoes_only_the_missing_videos(first_run, caplog):
    jobs, out, _, _, _ = first_run
    for i in (1, 4, 6):
        (out / f"seq_{i}.mp4").unlink()
    kept = {i: (out / f"seq_{i}.mp4").stat() for i in (0, 2, 3, 5, 7)}
    caplog.set_level(logging.INFO, logger="cloudreel")
    results = cloudreel.export_many(jobs, workers=2, skip_existing=True, progress=False)
    assert sorted(exported(caplog.records)) == sorted(str(out / f"seq_{i}.mp4") for i in (1, 4, 6))  # exactly 3 exports
    assert [type(r) for r in results] == [Skipped, ExportResult, Skipped, Skipped, ExportResult, Skipped, ExportResult, Skipped]
    assert all(r.frames == FRAMES for r in results)
    for i, before in kept.items():
        after = (out / f"seq_{i}.mp4").stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns), f"seq_{i}.mp4 was rewritten"


def test_bad_jobs_are_reported_in_their_place_and_the_rest_go_on(tmp_path, caplog):
    seqs = write_sequences(tmp_path / "in", 1)
    (tmp_path / "in" / "broken.npy").write_bytes(b"\x93NUMPY not really")
    good = file_jobs(seqs, tmp_path / "out")[0]
    jobs = [{**good, "frames": str(tmp_path / "in" / "broken.npy"), "path": str(tmp_path / "out" / "broken.mp4")},
            good,
            ExportJob(str(tmp_path / "in" / "missing_*.npy"), tmp_path / "out" / "none.mp4"),
            {"frames": [[[0, 0, 0]]], "path": str(tmp_path / "out" / "typo.mp4"), "fsp": 10},
            {"path": str(tmp_path / "out" / "no-frames.mp4")}]
    results = cloudreel.export_many(jobs, workers=1, progress=False)
    assert [type(r) for r in results] == [JobFailed, ExportResult, JobFailed, JobFailed, JobFailed]
    broken, _, missing, typo, no_frames = results
    assert str(tmp_path / "in" / "broken.npy") in broken.message and broken.attempts == 1  # not retried: the input is bad
    assert "missing_*.npy: no files match this pattern" in missing.message
    assert typo.message.endswith("typo.mp4: export() has no option fsp") and typo.attempts == 0
    assert no_frames.message == "a job needs frames: got the keys path"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["seq_0.mp4"]


def test_a_job_past_its_timeout_ends_its_worker_and_is_reported_and_the_rest_go_on(tmp_path):
    from batch_jobs import SIZE, Stuck

    jobs = [{"frames": [Stuck()], "path": str(tmp_path / "stuck.mp4"), **SIZE},
            {"frames": [[[0, 0, 0], [1, 1, 1]]] * 2, "path": str(tmp_path / "fine.mp4"), **SIZE}]
    # 12 s: enough for a fresh worker to start its browser and make the fine video on a busy machine.
    stuck, fine = cloudreel.export_many(jobs, workers=1, retries=0, timeout=12, progress=False)
    assert isinstance(stuck, JobFailed) and stuck.attempts == 1, stuck
    assert stuck.message == "its worker process died (killed, or out of memory)"
    assert isinstance(fine, ExportResult) and fine.frames == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fine.mp4"]
