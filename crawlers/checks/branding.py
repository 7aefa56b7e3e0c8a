"""The branding check: is this page recognisably the council's? (issue 4)

In the same visit as axe it reads the rendered page (``crawlers/brand/collect.js``):
the colours significant elements actually show, the typefaces of body text and
headings, the header logo (screenshot → perceptual hash), the header and footer, the
footer links, the title, the favicon, the cookie banner and the domain. Each deviation is
a finding (``key`` = the colour, font or link, so each is its own issue); the page's brand
score and pass/fail per rule are its ``CheckReport.brand`` verdict, which the run stores
with the page. A failing page's header is kept as evidence.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from crawlers.base import LoadedPage
from crawlers.brand import collect_script
from crawlers.brand.audit import BrandVerdict, PageObservations, judge
from crawlers.brand.evidence import save_header_screenshot
from crawlers.brand.logo import LogoComparison, LogoImageError, compare_logo
from crawlers.check import CheckReport, PageCheck
from crawlers.checks._inpage import parse
from crawlers.context import Needs, PageContext
from monitor.config import BrandFile

log = logging.getLogger(__name__)

MAX_ELEMENTS = 5000  # elements whose styles are read per page (huge pages are sampled)
FAVICON_BYTES = 64 * 1024


def collect_options(brand: BrandFile) -> dict[str, Any]:
    return {
        "header": brand.header.model_dump(),
        "footer": brand.footer.model_dump(),
        "cookieBanner": brand.cookie_banner.selector if brand.cookie_banner else None,
        "logoInHeader": brand.logo.in_header if brand.logo else True,
        "maxElements": MAX_ELEMENTS,
    }


async def _favicon_status(context: PageContext, url: str) -> int | None:
    """HTTP status of the favicon, asked once per run (with the links check's statuses)."""
    if url.startswith("data:"):
        return 200
    status, _ = await context.run.link_statuses.status(url)
    return status


async def _compare_logo(
    page: LoadedPage, selector: str, reference: Path, brand: BrandFile
) -> LogoComparison | str:
    """The rendered logo against the reference, or why it could not be compared."""
    assert brand.logo is not None
    try:
        png = await page.screenshot(selector)
        if png is None:
            return "the logo element could not be captured"
        return compare_logo(png, reference, max_distance=brand.logo.max_hash_distance)
    except (LogoImageError, OSError) as exc:
        return str(exc)
    except Exception as exc:  # engines raise their own errors for detached elements
        return f"screenshot failed: {exc}"


async def observe(
    page: LoadedPage, context: PageContext, brand: BrandFile, config_dir: Path
) -> PageObservations:
    """Everything the rules need from the page, in one script call and one screenshot."""
    raw = await page.evaluate(collect_script(), collect_options(brand))
    collected: dict[str, Any] = parse(raw) or {}
    url = str(collected.get("url") or page.url)
    seen = PageObservations(
        collected=collected, url=url, title=str(collected.get("title") or page.title or "")
    )
    logo_seen = collected.get("logo")
    if brand.logo is not None and logo_seen:
        reference = (
            brand.logo.file if brand.logo.file.is_absolute() else config_dir / brand.logo.file
        )
        shared = context.run.shared
        look = logo_seen.get("look")
        key = f"{reference}|{brand.logo.max_hash_distance}|{look}" if look else None
        remembered = shared.get("logo", key) if shared is not None and key else None
        if remembered is None:
            remembered = await _compare_logo(page, logo_seen["selector"], reference, brand)
            if shared is not None and key and isinstance(remembered, LogoComparison):
                shared.put("logo", key, remembered)
        if isinstance(remembered, LogoComparison):
            seen.logo = remembered
        else:
            seen.logo_error = remembered
    if brand.favicon:
        declared = collected.get("favicons") or []
        parts = urlsplit(url)
        seen.favicon_url = (
            declared[0] if declared else urljoin(f"{parts.scheme}://{parts.netloc}", "/favicon.ico")
        )
        status = await _favicon_status(context, seen.favicon_url)
        seen.favicon_served = status is not None and 200 <= status < 300
    return seen


async def keep_header_evidence(
    page: LoadedPage, context: PageContext, verdict: BrandVerdict, collected: dict[str, Any]
) -> str | None:
    """Screenshot of a failing page's header (or the top of the page if it has none).

    Pages whose header has the same markup at the same width share one picture."""
    if verdict.passed or context.evidence_dir is None:
        return None
    header = collected.get("header") or {}
    selector = header.get("selector") if header.get("found") else "body"
    markup = header.get("markup") if header.get("found") else None
    shared = context.run.shared
    if shared is not None and markup:
        kept = shared.get("header-evidence", markup)
        # One stat of a local evidence file: not worth a thread.
        if kept is not None and Path(kept).exists():  # noqa: ASYNC240
            return str(kept)
    try:
        png = await page.screenshot(selector or "body")
    except Exception as exc:  # evidence is a bonus: never fail the check for it
        log.warning("no header screenshot of %s: %s", verdict.url, exc)
        return None
    if png is None:
        return None
    path = save_header_screenshot(
        png,
        evidence_dir=Path(context.evidence_dir),
        run_id=context.run_id,
        page_url=verdict.url,
        max_total_bytes=context.settings.evidence_max_mb * 1024 * 1024,
    )
    if path is not None and shared is not None and markup:
        shared.put("header-evidence", markup, str(path))
    return str(path) if path else None


class BrandingCheck(PageCheck):
    """The council's brand rules (brand.yaml) on one loaded page."""

    name = "branding"
    version = "1"
    reads = frozenset({Needs.brand, Needs.http})
    #: Judged on crawled pages: a journey step's brand verdict has nowhere to go.
    on_journeys = False

    async def run(self, page: LoadedPage, context: PageContext) -> CheckReport:
        brand = context.brand
        if brand is None:
            return CheckReport()
        config_dir = Path(context.config_dir or context.settings.config_dir)
        exemptions = context.service.brand_exemptions if context.service else []
        seen = await observe(page, context, brand, config_dir)
        verdict = judge(
            brand,
            seen,
            exemptions=exemptions,
            weights={str(k): w for k, w in brand.weights.items()},
        )
        verdict.header_screenshot = await keep_header_evidence(
            page, context, verdict, seen.collected
        )
        return CheckReport(verdict.findings, brand=verdict)


CHECK = BrandingCheck()
