"""Many exports at once: export_many() over a local process pool or a dask.distributed Client, each worker keeping one warm browser."""

from __future__ import annotations

import collections
import concurrent.futures
import inspect
import logging
import logging.handlers
import multiprocessing
import os
import shutil
import signal
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from .container_frames import ContainerUnreadable, container_frames
from .headless.export import ExportError, ExportResult, export

__all__ = ["ExportJob", "JobFailed", "Skipped", "export_many", "BrowserPlugin"]

_log = logging.getLogger(__name__)

#: Jobs a local worker process runs before it is replaced by a fresh one (its browser is
#: recycled more often by the engine itself: headless/engine.py DEFAULT_RECYCLE_AFTER).
JOBS_PER_PROCESS = 200
#: Seconds one attempt at a job may take before its worker process is ended and the job tried again.
JOB_TIMEOUT = 1800.0
#: Options of export() a job may not set: the batch shows one bar and owns the status callbacks.
_BATCH_OWNED = ("progress", "on_status")
#: export()'s keyword options, and the one a job of files adds (how the files' points are coloured).
EXPORT_OPTIONS = tuple(p for p in inspect.signature(export).parameters if p not in ("frames", "path", *_BATCH_OWNED))
JOB_OPTIONS = EXPORT_OPTIONS + ("color_by",)
#: Formats whose one file may hold several frames (the rest hold one frame per file).
_MANY_FRAME_SUFFIXES = (".npy", ".npz")


@dataclass(init=False)
class ExportJob:
    """One export of a batch: ``ExportJob(frames, path, **options)`` with export()'s options.

    ``frames`` is anything export() takes, or file paths and globs (a str, an os.PathLike or a
    list of them), read where the job runs, in natural order, one frame per file (a .npy/.npz may
    hold several), coloured by ``color_by`` ("auto", "rgb", "z", "intensity", "classification").
    """

    frames: Any
    path: str
    options: dict = field(default_factory=dict)

    def __init__(self, frames: Any, path: Union[str, os.PathLike], **options: Any):
        self.frames = _file_inputs(frames) or frames
        self.path = os.fspath(path)
        self.options = dict(options)

    @classmethod
    def of(cls, job: Union["ExportJob", Mapping[str, Any]]) -> "ExportJob":
        """``job`` itself, or the job a dict with the keys ``frames``, ``path`` and options describes."""
        if isinstance(job, ExportJob):
            return job
        if isinstance(job, Mapping):
            missing = [k for k in ("frames", "path") if k not in job]
            if missing:
                raise TypeError(f"a job needs {' and '.join(missing)}: got the keys {', '.join(map(str, job)) or '(none)'}")
            rest = {k: v for k, v in job.items() if k not in ("frames", "path")}
            return cls(job["frames"], job["path"], **rest)
        raise TypeError(f"a job is an ExportJob or a dict, got {type(job).__name__}")

    @property
    def files(self) -> Optional[List[str]]:
        """The paths and globs of a job whose frames are files, else None."""
        return _file_inputs(self.frames)

    def check(self) -> None:
        """TypeError naming an option export() does not have (before anything runs)."""
        unknown = [k for k in self.options if k not in JOB_OPTIONS]
        if unknown:
            owned = [k for k in unknown if k in _BATCH_OWNED]
            why = (f"{', '.join(owned)} is set by export_many (one bar for the batch)" if owned else
                   f"export() has no option {', '.join(unknown)}")
            raise TypeError(f"job {self.path}: {why}")
        if "color_by" in self.options and self.files is None:
            raise TypeError(f"job {self.path}: color_by is for frames read from files")

    def __repr__(self) -> str:
        frames = self.files if self.files is not None else f"<{type(self.frames).__name__}>"
        return f"ExportJob({frames!r}, {self.path!r}{''.join(f', {k}={v!r}' for k, v in self.options.items())})"


@dataclass(frozen=True)
class JobFailed:
    """A job that did not make its video: the job, the reason (naming the file or frame where it
    can) and how many times it was tried. Returned in the job's place, never raised."""

    job: ExportJob
    message: str
    attempts: int

    def __str__(self) -> str:
        tries = f" (after {self.attempts} attempts)" if self.attempts > 1 else ""
        return f"{self.job.path}: {self.message}{tries}"


@dataclass(frozen=True)
class Skipped:
    """A job of ``skip_existing=True`` whose video was already there, whole, with its frame count."""

    job: ExportJob
    path: Path
    frames: int


Result = Union[ExportResult, Skipped, JobFailed]


def _file_inputs(frames: Any) -> Optional[List[str]]:
    if isinstance(frames, (str, os.PathLike)):
        return [os.fspath(frames)]
    if isinstance(frames, (list, tuple)) and frames and all(isinstance(f, (str, os.PathLike)) for f in frames):
        return [os.fspath(f) for f in frames]
    return None


