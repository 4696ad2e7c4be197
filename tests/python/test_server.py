"""The frames route against real `jupyter server` processes on 127.0.0.1: what it
serves, how it streams, who may read, and how spool files and folders end."""

import hashlib
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from jupyter_server_process import JupyterServer

MiB = 1024**2


@pytest.fixture(scope="module")
def server():
    s = JupyterServer()
    yield s
    s.close()


@pytest.fixture(scope="module")
def swept():
    """A server that sweeps often, with short timeouts."""
    s = JupyterServer("--CloudreelSpool.seconds_after_get=1", "--CloudreelSpool.seconds_unfetched=2", "--CloudreelSpool.sweep_interval=0.2")
    yield s
    s.close()


def put(server, data) -> str:
    """A spool file, as a kernel writes it; returns its token."""
    token = secrets.token_hex(16)
    (server.spool / f"{token}.bin").write_bytes(data)
    return token


def errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("[E ") or "Traceback" in line]


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# --- 6: only regular files, never blocking, quiet on disconnects, HEAD ---


def test_a_link_at_a_token_name_is_not_followed(server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not frames")
    token = secrets.token_hex(16)
    (server.spool / f"{token}.bin").symlink_to(secret)
    status, _, body = server.frames("GET", token)
    assert status == 404, f"a link was followed: {status} {body[:40]!r}"


def test_a_fifo_at_a_token_name_is_a_404_and_the_server_keeps_answering(server):
    token = secrets.token_hex(16)
    fifo = server.spool / f"{token}.bin"
    os.mkfifo(fifo, 0o600)
    try:
        status = server.frames("GET", token, timeout=5)[0]
    except TimeoutError:
        pytest.fail("a GET of a FIFO got no answer in 5 s: the server hangs on it")
    finally:
        try:  # a server stuck opening the FIFO gets a writer, then EOF, and runs on
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
    assert status == 404
    assert server.request("GET", "api/status", timeout=5)[0] == 200


def test_a_folder_at_a_token_name_is_a_404_without_a_traceback(server):
    mark = len(server.log())
    token = secrets.token_hex(16)
    (server.spool / f"{token}.bin").mkdir()
    status = server.frames("GET", token)[0]
    assert status == 404, f"a folder at a token name: {status}"
    assert errors(server.log()[mark:]) == []


def test_head_answers_the_size_without_a_body(server):
    token = put(server, b"x" * 100_000)
    status, headers, body = server.frames("HEAD", token)
    assert status == 200, f"HEAD: {status}"
    assert (headers["Content-Length"], headers["Content-Type"], body) == ("100000", "application/octet-stream", b"")
    assert server.frames("HEAD", secrets.token_hex(16))[0] == 404
    assert server.frames("HEAD", token, auth=False)[0] == 403


def test_a_reader_that_goes_away_ends_quietly(server):
    """Every page reload drops a GET in the middle: no ERROR, no traceback."""
    token = put(server, bytes(64 * MiB))
    mark = len(server.log())
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(f"GET /cloudreel/frames/{token} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token {server.token}\r\n\r\n".encode())
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        # Closed with most of the body unread: the server's next write fails.
    # A whole GET after them: by its end the server has met the closed connections.
    status, _, body = server.frames("GET", token)
    assert (status, len(body)) == (200, 64 * MiB)
    assert errors(server.log()[mark:]) == []


# --- 7: bounded blocks ---

# Polls api/status from its own process (so the readers' GIL cannot delay it)
# until told to stop on stdin; prints the answer times.
STATUS_POLLER = """
import http.client, json, sys, threading, time
port, token = sys.argv[1], sys.argv[2]
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
times = []
while not stop.is_set():
    t0 = time.monotonic()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
        conn.request("GET", "/api/status", headers={"Authorization": "token " + token})
        ok = conn.getresponse().status == 200
        conn.close()
    except OSError:
        ok = False
    times.append(time.monotonic() - t0 if ok else float("inf"))
    stop.wait(0.1)
print(json.dumps(times))
"""


def test_50_concurrent_reads_of_64_mib_files_stream_in_bounded_memory(server):
    """Limits from the issue: every file arrives intact, the server's RSS grows
    by at most 256 MiB, and api/status answers within 1 s throughout."""
    count, size = 50, 64 * MiB
    body = bytearray(os.urandom(size))
    head = hashlib.sha256(memoryview(body)[:-8])  # files differ in their last 8 bytes
    want = {}
    try:
        for i in range(count):
            body[-8:] = i.to_bytes(8, "little")
            token = secrets.token_hex(16)
            with open(server.spool / f"{token}.bin", "wb") as f:
                f.write(body)
            digest = head.copy()
            digest.update(body[-8:])
            want[token] = digest.hexdigest()
        del body
        baseline = server.memory("VmRSS")
        Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
        poller = subprocess.Popen([sys.executable, "-c", STATUS_POLLER, str(server.port), server.token], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        got, failures, rss = {}, [], []

        def read(token):
            try:
                conn = server.connection(timeout=300)
                conn.request("GET", f"/cloudreel/frames/{token}", headers=server.headers())
                response = conn.getresponse()
                digest = hashlib.sha256()
                while chunk := response.read(MiB):
                    digest.update(chunk)
                got[token] = (response.status, digest.hexdigest())
                conn.close()
            except Exception as e:  # reported below with the others
                failures.append(f"{token}: {e!r}")

        readers = [threading.Thread(target=read, args=(t,)) for t in want]
        started = time.monotonic()
        for r in readers:
            r.start()
        while any(r.is_alive() for r in readers):
            rss.append(server.memory("VmRSS"))
            time.sleep(0.05)
        seconds = time.monotonic() - started
        status_times = json.loads(poller.communicate("", timeout=60)[0])
        peak = max(rss + [server.memory("VmHWM")])
        print(f"50 x 64 MiB in {seconds:.1f} s; RSS {baseline / MiB:.0f} MiB -> peak {peak / MiB:.0f} MiB; api/status max {max(status_times):.3f} s over {len(status_times)} polls")
        assert failures == []
        assert got == {t: (200, h) for t, h in want.items()}, "some files arrived damaged"
        assert peak - baseline <= 256 * MiB, f"the server's RSS grew by {(peak - baseline) / MiB:.0f} MiB (limit 256 MiB)"
        assert status_times and max(status_times) <= 1.0, f"api/status took up to {max(status_times):.2f} s (limit 1 s)"
    finally:
        for token in want:
            (server.spool / f"{token}.bin").unlink(missing_ok=True)


# --- 8: Jupyter's authorizer ---


def test_a_user_who_may_not_run_kernels_cannot_read_frames():
    denied = JupyterServer("--ServerApp.authorizer_class=deny_kernel_execute.DenyKernelExecute")
    try:
        token = put(denied, b"frames of someone's kernel")
        assert denied.request("GET", "api/status")[0] == 200, "the user is logged in and may do the rest"
        status, _, body = denied.frames("GET", token)
        assert status == 403, f"a user who may not execute in kernels read frames: {status} {body[:40]!r}"
        assert denied.frames("HEAD", token)[0] == 403
    finally:
        denied.close()


# --- 9: spool lifetime on the server's side ---


def test_files_no_page_fetches_any_more_are_swept(swept):
    """After their last GET (1 s here) or, never fetched, after their write (2 s
    here); never while a GET is in progress."""
    fetched, unfetched, reading = put(swept, b"f"), put(swept, b"u"), put(swept, bytes(64 * MiB))
    (swept.spool / "notes.txt").write_text("not a spool file")
    assert swept.frames("GET", fetched)[2] == b"f"
    conn = swept.connection()
    conn.request("GET", f"/cloudreel/frames/{reading}", headers=swept.headers())
    response = conn.getresponse()
    first = response.read(MiB)  # a slow page: the rest waits in the server
    gone = lambda t: not (swept.spool / f"{t}.bin").exists()  # noqa: E731
    assert wait_until(lambda: gone(fetched) and gone(unfetched), 20), f"not swept: {sorted(p.name for p in swept.spool.iterdir())}"
    assert not gone(reading), "a file was swept while a page was reading it"
    assert len(first + response.read()) == 64 * MiB
    conn.close()
    assert wait_until(lambda: gone(reading), 20), "not swept after its GET ended"
    assert sorted(p.name for p in swept.spool.iterdir()) == ["notes.txt", "server.lock"]


def test_a_starting_server_removes_the_folders_of_servers_that_are_gone_only(server, swept):
    """Two live servers and one SIGKILLed (which ran no exit handler): a fourth
    server, starting, removes the dead one's folder and leaves the live ones'."""
    live_file = put(server, b"a live server's frames")
    killed = JupyterServer()
    try:
        put(killed, b"left behind")
        killed.kill()
        assert killed.spool.exists()
        fresh = JupyterServer()
        try:
            assert not killed.spool.exists(), "the folder of a server that is gone is left behind"
            assert server.spool.exists() and swept.spool.exists(), "a live server's folder was removed"
            assert (server.spool / f"{live_file}.bin").read_bytes() == b"a live server's frames"
        finally:
            fresh.close()
        assert not fresh.spool.exists(), "a server that exits removes its folder"
    finally:
        killed.close()
        (server.spool / f"{live_file}.bin").unlink(missing_ok=True)
        if killed.spool.exists():
            for p in killed.spool.iterdir():
                p.unlink()
            killed.spool.rmdir()
