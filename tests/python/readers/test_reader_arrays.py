"""The .npy/.npz reader: (N, 3), (N, 6) xyz+rgb, (F, N, 3) and named .npz arrays; no pickles; truncated and over-announcing arrays."""

import re
import zipfile

import numpy as np
import pytest

from cloudreel.readers import ReadError, read_bounds, read_frames
from point_files import grid, refused_without_allocating


def test_an_n_by_3_array_is_one_frame_and_f_by_n_by_3_is_f_frames(tmp_path):
    one = grid(5).astype(np.float32)
    np.save(tmp_path / "one.npy", one)
    [frame] = read_frames(tmp_path / "one.npy")
    assert frame.points.dtype == np.float32 and (frame.points == one).all() and frame.colors is None
    many = np.stack([grid(4) + i for i in range(3)])
    np.save(tmp_path / "many.npy", many)
    frames = read_frames(tmp_path / "many.npy")
    assert [f.source for f in frames] == [f"{tmp_path / 'many.npy'}[{i}]" for i in range(3)]
    assert all((f.points == many[i]).all() and f.points.dtype == np.float64 for i, f in enumerate(frames))
    bounds = read_bounds(tmp_path / "many.npy")
    assert (bounds.lo == many.min(axis=(0, 1))).all() and (bounds.frames, bounds.points) == (3, 48)
    # Frames already read give the bounds without reading the file again (a lazy export's first file).
    (tmp_path / "many.npy").unlink()
    again = read_bounds(tmp_path / "many.npy", frames=frames)
    assert (again.lo == bounds.lo).all() and (again.hi == bounds.hi).all() and (again.frames, again.points) == (3, 48)


def test_float_frames_are_views_of_the_array_read_not_copies(tmp_path):
    many = np.stack([grid(4) + i for i in range(3)]).astype(np.float32)
    np.save(tmp_path / "many.npy", many)
    frames = read_frames(tmp_path / "many.npy")
    assert all(f.points.flags.c_contiguous and (f.points == many[i]).all() for i, f in enumerate(frames))
    assert frames[0].points.base is not None and frames[0].points.base is frames[2].points.base
    np.save(tmp_path / "rgb.npy", np.concatenate([many, np.full(many.shape, 9, np.float32)], axis=2))
    assert all(f.points.flags.c_contiguous for f in read_frames(tmp_path / "rgb.npy"))  # (F, N, 6): xyz copied out


@pytest.mark.parametrize("rgb, expected", [
    (np.array([[255, 0, 128]], np.uint8), [255, 0, 128]),
    (np.array([[1.0, 0.0, 0.5]]), [255, 0, 128]),       # floats up to 1: 0..1
    (np.array([[255.0, 0.0, 128.0]]), [255, 0, 128]),   # floats above 1: whole numbers 0..255
])
def test_n_by_6_holds_rgb_beside_xyz(tmp_path, rgb, expected):
    points = grid(2)
    np.save(tmp_path / "c.npy", np.column_stack([points, np.repeat(rgb, 4, axis=0)]))
    [frame] = read_frames(tmp_path / "c.npy")
    assert frame.colors.dtype == np.uint8 and (frame.colors == expected).all() and (frame.points == points).all()


def test_colours_out_of_range_name_the_file(tmp_path):
    np.save(tmp_path / "bad.npy", np.column_stack([grid(2), np.full((4, 3), 2.5)]))
    with pytest.raises(ReadError, match=r"bad\.npy: colours above 1 must be whole numbers"):
        read_frames(tmp_path / "bad.npy")


def test_npz_with_points_and_per_point_arrays(tmp_path):
    points = np.stack([grid(3), grid(3) * 2])
    colors = np.zeros((2, 9, 3), np.uint8)
    colors[1] = 200
    np.savez(tmp_path / "a.npz", points=points, colors=colors, intensity=np.ones((2, 9)), classification=np.full((2, 9), 2))
    frames = read_frames(tmp_path / "a.npz")
    assert len(frames) == 2 and (frames[1].colors == 200).all() and (frames[1].points == points[1]).all()
    assert (frames[0].values == 1).all() and frames[0].categories.dtype == np.uint8 and (frames[0].categories == 2).all()
    np.savez(tmp_path / "odd.npz", points=points, colour=colors)
    with pytest.raises(ReadError, match=r"odd\.npz: unknown arrays \['colour'\]"):
        read_frames(tmp_path / "odd.npz")
    np.savez(tmp_path / "twice.npz", points=np.concatenate([points, points], axis=2), colors=colors)
    with pytest.raises(ReadError, match=r"twice\.npz: colours given twice"):
        read_frames(tmp_path / "twice.npz")


def test_npz_of_frames_reads_them_in_natural_order_of_their_names(tmp_path):
    np.savez(tmp_path / "frames.npz", *[grid(2) + i for i in range(12)])  # arr_0 ... arr_11
    frames = read_frames(tmp_path / "frames.npz")
    assert [f.points[0, 2] for f in frames] == list(range(12))
    assert frames[10].source == f"{tmp_path / 'frames.npz'}[arr_10]"


def test_pickles_are_never_loaded(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([{"points": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ReadError, match=r"obj\.npy: the array holds Python objects"):
        read_frames(tmp_path / "obj.npy")
    np.savez(tmp_path / "obj.npz", points=np.array([None], dtype=object))
    with pytest.raises(ReadError, match=r"obj\.npz: array 'points' holds Python objects"):
        read_frames(tmp_path / "obj.npz")


def test_shapes_that_are_not_points_name_the_file(tmp_path):
    np.save(tmp_path / "four.npy", np.zeros((5, 4)))
    with pytest.raises(ReadError, match=r"four\.npy: the array must be \(N, 3\) points.*got shape \(5, 4\)"):
        read_frames(tmp_path / "four.npy")


def test_truncated_and_over_announcing_arrays_are_refused_before_allocating(tmp_path):
    np.save(tmp_path / "a.npy", grid(20))
    data = (tmp_path / "a.npy").read_bytes()
    (tmp_path / "cut.npy").write_bytes(data[:-100])
    with pytest.raises(ReadError, match=r"cut\.npy: the header announces the array of shape \(400, 3\)"):
        read_frames(tmp_path / "cut.npy")
    liar = tmp_path / "liar.npy"
    header_end = data.index(b"\n") + 1
    # The same header announcing 90M points, padded back to its length so the data still starts where it did.
    fixed = data[:header_end].replace(b"(400, 3), }", b"(90000000, 3), }")[:-1].rstrip(b" ")
    assert b"90000000" in fixed
    fixed = fixed + b" " * (header_end - 1 - len(fixed)) + b"\n"
    liar.write_bytes(fixed + data[header_end:])
    refused_without_allocating(lambda: read_frames(liar), re.escape(str(liar)) + r": the header announces the array of shape \(90000000, 3\)")
    archive = tmp_path / "liar.npz"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("points.npy", fixed + data[header_end:])
    refused_without_allocating(lambda: read_frames(archive), "^" + re.escape(str(archive)) + r": the header announces array 'points' of shape")
