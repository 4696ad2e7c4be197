"""Progress where the user is: a tqdm bar with the original's status texts in a terminal, one short line per phase elsewhere (an executed notebook, a log, CI)."""

from __future__ import annotations

import sys
from typing import IO, Optional

#: The bar's resolution: statuses carry a fraction in [0, 1].
_STEPS = 1000


class ProgressReport:
    """An ``on_status(phase, fraction, message)`` that shows the export's progress on ``stream``.

    On a terminal (``stream.isatty()``) a tqdm bar whose text is the current status; otherwise
    one line per phase (``cloudreel: Rendering frame 1/48 (2%)``), and the last status always.
    Call ``close()`` once the export has ended.
    """

    def __init__(self, stream: Optional[IO[str]] = None):
        self.stream = stream if stream is not None else sys.stderr
        self._bar = None
        self._phase: Optional[str] = None
        self._last = ""
        self._closed = False
        if _is_terminal(self.stream):
            from tqdm import tqdm

            self._bar = tqdm(total=_STEPS, file=self.stream, leave=True, dynamic_ncols=True,
                             bar_format="{desc} |{bar}| {percentage:3.0f}% [{elapsed}]")

    def __call__(self, phase: str, fraction: float, message: str) -> None:
        if self._closed:
            return
        self._last = message
        if self._bar is not None:
            self._bar.set_description_str(message, refresh=False)
            self._bar.update(max(0, round(min(1.0, fraction) * _STEPS) - self._bar.n))
            return
        if phase != self._phase:
            self._phase = phase
            self._line(message)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._last and self._phase not in ("done", "error"):
            self._line(self._last)  # an export stopped mid-phase (Ctrl-C) still says where

    def _line(self, message: str) -> None:
        print(f"cloudreel: {message}", file=self.stream, flush=True)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
