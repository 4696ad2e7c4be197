"""Which way Animation.save(), embed() and export() go: through a page or a headless browser (the rule, in one place)."""

from __future__ import annotations

import os
from typing import Callable, Optional

__all__ = ["HEADLESS", "PAGE", "VIAS", "NoRoute", "choose", "heard_from", "page_gone", "page_spoke_before_cell",
           "started_by_jupyter_server"]

PAGE, HEADLESS = "page", "headless"
VIAS = ("auto", PAGE, HEADLESS)

#: The cloudreel pages (one id per page model) that have spoken to this kernel and not said they went away.
_pages: set = set()
#: Whether a page had spoken when the current cell started; None outside IPython (no cells: "before now").
_pages_at_cell_start: Optional[bool] = None


class NoRoute(RuntimeError):
    """No page has spoken to this kernel, none is expected, and no browser was found for a headless export."""


def heard_from(page: Optional[str]) -> None:
    """A cloudreel page sent this kernel a message (any Animation's)."""
    _pages.add(page)


def page_gone(page: str) -> None:
    """The page said it went away (reload, closed tab)."""
    _pages.discard(page)


def page_spoke_before_cell() -> bool:
    """Whether a cloudreel page had spoken to this kernel when the current cell started.

    Pages speak only between cells (their messages queue behind running cells), so under
    "Run all" of a fresh kernel no cell sees one.
    """
    return bool(_pages) if _pages_at_cell_start is None else _pages_at_cell_start


def started_by_jupyter_server() -> bool:
    """jupyter_server sets JPY_SESSION_NAME for kernels it starts for a notebook page; nbclient
    (nbconvert --execute, papermill) starts kernels without it, unless inherited from a Lab cell."""
    return bool(os.environ.get("JPY_SESSION_NAME"))


def choose(via: str, headless_ready: Callable[[], None]) -> str:
    """PAGE or HEADLESS for ``via``: "page" and "headless" force a route; "auto" takes the page if
    one spoke before this cell, else a headless browser if ``headless_ready()`` finds one (it
    raises BrowserNotFound otherwise), else the page if the kernel was started for one, else
    raises NoRoute saying what to install."""
    from .headless.browsers import BrowserNotFound

    if via not in VIAS:
        raise ValueError(f'via must be "auto", "page" or "headless", got {via!r}')
    if via != "auto":
        return via
    if page_spoke_before_cell():
        return PAGE
    try:
        headless_ready()
        return HEADLESS
    except BrowserNotFound as missing:
        if started_by_jupyter_server():
            return PAGE
        raise NoRoute(
            "Nothing can render the video here: no JupyterLab or Notebook page is attached to this kernel "
            "(as under `jupyter nbconvert --execute`, papermill or a plain script), and no browser was found "
            "for a headless export. Either open the notebook in JupyterLab 4 or Notebook 7 and run the cell "
            f"there, or give this machine a browser:\n{missing}") from missing


def reset() -> None:
    """Forgets every page (tests)."""
    global _pages_at_cell_start
    _pages.clear()
    if _pages_at_cell_start is not None:
        _pages_at_cell_start = False


def _cell_starts(*_info) -> None:
    global _pages_at_cell_start
    _pages_at_cell_start = bool(_pages)


def _watch_cells() -> None:
    """Snapshots the pages at the start of every IPython cell (imported mid-cell: none has spoken yet)."""
    global _pages_at_cell_start
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    _pages_at_cell_start = bool(_pages)
    shell.events.register("pre_run_cell", _cell_starts)


_watch_cells()
