"""`cloudreel render`: exit codes and messages in process; a few end-to-end runs of `python -m cloudreel` on
files written by plyfile, pypcd4, laspy and numpy, in Debian's headless Chromium ($CLOUDREEL_BROWSER), checked
with ffprobe and by decoding frames of known colour."""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from cloudreel import cli
from readers.point_files import UTM, grid, solid, write_kitti, write_las, write_pcd, write_ply

ROOT = Path(__file__).resolve().parents[2]
BROWSER = os.environ.get("CLOUDREEL_BROWSER", "/usr/bin/chromium")
SMALL = ["--size", "160x120", "--no-title", "--point-size", "8"]
RED, GREEN, BLUE, WHITE, YELLOW = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (255, 255, 0)


def render(args, cwd):
    """``python -m cloudreel render ARGS`` from the checkout, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "python"), "CLOUDREEL_BROWSER": BROWSER}
    return subprocess.run([sys.executable, "-m", "cloudreel", "render", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def probe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                          "stream=codec_name,width,height,nb_read_frames", "-of", "json", str(path)],
                         capture_output=True, text=True, timeout=30, check=True)
    s = json.loads(out.stdout)["streams"][0]
    return s["codec_name"], s["width"], s["height"], int(s["nb_read_frames"])


def centre_colour(path, frame):
    """The mean RGB of the 20 x 20 pixels at the centre of ``frame`` (160 x 120), decoded by ffmpeg."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-vf", f"select=eq(n\\,{frame})", "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, timeout=30, check=True).stdout
    pixels = np.frombuffer(raw, np.uint8).reshape(120, 160, 3)
    return pixels[50:70, 70:90].reshape(-1, 3).mean(axis=0)


def assert_colours(path, expected):
    for i, rgb in enumerate(expected):
        got = centre_colour(path, i)
        assert np.abs(got - rgb).max() < 24, f"frame {i}: expected {rgb}, got {got.round()}"


# ---- end to end: real files, the real command, the real browser --------------------------------------------

