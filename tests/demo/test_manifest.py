"""The manifest is well formed and matches what the site serves, defect by defect."""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
from bs4 import BeautifulSoup, Tag
from pypdf import PdfReader

from demo import BRAND, DemoSite, load_manifest
from demo.manifest import MANIFEST_PATH, DefectEntry, Manifest
from tests.demo.conftest import SLOW_SECONDS, url_of

SERVICES = {
    "council-website",
    "report-a-pothole",
    "apply-for-a-blue-badge",
    "school-admissions",
    "join-the-library",
    "pay-a-parking-fine",
}
CATEGORY_OF_CHECK = {
    "axe": {"accessibility"},
    "branding": {"brand"},
    "links": {"links"},
    "http": {"status", "performance"},
    "keyboard": {"keyboard"},
    "documents": {"document"},
    "page-titles": {"accessibility"},
}
BRAND_RULES = {"logo", "palette", "typeface", "footer-links", "title-pattern"}


def test_manifest_is_well_formed(manifest: Manifest) -> None:
    raw = json.loads(MANIFEST_PATH.read_text())
    assert set(raw) == {"council", "services", "pages", "defects", "hostile"}
    assert manifest.council == BRAND.council_name
    assert {s.id for s in manifest.services} == SERVICES
    assert manifest.clean_services == ["join-the-library"]
    assert manifest.service("pay-a-parking-fine").host == "supplier"
    ids = [d.id for d in manifest.defects]
    assert len(ids) == len(set(ids))
    pages = {(p.host, p.path): p for p in manifest.pages}
    assert len(pages) == len(manifest.pages)
    for service in manifest.services:
        assert (service.host, service.start_path) in pages
    for defect in manifest.defects:
        assert defect.category in CATEGORY_OF_CHECK[defect.check], defect.id
        assert (defect.host, defect.path) in pages, defect.id
        assert pages[defect.host, defect.path].service == defect.service
        assert not manifest.service(defect.service).clean
        assert defect.description and "\n" not in defect.description
        if defect.check == "axe":
            assert defect.impact in ("minor", "moderate", "serious", "critical")
            assert defect.selector and defect.wcag
        else:
            assert defect.impact is None
        if defect.check == "branding":
            assert defect.rule in BRAND_RULES and defect.host == "supplier"
    for clean in manifest.clean_services:
        assert manifest.defects_for(service=clean) == []
    # every supplier page drifts on every brand rule
    drift = Counter(d.path for d in manifest.defects_for(check="branding"))
    assert drift == {p.path: 5 for p in manifest.pages_for(service="pay-a-parking-fine")}
    # the school pages, and only those, lack a skip link
    skip = {d.path for d in manifest.defects if d.rule == "skip-link"}
    assert skip == {
        p.path
        for p in manifest.pages_for(service="school-admissions")
        if p.status == 200 and p.content_type == "text/html"
    }
    assert load_manifest() is load_manifest()
    assert manifest.raw() == raw


# ----- is each defect present on the page? ---------------------------------------------


def _has_name(el: Tag) -> bool:
    return bool(
        el.get_text(strip=True)
        or el.get("aria-label")
        or el.get("aria-labelledby")
        or el.get("title")
        or el.select("img[alt]:not([alt=''])")
    )


def _labelled(soup: BeautifulSoup, el: Tag) -> bool:
    return bool(
        soup.select(f'label[for="{el.get("id")}"]')
        or el.find_parent("label")
        or el.get("aria-label")
        or el.get("aria-labelledby")
        or el.get("title")
        or el.get("placeholder")
    )


def _styles(soup: BeautifulSoup) -> str:
    return " ".join(s.get_text() for s in soup.select("style"))


HtmlCheck = Callable[[BeautifulSoup, list[Tag]], bool]

