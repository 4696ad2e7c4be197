"""The Animation widget's kernel side, driven by hand-made page messages (no browser)."""

import json

import numpy as np
import pytest

import cloudreel
from cloudreel import route, widget as widget_module
from cloudreel.wire import unpack_frames
from test_video_receiver import shown  # noqa: F401 (a fixture)


def frames(n=3, points=5):
    return [{"points": np.arange(points * 3, dtype=float).reshape(points, 3) + i, "colors": None} for i in range(n)]


class Sent(list):
    """Records what the widget sends to the page."""

    def __call__(self, content, buffers=None):
        self.append((content, [bytes(b) for b in buffers or []]))


@pytest.fixture
def anim(monkeypatch):
    a = cloudreel.Animation(frames(), fps=4)
    sent = Sent()
    monkeypatch.setattr(a, "send", sent)
    monkeypatch.setattr(widget_module, "ACK_TIMEOUT", 3600.0)
    a.sent = sent
    return a


def page(anim, content, buffers=()):
    anim._on_frontend_msg(anim, content, [memoryview(b) for b in buffers])


def test_frames_stay_out_of_the_widget_state():
    big = cloudreel.Animation(np.zeros((4, 50_000, 3), dtype=np.float32))
    state = big.get_state()
    assert state["frame_count"] == 4
    assert len(json.dumps({k: v for k, v in state.items() if not isinstance(v, (bytes, memoryview))})) < 2000
    assert not any(isinstance(v, (bytes, memoryview)) for v in state.values())


def test_the_page_gets_the_frames_in_chunks_when_it_asks(anim, monkeypatch):
    monkeypatch.setattr(widget_module, "chunk_count", lambda n: -(-n // 64))
    monkeypatch.setattr(widget_module, "iter_chunks", lambda p: ((i, o, memoryview(p)[o : o + 64]) for i, o in enumerate(range(0, len(p), 64))))
    page(anim, {"type": "request-frames", "have": None})
    kinds = [c["type"] for c, _ in anim.sent]
    assert kinds[0] == "frames-begin" and kinds[-1] == "frames-end"
    begin = anim.sent[0][0]
    chunks = [(c, b) for c, b in anim.sent if c["type"] == "frames-chunk"]
    assert begin["chunks"] == len(chunks) > 1
    assert all(len(b[0]) <= 64 for _, b in chunks)
    payload = b"".join(b[0] for _, b in sorted(chunks, key=lambda cb: cb[0]["offset"]))
    back = unpack_frames(begin["header"], payload)
    assert [f.positions.tolist() for f in back] == [np.asarray(f["points"], np.float32).tolist() for f in frames()]


def test_a_page_that_has_the_frames_is_not_sent_them_again(anim):
    page(anim, {"type": "request-frames", "have": anim.frames_version})
    assert anim.sent == []


def test_set_frames_bumps_the_version():
    a = cloudreel.Animation(frames())
    v = a.frames_version
    a.set_frames(frames(5))
    assert (a.frame_count, a.frames_version) == (5, v + 1)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"fps": 0}, "fps must be a number from 0.01 to 240"), ({"width": 641}, "width must be even"), ({"height": 0}, "height must be a positive whole number")],
)
def test_bad_settings_are_rejected(kwargs, message):
    with pytest.raises(Exception, match=message):
        cloudreel.Animation(frames(), **kwargs)


def test_point_shape_is_synced_and_checked_with_the_pages_words():
    a = cloudreel.Animation(frames())
    assert a.point_shape == "square" and a.get_state()["point_shape"] == "square"
    assert cloudreel.Animation(frames(), point_shape="round").get_state()["point_shape"] == "round"
    # The page's message (src/core/options.ts: 'pointShape must be "square" or "round", got "circle"'), with Python's name.
    with pytest.raises(ValueError) as info:
        cloudreel.Animation(frames(), point_shape="circle")
    assert str(info.value) == 'point_shape must be "square" or "round", got "circle"'
    with pytest.raises(ValueError, match='^point_shape must be "square" or "round", got "Round"$'):
        a.point_shape = "Round"
    assert a.point_shape == "square"  # a refused value leaves the old one
    a.point_shape = "round"
    assert a.get_state()["point_shape"] == "round"


def test_bad_frames_are_rejected_naming_the_frame():
    bad = frames()
    bad[1]["points"][2, 0] = np.nan
    with pytest.raises(ValueError, match=r"frames\[1\]"):
        cloudreel.Animation(bad)


def test_without_a_page_or_a_browser_save_embed_and_export_fail_at_once_saying_what_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.setenv("CLOUDREEL_BROWSER", str(tmp_path / "no-such-browser"))
    a = cloudreel.Animation(frames())
    a.send = Sent()
    for call in (lambda: a.save(tmp_path / "x.mp4"), a.embed, a.export):
        with pytest.raises(route.NoRoute) as info:
            call()
        text = str(info.value)
        assert "no JupyterLab or Notebook page is attached to this kernel" in text
        assert "open the notebook in JupyterLab 4 or Notebook 7" in text
        assert f"The browser named by $CLOUDREEL_BROWSER ('{tmp_path / 'no-such-browser'}') does not exist" in text
    assert a.send == [] and list(tmp_path.iterdir()) == []


def deliver_file(anim, request, data, chunk=7, order=None, **meta):
    pieces = [(i, o, data[o : o + chunk]) for i, o in enumerate(range(0, len(data), chunk))]
    page(anim, {"type": "file-begin", "request": request, "total_bytes": len(data), "chunks": len(pieces),
                "mime_type": meta.get("mime", "video/mp4"), "extension": meta.get("ext", "mp4"), "codec": meta.get("codec", "ffmpeg-h264")})
    for i in order or range(len(pieces)):
        idx, off, piece = pieces[i]
        page(anim, {"type": "file-chunk", "request": request, "index": idx, "offset": off}, [piece])


