"""normalize_frames: every accepted input form, and every rejection."""

import re

import numpy as np
import pytest

from cloudreel.frames import Frame, normalize_frames

F, N = 3, 5
# Integer-valued (so exact in every dtype below, float16 included) and negative too.
POINTS = (np.arange(F * N * 3, dtype=np.float64).reshape(F, N, 3) - 20) / 2
COLORS_U8 = (np.arange(F * N * 3).reshape(F, N, 3) * 17 % 256).astype(np.uint8)
COLORS_F = COLORS_U8 / 255.0  # round(c * 255) gives COLORS_U8 back exactly


def dicts(points, colors=None, key=True):
    if colors is None:
        return [{"points": p, "colors": None} if key else {"points": p} for p in points]
    return [{"points": p, "colors": c} for p, c in zip(points, colors)]


def strided(a):
    """A non-contiguous view holding the same values as ``a``."""
    wide = np.zeros(a.shape[:-1] + (6,), a.dtype)
    wide[..., ::2] = a
    view = wide[..., ::2]
    assert not view.flags.c_contiguous
    return view


COLORED = [
    ("dicts, float colors", lambda: (dicts(POINTS, COLORS_F), None)),
    ("dicts, uint8 colors", lambda: (dicts(POINTS, COLORS_U8), None)),
    ("dicts, int64 colors", lambda: (dicts(POINTS, COLORS_U8.astype(np.int64)), None)),
    ("dicts, float32 colors", lambda: (dicts(POINTS, COLORS_F.astype(np.float32)), None)),
    ("dicts, big-endian colors", lambda: (dicts(POINTS, COLORS_U8.astype(">u2")), None)),
    ("dicts, strided colors", lambda: (dicts(POINTS, strided(COLORS_U8)), None)),
    ("dicts, nested lists", lambda: (dicts(POINTS.tolist(), COLORS_F.tolist()), None)),
    ("list of arrays, colors= list", lambda: (list(POINTS), list(COLORS_U8))),
    ("tuple of arrays, colors= array", lambda: (tuple(POINTS), COLORS_F)),
    ("(F,N,3) array, colors= array", lambda: (POINTS, COLORS_U8)),
    ("(F,N,3) array, colors= list", lambda: (POINTS, list(COLORS_F))),
    ("nested lists, colors= nested lists", lambda: (POINTS.tolist(), COLORS_U8.tolist())),
]

UNCOLORED = [
    ("dicts without 'colors'", lambda: (dicts(POINTS, key=False), None)),
    ("dicts with colors None", lambda: (dicts(POINTS), None)),
    ("list of arrays", lambda: (list(POINTS), None)),
    ("list of arrays, colors= Nones", lambda: (list(POINTS), [None] * F)),
    ("(F,N,3) array", lambda: (POINTS, None)),
    ("(F,N,3) float32 array", lambda: (POINTS.astype(np.float32), None)),
    ("(F,N,3) float16 array", lambda: (POINTS.astype(np.float16), None)),
    ("(F,N,3) big-endian float64", lambda: (POINTS.astype(">f8"), None)),
    ("(F,N,3) big-endian float32", lambda: (POINTS.astype(">f4"), None)),
    ("(F,N,3) Fortran-order array", lambda: (np.asfortranarray(POINTS), None)),
    ("(F,N,3) strided view", lambda: (strided(POINTS), None)),
    ("list of strided views", lambda: (list(strided(POINTS)), None)),
    ("nested lists", lambda: (POINTS.tolist(), None)),
    ("int32 (F,N,3) array", lambda: ((POINTS * 2).astype(np.int32), None), POINTS * 2),
    ("list of int64 arrays", lambda: (list((POINTS * 2).astype(np.int64)), None), POINTS * 2),
    ("list of big-endian int16", lambda: (list((POINTS * 2).astype(">i2")), None), POINTS * 2),
    ("nested lists of ints", lambda: ((POINTS * 2).astype(int).tolist(), None), POINTS * 2),
]


def check_layout(frame):
    assert isinstance(frame, Frame)
    assert frame.positions.dtype == np.dtype("<f4")
    assert frame.positions.flags.c_contiguous
    if frame.colors is not None:
        assert frame.colors.dtype == np.uint8
        assert frame.colors.flags.c_contiguous
        assert frame.colors.shape == frame.positions.shape


@pytest.mark.parametrize("make", [m for _, m in COLORED], ids=[i for i, _ in COLORED])
def test_colored_forms_agree(make):
    frames, colors = make()
    out = normalize_frames(frames, colors=colors)
    assert len(out) == F
    for i, frame in enumerate(out):
        check_layout(frame)
        np.testing.assert_array_equal(frame.positions, POINTS[i].astype(np.float32))
        np.testing.assert_array_equal(frame.colors, COLORS_U8[i])


