"""Progress where the user is: a tqdm bar on a terminal, a line per phase elsewhere, nothing with progress=False."""

import io

from cloudreel.headless.progress import ProgressReport

STATUSES = [
    ("init", 0.0, "Initializing export..."),
    ("prepare", 0.01, "Preparing to render 3 frames..."),
    ("encode", 0.01, "Trying H.264 MP4 (WebCodecs)..."),
    ("render", 0.31, "Rendering frame 1/3 (33%)"),
    ("render", 0.6, "Rendering frame 2/3 (67%)"),
    ("render", 0.9, "Rendering frame 3/3 (100%)"),
    ("encode", 0.9, "Encoding video..."),
    ("done", 1.0, "Video ready! (0.1 MB)"),
]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_elsewhere_one_line_per_phase_and_the_last_status():
    out = io.StringIO()
    report = ProgressReport(out)
    for status in STATUSES:
        report(*status)
    report.close()
    assert out.getvalue().splitlines() == [
        "cloudreel: Initializing export...",
        "cloudreel: Preparing to render 3 frames...",
        "cloudreel: Trying H.264 MP4 (WebCodecs)...",
        "cloudreel: Rendering frame 1/3 (33%)",
        "cloudreel: Encoding video...",
        "cloudreel: Video ready! (0.1 MB)",
    ]


def test_an_export_stopped_mid_phase_says_where_once():
    out = io.StringIO()
    report = ProgressReport(out)
    for status in STATUSES[:5]:
        report(*status)
    report.close()
    report.close()
    assert out.getvalue().splitlines()[-2:] == ["cloudreel: Rendering frame 1/3 (33%)", "cloudreel: Rendering frame 2/3 (67%)"]


def test_on_a_terminal_a_bar_carrying_the_status_texts():
    out = Terminal()
    report = ProgressReport(out)
    for status in STATUSES:
        report(*status)
    report.close()
    text = out.getvalue()
    # tqdm redraws at most every 0.1 s: the last status and the full bar are always drawn.
    assert "Video ready! (0.1 MB) |##########| 100%" in text
    assert "cloudreel: " not in text  # the bar, not lines
