"""The links check: every link on an audited page gets a status; broken ones are findings.

Statuses are cached for the run (``context.extras["link_statuses"]``), so a footer link
shared by 500 pages is requested once.
"""

from __future__ import annotations

import asyncio
from typing import Any

from crawlers.base import FindingData, LoadedPage, PageContext
from crawlers.urls import normalise_url

LINK_LIMIT_PER_PAGE = 300


async def link_status(context: PageContext, url: str) -> tuple[int | None, str | None]:
    """``(status, error)`` of a link, asked once per run."""
    cache: dict[str, Any] = context.extras.setdefault("link_statuses", {})
    pending = cache.get(url)
    if pending is None:
        policy = context.extras.get("host_policy")
        if policy is None:
            return None, "no HTTP client in this run"
        pending = asyncio.ensure_future(_probe(policy, url))
        cache[url] = pending
    return await asyncio.shield(pending)


async def _probe(policy: Any, url: str) -> tuple[int | None, str | None]:
    fetched = await policy.fetch(url, method="HEAD")
    if fetched.status in (405, 501) or (fetched.status is None and fetched.error):
        fetched = await policy.fetch(url, max_bytes=1)  # some servers refuse HEAD
    return fetched.status, fetched.error


class LinksCheck:
    """Finds links that lead nowhere: 4xx/5xx answers, refused connections, loops."""

    name = "links"
    version = "1"
    whole_page = True
    order = 30
    #: A link's target can break while the page itself is unchanged.
    recheck_unchanged = True

    async def run(self, page: LoadedPage, context: PageContext) -> list[FindingData]:
        targets: dict[str, str] = {}
        for href in await page.links():
            url = normalise_url(href, page.url)
            if url and url not in targets:
                targets[url] = href
            if len(targets) >= LINK_LIMIT_PER_PAGE:
                break
        statuses = await asyncio.gather(*(link_status(context, u) for u in targets))
        context.extras.setdefault("page_links", {})[page.url] = {
            u: s for u, (s, _) in zip(targets, statuses, strict=True)
        }
        findings = []
        for (url, href), (status, error) in zip(targets.items(), statuses, strict=True):
            if status is not None and status < 400:
                continue
            reason = f"HTTP {status}" if status is not None else (error or "no answer")
            findings.append(
                FindingData(
                    check=self.name,
                    rule="broken-link",
                    message=f"Link to {url} is broken ({reason})",
                    impact="moderate",
                    selector=f'a[href="{href}"]',
                    snippet="",
                    key=url,
                )
            )
        return findings


CHECK = LinksCheck()
