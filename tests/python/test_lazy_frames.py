"""LazyFrames (lazy_frames.py): the same packed bytes as the eager path (normalize_frames + pack_frames), the
bounds pass and when it is skipped (reads counted), one-shot iterators, and errors naming the frame and file."""

import json
from pathlib import Path

import numpy as np
import pytest

from cloudreel.frames import normalize_frames
from cloudreel.lazy_frames import LazyFrames, is_lazy_source
from cloudreel.readers import export_frames, read_frames
from cloudreel.wire import frame_message, pack_frames, unpack_frame_message
from readers.point_files import UTM, write_kitti, write_ply


class Counted:
    """A re-iterable of ``frames`` that counts the items it hands out (each one is a read)."""

    def __init__(self, frames):
        self.frames = frames
        self.reads = 0

    def __iter__(self):
        for f in self.frames:
            self.reads += 1
            yield f


class SizedCounted(Counted):
    def __len__(self):
        return len(self.frames)


def spiral(count=5, colours=False):
    """``count`` frames far from (0, 0, 0), with values (or colours), of different point counts."""
    rng = np.random.default_rng(7)
    frames = []
    for f in range(count):
        n = 40 + 7 * f
        points = rng.normal(size=(n, 3)) * [3, 2, 1] + UTM
        extra = {"colors": rng.integers(0, 256, (n, 3), dtype=np.uint8)} if colours else {"values": rng.random(n) * f}
        frames.append({"points": points, **extra})
    return frames


def packed_all(lazy):
    """Every frame of ``lazy`` packed alone, as the page asks for them: (entries, joined payload, origins)."""
    parts = [lazy.packed(i) for i in range(lazy.count)]
    return ([h["frames"][0] for h, _ in parts], b"".join(p for _, p in parts), {tuple(h["origin"]) for h, _ in parts})


@pytest.mark.parametrize("colours", [False, True])
def test_a_re_iterable_packs_the_same_bytes_as_the_eager_path(colours):
    frames = spiral(colours=colours)
    header, payload = pack_frames(normalize_frames(frames))
    lazy = LazyFrames(Counted(frames))
    entries, joined, origins = packed_all(lazy)
    assert entries == header["frames"] and joined == payload and origins == {tuple(header["origin"])}
    # The page's bounds are the float32 positions' bounds, as toFrameSet's.
    eager = normalize_frames(frames)
    positions = np.concatenate([f.positions for f in eager])
    assert lazy.header()["bounds"] == {"min": positions.min(axis=0).tolist(), "max": positions.max(axis=0).tolist()}
    assert lazy.header()["count"] == 5 and lazy.header()["origin"] == list(eager.origin)
    values = None if colours else np.concatenate([f.values for f in eager])
    assert lazy.header()["valueRange"] == (None if colours else [float(values.min()), float(values.max())])


def test_files_pack_the_same_bytes_as_reading_them_all(tmp_path):
    rng = np.random.default_rng(3)
    paths = []
    for i in range(4):
        path = tmp_path / f"scan_{i}.bin"
        write_kitti(path, rng.normal(size=(30 + i, 3)) * 5 + [10, 20, 2], rng.random(30 + i).astype(np.float32))
        paths.append(path)
    for color_by in ("intensity", "z"):
        eager = export_frames([f for p in paths for f in read_frames(p)], color_by)
        header, payload = pack_frames(normalize_frames(eager))
        lazy = LazyFrames(paths, color_by=color_by)
        entries, joined, origins = packed_all(lazy)
        assert entries == header["frames"] and joined == payload and origins == {tuple(header["origin"])}
        assert lazy.header()["valueRange"] == ([float(min(np.float32(f["values"].min()) for f in eager)),
                                               float(max(np.float32(f["values"].max()) for f in eager))]
                                              if color_by == "intensity" else None)


def test_a_bounds_pass_reads_each_frame_once_and_bounds_skip_it():
    frames = spiral(colours=True)
    source = Counted(frames)
    lazy = LazyFrames(source)
    assert source.reads == 5  # the bounds pass
    packed_all(lazy)
    assert source.reads == 10  # then each frame once, in order
    sized = SizedCounted(frames)
    lazy = LazyFrames(sized, bounds=[UTM - 10, UTM + 10])
    assert sized.reads == 0 and lazy.count == 5  # no bounds pass: len() gives the count
    packed_all(lazy)
    assert sized.reads == 5
    # The origin comes from the bounds given, by origin.py's one rule.
    assert lazy.origin == tuple(UTM)


