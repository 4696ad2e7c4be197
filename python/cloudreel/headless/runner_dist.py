"""Where the runner page's files are: dist/ of a built checkout (npm run build), for now."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["REQUIRED", "RunnerFilesMissing", "runner_dist"]

#: Files the runner page cannot work without (ffmpeg.wasm's are loaded only when WebCodecs cannot encode).
REQUIRED = ("runner.html", "runner.js", "cloudreel.mjs", "ffmpeg-core.js", "ffmpeg-core.wasm")


class RunnerFilesMissing(FileNotFoundError):
    """The runner page's files are not where cloudreel looks for them."""


def runner_dist() -> Path:
    """The folder holding the runner page, cloudreel.mjs and the ffmpeg.wasm core.

    ``$CLOUDREEL_DIST`` if set, else ``dist/`` of the checkout this package runs from.
    (The wheel does not ship them yet: issue 14, part 4.)
    """
    configured = os.environ.get("CLOUDREEL_DIST")
    folder = Path(configured) if configured else Path(__file__).resolve().parents[3] / "dist"
    missing = [name for name in REQUIRED if not (folder / name).is_file()]
    if missing:
        how = "$CLOUDREEL_DIST names it" if configured else "it is the checkout's dist/ folder: run `npm run build` in the checkout"
        raise RunnerFilesMissing(f"cloudreel's runner page is incomplete: {', '.join(missing)} missing from {folder} ({how})")
    return folder
