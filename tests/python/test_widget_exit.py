"""A save() or embed() still waiting when the kernel exits is named on stderr (papermill started from a
JupyterLab cell inherits JPY_SESSION_NAME, waits for a page that never comes, and used to exit 0 in silence)."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]


def test_a_pending_save_and_embed_are_named_when_the_kernel_exits(tmp_path):
    # A kernel on this Python with the checkout's package, whatever python3 kernel the machine has.
    spec = tmp_path / "kernels" / "cloudreel-exit"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "test", "language": "python"}))
    cell = (
        f"import sys; sys.path.insert(0, {str(ROOT / 'python')!r})\n"
        "import numpy as np, cloudreel\n"
        "anim = cloudreel.Animation([np.zeros((3, 3))])\n"
        "anim.save('never.mp4')\n"
        "anim.embed()\n"
        "print(anim.save_status)"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    nbformat.write(nb, tmp_path / "run.ipynb")
    env = {**__import__("os").environ, "JUPYTER_PATH": str(tmp_path), "JPY_SESSION_NAME": "inherited-from-a-lab-cell"}
    out = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "run.ipynb", "--output", "done.ipynb",
         "--ExecutePreprocessor.kernel_name=cloudreel-exit"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert not (tmp_path / "never.mp4").exists()
    assert f"cloudreel: anim.save() never wrote {tmp_path / 'never.mp4'}: the kernel exited before a page sent the video" in out.stderr
    assert "cloudreel: anim.embed() never showed its video: the kernel exited" in out.stderr
