"""A request the kernel sent a page (export(), save(), embed()) and where it stands, until it ends."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal, Optional

from .video_receiver import VideoReceiver

__all__ = ["PendingRequest", "SaveCallback"]

SaveCallback = Callable[[Optional[str], Optional[str]], None]


@dataclass(eq=False)
class PendingRequest:
    """One request, from the message asking a page for it until it succeeds or fails.

    It goes: asked (``acked`` False) -> answered by one page (``acked``, ``page``)
    -> for a save, receiving the video (``receiver``) -> gone from the pending list.
    """

    #: The message sent: "export" (progress only) or "save" (the video comes back).
    kind: Literal["export", "save"]
    #: save(): the file to write (its suffix follows the codec); None for embed().
    path: Optional[Path] = None
    #: save(): called as callback(path, error) when the request ends.
    callback: Optional[SaveCallback] = None
    #: embed(): the video goes into the notebook through ``display``, the output's handle.
    embed: bool = False
    display: Any = None
    #: A page answered; ``page`` serves the request, and other pages' messages about it are ignored.
    acked: bool = False
    page: Optional[str] = None
    #: Another page's messages were ignored and logged (once per request).
    ignoring: bool = False
    #: The video on its way, from the page's file-begin on.
    receiver: Optional[VideoReceiver] = None
