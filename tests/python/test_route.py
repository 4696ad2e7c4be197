"""The route rule of Animation.save()/embed()/export() (cloudreel/route.py), with the browser search and the cells faked."""

import pytest
from IPython.core.events import EventManager, available_events

from cloudreel import route
from cloudreel.headless.browsers import BrowserNotFound


def found():
    """A headless browser is there."""


def missing():
    raise BrowserNotFound("cloudreel's headless export needs Chromium or Google Chrome, and found none.")


@pytest.fixture
def no_server(monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/me/notebook.ipynb")


@pytest.fixture
def cells(monkeypatch):
    """An IPython shell's events, as ipykernel has them; calling it starts a cell."""
    events = EventManager(None, available_events)
    shell = type("Shell", (), {"events": events})()
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    monkeypatch.setattr(route, "_pages_at_cell_start", None)
    route._watch_cells()
    return lambda: events.trigger("pre_run_cell", None)


def test_a_page_that_spoke_takes_the_page_route_even_with_a_browser(no_server):
    assert route.choose("auto", found) == route.HEADLESS
    route.heard_from("a" * 24)
    assert route.choose("auto", found) == route.PAGE
    assert route.choose("auto", missing) == route.PAGE


def test_only_a_page_that_spoke_before_the_cell_started_counts(no_server, cells):
    cells()
    route.heard_from("a" * 24)  # during this cell (e.g. a UI poll): the cell does not see it
    assert route.choose("auto", found) == route.HEADLESS
    cells()
    assert route.choose("auto", found) == route.PAGE


def test_a_page_that_went_away_no_longer_counts(no_server, cells):
    route.heard_from("a" * 24)
    route.heard_from("b" * 24)
    route.page_gone("a" * 24)
    cells()
    assert route.choose("auto", found) == route.PAGE
    route.page_gone("b" * 24)
    cells()
    assert route.choose("auto", found) == route.HEADLESS


def test_without_a_page_a_browser_is_used_even_when_a_jupyter_server_started_the_kernel(server):
    # papermill run from a JupyterLab cell inherits JPY_SESSION_NAME: a browser still makes the video now.
    assert route.choose("auto", found) == route.HEADLESS


def test_without_a_page_or_a_browser_a_kernel_started_for_a_page_waits_for_it(server):
    assert route.choose("auto", missing) == route.PAGE


def test_without_a_page_a_browser_or_a_server_the_error_says_what_to_install(no_server):
    with pytest.raises(route.NoRoute) as info:
        route.choose("auto", missing)
    text = str(info.value)
    assert text.startswith("Nothing can render the video here: no JupyterLab or Notebook page is attached to this kernel")
    assert "open the notebook in JupyterLab 4 or Notebook 7" in text
    assert text.endswith("give this machine a browser:\ncloudreel's headless export needs Chromium or Google Chrome, and found none.")
    assert isinstance(info.value.__cause__, BrowserNotFound)


@pytest.mark.parametrize("spoke", [False, True])
@pytest.mark.parametrize("ready", [found, missing])
def test_via_forces_the_route_whatever_the_rule_would_take(no_server, spoke, ready):
    if spoke:
        route.heard_from("a" * 24)
    assert route.choose("page", ready) == route.PAGE
    assert route.choose("headless", ready) == route.HEADLESS


@pytest.mark.parametrize("via", ["Auto", "browser", "", None, 1])
def test_any_other_via_is_a_value_error(no_server, via):
    with pytest.raises(ValueError, match=r'^via must be "auto", "page" or "headless", got '):
        route.choose(via, found)
