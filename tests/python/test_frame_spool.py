"""The HTTP route's kernel side: spool files, and the Animation offering them."""

import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

import cloudreel
from cloudreel import frame_spool
from cloudreel import widget as widget_module
from cloudreel.wire import unpack_frames


@pytest.fixture
def spool(tmp_path, monkeypatch):
    folder = tmp_path / "spool"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv(frame_spool.SPOOL_ENV, str(folder))
    return folder


def test_no_spool_without_the_server_extension(monkeypatch):
    monkeypatch.delenv(frame_spool.SPOOL_ENV, raising=False)
    assert frame_spool.write_payload(b"x") is None


@pytest.mark.parametrize("mode", [0o755, 0o770, 0o701])
def test_a_folder_others_can_reach_is_not_used(spool, mode):
    spool.chmod(mode)
    assert frame_spool.write_payload(b"x") is None
    with pytest.raises(PermissionError, match=f"spool folder {spool} has mode {mode:04o}, which lets other users in"):
        frame_spool.open_private_folder(str(spool))


def test_a_folder_made_private_after_first_use_is_checked_on_each_write(spool):
    assert frame_spool.write_payload(b"x") is not None
    spool.chmod(0o750)
    assert frame_spool.write_payload(b"x") is None


def test_a_symlink_or_a_missing_folder_is_not_used(spool, tmp_path, monkeypatch):
    link = tmp_path / "link"
    link.symlink_to(spool)
    monkeypatch.setenv(frame_spool.SPOOL_ENV, str(link))
    assert frame_spool.write_payload(b"x") is None
    monkeypatch.setenv(frame_spool.SPOOL_ENV, str(tmp_path / "gone"))
    assert frame_spool.write_payload(b"x") is None
    assert list(spool.iterdir()) == []


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
    monkeypatch.setattr(frame_spool.os, "fstatvfs", lambda fd: FakeStatvfs(frame_spool.HEADROOM_BYTES + 3))
    assert frame_spool.write_payload(b"abcd") is None
    assert frame_spool.write_payload(b"abc") is not None


class FakeStatvfs:
    """os.fstatvfs's answer for a filesystem with ``free`` bytes available."""

    def __init__(self, free):
        self.f_frsize, self.f_bavail = 1, free


def fake_proc(tmp_path, monkeypatch, spool, fs_type, available):
    """/proc/self/mountinfo naming the spool's filesystem ``fs_type``, and /proc/meminfo with ``available`` bytes."""
    dev = spool.stat().st_dev
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        f"36 22 {os.major(dev)}:{os.minor(dev)} / {spool.parent} rw,nosuid shared:7 - {fs_type} {fs_type} rw,size=50331648k\n"
    )
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(f"MemTotal:       24683520 kB\nMemFree:        1000000 kB\nMemAvailable:   {available // 1024} kB\n")
    # raising=False: the base code has no such readings, and must fail the assertions, not the setup.
    monkeypatch.setattr(frame_spool, "MOUNTINFO", str(mountinfo), raising=False)
    monkeypatch.setattr(frame_spool, "MEMINFO", str(meminfo), raising=False)


def test_on_tmpfs_the_payload_must_fit_in_available_memory(spool, tmp_path, monkeypatch):
    """tmpfs reports free space up to its size limit, which can exceed the memory left."""
    payload = b"x" * 1024 * 1024
    margin = getattr(frame_spool, "MEMORY_MARGIN_BYTES", 256 * 1024**2)
    fake_proc(tmp_path, monkeypatch, spool, "tmpfs", len(payload) + margin - 1024)
    assert frame_spool.write_payload(payload) is None, "a tmpfs with free space but too little available memory is used"
    fake_proc(tmp_path, monkeypatch, spool, "tmpfs", len(payload) + margin)
    assert frame_spool.write_payload(payload) is not None


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_on_tmpfs_a_container_memory_limit_counts_too(spool, tmp_path, monkeypatch, version):
    """MemAvailable is the host's; a cgroup (a container) may allow far less."""
    payload = b"x" * 1024 * 1024
    fake_proc(tmp_path, monkeypatch, spool, "tmpfs", 8 * 1024**3)
    root = tmp_path / "cgroup"
    if version == "v2":
        (tmp_path / "self-cgroup").write_text("0::/box\n")
        folder, names = root / "box", ("memory.max", "memory.current")
    else:
        (tmp_path / "self-cgroup").write_text("5:memory:/box\n4:cpu,cpuacct:/box\n")
        folder, names = root / "memory" / "box", ("memory.limit_in_bytes", "memory.usage_in_bytes")
    folder.mkdir(parents=True)
    monkeypatch.setattr(frame_spool, "CGROUP", str(tmp_path / "self-cgroup"), raising=False)
    monkeypatch.setattr(frame_spool, "CGROUP_ROOT", str(root), raising=False)
    limit = 1024**3
    (folder / names[0]).write_text(f"{limit}\n")
    (folder / names[1]).write_text(f"{limit - len(payload) - frame_spool.MEMORY_MARGIN_BYTES + 1024}\n")
    assert frame_spool.write_payload(payload) is None, "a tmpfs beyond the container's memory limit is used"
    (folder / names[1]).write_text(f"{limit - len(payload) - frame_spool.MEMORY_MARGIN_BYTES}\n")
    assert frame_spool.write_payload(payload) is not None
    (folder / names[0]).write_text("max\n" if version == "v2" else f"{2**63 - 4096}\n")  # no limit
    assert frame_spool.write_payload(payload) is not None


