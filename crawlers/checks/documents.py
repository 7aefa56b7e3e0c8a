"""The documents check: PDFs linked from service pages, read with pypdf.

A PDF must be tagged (``/MarkInfo /Marked true`` and a ``/StructTreeRoot``: 1.3.1), have a
title in its metadata (2.4.2), a language in its catalog (3.1.1) and real text rather
than a scanned image (1.1.1).

Documents published before 23 September 2018 are outside the 2018 regulations unless
residents need them to use a service: such a document's defects are reported once as
*exempt* (a "needs review" finding of minor impact, not a violation), unless it sits in a
journey. A document residents meet on a journey (``context.on_journey``: linked from a
page a journey passes through, as the run recorded it) weighs more: one impact level
higher. Documents are audited after every page of the run was visited, so this never
depends on the order pages were visited in, or on which process visited them.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from crawlers.base import FindingData
from crawlers.check import DocumentCheck
from crawlers.context import PageContext

log = logging.getLogger(__name__)

EXEMPT_BEFORE = date(2018, 9, 23)
PAGES_FOR_TEXT = 5
MIN_TEXT_CHARACTERS = 20
IMPACTS = ("minor", "moderate", "serious", "critical")
HELP = "https://www.gov.uk/guidance/publishing-accessible-documents"

# rule: (WCAG criteria, impact outside a journey, message)
RULES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "pdf-untagged": (
        ("1.3.1",),
        "serious",
        "The PDF is untagged (no structure tree or /MarkInfo), so headings, lists and "
        "reading order are lost to screen readers",
    ),
    "pdf-no-title": (
        ("2.4.2",),
        "moderate",
        "The PDF has no document title in its metadata",
    ),
    "pdf-no-language": (
        ("3.1.1",),
        "moderate",
        "The PDF does not say what language it is in (/Lang in its catalog)",
    ),
    "pdf-no-text": (
        ("1.1.1",),
        "serious",
        "The PDF has no text that can be read out or selected: it looks like a scanned image",
    ),
}
_PDF_DATE = re.compile(r"(\d{4})(\d{2})?(\d{2})?")


def pdf_date(value: Any) -> date | None:
    """A date from a PDF date string (``D:20170412093000+01'00'``)."""
    if value is None:
        return None
    match = _PDF_DATE.search(str(value).removeprefix("D:"))
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _resolved(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def inspect_pdf(body: bytes) -> dict[str, Any]:
    """The facts the check judges: tagged, title, language, text, images, dates."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")  # most "encrypted" PDFs only restrict printing or copying
    catalog = _resolved(reader.trailer["/Root"])
    mark_info = _resolved(catalog.get("/MarkInfo")) or {}
    marked = bool(_resolved(mark_info.get("/Marked", False))) if mark_info else False
    info: Any = reader.metadata or {}
    title = str(info.get("/Title") or "").strip()
    if not title:
        xmp = reader.xmp_metadata
        titles = getattr(xmp, "dc_title", None) if xmp is not None else None
        if isinstance(titles, dict):
            title = " ".join(str(v) for v in titles.values()).strip()
    text = ""
    images = 0
    for page in reader.pages[:PAGES_FOR_TEXT]:
        try:
            text += page.extract_text() or ""
        except Exception:  # a damaged content stream: judge on what could be read
            log.debug("could not extract text from a page", exc_info=True)
        resources = _resolved(page.get("/Resources")) or {}
        objects = _resolved(resources.get("/XObject")) or {}
        images += sum(1 for ref in objects.values() if _resolved(ref).get("/Subtype") == "/Image")
    return {
        "tagged": marked and "/StructTreeRoot" in catalog,
        "title": title,
        "lang": str(_resolved(catalog.get("/Lang")) or "").strip(),
        "text_characters": len("".join(text.split())),
        "images": images,
        "created": pdf_date(info.get("/CreationDate")),
        "modified": pdf_date(info.get("/ModDate")),
    }


def defects(facts: dict[str, Any]) -> list[str]:
    """The rules a PDF fails."""
    failed = []
    if not facts["tagged"]:
        failed.append("pdf-untagged")
    if not facts["title"]:
        failed.append("pdf-no-title")
    if not facts["lang"]:
        failed.append("pdf-no-language")
    if facts["text_characters"] < MIN_TEXT_CHARACTERS and facts["images"]:
        failed.append("pdf-no-text")
    return failed


def _heavier(impact: str) -> str:
    return IMPACTS[min(IMPACTS.index(impact) + 1, len(IMPACTS) - 1)]


class DocumentsCheck(DocumentCheck):
    """Checks the PDFs linked from service pages."""

    name = "documents"
    version = "1"
    criteria = ("1.1.1", "1.3.1", "2.4.2", "3.1.1")

    def reads(self, url: str, content_type: str | None) -> bool:
        # Servers often send PDFs as a generic download: the address says what it is.
        kind = (content_type or "").split(";")[0].strip().lower()
        return kind == "application/pdf" or urlsplit(url).path.lower().endswith(".pdf")

    async def run_document(
        self, url: str, body: bytes, content_type: str | None, context: PageContext
    ) -> list[FindingData]:
        is_pdf = body[:1024].lstrip().startswith(b"%PDF") or "pdf" in (content_type or "")
        if not is_pdf or not body:
            return []
        try:
            facts = inspect_pdf(body)
        except Exception as exc:  # damaged or cut short: not a defect we can name
            log.info("could not read the PDF %s: %s", url, exc)
            return []
        failed = defects(facts)
        if not failed:
            return []
        journey = context.on_journey
        published = facts["created"] or facts["modified"]
        if published is not None and published < EXEMPT_BEFORE and not journey:
            return [
                FindingData(
                    check=self.name,
                    rule="pdf-exempt",
                    message=(
                        f"The PDF was published on {published.day} {published:%B %Y}, before "
                        "23 September 2018, so it is exempt unless residents need it for a "
                        f"service; it fails: {', '.join(failed)}"
                    ),
                    impact="minor",
                    outcome="needs_review",
                    key=url,
                    help_url=HELP,
                )
            ]
        findings = []
        for rule in failed:
            wcag, impact, message = RULES[rule]
            findings.append(
                FindingData(
                    check=self.name,
                    rule=rule,
                    message=message + (" (it is part of a journey)" if journey else ""),
                    wcag=wcag,
                    impact=_heavier(impact) if journey else impact,
                    key=url,
                    help_url=HELP,
                )
            )
        return findings


CHECK = DocumentsCheck()
