"""Shared page furniture — header, navigation, footer, cookie banner — audited once per run.

On most council sites these regions are the same markup on every page of a service. The
first page that shows a version of a region audits it with the rest of the page; later
pages showing the identical version exclude it from axe (axe's context ``exclude``) and
receive that region's findings as their own, so every page still reports every defect it
shows and the defect is one issue affecting all those pages. Rules that judge the page as
a whole (title, language, landmarks, skip links, duplicate ids...) always run on the full
page.

Regions are the landmarks outside ``main`` (header, navigation, footer, banner, content
info), a cookie banner, and every other block beside the content (the siblings of
``main`` and of each element holding it: a feedback block, a phase banner). A region's
*version* is a hash of everything axe's verdict on it can depend on:

- its normalised markup and the page's style sheets;
- the computed colours, fonts, visibility and box of each of its elements, and the
  backgrounds behind it (the same markup styled differently is another version);
- references across its edge (a ``label for`` outside pointing in, an ``aria-controls``
  pointing out, an id it names that the page lacks);
- the boxes of interactive elements outside it within 24 px of its edge (target size).
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

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
        "frame-title-unique",
        "identical-links-same-purpose",
        "page-has-heading-one",
        "region",
        "skip-link",
    }
)

FIND_REGIONS = """
() => {
  const SKIP = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'LINK', 'META']);
  const IDREFS = ['for', 'aria-labelledby', 'aria-describedby', 'aria-controls', 'aria-owns',
    'aria-activedescendant', 'aria-details', 'aria-errormessage', 'aria-flowto', 'headers',
    'list', 'form'];
  const main = document.querySelector('main, [role=main]');
  const landmarks = Array.from(document.querySelectorAll(
    'body header, body nav, body footer, [role=banner], [role=navigation], [role=contentinfo],'
    + ' #cookie-banner, [aria-label*="cookie" i]'));
  const beside = [];
  for (let node = main; node && node !== document.body && node.parentElement;
       node = node.parentElement)
    for (const sibling of node.parentElement.children)
      if (sibling !== node && !SKIP.has(sibling.tagName)) beside.push(sibling);
  const candidates = Array.from(new Set([...landmarks, ...beside]));
  const chosen = candidates.filter(el => el.closest('main, [role=main]') === null
    && !(main && el.contains(main))
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
  // Measured once per page, for every region.
  const references = [];
  for (const from of document.querySelectorAll(IDREFS.map(a => '[' + a + ']').join()))
    for (const name of IDREFS)
      for (const id of (from.getAttribute(name) || '').split(/\\s+/))
        if (id) references.push([from, name, id, document.getElementById(id)]);
  const targets = Array.from(document.querySelectorAll(
    'a[href], area[href], button, input, select, textarea, summary, [tabindex],'
    + ' [role=button], [role=link], [role=checkbox], [role=radio], [role=tab]'),
    t => [t, t.getBoundingClientRect()]).filter(([, r]) => r.width && r.height);
  const box = (r, o) => [r.left - o.left, r.top - o.top, r.width, r.height].map(Math.round);
  const look = s => [s.color, s.backgroundColor, s.backgroundImage, s.fontSize, s.fontWeight,
    s.opacity, s.display, s.visibility, s.position, s.overflow].join(';');
  // cyrb53, twice: a 106-bit digest of a long string, without shipping the string back.
  const digest = text => {
    const half = seed => {
      let h1 = 0xdeadbeef ^ seed, h2 = 0x41c6ce57 ^ seed;
      for (let i = 0; i < text.length; i++) {
        const ch = text.charCodeAt(i);
        h1 = Math.imul(h1 ^ ch, 2654435761);
        h2 = Math.imul(h2 ^ ch, 1597334677);
      }
      h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
      h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
      return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
    };
    return half(1) + '.' + half(2);
  };
  const signature = el => {
    const origin = el.getBoundingClientRect();
    const parts = [];
    // Every rendered element's look and box; a hidden subtree counts once, as hidden.
    const stack = [el];
    while (stack.length) {
      const node = stack.pop();
      const style = getComputedStyle(node);
      parts.push(look(style) + '@' + box(node.getBoundingClientRect(), origin));
      if (style.display !== 'none')
        for (let child = node.lastElementChild; child; child = child.previousElementSibling)
          stack.push(child);
    }
    for (let up = el.parentElement; up; up = up.parentElement) {
      const s = getComputedStyle(up);
      parts.push('^' + [s.backgroundColor, s.backgroundImage, s.opacity, s.filter].join(';'));
    }
    for (const [from, name, id, to] of references) {
      const fromIn = el.contains(from), toIn = to !== null && el.contains(to);
      if ((fromIn || toIn) && !(fromIn && toIn))
        parts.push('#' + name + ':' + id + ':' + fromIn + ':' + (to ? to.tagName : '-'));
    }
    // Target size: a target outside that overlaps the region, or lies within 24 px of a
    // target inside it smaller than 24 px, changes the verdict on that inner target.
    const near = (r, o, margin) => r.right > o.left - margin && r.left < o.right + margin
      && r.bottom > o.top - margin && r.top < o.bottom + margin;
    const small = targets.filter(([t, r]) => el.contains(t) && (r.width < 24 || r.height < 24));
    for (const [target, r] of targets)
      if (!el.contains(target)
          && (near(r, origin, 0) || small.some(([, inner]) => near(r, inner, 24))))
        parts.push('~' + box(r, origin));
    return digest(parts.join('|'));
  };
  const sheets = Array.from(
    document.styleSheets, s => s.href || (s.ownerNode && s.ownerNode.textContent) || '');
  return {
    sheets: sheets.join('\\n'),
    regions: chosen.map(el => ({selector: path(el), html: el.outerHTML, look: signature(el)})),
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


def regions_of(found: dict[str, Any]) -> list[Region]:
    """The furniture regions ``FIND_REGIONS`` read (in the page's snapshot), each with its
    version."""
    sheets = str(found.get("sheets", ""))
    regions = []
    seen: set[str] = set()
    for item in found.get("regions", []):
        version = "\x1f".join((normalise_html(item["html"]), sheets, str(item.get("look", ""))))
        digest = hashlib.sha256(version.encode()).hexdigest()[:24]
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
