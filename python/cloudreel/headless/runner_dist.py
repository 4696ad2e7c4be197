"""Where the runner page's files are: in the installed wheel (the page and cloudreel.mjs in
cloudreel/headless/runner/, the ffmpeg.wasm core shared with the labextension), or dist/ of a built checkout."""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path
from typing import Optional

__all__ = ["CORE", "PAGE", "PACKAGED", "RunnerFilesMissing", "runner_files"]

#: The runner page, its fetch worker and the module it imports, with its ffmpeg.wasm worker.
PAGE = ("runner.html", "runner.js", "runner-fetch.js", "cloudreel.mjs", "cloudreel-worker-ffmpeg.js")
#: The ffmpeg.wasm core, loaded only when WebCodecs cannot encode; the wheel holds one copy, the labextension's.
CORE = ("ffmpeg-core.js", "ffmpeg-core.wasm")
#: What the wheel carries in cloudreel/headless/runner/ from dist/ (hatch_build.py; the sdist carries them in
#: dist/): the page and its module, with the module's licence texts.
PACKAGED = PAGE + ("cloudreel.mjs.LICENSE.txt", "third-party-licenses.json")
_LABEXTENSION_STATIC = "share/jupyter/labextensions/cloudreel/static"


class RunnerFilesMissing(FileNotFoundError):
    """The runner page's files are not where cloudreel looks for them."""


def _missing(folder: Path, names) -> list[str]:
    return [name for name in names if not (folder / name).is_file()]


def _labextension_static() -> Optional[Path]:
    """The installed labextension's static folder, from the wheel's RECORD (importlib.metadata)."""
    try:
        files = importlib.metadata.distribution("cloudreel").files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in files:
        if entry.as_posix().endswith(f"{_LABEXTENSION_STATIC}/ffmpeg-core.wasm"):
            return Path(entry.locate()).resolve().parent
    return None


def runner_files() -> dict[str, Path]:
    """The files the runner server may serve, by name: PAGE and CORE.

    ``$CLOUDREEL_DIST`` if set (a dist/ folder of `npm run build`), else the installed wheel's,
    else the checkout's dist/ (running from a source tree). RunnerFilesMissing says what is missing where.
    """
    configured = os.environ.get("CLOUDREEL_DIST")
    if configured:
        folder = Path(configured)
        if _missing(folder, PAGE + CORE):
            raise RunnerFilesMissing(f"cloudreel's runner page is incomplete: {', '.join(_missing(folder, PAGE + CORE))} "
                                     f"missing from {folder} ($CLOUDREEL_DIST names it: a dist/ folder of `npm run build`)")
        return {name: folder / name for name in PAGE + CORE}
    packaged = Path(__file__).resolve().parent / "runner"
    if packaged.is_dir():
        static = _labextension_static()
        if _missing(packaged, PAGE) or static is None or _missing(static, CORE):
            where = static if static is not None else f"<prefix>/{_LABEXTENSION_STATIC} (not in the cloudreel wheel's RECORD)"
            lost = _missing(packaged, PAGE) + (list(CORE) if static is None else _missing(static, CORE))
            raise RunnerFilesMissing(
                f"cloudreel's installed files are incomplete: {', '.join(lost)} missing from {packaged} or {where}. "
                "Data files are lost by `pip install --target` and some copies of site-packages: "
                "reinstall with `pip install --force-reinstall cloudreel` into an environment")
        return {**{name: packaged / name for name in PAGE}, **{name: static / name for name in CORE}}
    checkout = Path(__file__).resolve().parents[3] / "dist"
    if _missing(checkout, PAGE + CORE):
        raise RunnerFilesMissing(f"cloudreel's runner page is incomplete: {', '.join(_missing(checkout, PAGE + CORE))} missing "
                                 f"from {checkout} (this is a source checkout: run `npm run build` in it)")
    return {name: checkout / name for name in PAGE + CORE}
