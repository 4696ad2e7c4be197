"""A save() or embed() still waiting when the kernel exits is named on stderr (papermill started from a
JupyterLab cell inherits JPY_SESSION_NAME; with no browser for a headless export, the save waits for a page
that never comes, and used to exit 0 in silence)."""

from notebooks import notebook_env, run_notebook, write_notebook


def test_a_pending_save_and_embed_are_named_when_the_kernel_exits(tmp_path):
    write_notebook(tmp_path / "run.ipynb", (
        "import numpy as np, cloudreel\n"
        "anim = cloudreel.Animation([np.zeros((3, 3))])\n"
        "anim.save('never.mp4')\n"
        "anim.embed()\n"
        "print(anim.save_status)"
    ))
    env = notebook_env(tmp_path, JPY_SESSION_NAME="inherited-from-a-lab-cell", CLOUDREEL_BROWSER=str(tmp_path / "no-browser"))
    out = run_notebook("nbconvert", tmp_path, "run.ipynb", env)
    assert out.returncode == 0, out.stderr
    assert not (tmp_path / "never.mp4").exists()
    assert f"cloudreel: anim.save() never wrote {tmp_path / 'never.mp4'}: the kernel exited before a page sent the video" in out.stderr
    assert "cloudreel: anim.embed() never showed its video: the kernel exited" in out.stderr
