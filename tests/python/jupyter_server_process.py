"""A real `jupyter server` from the project's .venv on 127.0.0.1 (token auth),
running the in-tree cloudreel extension, for the frames-route tests."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JUPYTER = ROOT / ".venv" / "bin" / "jupyter"
HERE = Path(__file__).resolve().parent
#: Only the extension under test: JupyterLab's own extensions only slow the start.
EXTENSIONS = {"cloudreel": True, "jupyterlab": False, "notebook": False, "jupyter_lsp": False, "jupyter_server_terminals": False, "notebook_shim": False}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterServer:
    def __init__(self, *options: str) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="cloudreel-server-test-"))
        (self.root / "config").mkdir()
        (self.root / "config" / "jupyter_server_config.json").write_text(json.dumps({"ServerApp": {"jpserver_extensions": EXTENSIONS}}))
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.log_path = self.root / "server.log"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "python"), str(HERE)]),  # the in-tree package, not the installed wheel
            "JUPYTER_CONFIG_DIR": str(self.root / "config"),
            "JUPYTER_RUNTIME_DIR": str(self.root / "runtime"),
            "JUPYTER_PLATFORM_DIRS": "1",
        }
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [str(JUPYTER), "server", "--no-browser", f"--port={self.port}", "--ServerApp.ip=127.0.0.1",
                 f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}", "--ServerApp.allow_root=True", *options],
                cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if self.request("GET", "api/status", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"jupyter server did not answer in 60 s:\n{self.log()}")
            time.sleep(0.1)
        m = re.search(r"cloudreel: serving kernel frames over HTTP from (\S+)", self.log())
        assert m, f"the cloudreel extension did not load:\n{self.log()}"
        self.spool = Path(m[1])

    @property
    def pid(self) -> int:
        return self.proc.pid  # `jupyter server` execs jupyter-server in the same process

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def connection(self, timeout: float = 30) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def headers(self) -> dict:
        return {"Authorization": f"token {self.token}"}

    def request(self, method: str, path: str, timeout: float = 30, auth: bool = True) -> tuple[int, dict, bytes]:
        conn = self.connection(timeout)
        try:
            conn.request(method, f"/{path}", headers=self.headers() if auth else {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def frames(self, method: str, token: str, **kw) -> tuple[int, dict, bytes]:
        return self.request(method, f"cloudreel/frames/{token}", **kw)

    def memory(self, field: str = "VmRSS") -> int:
        """Bytes from /proc/<pid>/status (VmRSS now, VmHWM the peak)."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M)[1]) * 1024

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        shutil.rmtree(self.root, ignore_errors=True)
