"""Golden digests of the kernel side (issue 13): the packed wire bytes of fixed inputs, and every message an Animation sends in a scripted exchange.

The digests live in tests/cases/goldens.json ("python_wire", "python_exchange"); they are never regenerated
in issue 13: a mismatch is a change of behaviour, and the summary beside each digest shows what changed.
"""

import base64
import hashlib
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import cloudreel
from cloudreel import frame_spool
from cloudreel import widget as widget_module
from cloudreel.frames import normalize_frames, pack_frames

GOLDENS = json.loads((Path(__file__).resolve().parents[1] / "cases" / "goldens.json").read_text())


def sha256(data) -> str:
    return hashlib.sha256(bytes(data)).hexdigest()


def grid(frames, points, scale=1.0, offset=(0.0, 0.0, 0.0), dtype=np.float64):
    """(frames, points, 3) deterministic positions: exact binary fractions moved by ``offset``."""
    steps = np.arange(frames * points * 3, dtype=np.float64).reshape(frames, points, 3)
    return (steps * scale / 8 + np.asarray(offset, dtype=np.float64)).astype(dtype)


def wire_inputs():
    """Named inputs to normalize_frames: (frames, keyword arguments)."""
    f32 = grid(2, 5, dtype=np.float32)
    f64 = grid(3, 4, scale=0.3)
    # 0.5/255 and 1.5/255 land on a half: rounded half up, as JavaScript does.
    float_colours = np.array([[0.0, 0.5 / 255, 1.5 / 255], [1.0, 0.25, 0.75], [0.1, 0.2, 0.3], [0.999, 0.001, 0.5]])
    geo = grid(2, 6, scale=0.01, offset=(500_000.125, 5_400_000.25, 312.5))
    return {
        "float32 points, no colours": ([p for p in f32], {}),
        "float64 points, no colours": ([p for p in f64], {}),
        "float64 points, float colours in dicts": ([{"points": p, "colors": float_colours} for p in f64], {}),
        "float32 (F, N, 3) array, uint8 colours=": (f32, {"colors": np.arange(2 * 5 * 3, dtype=np.uint8).reshape(2, 5, 3) * 8}),
        "float64 points, values": ([p for p in f64], {"values": [np.linspace(-1.5, 2.5, 4) * (i + 1) for i in range(3)]}),
        "float64 points, categories": ([p for p in f64], {"categories": [np.array([0, 2, 6, 255], dtype=np.uint8)] * 3}),
        "mixed: colours, values, categories, none": (
            [{"points": f64[0], "colors": float_colours}, {"points": f64[1], "values": np.array([3.0, 1.0, 4.0, 1.5])},
             {"points": f64[2], "categories": np.array([9.0, 2.0, 2.0, 7.0])}, {"points": f64[0][:1], "colors": None}],
            {}),
        "empty frame beside a full one": ([np.zeros((0, 3)), f64[0]], {}),
        "georeferenced float64 (UTM-like), re-centred on an origin": ([p for p in geo], {"colors": [np.full((6, 3), 200, np.uint8)] * 2}),
    }


def wire_golden(frames, kwargs) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none of these inputs warns today
        header, payload = pack_frames(normalize_frames(frames, **kwargs))
    text = json.dumps(header, sort_keys=True)
    return {"header_sha256": sha256(text.encode()), "payload_sha256": sha256(payload),
            "summary": f"header {text}; payload {len(payload)} bytes"}


@pytest.mark.parametrize("name", sorted(wire_inputs()))
def test_packed_wire_bytes_match_their_goldens(name):
    frames, kwargs = wire_inputs()[name]
    assert {"name": name, **wire_golden(frames, kwargs)} == {"name": name, **GOLDENS["python_wire"][name]}


def test_wire_goldens_cover_exactly_these_inputs():
    assert sorted(GOLDENS["python_wire"]) == sorted(wire_inputs())


