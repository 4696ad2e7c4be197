"""The batch bench (issue 16, `node bench/run.mjs --batch`): N jobs of the same .npy frames exported three ways.

  generate: writes the torus frames (float32, frames x points x 3) to one .npy, read by every job on its worker.
  run FORM: a measuring parent (a child subreaper) starts `form FORM` in a fresh Python and reaps every process
            of its tree, so that getrusage(RUSAGE_CHILDREN) is the CPU time of all of them (Python, pool or
            Dask processes, Playwright's drivers, every Chromium process); a psutil sampler (0.2 s) counts
            Chromium launches (browser processes: no --type=) and a worker's PSS (its Python, driver, browser).
  form FORM: loop = export() per job in this process (one warm browser); pool = export_many(workers=W);
            dask = export_many(client=Client(LocalCluster(n_workers=W, threads_per_worker=1))).
Prints one JSON object on stdout.
"""

import argparse
import ctypes
import json
import os
import resource
import subprocess
import sys
import threading
import time

PR_SET_CHILD_SUBREAPER = 36


def generate(args) -> dict:
    import numpy as np

    t0 = time.perf_counter()
    rng = np.random.default_rng(1)
    u = rng.uniform(0, 2 * np.pi, args.points)
    v = rng.uniform(0, 2 * np.pi, args.points)
    frames = np.empty((args.frames, args.points, 3), dtype=np.float32)
    for f in range(args.frames):  # a torus whose tube breathes and turns, as examples/shapes.js's
        t = 2 * np.pi * f / args.frames
        r = 0.35 + 0.1 * np.sin(3 * u + t)
        x, y, z = (1 + r * np.cos(v)) * np.cos(u + t / 4), (1 + r * np.cos(v)) * np.sin(u + t / 4), r * np.sin(v)
        frames[f] = np.stack([x, y, z], axis=1)
    tmp = args.out + ".tmp.npy"
    np.save(tmp, frames)
    os.replace(tmp, args.out)
    return {"path": args.out, "bytes": os.path.getsize(args.out), "seconds": time.perf_counter() - t0}


def form(args) -> dict:
    marks = {"start": time.time()}
    import cloudreel
    from cloudreel.batch import ExportJob, _frames_of

    jobs = [ExportJob(args.input, os.path.join(args.outdir, f"job-{i:03d}.mp4"), fps=args.fps) for i in range(args.jobs)]
    marks["imported"] = time.time()
    cluster = client = None
    if args.form == "loop":
        results = []
        for job in jobs:  # export() on the job's frames, read here by the batch's own reader
            results.append(cloudreel.export(_frames_of(job), job.path, progress=False, **job.options))
            marks.setdefault("firstDone", time.time())
    else:
        if args.form == "dask":
            from distributed import Client, LocalCluster

            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0")
            client = Client(cluster)
            marks["clusterUp"] = time.time()
        try:
            results = cloudreel.export_many(jobs, workers=None if client else args.workers, client=client, progress=False)
        finally:
            if client is not None:
                marks["batchDone"] = time.time()
                client.close()
                cluster.close()
    marks["done"] = marks.get("batchDone", time.time())
    failed = [str(r) for r in results if not isinstance(r, cloudreel.ExportResult)]
    frames = [r.frames for r in results if isinstance(r, cloudreel.ExportResult)]
    from cloudreel.headless.browsers import find_browser

    return {"form": args.form, "marks": marks, "failed": failed, "frames": frames, "cloudreel": cloudreel.__version__,
            "browser": find_browser()}


