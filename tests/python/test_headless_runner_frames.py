"""The runner page reads its frames chunk by chunk and checks each frame as it arrives: a body
shorter or longer than the header announces, and a damaged frame, still stop the export with a
message; the page's window.cloudreelRunner.timings marks (what `npm run bench` reads) come in order.
Real headless Chromium ($CLOUDREEL_BROWSER or /usr/bin/chromium) on the checkout's dist/."""

from __future__ import annotations

import os

import numpy as np
import pytest

from cloudreel.frames import normalize_frames
from cloudreel.headless.engine import get_engine
from cloudreel.headless.runner_dist import runner_files
from cloudreel.headless.runner_server import RunnerServer
from cloudreel.wire import pack_frames

BROWSER = os.environ.get("CLOUDREEL_BROWSER", "/usr/bin/chromium")
OPTIONS = {"fps": 5, "width": 64, "height": 64, "codecs": ["webcodecs-h264"]}
MARKS = ("jobRequested", "framesRequested", "framesResponse", "framesReceived", "framesChecked")


def packed(frames=3, points=20_000):
    rng = np.random.default_rng(7)
    return pack_frames(normalize_frames([rng.normal(size=(points, 3)) for _ in range(frames)]))


def run_page(tmp_path, header, payload):
    """Opens the runner page on a server with this job; returns (result, failure, the page's timings)."""
    server = RunnerServer(runner_files(), {"header": header, "options": OPTIONS}, payload, tmp_path)

    def job(browser):
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(server.url, wait_until="load", timeout=30_000)
            assert server.finished.wait(60), "the runner page reported neither a result nor a failure in 60 s"
            return page.evaluate("() => ({ ...window.cloudreelRunner.timings })")
        finally:
            context.close()

    try:
        timings = get_engine(BROWSER).run(job, timeout=120)
        return server.result, server.failure, timings
    finally:
        server.close()  # discards the video a finished page sent


def test_the_page_marks_each_step_of_the_frames_way_in_order(tmp_path):
    header, payload = packed()
    result, failure, timings = run_page(tmp_path, header, payload)
    assert failure is None and result["frames"] == 3, failure
    assert list(timings) == list(MARKS), timings
    values = [timings[m] for m in MARKS]
    assert values == sorted(values), timings


@pytest.mark.parametrize("change, says", [
    (lambda p: p[:-1000], "GET frames sent {short} of the {size} bytes the header announces"),
    (lambda p: p + b"\0" * 4, "GET frames sent more than the {size} bytes the header announces"),
])
def test_a_body_that_is_not_the_announced_size_stops_the_export(tmp_path, change, says):
    header, payload = packed()
    result, failure, timings = run_page(tmp_path, header, change(bytes(payload)))
    assert result is None and failure["message"] == says.format(short=len(payload) - 1000, size=len(payload)), failure
    assert "framesChecked" not in timings


def test_a_damaged_frame_stops_the_export_naming_it(tmp_path):
    header, payload = packed()
    damaged = bytearray(payload)
    frame_bytes = len(payload) // 3
    damaged[frame_bytes + 8:frame_bytes + 12] = np.array([np.nan], dtype="<f4").tobytes()  # frame 1, point 0, z
    result, failure, _ = run_page(tmp_path, header, bytes(damaged))
    assert result is None and failure == {"name": "FrameError", "message": "frames[1]: point 0 has a non-finite z coordinate (NaN)"}, failure
