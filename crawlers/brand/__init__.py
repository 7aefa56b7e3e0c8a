"""The council's brand, checked on every page: logo, colours, typefaces and furniture.

- ``colour``: CSS colour parsing, compositing and CIEDE2000 ΔE (coloraide).
- ``logo``: perceptual hashes of the rendered logo against the reference (imagehash).
- ``collect.js``: the in-page script that reads computed styles, regions and links.
- ``audit``: judging what was collected against brand.yaml (pure, no browser).
- ``score``: the page's brand score; ``evidence``: header screenshots of failing pages.

The check itself is ``crawlers.checks.branding``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from crawlers.brand.evidence import clean_old_evidence

COLLECT_JS_PATH = Path(__file__).with_name("collect.js")


@lru_cache(maxsize=1)
def collect_script() -> str:
    """The in-page script (a function expression of its options), handing its result over
    as one JSON string (``crawlers.checks._inpage`` says why)."""
    collect = COLLECT_JS_PATH.read_text(encoding="utf-8").strip().rstrip(";")
    return f"(options) => JSON.stringify(({collect})(options))"


__all__ = ["clean_old_evidence", "collect_script"]
