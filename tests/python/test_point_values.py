"""values=, categories=, bounds, vmin/vmax, colormap and palette on the kernel side:
normalize_frames, the Animation's traits (synced to the page), the wire round trip,
and the LAS palette (equal to tests/cases/las-palette.json, as src/core/palette.ts is)."""

import json
from pathlib import Path

import numpy as np
import pytest
from traitlets import TraitError

import cloudreel
from cloudreel.frames import normalize_frames
from cloudreel.wire import pack_frames, unpack_frames
from cloudreel.palette import FALLBACK_COLORS, LAS_CLASSES, check_palette, class_color, legend

ROOT = Path(__file__).parents[2]


def pts(n, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 3))


# --- normalize_frames ----------------------------------------------------------

def test_values_and_categories_as_lists_arrays_or_in_the_dicts():
    stacked = normalize_frames(np.stack([pts(4), pts(4, 1)]), values=np.arange(8.0).reshape(2, 4))
    assert [f.values.tolist() for f in stacked] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert all(f.values.dtype == np.dtype("<f4") and f.categories is None for f in stacked)

    listed = normalize_frames([pts(3), pts(2), pts(1)], categories=[[2, 6, 9], None, np.array([18], np.int64)])
    assert listed[0].categories.tolist() == [2, 6, 9] and listed[0].categories.dtype == np.uint8
    assert listed[1].categories is None and listed[2].categories.tolist() == [18]

    dicts = normalize_frames([{"points": pts(2), "values": [0.5, -1]}, {"points": pts(2), "categories": np.array([1.0, 2.0])}])
    assert dicts[0].values.tolist() == [0.5, -1] and dicts[1].categories.tolist() == [1, 2]


def test_uint8_categories_and_float32_values_are_not_copied():
    values = np.arange(5, dtype="<f4")
    codes = np.arange(5, dtype=np.uint8)
    a, b = normalize_frames([pts(5), pts(5)], values=[values, None], categories=[None, codes])
    assert np.shares_memory(a.values, values) and np.shares_memory(b.categories, codes)


@pytest.mark.parametrize("kwargs, message", [
    ({"values": [np.zeros(1200), np.zeros(1199)]}, "frames[1]: values must have 1200 entries to match 1200 points, got 1199"),
    ({"values": np.zeros((3, 1200))}, "values= must have one entry per frame (2 frames, got 3 values)"),
    ({"values": np.zeros((2, 1200, 1))}, "values= must be a list of (N,) arrays or one (F, N) array, got shape (2, 1200, 1)"),
    ({"values": "x"}, "values= must be a list with an (N,) array or None per frame, or one (F, N) array, got str"),
    ({"values": [None, np.full(1200, np.nan)]}, "frames[1]: values must be finite, got nan at point 0"),
    ({"values": [None, [True] * 1200]}, "frames[1]: values must be numbers, got a bool array"),
    ({"categories": [None, np.full(1200, 256)]}, "frames[1]: categories must be whole numbers from 0 to 255 (class codes), got 256 at point 0"),
    ({"categories": [None, np.full(1200, 6.0)], "values": [None, np.zeros(1200)]},
     "frames[1]: got both values and categories: give one of colors, values or categories per frame"),
    ({"colors": [None, np.zeros((1200, 3))], "values": [None, np.zeros(1200)]}, "frames[1]: got both colors and values"),
])
def test_bad_values_and_categories_name_the_frame(kwargs, message):
    with pytest.raises((ValueError, TypeError)) as info:
        normalize_frames([pts(1200), pts(1200, 1)], **kwargs)
    assert message in str(info.value)


def test_values_given_twice_or_under_a_typo_are_refused():
    with pytest.raises(ValueError, match=r"frames\[0\]: values given both in the dict and in values="):
        normalize_frames([{"points": pts(2), "values": [1, 2]}], values=[[1, 2]])
    with pytest.raises(ValueError, match=r"frames\[0\]: unknown keys \['value'\]"):
        normalize_frames([{"points": pts(2), "value": [1, 2]}])


# --- the wire --------------------------------------------------------------------

def test_values_and_categories_round_trip_over_the_wire_4_byte_aligned():
    frames = normalize_frames([pts(3), pts(5), pts(0), pts(2), pts(1)],
                              colors=[None, None, None, None, np.array([[1, 2, 3]], np.uint8)],
                              values=[np.array([0.25, 1e-3, -7]), None, [], None, None],
                              categories=[None, [0, 2, 6, 18, 255], None, [9, 9], None])
    header, payload = pack_frames(frames)
    assert header["frames"] == [
        {"points": 3, "colors": False, "values": True},
        {"points": 5, "colors": False, "categories": True},
        {"points": 0, "colors": False, "values": True},
        {"points": 2, "colors": False, "categories": True},
        {"points": 1, "colors": True},
    ]
    # positions, values (3 x 4), categories padded to 8, ..., colours padded to 4
    assert len(payload) == 36 + 12 + 60 + 8 + 0 + 24 + 4 + 12 + 4 == header["total_bytes"]
    back = unpack_frames(json.loads(json.dumps(header)), payload)
    for got, want in zip(back, frames):
        for name in ("positions", "colors", "values", "categories"):
            g, w = getattr(got, name), getattr(want, name)
            assert (g is None) == (w is None), name
            if w is not None:
                assert g.dtype == w.dtype and g.tobytes() == w.tobytes()


