"""The kernel side of tests/cases/bad-inputs.json, plus properties (hypothesis).

Each row is built with numpy and must be refused (or accepted, converted) by
normalize_frames, the Animation constructor and set_frames, before anything is
sent to the page. tests/unit/core/bad-inputs.test.ts checks the browser side.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from traitlets import TraitError

import cloudreel
from cloudreel import route
from cloudreel.frames import Frame, normalize_frames

TABLE = json.loads((Path(__file__).parents[1] / "cases" / "bad-inputs.json").read_text())
SPECIAL = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}
FLOAT_DTYPES = {"float32", "float64", "float16", ">f4", ">f8", "list"}


# --- building a row (the recipe in bad-inputs.json) ----------------------------

def value(v):
    if isinstance(v, str) and v in SPECIAL:
        return SPECIAL[v]
    if isinstance(v, dict) and "str" in v:
        return v["str"]
    return v


def values(what, shape, dtype, set_, offset=None):
    count = int(np.prod(shape))
    width = shape[1] if len(shape) > 1 else 1
    if what == "points":
        flat = [j % 17 + (offset[j % width] if offset else 0) for j in range(count)]
    elif what == "values":
        flat = [(j % 7) * 0.5 if dtype in FLOAT_DTYPES else j % 7 for j in range(count)]
    elif what == "categories":
        flat = [3 * j % 19 for j in range(count)]
    elif dtype in FLOAT_DTYPES:
        flat = [(j % 5) / 4 for j in range(count)]
    else:
        flat = [37 * j % 256 for j in range(count)]
    for key, v in (set_ or {}).items():
        m = re.fullmatch(r"(points|colors|values|categories)\[(\d+)\](?:\[(\d+)\])?", key)
        assert m, key
        if m[1] == what:
            flat[int(m[2]) * width + int(m[3] or 0)] = value(v)
    return flat


def nest(flat, shape):
    if len(shape) <= 1:
        return list(flat)
    step = int(np.prod(shape[1:]))
    return [nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def holder(flat, shape, dtype, layout=None):
    if dtype in ("list", "list-int"):
        return nest(flat, shape)
    if dtype == "str":
        return np.array([str(v) for v in flat]).reshape(shape)
    with np.errstate(over="ignore", invalid="ignore"):
        a = np.asarray(flat, dtype=np.float64).astype(dtype).reshape(shape)
    if layout == "strided":
        wide = np.zeros(tuple(shape[:-1]) + (shape[-1] * 2,), a.dtype)
        wide[..., ::2] = a
        a = wide[..., ::2]
        assert not a.flags.c_contiguous
    return a


def points_shape(f):
    return f.get("shape", [f.get("n", 4), 3])


def colors_shape(f):
    return f["colors"].get("shape", [points_shape(f)[0], 3])


PER_POINT_DTYPE = {"values": "float32", "categories": "uint8"}


def per_point(f, what):
    """(flat values, shape, dtype) of a frame's values or categories recipe."""
    r = f[what]
    shape = r.get("shape", [points_shape(f)[0]])
    dtype = r.get("dtype", PER_POINT_DTYPE[what])
    return values(what, shape, dtype, r.get("set")), shape, dtype


def build_frame(f):
    dtype = f.get("dtype", "float32")
    frame = {"points": holder(values("points", points_shape(f), dtype, f.get("set"), f.get("offset")),
                              points_shape(f), dtype, f.get("layout"))}
    if "colors" in f:
        c = f["colors"]
        cdtype = c.get("dtype", "float32")
        frame["colors"] = holder(values("colors", colors_shape(f), cdtype, c.get("set")), colors_shape(f), cdtype, c.get("layout"))
    for what in ("values", "categories"):
        if what in f:
            flat, shape, dtype = per_point(f, what)
            frame[what] = holder(flat, shape, dtype, f[what].get("layout"))
    return frame


