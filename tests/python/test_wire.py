"""The wire format (wire.py): pack_frames / unpack_frames, chunking and ChunkAssembler."""

import json
import random
import struct

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from cloudreel.frames import Frame, normalize_frames
from cloudreel.wire import CHUNK_BYTES, ChunkAssembler, chunk_count, iter_chunks, pack_frames, unpack_frames


def make_frame(count, colors, seed=0):
    rng = np.random.default_rng(seed)
    positions = rng.normal(scale=100, size=(count, 3)).astype("<f4")
    return Frame(positions, rng.integers(0, 256, (count, 3), np.uint8) if colors else None)


def assert_same_frames(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.positions.dtype == np.dtype("<f4") and g.positions.shape == w.positions.shape
        assert g.positions.tobytes() == w.positions.tobytes()  # byte-exact, NaN bits included
        assert (g.colors is None) == (w.colors is None)
        if w.colors is not None:
            assert g.colors.dtype == np.uint8
            np.testing.assert_array_equal(g.colors, w.colors)


def positions_offsets(header):
    """Where each frame's positions block starts, computed from the header alone."""
    offsets, at = [], 0
    for entry in header["frames"]:
        offsets.append(at)
        at += entry["points"] * 12
        if entry["colors"]:
            at += -(-entry["points"] * 3 // 4) * 4
    return offsets


# (count, has colors) per frame
ROUND_TRIPS = {
    "one point, colored": [(1, True)],
    "odd counts, colored": [(1, True), (2, True), (3, True), (5, True), (4, True)],
    "empty frames": [(0, False), (0, True), (0, False)],
    "mixed colors and none": [(3, True), (7, False), (0, True), (1, False), (6, True)],
    "larger": [(1001, True), (999, False), (1002, True)],
}


@pytest.mark.parametrize("spec", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_round_trip(spec):
    frames = [make_frame(n, c, seed) for seed, (n, c) in enumerate(spec)]
    header, payload = pack_frames(frames)
    assert isinstance(payload, bytes)
    assert header == {"frames": [{"points": n, "colors": c} for n, c in spec],
                      "total_bytes": len(payload), "origin": [0.0, 0.0, 0.0]}
    assert json.loads(json.dumps(header)) == header  # plain ints and bools, JSON-safe
    for entry, offset in zip(header["frames"], positions_offsets(header)):
        assert offset % 4 == 0
    back = unpack_frames(header, payload)
    assert_same_frames(back, frames)
    assert pack_frames(back) == (header, payload)


def test_layout_by_hand():
    frames = [
        Frame(np.array([[1, 2, 3]], "<f4"), np.array([[10, 20, 30]], np.uint8)),
        Frame(np.array([[4, 5, 6], [7, 8, 9]], "<f4")),
        Frame(np.zeros((0, 3), "<f4"), np.zeros((0, 3), np.uint8)),
        Frame(np.array([[-1, 0, 0.5], [2, 2, 2]], "<f4"),
              np.array([[255, 0, 1], [2, 3, 4]], np.uint8)),
    ]
    header, payload = pack_frames(frames)
    expected = (
        struct.pack("<3f", 1, 2, 3)             # 0..12   frame 0 positions
        + bytes([10, 20, 30, 0])                # 12..16  frame 0 colors + 1 pad byte
        + struct.pack("<6f", 4, 5, 6, 7, 8, 9)  # 16..40  frame 1 positions, no colors
        # frame 2: 0 points, colors flag set, 0 bytes
        + struct.pack("<6f", -1, 0, 0.5, 2, 2, 2)  # 40..64 frame 3 positions
        + bytes([255, 0, 1, 2, 3, 4, 0, 0])     # 64..72  frame 3 colors + 2 pad bytes
    )
    assert payload == expected
    assert header == {
        "frames": [{"points": 1, "colors": True}, {"points": 2, "colors": False},
                   {"points": 0, "colors": True}, {"points": 2, "colors": True}],
        "total_bytes": 72,
        "origin": [0.0, 0.0, 0.0],
    }
    assert positions_offsets(header) == [0, 16, 40, 40]


@pytest.mark.parametrize("count, pad", [(0, 0), (1, 1), (2, 2), (3, 3), (4, 0), (5, 1), (8, 0)])
def test_color_padding(count, pad):
    header, payload = pack_frames([make_frame(count, True), make_frame(1, False)])
    assert len(payload) == count * 12 + count * 3 + pad + 12
    assert payload[count * 15:count * 15 + pad] == bytes(pad)


def test_normalized_frames_pack():
    frames = normalize_frames([{"points": [[1, 2, 3], [2, 4, 6]], "colors": [[0, 0.5, 1]] * 2}])
    header, payload = pack_frames(frames)
    assert header["origin"] == [0.0, 0.0, 0.0]
    assert payload == struct.pack("<6f", 1, 2, 3, 2, 4, 6) + bytes([0, 128, 255] * 2 + [0, 0])


UTM = np.array([500000.0, 5400000.0, 300.0])


def test_far_points_travel_relative_to_their_origin():
    # A 10 m cloud at a UTM point: float32 steps are 0.5 m at 5.4e6, so cast
    # first it would collapse; re-centred in float64 first it keeps its detail.
    rng = np.random.default_rng(3)
    cloud = rng.uniform(-5, 5, (1000, 3))
    frames = normalize_frames([UTM + cloud, UTM + cloud + [1, 0, 0]])
    lo = np.minimum((UTM + cloud).min(axis=0), (UTM + cloud + [1, 0, 0]).min(axis=0))
    hi = np.maximum((UTM + cloud).max(axis=0), (UTM + cloud + [1, 0, 0]).max(axis=0))
    assert frames.origin == tuple((lo + hi) / 2)
    np.testing.assert_allclose(frames[0].positions + np.asarray(frames.origin), UTM + cloud, atol=1e-6, rtol=0)
    assert len(np.unique(frames[0].positions[:, 1])) == 1000  # not collapsed onto 0.5 m steps
    header, payload = pack_frames(frames)
    assert header["origin"] == list(frames.origin)
    assert json.loads(json.dumps(header)) == header
    back = unpack_frames(json.loads(json.dumps(header)), payload)
    assert back.origin == frames.origin
    assert_same_frames(back, frames)


def test_points_near_the_origin_keep_their_values():
    frames = normalize_frames([np.array([[0.0, 0, 0], [4, 5, 6]]), np.array([[30.0, 0, 0]])])
    assert frames.origin == (0.0, 0.0, 0.0)  # centre 15 from (0, 0, 0), within 8 times the 30 extent
    np.testing.assert_array_equal(frames[1].positions, [[30, 0, 0]])


def test_a_lone_far_point_is_recentred():
    [frame] = frames = normalize_frames([[[1e6 + 0.3, 2, 3]]])
    assert frames.origin == (1e6 + 0.3, 2.0, 3.0)
    np.testing.assert_array_equal(frame.positions, [[0, 0, 0]])


@pytest.mark.parametrize("dtype", [np.int32, np.int64, ">f8"])
def test_integer_and_big_endian_input_is_recentred_in_float64(dtype):
    points = np.array([[500000, 5400000, 300], [500010, 5400010, 310]], dtype=dtype)
    frames = normalize_frames([points])
    assert frames.origin == (500005.0, 5400005.0, 305.0)
    np.testing.assert_array_equal(frames[0].positions, [[-5, -5, -5], [5, 5, 5]])


def test_float32_input_far_away_warns_once_naming_the_frame_and_is_recentred():
    cloud = np.random.default_rng(4).uniform(-5, 5, (100, 3))
    far = (UTM + cloud).astype(np.float32)  # precision already lost: 0.5 m steps in y
    with pytest.warns(UserWarning) as caught:
        frames = normalize_frames([np.zeros((0, 3), np.float32), far, far])
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message.startswith("frames[1]: float32 points lie 5.4e+06 from (0, 0, 0) but the animation spans only 10")
    assert "float32 steps there are 0.5" in message and "Pass float64 coordinates" in message
    assert caught[0].filename == __file__  # points at the caller
    # Still re-centred (in float64), so WebGL does not band any further.
    np.testing.assert_allclose(frames.origin, UTM, atol=6)
    np.testing.assert_array_equal(frames[1].positions, far.astype(np.float64) - np.asarray(frames.origin))


def test_float32_input_near_the_origin_does_not_warn(recwarn):
    normalize_frames([np.random.default_rng(5).uniform(-5, 5, (100, 3)).astype(np.float32) + np.float32(1000)])
    assert not [w for w in recwarn if "float32" in str(w.message)]


def test_pack_refuses_other_objects():
    with pytest.raises(TypeError, match="Frame"):
        pack_frames([np.zeros((2, 3), "<f4")])


GOOD_HEADER = {"frames": [{"points": 1, "colors": True}, {"points": 1, "colors": False}],
               "total_bytes": 28}
GOOD_PAYLOAD = struct.pack("<3f", 1, 2, 3) + bytes([1, 2, 3, 0]) + struct.pack("<3f", 4, 5, 6)


def header_with(**changes):
    header = json.loads(json.dumps(GOOD_HEADER))
    header.update(changes)
    return header


def frames_entry(i, **changes):
    header = header_with()
    header["frames"][i].update(changes)
    return header


BAD_UNPACKS = [
    ("payload one byte short", GOOD_HEADER, GOOD_PAYLOAD[:-1], "total_bytes"),
    ("payload one byte long", GOOD_HEADER, GOOD_PAYLOAD + b"\0", "total_bytes"),
    ("total_bytes agrees, frames do not", header_with(total_bytes=32), GOOD_PAYLOAD + bytes(4),
     "describes 28 bytes"),
    ("total_bytes missing", {"frames": GOOD_HEADER["frames"]}, GOOD_PAYLOAD, "total_bytes"),
    ("total_bytes a float", header_with(total_bytes=28.0), GOOD_PAYLOAD, "total_bytes"),
    ("header a list", [GOOD_HEADER], GOOD_PAYLOAD, "header"),
    ("frames missing", {"total_bytes": 28}, GOOD_PAYLOAD, "'frames'"),
    ("frames entry a number", header_with(frames=[1, 1]), GOOD_PAYLOAD, "frames[0]"),
    ("negative points", frames_entry(1, points=-1), GOOD_PAYLOAD, "frames[1]"),
    ("points a bool", frames_entry(1, points=True), GOOD_PAYLOAD, "frames[1]"),
    ("points a str", frames_entry(0, points="1"), GOOD_PAYLOAD, "frames[0]"),
    ("colors an int", frames_entry(0, colors=1), GOOD_PAYLOAD, "frames[0]"),
    ("colors missing", header_with(frames=[{"points": 1}, {"points": 1}]), GOOD_PAYLOAD,
     "frames[0]"),
    ("non-zero padding", GOOD_HEADER, GOOD_PAYLOAD[:15] + b"\1" + GOOD_PAYLOAD[16:],
     "frames[0]: colour padding"),
]


@pytest.mark.parametrize("header, payload, piece", [r[1:] for r in BAD_UNPACKS],
                         ids=[r[0] for r in BAD_UNPACKS])
def test_unpack_rejects(header, payload, piece):
    assert unpack_frames(GOOD_HEADER, GOOD_PAYLOAD)  # the baseline is fine
    with pytest.raises(ValueError) as info:
        unpack_frames(header, payload)
    assert piece in str(info.value)


def test_unpack_accepts_memoryview_and_bytearray():
    for payload in (memoryview(GOOD_PAYLOAD), bytearray(GOOD_PAYLOAD)):
        assert_same_frames(unpack_frames(GOOD_HEADER, payload),
                           unpack_frames(GOOD_HEADER, GOOD_PAYLOAD))


def test_chunk_bytes_default():
    assert CHUNK_BYTES == 2 * 1024 * 1024


@pytest.mark.parametrize("total, size, count", [
    (0, 4, 0), (1, 4, 1), (4, 4, 1), (5, 4, 2), (8, 4, 2), (9, 4, 3),
    (CHUNK_BYTES, CHUNK_BYTES, 1), (CHUNK_BYTES + 1, CHUNK_BYTES, 2), (10, 1, 10),
])
def test_chunk_count(total, size, count):
    assert chunk_count(total, size) == count


@pytest.mark.parametrize("total, size", [(-1, 4), (4, 0), (4, -2)])
def test_chunk_count_rejects(total, size):
    with pytest.raises(ValueError):
        chunk_count(total, size)
    if total >= 0:
        with pytest.raises(ValueError):
            list(iter_chunks(bytes(total), size))


@pytest.mark.parametrize("length, size", [
    (0, 4), (1, 4), (4, 4), (5, 4), (17, 4), (100, 7), (10, 1), (3, 100), (64, 16),
])
def test_iter_chunks(length, size):
    payload = bytes(random.Random(length).randrange(256) for _ in range(length))
    chunks = list(iter_chunks(payload, size))
    assert len(chunks) == chunk_count(length, size)
    assert [c[0] for c in chunks] == list(range(len(chunks)))
    at = 0
    for index, offset, view in chunks:
        assert isinstance(view, memoryview)
        assert offset == at
        assert 0 < len(view) <= size
        at += len(view)
    assert b"".join(c[2] for c in chunks) == payload


def test_iter_chunks_default_size():
    payload = bytes(CHUNK_BYTES * 2 + 5)
    assert [len(v) for _, _, v in iter_chunks(payload)] == [CHUNK_BYTES, CHUNK_BYTES, 5]


PAYLOAD = bytes(range(256)) * 3 + b"tail"  # 772 bytes
SIZE = 100  # 8 chunks, the last one 72 bytes


def chunks_of(payload=PAYLOAD, size=SIZE):
    return [(i, off, bytes(v)) for i, off, v in iter_chunks(payload, size)]


@pytest.mark.parametrize("order", ["in order", "reversed", "shuffled", "middle out"])
def test_assembler_orders(order):
    chunks = chunks_of()
    assert len(chunks) == 8
    if order == "reversed":
        chunks.reverse()
    elif order == "shuffled":
        random.Random(3).shuffle(chunks)
    elif order == "middle out":
        chunks = [chunks[i] for i in (4, 3, 5, 2, 6, 1, 7, 0)]
    assembler = ChunkAssembler(len(PAYLOAD), 8)
    for n, (index, offset, data) in enumerate(chunks):
        assert not assembler.complete
        assembler.add(index, offset, memoryview(data) if n % 2 else data)
    assert assembler.complete
    assert assembler.result() == PAYLOAD


def test_assembler_empty_file():
    assembler = ChunkAssembler(0, 0)
    assert assembler.complete
    assert assembler.result() == b""


@pytest.mark.parametrize("total, count", [(-1, 1), (10, -1), (10, 0), (0, 1), (3, 4)])
def test_assembler_refuses_impossible_sizes(total, count):
    with pytest.raises(ValueError):
        ChunkAssembler(total, count)


def test_assembler_duplicate():
    assembler = ChunkAssembler(len(PAYLOAD), 8)
    chunks = chunks_of()
    assembler.add(*chunks[3])
    with pytest.raises(ValueError, match="chunk 3 was received twice"):
        assembler.add(*chunks[3])


@pytest.mark.parametrize("index", [-1, 8, 100])
def test_assembler_index_out_of_range(index):
    assembler = ChunkAssembler(len(PAYLOAD), 8)
    with pytest.raises(ValueError, match=f"chunk {index} is out of range for 8 chunks"):
        assembler.add(index, 0, b"x")


# (id, chunks added first, the bad chunk as (index, offset, data), message piece)
BAD_CHUNKS = [
    ("past the end", [], (7, 700, bytes(73)), "outside the 772-byte file"),
    ("negative offset", [], (0, -1, bytes(10)), "outside"),
    ("empty", [], (2, 200, b""), "chunk 2 is empty"),
    ("chunk 0 not at 0", [], (0, 4, bytes(100)), "chunk 0 starts at offset 4, expected 0"),
    ("last chunk short of the end", [], (7, 700, bytes(71)), "chunk 7 ends at offset 771"),
    ("gap after the previous chunk", [2], (3, 301, bytes(100)),
     "chunk 3 starts at offset 301, expected 300"),
    ("overlaps the next chunk", [4], (3, 300, bytes(101)),
     "chunk 3 ends at offset 401, expected 400"),
]


@pytest.mark.parametrize("first, bad, piece", [r[1:] for r in BAD_CHUNKS],
                         ids=[r[0] for r in BAD_CHUNKS])
def test_assembler_bad_chunk(first, bad, piece):
    chunks = chunks_of()
    assembler = ChunkAssembler(len(PAYLOAD), 8)
    for i in first:
        assembler.add(*chunks[i])
    with pytest.raises(ValueError) as info:
        assembler.add(*bad)
    assert piece in str(info.value)
    # The refused chunk left no trace: the real chunks still complete the file.
    for chunk in chunks:
        if chunk[0] not in first:
            assembler.add(*chunk)
    assert assembler.result() == PAYLOAD


@pytest.mark.parametrize("skip, message", [
    ((2, 5), "missing chunks 2, 5 of 8"),
    ((0,), "missing chunks 0 of 8"),
    (tuple(range(8)), "missing chunks 0, 1, 2, 3, 4, 5, 6, 7 of 8"),
])
def test_assembler_missing(skip, message):
    assembler = ChunkAssembler(len(PAYLOAD), 8)
    for chunk in chunks_of():
        if chunk[0] not in skip:
            assembler.add(*chunk)
    assert not assembler.complete
    with pytest.raises(ValueError) as info:
        assembler.result()
    assert str(info.value) == message


def test_assembler_missing_many_is_short():
    assembler = ChunkAssembler(1000, 1000)
    with pytest.raises(ValueError) as info:
        assembler.result()
    assert str(info.value).startswith("missing chunks 0, 1, 2")
    assert str(info.value).endswith("and 980 more of 1000")


# --- properties -------------------------------------------------------------

finite32 = st.floats(allow_nan=False, allow_infinity=False, width=32)


@st.composite
def raw_frames(draw):
    """Frames as users pass them: float64 points, colors as bytes, floats or None."""
    frames = []
    for _ in range(draw(st.integers(1, 5))):
        n = draw(st.integers(0, 9))
        points = draw(hnp.arrays(np.float64, (n, 3), elements=finite32))
        kind = draw(st.sampled_from(["none", "bytes", "floats"]))
        colors = None
        if kind == "bytes":
            colors = draw(hnp.arrays(np.uint8, (n, 3)))
        elif kind == "floats":
            colors = draw(hnp.arrays(np.float64, (n, 3), elements=st.floats(0, 1)))
        frames.append({"points": points, "colors": colors})
    return frames


@settings(max_examples=200, deadline=None)
@given(raw=raw_frames(), chunk_size=st.integers(1, 64), rnd=st.randoms(use_true_random=False))
def test_property_round_trip_through_chunks(raw, chunk_size, rnd):
    frames = normalize_frames(raw)
    for frame, item in zip(frames, raw):
        # Relative to the origin, subtracted in float64 and then rounded once.
        np.testing.assert_array_equal(frame.positions, (item["points"] - np.asarray(frames.origin)).astype(np.float32))
        assert (frame.colors is None) == (item["colors"] is None)
    header, payload = pack_frames(frames)
    chunks = list(iter_chunks(payload, chunk_size))
    rnd.shuffle(chunks)
    assembler = ChunkAssembler(header["total_bytes"], chunk_count(len(payload), chunk_size))
    for chunk in chunks:
        assembler.add(*chunk)
    received = assembler.result()
    assert received == payload
    assert_same_frames(unpack_frames(json.loads(json.dumps(header)), received), frames)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 40) | st.floats() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)
header_entries = st.fixed_dictionaries({"points": st.integers(0, 6), "colors": st.booleans()})


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_property_garbage_unpacks_consistently_or_raises_value_error(data):
    entries = data.draw(st.lists(st.one_of(header_entries, json_values), max_size=4))
    described = sum(e["points"] * 12 + (-(-e["points"] * 3 // 4) * 4 if e["colors"] else 0)
                    for e in entries if isinstance(e, dict) and e.keys() == {"points", "colors"})
    size = data.draw(st.one_of(st.just(described), st.integers(0, 120)))
    payload = data.draw(st.binary(min_size=size, max_size=size))
    total = data.draw(st.one_of(st.just(len(payload)), json_values))
    origin = data.draw(st.one_of(st.just(None), st.lists(st.floats() | st.integers(-5, 5), min_size=3, max_size=3), json_values))
    header = data.draw(st.one_of(st.just({"frames": entries, "total_bytes": total}), json_values))
    if isinstance(header, dict) and origin is not None:
        header["origin"] = origin
    try:
        frames = unpack_frames(header, payload)
    except ValueError:
        return
    # It unpacked: then it must be exactly what pack_frames would have sent (an absent origin is (0, 0, 0)).
    assert pack_frames(frames) == ({"origin": [0.0, 0.0, 0.0], **header}, payload)