# ---- one job, where it runs -----------------------------------------------------------------------

#: Outcomes of _work, small and picklable (exceptions with their own constructors are not all):
#: ("done", ExportResult) | ("skipped", path, frames) | ("failed", message, transient).
Outcome = Tuple


def _transient(error: BaseException) -> bool:
    """Whether trying the job again may help: the browser or the page went away, not the job's input."""
    from .headless.engine import BrowserCrashed, BrowserLaunchFailed, EngineClosed

    if isinstance(error, (BrowserCrashed, BrowserLaunchFailed, EngineClosed, TimeoutError)):
        return True
    return isinstance(error, ExportError) and ("crashed" in str(error) or "sent nothing" in str(error))


def _message(error: BaseException) -> str:
    from .readers import ReadError

    if isinstance(error, (ExportError, ReadError, ContainerUnreadable)):
        return str(error)  # these name the file or say "Export failed: ..."
    return f"{type(error).__name__}: {error}"


def _frames_of(job: ExportJob):
    """export()'s frames, colours, values and categories for ``job``: file inputs are read here."""
    files = job.files
    if files is None:
        return job.frames
    from .cli import read_inputs

    o = job.options  # a LazyFrames: the files are read as the page renders them (lazy_frames.py)
    return read_inputs(files, progress=False, color_by=o.get("color_by", "auto"), bounds=o.get("bounds"),
                       vmin=o.get("vmin"), vmax=o.get("vmax"))


def expected_frames(job: ExportJob) -> int:
    """How many frames ``job``'s video has, counting files without reading their points where the format allows."""
    files = job.files
    if files is not None:
        from .readers import expand_inputs, read_bounds

        return sum(read_bounds(p).frames if p.suffix.lower() in _MANY_FRAME_SUFFIXES else 1 for p in expand_inputs(files))
    from .frames import normalize_frames

    opts = {k: job.options.get(k) for k in ("colors", "values", "categories")}
    return len(normalize_frames(job.frames, **opts))


def existing_output(job: ExportJob) -> Optional[Tuple[Path, int]]:
    """(path, frames) of ``job``'s video if it is already there and whole: the job's path or a
    sibling with another container's extension (a codec fallback writes out.webm for out.mp4),
    with the frame count the job would make. None if there is none, or it is cut short or wrong."""
    from .video_receiver import CONTAINER_MIME_TYPES

    target = Path(os.path.abspath(job.path))
    candidates = [target] + [target.with_suffix(f".{c}") for c in CONTAINER_MIME_TYPES if f".{c}" != target.suffix.lower()]
    present = [p for p in candidates if p.is_file()]
    if not present:
        return None
    want = expected_frames(job)
    for path in present:
        try:
            if container_frames(path) == want:
                return path, want
        except (ContainerUnreadable, OSError):
            continue
    return None


def _give_up(path: str, timeout: float) -> None:
    """The watchdog of a job that ran past its time: this process ends, so that the pool (or Dask)
    tries the job again in a fresh one. A job stuck inside the browser's driver cannot be stopped any other way."""
    _log.error("job %s ran past %g s: ending this worker process (pid %d) to try it again", path, timeout, os.getpid())
    from .headless.engine import _live

    for engine in list(_live):  # what an engine's exit would remove; its driver and browser go with this process
        if engine.temp_root:
            shutil.rmtree(engine.temp_root, ignore_errors=True)
    os._exit(75)


def _work(job: ExportJob, skip_existing: bool, timeout: Optional[float] = None) -> Outcome:
    """Runs one job in this process, with its warm browser (get_engine); never raises for the job's own
    failure. Past ``timeout`` seconds the process ends (_give_up)."""
    watchdog = None
    if timeout is not None:
        watchdog = threading.Timer(timeout, _give_up, args=(job.path, timeout))
        watchdog.daemon = True
        watchdog.start()
    try:
        if skip_existing:
            found = existing_output(job)
            if found is not None:
                return ("skipped", found[0], found[1])
        options = {k: v for k, v in job.options.items() if k != "color_by"}
        return ("done", export(_frames_of(job), job.path, progress=False, **options))
    except Exception as error:  # reported in the job's place; KeyboardInterrupt still stops the batch
        return ("failed", _message(error), _transient(error))
    finally:
        if watchdog is not None:
            watchdog.cancel()


# ---- progress ------------------------------------------------------------------------------------

