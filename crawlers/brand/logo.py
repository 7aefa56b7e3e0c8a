"""Is the logo in the header the council's logo? Perceptual hashes, not bytes.

A supplier may serve the logo resized, re-encoded as JPEG or on a slightly different
background, so the screenshot of the rendered logo is compared with the reference image
by perceptual hash: the DCT hash (``phash``) and the gradient hash (``dhash``), both 64
bits. The logo matches when both differ from the reference by at most
``max_hash_distance`` bits; a different logo differs by about half of the bits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import imagehash
from PIL import Image, UnidentifiedImageError

HASH_SIZE = 8  # 8×8 = 64-bit hashes


class LogoImageError(ValueError):
    """Bytes or a file that are not an image Pillow can read."""


@dataclass(frozen=True)
class LogoComparison:
    """How far a rendered logo is from the reference, in differing hash bits."""

    phash_distance: int
    dhash_distance: int
    max_distance: int

    @property
    def matches(self) -> bool:
        return max(self.phash_distance, self.dhash_distance) <= self.max_distance

    @property
    def distance(self) -> int:
        """The larger of the two distances: what decides the match."""
        return max(self.phash_distance, self.dhash_distance)


def _flatten(image: Image.Image, background: str = "#ffffff") -> Image.Image:
    """An opaque RGB image; transparent parts show ``background`` (as in the header)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        base = Image.new("RGBA", rgba.size, background)
        return Image.alpha_composite(base, rgba).convert("RGB")
    return image.convert("RGB")


def open_image(data: bytes | Path) -> Image.Image:
    """Read an image from bytes or a file; ``LogoImageError`` if it is not one."""
    try:
        source = io.BytesIO(data) if isinstance(data, bytes) else data
        with Image.open(source) as image:
            image.load()
            return image.copy()
    except (UnidentifiedImageError, OSError) as exc:
        raise LogoImageError(f"not a readable image: {exc}") from exc


@dataclass(frozen=True)
class LogoHashes:
    phash: imagehash.ImageHash
    dhash: imagehash.ImageHash


def hashes(image: Image.Image, background: str = "#ffffff") -> LogoHashes:
    flat = _flatten(image, background)
    return LogoHashes(
        phash=imagehash.phash(flat, hash_size=HASH_SIZE),
        dhash=imagehash.dhash(flat, hash_size=HASH_SIZE),
    )


@lru_cache(maxsize=8)
def _reference_hashes(path: Path, mtime_ns: int, background: str) -> LogoHashes:
    return hashes(open_image(path), background)


def reference_hashes(path: Path, background: str = "#ffffff") -> LogoHashes:
    """Hashes of the council's reference logo (cached until the file changes)."""
    return _reference_hashes(path.resolve(), path.stat().st_mtime_ns, background)


def compare_logo(
    rendered: bytes | Image.Image,
    reference: Path | Image.Image,
    *,
    max_distance: int = 10,
    background: str = "#ffffff",
) -> LogoComparison:
    """Compare a rendered logo (PNG/JPEG bytes or an image) with the reference logo."""
    image = rendered if isinstance(rendered, Image.Image) else open_image(rendered)
    seen = hashes(image, background)
    expected = (
        reference_hashes(reference, background)
        if isinstance(reference, Path)
        else hashes(reference, background)
    )
    return LogoComparison(
        phash_distance=int(seen.phash - expected.phash),
        dhash_distance=int(seen.dhash - expected.dhash),
        max_distance=max_distance,
    )
