"""cloudreel.export() end to end in a real headless Chromium (browser= or $CLOUDREEL_BROWSER, default
Debian's /usr/bin/chromium), videos checked with ffprobe/ffmpeg; and the runner server's token wall.
Needs dist/ built (npm run build)."""

import _thread
import hashlib
import json
import math
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest

import cloudreel
from cloudreel.headless.engine import get_engine
from cloudreel.headless.export import _PAGE, _export
from cloudreel.headless.runner_dist import PAGE
from cloudreel.headless.runner_server import RunnerServer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from check_ffmpeg_core import core_problems  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

BROWSER = os.environ.get("CLOUDREEL_BROWSER", "/usr/bin/chromium")
DEFAULTS = dict(fps=5, width=640, height=360, title=True, codecs=None, quality="standard", point_size=None,
                point_shape="square", colormap="viridis", background="#000000", bounds=None, vmin=None, vmax=None,
                palette=None, view=None, colors=None, values=None, categories=None, on_status=None)


def sphere(frames=6, points=2000):
    """examples/shapes.js's breathing, turning Fibonacci sphere, coloured by its normals."""
    out = []
    i = np.arange(points) + 0.5
    for f in range(frames):
        spin = 2 * math.pi * f / frames
        z = 1 - 2 * i / points
        r = np.sqrt(1 - z * z)
        a = (i - 0.5) * math.pi * (3 - math.sqrt(5)) + spin
        n = np.stack([r * np.cos(a), r * np.sin(a), z], axis=1)
        out.append({"points": n * (1 + 0.15 * math.sin(spin)), "colors": (n + 1) / 2})
    return out


def ffprobe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                          "stream=codec_name,width,height,nb_read_frames:format=duration", "-of", "json", str(path)],
                         capture_output=True, text=True, timeout=30, check=True)
    info = json.loads(out.stdout)
    return info["streams"][0], float(info["format"]["duration"])