class _Bar:
    """One bar for the batch: jobs finished, failed and skipped, and frames per second over all workers."""

    def __init__(self, total: int, enabled: bool):
        self.started = time.monotonic()
        self.frames = 0
        self.counts = collections.Counter()
        self.bar = None
        if enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit="job", desc="cloudreel batch", dynamic_ncols=True)

    def add(self, result: Result) -> None:
        kind = {ExportResult: "done", Skipped: "skipped", JobFailed: "failed"}[type(result)]
        self.counts[kind] += 1
        if isinstance(result, ExportResult):
            self.frames += result.frames
        if self.bar is not None:
            elapsed = max(time.monotonic() - self.started, 1e-9)
            self.bar.set_postfix({k: self.counts[k] for k in ("done", "failed", "skipped")} | {"fps": f"{self.frames / elapsed:.1f}"}, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _record(job: ExportJob, outcome: Outcome, attempts: int) -> Result:
    if outcome[0] == "done":
        return outcome[1]
    if outcome[0] == "skipped":
        return Skipped(job, Path(outcome[1]), int(outcome[2]))
    return JobFailed(job, outcome[1], attempts)


# ---- the batch -----------------------------------------------------------------------------------

def export_many(jobs: Iterable[Union[ExportJob, Mapping[str, Any]]], *, workers: Optional[int] = None, client=None,
                retries: int = 2, skip_existing: bool = False, progress: bool = True,
                timeout: Optional[float] = JOB_TIMEOUT) -> List[Result]:
    """Runs every job and returns one result per job, in order: an ExportResult, a Skipped (with
    ``skip_existing=True``, a whole video already there) or a JobFailed (the job, the message, the
    attempts). One job's failure never stops the others.

    ``client=None``: a local pool of ``workers`` processes (default: the machine's cores), each
    with one warm browser, replaced after JOBS_PER_PROCESS jobs. ``client``: a
    dask.distributed Client; each job is a task, each Dask worker keeps one warm browser
    (BrowserPlugin). A job whose browser crashed or whose worker died is tried again, up to
    ``retries`` more times; a job whose input or options are wrong is not. A job still running
    ``timeout`` seconds after it started ends its worker process, and is tried again like a job
    whose worker died (None: no limit). ``progress``: one bar on stderr for the batch.
    """
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        raise ValueError(f"retries must be a whole number >= 0, got {retries!r}")
    if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout must be a number of seconds > 0 or None, got {timeout!r}")
    if workers is not None and client is not None:
        raise ValueError("give workers (a local pool) or client (Dask), not both")
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    results: List[Optional[Result]] = []
    runnable: List[Tuple[int, ExportJob]] = []
    for i, raw in enumerate(jobs):
        try:
            job = ExportJob.of(raw)
            job.check()
        except TypeError as e:
            results.append(JobFailed(_as_given(raw, i), str(e), 0))
            continue
        results.append(None)
        runnable.append((i, job))
    bar = _Bar(len(results), progress)
    for r in results:
        if r is not None:
            bar.add(r)
    try:
        if client is None:
            ran = _run_local(runnable, workers or os.cpu_count() or 1, retries, skip_existing, timeout, bar)
        else:
            ran = _run_dask(runnable, client, retries, skip_existing, timeout, bar)
    finally:
        bar.close()
    for i, result in ran.items():
        results[i] = result
    return results  # type: ignore[return-value]


def _as_given(raw: Any, index: int) -> ExportJob:
    """A job that could not be made from ``raw``, for its JobFailed: as much of it as it gave."""
    if isinstance(raw, ExportJob):
        return raw
    path = raw.get("path") if isinstance(raw, Mapping) else None
    return ExportJob(raw.get("frames") if isinstance(raw, Mapping) else raw,
                     path if isinstance(path, (str, os.PathLike)) else f"job {index}")


# ---- a local process pool ------------------------------------------------------------------------

def _start_method() -> str:
    # Never fork: the parent may have an engine thread (and Playwright's) that a child would lack.
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _worker_init(log_queue, level: int) -> None:
    """A pool process: cloudreel's log records go to the parent, which logs them as its own, and its
    browser closes when it ends (a multiprocessing child skips atexit, where the engine closes)."""
    from multiprocessing.util import Finalize

    from .headless.engine import close_all

    Finalize(None, close_all, exitpriority=10)
    # A broken pool terminates its other processes (SIGTERM): end through the finalizers too.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    logger = logging.getLogger("cloudreel")
    logger.setLevel(level)
    logger.addHandler(logging.handlers.QueueHandler(log_queue))
    logger.propagate = False


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)


class _Relay(logging.Handler):
    """In the parent: a worker's record, logged by the logger of the same name."""

    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger(record.name).handle(record)


