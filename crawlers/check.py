"""The check interface: one module per check in ``crawlers/checks/``, each defining ``CHECK``.

Three kinds, as pa11y has runners:

- ``PageCheck``: judges one loaded page, in the page pipeline (``crawlers.pipeline``),
  on the same visit as every other page check;
- ``DocumentCheck``: judges a document (PDF, Word...) from its bytes;
- ``ServiceCheck``: judges a service as a whole after its pages were visited, from what
  the run *recorded* (``ServiceEvidence``), so the result never depends on which process
  visited which page or in what order.

Each names the WCAG success criteria it maps to (``criteria``), what it needs from its
context (``reads``) and, for page checks, the kinds of document it applies to
(``applies_to``): an SVG image or an XML file opened as a page is judged by the checks
that apply to it and skipped by the others, saying so.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from crawlers.base import FindingData, LoadedPage
from crawlers.context import Needs, PageContext, RunContext, ServiceEvidence

if TYPE_CHECKING:
    from crawlers.brand.audit import BrandVerdict


class DocumentKind(StrEnum):
    """What a loaded address turned out to be, by its content type."""

    html = "html"
    svg = "svg"
    xml = "xml"
    text = "text"
    json = "json"
    other = "other"

    @property
    def label(self) -> str:
        return {
            "html": "a web page",
            "svg": "an SVG image",
            "xml": "an XML document",
            "text": "a plain text document",
            "json": "a JSON document",
            "other": "a document that is not a web page",
        }[self.value]

    @classmethod
    def of(cls, content_type: str | None) -> DocumentKind:
        """The kind of a document served (or rendered) with ``content_type``."""
        kind = (content_type or "text/html").split(";")[0].strip().lower()
        if kind in ("text/html", "application/xhtml+xml", ""):
            return cls.html
        if kind == "image/svg+xml":
            return cls.svg
        if kind in ("application/xml", "text/xml") or kind.endswith("+xml"):
            return cls.xml
        if kind == "application/json" or kind.endswith("+json"):
            return cls.json
        if kind.startswith("text/"):
            return cls.text
        return cls.other


WEB_PAGES = frozenset({DocumentKind.html})


@dataclass
class CheckReport:
    """What one page check reports on one page: findings and, for the branding check, the
    page's brand verdict (its score and each rule's result)."""

    findings: list[FindingData] = field(default_factory=list)
    brand: BrandVerdict | None = None


class PageCheck(ABC):
    """A check of one loaded page.

    ``order`` (default 50): checks run in this order on one visit, so a check that changes
    the page (tabbing through it, narrowing the viewport) runs after those that only read
    it. ``whole_page``: the check judges the page as a whole and always runs on the full
    page, even when shared furniture is audited separately. ``recheck_unchanged``: it runs
    again on a page whose fingerprint is unchanged (a link's target may have gone).
    ``on_journeys``: it also judges the pages a journey step audits.
    """

    name: str
    version: str
    criteria: tuple[str, ...] = ()
    order: int = 50
    whole_page: bool = True
    recheck_unchanged: bool = False
    on_journeys: bool = True
    reads: frozenset[Needs] = frozenset()
    applies_to: frozenset[DocumentKind] = WEB_PAGES

    @abstractmethod
    async def run(self, page: LoadedPage, context: PageContext) -> list[FindingData] | CheckReport:
        """The findings of this check on ``page`` (or a ``CheckReport``)."""


class DocumentCheck(ABC):
    """A check of a document (PDF, Word, ...) linked from a service, given its bytes."""

    name: str
    version: str
    criteria: tuple[str, ...] = ()

    @abstractmethod
    def reads(self, url: str, content_type: str | None) -> bool:
        """Whether this check reads a document served at ``url`` as ``content_type`` (its
        bytes are fetched only if some check does)."""

    @abstractmethod
    async def run_document(
        self, url: str, body: bytes, content_type: str | None, context: PageContext
    ) -> list[FindingData]:
        """The findings of this check on the document at ``url``."""


class CouldNotJudge(Exception):
    """A service check could not judge the service this run (its statement could not be
    fetched: the site did not answer). Its issues stay as they were."""


class ServiceCheck(ABC):
    """A check of a service as a whole, once per run, after its pages were visited.

    It reads what the run recorded (``evidence``) and may make HTTP requests of its own
    (``context.http``); it returns ``(page address, finding)`` pairs. Its issues are
    fixed when it no longer reports them, whichever pages were visited.
    """

    name: str
    version: str
    criteria: tuple[str, ...] = ()
    reads: frozenset[Needs] = frozenset()

    @abstractmethod
    async def run_service(
        self, evidence: ServiceEvidence, context: RunContext
    ) -> list[tuple[str, FindingData]]:
        """The service's findings, each with the address of the page it belongs to."""


__all__ = [
    "WEB_PAGES",
    "CheckReport",
    "CouldNotJudge",
    "DocumentCheck",
    "DocumentKind",
    "PageCheck",
    "ServiceCheck",
]
