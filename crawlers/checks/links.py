"""The links check: every link on an audited page gets a status; broken ones are findings.

On a signed-in (or single-page-app) service, links the crawl never follows (sign-out,
delete, cancel... by address or name) are never asked for either.

Statuses are asked once per run (``context.run.link_statuses``), so a footer link shared
by 500 pages is requested once.
"""

from __future__ import annotations

import asyncio

from crawlers.base import FindingData, LoadedPage, PageError
from crawlers.check import DocumentKind, PageCheck
from crawlers.context import Needs, PageContext
from crawlers.session import links_refused_by_name
from crawlers.urls import host_of, normalise_url

LINK_LIMIT_PER_PAGE = 300


class LinksCheck(PageCheck):
    """Finds links that lead nowhere: 4xx/5xx answers, refused connections, loops."""

    name = "links"
    version = "1"
    criteria = ()  # a broken link is a defect for every resident, not one WCAG criterion
    order = 30
    reads = frozenset({Needs.http})
    applies_to = frozenset({DocumentKind.html, DocumentKind.svg})
    #: A link's target can break while the page itself is unchanged.
    recheck_unchanged = True
    #: Judged on crawled pages: a journey's pages are crawled too.
    on_journeys = False

    async def run(self, page: LoadedPage, context: PageContext) -> list[FindingData]:
        guard = context.guard
        refused: set[str] = set()
        if guard is not None:
            try:
                refused = await links_refused_by_name(page, guard)
            except PageError as exc:
                if exc.kind != "unsupported":
                    raise
                # Revalidated over HTTP: its remembered links were already kept from them.
        targets: dict[str, str] = {}
        for href in await page.links():
            if href in refused:
                continue  # sign-out, delete, cancel...: never asked for, not even HEAD
            url = normalise_url(href, page.url)
            if url and guard is not None and guard.refuses_address(url):
                continue
            if url and url not in targets:
                targets[url] = href
            if len(targets) >= LINK_LIMIT_PER_PAGE:
                break
        statuses = await asyncio.gather(*(context.run.link_statuses.status(u) for u in targets))
        own_host = host_of(page.url)
        for url, (status, error) in zip(targets, statuses, strict=True):
            if status is None and host_of(url) == own_host and _no_answer(error):
                # The site answered for this page and now does not: it went down while
                # its links were checked, which says nothing about the links.
                raise PageError(
                    "connection",
                    f"the site stopped answering while its links were checked: {url} ({error})",
                )
        failing = [
            url
            for url, (status, _) in zip(targets, statuses, strict=True)
            if status is not None and status >= 500 and host_of(url) == own_host
        ]
        if failing:
            # A server error on the site's own links may be the site going down (a server
            # stopping, a gateway losing it): if the page itself no longer answers either,
            # the links are not to blame.
            status, error = await context.run.link_statuses.status_now(page.url)
            if (status is None and _no_answer(error)) or (status is not None and status >= 500):
                reason = f"HTTP {status}" if status is not None else error
                raise PageError(
                    "connection",
                    f"the site stopped answering while its links were checked: {failing[0]} "
                    f"and the page itself ({reason})",
                )
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


def _no_answer(error: str | None) -> bool:
    return bool(error) and str(error).startswith(("cannot connect", "timed out"))


CHECK = LinksCheck()