def build_frames(frames):
    if isinstance(frames, dict):
        return holder(values("points", frames["stack"], frames["dtype"], None), frames["stack"], frames["dtype"])
    return [build_frame(f) for f in frames]


def expected_frame(f, origin=(0.0, 0.0, 0.0)):
    """Float32 positions relative to ``origin`` (subtracted in float64), and uint8 colours."""
    world = np.asarray(values("points", points_shape(f), f.get("dtype", "float32"), f.get("set"), f.get("offset")),
                       np.float64).reshape(-1, 3)
    positions = (world - np.asarray(origin)).astype(np.float32)
    colors = None
    if "colors" in f:
        cdtype = f["colors"].get("dtype", "float32")
        raw = values("colors", colors_shape(f), cdtype, f["colors"].get("set"))
        if cdtype in FLOAT_DTYPES:  # rounded half up, as in the browser
            raw = [int(np.floor(float(np.float32(c)) * 255 + 0.5)) for c in raw]
        colors = np.asarray(raw, np.uint8).reshape(-1, 3)
    vals = np.asarray(per_point(f, "values")[0], np.float32) if "values" in f else None
    cats = np.asarray(per_point(f, "categories")[0], np.uint8) if "categories" in f else None
    return positions.reshape(-1, 3), colors, vals, cats


def expectation(row):
    if "python" in row:
        return row["python"]
    return {"reject": row["reject"]} if "reject" in row else {"accept": row["accept"]}


def check_rejection(message, reject):
    if isinstance(reject, str):
        assert reject in message
        return
    assert reject["message"] in message
    named = set(re.findall(r"frames\[(\d+)\]", message))
    if reject["frame"] is None:
        assert named == set()
    else:
        assert message.startswith(f"frames[{reject['frame']}]: ")
        assert named == {str(reject["frame"])}


# --- the table ---------------------------------------------------------------

FRAME_ROWS = [pytest.param(row, id=row["id"]) for row in TABLE["frames"]]
OPTION_ROWS = [pytest.param(row, id=row["id"]) for row in TABLE["options"]]


def test_every_case_the_issue_lists_has_a_row():
    issues = " ".join(row.get("issue", "") for row in TABLE["frames"] + TABLE["options"])
    for case in ["NaN/Inf coordinates", "(N, 2)", "(N, 4)", "(F, N)", "colors of the wrong shape", "outside 0..1",
                 "outside 0..255", "integer arrays", "float64 arrays", "big-endian arrays", "non-contiguous arrays",
                 "zero frames", "empty frames (accepted)", "fps <= 0", "fps absurd", "fps NaN", "odd width", "odd height",
                 "zero width", "zero height", "beyond what the browser can render"]:
        assert case in issues, case


@pytest.mark.parametrize("row", FRAME_ROWS)
def test_frames_row_normalize_frames(row):
    expected = expectation(row)
    if "reject" in expected:
        with pytest.raises((ValueError, TypeError)) as info:
            normalize_frames(build_frames(row["frames"]))
        check_rejection(str(info.value), expected["reject"])
        return
    out = normalize_frames(build_frames(row["frames"]))
    assert [f.count for f in out] == expected["accept"]["counts"]
    assert out.origin == tuple(expected["accept"].get("origin", (0.0, 0.0, 0.0)))
    for frame, recipe in zip(out, row["frames"]):
        assert isinstance(frame, Frame)
        positions, colors, vals, cats = expected_frame(recipe, out.origin)
        np.testing.assert_array_equal(frame.positions, positions)
        for got, want in ((frame.colors, colors), (frame.values, vals), (frame.categories, cats)):
            if want is None:
                assert got is None
            else:
                np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("row", FRAME_ROWS)
