"""The HTTP route's kernel side: spool files, and the Animation offering them."""

import os
import stat

import numpy as np
import pytest

import cloudreel
from cloudreel import frame_spool
from cloudreel import widget as widget_module
from cloudreel.frames import unpack_frames


@pytest.fixture
def spool(tmp_path, monkeypatch):
    folder = tmp_path / "spool"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv(frame_spool.SPOOL_ENV, str(folder))
    return folder


def test_no_spool_without_the_server_extension(monkeypatch):
    monkeypatch.delenv(frame_spool.SPOOL_ENV, raising=False)
    assert frame_spool.spool_dir() is None
    assert frame_spool.write_payload(b"x") is None


@pytest.mark.parametrize("mode", [0o755, 0o770, 0o701])
def test_a_folder_others_can_reach_is_not_used(spool, mode):
    spool.chmod(mode)
    assert frame_spool.spool_dir() is None
    assert frame_spool.write_payload(b"x") is None


def test_a_symlink_or_a_missing_folder_is_not_used(spool, tmp_path, monkeypatch):
    link = tmp_path / "link"
    link.symlink_to(spool)
    monkeypatch.setenv(frame_spool.SPOOL_ENV, str(link))
    assert frame_spool.spool_dir() is None
    monkeypatch.setenv(frame_spool.SPOOL_ENV, str(tmp_path / "gone"))
    assert frame_spool.spool_dir() is None


def test_payloads_are_owner_only_files_named_by_random_tokens(spool):
    a, b = frame_spool.write_payload(b"abc"), frame_spool.write_payload(b"abc")
    assert a != b and frame_spool.TOKEN_PATTERN.fullmatch(a)
    path = spool / f"{a}.bin"
    assert path.read_bytes() == b"abc"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    frame_spool.remove(a)
    assert not path.exists() and (spool / f"{b}.bin").exists()


def test_remove_touches_nothing_but_token_names(spool):
    (spool / "keep.bin").write_bytes(b"1")
    outside = spool.parent / "outside.bin"
    outside.write_bytes(b"1")
    for name in ["keep", "../outside", "", "None"]:
        frame_spool.remove(name)
    assert (spool / "keep.bin").exists() and outside.exists()


@pytest.fixture
def anim(spool, monkeypatch):
    a = cloudreel.Animation([np.arange(15, dtype=float).reshape(5, 3) + i for i in range(3)])
    a.sent = []
    monkeypatch.setattr(a, "send", lambda content, buffers=None: a.sent.append(content))
    monkeypatch.setattr(widget_module, "ACK_TIMEOUT", 3600.0)
    return a


def page(anim, content):
    anim._on_frontend_msg(anim, content, [])


def test_a_page_that_can_fetch_gets_an_offer_of_the_packed_frames(anim, spool):
    page(anim, {"type": "request-frames", "have": None, "http": True, "failed_offer": None})
    [offer] = anim.sent
    assert offer["type"] == "frames-offer" and offer["version"] == anim.frames_version
    assert offer["write_seconds"] >= 0
    data = (spool / f"{offer['token']}.bin").read_bytes()
    back = unpack_frames(offer["header"], data)
    assert [f.positions[0, 0] for f in back] == [0, 1, 2]
    page(anim, {"type": "frames-received", "token": offer["token"]})
    assert os.listdir(spool) == []


def test_a_failed_fetch_gets_the_comm_route_and_the_file_is_removed(anim, spool):
    page(anim, {"type": "request-frames", "have": None, "http": True, "failed_offer": None})
    token = anim.sent[0]["token"]
    page(anim, {"type": "request-frames", "have": None, "http": False, "failed_offer": token})
    assert [m["type"] for m in anim.sent[1:]][0] == "frames-begin"
    assert os.listdir(spool) == []


def test_without_a_spool_the_comm_route_is_used(anim, monkeypatch):
    monkeypatch.delenv(frame_spool.SPOOL_ENV)
    page(anim, {"type": "request-frames", "have": None, "http": True, "failed_offer": None})
    assert anim.sent[0]["type"] == "frames-begin"


def test_new_frames_and_close_drop_unfetched_offers(anim, spool):
    page(anim, {"type": "request-frames", "have": None, "http": True, "failed_offer": None})
    assert len(os.listdir(spool)) == 1
    anim.set_frames([np.zeros((2, 3))])
    assert os.listdir(spool) == []
    page(anim, {"type": "request-frames", "have": None, "http": True, "failed_offer": None})
    assert len(os.listdir(spool)) == 1
    anim.close()
    assert os.listdir(spool) == []


def test_files_left_at_kernel_exit_are_removed(spool):
    """A kernel restarted mid-transfer: its atexit hook removes what no page fetched."""
    fetched, pending = frame_spool.write_payload(b"a"), frame_spool.write_payload(b"b")
    other = f"{'f' * 32}.bin"  # a file of another kernel
    (spool / other).write_bytes(b"c")
    frame_spool.remove(fetched)
    frame_spool.remove_all_written()
    assert [p.name for p in spool.iterdir()] == [other]
    assert pending not in frame_spool._written


def test_a_spool_without_room_for_the_payload_is_not_used(spool, monkeypatch):
    # A full tmpfs would fail the write half way: the comm route is used instead.
    usage = frame_spool.shutil.disk_usage(spool)
    monkeypatch.setattr(frame_spool.shutil, "disk_usage", lambda _p: usage._replace(free=frame_spool.HEADROOM_BYTES + 2))
    assert frame_spool.write_payload(b"abc") is None
    assert frame_spool.write_payload(b"a") is not None
