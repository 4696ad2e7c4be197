"""The bench's Python side of cloudreel.export() (bench/run.mjs, "export() from Python" and "frames
Python -> runner page"): run in a fresh .venv Python process, prints one JSON object on stdout.

  export:   cold (this process's first export: imports, frames read, browser launched) and warm
            (a second export in the same process) of the cached frames to two files.
  transfer: the frames of one case over the runner page's loopback server, alternating `runs`
            times between a bare fetch loop in the runner page (its script not served: nothing
            decoded or checked) and the runner page itself (first request to last frame checked,
            from the page's window.cloudreelRunner.timings marks); the export that follows the
            checks is aborted.
"""

import argparse
import json
import sys
import tempfile
import time

T_PROCESS = time.time()  # epoch seconds, as close to this process's start as Python gets

#: The bare loop: the same GET as the runner page's, every chunk read and dropped.
BARE_FETCH = """async () => {
  const t0 = performance.now();
  const response = await fetch(new URL('frames', location.href), { cache: 'no-store' });
  const tResponse = performance.now();
  const reader = response.body.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
  }
  return { ms: performance.now() - t0, responseMs: tResponse - t0, bytes };
}"""

CHECKED = "() => window.cloudreelRunner?.timings?.framesChecked !== undefined"


def read_frames(args):
    import numpy as np

    shape = (args.frames, args.points, 3)
    pos = np.fromfile(args.positions, dtype="<f4").reshape(shape)
    col = np.fromfile(args.colors, dtype="<f4").reshape(shape)
    return pos, col


def run_export(args) -> dict:
    import cloudreel
    from cloudreel.headless.browsers import find_browser

    marks = {"process": T_PROCESS, "imported": time.time()}
    pos, col = read_frames(args)
    marks["framesRead"] = time.time()
    options = dict(colors=col, fps=args.fps, width=args.width, height=args.height, progress=False)
    cold = cloudreel.export(pos, args.out_cold, **options)
    marks["coldWritten"] = time.time()
    t0 = time.perf_counter()
    warm = cloudreel.export(pos, args.out_warm, **options)
    warm_seconds = time.perf_counter() - t0
    result = lambda r: {"path": str(r.path), "codec": r.codec, "bytes": r.bytes, "frames": r.frames,  # noqa: E731
                        "timings": {k: round(v, 4) for k, v in r.timings.items()}}
    return {"marks": marks, "cold": result(cold), "warm": result(warm), "warmSeconds": warm_seconds,
            "cloudreel": cloudreel.__version__, "browser": find_browser()}


def run_transfer(args) -> dict:
    from cloudreel.frames import normalize_frames
    from cloudreel.headless.engine import get_engine
    from cloudreel.headless.runner_dist import runner_files
    from cloudreel.headless.runner_server import RunnerServer
    from cloudreel.wire import pack_frames

    pos, col = read_frames(args)
    header, payload = pack_frames(normalize_frames(pos, colors=col))
    del pos, col
    job = {"header": header, "options": {"fps": args.fps, "width": args.width, "height": args.height}}
    files = runner_files()
    bare_files = {name: path for name, path in files.items() if name != "runner.js"}  # the page, without its script
    engine = get_engine(None)
    runs = []

    def in_page(browser, server, measure):
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(server.url, wait_until="load", timeout=60_000)
            return measure(page)
        finally:
            context.close()

    def bare(page):
        return page.evaluate(BARE_FETCH)

    def ours(page):
        page.wait_for_function(CHECKED, polling=50, timeout=300_000)
        marks = page.evaluate("() => window.cloudreelRunner.timings")
        page.evaluate("() => window.cloudreelRunner.abort()")
        return {"ms": marks["framesChecked"] - marks["jobRequested"], "marks": marks}

    with tempfile.TemporaryDirectory(prefix="cloudreel-bench-") as folder:
        engine.run(lambda b: None)  # the browser launched before anything is timed
        for i in range(args.runs):
            for kind, served, measure in (("bare", bare_files, bare), ("ours", files, ours)):
                server = RunnerServer(served, job, payload, folder)
                try:
                    r = engine.run(lambda b: in_page(b, server, measure), timeout=600)
                finally:
                    server.close()
                r.update(kind=kind, run=i + 1)
                runs.append(r)
                print(f"  {kind} {i + 1}: {len(payload) / 1e6 / (r['ms'] / 1000):.1f} MB/s", file=sys.stderr, flush=True)
    return {"bytes": len(payload), "runs": runs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["export", "transfer"])
    ap.add_argument("--positions", required=True)
    ap.add_argument("--colors", required=True)
    ap.add_argument("--frames", type=int, required=True)
    ap.add_argument("--points", type=int, required=True)
    ap.add_argument("--fps", type=float, default=5)
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--out-cold")
    ap.add_argument("--out-warm")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    out = run_export(args) if args.mode == "export" else run_transfer(args)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