@pytest.mark.parametrize("color_by", ["auto", "z"])
def test_a_file_of_many_frames_is_read_once_for_the_bounds_pass_and_its_frames(tmp_path, monkeypatch, color_by):
    """The first file is drawn first: the bounds pass reads it whole and keeps it, so a one-file animation
    (an (F, N, 3) .npy) is read once, not once for its bounds and again for its frames."""
    from cloudreel.readers import arrays

    frames = np.stack([(f["points"] - UTM)[:40] for f in spiral(4)]).astype(np.float32)  # near (0, 0, 0): origin 0
    np.save(tmp_path / "many.npy", frames)
    reads = []
    real = arrays.read
    monkeypatch.setattr(arrays, "read", lambda path: reads.append(path) or real(path))
    lazy = LazyFrames([tmp_path / "many.npy"], color_by=color_by)
    entries, joined, _ = packed_all(lazy)
    assert len(reads) == 1 and len(entries) == 4
    header, payload = pack_frames(normalize_frames(list(frames)))
    assert joined == payload and lazy.bounds == {"min": frames.min(axis=(0, 1)).tolist(), "max": frames.max(axis=(0, 1)).tolist()}


def test_a_frame_message_sends_the_frames_arrays_without_copying_them():
    """A lazy export sends each frame's arrays as they are (one copy per frame less, on every frame)."""
    frames = normalize_frames(spiral(1, colours=True))
    parts = frame_message(0, frames[0], frames.origin)
    assert np.shares_memory(np.frombuffer(parts[2], np.uint8), frames[0].positions)
    assert np.shares_memory(np.frombuffer(parts[3], np.uint8), frames[0].colors)


def test_a_fallback_codec_reads_the_frames_again_from_the_start():
    source = Counted(spiral(colours=True))
    lazy = LazyFrames(source)
    first = [lazy.packed(i) for i in range(5)]
    again = [lazy.packed(i) for i in range(5)]
    assert first == again and source.reads == 15


def test_a_one_shot_iterator_needs_bounds_and_a_length():
    frames = spiral(colours=True)
    with pytest.raises(ValueError, match=r"frames is a one-shot iterator \(iter\(frames\) is frames\), read twice"):
        LazyFrames(iter(frames))
    with pytest.raises(ValueError, match="frames is a one-shot iterator with no len"):
        LazyFrames((f for f in frames), bounds=[UTM - 10, UTM + 10])

    class SizedOnce:
        def __init__(self):
            self.it = iter(frames)

        def __iter__(self):
            return self

        def __next__(self):
            return next(self.it)

        def __len__(self):
            return len(frames)

    once = LazyFrames(SizedOnce(), bounds=[UTM - 10, UTM + 10])
    assert [once.packed(i)[0]["frames"][0]["points"] for i in range(5)] == [40, 47, 54, 61, 68]
    with pytest.raises(ValueError, match=r"frames\[0\] was asked for again .* one-shot iterator"):
        once.packed(0)


def test_values_with_bounds_but_no_colour_range_name_the_frame():
    lazy = LazyFrames(SizedCounted(spiral()), bounds=[UTM - 10, UTM + 10])
    with pytest.raises(ValueError, match=r"frames\[0\] has values, but the colour range was not measured"):
        lazy.frame(0)
    lazy = LazyFrames(SizedCounted(spiral()), bounds=[UTM - 10, UTM + 10], vmin=0, vmax=1)
    assert lazy.frame(4).values is not None


