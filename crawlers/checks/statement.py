"""The accessibility statement check (Public Sector Bodies Accessibility Regulations 2018).

Two parts:

- per page, every service page links to an accessibility statement (a link whose text
  says "accessibility"). That part runs in the page-structure check's visit
  (``statement_link_findings``), because a check that is also a service check has its
  per-page findings replaced by its service-level ones.
- per service, once per run (``StatementCheck.run_service``): the statement is found (the
  service's ``accessibility_statement_url``, else the statement link the run recorded on
  most of its pages, links added by script included; else a search of its start pages
  over HTTP),
  fetched, and read for the parts the regulations require: the compliance status against
  WCAG 2.x AA, the non-accessible content, how to report a problem and ask for another
  format, the enforcement procedure (EHRC / EASS), when it was prepared and last
  reviewed. It is stale when not reviewed for ``STALE_AFTER_DAYS``, and it contradicts the
  scan when it claims full compliance while serious or critical issues are open.

Statement findings are of *moderate* impact: they are not WCAG failures of a page, so they
must not count towards "pages with a serious or critical failure" (the statement has its
own measure).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from crawlers.base import FindingData
from crawlers.check import CouldNotJudge, ServiceCheck
from crawlers.context import Needs, RunContext, ServiceEvidence
from crawlers.urls import normalise_url
from monitor.months import MONTH_NAMES, MONTHS
from monitor.vocabulary import is_serious_or_more

if TYPE_CHECKING:
    from crawlers.discovery import HostPolicy

STALE_AFTER_DAYS = 365
STATEMENT_LINK = re.compile(r"accessibility", re.IGNORECASE)
#: The pages read (over HTTP) to find a statement link when no page check recorded one.
PAGES_TO_SEARCH = 5
GUIDANCE = (
    "https://www.gov.uk/guidance/accessibility-requirements-for-public-sector-websites-and-apps"
)

_DAY_MONTH_YEAR = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + MONTH_NAMES + r")\.?,?\s+(\d{4})\b", re.IGNORECASE
)
_MONTH_DAY_YEAR = re.compile(
    r"\b(" + MONTH_NAMES + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.IGNORECASE
)
_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")  # UK order: day/month/year


# --- per page --------------------------------------------------------------------------


def statement_links(links: list[dict[str, Any]]) -> list[str]:
    """Addresses of the links whose text (accessible name) mentions accessibility."""
    return [link["href"] for link in links if STATEMENT_LINK.search(link.get("name") or "")]


def statement_link_findings(links: list[dict[str, Any]], check: str) -> list[FindingData]:
    """The per-page part: a finding when the page has no link to a statement."""
    if statement_links(links):
        return []
    return [
        FindingData(
            check=check,
            rule="statement-link-missing",
            message=(
                "The page has no link to an accessibility statement (the 2018 accessibility "
                "regulations expect one on every page, usually in the footer)"
            ),
            impact="moderate",
            help_url=GUIDANCE,
        )
    ]


# --- reading a statement ---------------------------------------------------------------


class _Text(HTMLParser):
    """Visible text and links of an HTML page (scripts and styles left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[dict[str, str]] = []
        self._skip = 0
        self._link: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self._skip += 1
        elif tag == "a":
            values = dict(attrs)
            self._link = {"href": values.get("href") or "", "name": values.get("aria-label") or ""}
        elif tag in ("p", "li", "h1", "h2", "h3", "h4", "br", "div", "tr", "dd", "dt"):
            self.parts.append("\n\n")  # a block boundary, unlike a line break in the source

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self._skip = max(0, self._skip - 1)
        elif tag == "a" and self._link is not None:
            self.links.append(self._link)
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data)
        if self._link is not None:
            self._link["name"] += data

    @property
    def text(self) -> str:
        return re.sub(r"[ \t\r\f\v]+", " ", "".join(self.parts))


def html_text(body: bytes | str) -> tuple[str, list[dict[str, str]]]:
    """``(visible text, links)`` of an HTML document."""
    parser = _Text()
    parser.feed(body.decode("utf-8", "replace") if isinstance(body, bytes) else body)
    parser.close()
    return parser.text, parser.links