def test_frames_row_in_the_widget_before_anything_is_sent(row, anim):
    expected = expectation(row)
    version, count = anim.frames_version, anim.frame_count
    if "reject" in expected:
        with pytest.raises((ValueError, TypeError)) as info:
            cloudreel.Animation(build_frames(row["frames"]))
        check_rejection(str(info.value), expected["reject"])
        with pytest.raises((ValueError, TypeError)):
            anim.set_frames(build_frames(row["frames"]))
        # The old frames stay, and the page is told nothing.
        assert (anim.frames_version, anim.frame_count) == (version, count)
        anim._on_frontend_msg(anim, {"type": "request-frames", "have": None}, [])
        assert anim.sent[0]["header"]["frames"] == [{"points": 2, "colors": False}]
    else:
        anim.set_frames(build_frames(row["frames"]))
        assert anim.frame_count == len(expected["accept"]["counts"])
        assert anim.sent == []  # frames go only when the page asks


@pytest.mark.parametrize("row", OPTION_ROWS)
def test_options_row(row, anim):
    expected = expectation(row)
    options = {k: value(v) for k, v in row["options"].items()}
    if "reject" in expected:
        with pytest.raises((ValueError, TraitError)) as info:
            cloudreel.Animation([np.zeros((2, 3))], **options)
        check_rejection(str(info.value), expected["reject"])
        before = {k: getattr(anim, k) for k in options}
        for name, v in options.items():
            with pytest.raises((ValueError, TraitError)):
                setattr(anim, name, v)
        assert {k: getattr(anim, k) for k in options} == before
    else:
        a = cloudreel.Animation([np.zeros((2, 3))], **options)
        assert {k: getattr(a, k) for k in options} == options


# --- properties --------------------------------------------------------------

DTYPES = st.sampled_from(["<f2", "<f4", ">f4", "<f8", ">f8", "i1", "<i2", ">i4", "<i8", "u1", ">u2", "?", "<c8"])
ARRAYS = DTYPES.flatmap(lambda dt: hnp.arrays(np.dtype(dt), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)))
LISTS = st.lists(st.lists(st.one_of(st.floats(), st.integers(-300, 300), st.text(max_size=2), st.none()), max_size=4), max_size=4)
ARRAYISH = st.one_of(ARRAYS, ARRAYS.map(lambda a: a.T), LISTS, st.none(), st.integers(), st.text(max_size=3))
FRAME = st.one_of(ARRAYISH, st.fixed_dictionaries({"points": ARRAYISH}, optional={"colors": ARRAYISH, "color": ARRAYISH}))
FRAMES = st.one_of(st.lists(FRAME, max_size=4), ARRAYS, ARRAYISH)
CLEAR_START = re.compile(r"^(frames\[\d+\]: |frames is empty|frames must be|colors= )")


@settings(max_examples=100, deadline=None)
@given(frames=FRAMES, colors=st.one_of(st.none(), st.lists(st.one_of(st.none(), ARRAYS), max_size=4), ARRAYS))
def test_property_random_arrays_are_packed_or_refused_clearly(frames, colors):
    try:
        with np.errstate(all="ignore"):
            out = normalize_frames(frames, colors=colors)
    except (ValueError, TypeError) as e:
        assert CLEAR_START.match(str(e)), str(e)
        return
    for frame in out:
        assert frame.positions.dtype == np.dtype("<f4") and frame.positions.flags.c_contiguous
        assert np.isfinite(frame.positions).all()
        assert frame.colors is None or (frame.colors.dtype == np.uint8 and frame.colors.shape == frame.positions.shape)


JUNK = st.one_of(st.none(), st.booleans(), st.floats(), st.text(max_size=4), st.lists(st.integers(), max_size=2),
                 st.just(2**40), st.integers(-3, -1))
