"""`cloudreel batch PATTERN... --out DIR` (or `--jobs FILE.csv|jsonl`): many animations through export_many(), with a summary table."""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import sys
from pathlib import Path
from typing import Callable, List, Sequence, Tuple

from .readers import SUFFIXES, natural_sorted

__all__ = ["add_batch_command", "folder_jobs", "jobs_file", "run_batch"]

OK, FAILED, BAD_INPUT = 0, 1, 2

EXAMPLE = """\
examples:
  cloudreel batch 'drives/*' --out videos --workers 4 --fps 10 --size 1280x720

  Every folder drives/NAME becomes videos/NAME.mp4, its scan files ({suffixes}) in natural
  order (scan_2 before scan_10), on 4 local processes with one headless browser each.

  cloudreel batch --jobs jobs.csv --out videos --scheduler tcp://10.0.0.5:8786 --skip-existing

  One row per video, on a running Dask scheduler (pip install 'cloudreel[dask]' on every worker,
  and a Chromium). CSV columns: output, inputs (paths or globs separated by ';'), and any option
  by its flag's name (fps, size, codec, quality, point_size, point_shape, background, title,
  color_by, colormap, vmin, vmax, bounds); JSON lines: the same keys, inputs a string or a list.
  Relative outputs go under --out; --skip-existing keeps videos already whole with their frame count.

exit codes: 0 every video written or kept, 1 some jobs failed (listed on stderr), 2 bad input
(arguments, a pattern matching no folder, an unreadable jobs file)
"""


class _Refused(ValueError):
    """A row of a jobs file or an option that cannot be used."""


class _RowParser(argparse.ArgumentParser):
    def error(self, message):  # a row's bad option is a message for that row, not an exit
        raise _Refused(message)


def add_batch_command(commands, export_arguments: Callable[[argparse.ArgumentParser], None]) -> None:
    batch = commands.add_parser(
        "batch", help="render many animations (one per folder, or per row of a jobs file) on a pool or a Dask cluster",
        description="Renders one video per folder of scans (or per row of --jobs) with cloudreel.export_many().",
        epilog=EXAMPLE.format(suffixes=", ".join(SUFFIXES)), formatter_class=argparse.RawDescriptionHelpFormatter)
    batch.add_argument("patterns", nargs="*", metavar="PATTERN",
                       help="folders or globs matching folders: each folder is one animation named after it")
    batch.add_argument("--out", required=True, metavar="DIR", help="the folder the videos go to")
    batch.add_argument("--jobs", metavar="FILE", help="a .csv or .jsonl file of jobs (output, inputs, options per row)")
    where = batch.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None, metavar="N", help="local processes (default: the machine's cores)")
    where.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler, e.g. tcp://host:8786 (cloudreel[dask])")
    batch.add_argument("--skip-existing", action="store_true", help="keep videos already there, whole, with their frame count")
    batch.add_argument("--retries", type=int, default=2, help="more tries for a job whose browser or worker died (default 2)")
    batch.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                       help="end a job's worker and try the job again after this long (default 1800)")
    export_arguments(batch)


def _job_options(args: argparse.Namespace) -> dict:
    from .cli import export_options

    return {**export_options(args), "color_by": args.color_by}


def folder_jobs(patterns: Sequence[str], out: Path, options: dict) -> Tuple[list, List[Tuple[str, str]]]:
    """(jobs, refused): one job per folder the patterns match, its files in natural order, its video
    out/<folder>.mp4; a folder with no point-cloud file is refused (name, reason). _Refused for a
    pattern that matches no folder."""
    folders = {}
    for pattern in patterns:
        matches = [m for m in (glob.glob(pattern, recursive=True) if glob.has_magic(pattern) else [pattern])
                   if os.path.isdir(m)]
        if not matches:
            raise _Refused(f"{pattern}: matches no folder")
        for m in matches:
            folders.setdefault(os.path.abspath(m), m)
    jobs, refused = [], []
    for key in natural_sorted(folders):
        folder = Path(key)
        files = [str(p) for p in natural_sorted(folder.iterdir()) if p.suffix.lower() in SUFFIXES and p.is_file()]
        if not files:
            refused.append((folders[key], f"no point-cloud files ({', '.join(SUFFIXES)}) in this folder"))
            continue
        jobs.append({"frames": files, "path": str(out / f"{folder.name}.mp4"), **options})
    return jobs, refused


def _row_flags(row: dict, where: str) -> Tuple[str, List[str], List[str]]:
    """(output, inputs, the row's options as command-line flags) of one row of a jobs file."""
    row = {str(k).strip().lower().replace("-", "_"): v for k, v in row.items() if k is not None}
    row = {k: v for k, v in row.items() if v not in (None, "")}
    output = row.pop("output", None) or row.pop("path", None)
    inputs = row.pop("inputs", None)
    if not output or not inputs:
        raise _Refused(f"{where}: a job needs an output and inputs, got {', '.join(row) or 'neither'}")
    if isinstance(inputs, str):
        inputs = [p.strip() for p in inputs.split(";") if p.strip()]
    flags = []
    for key, value in row.items():
        if key == "title":
            if str(value).strip().lower() in ("false", "0", "no"):
                flags.append("--no-title")
            continue
        key = "codec" if key == "codecs" else key
        if isinstance(value, (list, tuple)):
            value = ",".join(map(str, value))
        flags += [f"--{key.replace('_', '-')}", str(value)]
    return str(output), [str(p) for p in inputs], flags


