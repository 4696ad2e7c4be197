"""container_frames(): frame counts of real MP4, WebM and GIF files made by export() in Debian's headless
Chromium, cross-checked with ffprobe, and truncated or foreign files refused with the file named."""

import numpy as np
import pytest

import cloudreel
from batch_jobs import BROWSER, ffprobe_frames
from cloudreel.container_frames import ContainerUnreadable, container_frames

CODECS = ["webcodecs-h264", "webcodecs-vp9", "ffmpeg-h264", "ffmpeg-gif"]


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


def test_skip_existing_finds_a_whole_video_under_its_fallback_extension_and_not_a_cut_one(videos, tmp_path):
    from cloudreel.batch import ExportJob, existing_output

    webm, count = videos["webcodecs-vp9"]  # asked for as .mp4, written as .webm
    frames = [np.zeros((5, 3))] * count
    job = ExportJob(frames, tmp_path / "run.mp4", codecs=["webcodecs-vp9"])
    assert existing_output(job) is None  # nothing there
    (tmp_path / "run.webm").write_bytes(webm.read_bytes())
    assert existing_output(job) == (tmp_path / "run.webm", count)
    assert existing_output(ExportJob(frames + frames[:1], tmp_path / "run.mp4")) is None  # one frame more: redo
    data = webm.read_bytes()
    (tmp_path / "run.webm").write_bytes(data[: len(data) // 2])
    assert existing_output(job) is None  # cut short: redo