class Sampler:
    """Every 0.2 s: the tree's new processes, classified once (Chromium browser processes: the launches); each
    second the CPU time of each process, by kind; every 2 s each browser's worker PSS (the Python process above
    its driver, the driver, the browser and its children) and the whole tree's. It runs beside the form it
    measures and takes CPU from it (from a form that keeps both cores busy, all of it counts): whether a process
    is a browser is read once and kept, and each PSS is read once per round."""

    def __init__(self, root_pid: int, form: str):
        self.form = form
        import psutil

        self.psutil, self.root = psutil, psutil.Process(root_pid)
        self.browsers = {}  # (pid, create_time) -> first seen (epoch s)
        self.peak_worker_pss = 0
        self.peak_tree_pss = 0
        self.cpu_by_process = {}
        self._known = {}  # (pid, create_time) -> is a browser
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _kind(self, p) -> str:
        name = p.name().lower()
        if "chrom" in name:
            return "chromium"
        if name.startswith("node") or "playwright" in name:
            return "playwright driver"
        if "python" in name:
            if p.pid == self.root.pid:
                return "python (form)"
            return "python (dask nannies and workers)" if self.form == "dask" else "python (pool workers, forkserver)"
        return name

    def cpu_by_kind(self) -> dict:
        out = {}
        for kind, seconds in self.cpu_by_process.values():
            out[kind] = round(out.get(kind, 0) + seconds, 2)
        return out

    @staticmethod
    def _is_browser(p):
        try:
            if p.status() == "zombie" or "chrom" not in p.name().lower() or "crashpad" in p.name().lower():
                return False
            cmdline = p.cmdline()
            if not cmdline:
                return None  # not told yet: asked again next round
            if "--headless" not in " ".join(cmdline) or any(a.startswith("--type=") for a in cmdline):
                return False
            parent = p.parent()  # not a browser's child caught between fork and exec (its zygote, still without --type=)
            return parent is not None and "chrom" not in parent.name().lower()
        except Exception:
            return False

    def _pss(self, p) -> int:
        try:
            return p.memory_full_info().pss
        except Exception:
            return 0

    def _classify(self, p):
        """(kind, is a browser: True, False or None while it cannot be told) of ``p``; whether it is a browser
        is read once, its kind each time (a Chromium zygote is "exe" until it execs)."""
        try:
            key = (p.pid, p.create_time())
            kind = self._kind(p)
        except Exception:
            return None
        browser = self._known.get(key)
        if browser is None:
            browser = self._is_browser(p)
            if browser is not None:
                self._known[key] = browser
            if browser:
                self.browsers.setdefault(key, time.time())
        return kind, browser

    def _run(self) -> None:
        tick = 0
        while not self._stop.is_set():
            try:
                tree = [self.root] + self.root.children(recursive=True)
            except Exception:
                tree = []
            kinds = [(p, self._classify(p)) for p in tree]
            if tick % 5 == 0:
                for p, known in kinds:  # last CPU time seen per process, by kind (a share of the total; the tail after the last sample is missed)
                    if known is None:
                        continue
                    try:
                        t = p.cpu_times()
                        self.cpu_by_process[(p.pid, p.create_time())] = (known[0], t.user + t.system)
                    except Exception:
                        pass
            browsers = [p for p, known in kinds if known is not None and known[1]]
            if tick % 10 == 0 and browsers:
                pss = {p.pid: self._pss(p) for p in tree}
                self.peak_tree_pss = max(self.peak_tree_pss, sum(pss.values()))
                for b in browsers:
                    try:
                        driver = b.parent()
                        worker = driver.parent()
                        members = [worker, driver, b] + b.children(recursive=True)
                    except Exception:
                        continue
                    self.peak_worker_pss = max(self.peak_worker_pss, sum(pss.get(m.pid, 0) for m in members))
            tick += 1
            self._stop.wait(0.2)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)


def run(args) -> dict:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [sys.executable, os.path.abspath(__file__), "form", args.form, "--input", args.input, "--outdir", args.outdir,
           "--jobs", str(args.jobs), "--workers", str(args.workers), "--fps", str(args.fps)]
    spawned = time.time()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    sampler = Sampler(child.pid, args.form)
    try:
        out, _ = child.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise
    finally:
        sampler.close()
    exited = time.time()
    # Reap what the tree left to us (orphaned Chromium or Dask processes): their CPU counts only once reaped.
    deadline = time.time() + 30
    leftovers = 0
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            if time.time() > deadline:  # something outlived its parent: end it (it is ours) and reap it
                import psutil

                for p in psutil.Process().children(recursive=True):
                    leftovers += 1
                    p.kill()
                deadline = time.time() + 10
            time.sleep(0.05)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)  # this measuring process, the sampler's thread above all
    if child.returncode != 0:
        raise SystemExit(f"form {args.form} exited with {child.returncode}")
    result = json.loads(out)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result.update(spawned=spawned, exited=exited, processSeconds=exited - spawned, cpuSeconds=cpu,
                  browserLaunches=len(sampler.browsers), browsersSeenAt=sorted(sampler.browsers.values()),
                  peakWorkerPssMB=sampler.peak_worker_pss / 2**20, peakTreePssMB=sampler.peak_tree_pss / 2**20,
                  leftoversKilled=leftovers, sampledCpuSecondsByKind=sampler.cpu_by_kind(),
                  measuringCpuSeconds=own.ru_utime + own.ru_stime)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["generate", "run", "form"])
    ap.add_argument("form", nargs="?", choices=["loop", "pool", "dask"])
    ap.add_argument("--out")
    ap.add_argument("--frames", type=int)
    ap.add_argument("--points", type=int)
    ap.add_argument("--input")
    ap.add_argument("--outdir")
    ap.add_argument("--jobs", type=int, default=24)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--fps", type=float, default=5)
    ap.add_argument("--timeout", type=float, default=3600)
    args = ap.parse_args()
    out = {"generate": generate, "run": run, "form": form}[args.mode](args)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
