"""Hatch build hook: puts the runner page's files from dist/ (`npm run build`) into the wheel
(cloudreel/headless/runner/) and the sdist (dist/, so a wheel built from the sdist has them too),
and fails the build when the ffmpeg.wasm core shipped in the labextension is not the one its
ffmpeg-core-SOURCE.txt names (scripts/check_ffmpeg_core.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LABEXTENSION_STATIC = "python/cloudreel/labextension/static"


def _load(root: Path, relative: str, name: str):
    """A stdlib-only module of this project, by path (cloudreel's own __init__ needs its dependencies)."""
    spec = importlib.util.spec_from_file_location(name, root / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class RunnerFilesHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        packaged = _load(root, "python/cloudreel/headless/runner_dist.py", "_cloudreel_runner_dist").PACKAGED
        check = _load(root, "scripts/check_ffmpeg_core.py", "_cloudreel_check_ffmpeg_core")
        problems = check.folder_problems(root / LABEXTENSION_STATIC)
        if problems:
            raise RuntimeError(f"cannot build cloudreel's {self.target_name}: " + "; ".join(problems))
        if version == "editable":
            return  # an editable install runs from the checkout, whose dist/ runner_dist.py finds
        dist = root / "dist"
        missing = [name for name in packaged if not (dist / name).is_file()]
        if missing:
            raise RuntimeError(f"cannot build cloudreel's {self.target_name}: {', '.join(missing)} missing from {dist} "
                               "(the runner page of cloudreel.export()): run `npm run build` first")
        into = "cloudreel/headless/runner" if self.target_name == "wheel" else "dist"
        for name in packaged:
            build_data["force_include"][str(dist / name)] = f"{into}/{name}"
