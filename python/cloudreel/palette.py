"""The category palette: a named colour per ASPRS LAS classification code (for a legend),
a fallback cycle for the other codes, and checking a user's ``{class: colour}`` map.

src/core/palette.ts holds the same table (the page colours with it);
tests/cases/las-palette.json keeps the two equal.
"""

from __future__ import annotations

import re
from numbers import Integral
from typing import Any, Iterable, Optional

__all__ = ["FALLBACK_COLORS", "LAS_CLASSES", "check_palette", "class_color", "legend"]

#: code -> (name, "#rrggbb"): ASPRS LAS 1.4 classes, distinct colours that stay visible on black.
LAS_CLASSES: dict[int, tuple[str, str]] = {
    0: ("Created, never classified", "#808080"),
    1: ("Unclassified", "#c8c8c8"),
    2: ("Ground", "#a0522d"),
    3: ("Low vegetation", "#b5e61d"),
    4: ("Medium vegetation", "#4cbb17"),
    5: ("High vegetation", "#228b22"),
    6: ("Building", "#e8403a"),
    7: ("Low point (noise)", "#ff00ff"),
    9: ("Water", "#1e90ff"),
    10: ("Rail", "#ff8c00"),
    11: ("Road surface", "#d2b48c"),
    13: ("Wire - guard (shield)", "#fff68f"),
    14: ("Wire - conductor (phase)", "#ffff00"),
    15: ("Transmission tower", "#00ffff"),
    16: ("Wire-structure connector (insulator)", "#7fffd4"),
    17: ("Bridge deck", "#9370db"),
    18: ("High noise", "#ff69b4"),
}
#: Codes without a named colour (8, 12, 19..255) take FALLBACK_COLORS[code % len].
FALLBACK_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#7f7f7f")

_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def _byte(v: Any) -> bool:
    return isinstance(v, Integral) and not isinstance(v, bool) and 0 <= v <= 255


def check_palette(palette: Any) -> Optional[dict[str, str]]:
    """``{class: colour}`` (class 0..255; colour "#rrggbb" or (r, g, b) with integers 0..255)
    as ``{"<class>": "#rrggbb"}`` (JSON keys are strings), or None; ValueError naming the entry."""
    if palette is None:
        return None
    if not isinstance(palette, dict):
        raise ValueError(f"palette must map class codes to colours, e.g. {{2: '#a0522d'}}, got {palette!r}")
    out = {}
    for key, colour in palette.items():
        code = int(key) if isinstance(key, str) and key.isdigit() else key
        if not _byte(code):
            raise ValueError(f"palette keys must be class codes from 0 to 255, got {key!r}")
        if isinstance(colour, str) and _HEX.fullmatch(colour):
            text = colour.lower()
        elif isinstance(colour, (tuple, list)) and len(colour) == 3 and all(_byte(v) for v in colour):
            text = "#" + "".join(f"{int(v):02x}" for v in colour)
        else:
            raise ValueError(f"palette[{int(code)}] must be \"#rrggbb\" or [r, g, b] with integers 0..255, got {colour!r}")
        out[str(int(code))] = text
    return out


def class_color(code: int, palette: Optional[dict] = None) -> str:
    """The colour of class ``code`` as "#rrggbb": the user's, else the LAS one, else the fallback cycle's."""
    own = (check_palette(palette) or {}).get(str(code))
    if own:
        return own
    named = LAS_CLASSES.get(code)
    return named[1] if named else FALLBACK_COLORS[code % len(FALLBACK_COLORS)]


def legend(codes: Iterable[int], palette: Optional[dict] = None) -> list[tuple[int, str, str]]:
    """``(code, name, "#rrggbb")`` for each distinct code, sorted: what a legend needs."""
    rows = []
    for code in sorted({int(c) for c in codes}):
        name = LAS_CLASSES[code][0] if code in LAS_CLASSES else f"Class {code}"
        rows.append((code, name, class_color(code, palette)))
    return rows