def parse_dates(text: str) -> list[date]:
    """Every date written like "1 October 2026", "October 1, 2026" or "01/10/2026"."""
    found: list[date] = []
    candidates: list[tuple[int, int, int]] = []
    for day, month, year in _DAY_MONTH_YEAR.findall(text):
        candidates.append((int(year), MONTHS[month.lower()], int(day)))
    for month, day, year in _MONTH_DAY_YEAR.findall(text):
        candidates.append((int(year), MONTHS[month.lower()], int(day)))
    for day, month, year in _NUMERIC.findall(text):
        candidates.append((int(year), int(month), int(day)))
    for year, month, day in candidates:
        try:
            found.append(date(year, month, day))
        except ValueError:
            continue
    return found


def _sentences(text: str, pattern: str) -> str:
    """The sentences or lines of ``text`` that match ``pattern``."""
    blocks = re.split(r"\n\s*\n", text)
    pieces = [p for b in blocks for p in re.split(r"(?<=[.!?])\s+", " ".join(b.split()))]
    return " ".join(p for p in pieces if re.search(pattern, p, re.IGNORECASE))


_STATUS = re.compile(r"\b(fully|partially|partly|not)\s+compliant\b", re.IGNORECASE)
_STANDARD = re.compile(
    r"(Web Content Accessibility Guidelines|WCAG)[^.\n]{0,40}?\b2\.[0-2]\b[^.\n]{0,60}?\bAA\b",
    re.IGNORECASE,
)
_NON_ACCESSIBLE = re.compile(
    r"non[- ]?accessible content|not accessible|isn.t accessible|inaccessible|"
    r"non[- ]compliance",
    re.IGNORECASE,
)
_REPORT = re.compile(
    r"report (a|any|an accessibility) problem|find (a|any) problems?|contact us|tell us|"
    r"feedback and contact",
    re.IGNORECASE,
)
_FORMAT = re.compile(
    r"(different|another|alternative|accessible) format|large print|easy read|braille|"
    r"audio recording",
    re.IGNORECASE,
)
_ENFORCEMENT = re.compile(
    r"Equality and Human Rights Commission|\bEHRC\b|Equality Advisory and Support Service|"
    r"\bEASS\b|Equality Commission for Northern Ireland",
    re.IGNORECASE,
)
_PREPARED = r"\bprepared\b"
_REVIEWED = r"\b(reviewed|updated|revised)\b"


def read_statement(text: str, today: date) -> list[tuple[str, str, str]]:
    """What the statement lacks: ``(rule, impact, message)`` for each missing part."""
    problems: list[tuple[str, str, str]] = []
    lines = text
    text = " ".join(text.split())  # phrases broken over lines in the HTML
    statuses = {m.lower().replace("partly", "partially") for m in _STATUS.findall(text)}
    if not statuses or not _STANDARD.search(text):
        problems.append(
            (
                "statement-compliance-status",
                "moderate",
                "The statement does not say whether the service is fully, partially or not "
                "compliant with the Web Content Accessibility Guidelines version 2.x AA "
                "standard",
            )
        )
    if statuses != {"fully"} and not _NON_ACCESSIBLE.search(text):
        problems.append(
            (
                "statement-non-accessible-content",
                "moderate",
                "The statement does not list the content that is not accessible and why",
            )
        )
    if not (_REPORT.search(text) and _FORMAT.search(text)):
        problems.append(
            (
                "statement-feedback",
                "moderate",
                "The statement does not say how to report an accessibility problem and how to "
                "ask for information in another format",
            )
        )
    if not _ENFORCEMENT.search(text):
        problems.append(
            (
                "statement-enforcement",
                "moderate",
                "The statement does not explain the enforcement procedure (the Equality and "
                "Human Rights Commission and the Equality Advisory and Support Service)",
            )
        )
    prepared = parse_dates(_sentences(lines, _PREPARED))
    reviewed = parse_dates(_sentences(lines, _REVIEWED))
    if not prepared:
        problems.append(
            (
                "statement-preparation",
                "moderate",
                "The statement does not say when it was prepared",
            )
        )
    latest = max(prepared + reviewed, default=None)
    if latest is not None and latest < today - timedelta(days=STALE_AFTER_DAYS):
        problems.append(
            (
                "statement-stale",
                "moderate",
                f"The statement was last reviewed on {latest.day} {latest:%B %Y}: it must be "
                "reviewed at least once a year",
            )
        )
    return problems


