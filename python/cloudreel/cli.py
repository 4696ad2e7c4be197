"""The `cloudreel` command: `render INPUT... -o OUT` (point-cloud files to a video through cloudreel.export()) and `batch` (batch_cli.py)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional, Sequence

# Only light modules at import: the readers' libraries, the export machinery (Playwright)
# and the widget (ipywidgets) load when a command needs them, so --help answers at once.
from .readers import COLOR_BY, SUFFIXES, ReadError, expand_inputs

__all__ = ["main"]

#: Exit codes: the video was written; the input was refused (arguments, files, validation); the export failed.
OK, EXPORT_FAILED, BAD_INPUT = 0, 1, 2

EXAMPLE = """\
example:
  cloudreel render 'drive/scan_*.bin' -o drive.mp4 --fps 10 --size 1280x720 --color-by intensity

  Renders every drive/scan_N.bin in natural order (scan_2 before scan_10; quote the glob, or let
  the shell expand it: the files are sorted either way), one file per frame, to drive.mp4, with a
  progress bar on stderr, and prints what it wrote:
    drive.mp4: 3 frames, 0.3 s, webcodecs-h264 (video/mp4), 0.3 MB

  A file may hold every frame: a .npy of shape (F, N, 3) or a .npz (see README, "Files").

files: {suffixes} (the readers need: pip install 'cloudreel[files,headless]')
exit codes: 0 written, 1 the export failed (no browser, the page failed), 2 bad input
(arguments, unreadable or empty files, a glob matching nothing, invalid frames or options)
"""


def _size(text: str) -> tuple:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be WIDTHxHEIGHT such as 1280x720, got {text!r}") from None
    return width, height


def _bounds(text: str) -> tuple:
    try:
        v = [float(x) for x in text.split(",")]
    except ValueError:
        v = []
    if len(v) != 6:
        raise argparse.ArgumentTypeError(f"must be six numbers xmin,ymin,zmin,xmax,ymax,zmax, got {text!r}")
    return tuple(v[:3]), tuple(v[3:])


def _codecs(text: str) -> List[str]:
    from .video_receiver import CODEC_CONTAINERS

    ids = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in ids if c not in CODEC_CONTAINERS]
    if unknown or not ids:
        raise argparse.ArgumentTypeError(f"unknown codec {', '.join(unknown) or text!r}: choose from {', '.join(CODEC_CONTAINERS)}")
    return ids


def _export_arguments(command: argparse.ArgumentParser) -> None:
    """export()'s options as flags: the same for `render` and for every job of `batch`."""
    from .options import POINT_SHAPES
    from .scales import COLORMAPS
    from .video_receiver import CODEC_CONTAINERS

    command.add_argument("--fps", type=float, default=5, help="frames per second (default 5)")
    command.add_argument("--size", type=_size, default=(1280, 720), metavar="WxH", help="video size (default 1280x720)")
    command.add_argument("--codec", action="append", type=_codecs, metavar="CODEC",
                         help=f"codec ids to try in order, repeated or comma-separated ({', '.join(CODEC_CONTAINERS)}); default: that order")
    command.add_argument("--quality", default="standard", help="high, standard or small (default standard)")
    command.add_argument("--point-size", type=float, default=None, help="point diameter in pixels at 720 lines (default: from the point count)")
    command.add_argument("--point-shape", choices=POINT_SHAPES, default="square")
    command.add_argument("--background", default="#000000", help="CSS colour (default #000000)")
    command.add_argument("--no-title", action="store_true", help="no 'Frame i/N | n points' line at the top")
    command.add_argument("--color-by", choices=COLOR_BY, default="auto",
                         help="auto (RGB when the first frame has it, else z), rgb, z (height), intensity, classification")
    command.add_argument("--colormap", choices=COLORMAPS, default="viridis", help="for z and intensity (default viridis)")
    command.add_argument("--vmin", type=float, default=None, help="value at the colormap's low end (default: the data's)")
    command.add_argument("--vmax", type=float, default=None, help="value at the colormap's high end")
    command.add_argument("--bounds", type=_bounds, default=None, metavar="XMIN,YMIN,ZMIN,XMAX,YMAX,ZMAX",
                         help="fixed framing in world coordinates (default: fitted to all frames)")
    command.add_argument("--browser", default=None, help="a Chromium executable (default: $CLOUDREEL_BROWSER, then the usual places)")
    command.add_argument("--no-progress", action="store_true", help="no progress on stderr")


