"""The .ply reader on files written by plyfile: coordinates, colours, values, class codes; truncated, corrupt and over-announcing files."""

import numpy as np
import pytest

from cloudreel.readers import ReadError, read_bounds, read_frames
from point_files import grid, refused_without_allocating, write_ply


@pytest.mark.parametrize("text", [False, True], ids=["binary", "ascii"])
def test_points_and_colours_come_back_as_written(tmp_path, text):
    points = grid(20) * [3, 2, 1] + [0, 0, 5]
    colors = np.random.default_rng(1).integers(0, 256, (len(points), 3), dtype=np.uint8)
    path = write_ply(tmp_path / "scan.ply", points, colors, text=text)
    [frame] = read_frames(path)
    assert frame.points.dtype == np.float32 and frame.points.shape == (400, 3)
    np.testing.assert_allclose(frame.points, points.astype(np.float32))
    assert frame.colors.dtype == np.uint8 and (frame.colors == colors).all()
    assert frame.values is None and frame.categories is None and frame.source == str(path)


def test_doubles_stay_float64_and_intensity_and_classification_are_read(tmp_path):
    points = grid(10) + [500000.25, 5400000.5, 300.125]
    extra = {"intensity": np.arange(100, dtype=np.uint16), "scalar_Classification": np.full(100, 6, np.uint8)}
    [frame] = read_frames(write_ply(tmp_path / "geo.ply", points, extra=extra, double=True))
    assert frame.points.dtype == np.float64 and (frame.points == points).all()
    assert frame.colors is None
    assert (frame.values == np.arange(100)).all() and (frame.categories == 6).all()
    bounds = read_bounds(tmp_path / "geo.ply", values=True)
    assert (bounds.lo == points.min(axis=0)).all() and (bounds.hi == points.max(axis=0)).all()
    assert (bounds.frames, bounds.points, bounds.values) == (1, 100, (0.0, 99.0))


@pytest.mark.parametrize("text", [False, True], ids=["binary", "ascii"])
def test_a_truncated_file_names_the_file(tmp_path, text):
    data = write_ply(tmp_path / "a.ply", grid(30), text=text).read_bytes()
    cut = tmp_path / "cut.ply"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ReadError, match=r"cut\.ply: .*(truncated|early end)"):
        read_frames(cut)


@pytest.mark.parametrize("text", [False, True], ids=["binary", "ascii"])
def test_a_header_announcing_more_points_than_the_file_holds_is_refused_before_allocating(tmp_path, text):
    data = write_ply(tmp_path / "a.ply", grid(30), text=text).read_bytes()
    liar = tmp_path / "liar.ply"
    liar.write_bytes(data.replace(b"element vertex 900", b"element vertex 900000000", 1))
    error = refused_without_allocating(lambda: read_frames(liar), r"liar\.ply: the header announces 900000000 vertex rows")
    assert error.path == str(liar)


def test_a_file_that_is_not_ply_names_the_file(tmp_path):
    bad = tmp_path / "noise.ply"
    bad.write_bytes(np.random.default_rng(0).bytes(300))
    with pytest.raises(ReadError, match=r"noise\.ply: not a PLY file"):
        read_frames(bad)
    (tmp_path / "mesh.ply").write_bytes(b"ply\nformat ascii 1.0\nelement face 0\nproperty list uchar int vertex_indices\nend_header\n")
    with pytest.raises(ReadError, match="no vertex element"):
        read_frames(tmp_path / "mesh.ply")