def claims_full_compliance(text: str) -> bool:
    statuses = {m.lower() for m in _STATUS.findall(" ".join(text.split()))}
    return statuses == {"fully"}


# --- the service check -----------------------------------------------------------------


class StatementCheck(ServiceCheck):
    """Finds, fetches and reads the service's accessibility statement."""

    name = "statement"
    version = "2"
    reads = frozenset({Needs.http})

    async def run_service(
        self, evidence: ServiceEvidence, context: RunContext
    ) -> list[tuple[str, FindingData]]:
        http = context.http
        if http is None:
            return []
        home = self._home(evidence)
        url = await self._find(evidence, http)
        if url is None:
            if home is None:
                return []
            return [
                (
                    home,
                    self._finding(
                        "statement-missing",
                        "moderate",
                        "No accessibility statement was found for the service: none is "
                        "configured and no page links to one",
                    ),
                )
            ]
        fetched = await http.fetch(url)
        if fetched.status is None:
            # No answer at all: the site, not its statement, is the problem tonight.
            raise CouldNotJudge(f"the statement at {url} did not answer: {fetched.error}")
        if fetched.status >= 400:
            reason = f"HTTP {fetched.status}" if fetched.status else (fetched.error or "no answer")
            return [
                (
                    home or url,
                    self._finding(
                        "statement-unreachable",
                        "moderate",
                        f"The accessibility statement at {url} cannot be read ({reason})",
                        key=url,
                    ),
                )
            ]
        text, _ = html_text(fetched.body)
        found = [
            (url, self._finding(rule, impact, message))
            for rule, impact, message in read_statement(text, context.today)
        ]
        contradiction = self._contradiction(evidence, text)
        if contradiction:
            found.append((url, contradiction))
        return found

    @staticmethod
    def _home(evidence: ServiceEvidence) -> str | None:
        if evidence.service is not None and evidence.service.start_urls:
            return str(evidence.service.start_urls[0])
        urls = evidence.page_urls
        return urls[0] if urls else None

    async def _find(self, evidence: ServiceEvidence, http: HostPolicy) -> str | None:
        """The statement's address: configured, recorded on the pages, or searched for."""
        service = evidence.service
        if service is not None and service.accessibility_statement_url:
            return str(service.accessibility_statement_url)
        recorded = recorded_statement_link(evidence)
        if recorded is not None:
            return recorded
        pages: list[str] = []
        if service is not None:
            pages += [str(u) for u in service.start_urls]
        pages += evidence.page_urls
        for page in list(dict.fromkeys(pages))[:PAGES_TO_SEARCH]:
            fetched = await http.fetch(page)
            if fetched.status is None or fetched.status >= 400:
                continue
            if "html" not in (fetched.content_type or "html"):
                continue
            _, links = html_text(fetched.body)
            for link in links:
                if STATEMENT_LINK.search(link["name"]) and link["href"]:
                    return urljoin(page, link["href"])
        return None

    def _contradiction(self, evidence: ServiceEvidence, text: str) -> FindingData | None:
        if not claims_full_compliance(text):
            return None
        serious = [
            i
            for i in evidence.open_issues
            if is_serious_or_more(i.impact) and i.check != self.name and i.outcome == "violation"
        ]
        if not serious:
            return None
        return self._finding(
            "statement-contradicts-scan",
            "moderate",
            f"The statement says the service is fully compliant, but {len(serious)} serious or "
            "critical accessibility issues are open for it",
        )

    def _finding(self, rule: str, impact: str, message: str, key: str = "") -> FindingData:
        return FindingData(
            check=self.name, rule=rule, message=message, impact=impact, key=key, help_url=GUIDANCE
        )


def recorded_statement_link(evidence: ServiceEvidence) -> str | None:
    """The statement link the service's pages show most; on a tie, the one its start page
    shows, then the first by address. Never the one of whichever page finished first."""
    counts = Counter(link for page in evidence.pages for link in set(page.statement_links))
    if not counts:
        return None
    service = evidence.service
    start = normalise_url(str(service.start_urls[0])) if service and service.start_urls else None
    on_start = {
        link for page in evidence.pages if page.url == start for link in page.statement_links
    }
    return min(counts, key=lambda link: (-counts[link], link not in on_start, link))


CHECK = StatementCheck()
