"""Point-cloud files written in the tests by each format's own library (plyfile, pypcd4, laspy, numpy), shared by the reader and CLI tests."""

import numpy as np

#: Where geo-referenced fixtures sit: scaled UTM-like coordinates (metres).
UTM = np.array([500000.0, 5400000.0, 300.0])


def grid(side, extent=1.0, origin=(0.0, 0.0, 0.0)):
    """A flat side x side grid of points spanning ``extent`` in x and y, at ``origin``: (N, 3) float64."""
    u = np.linspace(-extent, extent, side)
    xy = np.stack(np.meshgrid(u, u), -1).reshape(-1, 2)
    return np.column_stack([xy, np.zeros(len(xy))]) + np.asarray(origin, np.float64)


def write_ply(path, points, colors=None, text=False, extra=None, double=False):
    """``extra``: {name: (N,) array} of further vertex properties (intensity, classification)."""
    from plyfile import PlyData, PlyElement

    fields = [(a, "f8" if double else "f4") for a in "xyz"]
    if colors is not None:
        fields += [(c, "u1") for c in ("red", "green", "blue")]
    extra = extra or {}
    fields += [(name, np.asarray(v).dtype.str) for name, v in extra.items()]
    vertex = np.empty(len(points), dtype=fields)
    for k, a in enumerate("xyz"):
        vertex[a] = points[:, k]
    if colors is not None:
        for k, c in enumerate(("red", "green", "blue")):
            vertex[c] = colors[:, k]
    for name, v in extra.items():
        vertex[name] = v
    PlyData([PlyElement.describe(vertex, "vertex")], text=text).write(str(path))
    return path


def write_pcd(path, points, colors=None, intensity=None, encoding="binary", double=False, packed_uint=False):
    """rgb packed as PCL does: a float32 field (``packed_uint``: a uint32 one, as ascii files need)."""
    from pypcd4 import Encoding, PointCloud

    kind = np.float64 if double else np.float32
    arrays = [points[:, 0], points[:, 1], points[:, 2]]
    names, types = ["x", "y", "z"], [kind] * 3
    if colors is not None:
        packed = PointCloud.encode_rgb(np.asarray(colors, np.uint8))
        arrays.append(packed.view(np.uint32) if packed_uint else packed)
        names.append("rgb")
        types.append(np.uint32 if packed_uint else np.float32)
    if intensity is not None:
        arrays.append(intensity)
        names.append("intensity")
        types.append(np.float32)
    cloud = PointCloud.from_points([np.asarray(a, t) for a, t in zip(arrays, types)], tuple(names), tuple(types))
    cloud.save(str(path), encoding=Encoding(encoding))
    return path


def write_las(path, points, colors16=None, intensity=None, classification=None, scale=0.001):
    """LAS or LAZ (by the suffix; LAZ through lazrs), coordinates scaled by ``scale`` from UTM offsets."""
    import laspy

    header = laspy.LasHeader(point_format=3 if colors16 is not None else 1, version="1.2")
    header.offsets = UTM.copy()
    header.scales = np.array([scale] * 3)
    las = laspy.LasData(header)
    las.x, las.y, las.z = points[:, 0], points[:, 1], points[:, 2]
    if intensity is not None:
        las.intensity = intensity
    if classification is not None:
        las.classification = classification
    if colors16 is not None:
        las.red, las.green, las.blue = (np.asarray(colors16[:, k], np.uint16) for k in range(3))
    las.write(str(path))
    return path


def write_kitti(path, points, intensity):
    np.column_stack([points, intensity]).astype("<f4").tofile(str(path))
    return path


def solid(count, rgb):
    return np.tile(np.asarray(rgb, np.uint8), (count, 1))


def refused_without_allocating(call, match, limit=20_000_000):
    """Runs ``call``, which must raise ReadError matching ``match`` while Python and numpy
    allocate under ``limit`` bytes at their peak (a header's promise is checked, not allocated)."""
    import tracemalloc

    import pytest

    from cloudreel.readers import ReadError

    tracemalloc.start()
    try:
        with pytest.raises(ReadError, match=match) as caught:
            call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < limit, f"allocated {peak} bytes before refusing"
    return caught.value
