"""container_frames(): frame counts of real MP4, WebM and GIF files made by export() in Debian's headless
Chromium, cross-checked with ffprobe, and truncated or foreign files refused with the file named."""

import json
import os
import subprocess

import numpy as np
import pytest

import cloudreel
from cloudreel.container_frames import ContainerUnreadable, container_frames

BROWSER = os.environ.get("CLOUDREEL_BROWSER", "/usr/bin/chromium")
CODECS = ["webcodecs-h264", "webcodecs-vp9", "ffmpeg-h264", "ffmpeg-gif"]


def ffprobe_frames(path):
    """ffprobe's count of decoded frames, or None where it finds no video stream."""
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                          "stream=nb_read_frames", "-of", "json", str(path)], capture_output=True, text=True, timeout=30)
    streams = json.loads(out.stdout or "{}").get("streams", [])
    return int(streams[0]["nb_read_frames"]) if streams and streams[0].get("nb_read_frames", "N/A") != "N/A" else None


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    """One small video per codec family (3 and 4 frames), all asked for as .mp4: WebM and GIF outputs are codec fallbacks."""
    folder = tmp_path_factory.mktemp("videos")
    rng = np.random.default_rng(1)
    made = {}
    for i, codec in enumerate(CODECS):
        count = 3 + i % 2
        frames = [rng.normal(size=(1000, 3)) for _ in range(count)]
        result = cloudreel.export(frames, folder / f"{codec}.mp4", width=96, height=64, codecs=[codec],
                                  progress=False, browser=BROWSER)
        made[codec] = (result.path, count)
    return made


@pytest.mark.parametrize("codec", CODECS)
def test_frame_count_agrees_with_ffprobe(videos, codec):
    path, count = videos[codec]
    assert container_frames(path) == ffprobe_frames(path) == count


@pytest.mark.parametrize("codec", CODECS)
def test_a_truncated_file_is_refused_naming_it(videos, codec, tmp_path):
    path, count = videos[codec]
    cut = tmp_path / f"cut{path.suffix}"
    data = path.read_bytes()
    cut.write_bytes(data[: len(data) - 150])
    with pytest.raises(ContainerUnreadable, match=f"{cut}: truncated"):
        container_frames(cut)
    assert ffprobe_frames(cut) in (None, *range(count))  # ffprobe sees fewer frames or none: not a whole video


def test_a_file_of_another_kind_is_refused(tmp_path):
    for name, data, problem in (("a.mp4", b"\x1aE\xdf\xa3 not an mp4", "not an MP4 file"),
                                ("b.webm", b"\x00\x00\x00\x18ftypisom", "not a WebM file"),
                                ("c.gif", b"PNG", "not a GIF file"), ("d.webm", b"", "not a WebM file"),
                                ("e.avi", b"RIFF", "unknown container '.avi'")):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ContainerUnreadable, match=problem):
            container_frames(tmp_path / name)