SMALL = st.one_of(st.integers(0, 40), JUNK)
PAGE_MESSAGE = st.one_of(
    st.one_of(st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=3)),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["request-frames", "ack", "file-begin", "file-chunk", "export-failed", "page-gone", "mystery"])},
        optional={"request": st.one_of(st.just("PENDING"), JUNK), "have": SMALL, "total_bytes": SMALL, "chunks": SMALL,
                  "index": SMALL, "offset": SMALL, "message": st.one_of(st.text(max_size=8), JUNK),
                  "mime_type": st.one_of(st.just("video/mp4"), JUNK), "extension": st.one_of(st.just("mp4"), JUNK),
                  "codec": st.one_of(st.just("ffmpeg-h264"), JUNK), "page": st.one_of(st.sampled_from(["a" * 24, "b" * 24]), JUNK)},
    ),
)
BUFFERS = st.one_of(st.lists(st.binary(max_size=24), max_size=2), st.none(), st.just([None]), st.just(["text"]))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(messages=st.lists(st.tuples(PAGE_MESSAGE, BUFFERS), max_size=8))
def test_property_random_page_messages_never_raise_and_end_a_save_clearly(messages, anim, tmp_path):
    route.heard_from("a" * 24)
    done = []
    target = tmp_path / "garbage.mp4"
    anim.save(target, callback=lambda path, error: done.append((path, error)))
    request = anim.sent[-1]["request"]
    for content, buffers in messages:
        if isinstance(content, dict) and content.get("request") == "PENDING":
            content = {**content, "request": request}
        anim._on_frontend_msg(anim, content, buffers)  # must not raise
    if request in anim._pending:
        assert done == []
        anim._fail(request, "test over")  # leave no pending save for the next example
    else:
        # Either the bytes arrived whole and were written, or the save failed with a message.
        [(path, error)] = done
        assert (path is None) != (error is None)
        assert error is None or error.startswith("Export failed: ")
        assert anim.save_status.startswith(("Saved ", "Export failed: "))
    assert [p.name for p in tmp_path.iterdir() if p.name != "garbage.mp4"] == []  # no temporary file left


@pytest.mark.parametrize("content, buffers, message", [
    ({"type": "file-begin", "total_bytes": 2**40, "chunks": 1}, [],
     "total_bytes must be a whole number from 1 to 2147483648, got 1099511627776"),
    ({"type": "file-begin", "total_bytes": 10, "chunks": 11}, [], "chunks must be a whole number from 1 to 10, got 11"),
    ({"type": "file-begin", "total_bytes": "10", "chunks": 1}, [], "total_bytes must be a whole number from 1 to 2147483648, got '10'"),
    ({"type": "file-chunk", "index": 0, "offset": 0}, [], "file chunk 0 came without binary data"),
    ({"type": "file-chunk", "index": 0.5, "offset": 0}, [b"x"], "index must be a whole number >= 0, got 0.5"),
    ({"type": "ack", "page": "../x"}, [], "page must be an id of 1 to 64 letters, digits, - or _, got '../x'"),
    ({"type": "file-begin", "total_bytes": 2**20, "chunks": 2**17}, [], "chunks must be a whole number from 1 to 65536, got 131072"),
], ids=["a terabyte", "more chunks than bytes", "a string size", "no buffer", "fractional index", "a bad page id", "too many chunks"])
def test_malformed_page_messages_fail_the_save_they_name(anim, tmp_path, content, buffers, message):
    route.heard_from("a" * 24)
    done = []
    anim.save(tmp_path / "x.mp4", callback=lambda path, error: done.append(error))
    request = anim.sent[-1]["request"]
    anim._on_frontend_msg(anim, {**content, "request": request}, buffers)
    [error] = done
    assert error.startswith(f"Export failed: the page sent a malformed {content['type']} message: ")
    assert message in error
    assert not (tmp_path / "x.mp4").exists()


def test_malformed_messages_naming_no_request_are_ignored(anim):
    for content in [None, 42, "file-begin", {"type": "file-begin"}, {"type": "mystery", "request": 1}, {"type": "ack", "request": [1]}]:
        anim._on_frontend_msg(anim, content, [])
    assert anim.save_status == ""
