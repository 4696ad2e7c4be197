"""The long-sequence bench's Python side (bench/long-sequence.mjs, `node bench/run.mjs --long-sequence`): KITTI-style
scans written to a folder, then one cloudreel.export() of them read lazily (lazy_frames.LazyFrames) in a fresh
process; prints one JSON object on stdout.

  generate: FRAMES scans of POINTS points (float32 x, y, z, intensity: a street-like scene sweeping past), skipped
            when the folder already holds them.
  export:   the bounds pass (LazyFrames over the scans in natural order, coloured by intensity), then export() at
            FPS; the time of every "Rendering frame i/N" status (per-frame cost), Python's peak RSS
            (getrusage), the video's frame count from ffprobe.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def scan_path(folder: Path, i: int) -> Path:
    return folder / f"{i:06d}.bin"


def generate(args) -> dict:
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    size = args.points * 16
    t0 = time.perf_counter()
    written = 0
    rng = np.random.default_rng(15)
    # One scene, shifted per frame: ground, two walls, scattered objects (a drive past a street).
    base = rng.uniform([-40, -20, -1.8], [40, 20, 3.0], size=(args.points, 3)).astype(np.float32)
    base[: args.points // 2, 2] = -1.8 + rng.normal(0, 0.03, args.points // 2)
    intensity = rng.random(args.points, dtype=np.float32)
    table = np.empty(args.points, [("x", "<f4"), ("y", "<f4"), ("z", "<f4"), ("intensity", "<f4")])
    for i in range(args.frames):
        path = scan_path(folder, i)
        if path.is_file() and path.stat().st_size == size:
            continue
        table["x"] = (base[:, 0] + 80 - (i * 0.4) % 80) % 80 - 40
        table["y"], table["z"], table["intensity"] = base[:, 1], base[:, 2], intensity
        table.tofile(path)
        written += 1
    return {"folder": str(folder), "written": written, "seconds": time.perf_counter() - t0,
            "bytes": args.frames * size}


def run_export(args) -> dict:
    import cloudreel
    from cloudreel.lazy_frames import LazyFrames

    paths = [scan_path(Path(args.folder), i) for i in range(args.frames)]
    t0 = time.perf_counter()
    lazy = LazyFrames(paths, color_by="intensity")
    bounds_seconds = time.perf_counter() - t0
    rss_after_bounds = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rendered = {}

    def on_status(phase, fraction, message):
        if message.startswith("Rendering frame "):
            index = int(message.split()[2].split("/")[0])
            rendered.setdefault(index, time.perf_counter())  # a fallback codec renders again: its first pass counts

    t1 = time.perf_counter()
    result = cloudreel.export(lazy, args.out, fps=args.fps, width=1280, height=720, progress=False, on_status=on_status)
    export_seconds = time.perf_counter() - t1
    times = [rendered[i] for i in sorted(rendered)]
    steps = np.diff(times)
    first, last = steps[:100], steps[-100:]
    probe = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
                            "stream=codec_name,nb_read_packets", "-of", "json", str(result.path)],
                           capture_output=True, text=True, timeout=120, check=True)
    stream = json.loads(probe.stdout)["streams"][0]
    return {
        "frames": result.frames, "codec": result.codec, "bytes": result.bytes, "path": str(result.path),
        "ffprobe": {"codec": stream["codec_name"], "packets": int(stream["nb_read_packets"])},
        "boundsPassSeconds": bounds_seconds, "exportSeconds": export_seconds, "totalSeconds": bounds_seconds + export_seconds,
        "framesPerSecond": result.frames / export_seconds, "timings": result.timings,
        "perFrameFirst100ms": float(first.mean() * 1000), "perFrameLast100ms": float(last.mean() * 1000),
        "renderedStatuses": len(rendered),
        "pythonPeakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pythonPeakRssAfterBoundsMB": rss_after_bounds, "cloudreel": cloudreel.__version__,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["generate", "export"])
    parser.add_argument("--folder", required=True)
    parser.add_argument("--frames", type=int, default=2000)
    parser.add_argument("--points", type=int, default=120_000)
    parser.add_argument("--fps", type=float, default=10)
    parser.add_argument("--out")
    args = parser.parse_args()
    out = generate(args) if args.command == "generate" else run_export(args)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
