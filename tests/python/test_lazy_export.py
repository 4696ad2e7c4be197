"""cloudreel.export() of lazy sequences in real headless Chromium: file paths and a re-iterable read as the page
renders them (the same video as the frames in memory), a bad frame mid-way in its own words, and Python's peak
memory for 300 files well below their sum. Needs dist/ built (npm run build)."""

import os
import subprocess
import tracemalloc

import numpy as np
import pytest

import cloudreel
from cloudreel.headless.runner_server import RunnerServer
from cloudreel.lazy_frames import LazyFrames
from cloudreel.readers import read_frames
from cloudreel.wire import unpack_frame_message
from readers.point_files import grid, write_kitti
from test_headless_export import fetch as get

BROWSER = os.environ.get("CLOUDREEL_BROWSER", "/usr/bin/chromium")
SMALL = dict(width=160, height=120, title=False, point_size=6, browser=BROWSER, progress=False)


def frames_of(path, count, width=160, height=120):
    """Every frame of the video as RGB arrays, decoded by ffmpeg."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, timeout=60, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(count, height, width, 3)


def scans(folder, count, side=30, step=0.2):
    """``count`` KITTI scans: a grid moving along x, its intensity rising, far from (0, 0, 0)."""
    paths = []
    for i in range(count):
        path = folder / f"scan_{i}.bin"
        points = grid(side, extent=10) + [1000 + i * step, 2000, 5]
        write_kitti(path, points, np.linspace(0, 1, side * side) * (i + 1))
        paths.append(path)
    return paths


class Reread:
    """A re-iterable that reads its files again on each pass (what a user writes for a lazy sequence)."""

    def __init__(self, paths):
        self.paths = paths

    def __iter__(self):
        for p in self.paths:
            f = read_frames(p)[0]
            yield {"points": f.points}


def test_paths_and_a_re_iterable_make_the_video_the_frames_in_memory_make(tmp_path):
    paths = scans(tmp_path, 6)
    eager = cloudreel.export([{"points": read_frames(p)[0].points} for p in paths], tmp_path / "eager.webm",
                             codecs=["webcodecs-vp9"], **SMALL)
    by_paths = cloudreel.export(paths, tmp_path / "paths.webm", codecs=["webcodecs-vp9"], **SMALL)
    by_iterable = cloudreel.export(Reread(paths), tmp_path / "iterable.webm", codecs=["webcodecs-vp9"], **SMALL)
    assert eager.frames == by_paths.frames == by_iterable.frames == 6
    reference = frames_of(eager.path, 6).astype(int)
    assert (reference > 24).mean() > 0.02  # not black
    for result in (by_paths, by_iterable):
        # The same frames drawn: identical pixels, so the same encoder gives (near) identical pictures.
        assert np.abs(frames_of(result.path, 6).astype(int) - reference).mean() < 1.0


def test_a_bad_frame_mid_way_stops_the_export_in_its_own_words_and_leaves_no_file(tmp_path):
    paths = scans(tmp_path, 4)
    points = grid(30, extent=10)
    points[7, 1] = np.nan
    write_kitti(paths[2], points, np.zeros(900))
    with pytest.raises(ValueError, match=r"^frames\[2\] \(.*scan_2\.bin\): point 7 has a non-finite y coordinate"):
        # bounds= skips the bounds pass: the frame is refused when the page asks for it.
        cloudreel.export(paths, tmp_path / "x.mp4", bounds=[[990, 1990, 0], [1020, 2010, 10]], **SMALL)
    assert not (tmp_path / "x.mp4").exists()


def test_a_one_shot_iterator_is_refused_before_any_browser(tmp_path):
    with pytest.raises(ValueError, match=r"frames is a one-shot iterator \(iter\(frames\) is frames\)"):
        cloudreel.export(iter([np.zeros((2, 3))]), tmp_path / "x.mp4", browser="/nonexistent/browser")
    with pytest.raises(ValueError, match="colors=, values= and categories= go with frames held in memory"):
        cloudreel.export(["a.bin"], tmp_path / "x.mp4", values=[None], browser="/nonexistent/browser")


def test_300_files_export_with_python_holding_far_less_than_their_sum(tmp_path):
    paths = scans(tmp_path, 300, side=64, step=0.05)  # 300 x 4096 points x 16 bytes: 19.7 MB of files
    total = sum(p.stat().st_size for p in paths)
    bound = total // 4
    # The bound can fail: reading every file at once (as an eager export does) holds more than it.
    tracemalloc.start()
    held = [read_frames(p) for p in paths]
    _, eager_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del held
    assert eager_peak > bound
    # A warm engine first (its browser, Playwright's imports), so the peak below is the export's own.
    cloudreel.export(paths[:2], tmp_path / "warm.webm", codecs=["webcodecs-vp9"], width=64, height=48, title=False,
                     browser=BROWSER, progress=False)
    tracemalloc.start()
    try:
        result = cloudreel.export(LazyFrames(paths, color_by="intensity"), tmp_path / "drive.webm", fps=30,
                                  codecs=["webcodecs-vp9"], width=64, height=48, title=False, browser=BROWSER,
                                  progress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.frames == 300
    assert peak < bound, f"Python's peak {peak} bytes is not well below the files' {total} bytes"


def test_the_frame_route_serves_frame_messages_behind_the_exports_token_and_a_bad_frames_words(tmp_path):
    paths = scans(tmp_path, 3)
    write_kitti(paths[1], np.full((2, 3), np.nan), np.zeros(2))
    lazy = LazyFrames(paths, bounds=[[0, 0, 0], [1, 1, 1]], vmin=0, vmax=1)
    server = RunnerServer({}, {"header": lazy.header(), "options": {}, "lazy": True}, lazy, tmp_path)
    try:
        base = f"{server.origin}/{server.token}/"
        status, body = get(base + "frame/2")
        assert status == 200 and unpack_frame_message(body)[0] == 2
        assert b"".join(lazy.message(2)) == body
        assert get(f"{server.origin}/{'x' * 43}/frame/2")[0] == 403  # no token, no frame
        status, body = get(base + "frame/1")
        assert status == 422 and body.decode().startswith("frames[1] (") and "non-finite x coordinate" in body.decode()
        assert isinstance(server.frame_error, ValueError) and str(server.frame_error) == body.decode()
        assert get(base + "frame/3") == (404, b"frame index 3 is outside 0..2")
    finally:
        server.close()
    eager = RunnerServer({}, {"header": {}, "options": {}}, b"", tmp_path)
    try:
        assert get(f"{eager.origin}/{eager.token}/frame/0")[0] == 404  # frames all at once: no frame route
    finally:
        eager.close()


def test_a_fallback_codec_draws_a_lazy_export_again_from_its_first_frame(tmp_path):
    """The page's fetch worker reads ahead, in order; a codec that fails after drawing every frame
    sends the next one back to frame 0, and the worker starts a new pass there."""
    from cloudreel.headless.engine import get_engine
    from cloudreel.headless.runner_dist import runner_files

    asked = []

    class Counted(LazyFrames):
        def message(self, index):
            asked.append(index)
            return super().message(index)

    lazy = Counted(scans(tmp_path, 4))
    options = {"fps": 5, "width": 64, "height": 64, "codecs": ["webcodecs-h264", "webcodecs-vp9"],
               "testFaults": {"webcodecs-h264": "garbage"}}  # its file is noise: refused after frame 3 is drawn
    server = RunnerServer(runner_files(), {"header": lazy.header(), "options": options, "lazy": True}, lazy, tmp_path)

    def job(browser):
        context = browser.new_context()
        try:
            context.new_page().goto(server.url, wait_until="load", timeout=30_000)
            assert server.finished.wait(60), "the runner page reported neither a result nor a failure in 60 s"
        finally:
            context.close()

    try:
        get_engine(BROWSER).run(job, timeout=120)
        assert server.failure is None and server.result["codec"] == "webcodecs-vp9", (server.failure, server.result)
        assert [a["codec"] for a in server.result["attempts"]] == ["webcodecs-h264", "webcodecs-vp9"]
    finally:
        server.close()
    assert asked == [0, 1, 2, 3, 0, 1, 2, 3]  # each pass in order, nothing past the last frame
