"""cloudreel: point-cloud animations to video in JupyterLab."""

from ._version import __version__
from .batch import ExportJob, JobFailed, Skipped, export_many
from .headless.export import ExportError, ExportResult, export
from .lazy_frames import LazyFrames

__all__ = ["Animation", "ExportError", "ExportJob", "ExportResult", "JobFailed", "LazyFrames", "Skipped", "__version__",
           "export", "export_many"]


def __getattr__(name):
    # The widget (ipywidgets, IPython) loads on first use: `cloudreel render` and export() start without it.
    if name == "Animation":
        from .widget import Animation

        return Animation
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _jupyter_server_extension_points():
    # The HTTP route for frames (cloudreel.server); enabled by the config file
    # the wheel installs in etc/jupyter/jupyter_server_config.d.
    return [{"module": "cloudreel.server"}]


def _jupyter_labextension_paths():
    # Found by JupyterLab when the package is installed in develop mode.
    return [{"src": "labextension", "dest": "cloudreel"}]
