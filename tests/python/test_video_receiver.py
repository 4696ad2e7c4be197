"""The kernel receiving a finished video from the page (save/embed): it trusts nothing the page sends.

The codec alone decides the extension and MIME type (tests/cases/video-formats.json),
values reaching HTML are escaped, chunks stream to a temporary file beside the
target (memory limits measured in a subprocess from /proc/self/status), a stalled
transfer times out, a request is served by one page, and every failure ends in
``Export failed: ...`` with nothing left behind.
"""

import json
import logging
import os
import stat
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
from IPython.core.formatters import format_display_data

from cloudreel import route, widget as widget_module

ROOT = Path(__file__).resolve().parents[2]
TABLE = json.loads((ROOT / "tests" / "cases" / "video-formats.json").read_text())
PAGE_A, PAGE_B = "a" * 24, "b" * 24
MiB = 1024 * 1024


@pytest.fixture
def anim(anim):
    """conftest's widget, with a page already heard from (saves take the page route)."""
    route.heard_from("a" * 24)
    return anim


@pytest.fixture
def shown(monkeypatch):
    """What embed() puts in the notebook: every display object, as the mime bundle Jupyter stores."""
    bundles = []

    class Handle:
        def update(self, obj):
            bundles.append(format_display_data(obj)[0])

    monkeypatch.setattr(widget_module, "display", lambda obj, display_id=None: (bundles.append(format_display_data(obj)[0]), Handle())[1])
    return bundles


def page(anim, content, buffers=(), who=PAGE_A):
    anim._on_frontend_msg(anim, {**content, "page": who}, [memoryview(b) for b in buffers])