def lit_fraction(path, frame):
    """The share of non-black pixels in ``frame`` of the video, decoded by ffmpeg to grey."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-vf", f"select=eq(n\\,{frame})", "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, timeout=30, check=True).stdout
    pixels = np.frombuffer(raw, np.uint8)
    assert pixels.size == 640 * 360
    return float((pixels > 24).mean())


def test_sphere_exports_to_an_h264_file_with_every_frame_and_only_loopback_requests(tmp_path):
    statuses, requests = [], []
    result = _export(sphere(), tmp_path / "sphere.mp4", **{**DEFAULTS, "on_status": lambda *s: statuses.append(s)},
                     browser=BROWSER, on_request=requests.append)
    assert result.path == tmp_path / "sphere.mp4" and result.codec == "webcodecs-h264" and result.mime_type == "video/mp4"
    assert result.frames == 6 and result.duration_seconds == pytest.approx(1.2)
    assert result.bytes == (tmp_path / "sphere.mp4").stat().st_size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sphere.mp4"]  # no temporary file left beside it
    stream, duration = ffprobe(result.path)
    assert (stream["codec_name"], stream["width"], stream["height"], int(stream["nb_read_frames"])) == ("h264", 640, 360, 6)
    assert duration == pytest.approx(1.2, abs=0.05)
    assert lit_fraction(result.path, 3) > 0.01
    # Every status, in order, fractions never decreasing, ending in the original's words.
    assert statuses[0] == ("init", 0.0, "Initializing export...")
    assert statuses[-1][0] == "done" and statuses[-1][2].startswith("Video ready!")
    assert [s[1] for s in statuses] == sorted(s[1] for s in statuses)
    assert sum(s[2].startswith("Rendering frame") for s in statuses) == 6
    # The page and its workers asked only the export's own loopback server (Playwright's context-wide request events).
    assert requests and {urlsplit(u).hostname for u in requests} == {"127.0.0.1"}
    assert len({urlsplit(u).port for u in requests}) == 1


def test_ffmpeg_wasm_loads_from_the_same_server_and_the_extension_follows_the_codec(tmp_path):
    # A fresh runner page: a kept one may hold the ffmpeg.wasm core from an earlier export.
    get_engine(BROWSER).run(lambda _browser: get_engine(BROWSER).discard_kept(_PAGE))
    requests = []
    result = _export(sphere(3, 300), tmp_path / "clip.mp4", **{**DEFAULTS, "width": 320, "height": 180, "codecs": ["ffmpeg-vp8"]},
                     browser=BROWSER, on_request=requests.append)
    assert (result.path, result.codec, result.mime_type) == (tmp_path / "clip.webm", "ffmpeg-vp8", "video/webm")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.webm"]
    stream, _ = ffprobe(result.path)
    assert (stream["codec_name"], int(stream["nb_read_frames"])) == ("vp8", 3)
    # The worker and the 32 MB core came through the export's own loopback server, like everything else.
    names = {urlsplit(u).path.rsplit("/", 1)[-1] for u in requests}
    assert {"ffmpeg-core.js", "ffmpeg-core.wasm"} <= names and any(n.startswith("cloudreel-worker-") for n in names)
    assert {(urlsplit(u).hostname, urlsplit(u).port) for u in requests} == {("127.0.0.1", urlsplit(requests[0]).port)}


def test_export_is_public_and_a_page_failure_raises_the_pages_words_and_leaves_no_file(tmp_path):
    with pytest.raises(cloudreel.ExportError, match=r"^Export failed: .*nope"):
        cloudreel.export(sphere(2, 50), tmp_path / "x.mp4", width=64, height=64, codecs=["nope"], browser=BROWSER)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad, kwargs", [
    ([np.array([[0.0, 0.0, np.nan]])], {}),
    ([np.zeros((3, 2))], {}),
    ([np.zeros((3, 3))], {"fps": 0}),
    ([np.zeros((3, 3))], {"width": 641}),
    ([np.zeros((3, 3))], {"colormap": "rainbow"}),
    ([np.zeros((3, 3))], {"point_shape": "star"}),
    ([np.zeros((3, 3))], {"vmin": 2, "vmax": 1}),
])
def test_bad_input_gives_the_widgets_error_before_any_browser_and_no_file(tmp_path, bad, kwargs):
    with pytest.raises(Exception) as widget_error:
        cloudreel.Animation(bad, **kwargs)
    with pytest.raises((ValueError, TypeError)) as export_error:  # the widget's vmin/vmax checks raise TraitError
        cloudreel.export(bad, tmp_path / "x.mp4", browser="/nonexistent/browser", **kwargs)
    assert str(export_error.value) == str(widget_error.value)
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_aborts_the_page_promptly_and_leaves_no_file(tmp_path):
    interrupted, messages = [], []

    def on_status(phase, fraction, message):
        messages.append(message)
        if message.startswith("Rendering frame 1/") and not interrupted:
            interrupted.append(time.monotonic())
            _thread.interrupt_main()  # Ctrl-C in the caller's thread

    with pytest.raises(KeyboardInterrupt):
        cloudreel.export(sphere(100, 2000), tmp_path / "x.mp4", width=640, height=360, on_status=on_status, browser=BROWSER)
    assert interrupted and time.monotonic() - interrupted[0] < 5
    # The page's export was aborted mid-way (its AbortController), not left to finish.
    assert messages[-1] == "Export cancelled" and "Rendering frame 100/100 (100%)" not in messages
    assert list(tmp_path.iterdir()) == []
    # The engine still works afterwards.
    assert cloudreel.export(sphere(2, 50), tmp_path / "y.mp4", width=64, height=64, browser=BROWSER).frames == 2


def test_an_on_status_that_raises_stops_the_export_and_its_error_reaches_the_caller(tmp_path):
    def on_status(phase, fraction, message):
        if phase == "render":
            raise LookupError("the progress display is gone")

    with pytest.raises(LookupError, match="the progress display is gone"):
        cloudreel.export(sphere(4, 100), tmp_path / "x.mp4", width=64, height=64, on_status=on_status, browser=BROWSER)
    assert list(tmp_path.iterdir()) == []


def fetch(url, method="GET", data=None):
    request = urllib.request.Request(url, method=method, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_the_runner_server_serves_nothing_without_the_token(tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "runner.html").write_text("<p>page</p>")
    (dist / "cloudreel.mjs.map").write_text("{}")
    (tmp_path / "secret.txt").write_text("secret")
    statuses = []
    server = RunnerServer({"runner.html": dist / "runner.html"}, {"header": {}, "options": {}}, b"FRAMES", tmp_path, lambda *s: statuses.append(s))
    try:
        assert server.url.startswith("http://127.0.0.1:")
        good, bad = f"{server.origin}/{server.token}", f"{server.origin}/{server.token[:-1]}x"
        assert fetch(f"{good}/runner.html") == (200, b"<p>page</p>")
        assert fetch(f"{good}/frames") == (200, b"FRAMES")
        for url in (f"{bad}/runner.html", f"{bad}/frames", f"{bad}/job", f"{server.origin}/runner.html",
                    f"{server.origin}/", f"{good[:-1]}/frames"):
            assert fetch(url) == (403, b""), url
        assert fetch(f"{bad}/status", "POST", b'{"phase": "init", "fraction": 0, "message": "x"}') == (403, b"")
        assert fetch(f"{bad}/failed", "POST", b'{"message": "x"}') == (403, b"")
        assert statuses == [] and not server.finished.is_set()
        # With the token: only the page's own files, never a source map or anything outside dist/.
        for name in ("cloudreel.mjs.map", "../secret.txt", "%2e%2e/secret.txt", "nothing.js", "runner.html/"):
            assert fetch(f"{good}/{name}")[0] == 404, name
    finally:
        server.close()
    assert not threading.enumerate()[1:] or all(t.name != "cloudreel-runner-server" for t in threading.enumerate())


def built_wheel():
    wheels = sorted((ROOT / "python/dist").glob("cloudreel-*.whl"))
    assert len(wheels) == 1, f"expected one built wheel python/dist/cloudreel-*.whl, found {len(wheels)}: run `npm run build:wheel`"
    return wheels[0]


def test_the_wheel_ships_the_runner_page_and_one_ffmpeg_core_the_labextensions(tmp_path):
    path = built_wheel()
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        for name in PAGE:
            assert f"cloudreel/headless/runner/{name}" in names
        cores = [n for n in names if n.endswith("ffmpeg-core.wasm")]
        assert len(cores) == 1 and cores[0].endswith("share/jupyter/labextensions/cloudreel/static/ffmpeg-core.wasm")
        # The one the module was built beside, which ffmpeg-core-SOURCE.txt names (the check the build runs).
        digest = hashlib.sha256(wheel.read(cores[0])).hexdigest()
        static = cores[0].rsplit("/", 1)[0]
        assert core_problems(lambda n: wheel.read(f"{static}/{n}") if f"{static}/{n}" in names else None, path.name) == []
    assert digest == hashlib.sha256((ROOT / "dist/ffmpeg-core.wasm").read_bytes()).hexdigest()
    assert path.stat().st_size <= 15_000_000


def test_the_installed_wheel_exports_with_its_own_files(tmp_path):
    """The .venv's cloudreel (npm run build:wheel installs it), run isolated (-I) away from the checkout."""
    script = (
        "import sys, numpy as np, cloudreel\n"
        "from cloudreel.headless.runner_dist import runner_files\n"
        "files = runner_files()\n"
        "assert all('site-packages' in str(p) or '/share/jupyter/labextensions/' in str(p) for p in files.values()), files\n"
        f"r = cloudreel.export([np.random.rand(50, 3)] * 2, 'x.mp4', width=64, height=64, codecs=['ffmpeg-h264'], browser={BROWSER!r})\n"
        "print(r.codec, r.frames, cloudreel.__file__)\n"
    )
    done = subprocess.run([sys.executable, "-I", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    codec, frames, module = done.stdout.split()
    assert (codec, frames) == ("ffmpeg-h264", "2") and str(ROOT) not in module.replace(str(ROOT / ".venv"), "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.mp4"]


def test_progress_goes_to_stderr_a_line_per_phase_and_progress_false_silences_it(tmp_path, capfd):
    cloudreel.export(sphere(2, 50), tmp_path / "a.mp4", width=64, height=64, browser=BROWSER)
    lines = capfd.readouterr().err.splitlines()
    assert lines[0] == "cloudreel: Initializing export..."
    assert "cloudreel: Rendering frame 1/2 (50%)" in lines and lines[-1].startswith("cloudreel: Video ready!")
    cloudreel.export(sphere(2, 50), tmp_path / "b.mp4", width=64, height=64, browser=BROWSER, progress=False)
    assert capfd.readouterr().err == ""
