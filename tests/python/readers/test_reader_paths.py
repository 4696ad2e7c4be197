"""Natural ordering, glob expansion and the shared reading API (extension dispatch, missing libraries, colouring choice, bounds union)."""

import importlib.util

import numpy as np
import pytest

from cloudreel.readers import (FileBounds, PointFrame, ReadError, expand_inputs, export_frames, iter_frames,
                               natural_key, natural_sorted, read_bounds, read_frames)
from point_files import grid, write_kitti, write_ply


def test_natural_order_compares_numbers_as_numbers():
    names = ["scan_10.ply", "scan_2.ply", "scan_1.ply", "Scan_3.ply", "scan_02.ply", "a/scan_9.ply", "b1/x", "b10/x", "b2/x"]
    assert natural_sorted(names) == ["a/scan_9.ply", "b1/x", "b2/x", "b10/x", "scan_1.ply", "scan_02.ply", "scan_2.ply",
                                     "Scan_3.ply", "scan_10.ply"]
    assert natural_key("x2") < natural_key("x10") and sorted(["x10", "x2"]) == ["x10", "x2"]


def test_globs_and_paths_expand_once_each_in_natural_order(tmp_path):
    for i in (10, 2, 1):
        (tmp_path / f"scan_{i}.bin").write_bytes(b"")
    got = expand_inputs([str(tmp_path / "scan_*.bin"), str(tmp_path / "scan_2.bin")])
    assert [p.name for p in got] == ["scan_1.bin", "scan_2.bin", "scan_10.bin"]
    (tmp_path / "odd[1].bin").write_bytes(b"")  # a file whose name looks like a glob is that file
    assert [p.name for p in expand_inputs([str(tmp_path / "odd[1].bin")])] == ["odd[1].bin"]


def test_an_empty_glob_a_missing_file_and_a_folder_are_named(tmp_path):
    with pytest.raises(ReadError, match=r"nothing_\*\.ply: no files match this pattern"):
        expand_inputs([str(tmp_path / "nothing_*.ply")])
    with pytest.raises(ReadError, match=r"gone\.ply: no such file"):
        expand_inputs([str(tmp_path / "gone.ply")])
    with pytest.raises(ReadError, match="is a folder"):
        expand_inputs([str(tmp_path)])


def test_the_extension_picks_the_reader_and_an_unknown_one_is_named(tmp_path):
    (tmp_path / "cloud.xyz").write_text("1 2 3\n")
    with pytest.raises(ReadError, match=r"cloud\.xyz: unknown file type '\.xyz': cloudreel reads \.ply, \.pcd, \.las, \.laz, \.bin, \.npy, \.npz"):
        read_frames(tmp_path / "cloud.xyz")
    with pytest.raises(ReadError, match=r"gone\.PLY: no such file"):
        read_frames(tmp_path / "gone.PLY")
    (tmp_path / "dir.ply").mkdir()
    with pytest.raises(ReadError, match=r"dir\.ply: is a folder, not a file"):
        read_frames(tmp_path / "dir.ply")
    with pytest.raises(ReadError, match=r"dir\.ply: is a folder, not a file"):
        read_bounds(tmp_path / "dir.ply")


def test_a_missing_library_says_which_extra_to_install(tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "lazrs" else real(name, *a))
    with pytest.raises(ReadError, match=r"t\.laz: reading \.laz files needs lazrs: pip install 'cloudreel\[files\]'"):
        read_frames(tmp_path / "t.laz")


def test_frames_are_coloured_one_way_for_the_whole_animation(tmp_path):
    red = PointFrame(grid(2), colors=np.full((4, 3), 255, np.uint8), source="red.ply")
    scan = PointFrame(grid(2), values=np.ones(4), source="scan.bin")
    both = [red, scan]
    assert [set(f) for f in export_frames([red])] == [{"points", "colors"}] and export_frames([red])[0]["colors"] is red.colors
    assert [f["colors"] for f in export_frames(both)] == [None, None]  # auto: RGB only if every frame has it
    assert export_frames([scan], "intensity")[0]["values"] is scan.values
    with pytest.raises(ReadError, match=r"scan\.bin: has no RGB colours to colour by \(--color-by rgb\)"):
        export_frames(both, "rgb")
    with pytest.raises(ReadError, match=r"red\.ply: has no intensity"):
        export_frames(both, "intensity")
    with pytest.raises(ReadError, match=r"red\.ply: has no classification"):
        export_frames([red], "classification")


def test_iter_frames_reads_file_after_file_and_bounds_join(tmp_path):
    a = write_ply(tmp_path / "a.ply", grid(3))
    b = write_kitti(tmp_path / "b.bin", grid(2) + 5, np.arange(4))
    frames = iter_frames([a, b])
    assert next(frames).source == str(a) and next(frames).source == str(b)
    joined = FileBounds.union([read_bounds(a, values=True), read_bounds(b, values=True)])
    assert joined.values is None  # a.ply has no values
    joined = FileBounds.union([read_bounds(b, values=True), read_bounds(b)])
    assert joined.values is None and (joined.frames, joined.points) == (2, 8)
    assert FileBounds.union([read_bounds(a), read_bounds(b)]).hi.tolist() == [6.0, 6.0, 5.0]
