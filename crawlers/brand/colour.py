"""Colours as the browser renders them, and how far they are from the brand palette.

Computed styles give colours as CSS strings (``rgb()``, ``rgba()``, sometimes ``color()``
or ``oklch()``); a semi-transparent colour is what it looks like over what is behind it,
so backgrounds are composited over the stack of backgrounds beneath (the canvas is white).
Distances are CIEDE2000 ΔE, the usual measure of "looks like the same colour".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from coloraide import Color

#: What the browser paints under the page when nothing else is painted.
CANVAS = "#ffffff"


class ColourError(ValueError):
    """A string that is not a CSS colour."""


def parse_colour(value: str) -> Color:
    """A CSS colour string as a coloraide ``Color`` (alpha kept); ``ColourError`` if not one."""
    text = value.strip()
    try:
        return Color(text)
    except (ValueError, TypeError) as exc:
        raise ColourError(f"not a CSS colour: {value!r}") from exc


def is_transparent(value: str | Color) -> bool:
    """True for fully transparent colours (``transparent``, ``rgba(0, 0, 0, 0)``)."""
    colour = parse_colour(value) if isinstance(value, str) else value
    return colour.alpha() <= 0.001


def composite(layers: Sequence[str | Color], backdrop: str | Color = CANVAS) -> Color:
    """What a stack of colours looks like: ``layers`` top first, over an opaque ``backdrop``.

    Fully transparent layers drop out; the result is an opaque sRGB colour.
    """
    parsed = [parse_colour(c) if isinstance(c, str) else c for c in layers]
    stack = [c for c in parsed if not is_transparent(c)]
    base = parse_colour(backdrop) if isinstance(backdrop, str) else backdrop
    base = base.convert("srgb").set("alpha", 1)
    if not stack:
        return base
    return Color.layer([*stack, base], space="srgb").convert("srgb").set("alpha", 1)


def to_hex(colour: str | Color) -> str:
    """``#rrggbb`` of an opaque colour (out-of-gamut colours are fitted into sRGB)."""
    parsed = parse_colour(colour) if isinstance(colour, str) else colour
    srgb = parsed.convert("srgb").fit().set("alpha", 1)
    return srgb.to_string(hex=True, fit=True)


def delta_e(a: str | Color, b: str | Color) -> float:
    """CIEDE2000 ΔE between two colours (0 = identical; about 2.3 = just noticeable)."""
    first = parse_colour(a) if isinstance(a, str) else a
    second = parse_colour(b) if isinstance(b, str) else b
    return float(first.delta_e(second, method="2000"))


@dataclass(frozen=True)
class PaletteMatch:
    """The brand colour nearest to a rendered colour."""

    colour: str  # the rendered colour, #rrggbb
    role: str  # palette role of the nearest brand colour, e.g. "link"
    brand_colour: str  # that brand colour, #rrggbb
    delta_e: float
    within_tolerance: bool


def nearest_brand_colour(
    colour: str | Color, palette: Mapping[str, str], tolerance: float
) -> PaletteMatch:
    """The nearest palette colour to ``colour`` and whether it is within ``tolerance``."""
    if not palette:
        raise ValueError("the brand palette is empty")
    rendered = parse_colour(colour) if isinstance(colour, str) else colour
    best_role, best_hex, best = "", "", float("inf")
    for role, value in palette.items():
        distance = delta_e(rendered, value)
        if distance < best:
            best_role, best_hex, best = role, to_hex(value), distance
    return PaletteMatch(to_hex(rendered), best_role, best_hex, round(best, 2), best <= tolerance)


def off_palette(
    colours: Iterable[str | Color], palette: Mapping[str, str], tolerance: float
) -> list[PaletteMatch]:
    """The distinct colours (by hex) that are further than ``tolerance`` from every brand colour."""
    seen: dict[str, PaletteMatch] = {}
    for colour in colours:
        match = nearest_brand_colour(colour, palette, tolerance)
        if not match.within_tolerance:
            seen.setdefault(match.colour, match)
    return list(seen.values())
