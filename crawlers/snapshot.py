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

# One JSON string back: the engines' own serialisers walk a nested value item by item.
_SCRIPT = (
    "(furniture) => JSON.stringify({"
    f"links: ({LINKS})(), html: ({CONTENT})(), resources: ({RESOURCES})(),"
    f"furniture: furniture ? ({FIND_REGIONS.strip()})() : null"
    "})"
)


@dataclass
class PageSnapshot:
    links: list[str]
    html: str
    resources: dict[str, Any]  # what ``crawlers.revalidation.RESOURCES`` reads
    furniture: dict[str, Any] | None  # what ``crawlers.furniture.FIND_REGIONS`` reads


async def snapshot(page: LoadedPage, *, furniture: bool = False) -> PageSnapshot:
    """The page's snapshot: taken now, or the one already taken on this visit."""
    taken: PageSnapshot | None = page.__dict__.get("_snapshot")
    if taken is not None and (taken.furniture is not None or not furniture):
        return taken
    found: dict[str, Any] = json.loads(await page.evaluate(_SCRIPT, furniture))
    taken = PageSnapshot(
        links=[str(u) for u in found.get("links") or []],
        html=str(found.get("html") or ""),
        resources=dict(found.get("resources") or {}),
        furniture=found.get("furniture"),
    )
    page.__dict__["_snapshot"] = taken
    return taken