def test_memory_is_not_asked_of_a_disk_backed_spool(spool, tmp_path, monkeypatch):
    fake_proc(tmp_path, monkeypatch, spool, "ext4", 0)
    assert frame_spool.write_payload(b"x") is not None


def test_the_filesystem_type_is_read_from_mountinfo():
    """The parsing against the real /proc: the root filesystem is found."""
    assert frame_spool._filesystem_type(os.stat("/").st_dev) not in (None, "")
    assert frame_spool._available_memory() > 0


def bins(spool):
    return sorted(p.name for p in spool.iterdir() if p.name.endswith(".bin"))


def test_two_pages_share_one_file_removed_when_the_last_one_is_done(anim, spool):
    """Two tabs on one kernel: one spool file; it stays until both are done with it."""
    page(anim, {"type": "request-frames", "have": None, "http": True, "failed_offer": None, "page": "tab-a"})
    page(anim, {"type": "request-frames", "have": None, "http": True, "failed_offer": None, "page": "tab-b"})
    a, b = anim.sent
    assert a["type"] == b["type"] == "frames-offer"
    assert a["token"] == b["token"], "each page got its own spool file"
    assert bins(spool) == [f"{a['token']}.bin"]
    page(anim, {"type": "frames-received", "token": a["token"], "page": "tab-a"})
    assert bins(spool) == [f"{a['token']}.bin"], "the file went while the second tab still fetches it"
    # The second tab could not fetch it and takes the comm route: then nobody needs the file.
    page(anim, {"type": "request-frames", "have": None, "http": False, "failed_offer": a["token"], "page": "tab-b"})
    assert anim.sent[2]["type"] == "frames-begin"
    assert bins(spool) == []


def test_unacknowledged_requests_leave_one_file(anim, spool):
    for i in range(30):
        page(anim, {"type": "request-frames", "have": None, "http": True, "failed_offer": None, "page": f"tab-{i}"})
    assert len(bins(spool)) == 1, f"30 unacknowledged requests left {len(bins(spool))} spool files"
    assert len({m["token"] for m in anim.sent}) == 1


def test_a_file_the_server_swept_is_written_again(anim, spool):
    page(anim, {"type": "request-frames", "have": None, "http": True, "failed_offer": None, "page": "tab-a"})
    first = anim.sent[0]["token"]
    (spool / f"{first}.bin").unlink()  # the server swept it: tab-a went away without a word
    page(anim, {"type": "request-frames", "have": None, "http": True, "failed_offer": None, "page": "tab-b"})
    second = anim.sent[1]
    assert second["type"] == "frames-offer"
    assert bins(spool) == [f"{second['token']}.bin"], "the second tab was offered a file that is gone"
    assert unpack_frames(second["header"], (spool / f"{second['token']}.bin").read_bytes())[2].positions[0, 0] == 2


def test_offering_a_file_again_restarts_the_servers_clock(anim, spool):
    page(anim, {"type": "request-frames", "have": None, "http": True, "failed_offer": None, "page": "tab-a"})
    path = spool / f"{anim.sent[0]['token']}.bin"
    os.utime(path, (1e9, 1e9))  # long ago, as the server's sweep sees it
    page(anim, {"type": "request-frames", "have": None, "http": True, "failed_offer": None, "page": "tab-b"})
    assert path.stat().st_mtime > 1e9 + 3600


OTHER_USER = "cloudreel-other"
#: The other user's side, in perl (the .venv's python may live under /root, which
#: that user cannot reach): it swaps our spool folder and its own, atomically
#: (renameat2 RENAME_EXCHANGE), back and forth until told to stop.
RACER = r"""
require "syscall.ph";
chdir $ARGV[0] or die "chdir: $!";
mkdir "decoy" or die "mkdir: $!";
chmod 0777, "decoy";
open(my $ready, ">", "ready") or die; close $ready;
my ($ours, $theirs) = ("spool", "decoy");
until (-e "stop") {
  for (1..2) { syscall(&SYS_renameat2, -100, $ours, -100, $theirs, 2) == 0 or die "renameat2: $!"; }
  for (1..300) {}  # ours stays in place a while: most writes pass the old check, then some hit the swap
}
"""


