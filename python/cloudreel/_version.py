"""The package's version, read from package.json, the one version source: in a source checkout
(python/cloudreel/ beside package.json) from that file, else from the installed distribution's
metadata, which the wheel's build took from package.json (hatch-nodejs-version)."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["MODULE_VERSION", "__version__"]


def _read_version() -> str:
    package_json = Path(__file__).resolve().parents[2] / "package.json"
    if package_json.is_file():
        package = json.loads(package_json.read_text(encoding="utf-8"))
        if package.get("name") == "cloudreel":
            return package["version"]
    from importlib.metadata import version  # only here: importing it costs about 30 ms

    return version("cloudreel")


__version__ = _read_version()
#: The front-end module version the widget model asks for: package.json's, as src/widget/version.ts registers it.
MODULE_VERSION = f"^{__version__}"