@pytest.mark.parametrize("make, expected", [(r[1], r[2] if len(r) > 2 else POINTS)
                                            for r in UNCOLORED], ids=[r[0] for r in UNCOLORED])
def test_uncolored_forms_agree(make, expected):
    frames, colors = make()
    out = normalize_frames(frames, colors=colors)
    assert len(out) == F
    for i, frame in enumerate(out):
        check_layout(frame)
        np.testing.assert_array_equal(frame.positions, expected[i].astype(np.float32))
        assert frame.colors is None


def test_differing_counts_and_empty_frames():
    rng = np.random.default_rng(1)
    counts = [4, 0, 1, 7, 0]
    points = [rng.normal(size=(n, 3)) for n in counts]
    colors = [rng.integers(0, 256, size=(n, 3)) if n % 2 else None for n in counts]
    out = normalize_frames(points, colors=colors)
    assert [f.count for f in out] == counts
    for frame, p, c in zip(out, points, colors):
        check_layout(frame)
        np.testing.assert_array_equal(frame.positions, p.astype(np.float32))
        if c is None:
            assert frame.colors is None
        else:
            np.testing.assert_array_equal(frame.colors, c)


@pytest.mark.parametrize("empty", [
    np.zeros((0, 3)),
    np.zeros((0, 3), np.int16),
    [],
    {"points": []},
    {"points": np.zeros((0, 3)), "colors": np.zeros((0, 3))},
    {"points": [], "colors": []},
], ids=["float array", "int array", "empty list", "dict, empty list", "dict, empty colors", "dict, lists"])
def test_empty_frame(empty):
    [frame] = normalize_frames([empty])
    check_layout(frame)
    assert frame.positions.shape == (0, 3)
    assert frame.colors is None or frame.colors.shape == (0, 3)


def test_fully_empty_array_of_frames():
    out = normalize_frames(np.zeros((2, 0, 3)))
    assert [f.positions.shape for f in out] == [(0, 3), (0, 3)]


@pytest.mark.parametrize("color, byte", [
    (0.0, 0), (1.0, 255), (0.25, 64), (0.75, 191),
    # c * 255 lands exactly on .5: round half up, like JavaScript's Math.round.
    (0.5, 128), (2.5 / 255, 3), (126.5 / 255, 127),
])
def test_float_color_rounding(color, byte):
    assert color * 255 % 1 in (0.0, 0.25, 0.5, 0.75)  # the case is what it claims
    [frame] = normalize_frames([{"points": [[0, 0, 0]], "colors": [[color, 0, 1]]}])
    assert frame.colors.tolist() == [[byte, 0, 255]]


def test_float32_positions_are_not_copied():
    points = np.arange(12, dtype=np.float32).reshape(4, 3)  # near (0, 0, 0): kept as they are
    [frame] = normalize_frames([points])
    assert np.shares_memory(frame.positions, points)


@pytest.mark.parametrize("positions, colors", [
    (np.zeros((2, 3)), None),
    (np.zeros((2, 3), ">f4"), None),
    (np.zeros((2, 3), np.float32).T.copy().T, None),
    (np.zeros((2, 3), np.float32), np.zeros((2, 3))),
    (np.zeros((2, 3), np.float32), np.zeros((1, 3), np.uint8)),
], ids=["float64", "big-endian", "Fortran order", "float colors", "short colors"])
def test_frame_refuses_unpacked_arrays(positions, colors):
    with pytest.raises(TypeError, match="normalize_frames"):
        Frame(positions, colors)


def with_value(shape, index, value, dtype=np.float64):
    """Zeros of ``shape`` with ``value`` at ``index``."""
    a = np.zeros(shape, dtype)
    a[index] = value
    return a


def frame_list(bad, at, count=4):
    """``count`` valid (6, 3) frames with ``bad`` at position ``at``."""
    frames = [np.zeros((6, 3)) for _ in range(count)]
    frames[at] = bad
    return frames


def colored(colors, n=None):
    """A dict frame; ``n`` points (default: one per colour row, or 6)."""
    if n is None:
        n = 6 if colors is None else len(colors)
    return {"points": np.zeros((n, 3)), "colors": colors}


nan_at_7 = with_value((10, 3), (7, 1), np.nan)
nan_at_7[9, 0] = np.nan  # only the first bad point is reported

