"""A notebook in the original tool's frame format calling save() and embed(), executed with no page open by
nbconvert --execute, papermill, and papermill inheriting JupyterLab's JPY_SESSION_NAME: a headless browser
makes the video in the cell, the file passes ffprobe, and the HTML of the executed notebook carries it inline.
Real kernels, real Chromium ($CLOUDREEL_BROWSER, default Debian's), real ffmpeg."""

import os
import tempfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from notebooks import decoded_frames, inline_videos, notebook_env, plain, run_notebook, to_html, write_notebook
from test_headless_export import ffprobe

BROWSER = os.environ.get("CLOUDREEL_BROWSER", "/usr/bin/chromium")

FRAMES = """\
import numpy as np
import cloudreel

# The original tool's frames: a list of {'points': (N, 3), 'colors': (N, 3) or None} dicts.
rng = np.random.default_rng(7)
frames = []
for i in range(3):
    points = rng.normal(size=(2000, 3)) + [0.4 * i, 0, 0]
    frames.append({'points': points, 'colors': rng.uniform(size=(2000, 3)) if i != 1 else None})
anim = cloudreel.Animation(frames, fps=5, width=160, height=120)
"""
SAVE = "anim.save('clip.mp4', callback=lambda path, error: print('callback', path, error))\nprint(anim.save_status)"
EMBED = "anim.embed()\nprint(anim.save_status)"


@pytest.fixture
def short_temp():
    """The kernel's TMPDIR, short: Chromium's profile socket path must fit in 108 bytes."""
    with tempfile.TemporaryDirectory(prefix="cr-", dir="/tmp") as folder:
        yield Path(folder)


def outputs(notebook):
    nb = nbformat.read(notebook, as_version=4)
    return [o for cell in nb.cells for o in cell.get("outputs", [])]


@pytest.mark.parametrize("tool, session", [("nbconvert", None), ("papermill", None), ("papermill", "inherited-from-a-lab-cell")],
                         ids=["nbconvert", "papermill", "papermill with JPY_SESSION_NAME"])
def test_an_executed_notebook_saves_and_embeds_the_video_headlessly(tmp_path, tool, session, short_temp):
    work, temp = tmp_path / "work", short_temp
    work.mkdir()
    write_notebook(work / "clip.ipynb", FRAMES, SAVE, EMBED)
    env = notebook_env(tmp_path, CLOUDREEL_BROWSER=BROWSER, JPY_SESSION_NAME=session, TMPDIR=str(temp))
    out = run_notebook(tool, work, "clip.ipynb", env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "never wrote" not in out.stderr

    # The file was written in the cell, by the headless route, and says so.
    texts = "".join(o.get("text", "") for o in outputs(work / "clip-done.ipynb") if o.output_type == "stream")
    assert f"callback {work / 'clip.mp4'} None" in texts
    assert f"Saved {work / 'clip.mp4'} (" in texts and ", webcodecs-h264, headless browser)" in texts
    assert "Embedded the webcodecs-h264 video (" in texts and ", headless browser)" in texts
    assert "cloudreel: Rendering frame 1/3" in texts  # progress lines, one per phase
    stream, duration = ffprobe(work / "clip.mp4")
    assert (stream["codec_name"], stream["width"], stream["height"], int(stream["nb_read_frames"])) == ("h264", 160, 120, 3)
    assert duration == pytest.approx(0.6, abs=0.05)

    # nbconvert --to html of the executed notebook holds the video inline, decoding to the saved file's frames.
    [(mime, data)] = inline_videos(to_html(work, "clip-done.ipynb", env))
    assert mime == "video/mp4"
    saved = decoded_frames(work / "clip.mp4", 160, 120)
    assert saved.shape == (3, 120, 160, 3) and saved.any()
    assert np.array_equal(decoded_frames(data, 160, 120), saved)

    # Nothing left behind: no temporary video, engine folder or browser profile.
    assert sorted(p.name for p in work.iterdir()) == ["clip-done.html", "clip-done.ipynb", "clip.ipynb", "clip.mp4"]
    assert list(temp.iterdir()) == []


def test_with_no_page_no_browser_and_no_jupyter_server_the_cell_fails_saying_what_to_install(tmp_path):
    write_notebook(tmp_path / "clip.ipynb", FRAMES, SAVE)
    empty = tmp_path / "bin"
    empty.mkdir()
    env = notebook_env(tmp_path, CLOUDREEL_BROWSER=None, PATH=f"{empty}{os.pathsep}{os.path.dirname(os.sys.executable)}",
                       PLAYWRIGHT_BROWSERS_PATH=str(tmp_path / "playwright"))
    out = run_notebook("nbconvert", tmp_path, "clip.ipynb", env)
    assert out.returncode != 0
    error = plain(out.stderr)
    assert "NoRoute: Nothing can render the video here: no JupyterLab or Notebook page is attached to this kernel" in error
    assert "open the notebook in JupyterLab 4 or Notebook 7" in error
    assert "found none. Looked at:" in error and "PATH: chromium-headless-shell, chromium, chromium-browser, google-chrome" in error
    assert not (tmp_path / "clip.mp4").exists()
