"""The .pcd reader on files written by pypcd4 in each encoding: coordinates, packed colours, intensity; truncated, corrupt and over-announcing files."""

import re
import struct

import numpy as np
import pytest

from cloudreel.readers import ReadError, read_bounds, read_frames
from point_files import grid, refused_without_allocating, write_pcd

ENCODINGS = ["ascii", "binary", "binary_compressed"]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_points_colours_and_intensity_come_back_as_written(tmp_path, encoding):
    points = grid(20) * [4, 3, 1] + [1, 2, 3]
    colors = np.random.default_rng(2).integers(0, 256, (len(points), 3), dtype=np.uint8)
    intensity = np.linspace(0, 1, len(points), dtype=np.float32)
    # ascii keeps packed colours only as an integer field (a float one prints as 0.0000000000)
    path = write_pcd(tmp_path / "scan.pcd", points, colors, intensity, encoding, packed_uint=encoding == "ascii")
    [frame] = read_frames(path)
    assert frame.points.dtype == np.float32 and frame.points.shape == (400, 3)
    np.testing.assert_allclose(frame.points, points.astype(np.float32), rtol=1e-6)
    assert frame.colors.dtype == np.uint8 and (frame.colors == colors).all()
    np.testing.assert_allclose(frame.values, intensity, rtol=1e-6)
    assert frame.categories is None and frame.source == str(path)


def test_nan_points_pcl_marks_invalid_are_left_out(tmp_path):
    points = grid(3)
    points[4] = np.nan
    [frame] = read_frames(write_pcd(tmp_path / "organised.pcd", points, np.full((9, 3), 7, np.uint8), np.arange(9)))
    assert frame.count == 8 and np.isfinite(frame.points).all() and len(frame.colors) == 8
    assert frame.values.tolist() == [0, 1, 2, 3, 5, 6, 7, 8]


def test_double_fields_keep_utm_coordinates_and_the_bounds_pass_reads_them(tmp_path):
    points = grid(10, extent=50) + [500000.0, 5400000.0, 300.0] + 0.001
    path = write_pcd(tmp_path / "geo.pcd", points, encoding="binary_compressed", double=True)
    [frame] = read_frames(path)
    assert frame.points.dtype == np.float64 and (frame.points == points).all() and frame.colors is None
    bounds = read_bounds(path)
    assert (bounds.lo == points.min(axis=0)).all() and (bounds.hi == points.max(axis=0)).all() and bounds.values is None


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_truncated_file_names_the_file(tmp_path, encoding):
    data = write_pcd(tmp_path / "a.pcd", grid(30), encoding=encoding).read_bytes()
    cut = tmp_path / "cut.pcd"
    cut.write_bytes(data[: len(data) // 2 + 3])
    with pytest.raises(ReadError, match=r"cut\.pcd: .*(truncated|corrupt)"):
        read_frames(cut)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_header_announcing_more_points_than_the_file_holds_is_refused_before_allocating(tmp_path, encoding):
    data = write_pcd(tmp_path / "a.pcd", grid(30), encoding=encoding).read_bytes()
    data = data.replace(b"WIDTH 900\n", b"WIDTH 90000000\n").replace(b"POINTS 900\n", b"POINTS 90000000\n")
    if encoding == "binary_compressed":  # a consistent liar: its block claims the announced size too
        start = data.index(b"DATA binary_compressed\n") + len(b"DATA binary_compressed\n")
        compressed, _ = struct.unpack("<II", data[start:start + 8])
        data = data[:start] + struct.pack("<II", compressed, 90000000 * 12) + data[start + 8:]
    liar = tmp_path / "liar.pcd"
    liar.write_bytes(data)
    refused_without_allocating(lambda: read_frames(liar), re.escape(str(liar)) + r": the header announces 90000000 points")


def test_files_that_are_not_pcd_name_the_file(tmp_path):
    noise = tmp_path / "noise.pcd"
    noise.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ReadError, match=r"noise\.pcd: not a PCD file"):
        read_frames(noise)
    text = tmp_path / "text.pcd"
    text.write_text("VERSION 0.7\nFIELDS x y\nDATA ascii\n1 2\n")
    with pytest.raises(ReadError, match=r"text\.pcd: not a PCD file"):
        read_frames(text)
    nozed = tmp_path / "noz.pcd"
    write_pcd(tmp_path / "a.pcd", grid(3), encoding="ascii")
    nozed.write_text((tmp_path / "a.pcd").read_text().replace("FIELDS x y z", "FIELDS x y q"))
    with pytest.raises(ReadError, match=r"noz\.pcd: has no z field"):
        read_frames(nozed)
