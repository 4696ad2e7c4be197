"""The .las/.laz reader on files written by laspy (LAZ through lazrs) at scaled UTM coordinates: float64 coordinates, 16-bit RGB to 8-bit, intensity, classification, header bounds; truncated, corrupt and over-announcing files."""

import re
import struct

import numpy as np
import pytest

from cloudreel.readers import ReadError, read_bounds, read_frames
from point_files import UTM, grid, refused_without_allocating, write_las


def utm_points(side=40):
    # On the 1 mm grid the file stores, so the scaled coordinates come back exactly.
    return np.round(grid(side, extent=100) + UTM + [0.0, 0.0, 12.5], 3)


@pytest.mark.parametrize("suffix", ["las", "laz"])
def test_scaled_coordinates_colours_intensity_and_classes_come_back(tmp_path, suffix):
    points = utm_points()
    n = len(points)
    colors16 = np.zeros((n, 3), np.uint16)
    colors16[:, 0] = 65535
    colors16[:, 1] = 128 * 257
    colors16[: n // 2, 2] = 257
    intensity = np.arange(n, dtype=np.uint16) * 7
    classes = (np.arange(n) % 19).astype(np.uint8)
    path = write_las(tmp_path / f"tile.{suffix}", points, colors16, intensity, classes)
    [frame] = read_frames(path)
    assert frame.points.dtype == np.float64
    np.testing.assert_allclose(frame.points, points, rtol=0, atol=1e-6)
    assert frame.colors.dtype == np.uint8
    assert (frame.colors[:, 0] == 255).all() and (frame.colors[:, 1] == 128).all()
    assert (frame.colors[: n // 2, 2] == 1).all() and (frame.colors[n // 2:, 2] == 0).all()
    assert (frame.values == intensity).all() and (frame.categories == classes).all()
    bounds = read_bounds(path, values=True)
    np.testing.assert_allclose(bounds.lo, points.min(axis=0), atol=1e-6)
    np.testing.assert_allclose(bounds.hi, points.max(axis=0), atol=1e-6)
    assert (bounds.frames, bounds.points, bounds.values) == (1, n, (0.0, float(intensity.max())))


def test_formats_without_rgb_and_rgb_nobody_filled_in_have_no_colours(tmp_path):
    points = utm_points(5)
    [plain] = read_frames(write_las(tmp_path / "plain.las", points))
    [zeros] = read_frames(write_las(tmp_path / "zeros.las", points, np.zeros((25, 3), np.uint16)))
    assert plain.colors is None and zeros.colors is None
    [eight] = read_frames(write_las(tmp_path / "eight.las", points, np.full((25, 3), 200, np.uint16)))
    assert (eight.colors == 200).all()  # 8-bit values in the 16-bit fields: kept as they are


def test_the_bounds_pass_reads_only_the_header(tmp_path):
    path = write_las(tmp_path / "tile.las", utm_points(10))
    data = bytearray(path.read_bytes())
    # Move the header's max x (offset 179) by a kilometre: the bounds pass must report the header's word.
    max_x = struct.unpack_from("<d", data, 179)[0]
    struct.pack_into("<d", data, 179, max_x + 1000)
    path.write_bytes(bytes(data))
    assert read_bounds(path).hi[0] == pytest.approx(max_x + 1000)


def test_header_bounds_that_are_not_bounds_are_measured_from_the_points(tmp_path):
    points = utm_points(10)
    path = write_las(tmp_path / "tile.las", points)
    data = bytearray(path.read_bytes())
    struct.pack_into("<6d", data, 179, *([0.0, 1.0] * 3))  # max x 0 < min x 1, and so on: a writer that left them
    path.write_bytes(bytes(data))
    bounds = read_bounds(path)
    np.testing.assert_allclose(bounds.lo, points.min(axis=0), atol=1e-6)
    np.testing.assert_allclose(bounds.hi, points.max(axis=0), atol=1e-6)


@pytest.mark.parametrize("suffix", ["las", "laz"])
def test_a_truncated_file_names_the_file(tmp_path, suffix):
    data = write_las(tmp_path / f"a.{suffix}", utm_points(), np.full((1600, 3), 9999, np.uint16)).read_bytes()
    cut = tmp_path / f"cut.{suffix}"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ReadError, match=rf"cut\.{suffix}: .*(truncated|corrupt)"):
        read_frames(cut)


@pytest.mark.parametrize("suffix", ["las", "laz"])
def test_a_header_announcing_more_points_than_the_file_holds_is_refused(tmp_path, suffix):
    data = bytearray(write_las(tmp_path / f"a.{suffix}", utm_points()).read_bytes())
    struct.pack_into("<I", data, 107, 400_000_000)  # LAS 1.2's point count
    liar = tmp_path / f"liar.{suffix}"
    liar.write_bytes(bytes(data))
    # LAS: its size says so before reading; LAZ: decompressed a chunk (1M points, 28 MB) at a time,
    # it fails at the first chunk where the data ends, never near the 11 GB announced.
    expected = "the header announces 400000000 points" if suffix == "las" else "of 400000000 points"
    refused_without_allocating(lambda: read_frames(liar), re.escape(str(liar)) + ": .*" + expected,
                               limit=20_000_000 if suffix == "las" else 100_000_000)


def test_a_file_that_is_not_las_names_the_file(tmp_path):
    noise = tmp_path / "noise.laz"
    noise.write_bytes(b"not a lidar file" * 20)
    with pytest.raises(ReadError, match=r"noise\.laz: not a LAS/LAZ file"):
        read_frames(noise)