def test_ply_scans_render_in_natural_order_with_their_own_colours(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    for name, rgb in (("scan_1", RED), ("scan_2", GREEN), ("scan_10", BLUE)):  # lexical order: 1, 10, 2
        write_ply(scans / f"{name}.ply", grid(45), solid(45 * 45, rgb))
    done = render(["scans/scan_*.ply", "-o", "out.mp4", *SMALL], tmp_path)
    assert done.returncode == 0, done.stderr
    # The default chain: WebCodecs H.264 here (the line names what the chain chose, and ffprobe agrees).
    assert done.stdout.startswith("out.mp4: 3 frames, 0.6 s, webcodecs-h264 (video/mp4), "), done.stdout
    assert "cloudreel: Reading file 1/3" in done.stderr and "cloudreel: Video ready!" in done.stderr
    assert probe(tmp_path / "out.mp4") == ("h264", 160, 120, 3)
    assert_colours(tmp_path / "out.mp4", [RED, GREEN, BLUE])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4", "scans"]


def test_las_laz_and_every_pcd_encoding_at_utm_coordinates_with_mixed_point_counts(tmp_path):
    sides = {"a.las": 45, "b.laz": 40, "c.pcd": 35, "d.pcd": 30, "e.pcd": 44}
    pts = {name: grid(side, extent=50, origin=UTM) for name, side in sides.items()}
    write_las(tmp_path / "a.las", pts["a.las"], solid(45 * 45, RED).astype(np.uint16) * 257)   # 16-bit RGB
    write_las(tmp_path / "b.laz", pts["b.laz"], solid(40 * 40, GREEN).astype(np.uint16) * 257)
    write_pcd(tmp_path / "c.pcd", pts["c.pcd"], solid(35 * 35, BLUE), encoding="ascii", double=True, packed_uint=True)
    write_pcd(tmp_path / "d.pcd", pts["d.pcd"], solid(30 * 30, WHITE), encoding="binary", double=True)
    write_pcd(tmp_path / "e.pcd", pts["e.pcd"], solid(44 * 44, YELLOW), encoding="binary_compressed", double=True)
    # VP9: WebCodecs H.264 at this tiny size and these saturated colours misses its own PSNR bound (32.7 < 33 dB).
    done = render(["*.las", "*.laz", "*.pcd", "-o", "mixed.webm", "--codec", "webcodecs-vp9", "--no-progress", *SMALL], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout.startswith("mixed.webm: 5 frames, 1 s, webcodecs-vp9 (video/webm), ")
    assert probe(tmp_path / "mixed.webm") == ("vp9", 160, 120, 5)
    assert_colours(tmp_path / "mixed.webm", [RED, GREEN, BLUE, WHITE, YELLOW])


def test_one_npz_holding_frames_and_a_kitti_scan_coloured_by_intensity(tmp_path):
    points = np.stack([grid(45) * 10, grid(45) * 10])
    np.savez(tmp_path / "drive.npz", points=points, intensity=np.stack([np.zeros(45 * 45), np.ones(45 * 45)]))
    write_kitti(tmp_path / "last.bin", grid(40) * 10, np.ones(40 * 40))
    done = render(["drive.npz", "last.bin", "-o", "drive.webm", "--color-by", "intensity", "--vmin", "0", "--vmax", "1",
                   "--codec", "webcodecs-vp8", "--no-progress", *SMALL], tmp_path)
    assert done.returncode == 0, done.stderr
    assert probe(tmp_path / "drive.webm") == ("vp8", 160, 120, 3)
    viridis_low, viridis_high = (68, 1, 84), (253, 231, 37)
    assert_colours(tmp_path / "drive.webm", [viridis_low, viridis_high, viridis_high])


# ---- exit codes and messages, in process (nothing reaches a browser) ----------------------------------------

def run_main(argv, capsys):
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_an_empty_glob_is_bad_input_and_names_the_pattern(tmp_path, capsys):
    code, out, err = run_main(["render", str(tmp_path / "scan_*.ply"), "-o", str(tmp_path / "x.mp4")], capsys)
    assert (code, out) == (2, "")
    assert err == f"cloudreel render: error: {tmp_path / 'scan_*.ply'}: no files match this pattern\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("damage, words", [
    (lambda data: data[: len(data) // 2], "truncated"),
    (lambda data: b"garbage!" * 40, "not a PLY file"),
])
def test_a_truncated_or_corrupt_file_among_good_ones_is_bad_input_naming_it(tmp_path, capsys, damage, words):
    for i in range(3):
        write_ply(tmp_path / f"s{i}.ply", grid(20))
    bad = tmp_path / "s1.ply"
    bad.write_bytes(damage(bad.read_bytes()))
    code, out, err = run_main(["render", str(tmp_path / "s*.ply"), "-o", str(tmp_path / "x.mp4"), "--no-progress"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"cloudreel render: error: {bad}: ") and words in err
    assert not (tmp_path / "x.mp4").exists()


def test_a_colouring_a_file_lacks_is_bad_input_naming_the_file(tmp_path, capsys):
    write_ply(tmp_path / "a.ply", grid(3), solid(9, RED))
    write_kitti(tmp_path / "b.bin", grid(3), np.ones(9))
    code, _, err = run_main(["render", str(tmp_path / "a.ply"), str(tmp_path / "b.bin"), "-o", str(tmp_path / "x.mp4"),
                             "--color-by", "rgb", "--no-progress"], capsys)
    assert code == 2 and f"{tmp_path / 'b.bin'}: has no RGB colours to colour by (--color-by rgb)" in err


@pytest.mark.parametrize("args, words", [
    (["--fps", "0"], "fps"),                            # export()'s own check, before any browser
    (["--bounds", "1,1,1,0,0,0"], "bounds must have min <= max"),
    (["--vmin", "2", "--vmax", "1"], "vmin must not exceed vmax"),
])
def test_options_export_refuses_are_bad_input(tmp_path, capsys, args, words):
    write_ply(tmp_path / "a.ply", grid(3))
    code, _, err = run_main(["render", str(tmp_path / "a.ply"), "-o", str(tmp_path / "x.mp4"), "--no-progress", *args], capsys)
    assert code == 2 and words in err and not (tmp_path / "x.mp4").exists()


@pytest.mark.parametrize("args, words", [
    (["--size", "big"], "must be WIDTHxHEIGHT"),
    (["--bounds", "1,2,3"], "must be six numbers"),
    (["--codec", "h265"], "unknown codec 'h265'"),
    (["--color-by", "heat"], "invalid choice: 'heat'"),
    ([], "the following arguments are required: -o/--output"),
])
def test_bad_arguments_exit_2_with_argparses_message(tmp_path, capsys, args, words):
    out = [] if not args else ["-o", "x.mp4"]
    with pytest.raises(SystemExit) as stop:
        cli.main(["render", "a.ply", *out, *args])
    assert stop.value.code == 2 and words in capsys.readouterr().err


def test_a_failed_export_exits_1_with_the_pages_words(tmp_path, capsys, monkeypatch):
    from cloudreel.headless import export as export_module

    def failing(*args, **kwargs):
        raise export_module.ExportError("Export failed: every encoder failed")

    monkeypatch.setattr(export_module, "export", failing)
    write_ply(tmp_path / "a.ply", grid(3))
    code, out, err = run_main(["render", str(tmp_path / "a.ply"), "-o", str(tmp_path / "x.mp4"), "--no-progress"], capsys)
    assert (code, out, err) == (1, "", "cloudreel render: error: Export failed: every encoder failed\n")


def test_options_reach_export_as_it_names_them(tmp_path, capsys, monkeypatch):
    from cloudreel.headless import export as export_module

    seen = {}

    def recording(frames, path, **kwargs):
        seen.update(kwargs, frames=frames, path=path)
        raise export_module.ExportError("Export failed: recorded")

    monkeypatch.setattr(export_module, "export", recording)
    write_kitti(tmp_path / "a.bin", grid(3), np.arange(9))
    code, _, _ = run_main(["render", str(tmp_path / "a.bin"), "-o", "v.mp4", "--no-progress", "--fps", "12.5",
                           "--size", "640x360", "--codec", "webcodecs-vp9,ffmpeg-gif", "--codec", "ffmpeg-vp8",
                           "--quality", "small", "--point-size", "3", "--point-shape", "round", "--background", "#112233",
                           "--no-title", "--color-by", "intensity", "--colormap", "magma", "--vmin", "1", "--vmax", "7",
                           "--bounds", "0,0,0,1,2,3", "--browser", "/opt/chrome"], capsys)
    assert code == 1
    frames = seen.pop("frames")  # a LazyFrames over the files, coloured by intensity, its bounds given: no bounds pass
    assert seen.pop("path") == "v.mp4" and frames.count == 1 and frames.frame(0).values is not None
    assert seen == dict(fps=12.5, width=640, height=360, title=False, codecs=["webcodecs-vp9", "ffmpeg-gif", "ffmpeg-vp8"],
                        quality="small", point_size=3.0, point_shape="round", colormap="magma", background="#112233",
                        bounds=((0.0, 0.0, 0.0), (1.0, 2.0, 3.0)), vmin=1.0, vmax=7.0, progress=False, browser="/opt/chrome")


def test_ctrl_c_exits_130_saying_nothing_was_written(tmp_path, capsys, monkeypatch):
    from cloudreel.headless import export as export_module

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(export_module, "export", interrupted)
    write_ply(tmp_path / "a.ply", grid(3))
    code, out, err = run_main(["render", str(tmp_path / "a.ply"), "-o", str(tmp_path / "x.mp4"), "--no-progress"], capsys)
    assert (code, out, err) == (130, "", "cloudreel render: cancelled, nothing written\n")


def test_no_browser_exits_1_naming_what_was_asked_for(tmp_path, capsys):
    write_ply(tmp_path / "a.ply", grid(3))
    code, _, err = run_main(["render", str(tmp_path / "a.ply"), "-o", str(tmp_path / "x.mp4"), "--no-progress",
                             "--browser", str(tmp_path / "no-such-chromium")], capsys)
    assert code == 1 and "no-such-chromium" in err and not (tmp_path / "x.mp4").exists()


def test_help_has_a_worked_example_and_the_command_starts_without_the_widget(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "python")}
    done = subprocess.run([sys.executable, "-m", "cloudreel", "render", "--help"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0
    assert "cloudreel render 'drive/scan_*.bin' -o drive.mp4" in done.stdout and "exit codes: 0 written" in done.stdout
    done = subprocess.run([sys.executable, "-m", "cloudreel", "--version"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == f"cloudreel {json.loads((ROOT / 'package.json').read_text())['version']}\n"
    check = ("import sys, cloudreel.cli; heavy = {'ipywidgets', 'IPython', 'playwright', 'plyfile', 'laspy', 'pypcd4'};"
             "print(sorted(heavy & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_the_wheel_declares_the_command_and_the_files_extra_pinned_as_tested():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"cloudreel": "cloudreel.cli:main"}
    tested = set((ROOT / "python/requirements-test.txt").read_text().split())
    extra = project["optional-dependencies"]["files"]
    assert {p.split("==")[0] for p in extra} == {"plyfile", "pypcd4", "laspy", "lazrs"} and set(extra) <= tested


def test_the_installed_wheel_has_the_cloudreel_command(tmp_path):
    """The .venv's cloudreel (npm run build:wheel installs it): its console script, run away from the checkout."""
    script = Path(sys.executable).with_name("cloudreel")
    assert script.exists(), f"no {script}: run `npm run build:wheel`"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(script), "render", "--help"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "usage: cloudreel render" in done.stdout, done.stderr
    done = subprocess.run([str(script), "render", "scan_*.ply", "-o", "x.mp4"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (2, "cloudreel render: error: scan_*.ply: no files match this pattern\n")