def test_the_kernel_refuses_a_damaged_header_or_padding():
    header, payload = pack_frames(normalize_frames([pts(1)], categories=[[6]]))
    bad = bytearray(payload)
    bad[13] = 1
    with pytest.raises(ValueError, match=r"frames\[0\]: category padding holds non-zero bytes"):
        unpack_frames(header, bytes(bad))
    with pytest.raises(ValueError, match="'values' and 'categories': bool"):
        unpack_frames({**header, "frames": [{**header["frames"][0], "values": 1}]}, payload)


# --- the Animation's options -----------------------------------------------------

def test_the_options_are_synced_traits_and_values_reach_the_header(anim):
    a = cloudreel.Animation([pts(3), pts(3, 1)], values=[[1, 2, 3], [4, 5, 6]], vmin=0, vmax=10, colormap="magma",
                            bounds=np.array([[-1, -2, -3], [1, 2, 3]]), palette={2: (255, 0, 0), "6": "#00FF00"})
    state = a.get_state()
    assert state["vmin"] == 0 and state["vmax"] == 10 and state["colormap"] == "magma"
    assert state["bounds"] == [[-1, -2, -3], [1, 2, 3]]
    assert state["palette"] == {"2": "#ff0000", "6": "#00ff00"}
    assert {"bounds", "vmin", "vmax", "colormap", "palette"} <= set(a.keys)
    assert [f["values"] for f in a._header["frames"]] == [True, True]
    # set_frames takes them too; None everywhere is the default.
    anim.set_frames([pts(2)], categories=[[2, 6]])
    assert anim._header["frames"] == [{"points": 2, "colors": False, "categories": True}]
    assert (anim.vmin, anim.vmax, anim.bounds, anim.palette, anim.colormap) == (None, None, None, None, "viridis")


@pytest.mark.parametrize("kwargs, message", [
    ({"vmin": 5, "vmax": 2}, "vmin must not exceed vmax, got vmin 5 > vmax 2"),
    ({"vmax": float("inf")}, "vmax must be a finite number, got inf"),
    ({"bounds": ((0, 0, 0), (1, 1))}, "bounds must be ((xmin, ymin, zmin), (xmax, ymax, zmax)), got"),
    ({"bounds": ((0, 0, 0), (1, float("nan"), 1))}, "bounds must be finite numbers, got nan for ymax"),
    ({"bounds": ((0, 3, 0), (1, 2, 1))}, "bounds must have min <= max on each axis, got ymin 3 > ymax 2"),
    ({"palette": {2: "brown"}}, "palette[2] must be \"#rrggbb\" or [r, g, b] with integers 0..255, got 'brown'"),
    ({"palette": {-1: "#000000"}}, "palette keys must be class codes from 0 to 255, got -1"),
    ({"palette": [1, 2]}, "The 'palette' trait of an Animation instance expected a dict or None"),
    ({"colormap": "rainbow"}, "colormap must be one of viridis, plasma, inferno, magma, jet, got 'rainbow'"),
])
def test_bad_options_are_refused_with_the_page_words(kwargs, message):
    with pytest.raises((ValueError, TraitError)) as info:
        cloudreel.Animation([pts(2)], **kwargs)
    assert message in str(info.value)


def test_vmin_and_vmax_are_checked_together_and_a_refused_change_keeps_the_old_value(anim):
    anim.vmax = 1
    with pytest.raises(TraitError, match="vmin must not exceed vmax, got vmin 2 > vmax 1"):
        anim.vmin = 2
    assert anim.vmin is None
    anim.vmin = anim.vmax = 1  # equal: a threshold
    with anim.hold_trait_notifications():  # both at once: checked at the end
        anim.vmax, anim.vmin = 20, 10
    assert (anim.vmin, anim.vmax) == (10, 20)


# --- the palette -------------------------------------------------------------------

def test_the_palette_is_the_shared_table():
    table = json.loads((ROOT / "tests" / "cases" / "las-palette.json").read_text())
    assert [{"code": c, "name": n, "color": col} for c, (n, col) in LAS_CLASSES.items()] == table["classes"]
    assert list(FALLBACK_COLORS) == table["fallback"]


def test_legend_and_overrides():
    assert legend([6, 2, 2, 12], palette={6: (255, 0, 0)}) == [
        (2, "Ground", "#a0522d"), (6, "Building", "#ff0000"), (12, "Class 12", FALLBACK_COLORS[2])]
    assert class_color(9) == "#1e90ff" and class_color(9, {9: "#000000"}) == "#000000"
    assert check_palette(None) is None
