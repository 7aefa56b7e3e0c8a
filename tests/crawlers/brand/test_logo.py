"""The header logo is matched by perceptual hash, whatever its size or encoding."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from crawlers.brand.logo import LogoImageError, compare_logo
from tests.conftest import CONFIG_DIR, PROJECT

REFERENCE = CONFIG_DIR / "brand" / "logo.png"
SUPPLIER_LOGO = PROJECT / "demo" / "static" / "supplier-logo.png"


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def reference() -> Image.Image:
    with Image.open(REFERENCE) as image:
        return image.convert("RGB")


@pytest.mark.parametrize(
    ("size", "fmt", "quality"),
    [
        ((240, 60), "PNG", None),
        ((480, 120), "PNG", None),  # a 2× retina rendering
        ((120, 30), "PNG", None),
        ((360, 90), "JPEG", 50),  # resized and re-encoded as a lossy JPEG
        ((200, 55), "JPEG", 30),  # squashed a little as well
    ],
)
def test_the_council_logo_matches_despite_resizing_and_reencoding(
    reference: Image.Image, size: tuple[int, int], fmt: str, quality: int | None
) -> None:
    options = {"quality": quality} if quality else {}
    rendered = encoded(reference.resize(size, Image.Resampling.LANCZOS), fmt, **options)
    comparison = compare_logo(rendered, REFERENCE, max_distance=10)
    assert comparison.matches, comparison
    assert comparison.distance <= 4


def test_a_transparent_logo_matches_over_its_background(reference: Image.Image) -> None:
    rgba = reference.convert("RGBA")
    assert compare_logo(rgba, reference, max_distance=10).matches


def test_a_different_logo_is_rejected() -> None:
    comparison = compare_logo(SUPPLIER_LOGO.read_bytes(), REFERENCE, max_distance=10)
    assert not comparison.matches
    assert comparison.distance > 20


def test_an_empty_header_colour_block_is_not_the_logo() -> None:
    blank = encoded(Image.new("RGB", (240, 60), "#1d3f6e"), "PNG")
    assert not compare_logo(blank, REFERENCE, max_distance=10).matches


def test_the_allowed_distance_is_respected(reference: Image.Image) -> None:
    jpeg = encoded(reference.resize((360, 90)), "JPEG", quality=30)
    distance = compare_logo(jpeg, REFERENCE).distance
    assert distance > 0
    assert compare_logo(jpeg, REFERENCE, max_distance=distance).matches
    assert not compare_logo(jpeg, REFERENCE, max_distance=distance - 1).matches


def test_bytes_that_are_not_an_image_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LogoImageError):
        compare_logo(b"<html>not a logo</html>", REFERENCE)