HTML_CHECKS: dict[str, HtmlCheck] = {
    "image-alt": lambda soup, els: any(not el.has_attr("alt") for el in els),
    "label": lambda soup, els: any(not _labelled(soup, el) for el in els),
    "color-contrast": lambda soup, els: any("color" in str(el.get("style", "")) for el in els),
    "button-name": lambda soup, els: any(not _has_name(el) for el in els),
    "link-name": lambda soup, els: any(not _has_name(el) for el in els),
    "html-has-lang": lambda soup, els: any(not el.has_attr("lang") for el in els),
    "broken-link": lambda soup, els: bool(els),
    "keyboard-trap": lambda soup, els: (
        bool(els) and soup.select_one("script#catchment-map-focus-trap") is not None
    ),
    "skip-link": lambda soup, els: soup.select_one('a[href="#main-content"]') is None,
    "logo": lambda soup, els: bool(els),
    "palette": lambda soup, els: BRAND.palette.primary not in _styles(soup),
    "typeface": lambda soup, els: BRAND.body_typeface not in _styles(soup),
    "footer-links": lambda soup, els: (
        not all(soup.select_one(f'footer a[href$="{link.href}"]') for link in BRAND.footer_links)
    ),
    "page-title-duplicate": lambda soup, els: (
        soup.title is not None and soup.title.get_text() == BRAND.title("Apply for a school place")
    ),
    "title-pattern": lambda soup, els: (
        soup.title is None or not soup.title.get_text().endswith(" - " + BRAND.council_name)
    ),
}


def defect_present(site: DemoSite, client: httpx.Client, defect: DefectEntry) -> bool:
    url = url_of(site, defect.host, defect.path)
    started = time.monotonic()
    response = client.get(url)
    elapsed = time.monotonic() - started
    if defect.rule == "server-error":
        return response.status_code == 500
    if defect.rule == "slow-response":
        return elapsed >= SLOW_SECONDS * 0.9
    if defect.check == "documents":
        reader = PdfReader(io.BytesIO(response.content), strict=True)
        root = reader.root_object
        if defect.rule == "pdf-untagged":
            return "/StructTreeRoot" not in root or "/MarkInfo" not in root
        if defect.rule == "pdf-no-title":
            return not (reader.metadata and reader.metadata.title)
        raise AssertionError(defect.rule)
    soup = BeautifulSoup(response.text, "html.parser")
    matched = soup.select(defect.selector) if defect.selector else []
    if defect.selector and defect.rule not in ("broken-link", "logo"):
        # the element stays on the page once fixed; only its defect goes
        assert matched, f"{defect.id}: selector {defect.selector!r} matches nothing"
    return HTML_CHECKS[defect.rule](soup, matched)


def test_every_defect_is_present_and_can_be_fixed_and_restored(
    site: DemoSite, manifest: Manifest, client: httpx.Client
) -> None:
    for defect in manifest.defects:
        assert defect_present(site, client, defect), f"{defect.id} is missing"
    for defect in manifest.defects:
        site.fix_defect(defect.id)
        assert not defect_present(site, client, defect), f"{defect.id} still there once fixed"
        # fixing one defect leaves every other defect in place
        others = [
            d
            for d in manifest.defects
            if d.id != defect.id and (d.host, d.path) == (defect.host, defect.path)
        ]
        for other in others:
            assert defect_present(site, client, other), f"fixing {defect.id} fixed {other.id}"
        site.restore_defect(defect.id)
        assert defect_present(site, client, defect), f"{defect.id} not back once restored"


def test_selectors_match_their_element_exactly_while_the_defect_is_there(
    site: DemoSite, manifest: Manifest, client: httpx.Client
) -> None:
    for defect in manifest.defects:
        if not defect.selector:
            continue
        soup = BeautifulSoup(client.get(url_of(site, defect.host, defect.path)).text, "html.parser")
        assert len(soup.select(defect.selector)) == 1, defect.id


@pytest.mark.parametrize("rule", ["broken-link", "logo"])
def test_selectors_of_removed_elements_stop_matching_once_fixed(
    site: DemoSite, manifest: Manifest, client: httpx.Client, rule: str
) -> None:
    for defect in manifest.defects:
        if defect.rule != rule:
            continue
        site.fix_defect(defect.id)
        soup = BeautifulSoup(client.get(url_of(site, defect.host, defect.path)).text, "html.parser")
        assert defect.selector and soup.select(defect.selector) == [], defect.id