def jobs_file(path: str, out: Path, defaults: argparse.Namespace, export_arguments) -> list:
    """The jobs of a .csv or .jsonl file: each row's options over the command line's; _Refused names the row."""
    from .cli import export_options

    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        raise _Refused(f"{path}: a jobs file is .csv or .jsonl")
    try:
        with open(path, newline="", encoding="utf-8") as f:
            if suffix == ".csv":
                rows = [(f"{path} line {i + 2}", r) for i, r in enumerate(csv.DictReader(f))]
            else:
                rows = []
                for i, line in enumerate(f):
                    if line.strip():
                        try:
                            rows.append((f"{path} line {i + 1}", json.loads(line)))
                        except json.JSONDecodeError as e:
                            raise _Refused(f"{path} line {i + 1}: not JSON ({e.msg})") from None
    except OSError as e:
        raise _Refused(f"{path}: cannot be read ({e.strerror or e})") from None
    parser = _RowParser(prog="row", add_help=False)
    export_arguments(parser)
    parser.set_defaults(**{k: v for k, v in vars(defaults).items() if k in vars(parser.parse_args([]))})
    jobs = []
    for where, row in rows:
        if not isinstance(row, dict):
            raise _Refused(f"{where}: a job is an object with output, inputs and options")
        output, inputs, flags = _row_flags(row, where)
        try:
            args = parser.parse_args(flags)
        except _Refused as e:
            raise _Refused(f"{where}: {e}") from None
        target = Path(output) if os.path.isabs(output) else out / output
        jobs.append({"frames": [os.path.abspath(p) for p in inputs], "path": str(target.absolute()),
                     **export_options(args), "color_by": args.color_by})
    if not jobs:
        raise _Refused(f"{path}: no jobs in this file")
    return jobs


def _summary(jobs: list, results: list, refused: List[Tuple[str, str]], out: Path) -> str:
    from .batch import JobFailed, Skipped
    from .video_receiver import size_text

    rows = [("video", "status", "frames", "codec", "size", "seconds")]
    for job, r in zip(jobs, results):
        if isinstance(r, JobFailed):
            rows.append((_shown(Path(job["path"]), out), "failed", "-", "-", "-", "-"))
        elif isinstance(r, Skipped):
            rows.append((_shown(r.path, out), "kept", str(r.frames), "-", size_text(r.path.stat().st_size), "-"))
        else:
            rows.append((_shown(r.path, out), "written", str(r.frames), r.codec, size_text(r.bytes),
                         f"{r.timings.get('total', 0):.1f}"))
    rows += [(name, "failed", "-", "-", "-", "-") for name, _ in refused]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)


def _shown(path: Path, out: Path) -> str:
    try:
        return str(path.relative_to(out.absolute()))
    except ValueError:
        return str(path)


def run_batch(args: argparse.Namespace) -> int:
    from .cli import _export_arguments, _fail

    out = Path(args.out).absolute()
    if not args.patterns and not args.jobs:
        return _fail(BAD_INPUT, "give folders (PATTERN...) or --jobs FILE", "batch")
    if args.workers is not None and args.workers < 1:
        return _fail(BAD_INPUT, f"--workers must be 1 or more, got {args.workers}", "batch")
    try:
        jobs, refused = folder_jobs(args.patterns, out, _job_options(args))
        if args.jobs:
            jobs += jobs_file(args.jobs, out, args, _export_arguments)
    except _Refused as e:
        return _fail(BAD_INPUT, str(e), "batch")
    seen = {}
    for job in jobs:
        other = seen.setdefault(os.path.normcase(job["path"]), job)
        if other is not job:
            return _fail(BAD_INPUT, f"two jobs write {job['path']}: {_inputs(other)} and {_inputs(job)}", "batch")
    client = None
    if args.scheduler:
        try:
            from distributed import Client
        except ImportError:
            return _fail(BAD_INPUT, "--scheduler needs dask.distributed: pip install 'cloudreel[dask]'", "batch")
        try:
            client = Client(args.scheduler, timeout=30)
        except OSError as e:
            return _fail(FAILED, f"cannot reach the Dask scheduler {args.scheduler}: {e}", "batch")
    from .batch import JOB_TIMEOUT, JobFailed, export_many

    try:
        results = export_many(jobs, workers=args.workers, client=client, retries=args.retries,
                              skip_existing=args.skip_existing, progress=not args.no_progress,
                              timeout=args.timeout or JOB_TIMEOUT) if jobs else []
    finally:
        if client is not None:
            client.close()
    print(_summary(jobs, results, refused, out))
    failed = [(_inputs(job), r.message) for job, r in zip(jobs, results) if isinstance(r, JobFailed)] + refused
    if failed:
        print(f"cloudreel batch: {len(failed)} of {len(jobs) + len(refused)} jobs failed:", file=sys.stderr)
        for name, message in failed:
            print(f"  {name}: {message}", file=sys.stderr)
        return FAILED
    return OK


def _inputs(job: dict) -> str:
    """How the summary names a job: its folder (all its files in one), else its inputs."""
    files = job["frames"]
    parents = {os.path.dirname(f) for f in files}
    names = [parents.pop()] if len(parents) == 1 else files
    here = os.getcwd() + os.sep
    return "; ".join(os.path.relpath(n) if n.startswith(here) else n for n in names)
