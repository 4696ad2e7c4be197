"""The KITTI .bin reader (float32 x, y, z, intensity): values, a chunked bounds pass, files that are not whole points."""

import numpy as np
import pytest

from cloudreel.readers import ReadError, kitti, read_bounds, read_frames
from point_files import grid, write_kitti


def test_points_and_intensity_come_back_as_written(tmp_path):
    points = grid(30) * [40, 20, 2]
    intensity = np.linspace(0, 1, len(points))
    [frame] = read_frames(write_kitti(tmp_path / "000007.bin", points, intensity))
    assert frame.points.dtype == np.float32 and frame.points.flags.c_contiguous
    assert (frame.points == points.astype(np.float32)).all()
    assert (frame.values == intensity.astype(np.float32)).all() and frame.colors is None and frame.categories is None


def test_the_bounds_pass_reads_a_chunk_at_a_time(tmp_path, monkeypatch):
    rng = np.random.default_rng(5)
    points, intensity = rng.normal(size=(1000, 3)) * 30, rng.random(1000)
    path = write_kitti(tmp_path / "scan.bin", points, intensity)
    chunks = []
    real = np.fromfile
    monkeypatch.setattr(kitti, "_CHUNK", 128)
    monkeypatch.setattr(kitti.np, "fromfile", lambda *a: chunks.append(a[2]) or real(*a))
    bounds = read_bounds(path, values=True)
    assert chunks == [128] * 7 + [104]
    p32 = points.astype(np.float32)
    assert (bounds.lo == p32.min(axis=0)).all() and (bounds.hi == p32.max(axis=0)).all()
    assert bounds.values == (float(np.float32(intensity.min())), float(np.float32(intensity.max())))
    assert (bounds.frames, bounds.points) == (1, 1000)


def test_a_file_that_is_not_whole_points_names_the_file(tmp_path):
    data = write_kitti(tmp_path / "a.bin", grid(10), np.zeros(100)).read_bytes()
    (tmp_path / "cut.bin").write_bytes(data[:-6])
    with pytest.raises(ReadError, match=r"cut\.bin: 1594 bytes is not a whole number of 16-byte points"):
        read_frames(tmp_path / "cut.bin")
    with pytest.raises(ReadError, match=r"cut\.bin: 1594 bytes"):
        read_bounds(tmp_path / "cut.bin")