def test_negative_control_moving_one_point_changes_the_payload_digest():
    frames, kwargs = wire_inputs()["float64 points, no colours"]
    moved = [p.copy() for p in frames]
    moved[1][2, 0] += 0.125
    golden = GOLDENS["python_wire"]["float64 points, no colours"]
    assert wire_golden(frames, kwargs)["payload_sha256"] == golden["payload_sha256"]
    assert wire_golden(moved, kwargs)["payload_sha256"] != golden["payload_sha256"]


# --- the scripted exchange --------------------------------------------------

VIDEO = GOLDENS["video"]


class Recorder:
    """Records what the widget sends (its ``send``), normalising what differs per run:
    request ids come from a class-wide counter (they become 1, 2, ... in order of first use),
    spool tokens are random (they become "<token 1>", ...) and write_seconds is a timing (0)."""

    def __init__(self):
        self.records: list[dict] = []
        self.requests: dict[int, int] = {}
        self.tokens: dict[str, str] = {}

    def __call__(self, content, buffers=None):
        content = dict(content)
        if "request" in content:
            content["request"] = self.requests.setdefault(content["request"], len(self.requests) + 1)
        if "token" in content:
            content["token"] = self.tokens.setdefault(content["token"], f"<token {len(self.tokens) + 1}>")
        if "write_seconds" in content:
            content["write_seconds"] = 0
        self.records.append({"content": json.dumps(content, sort_keys=True), "buffers": [sha256(b) for b in buffers or []]})

    def real_request(self, normalised: int) -> int:
        return next(real for real, n in self.requests.items() if n == normalised)

    def real_token(self, normalised: str) -> str:
        return next(real for real, n in self.tokens.items() if n == normalised)


def exchange_frames():
    """About 4.5 MB packed, so the comm route sends three 2 MiB chunks."""
    points = grid(3, 125_000, scale=1e-4)
    colours = (np.arange(3 * 125_000 * 3) % 251).astype(np.uint8).reshape(3, 125_000, 3)
    return [{"points": p, "colors": c} for p, c in zip(points, colours)]


