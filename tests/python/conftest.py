"""Make the in-tree package (python/cloudreel) importable without installing it, and the
kernel-side widget fixture the page-message tests share."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

import numpy as np  # noqa: E402
import pytest  # noqa: E402


class Sent(list):
    """Records the content of what a widget sends to the page."""

    def __call__(self, content, buffers=None):
        self.append(content)


@pytest.fixture
def anim(monkeypatch):
    """An Animation whose messages to the page land in ``anim.sent``; requests never time out."""
    import cloudreel
    from cloudreel import widget as widget_module

    a = cloudreel.Animation([np.zeros((2, 3))])
    a.sent = Sent()
    monkeypatch.setattr(a, "send", a.sent)
    monkeypatch.setattr(widget_module, "ACK_TIMEOUT", 3600.0)
    return a


@pytest.fixture(autouse=True)
def _no_page_heard():
    """Every test starts in a kernel no cloudreel page has spoken to (route.py's record is per process)."""
    from cloudreel import route

    route.reset()
    yield
    route.reset()