@pytest.mark.parametrize("bad, message", [
    ({"points": [[0, 0, 0], [1, np.nan, 0]]}, "frames[2]: point 1 has a non-finite y coordinate (nan)"),
    ({"points": np.zeros((2, 3)), "colors": np.zeros((2, 3)), "values": [1, 2]}, "frames[2]: got both colors and values"),
    ({"point": np.zeros((2, 3))}, "frames[2]: expected a dict with 'points'"),
])
def test_a_bad_frame_is_refused_with_normalize_frames_words(bad, message):
    frames = spiral(colours=True)
    frames[2] = bad
    with pytest.raises((ValueError, TypeError)) as eager:
        normalize_frames(frames)
    with pytest.raises((ValueError, TypeError)) as lazy:
        LazyFrames(Counted(frames))  # in the bounds pass
    assert str(lazy.value).startswith(message) and str(lazy.value) == str(eager.value)
    lazy_frames = LazyFrames(SizedCounted(frames), bounds=[UTM - 10, UTM + 10], vmin=0, vmax=1)
    lazy_frames.frame(1)
    with pytest.raises((ValueError, TypeError), match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        lazy_frames.frame(2)  # when read for the page


def test_a_bad_file_frame_names_the_frame_and_the_file(tmp_path):
    paths = []
    for i in range(3):
        points = np.full((4, 3), float(i), np.float32)
        if i == 1:
            points[2, 0] = np.inf
        paths.append(tmp_path / f"scan_{i}.bin")
        write_kitti(paths[-1], points, np.zeros(4, np.float32))
    with pytest.raises(ValueError, match=r"frames\[1\] \(.*scan_1\.bin\): point 2 has a non-finite x coordinate"):
        LazyFrames(paths, bounds=[[0, 0, 0], [3, 3, 3]], vmin=0, vmax=1).frame(1)


def test_an_animation_beyond_float32_is_refused_at_the_frame():
    frames = [{"points": np.zeros((2, 3))}, {"points": [[0.0, 0.0, 0.0], [1e39, 0.0, 0.0]]}]
    lazy = LazyFrames(Counted(frames))
    with pytest.raises(ValueError, match=r"frames\[1\]: point 1 has a x coordinate beyond float32's range"):
        lazy.frame(1)


def test_point_frames_are_coloured_as_the_first_one_says(tmp_path):
    path = tmp_path / "a.ply"
    write_ply(path, np.zeros((3, 3)), colors=np.full((3, 3), 200, np.uint8))
    lazy = LazyFrames([path, path])
    assert lazy.frame(1).colors is not None
    assert LazyFrames([path], color_by="z").frame(0).colors is None
    plain = tmp_path / "b.bin"
    write_kitti(plain, np.zeros((3, 3)), np.zeros(3, np.float32))
    with pytest.raises(ValueError, match=r"^frames\[1\] \(.*b\.bin\): has no RGB colours, which the first frame has .*--color-by z"):
        LazyFrames([path, plain]).frame(1)
    assert LazyFrames([plain, path]).frame(1).colors is None  # the first frame has none: all by z


def test_which_inputs_export_reads_lazily(tmp_path):
    assert is_lazy_source(["a.ply", tmp_path / "b.bin"]) and is_lazy_source(Counted([])) and is_lazy_source(iter([]))
    assert not is_lazy_source([np.zeros((2, 3))]) and not is_lazy_source(np.zeros((2, 2, 3)))
    assert not is_lazy_source([]) and not is_lazy_source("a.ply") and not is_lazy_source({"points": 1})


def test_an_empty_source_is_refused():
    with pytest.raises(ValueError, match="frames is empty: an animation needs at least one frame"):
        LazyFrames(Counted([]))


CASES = json.loads((Path(__file__).resolve().parents[1] / "cases" / "frame-messages.json").read_text())


@pytest.mark.parametrize("row", CASES["messages"], ids=lambda r: r["id"])
def test_frame_messages_are_the_bytes_of_the_cases_table(row):
    """The page decodes these bytes (tests/unit/widget/lazy-transfer.test.ts): Python must make exactly them."""
    dtypes = {"colors": np.uint8, "categories": np.uint8}
    frames = normalize_frames([{k: np.asarray(v, dtypes.get(k, np.float64)) for k, v in row["frame"].items()}])
    assert list(frames.origin) == row["origin"]
    message = b"".join(frame_message(row["index"], frames[0], frames.origin))
    assert message.hex() == row["hex"]
    index, back = unpack_frame_message(message)
    assert index == row["index"] and back.origin == frames.origin
    assert back[0].positions.tobytes() == frames[0].positions.tobytes()


def test_lazy_frames_send_frame_messages():
    frames = spiral(colours=True)
    lazy = LazyFrames(Counted(frames))
    index, back = unpack_frame_message(b"".join(lazy.message(3)))
    assert index == 3 and back.origin == lazy.origin
    assert back[0].positions.tobytes() == lazy.frame(3).positions.tobytes()


def test_the_bounds_pass_reports_its_progress(tmp_path):
    heard = []
    LazyFrames(SizedCounted(spiral(3)), on_progress=lambda *a: heard.append(a))
    assert heard == [(0, 3, "frame"), (1, 3, "frame"), (2, 3, "frame"), (3, 3, "frame")]
    paths = [tmp_path / f"{i}.bin" for i in range(2)]
    for p in paths:
        write_kitti(p, np.zeros((2, 3)), np.zeros(2, np.float32))
    heard.clear()
    LazyFrames(paths, on_progress=lambda *a: heard.append(a))
    assert heard == [(0, 2, "file"), (1, 2, "file"), (2, 2, "file")]
