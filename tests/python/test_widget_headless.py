"""Animation.save(), embed() and export() with no page: a real headless Chromium ($CLOUDREEL_BROWSER, default
Debian's) renders the video from the Animation's own traits and frames, in the calling cell."""

import _thread
import os
import threading

import numpy as np
import pytest

import cloudreel
from cloudreel import widget as widget_module
from notebooks import decoded_frames, inline_videos
from test_headless_export import ffprobe, sphere
from test_video_receiver import shown  # noqa: F401 (a fixture)

BROWSER = os.environ.get("CLOUDREEL_BROWSER", "/usr/bin/chromium")
SIZE = dict(width=160, height=120)


@pytest.fixture(autouse=True)
def headless(monkeypatch):
    """No page, no Jupyter server, a browser: via="auto" goes headless."""
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.setenv("CLOUDREEL_BROWSER", BROWSER)


@pytest.fixture
def renders(monkeypatch):
    """Counts the videos rendered (export.py's one entry)."""
    calls = []

    def counted(*args, **kwargs):
        calls.append(args[2])
        return render(*args, **kwargs)

    render = widget_module.render
    monkeypatch.setattr(widget_module, "render", counted)
    return calls


def test_save_embed_and_export_render_once_in_the_cell_and_say_so(tmp_path, renders, shown):
    anim = cloudreel.Animation(sphere(3, 2000), fps=5, **SIZE)
    statuses, threads, done = [], set(), []

    def on_status(change):
        statuses.append(change["new"])
        threads.add(threading.current_thread())

    anim.observe(on_status, "export_status")
    result = anim.save(tmp_path / "clip.mp4", callback=lambda path, error: done.append((path, error)))

    # Written before save() returned, whole, with the route in save_status.
    target = tmp_path / "clip.mp4"
    assert result.path == target and result.codec == "webcodecs-h264" and result.frames == 3
    assert result.bytes == target.stat().st_size
    assert done == [(str(target), None)]
    assert anim.save_status == f"Saved {target} ({result.bytes} bytes, webcodecs-h264, headless browser)"
    stream, duration = ffprobe(target)
    assert (stream["codec_name"], stream["width"], stream["height"], int(stream["nb_read_frames"])) == ("h264", 160, 120, 3)
    assert duration == pytest.approx(0.6, abs=0.05)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]
    # The page's statuses reached the traits, from this thread only (ipykernel's comm is not thread-safe).
    assert threads == {threading.main_thread()}
    assert statuses[0] == "Initializing export..." and statuses[-1].startswith("Video ready!")
    assert any(s.startswith("Rendering frame") for s in statuses)
    assert (anim.export_progress, anim.export_complete) == (1.0, True)

    # embed() shows the same video in this cell, from the cache: no second render.
    anim.embed()
    [(mime, data)] = inline_videos(shown[-1]["text/html"])
    assert (mime, data) == ("video/mp4", target.read_bytes())
    assert anim.save_status == f"Embedded the webcodecs-h264 video ({result.bytes} bytes, headless browser)"
    exported = anim.export()
    assert exported.path.read_bytes() == data and exported.path.parent != tmp_path
    assert len(renders) == 1

    # Too large for embed(): refused with the page route's words, still without rendering again.
    anim.max_embed_bytes = 100
    with pytest.raises(cloudreel.ExportError, match=r"^Export failed: the video is \d+ bytes, more than embed\(\) puts in a notebook"):
        anim.embed()
    assert anim.save_status.startswith("Export failed: the video is")
    assert len(renders) == 1

    # A changed setting makes a new video; new frames or close() remove the cached one.
    anim.background = "#ff0000"
    second = anim.export()
    assert len(renders) == 2 and second.path.exists() and not exported.path.exists()
    red = decoded_frames(second.path, 160, 120)[0, 0, 0]
    assert red[0] > 200 and red[1] < 40 and red[2] < 40
    anim.set_frames(sphere(2, 100))
    assert not second.path.parent.exists()
    third = anim.export()
    assert third.frames == 2
    anim.close()
    assert not third.path.parent.exists()


def test_the_video_is_the_one_export_makes_from_the_same_settings(tmp_path):
    settings = dict(fps=4, title=False, quality="high", point_size=3.0, point_shape="round", colormap="plasma",
                    background="#102030", vmin=-0.5, vmax=0.5,
                    view={"position": [0, -4, 2], "target": [0, 0, 0], "up": [0, 0, 1], "fov_deg": 40}, **SIZE)
    frames = [np.random.default_rng(i).normal(size=(2000, 3)) for i in range(3)]
    values = [f[:, 0] for f in frames]
    anim = cloudreel.Animation(frames, values=values, **settings)
    saved = anim.save(tmp_path / "anim.mp4")
    made = cloudreel.export(frames, tmp_path / "export.mp4", values=values, progress=False, **settings)
    ours = decoded_frames(saved.path, 160, 120)
    assert ours.shape == (3, 120, 160, 3)
    assert np.array_equal(ours, decoded_frames(made.path, 160, 120))
    default = cloudreel.Animation(frames, values=values, **SIZE).save(tmp_path / "default.mp4")
    assert not np.array_equal(ours, decoded_frames(default.path, 160, 120))  # the settings did change the video


def test_a_failed_headless_save_raises_calls_back_and_leaves_no_file(tmp_path):
    anim = cloudreel.Animation(sphere(2, 50), codecs=["nope"], **SIZE)
    done = []
    with pytest.raises(cloudreel.ExportError, match=r"^Export failed: .*nope") as info:
        anim.save(tmp_path / "clip.mp4", callback=lambda path, error: done.append((path, error)))
    assert done == [(None, str(info.value))] and anim.save_status == str(info.value)
    assert anim.export_status == str(info.value) and not anim.export_complete
    assert list(tmp_path.iterdir()) == [] and anim._videos.video is None


def test_ctrl_c_stops_a_headless_save_and_leaves_no_file(tmp_path):
    anim = cloudreel.Animation(sphere(100, 2000), width=640, height=360)
    done, interrupted = [], []

    def on_status(change):
        if change["new"].startswith("Rendering frame") and not interrupted:
            interrupted.append(change["new"])
            _thread.interrupt_main()

    anim.observe(on_status, "export_status")
    with pytest.raises(KeyboardInterrupt):
        anim.save(tmp_path / "clip.mp4", callback=lambda path, error: done.append((path, error)))
    assert interrupted
    assert list(tmp_path.iterdir()) == []
    assert done == [(None, "Export failed: the export was cancelled")]
    assert anim.save_status == "Export failed: the export was cancelled" and anim._videos.video is None