def export_options(args: argparse.Namespace) -> dict:
    """export()'s keyword options from the flags of _export_arguments (not progress)."""
    codecs = None if args.codec is None else [c for ids in args.codec for c in ids]  # --codec a,b --codec c
    return dict(fps=args.fps, width=args.size[0], height=args.size[1], title=not args.no_title, codecs=codecs,
                quality=args.quality, point_size=args.point_size, point_shape=args.point_shape, colormap=args.colormap,
                background=args.background, bounds=args.bounds, vmin=args.vmin, vmax=args.vmax, browser=args.browser)


def _parser() -> argparse.ArgumentParser:
    from ._version import __version__
    from .batch_cli import add_batch_command

    top = argparse.ArgumentParser(prog="cloudreel", description="Point-cloud animations to video.")
    top.add_argument("--version", action="version", version=f"cloudreel {__version__}")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True)
    render = commands.add_parser(
        "render", help="render point-cloud files to a video in a headless browser",
        description="Renders point-cloud files to a video in a headless browser (cloudreel.export()).",
        epilog=EXAMPLE.format(suffixes=", ".join(SUFFIXES)), formatter_class=argparse.RawDescriptionHelpFormatter)
    render.add_argument("inputs", nargs="+", metavar="INPUT", help="files or globs, one file per frame (or one file holding all frames)")
    render.add_argument("-o", "--output", required=True, metavar="OUT", help="the video to write; its extension follows the codec that worked (.mp4, .webm, .gif)")
    _export_arguments(render)
    add_batch_command(commands, _export_arguments)
    return top


def read_inputs(patterns: Sequence[str], progress: bool = True, *, color_by: str = "auto", bounds=None,
                vmin: Optional[float] = None, vmax: Optional[float] = None):
    """The frames of the files ``patterns`` name, in natural order, as a lazy_frames.LazyFrames: the one
    place the CLI reads files. Only the bounds pass runs now (a progress line per file on stderr; none
    with ``bounds`` where nothing else needs it); each frame is read when the page renders it."""
    from .lazy_frames import LazyFrames

    paths = expand_inputs(patterns)
    report = None
    if progress:
        from .headless.progress import ProgressReport

        report = ProgressReport()

    def heard(done: int, total: Optional[int], unit: str) -> None:
        if report is not None and total:
            text = f"Reading file {done + 1}/{total}" if done < total else f"Read {total} files"
            report("read", done / total, text)

    try:
        return LazyFrames(paths, color_by=color_by, bounds=bounds, vmin=vmin, vmax=vmax, on_progress=heard)
    finally:
        if report is not None:
            report.close()


def _fail(code: int, message: str, command: str = "render") -> int:
    print(f"cloudreel {command}: error: {message}", file=sys.stderr)
    return code


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)  # exits 2 with argparse's message on bad arguments
    try:
        if args.command == "batch":
            from .batch_cli import run_batch

            return run_batch(args)
        return _render(args)
    except KeyboardInterrupt:
        print(f"cloudreel {args.command}: cancelled" + (", nothing written" if args.command == "render" else ""),
              file=sys.stderr)
        return 130


def _render(args: argparse.Namespace) -> int:
    try:
        frames = read_inputs(args.inputs, progress=not args.no_progress, color_by=args.color_by, bounds=args.bounds,
                             vmin=args.vmin, vmax=args.vmax)
    except (ReadError, ValueError) as e:  # a file, or --bounds/--vmin/--vmax refused by their checks
        return _fail(BAD_INPUT, str(e))
    from .headless.browsers import BrowserNotFound
    from .headless.export import ExportError, export
    from .video_receiver import size_text

    try:
        result = export(frames, args.output, **export_options(args), progress=not args.no_progress)
    except (ExportError, BrowserNotFound) as e:
        return _fail(EXPORT_FAILED, str(e))
    except (ValueError, TypeError) as e:  # export()'s checks of frames and options, before any browser
        return _fail(BAD_INPUT, str(e))
    except (RuntimeError, OSError) as e:  # a crashed browser, missing runner files, an unwritable folder
        return _fail(EXPORT_FAILED, f"{type(e).__name__}: {e}")
    shown = os.path.relpath(result.path) if result.path.is_relative_to(os.getcwd()) else result.path
    print(f"{shown}: {result.frames} frames, {result.duration_seconds:g} s, {result.codec} "
          f"({result.mime_type}), {size_text(result.bytes)}")
    return OK