def run_exchange(tmp_path, monkeypatch, frames):
    """The script: the page asks for the frames over HTTP and then over the comm, export(),
    save() answered with ack, file-begin and the file's chunks, cancel(), an export the page
    fails, and new frames. Returns the records and what the kernel kept (save_status, callback, file)."""
    spool = tmp_path / "spool"
    spool.mkdir(mode=0o700)
    monkeypatch.setenv(frame_spool.SPOOL_ENV, str(spool))
    monkeypatch.setattr(widget_module, "ACK_TIMEOUT", 3600.0)
    anim = cloudreel.Animation(frames, fps=4, codecs=["ffmpeg-h264"])
    sent = Recorder()
    monkeypatch.setattr(anim, "send", sent)
    page_id = "page-a"

    def page(content, buffers=()):
        anim._on_frontend_msg(anim, {**content, "page": page_id}, [memoryview(b) for b in buffers])

    kept = []
    # The HTTP route: an offer, whose spool file holds the packed frames; the page says it has them.
    page({"type": "request-frames", "have": None, "http": True, "failed_offer": None})
    token = sent.real_token("<token 1>")
    kept.append(f"spool file sha256 {sha256((spool / f'{token}.bin').read_bytes())}")
    page({"type": "frames-received", "token": token})
    kept.append(f"spool files left {sorted(p.name for p in spool.iterdir())}")
    # A page that already has this version is sent nothing; one whose fetch failed gets the comm route.
    page({"type": "request-frames", "have": anim.frames_version, "http": True, "failed_offer": None})
    page({"type": "request-frames", "have": None, "http": True, "failed_offer": None})
    page({"type": "request-frames", "have": None, "http": False, "failed_offer": sent.real_token("<token 2>")})
    # export(): acknowledged, then its progress shows in the traits.
    anim.export()
    page({"type": "ack", "request": sent.real_request(1)})
    # save(): the page answers with the video in chunks.
    done = []
    anim.save(tmp_path / "out" / "clip", callback=lambda path, error: done.append((path, error)))
    (tmp_path / "out").mkdir()
    request = sent.real_request(2)
    video = base64.b64decode(VIDEO["base64"])
    size = 700
    pieces = [(i, o, video[o:o + size]) for i, o in enumerate(range(0, len(video), size))]
    page({"type": "ack", "request": request})
    page({"type": "file-begin", "request": request, "total_bytes": len(video), "chunks": len(pieces), "mime_type": VIDEO["mime_type"],
          "extension": VIDEO["extension"], "codec": VIDEO["codec"], "frames": VIDEO["frames"], "duration": VIDEO["duration"]})
    for index, offset, data in pieces:
        page({"type": "file-chunk", "request": request, "index": index, "offset": offset}, [data])
    saved = tmp_path / "out" / "clip.mp4"
    kept.append(f"saved clip.mp4 sha256 {sha256(saved.read_bytes())}")
    kept.append(f"callback {[(Path(p).name if p else p, e) for p, e in done]}")
    kept.append("save_status " + anim.save_status.replace(str(tmp_path), "<tmp>"))
    # cancel(), an export with other codecs, and a save() the page reports as failed.
    anim.cancel()
    anim.export(codecs=["ffmpeg-vp8", "ffmpeg-gif"])
    page({"type": "ack", "request": sent.real_request(3)})
    anim.save(tmp_path / "out" / "second.webm", callback=lambda path, error: done.append((path, error)))
    page({"type": "ack", "request": sent.real_request(4)})
    page({"type": "export-failed", "request": sent.real_request(4), "message": "the export was cancelled"})
    kept.append(f"callback {done[1:]}")
    kept.append("save_status " + anim.save_status)
    # New frames: nothing is sent until a page asks; then the new version over the comm.
    anim.set_frames(frames[:1])
    page({"type": "request-frames", "have": 1, "http": False, "failed_offer": None})
    anim.close()
    return sent.records, kept


def exchange_golden(records, kept) -> dict:
    types = [json.loads(r["content"])["type"] for r in records]
    return {"sha256": sha256(json.dumps({"sent": records, "kept": kept}, sort_keys=True).encode()),
            "summary": f"sent {' '.join(types)}; kept {'; '.join(kept)}"}


def test_the_kernels_messages_in_a_scripted_exchange_match_their_golden(tmp_path, monkeypatch):
    records, kept = run_exchange(tmp_path, monkeypatch, exchange_frames())
    assert exchange_golden(records, kept) == GOLDENS["python_exchange"]


def test_negative_control_one_moved_point_changes_the_exchange_digest(tmp_path, monkeypatch):
    frames = exchange_frames()
    frames[2]["points"][1000, 1] += 0.5
    records, kept = run_exchange(tmp_path, monkeypatch, frames)
    golden = GOLDENS["python_exchange"]
    assert exchange_golden(records, kept)["sha256"] != golden["sha256"]
    # Only the bytes moved: the same messages in the same order.
    assert re.sub(r"sha256 \w+", "", exchange_golden(records, kept)["summary"]) == re.sub(r"sha256 \w+", "", golden["summary"])


def test_the_golden_video_is_the_mp4_it_says():
    video = base64.b64decode(VIDEO["base64"])
    assert video[4:8] == b"ftyp" and len(video) == VIDEO["bytes"]
    assert sha256(video) == VIDEO["sha256"]


def test_the_wire_sample_the_page_side_replays_is_what_python_packs():
    sample = GOLDENS["wire_sample"]
    frames, kwargs = wire_inputs()[sample["input"]]
    header, payload = pack_frames(normalize_frames(frames, **kwargs))
    assert header == sample["header"]
    assert payload == base64.b64decode(sample["payload_base64"])
