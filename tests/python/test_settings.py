"""The kernel's copies of the export settings against tests/cases/settings.json, the table
src/core/settings.ts must equal too (tests/unit/core/settings.test.ts): the fps and size limits,
the colormap names and the Animation defaults, each limit enforced at exactly its value."""

import importlib
import inspect
import json
from pathlib import Path

import pytest

from cloudreel.options import check_background, check_fps, check_point_shape, check_point_size, check_quality, check_side, check_view
from cloudreel.scales import check_colormap
from cloudreel.widget import Animation

TABLE = json.loads((Path(__file__).parents[1] / "cases" / "settings.json").read_text())
SETTINGS = TABLE["settings"]


def setting(path):
    """A value of the table by name, e.g. "MAX_FPS" or "DEFAULTS.fps"."""
    value = SETTINGS
    for key in path.split("."):
        value = value[key]
    return value


def flat_names(settings, prefix=""):
    """Every setting's name, a dict's entries as "NAME.key"."""
    for name, value in settings.items():
        if isinstance(value, dict):
            yield from flat_names(value, f"{prefix}{name}.")
        else:
            yield prefix + name


def python_constant(dotted):
    module, name = dotted.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


CONSTANTS = {name: path for name, path in TABLE["python"].items() if name != "animation"}
ANIMATION = TABLE["python"]["animation"]


def test_every_setting_is_held_by_the_kernel_or_says_why_not():
    held = set(CONSTANTS.values()) | set(ANIMATION.values())
    lacking = set(TABLE["python_lacks"])
    assert not held & lacking, f"both held and said to be lacking: {sorted(held & lacking)}"
    assert held | lacking == set(flat_names(SETTINGS)), "tests/cases/settings.json's 'python' and 'python_lacks' must cover every setting"
    assert all(TABLE["python_lacks"].values()), "each setting the kernel lacks says why"


@pytest.mark.parametrize("dotted", sorted(CONSTANTS))
def test_kernel_constant_equals_the_table(dotted):
    value = python_constant(dotted)
    expected = setting(CONSTANTS[dotted])
    assert (list(value) if isinstance(value, tuple) else value) == expected, f"{dotted} is {value!r}, the table says {expected!r}"


@pytest.mark.parametrize("option", sorted(ANIMATION))
def test_animation_default_equals_the_table(option):
    expected = setting(ANIMATION[option])
    trait = Animation.class_traits()[option].default_value
    argument = inspect.signature(Animation.__init__).parameters[option].default
    assert (trait, argument) == (expected, expected), f"Animation's {option}: trait default {trait!r}, constructor default {argument!r}"
    assert type(argument) is type(expected)


def test_fps_limits_are_enforced_at_exactly_their_values():
    low, high = setting("MIN_FPS"), setting("MAX_FPS")
    assert (check_fps(low), check_fps(high)) == (low, high)
    for outside in (low * 0.99, high * 1.01):
        with pytest.raises(ValueError, match=rf"^fps must be a number from {low} to {high} \(frames per second\), got "):
            check_fps(outside)


def test_size_limit_is_enforced_at_exactly_its_value():
    side = setting("MAX_SIDE")
    assert check_side("width", side) == side
    with pytest.raises(ValueError, match=rf"^width {side + 2} is larger than {side} pixels, more than browsers render$"):
        check_side("width", side + 2)


def test_every_colormap_in_the_table_is_accepted():
    for name in setting("COLORMAPS"):
        assert check_colormap(name) == name
    with pytest.raises(ValueError, match=f"colormap must be one of {', '.join(setting('COLORMAPS'))}, got 'rainbow'"):
        check_colormap("rainbow")


def test_every_point_shape_in_the_table_is_accepted():
    for shape in setting("POINT_SHAPES"):
        assert check_point_shape(shape) == shape
    with pytest.raises(ValueError, match='^point_shape must be "square" or "round", got "circle"$'):
        check_point_shape("circle")


def test_every_quality_in_the_table_is_accepted():
    for quality in setting("QUALITIES"):
        assert check_quality(quality) == quality
    with pytest.raises(ValueError, match='^quality must be "high", "standard" or "small", got "best"$'):
        check_quality("best")


def test_point_size_limit_is_enforced_at_exactly_its_value():
    top = setting("MAX_POINT_SIZE")
    assert (check_point_size(top), check_point_size(None), check_point_size(0.5)) == (top, None, 0.5)
    for outside in (0, -1, top + 0.01, float("nan"), True, "3"):
        with pytest.raises(ValueError, match=rf"^point_size must be between 0 and {top} pixels"):
            check_point_size(outside)


def test_background_is_a_hex_colour():
    assert check_background(setting("DEFAULTS.background")) == setting("DEFAULTS.background")
    assert check_background("#FFaa00") == "#ffaa00"
    for bad in ("black", "#fff", "#12345g", None, 0):
        with pytest.raises(ValueError, match=r'^background must be a colour written "#rrggbb"'):
            check_background(bad)


def test_view_is_checked_as_the_page_checks_it():
    view = {"position": [1, 2, 3], "target": [0, 0, 0], "up": [0, 0, 1], "fov_deg": 45}
    assert check_view(view) == {"position": [1.0, 2.0, 3.0], "target": [0.0, 0.0, 0.0], "up": [0.0, 0.0, 1.0], "fov_deg": 45.0}
    assert check_view(None) is None
    for bad, words in [({**view, "fov": 45}, "view must be a dict"), ({**view, "up": [0, 0]}, "view up must be three finite numbers"),
                       ({**view, "position": [0, 0, float("inf")]}, "view position must be three finite numbers"),
                       ({**view, "position": [0, 0, 0]}, "view position and target must differ"),
                       ({**view, "fov_deg": 179}, "view fov_deg must lie between 1 and 179")]:
        with pytest.raises(ValueError, match=f"^{words}"):
            check_view(bad)
