"""The documents check on PDFs made in the test (pypdf) and the demo's admissions guide."""

from __future__ import annotations

import asyncio
import io

import httpx

from crawlers.base import FindingData
from crawlers.checks.documents import CHECK, inspect_pdf
from crawlers.context import RunContext
from demo import DemoSite
from demo.documents import build_admissions_guide
from monitor.settings import Settings
from tests.crawlers.checks.conftest import expected_demo_defects

URL = "http://127.0.0.1/documents/guide.pdf"
GUIDE_PATH = "/documents/admissions-guide.pdf"


def check(body: bytes, *, on_journey: bool = False, url: str = URL) -> list[FindingData]:
    context = RunContext(settings=Settings()).for_page(service_id="school-admissions")
    context.on_journey = on_journey
    return asyncio.run(CHECK.run_document(url, body, "application/pdf", context))


def written_pdf(
    *, title: str | None = None, created: str | None = None, image: bool = False
) -> bytes:
    """A one-page PDF written with pypdf: untagged, no /Lang; optionally a scanned image."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    if image:
        picture = DecodedStreamObject()
        picture.set_data(b"\x80" * 16)
        picture.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): NumberObject(4),
                NameObject("/Height"): NumberObject(4),
                NameObject("/ColorSpace"): NameObject("/DeviceGray"),
                NameObject("/BitsPerComponent"): NumberObject(8),
            }
        )
        resources = DictionaryObject(
            {
                NameObject("/XObject"): DictionaryObject(
                    {NameObject("/Im0"): writer._add_object(picture)}
                )
            }
        )
        page[NameObject("/Resources")] = resources
        content = DecodedStreamObject()
        content.set_data(b"q 200 0 0 200 0 0 cm /Im0 Do Q")
        page[NameObject("/Contents")] = writer._add_object(content)
    metadata = {}
    if title is not None:
        metadata["/Title"] = title
    if created is not None:
        metadata["/CreationDate"] = created
    if metadata:
        writer.add_metadata(metadata)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def rules_of(found: list[FindingData]) -> dict[str, tuple[tuple[str, ...], str | None]]:
    return {f.rule: (f.wcag, f.impact) for f in found}


def test_an_untagged_untitled_pdf_is_found() -> None:
    found = check(build_admissions_guide(tagged=False, title=None))
    assert rules_of(found) == {
        "pdf-untagged": (("1.3.1",), "serious"),
        "pdf-no-title": (("2.4.2",), "moderate"),
    }
    assert {f.key for f in found} == {URL}  # each document is its own issue


def test_a_tagged_titled_pdf_with_a_language_passes() -> None:
    guide = build_admissions_guide(tagged=True, title="School admissions guide")
    assert inspect_pdf(guide)["tagged"] is True
    assert check(guide) == []


def test_a_pdf_without_language_or_text_is_found() -> None:
    scanned = written_pdf(title="Scanned letter", image=True, created="D:20240102103000Z")
    assert rules_of(check(scanned)) == {
        "pdf-untagged": (("1.3.1",), "serious"),
        "pdf-no-language": (("3.1.1",), "moderate"),
        "pdf-no-text": (("1.1.1",), "serious"),
    }


def test_an_old_pdf_is_exempt_unless_it_is_part_of_a_journey() -> None:
    old = written_pdf(title="Bus timetable 2017", created="D:20170412093000+01'00'")
    (exempt,) = check(old)
    assert (exempt.rule, exempt.outcome, exempt.impact) == ("pdf-exempt", "needs_review", "minor")
    assert "12 April 2017" in exempt.message and "pdf-untagged" in exempt.message

    in_journey = check(old, on_journey=True)
    assert rules_of(in_journey) == {
        "pdf-untagged": (("1.3.1",), "critical"),  # one level heavier inside a journey
        "pdf-no-language": (("3.1.1",), "serious"),
    }
    new = written_pdf(title="Bus timetable 2019", created="D:20190101000000Z")
    assert "pdf-exempt" not in rules_of(check(new))


def test_what_is_not_a_readable_pdf_is_left_alone() -> None:
    assert check(b"<html><body>Not a PDF</body></html>") == []
    assert check(build_admissions_guide(tagged=False, title=None)[:200]) == []  # cut short


def test_the_demo_admissions_guide_shows_its_manifest_defects(demo: DemoSite) -> None:
    url = demo.base_url + "/documents/admissions-guide.pdf"
    body = httpx.get(url).content
    found = check(body, url=url)
    assert {("main", "/documents/admissions-guide.pdf", f.rule) for f in found} == {
        defect for defect in expected_demo_defects(demo, "documents") if defect[1] == GUIDE_PATH
    }