def _run_local(runnable, workers: int, retries: int, skip_existing: bool, timeout: Optional[float], bar: _Bar) -> dict:
    context = multiprocessing.get_context(_start_method())
    log_queue = context.Queue()
    listener = logging.handlers.QueueListener(log_queue, _Relay())
    listener.start()
    level = logging.getLogger("cloudreel").getEffectiveLevel()
    pending = collections.deque(runnable)
    attempts = collections.Counter()
    done: dict = {}
    in_flight: dict = {}
    pool = None
    try:
        while pending or in_flight:
            if pool is None:
                pool = concurrent.futures.ProcessPoolExecutor(
                    max_workers=min(workers, len(pending)) or 1, mp_context=context, initializer=_worker_init,
                    initargs=(log_queue, level), max_tasks_per_child=JOBS_PER_PROCESS)
            # As many jobs in flight as processes: when one dies, only the jobs it may have held are suspects.
            while pending and len(in_flight) < workers:
                i, job = pending.popleft()
                attempts[i] += 1
                in_flight[pool.submit(_work, job, skip_existing, timeout)] = (i, job)
            finished, _ = concurrent.futures.wait(in_flight, return_when=concurrent.futures.FIRST_COMPLETED)
            broken = False
            for future in finished:
                i, job = in_flight.pop(future)
                try:
                    outcome = future.result()
                except concurrent.futures.process.BrokenProcessPool:
                    broken = True
                    outcome = ("failed", "its worker process died (killed, or out of memory)", True)
                except Exception as error:  # the job could not be sent to the pool (unpicklable frames)
                    outcome = ("failed", _message(error), False)
                if outcome[0] == "failed" and outcome[2] and attempts[i] <= retries:
                    _log.warning("job %s failed (%s); trying again", job.path, outcome[1])
                    pending.appendleft((i, job))
                    continue
                done[i] = _record(job, outcome, attempts[i])
                bar.add(done[i])
            if broken:  # every job still in flight fails with the pool: collect them, then a new pool
                concurrent.futures.wait(in_flight)
                for future in list(in_flight):
                    i, job = in_flight.pop(future)
                    if future.exception() is None:
                        done[i] = _record(job, future.result(), attempts[i])
                        bar.add(done[i])
                    elif attempts[i] <= retries:
                        pending.appendleft((i, job))
                    else:
                        done[i] = JobFailed(job, "its worker process died (killed, or out of memory)", attempts[i])
                        bar.add(done[i])
                pool.shutdown(wait=True)
                pool = None
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        listener.stop()
        log_queue.close()
        log_queue.join_thread()
    return done


# ---- Dask ----------------------------------------------------------------------------------------

def _browser_plugin_class():
    from distributed.diagnostics.plugin import WorkerPlugin

    class BrowserPlugin(WorkerPlugin):
        """A Dask worker plugin: the worker's one warm browser (headless/engine.py's engine thread,
        which every task thread hands its export to) starts with the first export and closes when
        the worker goes."""

        name = "cloudreel-browser"
        #: A second export_many on the same cluster keeps the plugin (and the warm browsers) it has.
        idempotent = True

        def setup(self, worker) -> None:
            pass  # get_engine() starts the browser on the first export; a worker with no job never starts one

        def teardown(self, worker) -> None:
            from .headless.engine import close_all

            close_all()

    BrowserPlugin.__module__, BrowserPlugin.__qualname__ = __name__, "BrowserPlugin"
    return BrowserPlugin


def __getattr__(name: str):
    # BrowserPlugin subclasses distributed's WorkerPlugin: made on first use, so that importing
    # cloudreel does not import distributed (the extra cloudreel[dask]).
    if name == "BrowserPlugin":
        globals()[name] = _browser_plugin_class()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _TryAgain(RuntimeError):
    """Raised in a Dask task for a failure worth another try, so that Dask's own ``retries`` apply."""


def _dask_task(job: ExportJob, skip_existing: bool, timeout: Optional[float]) -> Outcome:
    outcome = _work(job, skip_existing, timeout)
    if outcome[0] == "failed" and outcome[2]:
        raise _TryAgain(outcome[1])
    return outcome


def _run_dask(runnable, client, retries: int, skip_existing: bool, timeout: Optional[float], bar: _Bar) -> dict:
    from distributed import as_completed

    plugin = __getattr__("BrowserPlugin")
    client.register_plugin(plugin(), name=plugin.name)
    batch = uuid.uuid4().hex[:8]
    futures = {}
    for i, job in runnable:
        future = client.submit(_dask_task, job, skip_existing, timeout, key=f"cloudreel-export-{batch}-{i}",
                               retries=retries, pure=False)
        futures[future] = (i, job)
    done: dict = {}
    try:
        for future in as_completed(list(futures)):
            i, job = futures.pop(future)
            try:
                outcome = future.result()
                attempts = 1
            except _TryAgain as e:
                outcome, attempts = ("failed", str(e), False), retries + 1
            except Exception as e:  # KilledWorker (its workers kept dying), a lost scheduler
                outcome, attempts = ("failed", _message(e), False), retries + 1
            # Let go at once: a result held on a worker that dies later would be computed (exported) again.
            future.release()
            done[i] = _record(job, outcome, attempts)
            bar.add(done[i])
    finally:
        for future in futures:
            future.cancel()
    return done
