"""Colour parsing, compositing and CIEDE2000 distance to the brand palette."""

from __future__ import annotations

import pytest

from crawlers.brand.colour import (
    ColourError,
    composite,
    delta_e,
    is_transparent,
    nearest_brand_colour,
    off_palette,
    parse_colour,
    to_hex,
)
from monitor.config import load_config
from tests.conftest import CONFIG_DIR

PALETTE = dict(load_config(CONFIG_DIR).brand.palette)


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        ("rgb(29, 63, 110)", "#1d3f6e"),
        ("rgb(29 63 110)", "#1d3f6e"),
        ("hsl(0, 100%, 50%)", "#ff0000"),
        ("hsl(120 100% 25%)", "#008000"),
        ("rebeccapurple", "#663399"),
        ("white", "#ffffff"),
        ("#abc", "#aabbcc"),
        ("#1D3F6E", "#1d3f6e"),
        ("color(srgb 1 0 0)", "#ff0000"),
    ],
)
def test_css_colours_are_parsed(css: str, expected: str) -> None:
    assert to_hex(parse_colour(css)) == expected


def test_rgba_is_composited_over_what_is_behind_it() -> None:
    # Half-transparent black over white is mid grey; over the brand blue it is darker blue.
    assert to_hex(composite(["rgba(0, 0, 0, 0.5)"], "#ffffff")) == "#808080"
    assert to_hex(composite(["rgba(0, 0, 0, 0.5)", "rgb(29, 63, 110)"])) == "#0f2037"
    # Layers stack: a 50% white veil over a 50% red one over white.
    assert to_hex(composite(["rgba(255,255,255,0.5)", "rgba(255,0,0,0.5)"])) == "#ffbfbf"
    # An opaque colour hides everything behind it.
    assert to_hex(composite(["#00703c", "rgba(255,0,0,0.5)"])) == "#00703c"


def test_transparent_colours_drop_out() -> None:
    assert is_transparent("transparent")
    assert is_transparent("rgba(0, 0, 0, 0)")
    assert not is_transparent("rgba(0, 0, 0, 0.01)")
    assert to_hex(composite(["transparent", "rgba(0, 0, 0, 0)"], "#f3f2f1")) == "#f3f2f1"
    assert to_hex(composite([])) == "#ffffff"  # the canvas


@pytest.mark.parametrize("bad", ["yellowish", "", "rgb(1, 2)", "#12345"])
def test_a_string_that_is_not_a_colour_is_an_error(bad: str) -> None:
    with pytest.raises(ColourError):
        parse_colour(bad)


def test_delta_e_is_ciede2000() -> None:
    assert delta_e("#1d5fa8", "#1d5fa8") == 0
    # Pairs 1 and 3 of Sharma, Wu and Dalal's CIEDE2000 test data (CIE Lab, D65).
    first = delta_e("color(--lab-d65 50 2.6772 -79.7751)", "color(--lab-d65 50 0 -82.7485)")
    third = delta_e("color(--lab-d65 50 -1.3802 -84.2814)", "color(--lab-d65 50 0 -82.7485)")
    assert first == pytest.approx(2.0425, abs=1e-4)
    assert third == pytest.approx(1.0000, abs=1e-4)


def test_a_colour_within_tolerance_passes_and_one_just_outside_fails() -> None:
    inside = nearest_brand_colour("#415fa8", PALETTE, 5.0)
    outside = nearest_brand_colour("#435fa8", PALETTE, 5.0)
    assert (inside.role, inside.brand_colour, inside.within_tolerance) == ("link", "#1d5fa8", True)
    assert inside.delta_e == pytest.approx(4.93, abs=0.01)
    assert (outside.role, outside.within_tolerance) == ("link", False)
    assert outside.delta_e == pytest.approx(5.31, abs=0.01)


def test_off_palette_lists_each_distinct_colour_once() -> None:
    found = off_palette(["#e4007c", "rgb(228, 0, 124)", "#1d3f6e", "#f2f2f2"], PALETTE, 5.0)
    assert [(m.colour, m.role) for m in found] == [("#e4007c", "error")]