def test_save_writes_exactly_what_arrives_even_out_of_order(anim, tmp_path):
    route.heard_from("a" * 24)
    done = []
    target = tmp_path / "out" / "video.mp4"
    anim.save(target, callback=lambda path, error: done.append((path, error)))
    request = anim.sent[-1][0]["request"]
    assert anim.sent[-1][0]["type"] == "save"
    data = bytes(range(256)) * 3
    deliver_file(anim, request, data, order=[3, 0, 5, 1, 2, 4] + list(range(6, 110)))
    assert target.read_bytes() == data
    assert done == [(str(target), None)]
    assert anim.save_status.startswith(f"Saved {target}")


def test_the_codec_that_worked_decides_the_extension(anim, tmp_path):
    route.heard_from("a" * 24)
    anim.save(tmp_path / "clip.mp4")
    deliver_file(anim, anim.sent[-1][0]["request"], b"\x1a\x45\xdf\xa3webm", mime="video/webm", ext="webm", codec="ffmpeg-vp8")
    assert (tmp_path / "clip.webm").read_bytes() == b"\x1a\x45\xdf\xa3webm"
    assert not (tmp_path / "clip.mp4").exists()


def test_a_failed_export_reaches_the_callback(anim, tmp_path):
    route.heard_from("a" * 24)
    done = []
    anim.save(tmp_path / "x.mp4", callback=lambda path, error: done.append((path, error)))
    page(anim, {"type": "export-failed", "request": anim.sent[-1][0]["request"], "message": "every codec failed: ..."})
    assert done == [(None, "Export failed: every codec failed: ...")]
    assert anim.save_status == "Export failed: every codec failed: ..."
    assert not (tmp_path / "x.mp4").exists()


def test_a_damaged_file_transfer_is_reported_not_written(anim, tmp_path):
    route.heard_from("a" * 24)
    done = []
    anim.save(tmp_path / "x.mp4", callback=lambda path, error: done.append(error))
    request = anim.sent[-1][0]["request"]
    page(anim, {"type": "file-begin", "request": request, "total_bytes": 10, "chunks": 2, "mime_type": "video/mp4", "extension": "mp4", "codec": "ffmpeg-h264"})
    page(anim, {"type": "file-chunk", "request": request, "index": 0, "offset": 0}, [b"12345"])
    page(anim, {"type": "file-chunk", "request": request, "index": 0, "offset": 0}, [b"12345"])
    assert done and done[0].startswith("Export failed: the video arrived damaged")
    assert not (tmp_path / "x.mp4").exists()


def test_embed_fills_its_display_with_an_inline_video(anim, monkeypatch):
    route.heard_from("a" * 24)
    shown = []

    class Handle:
        def update(self, obj):
            shown.append(obj)

    monkeypatch.setattr(widget_module, "display", lambda obj, display_id=None: (shown.append(obj), Handle())[1])
    anim.embed()
    deliver_file(anim, anim.sent[-1][0]["request"], b"\x00\x00\x00\x18ftypisom" + b"x" * 40)
    html = shown[-1]._repr_html_()
    assert "<video" in html and "data:video/mp4;base64," in html


def test_cancel_and_export_send_their_requests(anim):
    route.heard_from("a" * 24)
    anim.export(codecs=["ffmpeg-vp8"])
    assert anim.sent[-1][0]["type"] == "export" and anim.sent[-1][0]["codecs"] == ["ffmpeg-vp8"]
    anim.cancel()
    assert anim.sent[-1][0] == {"type": "cancel"}


@pytest.fixture
def no_browser(monkeypatch, tmp_path):
    monkeypatch.setenv("CLOUDREEL_BROWSER", str(tmp_path / "no-such-browser"))


def test_with_no_browser_a_kernel_a_jupyter_server_started_takes_the_page_route(anim, monkeypatch, no_browser, tmp_path, shown):
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/me/notebook.ipynb")
    assert anim.save(tmp_path / "clip.mp4") is None
    assert anim.save_status == "Waiting for the page to export clip.mp4..."
    assert anim.embed() is None and anim.export() is None
    assert [c["type"] for c, _ in anim.sent] == ["save", "save", "export"]
    anim.close()  # ends the requests no page will answer


def test_via_page_sends_the_request_to_a_page_even_with_a_browser_and_none_heard(anim, monkeypatch, tmp_path, shown):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.setenv("CLOUDREEL_BROWSER", "/usr/bin/chromium")
    anim.save(tmp_path / "clip.mp4", via="page")
    anim.embed(via="page")
    anim.export(via="page")
    assert [c["type"] for c, _ in anim.sent] == ["save", "save", "export"]
    anim.close()


def test_via_headless_with_no_browser_fails_the_save_with_the_browser_search(anim, no_browser, tmp_path):
    route.heard_from("a" * 24)  # a page is there, but headless was asked for
    done = []
    with pytest.raises(cloudreel.ExportError, match=r"^Export failed: The browser named by \$CLOUDREEL_BROWSER"):
        anim.save(tmp_path / "clip.mp4", callback=lambda path, error: done.append((path, error)), via="headless")
    assert done == [(None, anim.save_status)] and anim.save_status.startswith("Export failed: The browser named by")
    assert anim.sent == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("call", ["save", "embed", "export"])
def test_a_bad_via_is_a_value_error_before_anything_happens(anim, call, tmp_path):
    args = (tmp_path / "clip.mp4",) if call == "save" else ()
    with pytest.raises(ValueError, match=r'^via must be "auto", "page" or "headless", got \'browser\'$'):
        getattr(anim, call)(*args, via="browser")
    assert anim.sent == [] and anim.save_status == ""
