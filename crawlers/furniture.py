"""Shared page furniture — header, navigation, footer, cookie banner — audited once per run.

On most council sites these regions are the same markup on every page of a service. The
first page that shows a version of a region audits it with the rest of the page; later
pages showing the identical version exclude it from axe (axe's context ``exclude``) and
receive that region's findings as their own, so every page still reports every defect it
shows and the defect is one issue affecting all those pages. Rules that judge the page as
a whole (title, language, landmarks, skip links...) always run on the full page.

A region's *version* is a hash of its normalised markup and the page's style sheets, so a
region that looks different (other markup, other CSS) is audited again.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field, replace

from crawlers.base import FindingData, LoadedPage
from crawlers.fingerprint import normalise_html

#: axe rules that judge the whole document: never run on a page with regions excluded.
PAGE_LEVEL_RULES = frozenset(
    {
        "aria-hidden-body",
        "bypass",
        "document-title",
        "duplicate-id",
        "duplicate-id-active",
        "duplicate-id-aria",
        "heading-order",
        "html-has-lang",
        "html-lang-valid",
        "html-xml-lang-mismatch",
        "landmark-banner-is-top-level",
        "landmark-complementary-is-top-level",
        "landmark-contentinfo-is-top-level",
        "landmark-main-is-top-level",
        "landmark-no-duplicate-banner",
        "landmark-no-duplicate-contentinfo",
        "landmark-no-duplicate-main",
        "landmark-one-main",
        "landmark-unique",
        "meta-refresh",
        "meta-refresh-no-exceptions",
        "meta-viewport",
        "meta-viewport-large",
        "page-has-heading-one",
        "region",
        "skip-link",
    }
)

FIND_REGIONS = """
() => {
  const candidates = Array.from(document.querySelectorAll(
    'body header, body nav, body footer, [role=banner], [role=navigation], [role=contentinfo],'
    + ' #cookie-banner, [aria-label*="cookie" i]'));
  const chosen = candidates.filter(el => el.closest('main, [role=main]') === null
    && !candidates.some(other => other !== el && other.contains(el)));
  const path = el => {
    if (el.id && document.querySelectorAll('#' + CSS.escape(el.id)).length === 1)
      return '#' + CSS.escape(el.id);
    const parts = [];
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      let index = 1;
      for (let sib = node.previousElementSibling; sib; sib = sib.previousElementSibling)
        if (sib.tagName === node.tagName) index++;
      parts.unshift(node.tagName.toLowerCase() + ':nth-of-type(' + index + ')');
    }
    return 'body > ' + parts.join(' > ');
  };
  const sheets = Array.from(
    document.styleSheets, s => s.href || (s.ownerNode && s.ownerNode.textContent) || '');
  return {
    sheets: sheets.join('\\n'),
    regions: chosen.map(el => ({selector: path(el), html: el.outerHTML})),
  };
}
"""

LOCATE = """
([targets, regions]) => targets.map(target => {
  let el = null;
  try { el = document.querySelector(target); } catch (e) { return -1; }
  if (!el) return -1;
  return regions.findIndex(selector => {
    const region = document.querySelector(selector);
    return region && region.contains(el);
  });
})
"""


@dataclass(frozen=True)
class Region:
    selector: str
    key: str


@dataclass
class FurniturePlan:
    """For one page: which regions it audits for everyone, and which it takes as done."""

    audit: list[Region] = field(default_factory=list)
    reuse: list[Region] = field(default_factory=list)


class FurnitureRegistry:
    """The regions audited so far in a run, per service, with their findings."""

    def __init__(self) -> None:
        self._done: dict[tuple[str, str], list[FindingData]] = {}
        self._claimed: set[tuple[str, str]] = set()
        self._lock = asyncio.Lock()

    async def plan(self, service_id: str, regions: list[Region]) -> FurniturePlan:
        plan = FurniturePlan()
        async with self._lock:
            for region in regions:
                slot = (service_id, region.key)
                if slot in self._done:
                    plan.reuse.append(region)
                elif slot not in self._claimed:
                    self._claimed.add(slot)
                    plan.audit.append(region)
                # Claimed by a page still being audited: audit it here too, unexcluded.
        return plan

    async def finish(
        self, service_id: str, plan: FurniturePlan, findings: dict[str, list[FindingData]]
    ) -> None:
        async with self._lock:
            for region in plan.audit:
                self._done[(service_id, region.key)] = findings.get(region.key, [])

    async def release(self, service_id: str, plan: FurniturePlan) -> None:
        async with self._lock:
            for region in plan.audit:
                self._claimed.discard((service_id, region.key))

    def findings(self, service_id: str, region: Region) -> list[FindingData]:
        return [replace(f) for f in self._done.get((service_id, region.key), [])]


async def find_regions(page: LoadedPage) -> list[Region]:
    found = await page.evaluate(FIND_REGIONS)
    sheets = str(found.get("sheets", ""))
    regions = []
    seen: set[str] = set()
    for item in found.get("regions", []):
        digest = hashlib.sha256((normalise_html(item["html"]) + sheets).encode()).hexdigest()[:24]
        if item["selector"] not in seen:
            seen.add(item["selector"])
            regions.append(Region(item["selector"], digest))
    return regions


async def locate(page: LoadedPage, findings: list[FindingData], regions: list[Region]) -> None:
    """Tag each finding with the audited region its element sits in, if any."""
    if not findings or not regions:
        return
    targets = [f.selector.split(" >>> ")[0] for f in findings]
    where = await page.evaluate(LOCATE, [targets, [r.selector for r in regions]])
    for finding, index in zip(findings, where, strict=True):
        if isinstance(index, int) and index >= 0:
            finding.region = regions[index].key
