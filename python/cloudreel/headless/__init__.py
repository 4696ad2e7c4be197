"""Exports with no page open: a headless browser found on this machine, driven from an engine thread, runs the same core (cloudreel.export)."""

from .browsers import BrowserNotFound, find_browser
from .engine import Engine, get_engine

__all__ = ["BrowserNotFound", "Engine", "find_browser", "get_engine"]