def begin(anim, request, data, chunk=7, who=PAGE_A, **fields):
    count = -(-len(data) // chunk)
    page(anim, {"type": "file-begin", "request": request, "total_bytes": len(data), "chunks": count,
                "mime_type": "video/mp4", "extension": "mp4", "codec": "ffmpeg-h264", **fields}, who=who)
    return [(i, o, data[o:o + chunk]) for i, o in enumerate(range(0, len(data), chunk))]


def send_video(anim, request, data, chunk=7, who=PAGE_A, **fields):
    for index, offset, piece in begin(anim, request, data, chunk, who, **fields):
        page(anim, {"type": "file-chunk", "request": request, "index": index, "offset": offset}, [piece], who=who)


def save(anim, path):
    done = []
    anim.save(path, callback=lambda p, error: done.append((p, error)))
    return anim.sent[-1]["request"], done


def files_in(folder):
    return sorted(p.name for p in Path(folder).iterdir())


# --- 1. the extension comes from the codec, through the kernel's allow-list ---------

def test_the_allow_list_is_the_shared_table():
    from cloudreel import video_receiver

    assert video_receiver.CODEC_CONTAINERS == TABLE["codecs"]
    assert video_receiver.CONTAINER_MIME_TYPES == TABLE["containers"]


def test_a_page_cannot_choose_the_extension_of_a_saved_file(anim, tmp_path):
    notebook = tmp_path / "victim.ipynb"
    notebook.write_text('{"cells": []}')
    request, done = save(anim, tmp_path / "victim.mp4")
    send_video(anim, request, b"not a notebook", extension="ipynb", mime_type="application/x-ipynb+json")
    assert notebook.read_text() == '{"cells": []}'
    [(path, error)] = done
    assert path is None
    assert error == ("Export failed: the page says its ffmpeg-h264 video has extension 'ipynb', "
                     "but ffmpeg-h264 makes 'mp4'")
    assert anim.save_status == error
    assert files_in(tmp_path) == ["victim.ipynb"]


def test_an_unknown_codec_ends_the_request(anim, tmp_path):
    request, done = save(anim, tmp_path / "clip.mp4")
    send_video(anim, request, b"data", codec="../../ipynb", extension="ipynb")
    [(path, error)] = done
    assert error.startswith("Export failed: the page sent a video made by codec '../../ipynb', which is none of the kernel's (")
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("codec, container", sorted(TABLE["codecs"].items()))
def test_each_codec_saves_with_its_containers_extension(anim, tmp_path, codec, container):
    request, done = save(anim, tmp_path / "clip.mp4")
    send_video(anim, request, b"0123456789", codec=codec, extension=container, mime_type=TABLE["containers"][container])
    assert done == [(str(tmp_path / f"clip.{container}"), None)]
    assert files_in(tmp_path) == [f"clip.{container}"]
    assert anim.save_status.endswith(f", {codec})")


def test_the_extension_and_mime_type_may_be_left_out(anim, tmp_path):
    request, done = save(anim, tmp_path / "clip")
    data = b"GIF89a..."
    page(anim, {"type": "file-begin", "request": request, "total_bytes": len(data), "chunks": 1, "codec": "ffmpeg-gif"})
    page(anim, {"type": "file-chunk", "request": request, "index": 0, "offset": 0}, [data])
    assert done == [(str(tmp_path / "clip.gif"), None)]
    assert (tmp_path / "clip.gif").read_bytes() == data


# --- 2. nothing the page sends reaches HTML unescaped -------------------------------

class Attributes(HTMLParser):
    def __init__(self, text):
        super().__init__()
        self.found = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.found += [(tag, name, value) for name, value in attrs]


def live_attributes(bundles):
    return [a for b in bundles if "text/html" in b for a in Attributes(b["text/html"]).found]


def test_embed_a_page_mime_type_cannot_add_an_attribute(anim, shown):
    anim.embed()
    request = anim.sent[-1]["request"]
    send_video(anim, request, b"\x00\x00\x00\x18ftypisom" + b"x" * 40, mime_type='video/mp4" onerror="alert(1)')
    attributes = live_attributes(shown)
    assert not [a for a in attributes if a[1].startswith("on")], attributes
    assert shown[-1]["text/html"].startswith("<p><b>cloudreel:</b> Export failed: the page says its ffmpeg-h264 video has mime_type ")
    assert anim.save_status.startswith("Export failed: ")


def test_embed_takes_the_mime_type_from_the_codec(anim, shown):
    anim.embed()
    data = b"\x1a\x45\xdf\xa3" + b"w" * 40
    page(anim, {"type": "file-begin", "request": anim.sent[-1]["request"], "total_bytes": len(data), "chunks": 1, "codec": "webcodecs-vp9"})
    page(anim, {"type": "file-chunk", "request": anim.sent[-1]["request"], "index": 0, "offset": 0}, [data])
    [(tag, name, value)] = [a for a in live_attributes(shown[-1:]) if a[1] == "type"]
    assert (tag, value) == ("source", "video/webm")
    assert anim.save_status == "Embedded the webcodecs-vp9 video (44 bytes)"


# --- 3. streamed to a temporary file, bounded, timed out, one page per request ------

def test_chunks_go_to_an_owner_only_temporary_file_beside_the_target(anim, tmp_path):
    request, done = save(anim, tmp_path / "out" / "clip.mp4")
    data = bytes(range(256)) * 4
    pieces = begin(anim, request, data, chunk=100)
    for index, offset, piece in pieces[:-1]:
        page(anim, {"type": "file-chunk", "request": request, "index": index, "offset": offset}, [piece])
    # The chunks so far sit in an unnamed owner-only file (O_TMPFILE) in the target's folder.
    receiver = anim._pending[request].receiver
    assert files_in(tmp_path / "out") == []
    info = os.fstat(receiver._fd)
    assert info.st_dev == (tmp_path / "out").stat().st_dev and info.st_nlink == 0
    assert stat.S_IMODE(info.st_mode) == 0o600
    assert os.pread(receiver._fd, 900, 0) == data[:900]
    index, offset, piece = pieces[-1]
    page(anim, {"type": "file-chunk", "request": request, "index": index, "offset": offset}, [piece])
    assert files_in(tmp_path / "out") == ["clip.mp4"]
    assert (tmp_path / "out" / "clip.mp4").read_bytes() == data
    assert done == [(str(tmp_path / "out" / "clip.mp4"), None)]


def test_a_kernel_killed_mid_transfer_leaves_no_file(tmp_path):
    script = textwrap.dedent("""
        import os, sys, time
        sys.path.insert(0, %r)
        import numpy as np
        import cloudreel
        anim = cloudreel.Animation([np.zeros((2, 3))])
        anim.send = lambda *args, **kwargs: None
        cloudreel.route.heard_from("a" * 24)
        anim.save(os.path.join(sys.argv[1], "clip.mp4"))
        page = lambda content, buffers=(): anim._on_frontend_msg(anim, {**content, "page": "a" * 24}, list(buffers))
        request = max(anim._pending)
        page({"type": "file-begin", "request": request, "total_bytes": 200, "chunks": 2, "codec": "ffmpeg-h264"})
        page({"type": "file-chunk", "request": request, "index": 0, "offset": 0}, [b"x" * 100])
        print("half", flush=True)
        time.sleep(60)
    """) % str(ROOT / "python")
    kernel = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert kernel.stdout.readline().strip() == "half"
        kernel.kill()
    finally:
        kernel.wait(30)
        kernel.stdout.close()
    assert files_in(tmp_path) == []


def test_a_second_file_begin_fails_the_request_instead_of_allocating_again(anim, tmp_path):
    request, done = save(anim, tmp_path / "clip.mp4")
    begin(anim, request, b"x" * 100)
    begin(anim, request, b"x" * 100)
    assert done == [(None, "Export failed: the page began sending the video a second time")]
    assert files_in(tmp_path) == []


def test_a_request_is_served_by_the_first_page_that_answers(anim, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger=anim.log.name)
    request, done = save(anim, tmp_path / "clip.mp4")
    page(anim, {"type": "ack", "request": request}, who=PAGE_A)
    page(anim, {"type": "ack", "request": request}, who=PAGE_B)
    mine, theirs = bytes(range(100)), bytes(reversed(range(100)))
    pieces_a = begin(anim, request, mine, chunk=10, who=PAGE_A)
    pieces_b = begin(anim, request, theirs, chunk=10, who=PAGE_B)
    for (ia, oa, a), (ib, ob, b) in zip(pieces_a, pieces_b):
        page(anim, {"type": "file-chunk", "request": request, "index": ib, "offset": ob}, [b], who=PAGE_B)
        page(anim, {"type": "file-chunk", "request": request, "index": ia, "offset": oa}, [a], who=PAGE_A)
    page(anim, {"type": "export-failed", "request": request, "message": "tab B failed"}, who=PAGE_B)
    assert done == [(str(tmp_path / "clip.mp4"), None)]
    assert (tmp_path / "clip.mp4").read_bytes() == mine
    ignored = [r.getMessage() for r in caplog.records if "ignoring page" in r.getMessage()]
    assert ignored == [f"cloudreel: request {request} is served by page {PAGE_A}; ignoring page {PAGE_B}'s messages for it (and any other page's)"]


def test_the_page_going_away_fails_the_requests_it_was_serving(anim, tmp_path):
    first, done_first = save(anim, tmp_path / "a.mp4")
    second, done_second = save(anim, tmp_path / "b.mp4")
    page(anim, {"type": "ack", "request": first}, who=PAGE_A)
    page(anim, {"type": "ack", "request": second}, who=PAGE_B)
    begin(anim, first, b"y" * 50)
    page(anim, {"type": "page-gone"}, who=PAGE_A)
    assert done_first == [(None, "Export failed: the page exporting the video was closed or reloaded before the video arrived")]
    assert done_second == []  # served by the other page, which is still there
    assert files_in(tmp_path) == []


def test_closing_the_widget_fails_its_requests(anim, tmp_path):
    request, done = save(anim, tmp_path / "a.mp4")
    begin(anim, request, b"y" * 50)
    anim.close()
    assert done == [(None, "Export failed: the widget was closed before the video arrived")]
    assert files_in(tmp_path) == []


def run_measured(script, tmp_path):
    """Runs ``script`` in a fresh Python with the in-tree package and helpers to read
    this process's memory (VmRSS, VmHWM from /proc/self/status); returns its JSON."""
    prelude = textwrap.dedent("""
        import asyncio, hashlib, json, os, sys
        sys.path.insert(0, %r)
        import numpy as np
        import cloudreel
        from cloudreel import widget as widget_module

        def memory():
            with open("/proc/self/status") as f:
                return {k: int(v.split()[0]) * 1024 for k, _, v in (l.partition(":") for l in f) if k in ("VmRSS", "VmHWM")}

        def reset_peak():
            try:
                with open("/proc/self/clear_refs", "w") as f:
                    f.write("5")  # VmHWM starts again from VmRSS
            except OSError:
                pass

        asyncio.set_event_loop(asyncio.new_event_loop())
        anim = cloudreel.Animation([np.zeros((2, 3))])
        anim.send = lambda *args, **kwargs: None
        cloudreel.route.heard_from("a" * 24)
        done = []
        def page(content, buffers=()):
            anim._on_frontend_msg(anim, {**content, "page": "a" * 24}, list(buffers))
    """) % str(ROOT / "python")
    out = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(script), str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_stalled_2_gib_transfer_holds_no_memory_and_times_out(tmp_path):
    result = run_measured("""
        widget_module.IDLE_GRACE = 0.1
        anim.transfer_timeout = 0.5
        anim.save(os.path.join(sys.argv[1], "stalled.mp4"), callback=lambda path, error: done.append(error))
        request = max(anim._pending)
        reset_peak()
        before = memory()["VmRSS"]
        page({"type": "file-begin", "request": request, "total_bytes": 2**31, "chunks": 1024, "codec": "ffmpeg-h264"})
        after_begin = memory()
        waiting = list(done)
        asyncio.get_event_loop().run_until_complete(asyncio.sleep(1.5))
        print(json.dumps({"growth": after_begin["VmHWM"] - before, "waiting": waiting, "done": done,
                          "status": anim.save_status, "left": os.listdir(sys.argv[1])}))
    """, tmp_path)
    print(f"stalled 2 GiB file-begin: RSS grew by {result['growth'] / MiB:.1f} MiB")
    assert result["growth"] <= 64 * MiB
    assert result["waiting"] == []
    expected = ("Export failed: the page stopped sending the video: nothing arrived for 0.5 s "
                "(0 of 1024 chunks received; anim.transfer_timeout sets how long to wait)")
    assert result["done"] == [expected]
    assert result["status"] == expected
    assert result["left"] == []


def test_saving_300_mib_peaks_below_one_and_a_half_times_the_video(tmp_path):
    result = run_measured("""
        size, chunk = 300 * 2**20, 2 * 2**20
        target = os.path.join(sys.argv[1], "big.mp4")
        anim.save(target, callback=lambda path, error: done.append((path, error)))
        request = max(anim._pending)
        reset_peak()
        before = memory()["VmRSS"]
        digest = hashlib.sha256()
        page({"type": "file-begin", "request": request, "total_bytes": size, "chunks": size // chunk, "codec": "ffmpeg-h264",
              "mime_type": "video/mp4", "extension": "mp4"})
        for index in range(size // chunk):
            data = np.full(chunk, index % 251, np.uint8).tobytes()  # each chunk made as it is sent, as from the comm
            digest.update(data)
            page({"type": "file-chunk", "request": request, "index": index, "offset": index * chunk}, [memoryview(data)])
            del data
        peak = memory()["VmHWM"] - before
        with open(target, "rb") as f:
            saved = hashlib.file_digest(f, "sha256").hexdigest() if hasattr(hashlib, "file_digest") else None
        print(json.dumps({"peak": peak, "done": done, "same": saved in (None, digest.hexdigest()),
                          "size": os.path.getsize(target), "left": sorted(os.listdir(sys.argv[1]))}))
    """, tmp_path)
    print(f"300 MiB save: peak RSS growth {result['peak'] / MiB:.1f} MiB ({result['peak'] / (300 * MiB):.2f}x the video)")
    assert result["peak"] <= 1.5 * 300 * MiB
    assert result["done"] == [[str(tmp_path / "big.mp4"), None]]
    assert result["size"] == 300 * MiB and result["same"]
    assert result["left"] == ["big.mp4"]


def test_a_transfer_stopped_mid_way_times_out_and_leaves_nothing(anim, tmp_path, monkeypatch):
    import asyncio
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        monkeypatch.setattr(widget_module, "IDLE_GRACE", 0.05, raising=False)
        anim.transfer_timeout = 0.2
        request, done = save(anim, tmp_path / "clip.mp4")
        index, offset, piece = begin(anim, request, b"z" * 30, chunk=10)[0]
        page(anim, {"type": "file-chunk", "request": request, "index": index, "offset": offset}, [piece])
        loop.run_until_complete(asyncio.sleep(0.6))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    assert done == [(None, "Export failed: the page stopped sending the video: nothing arrived for 0.2 s "
                           "(1 of 3 chunks received; anim.transfer_timeout sets how long to wait)")]
    assert files_in(tmp_path) == []


# --- 4. embed() is bounded ------------------------------------------------------------

def test_embed_above_max_embed_bytes_is_refused_at_file_begin_suggesting_save(anim, shown):
    anim.embed()
    page(anim, {"type": "file-begin", "request": anim.sent[-1]["request"], "total_bytes": 100 * MiB, "chunks": 50, "codec": "ffmpeg-h264"})
    assert anim.save_status == ("Export failed: the video is 104.9 MB, more than embed() puts in a notebook "
                                "(max_embed_bytes = 20.0 MB): save it with anim.save('name.mp4') instead, or raise anim.max_embed_bytes")
    assert "anim.save(&#x27;name.mp4&#x27;)" in shown[-1]["text/html"]


def test_max_embed_bytes_is_settable(anim, shown):
    anim.max_embed_bytes = 100
    anim.embed()
    send_video(anim, anim.sent[-1]["request"], b"v" * 101)
    assert anim.save_status.startswith("Export failed: the video is 101 bytes, more than embed() puts in a notebook (max_embed_bytes = 100 bytes)")
    with pytest.raises(Exception, match="max_embed_bytes must be a whole number of bytes >= 1, got 0"):
        anim.max_embed_bytes = 0


def test_embed_above_5_mb_warns(anim, shown):
    anim.embed()
    with pytest.warns(UserWarning, match=r"cloudreel: embedded a 6\.0 MB video in the notebook; large for a notebook"):
        send_video(anim, anim.sent[-1]["request"], b"\x00" * 6_000_000, chunk=2 * MiB)
    assert anim.save_status == ("Embedded the ffmpeg-h264 video (6.0 MB; large for a notebook, which carries it "
                                "in every copy: save() keeps it beside instead)")
    assert "data:video/mp4;base64," in shown[-1]["text/html"]


# --- 5. every failure reaches save_status and the callback; writes are atomic ---------

def test_a_path_through_a_regular_file_fails_the_save(anim, tmp_path):
    (tmp_path / "file").write_text("x")
    request, done = save(anim, tmp_path / "file" / "clip.mp4")
    send_video(anim, request, b"video")
    [(path, error)] = done
    assert path is None and error.startswith(f"Export failed: cannot write the video in {tmp_path / 'file'}: [Errno ")
    assert anim.save_status == error
    assert files_in(tmp_path) == ["file"]


@pytest.mark.parametrize("name", ["", "out/", ".."])
def test_a_path_with_no_file_name_fails_at_once(anim, name):
    sent = len(anim.sent)
    done = []
    anim.save(name, callback=lambda path, error: done.append((path, error)))
    assert done == [(None, f"Export failed: save() needs a file name, got {name!r}")]
    assert anim.save_status == done[0][1]
    assert len(anim.sent) == sent  # the page is not asked to export


def test_a_name_the_file_system_refuses_fails_the_save_and_leaves_nothing(anim, tmp_path):
    request, done = save(anim, tmp_path / ("x" * 300 + ".mp4"))
    send_video(anim, request, b"video")
    [(path, error)] = done
    assert path is None and error.startswith(f"Export failed: cannot write {tmp_path / ('x' * 300 + '.mp4')}: [Errno 36] File name too long")
    assert files_in(tmp_path) == []


def test_a_folder_at_the_target_fails_the_save_and_keeps_the_folder(anim, tmp_path):
    (tmp_path / "clip.mp4").mkdir()
    request, done = save(anim, tmp_path / "clip.mp4")
    send_video(anim, request, b"video")
    [(path, error)] = done
    assert error.startswith(f"Export failed: cannot write {tmp_path / 'clip.mp4'}: [Errno 21] Is a directory")
    assert files_in(tmp_path) == ["clip.mp4"] and (tmp_path / "clip.mp4").is_dir()


def test_a_disk_error_while_writing_fails_the_save_and_leaves_the_old_file(anim, tmp_path, monkeypatch):
    (tmp_path / "clip.mp4").write_bytes(b"old video")

    def full(fd, data, offset):
        raise OSError(28, "No space left on device")

    request, done = save(anim, tmp_path / "clip.mp4")
    monkeypatch.setattr(os, "pwrite", full)
    send_video(anim, request, b"new video")
    assert done == [(None, "Export failed: writing the video failed: [Errno 28] No space left on device")]
    assert files_in(tmp_path) == ["clip.mp4"]
    assert (tmp_path / "clip.mp4").read_bytes() == b"old video"


def test_a_relative_path_is_resolved_when_save_is_called(anim, tmp_path, monkeypatch):
    (tmp_path / "here").mkdir()
    (tmp_path / "later").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    request, done = save(anim, "clip.mp4")
    assert anim.save_status == "Waiting for the page to export clip.mp4..."
    monkeypatch.chdir(tmp_path / "later")
    send_video(anim, request, b"video")
    assert done == [(str(tmp_path / "here" / "clip.mp4"), None)]
    assert files_in(tmp_path / "later") == []


# --- the same class elsewhere: page text is bounded where it is shown or logged ------

def test_a_huge_page_message_is_cut_in_the_status_and_the_log(anim, tmp_path, caplog):
    request, done = save(anim, tmp_path / "clip.mp4")
    page(anim, {"type": "export-failed", "request": request, "message": "m" * 1_000_000})
    [(_, error)] = done
    assert len(error) < 1100 and error.endswith("... (999000 more characters)")
    anim._on_frontend_msg(anim, {"type": "t" * 1_000_000, "page": 5}, [])
    [record] = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert len(record.getMessage()) < 500


def test_an_answered_export_is_no_longer_pending_so_a_page_leaving_later_fails_nothing(anim):
    anim.export()
    request = anim.sent[-1]["request"]
    page(anim, {"type": "ack", "request": request})
    assert request not in anim._pending
    page(anim, {"type": "page-gone"})
    assert anim.save_status == ""