def as_other_user(argv):
    """Popen arguments running ``argv`` as the unprivileged test user (see .ci/install)."""
    try:
        pwd.getpwnam(OTHER_USER)
    except KeyError:
        pytest.fail(f"the user {OTHER_USER} does not exist: run `bash .ci/install` (it adds it) before the tests")
    if os.geteuid() == 0:
        return {"args": argv, "user": OTHER_USER}
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "-u", OTHER_USER, "true"], capture_output=True).returncode == 0:
        return {"args": ["sudo", "-n", "-u", OTHER_USER, *argv]}
    pytest.fail(f"this test runs a process as {OTHER_USER}: run it as root or with passwordless sudo (as `bash .ci/install && npm test` in CI)")


def test_another_user_who_controls_the_parent_folder_gets_none_of_our_files(monkeypatch):
    """CLOUDREEL_SPOOL_DIR inside a folder another user can write: that user swaps our
    folder for theirs while we write. Not one file may land in theirs."""
    parent = Path(tempfile.mkdtemp(prefix="cloudreel-race-"))  # not under pytest's 0700 folder
    try:
        parent.chmod(0o777)  # the other user controls it (and could rename anything in it)
        spool = parent / "spool"
        spool.mkdir(mode=0o700)
        monkeypatch.setenv(frame_spool.SPOOL_ENV, str(spool))
        tokens = [frame_spool.write_payload(b"x")]  # the kernel starts before the race
        racer = subprocess.Popen(**as_other_user(["perl", "-e", RACER, str(parent)]), stderr=subprocess.PIPE)
        try:
            for _ in range(200):
                if (parent / "ready").exists() or racer.poll() is not None:
                    break
                time.sleep(0.05)
            if not (parent / "ready").exists():
                why = racer.stderr.read().decode().strip() if racer.poll() is not None else "no sign of it after 10 s"
                pytest.fail(f"the racing process did not start ({why}): run `bash .ci/install`")
            tokens += [frame_spool.write_payload(b"x") for _ in range(3000)]
        finally:
            (parent / "stop").touch()
            racer.wait(10)
        assert racer.returncode == 0, f"the racing process failed: {racer.stderr.read().decode()}"
        # The race stopped at a random moment: tell the two folders apart by owner.
        other_uid = pwd.getpwnam(OTHER_USER).pw_uid
        [theirs] = [p for p in (parent / "spool", parent / "decoy") if p.stat().st_uid == other_uid]
        [ours] = [p for p in (parent / "spool", parent / "decoy") if p != theirs]
        written = [t for t in tokens if t is not None]
        landed = bins(theirs)
        assert landed == [], f"{len(landed)} of {len(written)} writes landed in the other user's folder"
        assert bins(ours) == sorted(f"{t}.bin" for t in written)
        assert len(written) == len(tokens), "a write failed though the folder held open is ours"
        for token in written:
            frame_spool.remove(token)
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def test_the_server_sweeps_after_the_documented_times(tmp_path):
    """In-process, on a fake clock: 600 s after the write for a file never fetched,
    60 s after the last GET (or the kernel's last offer, if later) for one fetched."""
    from cloudreel.spool_keeper import CloudreelSpool

    keeper = CloudreelSpool()
    keeper.start(parent=str(tmp_path))
    try:
        folder = Path(keeper.path)
        now = time.time()
        never, fetched = "a" * 32, "b" * 32
        for token in (never, fetched):
            (folder / f"{token}.bin").write_bytes(b"x")
            os.utime(folder / f"{token}.bin", (now, now))
        with keeper.reading(fetched):
            assert keeper.sweep(now + 3600) == [never], "a file being read was swept"
        got = time.time()
        assert keeper.sweep(got + 59) == []
        os.utime(folder / f"{fetched}.bin", (got + 30, got + 30))  # offered again to another page
        assert keeper.sweep(got + 61) == []
        assert keeper.sweep(got + 91) == [fetched]
        (folder / f"{never}.bin").write_bytes(b"x")
        os.utime(folder / f"{never}.bin", (now, now))
        assert keeper.sweep(now + 599) == [] and keeper.sweep(now + 600) == [never]
        assert sorted(os.listdir(folder)) == ["server.lock"]
    finally:
        keeper.stop()
    assert not Path(keeper.path).exists()