# (id, frames, colors=, exception, index in frames[i] or None, pieces of the message)
REJECTIONS = [
    ("empty list", [], None, ValueError, None,
     ["frames is empty: an animation needs at least one frame"]),
    ("empty tuple", (), None, ValueError, None, ["frames is empty"]),
    ("empty (0,N,3) array", np.zeros((0, 4, 3)), None, ValueError, None, ["frames is empty"]),
    ("(F,N) array", np.zeros((4, 5)), None, ValueError, None,
     ["frames must be a list of (N, 3) arrays or one (F, N, 3) array, got shape (4, 5)"]),
    ("(F,N,2) array", np.zeros((4, 5, 2)), None, ValueError, None, ["got shape (4, 5, 2)"]),
    ("(N,3) array alone", np.zeros((5, 3)), None, ValueError, None, ["got shape (5, 3)"]),
    ("frames a dict", {"points": np.zeros((2, 3))}, None, TypeError, None,
     ["frames must be a list", "got dict"]),
    ("frames a str", "points.ply", None, TypeError, None, ["frames must be a list", "got str"]),
    ("frames None", None, None, TypeError, None, ["got NoneType"]),
    ("(5,2) points", frame_list(np.zeros((5, 2)), 2), None, ValueError, 2,
     ["points must have shape (N, 3), got (5, 2)"]),
    ("1-D points", frame_list(np.zeros(3), 1), None, ValueError, 1,
     ["points must have shape (N, 3), got (3,)"]),
    ("3-D points", frame_list(np.zeros((2, 2, 3)), 3), None, ValueError, 3,
     ["points must have shape (N, 3), got (2, 2, 3)"]),
    ("0-D points", frame_list(np.array(1.0), 0), None, ValueError, 0,
     ["points must have shape (N, 3), got ()"]),
    ("dict (5,2) points", [colored(None), {"points": np.zeros((5, 2))}], None, ValueError, 1,
     ["points must have shape (N, 3), got (5, 2)"]),
    ("ragged rows", [[[1, 2, 3], [1, 2]]], None, ValueError, 0,
     ["points must have shape (N, 3)", "unequal length"]),
    ("nan", frame_list(nan_at_7, 1), None, ValueError, 1,
     ["point 7 has a non-finite y coordinate (nan)"]),
    ("+inf", frame_list(with_value((3, 3), (2, 2), np.inf), 0), None, ValueError, 0,
     ["point 2 has a non-finite z coordinate (inf)"]),
    ("-inf", frame_list(with_value((3, 3), (0, 0), -np.inf), 3), None, ValueError, 3,
     ["point 0 has a non-finite x coordinate (-inf)"]),
    ("float16 inf", frame_list(with_value((3, 3), (1, 0), np.inf, np.float16), 2), None,
     ValueError, 2, ["point 1 has a non-finite x coordinate (inf)"]),
    ("1e300 overflows float32", frame_list(with_value((3, 3), (2, 1), 1e300), 0), None,
     ValueError, 0, ["point 2 has a y coordinate beyond float32's range (1e+300; float32 holds at most 3.4e+38"]),
    ("-1e39 overflows float32", [{"points": with_value((4, 3), (3, 2), -1e39)}], None,
     ValueError, 0, ["point 3 has a z coordinate beyond float32's range (-1e+39"]),
    ("1e300 in a later frame", [np.zeros((2, 3)), with_value((3, 3), (1, 0), 1e300)], None,
     ValueError, 1, ["point 1 has a x coordinate beyond float32's range (1e+300"]),
    ("all near 1e300: the origin is beyond float32", [np.full((2, 3), 1e300)], None,
     ValueError, 0, ["point 0 has a x coordinate beyond float32's range (1e+300"]),
    ("nan in an (F,N,3) array", with_value((3, 4, 3), (2, 1, 0), np.nan), None, ValueError, 2,
     ["point 1 has a non-finite x coordinate (nan)"]),
    ("(11,3) colors for 12 points", [colored(np.zeros((11, 3)), 12)], None, ValueError, 0,
     ["colors must have shape (12, 3) to match 12 points, got (11, 3)"]),
    ("(12,4) colors", [colored(None), colored(np.zeros((12, 4)), 12)], None, ValueError, 1,
     ["colors must have shape (12, 3) to match 12 points, got (12, 4)"]),
    ("1-D colors", [colored(np.zeros(3), 1)], None, ValueError, 0,
     ["colors must have shape (1, 3) to match 1 points, got (3,)"]),
    ("colors for an empty frame", [colored(np.zeros((1, 3)), 0)], None, ValueError, 0,
     ["colors must have shape (0, 3)", "got (1, 3)"]),
    ("float colors 1.5", [colored(None)] * 3 + [colored(with_value((6, 3), (4, 2), 1.5))],
     None, ValueError, 3, ["float colors must lie in 0..1, got 1.5 at point 4"]),
    ("float colors -0.25", [colored(with_value((6, 3), (5, 0), -0.25))], None, ValueError, 0,
     ["float colors must lie in 0..1, got -0.25 at point 5"]),
    ("float colors nan", [colored(with_value((6, 3), (1, 1), np.nan))], None, ValueError, 0,
     ["float colors must lie in 0..1, got nan at point 1"]),
    ("float colors 255.0", [colored(np.full((2, 3), 255.0))], None, ValueError, 0,
     ["float colors must lie in 0..1, got 255.0 at point 0"]),
    ("int colors 300", [colored(None)] * 3 + [colored(np.full((6, 3), 300))], None,
     ValueError, 3, ["integer colors must lie in 0..255, got 300 at point 0"]),
    ("int8 colors -1", [colored(with_value((6, 3), (3, 0), -1, np.int8))], None, ValueError, 0,
     ["integer colors must lie in 0..255, got -1 at point 3"]),
    ("uint16 colors 256", [colored(with_value((6, 3), (2, 2), 256, np.uint16))], None,
     ValueError, 0, ["integer colors must lie in 0..255, got 256 at point 2"]),
    ("colors= 300", [np.zeros((2, 3))] * 2, [None, np.full((2, 3), 300)], ValueError, 1,
     ["integer colors must lie in 0..255, got 300 at point 0"]),
    ("str frame", [np.zeros((2, 3)), "cloud.ply"], None, TypeError, 1,
     ["expected a dict with 'points', an (N, 3) array, got str"]),
    ("None frame", [None], None, TypeError, 0, ["got NoneType"]),
    ("number frame", [np.zeros((2, 3)), np.zeros((2, 3)), 3.5], None, TypeError, 2,
     ["got float"]),
    ("dict without points", [colored(None), {"pts": np.zeros((2, 3))}], None, TypeError, 1,
     ["expected a dict with 'points'", "'pts'"]),
    ("dict with a typo'd key", [{"points": np.zeros((2, 3)), "color": np.zeros((2, 3))}], None,
     ValueError, 0, ["unknown keys ['color']"]),
    ("colors in dict and colors=", [colored(np.zeros((2, 3)))], [np.zeros((2, 3))],
     ValueError, 0, ["colors given both in the dict and in colors="]),
    ("bool points", [np.zeros((2, 3), bool)], None, TypeError, 0, ["points", "bool"]),
    ("bool colors", [colored(np.ones((2, 3), bool))], None, TypeError, 0, ["colors", "bool"]),
    ("str points", [[["1", "2", "3"]]], None, TypeError, 0, ["points must be numbers"]),
    ("complex points", [np.zeros((2, 3), complex)], None, TypeError, 0,
     ["points must be numbers", "complex"]),
    ("object points", [[[1, None, 3]]], None, TypeError, 0, ["points must be numbers"]),
    ("str colors", [colored("red", 2)], None, TypeError, 0, ["colors", "got str"]),
    ("colors= too few", [np.zeros((2, 3))] * 3, [None, None], ValueError, None,
     ["colors= must have one entry per frame (3 frames, got 2 colors)"]),
    ("colors= too many", np.zeros((1, 2, 3)), np.zeros((2, 2, 3)), ValueError, None,
     ["colors= must have one entry per frame (1 frames, got 2 colors)"]),
    ("colors= an (N,3) array", [np.zeros((3, 3))], np.zeros((3, 3)), ValueError, None,
     ["colors= must be a list of (N, 3) arrays or one (F, N, 3) array, got shape (3, 3)"]),
    ("colors= a str", [np.zeros((3, 3))], "viridis", TypeError, None, ["colors=", "got str"]),
]


@pytest.mark.parametrize("frames, colors, exc, index, pieces",
                         [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS])
def test_rejections(frames, colors, exc, index, pieces):
    with pytest.raises(exc) as info:
        normalize_frames(frames, colors=colors)
    assert type(info.value) is exc
    message = str(info.value)
    named = re.findall(r"frames\[(\d+)\]", message)
    if index is None:
        assert named == []
    else:
        assert message.startswith(f"frames[{index}]: ")
        assert named == [str(index)]
    for piece in pieces:
        assert piece in message


def test_rejection_leaves_input_alone():
    points = np.zeros((3, 3))
    points[1, 1] = np.nan
    before = points.copy()
    with pytest.raises(ValueError):
        normalize_frames([points])
    np.testing.assert_array_equal(points, before)
