"""One widget's HTTP offer of its frames: a spool file per frames_version,
shared by every page that asks, removed when the last page it went to is done.

A page is done with an offer when it says it has the frames (``frames-received``)
or that it could not fetch them (``request-frames`` naming it as
``failed_offer``). Pages that go away without a word are covered by the server,
which sweeps files some time after their last GET (see server.py); if that
happened and a page asks again, the file is written anew.
"""

from __future__ import annotations

import time
from typing import Hashable, Optional

from . import frame_spool


class FrameOffer:
    """The spool file offered for the current frames, and the pages it went to."""

    def __init__(self) -> None:
        self.token: Optional[str] = None
        self.version: Optional[int] = None
        self.pages: set[Hashable] = set()

    def offer(self, page: Hashable, version: int, payload: bytes) -> Optional[tuple[str, float]]:
        """The token of a spool file holding ``payload`` (``version`` of the
        frames) for ``page``, and the seconds spent writing it (0 when the file
        is shared with pages that asked before); None when the HTTP route is not
        available (the caller uses the comm)."""
        if self.token is not None and self.version == version and frame_spool.refresh(self.token):
            self.pages.add(page)
            return self.token, 0.0
        self.drop()
        started = time.perf_counter()
        token = frame_spool.write_payload(payload)
        if token is None:
            return None
        self.token, self.version, self.pages = token, version, {page}
        return token, time.perf_counter() - started

    def done(self, page: Hashable, token: str) -> None:
        """``page`` no longer needs the file ``token``; the last page to say so removes it."""
        if token != self.token:
            return
        self.pages.discard(page)
        if not self.pages:
            self.drop()

    def drop(self) -> None:
        """Removes the file (new frames, or the widget closes)."""
        if self.token is not None:
            frame_spool.remove(self.token)
        self.token, self.version, self.pages = None, None, set()
