"""Running notebooks as CI and docs builds do (nbconvert --execute, papermill) with this checkout's package, and reading their videos back."""

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
KERNEL = "cloudreel-test"


def write_notebook(path: Path, *cells: str) -> Path:
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), path)
    return path


def notebook_env(folder: Path, **extra) -> dict:
    """The environment to run notebooks in ``folder`` with: a kernel spec KERNEL on this Python, importing the
    checkout's package first; ``extra`` adds variables (a None value removes one)."""
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "test", "language": "python"}))
    env = {**os.environ, "JUPYTER_PATH": str(folder), "PYTHONPATH": str(ROOT / "python")}
    env.pop("JPY_SESSION_NAME", None)
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_notebook(tool: str, folder: Path, name: str, env: dict, timeout: float = 240) -> subprocess.CompletedProcess:
    """Executes ``folder/name`` with ``tool`` ("nbconvert" or "papermill") into ``<stem>-done.ipynb`` beside it."""
    done = f"{Path(name).stem}-done.ipynb"
    if tool == "nbconvert":
        command = ["-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", name, "--output", done,
                   f"--ExecutePreprocessor.kernel_name={KERNEL}"]
    elif tool == "papermill":
        command = ["-m", "papermill", name, done, "-k", KERNEL, "--cwd", str(folder)]
    else:
        raise ValueError(tool)
    return subprocess.run([sys.executable, *command], cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)


def plain(text: str) -> str:
    """``text`` without the terminal colours IPython puts in tracebacks."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def to_html(folder: Path, name: str, env: dict) -> str:
    """``jupyter nbconvert --to html`` of ``folder/name``, as text."""
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", name], cwd=folder, env=env,
                   capture_output=True, text=True, timeout=120, check=True)
    return (folder / name).with_suffix(".html").read_text()


def inline_videos(html: str) -> list:
    """The (MIME type, bytes) of every <video> source inlined as a data: URL in ``html``."""
    sources = re.findall(r'<video[^>]*>\s*<source src="data:([\w/]+);base64,([A-Za-z0-9+/=]+)"', html)
    return [(mime, base64.b64decode(data)) for mime, data in sources]


def decoded_frames(video, width: int, height: int) -> np.ndarray:
    """Every frame of ``video`` (a path or the file's bytes) decoded by ffmpeg to RGB, shape (frames, height, width, 3)."""
    source, data = (str(video), None) if isinstance(video, Path) else ("pipe:0", bytes(video))
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", source, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         input=data, capture_output=True, timeout=60, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)
