"""The page-titles check (WCAG 2.4.2): every page of a service has a title of its own.

A service check: after the page phase it reads the titles the run *recorded* for the
service's pages (audited, or carried unchanged), so the verdict is the same whichever
process visited which page, and in whatever order. Every page sharing a title is flagged,
not all but the first one visited: no page of the group is more right than the others
(the steps of a form that all say "Apply for a Blue Badge" are the usual case).
"""

from __future__ import annotations

from collections import defaultdict

from crawlers.base import FindingData
from crawlers.check import ServiceCheck
from crawlers.context import RunContext, ServiceEvidence

HELP = "https://www.w3.org/WAI/WCAG22/Understanding/page-titled"


def plain_title(title: str) -> str:
    return " ".join(title.split()).strip()


class PageTitlesCheck(ServiceCheck):
    """Finds titles shared by several pages of one service."""

    name = "page-titles"
    version = "1"
    criteria = ("2.4.2",)

    async def run_service(
        self, evidence: ServiceEvidence, context: RunContext
    ) -> list[tuple[str, FindingData]]:
        groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for page in evidence.pages:
            title = plain_title(page.title)
            if page.kind == "html" and title:
                groups[title.lower()].append((page.url, title))
        found: list[tuple[str, FindingData]] = []
        for key, pages in sorted(groups.items()):
            if len(pages) < 2:
                continue
            title = pages[0][1]
            for url, _ in sorted(pages):
                others = len(pages) - 1
                found.append(
                    (
                        url,
                        FindingData(
                            check=self.name,
                            rule="page-title-duplicate",
                            message=(
                                f"The page title '{title}' is also the title of {others} other "
                                f"page{'s' if others > 1 else ''} of this service: each page "
                                "needs a title that tells it apart"
                            ),
                            wcag=("2.4.2",),
                            impact="moderate",
                            key=key,
                            help_url=HELP,
                        ),
                    )
                )
        return found


CHECK = PageTitlesCheck()
