"""The one check that a shipped ffmpeg.wasm core is the one its ffmpeg-core-SOURCE.txt describes:
the SHA-256 of ffmpeg-core.wasm and ffmpeg-core.js beside it must be the digests it names.
Used by the wheel build (hatch_build.py), `npm run build:labextension` and tests/python.

    python scripts/check_ffmpeg_core.py FOLDER [FOLDER ...]   # exit 1 with the problems
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path
from typing import Callable, Optional

CORE_FILES = ("ffmpeg-core.wasm", "ffmpeg-core.js")
SOURCE_NOTICE = "ffmpeg-core-SOURCE.txt"


def named_digests(notice: str) -> dict[str, str]:
    """The SHA-256 each core file has in the notice's "SHA-256" lines: file name -> hex digest."""
    return {name: digest for name, digest in re.findall(r"(ffmpeg-core\.(?:wasm|js))\s+([0-9a-f]{64})\b", notice)}


def core_problems(read: Callable[[str], Optional[bytes]], where: str) -> list[str]:
    """What is wrong with the core against the ffmpeg-core-SOURCE.txt beside it; [] when it matches.

    ``read(name)`` gives the bytes of a file beside the core (None when there is none); ``where``
    names that place (a folder, a folder inside a wheel) in the messages.
    """
    notice = read(SOURCE_NOTICE)
    if notice is None:
        return [f"{where}/{SOURCE_NOTICE} is missing (the core's provenance and the SHA-256 it must have)"]
    named = named_digests(notice.decode("utf-8"))
    problems = []
    for name in CORE_FILES:
        data = read(name)
        if name not in named:
            problems.append(f"{where}/{SOURCE_NOTICE} names no SHA-256 for {name}")
        elif data is None:
            problems.append(f"{where}/{name} is missing")
        elif hashlib.sha256(data).hexdigest() != named[name]:
            problems.append(f"{where}/{name} has SHA-256 {hashlib.sha256(data).hexdigest()}, but {SOURCE_NOTICE} beside it "
                            f"names {named[name]}: the shipped core must be the @ffmpeg/core release that file describes")
    return problems


def folder_problems(folder: Path) -> list[str]:
    """core_problems() of the files in ``folder``."""
    folder = Path(folder)
    return core_problems(lambda name: (folder / name).read_bytes() if (folder / name).is_file() else None, str(folder))


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    problems = [p for folder in argv for p in folder_problems(Path(folder))]
    for problem in problems:
        print(f"ffmpeg core check failed: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
