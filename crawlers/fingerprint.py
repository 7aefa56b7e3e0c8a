"""What the checks saw on a page, as one stable hash.

The rendered HTML is normalised first so that what changes on every request — nonces,
CSRF tokens, timestamps, generated ids — does not count as a change, while any change
of text, structure or attributes a resident would notice does. The hashes of the page's
style sheets, scripts and images count too: a new colour in a style sheet changes what
axe sees though the markup is the same.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

_NONCE = re.compile(r'\snonce="[^"]*"', re.IGNORECASE)
_HIDDEN_VALUE = re.compile(r'(<input\b[^>]*\btype="hidden"[^>]*\bvalue=")[^"]*(")', re.IGNORECASE)
_HIDDEN_VALUE_FIRST = re.compile(
    r'(<input\b[^>]*\bvalue=")[^"]*("[^>]*\btype="hidden")', re.IGNORECASE
)
_VOLATILE_META = re.compile(
    r'(<meta\b[^>]*\bname="[^"]*(?:csrf|token|generated|date|time|nonce|request)[^"]*"'
    r'[^>]*\bcontent=")[^"]*(")',
    re.IGNORECASE,
)
_TIMESTAMP = re.compile(
    r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b"
)
_ID_ATTRIBUTE = re.compile(
    r"(\s(?:id|for|name|aria-describedby|aria-labelledby|aria-controls|aria-owns|"
    r'data-reactid|data-testid)=")([^"]*)(")',
    re.IGNORECASE,
)
_GENERATED = re.compile(r"[0-9a-f]{8,}|\d{4,}", re.IGNORECASE)
_LONG_TOKEN = re.compile(r'="[A-Za-z0-9+/_=-]{32,}"')


def normalise_html(html: str) -> str:
    """Rendered HTML with per-request noise taken out."""
    if "nonce" in html.lower():
        html = _NONCE.sub("", html)
    html = _HIDDEN_VALUE.sub(r"\1\2", html)
    html = _HIDDEN_VALUE_FIRST.sub(r"\1\2", html)
    html = _VOLATILE_META.sub(r"\1\2", html)
    html = _TIMESTAMP.sub("<time>", html)
    html = _ID_ATTRIBUTE.sub(
        lambda m: m.group(1) + _GENERATED.sub("#", m.group(2)) + m.group(3), html
    )
    html = _LONG_TOKEN.sub('="<token>"', html)
    return " ".join(html.split())  # runs of whitespace as one space (as ``\s+``), fast


def page_fingerprint(html: str, resources: Mapping[str, str | None] | None = None) -> str:
    """The rendered HTML and the sub-resources it was rendered with (address → hash)."""
    digest = hashlib.sha256(normalise_html(html).encode("utf-8", "replace"))
    for url, value in sorted((resources or {}).items()):
        digest.update(f"\x1e{normalise_html(url)}\x1f{value}".encode())
    return digest.hexdigest()


def versions_fingerprint(parts: dict[str, object]) -> str:
    """One hash of everything that judges a page: check versions, axe-core, options."""
    text = "\x1f".join(f"{key}={parts[key]!r}" for key in sorted(parts))
    return hashlib.sha256(text.encode()).hexdigest()
