"""One look at a loaded page, taken once per visit and shared by the auditor and the checks.

Its links, its rendered HTML, what it fetched besides its HTML and (for shared furniture)
its regions are read in a single call into the page: every call costs the browser, its
driver and the monitor a few milliseconds of processor time, which add up over a night.
Checks that change the page (tabbing through it, narrowing it) run after the ones that
read it, so the snapshot is what those readers would have seen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from crawlers.base import CONTENT, LINKS, LoadedPage
from crawlers.furniture import FIND_REGIONS
from crawlers.revalidation import RESOURCES

#: Links whose name (what a screen reader announces, near enough) mentions accessibility:
#: where the page says its accessibility statement is. Links added by the page's own
#: scripts count: this reads the rendered page.
STATEMENT_LINKS = r"""() => Array.from(document.querySelectorAll('a[href]'), (a) => {
  const by = (a.getAttribute('aria-labelledby') || '').split(/\s+/)
    .map((id) => document.getElementById(id)).filter(Boolean)
    .map((el) => el.textContent).join(' ');
  const images = Array.from(a.querySelectorAll('img[alt]'), (i) => i.alt).join(' ');
  const name = by || a.getAttribute('aria-label')
    || ((a.textContent || '') + ' ' + images).trim() || a.title || '';
  return /accessibility/i.test(name) && typeof a.href === 'string' ? a.href : null;
}).filter(Boolean)"""

# One JSON string back: the engines' own serialisers walk a nested value item by item.
SNAPSHOT_SCRIPT = (
    "(furniture) => JSON.stringify({"
    f"links: ({LINKS})(), html: ({CONTENT})(), resources: ({RESOURCES})(),"
    f"statement: ({STATEMENT_LINKS})(),"
    f"furniture: furniture ? ({FIND_REGIONS.strip()})() : null"
    "})"
)


@dataclass
class PageSnapshot:
    links: list[str]
    html: str
    resources: dict[str, Any]  # what ``crawlers.revalidation.RESOURCES`` reads
    furniture: dict[str, Any] | None  # what ``crawlers.furniture.FIND_REGIONS`` reads
    statement_links: list[str]  # links named for the accessibility statement


async def snapshot(page: LoadedPage, *, furniture: bool = False) -> PageSnapshot:
    """The page's snapshot: taken now, or the one already taken on this visit."""
    taken: PageSnapshot | None = page.__dict__.get("_snapshot")
    if taken is not None and (taken.furniture is not None or not furniture):
        return taken
    found: dict[str, Any] = json.loads(await page.evaluate(SNAPSHOT_SCRIPT, furniture))
    taken = PageSnapshot(
        links=[str(u) for u in found.get("links") or []],
        html=str(found.get("html") or ""),
        resources=dict(found.get("resources") or {}),
        furniture=found.get("furniture"),
        statement_links=[str(u) for u in found.get("statement") or []],
    )
    page.__dict__["_snapshot"] = taken
    return taken
